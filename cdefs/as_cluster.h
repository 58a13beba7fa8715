/* as_cluster.h and as_node.h: the node facts a Python user reads (names, addresses). */
#define AS_NODE_NAME_SIZE ...

void as_cluster_get_node_names(struct as_cluster_s* cluster, int* n_nodes, char** node_names);
const char* as_node_get_address_string(as_node* node);
