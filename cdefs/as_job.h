/* as_job.h: background job (scan/query) status by module and id. */
typedef enum as_job_status_e {
    AS_JOB_STATUS_UNDEF, AS_JOB_STATUS_INPROGRESS, AS_JOB_STATUS_COMPLETED, ...
} as_job_status;

typedef struct as_job_info_s {
    as_job_status status;
    uint32_t progress_pct;
    uint32_t records_read;
} as_job_info;

as_status aerospike_job_wait(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* module, uint64_t job_id, uint32_t interval_ms);
as_status aerospike_job_info(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* module, uint64_t job_id, bool stop_if_in_progress, as_job_info* info);
