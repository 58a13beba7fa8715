/* aerospike_udf.h: register, list, fetch and remove UDF modules. */
as_status aerospike_udf_list(aerospike* as, as_error* err, const as_policy_info* policy,
    as_udf_files* files);
as_status aerospike_udf_get(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* filename, as_udf_type type, as_udf_file* file);
as_status aerospike_udf_put(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* filename, as_udf_type type, as_bytes* content);
as_status aerospike_udf_put_wait(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* filename, uint32_t interval_ms);
as_status aerospike_udf_remove(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* filename);
as_status aerospike_udf_remove_wait(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* filename, uint32_t interval_ms);
