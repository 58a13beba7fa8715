/* as_exp.h: expressions. The builders are C macros that expand to as_exp_entry tables; the
   bindings build the same tables and hand them to as_exp_compile (the C client packs them). */
typedef enum {
    _AS_EXP_CODE_UNKNOWN, _AS_EXP_CODE_CMP_EQ, _AS_EXP_CODE_CMP_NE, _AS_EXP_CODE_CMP_GT,
    _AS_EXP_CODE_CMP_GE, _AS_EXP_CODE_CMP_LT, _AS_EXP_CODE_CMP_LE, _AS_EXP_CODE_CMP_REGEX,
    _AS_EXP_CODE_CMP_GEO, _AS_EXP_CODE_IN_LIST, _AS_EXP_CODE_AND, _AS_EXP_CODE_OR,
    _AS_EXP_CODE_NOT, _AS_EXP_CODE_EXCLUSIVE, _AS_EXP_CODE_ADD, _AS_EXP_CODE_SUB,
    _AS_EXP_CODE_MUL, _AS_EXP_CODE_DIV, _AS_EXP_CODE_POW, _AS_EXP_CODE_LOG, _AS_EXP_CODE_MOD,
    _AS_EXP_CODE_ABS, _AS_EXP_CODE_FLOOR, _AS_EXP_CODE_CEIL, _AS_EXP_CODE_TO_INT,
    _AS_EXP_CODE_TO_FLOAT, _AS_EXP_CODE_INT_AND, _AS_EXP_CODE_INT_OR, _AS_EXP_CODE_INT_XOR,
    _AS_EXP_CODE_INT_NOT, _AS_EXP_CODE_INT_LSHIFT, _AS_EXP_CODE_INT_RSHIFT,
    _AS_EXP_CODE_INT_ARSHIFT, _AS_EXP_CODE_INT_COUNT, _AS_EXP_CODE_INT_LSCAN,
    _AS_EXP_CODE_INT_RSCAN, _AS_EXP_CODE_MIN, _AS_EXP_CODE_MAX, _AS_EXP_CODE_DIGEST_MODULO,
    _AS_EXP_CODE_DEVICE_SIZE, _AS_EXP_CODE_LAST_UPDATE, _AS_EXP_CODE_SINCE_UPDATE,
    _AS_EXP_CODE_VOID_TIME, _AS_EXP_CODE_TTL, _AS_EXP_CODE_SET_NAME, _AS_EXP_CODE_KEY_EXIST,
    _AS_EXP_CODE_IS_TOMBSTONE, _AS_EXP_CODE_MEMORY_SIZE, _AS_EXP_CODE_RECORD_SIZE,
    _AS_EXP_CODE_KEY, _AS_EXP_CODE_BIN, _AS_EXP_CODE_BIN_TYPE, _AS_EXP_CODE_TO_STRING,
    _AS_EXP_CODE_REMOVE_RESULT, _AS_EXP_CODE_MAP_KEYS_IN, _AS_EXP_CODE_MAP_VALUES_IN,
    _AS_EXP_CODE_LOOPVAR, _AS_EXP_CODE_COND, _AS_EXP_CODE_VAR, _AS_EXP_CODE_LET,
    _AS_EXP_CODE_QUOTE, _AS_EXP_CODE_CALL, _AS_EXP_CODE_AS_VAL, _AS_EXP_CODE_VAL_GEO,
    _AS_EXP_CODE_VAL_PK, _AS_EXP_CODE_VAL_INT, _AS_EXP_CODE_VAL_UINT, _AS_EXP_CODE_VAL_FLOAT,
    _AS_EXP_CODE_VAL_BOOL, _AS_EXP_CODE_VAL_STR, _AS_EXP_CODE_VAL_BYTES,
    _AS_EXP_CODE_VAL_RAWSTR, _AS_EXP_CODE_VAL_RTYPE, _AS_EXP_CODE_CALL_VOP_START,
    _AS_EXP_CODE_CDT_LIST_CRMOD, _AS_EXP_CODE_CDT_LIST_MOD, _AS_EXP_CODE_CDT_MAP_CRMOD,
    _AS_EXP_CODE_CDT_MAP_CR, _AS_EXP_CODE_CDT_MAP_MOD, _AS_EXP_CODE_MERGE, _AS_EXP_CODE_CTX,
    _AS_EXP_CODE_END_OF_VA_ARGS, ...
} as_exp_ops;

typedef enum {
    _AS_EXP_SYS_CALL_CDT, _AS_EXP_SYS_CALL_BITS, _AS_EXP_SYS_CALL_HLL, _AS_EXP_SYS_CALL_STRING,
    _AS_EXP_SYS_FLAG_MODIFY_LOCAL, ...
} as_exp_call_system_type;

typedef enum {
    AS_EXP_TYPE_NIL, AS_EXP_TYPE_BOOL, AS_EXP_TYPE_INT, AS_EXP_TYPE_STR, AS_EXP_TYPE_LIST,
    AS_EXP_TYPE_MAP, AS_EXP_TYPE_BLOB, AS_EXP_TYPE_FLOAT, AS_EXP_TYPE_GEOJSON, AS_EXP_TYPE_HLL,
    AS_EXP_TYPE_AUTO, AS_EXP_TYPE_ERROR, ...
} as_exp_type;

typedef enum {
    AS_EXP_LOOPVAR_KEY, AS_EXP_LOOPVAR_VALUE, AS_EXP_LOOPVAR_INDEX, ...
} as_exp_loopvar_type;

typedef struct as_exp {
    uint32_t packed_sz;
    uint8_t packed[];
} as_exp;

typedef struct {
    as_exp_ops op;
    uint32_t count;
    uint32_t sz;
    int32_t prev_va_args;
    union {
        as_val* val;
        const char* str_val;
        uint8_t* bytes_val;
        int64_t int_val;
        uint64_t uint_val;
        double float_val;
        bool bool_val;
        as_cdt_ctx* ctx;
        as_list_policy* list_pol;
        as_map_policy* map_pol;
        as_exp* expr;
    } v;
} as_exp_entry;

as_exp* as_exp_compile(as_exp_entry* table, uint32_t n);
char* as_exp_compile_b64(as_exp* exp);
void as_exp_destroy_b64(char* b64);
int64_t as_exp_get_ctx_type(const as_cdt_ctx* ctx, as_exp_type default_type);
int64_t as_exp_get_list_type(as_exp_type default_type, as_list_return_type rtype, bool is_multi);
int64_t as_exp_get_map_type(as_exp_type type, as_map_return_type rtype, bool is_multi);
char* as_exp_to_base64(as_exp* exp);
as_exp* as_exp_from_base64(const char* base64);
void as_exp_destroy(as_exp* exp);
void as_exp_destroy_base64(char* base64);
