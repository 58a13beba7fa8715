/* as_operations.h: the operations of aerospike_key_operate, select/modify by path included (expression operations live in as_exp_operations.h). */
typedef enum as_operator_e {
    AS_OPERATOR_READ, AS_OPERATOR_WRITE, AS_OPERATOR_CDT_READ, AS_OPERATOR_CDT_MODIFY,
    AS_OPERATOR_MAP_READ, AS_OPERATOR_MAP_MODIFY, AS_OPERATOR_INCR, AS_OPERATOR_EXP_READ,
    AS_OPERATOR_EXP_MODIFY, AS_OPERATOR_APPEND, AS_OPERATOR_PREPEND, AS_OPERATOR_TOUCH,
    AS_OPERATOR_BIT_READ, AS_OPERATOR_BIT_MODIFY, AS_OPERATOR_DELETE, AS_OPERATOR_HLL_READ,
    AS_OPERATOR_HLL_MODIFY, AS_OPERATOR_STRING_READ, AS_OPERATOR_STRING_MODIFY,
    AS_OPERATOR_TO_STRING, ...
} as_operator;

typedef struct as_binop_s {
    as_operator op;
    as_bin bin;
} as_binop;

typedef struct as_binops_s {
    as_binop* entries;
    uint16_t capacity;
    uint16_t size;
    bool _free;
} as_binops;

typedef struct as_operations_s {
    as_binops binops;
    uint32_t ttl;
    uint16_t gen;
    bool _free;
} as_operations;

as_operations* as_operations_init(as_operations* ops, uint16_t nops);
as_operations* as_operations_new(uint16_t nops);
void as_operations_destroy(as_operations* ops);
bool as_operations_defined(as_operations* ops);
bool as_operations_add_write(as_operations* ops, const char* name, as_bin_value* value);
bool as_operations_add_write_bool(as_operations* ops, const char* name, bool value);
bool as_operations_add_write_int64(as_operations* ops, const char* name, int64_t value);
bool as_operations_add_write_double(as_operations* ops, const char* name, double value);
bool as_operations_add_write_str(as_operations* ops, const char* name, const char* value);
bool as_operations_add_write_geojson_str(as_operations* ops, const char* name, const char* value);
bool as_operations_add_write_raw(as_operations* ops, const char* name, const uint8_t* value, uint32_t size);
bool as_operations_add_read(as_operations* ops, const char* name);
bool as_operations_add_read_all(as_operations* ops);
bool as_operations_add_read_all_called(const as_operations* ops);
bool as_operations_add_incr(as_operations* ops, const char* name, int64_t value);
bool as_operations_add_incr_double(as_operations* ops, const char* name, double value);
bool as_operations_add_prepend_str(as_operations* ops, const char* name, const char* value);
bool as_operations_add_prepend_raw(as_operations* ops, const char* name, const uint8_t* value, uint32_t size);
bool as_operations_add_append_str(as_operations* ops, const char* name, const char* value);
bool as_operations_add_append_raw(as_operations* ops, const char* name, const uint8_t* value, uint32_t size);
bool as_operations_add_touch(as_operations* ops);
bool as_operations_add_delete(as_operations* ops);
bool as_operations_has_write(const as_operations* ops);
bool as_operations_consists_of_all_writes(const as_operations* ops);

typedef enum {
    AS_EXP_PATH_SELECT_MATCHING_TREE, AS_EXP_PATH_SELECT_VALUE, AS_EXP_PATH_SELECT_LIST_VALUE,
    AS_EXP_PATH_SELECT_MAP_VALUE, AS_EXP_PATH_SELECT_MAP_KEY, AS_EXP_PATH_SELECT_MAP_KEY_VALUE,
    AS_EXP_PATH_SELECT_NO_FAIL, ...
} as_exp_path_select_flags;

typedef enum {
    AS_EXP_PATH_MODIFY_DEFAULT, AS_EXP_PATH_MODIFY_NO_FAIL, ...
} as_exp_path_modify_flags;

as_status as_operations_select_by_path(as_error* err, as_operations* ops, const char* name,
    struct as_cdt_ctx* ctx, as_exp_path_select_flags flags);
as_status as_operations_modify_by_path(as_error* err, as_operations* ops, const char* name,
    struct as_cdt_ctx* ctx, struct as_exp* mod_exp, as_exp_path_modify_flags flags);
