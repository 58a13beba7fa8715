/* aerospike_batch.h: batch reads by key list, and batch records (read/write/apply/remove). */
#define AS_BATCH_READ ...
#define AS_BATCH_WRITE ...
#define AS_BATCH_APPLY ...
#define AS_BATCH_REMOVE ...

typedef uint8_t as_batch_type;

typedef struct as_batch_base_record_s {
    as_key key;
    as_record record;
    as_status result;
    uint32_t subcode;
    char* message;
    as_batch_type type;
    bool has_write;
    bool in_doubt;
} as_batch_base_record;

typedef struct as_batch_read_record_s {
    as_key key;
    as_record record;
    as_status result;
    uint32_t subcode;
    char* message;
    as_batch_type type;
    bool has_write;
    bool in_doubt;
    const as_policy_batch_read* policy;
    as_operations* ops;
    char** bin_names;
    uint32_t n_bin_names;
    bool read_all_bins;
} as_batch_read_record;

typedef struct as_batch_write_record_s {
    as_key key;
    as_record record;
    as_status result;
    uint32_t subcode;
    char* message;
    as_batch_type type;
    bool has_write;
    bool in_doubt;
    const as_policy_batch_write* policy;
    as_operations* ops;
} as_batch_write_record;

typedef struct as_batch_apply_record_s {
    as_key key;
    as_record record;
    as_status result;
    uint32_t subcode;
    char* message;
    as_batch_type type;
    bool has_write;
    bool in_doubt;
    const as_policy_batch_apply* policy;
    const char* module;
    const char* function;
    as_list* arglist;
} as_batch_apply_record;

typedef struct as_batch_remove_record_s {
    as_key key;
    as_record record;
    as_status result;
    uint32_t subcode;
    char* message;
    as_batch_type type;
    bool has_write;
    bool in_doubt;
    const as_policy_batch_remove* policy;
} as_batch_remove_record;

typedef union {
    as_batch_base_record base;
    as_batch_read_record read;
    as_batch_write_record write;
    as_batch_apply_record apply;
    as_batch_remove_record remove;
} as_batch_record;

typedef struct as_batch_records_s {
    as_vector list;
} as_batch_records;

typedef bool (*as_batch_listener)(const as_batch_result* results, uint32_t n, void* udata);

void as_batch_records_init(as_batch_records* records, uint32_t capacity);
as_batch_read_record* as_batch_read_reserve(as_batch_records* records);
as_batch_write_record* as_batch_write_reserve(as_batch_records* records);
as_batch_apply_record* as_batch_apply_reserve(as_batch_records* records);
as_batch_remove_record* as_batch_remove_reserve(as_batch_records* records);
void as_batch_records_destroy(as_batch_records* records);

as_status aerospike_batch_read(aerospike* as, as_error* err, const as_policy_batch* policy,
    as_batch_records* records);
as_status aerospike_batch_write(aerospike* as, as_error* err, const as_policy_batch* policy,
    as_batch_records* records);
as_status aerospike_batch_get(aerospike* as, as_error* err, const as_policy_batch* policy,
    const as_batch* batch, as_batch_listener listener, void* udata);
as_status aerospike_batch_get_bins(aerospike* as, as_error* err, const as_policy_batch* policy,
    const as_batch* batch, const char** bins, uint32_t n_bins, as_batch_listener listener,
    void* udata);
as_status aerospike_batch_get_ops(aerospike* as, as_error* err, const as_policy_batch* policy,
    const as_batch* batch, as_operations* ops, as_batch_listener listener, void* udata);
as_status aerospike_batch_exists(aerospike* as, as_error* err, const as_policy_batch* policy,
    const as_batch* batch, as_batch_listener listener, void* udata);
as_status aerospike_batch_operate(aerospike* as, as_error* err, const as_policy_batch* policy,
    const as_policy_batch_write* policy_write, const as_batch* batch, as_operations* ops,
    as_batch_listener listener, void* udata);
as_status aerospike_batch_apply(aerospike* as, as_error* err, const as_policy_batch* policy,
    const as_policy_batch_apply* policy_apply, const as_batch* batch, const char* module,
    const char* function, as_list* arglist, as_batch_listener listener, void* udata);
as_status aerospike_batch_remove(aerospike* as, as_error* err, const as_policy_batch* policy,
    const as_policy_batch_remove* policy_remove, const as_batch* batch,
    as_batch_listener listener, void* udata);

/* bindings/aerospike_batch.py: the Python side of the batch listener. */
extern "Python" bool asc_batch_listener(const as_batch_result*, uint32_t, void*);
