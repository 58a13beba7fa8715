/* aerospike_query.h: secondary-index queries with a callback per result, and in the background. */
typedef bool (*aerospike_query_foreach_callback)(const as_val* val, void* udata);

as_status aerospike_query_foreach(aerospike* as, as_error* err, const as_policy_query* policy,
    as_query* query, aerospike_query_foreach_callback callback, void* udata);
as_status aerospike_query_partitions(aerospike* as, as_error* err, const as_policy_query* policy,
    as_query* query, as_partition_filter* pf, aerospike_query_foreach_callback callback,
    void* udata);
as_status aerospike_query_background(aerospike* as, as_error* err, const as_policy_write* policy,
    const as_query* query, uint64_t* query_id);
as_status aerospike_query_wait(aerospike* as, as_error* err, const as_policy_info* policy,
    const as_query* query, uint64_t query_id, uint32_t interval_ms);
as_status aerospike_query_info(aerospike* as, as_error* err, const as_policy_info* policy,
    const as_query* query, uint64_t query_id, as_job_info* info);
