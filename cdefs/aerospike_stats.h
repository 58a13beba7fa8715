/* aerospike_stats.h */
typedef struct as_node_s as_node;

typedef struct as_conn_stats_s {
    uint32_t in_pool;
    uint32_t in_use;
    uint32_t opened;
    uint32_t closed;
    uint32_t recovered;
    uint32_t aborted;
    ...;
} as_conn_stats;

typedef struct as_node_stats_s {
    as_node* node;
    as_conn_stats sync;
    as_conn_stats async;
    as_conn_stats pipeline;
    uint64_t error_count;
    uint64_t timeout_count;
    uint64_t key_busy_count;
    ...;
} as_node_stats;

typedef struct as_event_loop_stats_s {
    int process_size;
    uint32_t queue_size;
    ...;
} as_event_loop_stats;

typedef struct as_cluster_stats_s {
    as_node_stats* nodes;
    as_event_loop_stats* event_loops;
    uint64_t retry_count;
    uint32_t nodes_size;
    uint32_t event_loops_size;
    uint32_t thread_pool_queued_tasks;
    uint32_t recover_queue_size;
    ...;
} as_cluster_stats;

void aerospike_stats(aerospike* as, as_cluster_stats* stats);
void aerospike_stats_destroy(as_cluster_stats* stats);
char* aerospike_stats_to_string(as_cluster_stats* stats);
void aerospike_cluster_stats(struct as_cluster_s* cluster, as_cluster_stats* stats);
void aerospike_node_stats(as_node* node, as_node_stats* stats);
void aerospike_node_stats_destroy(as_node_stats* stats);
void aerospike_event_loop_stats(as_event_loop* event_loop, as_event_loop_stats* stats);
