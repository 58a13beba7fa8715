/* aerospike_info.h: info requests to a host, any node, one node or every node. */
typedef bool (*aerospike_info_foreach_callback)(const as_error* err, const as_node* node,
    const char* req, char* res, void* udata);

as_status aerospike_info_node(aerospike* as, as_error* err, const as_policy_info* policy,
    as_node* node, const char* req, char** res);
as_status aerospike_info_host(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* hostname, uint16_t port, const char* req, char** res);
as_status aerospike_info_any(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* req, char** res);
as_status aerospike_info_foreach(aerospike* as, as_error* err, const as_policy_info* policy,
    const char* req, aerospike_info_foreach_callback callback, void* udata);

/* bindings/aerospike_info.py: the Python side of aerospike_info_foreach. */
extern "Python" bool asc_info_foreach_callback(const as_error*, const as_node*, const char*,
    char*, void*);
