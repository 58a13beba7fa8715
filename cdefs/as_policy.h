/* as_policy.h: every policy struct with every field a C user sets; layout checked by the compiler. */
#define AS_POLICY_SOCKET_TIMEOUT_DEFAULT ...
#define AS_POLICY_TOTAL_TIMEOUT_DEFAULT ...
#define AS_POLICY_TIMEOUT_DELAY_DEFAULT ...
#define AS_POLICY_COMPRESSION_THRESHOLD_DEFAULT ...

struct as_exp;
struct as_txn;

typedef enum as_policy_retry_e { AS_POLICY_RETRY_NONE, AS_POLICY_RETRY_ONCE, ... } as_policy_retry;
typedef enum as_policy_gen_e { AS_POLICY_GEN_IGNORE, AS_POLICY_GEN_EQ, AS_POLICY_GEN_GT, ... } as_policy_gen;
typedef enum as_policy_key_e { AS_POLICY_KEY_DIGEST, AS_POLICY_KEY_SEND, ... } as_policy_key;
typedef enum as_policy_exists_e {
    AS_POLICY_EXISTS_IGNORE, AS_POLICY_EXISTS_CREATE, AS_POLICY_EXISTS_UPDATE,
    AS_POLICY_EXISTS_REPLACE, AS_POLICY_EXISTS_CREATE_OR_REPLACE, ...
} as_policy_exists;
typedef enum as_policy_replica_e {
    AS_POLICY_REPLICA_MASTER, AS_POLICY_REPLICA_ANY, AS_POLICY_REPLICA_SEQUENCE,
    AS_POLICY_REPLICA_PREFER_RACK, AS_POLICY_REPLICA_RANDOM, ...
} as_policy_replica;
typedef enum as_policy_read_mode_ap_e {
    AS_POLICY_READ_MODE_AP_ONE, AS_POLICY_READ_MODE_AP_ALL, ...
} as_policy_read_mode_ap;
typedef enum as_policy_read_mode_sc_e {
    AS_POLICY_READ_MODE_SC_SESSION, AS_POLICY_READ_MODE_SC_LINEARIZE,
    AS_POLICY_READ_MODE_SC_ALLOW_REPLICA, AS_POLICY_READ_MODE_SC_ALLOW_UNAVAILABLE, ...
} as_policy_read_mode_sc;
typedef enum as_policy_commit_level_e {
    AS_POLICY_COMMIT_LEVEL_ALL, AS_POLICY_COMMIT_LEVEL_MASTER, ...
} as_policy_commit_level;
typedef enum as_query_duration_e {
    AS_QUERY_DURATION_LONG, AS_QUERY_DURATION_SHORT, AS_QUERY_DURATION_LONG_RELAX_AP, ...
} as_query_duration;

typedef struct as_policy_base_s {
    uint32_t connect_timeout;
    uint32_t socket_timeout;
    uint32_t total_timeout;
    uint32_t timeout_delay;
    uint32_t max_retries;
    uint32_t sleep_between_retries;
    struct as_exp* filter_exp;
    struct as_txn* txn;
    bool compress;
    uint8_t error_detail_verbosity;
    ...;
} as_policy_base;

typedef struct as_policy_read_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_read_mode_ap read_mode_ap;
    as_policy_read_mode_sc read_mode_sc;
    int read_touch_ttl_percent;
    bool deserialize;
    bool async_heap_rec;
    ...;
} as_policy_read;

typedef struct as_policy_write_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    as_policy_exists exists;
    uint32_t ttl;
    uint32_t compression_threshold;
    bool durable_delete;
    bool on_locking_only;
    ...;
} as_policy_write;

typedef struct as_policy_apply_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_commit_level commit_level;
    uint32_t ttl;
    bool durable_delete;
    bool on_locking_only;
    ...;
} as_policy_apply;

typedef struct as_policy_operate_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_read_mode_ap read_mode_ap;
    as_policy_read_mode_sc read_mode_sc;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    as_policy_exists exists;
    uint32_t ttl;
    int read_touch_ttl_percent;
    bool deserialize;
    bool durable_delete;
    bool on_locking_only;
    bool async_heap_rec;
    bool respond_all_ops;
    ...;
} as_policy_operate;

typedef struct as_policy_remove_s {
    as_policy_base base;
    as_policy_key key;
    as_policy_replica replica;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    uint16_t generation;
    bool durable_delete;
    ...;
} as_policy_remove;

