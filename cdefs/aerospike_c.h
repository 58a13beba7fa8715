/* csrc/aerospike_c.h: our own small C helpers (not part of the C client). */
const char* asc_node_name(as_node* node);
void asc_config_clear_rack_ids(as_config* config);
const char* asc_client_version(void);
