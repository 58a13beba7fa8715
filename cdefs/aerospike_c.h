/* csrc/aerospike_c.h: our own small C helpers (not part of the C client). */
const char* asc_node_name(as_node* node);
void asc_config_clear_rack_ids(as_config* config);
void asc_null_pointers(void* base, const size_t* offsets, size_t count);
const char* asc_client_version(void);
bool asc_on_tend_thread(aerospike* as);
/* The call count of an aerospike instance (csrc/aerospike_c.h says why). */
#define ASC_NOT_CONNECTED ...
#define ASC_BUSY ...
#define ASC_DEAD ...
typedef struct {
    aerospike* ptr;
    ...;
} asc_instance;
int asc_enter(asc_instance* g);
void asc_exit(asc_instance* g);
int64_t asc_enter_exclusive(asc_instance* g, uintptr_t owner);
void asc_exit_exclusive(asc_instance* g, bool dead);
uintptr_t asc_exclusive_owner(asc_instance* g);
void asc_destroy(asc_instance* g, const size_t* exp_offsets, size_t count);
void asc_mark_dead(asc_instance* g);
int64_t asc_calls(asc_instance* g);
int asc_refused(asc_instance* g);
bool asc_in_metrics_listener(asc_instance* g);
int asc_node_names(asc_instance* g, int* count, char** names);
const char* asc_config_url(void);
#define ASC_NEEDS_CHECK ...
#define ASC_CONNECTING ...
int asc_connect(asc_instance* g, as_error* err, bool checked);
typedef struct {
    const char* address;
    const char* tls_name;
    uint16_t port;
} asc_seed;
int asc_init_plain(asc_instance* g, aerospike* as, const as_config* config, const asc_seed* seeds,
    uint32_t count, bool checked);
extern "Python" bool asc_log_to_python(as_log_level level, const char* func, const char* file,
    uint32_t line, const char* message);
void asc_log_enable(as_log_level level);
/* Copies of a Python buffer as a new C-heap value (csrc/aerospike_c.h says why). */
as_val* asc_string_new_copy(const char* value, size_t len);
as_val* asc_geojson_new_copy(const char* value, size_t len);
as_val* asc_bytes_new_copy(const uint8_t* value, uint32_t size, as_bytes_type type);
extern "Python" void asc_cluster_event_to_python(as_cluster_event* event);
/* Values and a record's bins as plain msgpack, a cf_malloc'd buffer (csrc/aerospike_c.h says why). */
#define ASC_EXT_GEOJSON ...
#define ASC_EXT_WILDCARD ...
#define ASC_EXT_INF ...
uint8_t* asc_val_to_msgpack(const as_val* v, uint32_t* size);
uint8_t* asc_bins_to_msgpack(const as_record* rec, uint32_t* size);
/* Plain msgpack (from Python's msgpack) read into new C values / a record's bins; lists and
   maps nest at most ASC_MAX_DEPTH levels (the C client's reader limit). */
#define ASC_MAX_DEPTH ...
/* The largest str or bytes user key (the C client hashes keys on the stack). */
#define ASC_KEY_MAX_SIZE ...
as_val* asc_val_from_msgpack(const uint8_t* buf, uint32_t size);
as_val* asc_val_from_msgpack_at(const uint8_t* buf, uint32_t size, uint32_t depth, bool stored);
bool asc_record_set_msgpack(as_record* rec, const uint8_t* buf, uint32_t size);
