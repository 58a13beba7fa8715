/* as_config.h */
#define AS_CONFIG_PATH_MAX_SIZE ...
#define AS_PASSWORD_SIZE ...
#define AS_USER_SIZE ...
#define AS_TEND_INTERVAL_MIN ...

typedef struct as_addr_map_s {
    char* orig;
    char* alt;
} as_addr_map;

typedef enum as_auth_mode_e {
    AS_AUTH_INTERNAL, AS_AUTH_EXTERNAL, AS_AUTH_EXTERNAL_INSECURE, AS_AUTH_PKI, ...
} as_auth_mode;

typedef enum as_cluster_event_type_e {
    AS_CLUSTER_ADD_NODE, AS_CLUSTER_REMOVE_NODE, AS_CLUSTER_DISCONNECTED, ...
} as_cluster_event_type;

typedef struct as_cluster_event_s {
    const char* node_name;
    const char* node_address;
    void* udata;
    as_cluster_event_type type;
} as_cluster_event;

typedef void (*as_cluster_event_callback)(as_cluster_event* event);

typedef struct as_config_lua_s {
    bool cache_enabled;
    char user_path[...];
} as_config_lua;

typedef struct as_config_tls_s {
    bool enable;
    char* cafile;
    char* castring;
    char* capath;
    char* protocols;
    char* cipher_suite;
    char* cert_blacklist;
    char* keyfile;
    char* keyfile_pw;
    char* keystring;
    char* certfile;
    char* certstring;
    bool crl_check;
    bool crl_check_all;
    bool log_session_info;
    bool for_login_only;
    ...;
} as_config_tls;

typedef struct as_config_provider_s {
    char* path;
    uint32_t interval;
    ...;
} as_config_provider;

typedef struct as_config_s {
    as_vector* hosts;
    char user[...];
    char password[...];
    char* cluster_name;
    char* app_id;
    as_cluster_event_callback event_callback;
    void* event_callback_udata;
    as_addr_map* ip_map;
    uint32_t ip_map_size;
    uint32_t min_conns_per_node;
    uint32_t max_conns_per_node;
    uint32_t async_min_conns_per_node;
    uint32_t async_max_conns_per_node;
    uint32_t pipe_max_conns_per_node;
    uint32_t conn_pools_per_node;
    uint32_t conn_timeout_ms;
    uint32_t login_timeout_ms;
    uint32_t max_socket_idle;
    uint32_t max_error_rate;
    uint32_t error_rate_window;
    uint32_t tender_interval;
    uint32_t thread_pool_size;
    int tend_thread_cpu;
    as_policies policies;
    as_config_provider config_provider;
    as_config_lua lua;
    as_config_tls tls;
    as_auth_mode auth_mode;
    bool fail_if_not_connected;
    bool use_services_alternate;
    bool force_single_node;
    bool rack_aware;
    int rack_id;
    as_vector* rack_ids;
    bool use_shm;
    int shm_key;
    uint32_t shm_max_nodes;
    uint32_t shm_max_namespaces;
    uint32_t shm_takeover_threshold_sec;
    ...;
} as_config;

as_config* as_config_init(as_config* config);
void as_config_lua_init(as_config_lua* lua);
void as_config_destroy(as_config* config);
bool as_config_add_hosts(as_config* config, const char* string, uint16_t default_port);
void as_config_add_host(as_config* config, const char* address, uint16_t port);
void as_config_clear_hosts(as_config* config);
bool as_config_set_user(as_config* config, const char* user, const char* password);
void as_config_set_string(char** str, const char* value);
void as_config_set_cluster_name(as_config* config, const char* cluster_name);
void as_config_set_app_id(as_config* config, const char* app_id);
void as_config_set_cluster_event_callback(as_config* config, as_cluster_event_callback callback, void* udata);
void as_config_tls_set_cafile(as_config* config, const char* cafile);
void as_config_tls_set_castring(as_config* config, const char* castring);
void as_config_tls_set_capath(as_config* config, const char* capath);
void as_config_tls_set_protocols(as_config* config, const char* protocols);
void as_config_tls_set_cipher_suite(as_config* config, const char* cipher_suite);
void as_config_tls_set_cert_blacklist(as_config* config, const char* cert_blacklist);
void as_config_tls_set_keyfile(as_config* config, const char* keyfile);
void as_config_tls_set_keyfile_pw(as_config* config, const char* pw);
void as_config_tls_set_keystring(as_config* config, const char* keystring);
void as_config_tls_set_certfile(as_config* config, const char* certfile);
void as_config_tls_set_certstring(as_config* config, const char* certstring);
void as_config_tls_add_host(as_config* config, const char* address, const char* tls_name, uint16_t port);
void as_config_provider_set_path(as_config* config, const char* path);
void as_config_provider_set(as_config* config, const char* path, uint32_t interval);
void as_config_add_rack_id(as_config* config, int rack_id);
bool as_auth_mode_from_string(as_auth_mode* auth, const char* str);
