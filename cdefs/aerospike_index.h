/* aerospike_index.h: secondary index create (with its task), wait and remove. */
#define AS_INDEX_NAME_MAX_SIZE ...

typedef enum as_index_type_s {
    AS_INDEX_TYPE_DEFAULT, AS_INDEX_TYPE_LIST, AS_INDEX_TYPE_MAPKEYS, AS_INDEX_TYPE_MAPVALUES,
    AS_INDEX_TYPE_SET, ...
} as_index_type;

typedef enum as_index_datatype_s {
    AS_INDEX_STRING, AS_INDEX_INTEGER, AS_INDEX_GEO2DSPHERE, AS_INDEX_BLOB, AS_INDEX_NUMERIC, ...
} as_index_datatype;

typedef struct as_index_task_s {
    aerospike* as;
    char name[...];
    uint32_t socket_timeout;
    uint32_t total_timeout;
    bool done;
    ...;
} as_index_task;

as_status aerospike_index_create(aerospike* as, as_error* err, as_index_task* task,
    const as_policy_info* policy, const char* ns, const char* set, const char* bin_name,
    const char* index_name, as_index_datatype dtype);
as_status aerospike_index_create_complex(aerospike* as, as_error* err, as_index_task* task,
    const as_policy_info* policy, const char* ns, const char* set, const char* bin_name,
    const char* index_name, as_index_type itype, as_index_datatype dtype);
as_status aerospike_index_create_wait(as_error* err, as_index_task* task, uint32_t interval_ms);
as_status aerospike_index_remove(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* ns, const char* index_name);
as_status aerospike_index_create_ctx(aerospike* as, as_error* err, as_index_task* task,
    const as_policy_info* policy, const char* ns, const char* set, const char* bin_name,
    const char* index_name, as_index_type itype, as_index_datatype dtype, struct as_cdt_ctx* ctx);
as_status aerospike_index_create_exp(aerospike* as, as_error* err, as_index_task* task,
    const as_policy_info* policy, const char* ns, const char* set, const char* index_name,
    as_index_type itype, as_index_datatype dtype, struct as_exp* exp);
