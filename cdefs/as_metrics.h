/* as_metrics.h */
struct as_node_s;
struct as_cluster_s;
typedef as_status (*as_metrics_enable_listener)(as_error* err, void* udata);
typedef as_status (*as_metrics_snapshot_listener)(as_error* err, struct as_cluster_s* cluster, void* udata);
typedef as_status (*as_metrics_node_close_listener)(as_error* err, struct as_node_s* node, void* udata);
typedef as_status (*as_metrics_disable_listener)(as_error* err, struct as_cluster_s* cluster, void* udata);

typedef struct as_metrics_listeners_s {
    as_metrics_enable_listener enable_listener;
    as_metrics_snapshot_listener snapshot_listener;
    as_metrics_node_close_listener node_close_listener;
    as_metrics_disable_listener disable_listener;
    void* udata;
} as_metrics_listeners;

typedef struct as_metrics_policy_s {
    as_metrics_listeners metrics_listeners;
    as_vector* labels;
    char report_dir[256];
    uint64_t report_size_limit;
    uint32_t interval;
    uint8_t latency_columns;
    uint8_t latency_shift;
    bool enable;
    ...;
} as_metrics_policy;

void as_metrics_policy_init(as_metrics_policy* policy);
void as_metrics_policy_destroy(as_metrics_policy* policy);
as_status aerospike_enable_metrics(struct aerospike_s* as, as_error* err, const as_metrics_policy* policy);
as_status aerospike_disable_metrics(struct aerospike_s* as, as_error* err);
typedef struct {
    char* name;
    char* value;
} as_metrics_label;

void as_metrics_policy_destroy_labels(as_metrics_policy* policy);
void as_metrics_policy_add_label(as_metrics_policy* policy, const char* name, const char* value);
void as_metrics_policy_set_listeners(as_metrics_policy* policy, as_metrics_enable_listener enable,
    as_metrics_disable_listener disable, as_metrics_node_close_listener node_close,
    as_metrics_snapshot_listener snapshot, void* udata);
