/* as_cdt_ctx.h: the path into nested lists and maps (values added are consumed by the context). */
typedef enum {
    AS_CDT_CTX_EXP, AS_CDT_CTX_LIST_INDEX, AS_CDT_CTX_LIST_RANK, AS_CDT_CTX_LIST_VALUE,
    AS_CDT_CTX_MAP_INDEX, AS_CDT_CTX_MAP_RANK, AS_CDT_CTX_MAP_KEY, AS_CDT_CTX_MAP_VALUE,
    AS_CDT_CTX_MAP_KEYS_IN, ...
} as_cdt_ctx_type;

typedef struct as_cdt_ctx_item {
    uint32_t type;
    union {
        int64_t ival;
        as_val* pval;
        struct as_exp* exp;
    } val;
} as_cdt_ctx_item;

typedef struct as_cdt_ctx {
    as_vector list;
} as_cdt_ctx;

void as_cdt_ctx_init(as_cdt_ctx* ctx, uint32_t capacity);
as_cdt_ctx* as_cdt_ctx_create(uint32_t capacity);
void as_cdt_ctx_destroy(as_cdt_ctx* ctx);
void as_cdt_ctx_add_list_index(as_cdt_ctx* ctx, int index);
void as_cdt_ctx_add_list_index_create(as_cdt_ctx* ctx, int index, as_list_order order, bool pad);
void as_cdt_ctx_add_list_rank(as_cdt_ctx* ctx, int rank);
void as_cdt_ctx_add_list_value(as_cdt_ctx* ctx, as_val* val);
void as_cdt_ctx_add_map_index(as_cdt_ctx* ctx, int index);
void as_cdt_ctx_add_map_rank(as_cdt_ctx* ctx, int rank);
void as_cdt_ctx_add_map_key(as_cdt_ctx* ctx, as_val* key);
void as_cdt_ctx_add_map_key_create(as_cdt_ctx* ctx, as_val* key, as_map_order order);
void as_cdt_ctx_add_map_value(as_cdt_ctx* ctx, as_val* val);
void as_cdt_ctx_add_map_keys_in(as_cdt_ctx* ctx, as_list* keys);
void as_cdt_ctx_add_all_children(as_cdt_ctx* ctx);
void as_cdt_ctx_add_all_children_with_filter(as_cdt_ctx* ctx, const struct as_exp* exp);
void as_cdt_ctx_add_and_filter(as_cdt_ctx* ctx, const struct as_exp* exp);
uint32_t as_cdt_ctx_byte_capacity(const as_cdt_ctx* ctx);
uint32_t as_cdt_ctx_to_bytes(const as_cdt_ctx* ctx, uint8_t* bytes, uint32_t capacity);
bool as_cdt_ctx_from_bytes(as_cdt_ctx* ctx, const uint8_t* bytes, uint32_t size);
uint32_t as_cdt_ctx_base64_capacity(const as_cdt_ctx* ctx);
bool as_cdt_ctx_to_base64(const as_cdt_ctx* ctx, char* base64, uint32_t capacity);
bool as_cdt_ctx_from_base64(as_cdt_ctx* ctx, const char* base64);
