/* as_metrics.h: only the policy part; the listeners are set by C code, not from Python. */
typedef struct as_metrics_listeners_s { ...; } as_metrics_listeners;

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
