/* aerospike.h */
struct as_cluster_s;

typedef struct aerospike_s {
    struct as_cluster_s* cluster;
    as_config config;
    ...;
} aerospike;

aerospike* aerospike_init(aerospike* as, as_config* config);
aerospike* aerospike_new(as_config* config);
void aerospike_destroy(aerospike* as);
as_status aerospike_connect(aerospike* as, as_error* err);
as_status aerospike_close(aerospike* as, as_error* err);
bool aerospike_cluster_is_connected(aerospike* as);
as_status aerospike_truncate(aerospike* as, as_error* err, as_policy_info* policy,
    const char* ns, const char* set, uint64_t before_nanos);
as_status aerospike_reload_tls_config(aerospike* as, as_error* err);
void aerospike_stop_on_interrupt(bool stop);
void aerospike_init_lua(as_config_lua* config);
as_status aerospike_set_xdr_filter(aerospike* as, as_error* err, as_policy_info* policy,
    const char* dc, const char* ns, const char* filter_b64);