typedef struct as_policy_batch_s {
    as_policy_base base;
    as_policy_replica replica;
    as_policy_read_mode_ap read_mode_ap;
    as_policy_read_mode_sc read_mode_sc;
    int read_touch_ttl_percent;
    bool concurrent;
    bool allow_inline;
    bool allow_inline_ssd;
    bool respond_all_keys;
    bool send_set_name;
    bool deserialize;
    ...;
} as_policy_batch;

typedef struct as_policy_batch_read_s {
    struct as_exp* filter_exp;
    as_policy_read_mode_ap read_mode_ap;
    as_policy_read_mode_sc read_mode_sc;
    int read_touch_ttl_percent;
    ...;
} as_policy_batch_read;

typedef struct as_policy_batch_write_s {
    struct as_exp* filter_exp;
    as_policy_key key;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    as_policy_exists exists;
    uint32_t ttl;
    bool durable_delete;
    bool on_locking_only;
    ...;
} as_policy_batch_write;

typedef struct as_policy_batch_apply_s {
    struct as_exp* filter_exp;
    as_policy_key key;
    as_policy_commit_level commit_level;
    uint32_t ttl;
    bool durable_delete;
    bool on_locking_only;
    ...;
} as_policy_batch_apply;

typedef struct as_policy_batch_remove_s {
    struct as_exp* filter_exp;
    as_policy_key key;
    as_policy_commit_level commit_level;
    as_policy_gen gen;
    uint16_t generation;
    bool durable_delete;
    ...;
} as_policy_batch_remove;

typedef struct as_policy_query_s {
    as_policy_base base;
    uint32_t info_timeout;
    as_policy_replica replica;
    as_query_duration expected_duration;
    bool fail_on_cluster_change;
    bool deserialize;
    bool short_query;
    ...;
} as_policy_query;

typedef struct as_policy_scan_s {
    as_policy_base base;
    uint64_t max_records;
    uint32_t records_per_second;
    as_policy_replica replica;
    uint32_t ttl;
    bool durable_delete;
    ...;
} as_policy_scan;

typedef struct as_policy_info_s {
    uint32_t timeout;
    uint32_t timeout_delay;
    bool send_as_is;
    bool check_bounds;
    ...;
} as_policy_info;

typedef struct as_policy_admin_s {
    uint32_t timeout;
    ...;
} as_policy_admin;

typedef as_policy_batch as_policy_txn_verify;
typedef as_policy_batch as_policy_txn_roll;

typedef struct as_policies_s {
    as_policy_read read;
    as_policy_write write;
    as_policy_operate operate;
    as_policy_remove remove;
    as_policy_apply apply;
    as_policy_batch batch;
    as_policy_batch batch_parent_write;
    as_policy_batch_write batch_write;
    as_policy_batch_apply batch_apply;
    as_policy_batch_remove batch_remove;
    as_policy_scan scan;
    as_policy_query query;
    as_policy_info info;
    as_policy_admin admin;
    as_policy_txn_verify txn_verify;
    as_policy_txn_roll txn_roll;
    as_metrics_policy metrics;
    ...;
} as_policies;

as_policy_read* as_policy_read_init(as_policy_read* p);
as_policy_write* as_policy_write_init(as_policy_write* p);
as_policy_operate* as_policy_operate_init(as_policy_operate* p);
as_policy_remove* as_policy_remove_init(as_policy_remove* p);
as_policy_apply* as_policy_apply_init(as_policy_apply* p);
as_policy_batch* as_policy_batch_init(as_policy_batch* p);
as_policy_batch* as_policy_batch_parent_write_init(as_policy_batch* p);
as_policy_batch_read* as_policy_batch_read_init(as_policy_batch_read* p);
as_policy_batch_write* as_policy_batch_write_init(as_policy_batch_write* p);
as_policy_batch_apply* as_policy_batch_apply_init(as_policy_batch_apply* p);
as_policy_batch_remove* as_policy_batch_remove_init(as_policy_batch_remove* p);
as_policy_scan* as_policy_scan_init(as_policy_scan* p);
as_policy_query* as_policy_query_init(as_policy_query* p);
as_policy_info* as_policy_info_init(as_policy_info* p);
as_policy_admin* as_policy_admin_init(as_policy_admin* p);
as_policy_txn_verify* as_policy_txn_verify_init(as_policy_txn_verify* p);
as_policy_txn_roll* as_policy_txn_roll_init(as_policy_txn_roll* p);
as_policies* as_policies_init(as_policies* p);
void as_policy_base_read_init(as_policy_base* p);
void as_policy_base_write_init(as_policy_base* p);
void as_policy_base_query_init(as_policy_base* p);
