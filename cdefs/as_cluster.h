/* as_cluster.h and as_node.h: the node facts a Python user reads (names, addresses). */
#define AS_NODE_NAME_SIZE ...

void as_cluster_get_node_names(struct as_cluster_s* cluster, int* n_nodes, char** node_names);
const char* as_node_get_address_string(as_node* node);
/* What a metrics listener reads of the cluster and node it is given (bindings/as_metrics.py). */
uint64_t as_cluster_get_command_count(const struct as_cluster_s* cluster);
uint64_t as_cluster_get_retry_count(const struct as_cluster_s* cluster);
uint64_t as_cluster_get_delay_queue_timeout_count(const struct as_cluster_s* cluster);
uint32_t as_node_get_sync_conns_opened(const as_node* node);
uint32_t as_node_get_sync_conns_closed(const as_node* node);
uint32_t as_node_get_sync_conns_recovered(const as_node* node);
uint32_t as_node_get_sync_conns_aborted(const as_node* node);
char* as_latency_type_to_string(uint8_t type);
