/* aerospike_scan.h: scans with a callback per record, by node or partition, and in the background. */
typedef bool (*aerospike_scan_foreach_callback)(const as_val* val, void* udata);

as_status aerospike_scan_background(aerospike* as, as_error* err, const as_policy_scan* policy,
    const as_scan* scan, uint64_t* scan_id);
as_status aerospike_scan_wait(aerospike* as, as_error* err, const as_policy_info* policy,
    uint64_t scan_id, uint32_t interval_ms);
as_status aerospike_scan_info(aerospike* as, as_error* err, const as_policy_info* policy,
    uint64_t scan_id, as_scan_info* info);
as_status aerospike_scan_foreach(aerospike* as, as_error* err, const as_policy_scan* policy,
    as_scan* scan, aerospike_scan_foreach_callback callback, void* udata);
as_status aerospike_scan_node(aerospike* as, as_error* err, const as_policy_scan* policy,
    as_scan* scan, const char* node_name, aerospike_scan_foreach_callback callback, void* udata);
as_status aerospike_scan_partitions(aerospike* as, as_error* err, const as_policy_scan* policy,
    as_scan* scan, as_partition_filter* pf, aerospike_scan_foreach_callback callback, void* udata);

