/* csrc/asc_metrics.h: the metrics listener trampolines and the figures a listener reads. */
#define ASC_METRICS_ENABLE ...
#define ASC_METRICS_SNAPSHOT ...
#define ASC_METRICS_NODE_CLOSE ...
#define ASC_METRICS_DISABLE ...
#define ASC_LATENCY_TYPES ...
#define ASC_LATENCY_COLUMNS ...
extern "Python" as_status asc_metrics_to_python(int kind, as_error* err, struct as_cluster_s* cluster,
    as_node* node, void* udata);
as_status asc_metrics_enable_trampoline(as_error* err, void* udata);
as_status asc_metrics_snapshot_trampoline(as_error* err, struct as_cluster_s* cluster, void* udata);
as_status asc_metrics_node_close_trampoline(as_error* err, as_node* node, void* udata);
as_status asc_metrics_disable_trampoline(as_error* err, struct as_cluster_s* cluster, void* udata);
as_status asc_enable_metrics(aerospike* as, as_error* err, const as_metrics_policy* policy);
uint32_t asc_cluster_nodes(struct as_cluster_s* cluster, as_node** out, uint32_t max);
void asc_node_release(as_node* node);
typedef struct {
    const char* cluster_name;
    const char* app_id;
    uint32_t invalid_node_count;
    uint64_t command_count;
    uint64_t retry_count;
    uint64_t delay_queue_timeout_count;
    uint32_t latency_columns;
    uint32_t latency_shift;
} asc_cluster_figures;
void asc_cluster_figures_get(struct as_cluster_s* cluster, asc_cluster_figures* out);
typedef struct {
    char name[...];
    char address[...];
    uint16_t port;
} asc_node_figures;
void asc_node_figures_get(as_node* node, asc_node_figures* out);
typedef struct {
    char ns[...];
    uint64_t bytes_in;
    uint64_t bytes_out;
    uint64_t error_count;
    uint64_t timeout_count;
    uint64_t key_busy_count;
    uint32_t latency_size[...];
    uint64_t buckets[...][...];
} asc_ns_figures;
uint32_t asc_node_ns_count(as_node* node);
void asc_node_ns_figures(as_node* node, uint32_t i, asc_ns_figures* out);
