/* as_hll_operations.h: HyperLogLog operations (element lists are packed by the C client and consumed). */
typedef enum as_hll_write_flags_e {
    AS_HLL_WRITE_DEFAULT, AS_HLL_WRITE_CREATE_ONLY, AS_HLL_WRITE_UPDATE_ONLY, AS_HLL_WRITE_NO_FAIL,
    AS_HLL_WRITE_ALLOW_FOLD, ...
} as_hll_write_flags;

typedef struct as_hll_policy_s {
    uint64_t flags;
} as_hll_policy;

typedef enum {
    AS_HLL_OP_INIT, AS_HLL_OP_ADD, AS_HLL_OP_UNION, AS_HLL_OP_REFRESH_COUNT, AS_HLL_OP_FOLD,
    AS_HLL_OP_COUNT, AS_HLL_OP_GET_UNION, AS_HLL_OP_UNION_COUNT, AS_HLL_OP_INTERSECT_COUNT,
    AS_HLL_OP_SIMILARITY, AS_HLL_OP_DESCRIBE, AS_HLL_OP_MAY_CONTAIN, ...
} as_hll_op;

bool as_operations_hll_read(as_operations* ops, const char* name, as_cdt_ctx* ctx, uint16_t command);
bool as_operations_hll_read_list(as_operations* ops, const char* name, as_cdt_ctx* ctx, uint16_t command, as_list* list);
void as_hll_policy_init(as_hll_policy* policy);
void as_hll_policy_set_write_flags(as_hll_policy* policy, as_hll_write_flags flags);
bool as_operations_hll_init_mh(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_hll_policy* policy, int index_bit_count, int mh_bit_count);
bool as_operations_hll_init(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_hll_policy* policy, int index_bit_count);
bool as_operations_hll_add_mh(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_hll_policy* policy, as_list* list, int index_bit_count, int mh_bit_count);
bool as_operations_hll_add(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_hll_policy* policy, as_list* list, int index_bit_count);
bool as_operations_hll_update(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_hll_policy* policy, as_list* list);
bool as_operations_hll_set_union(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_hll_policy* policy, as_list* list);
bool as_operations_hll_refresh_count(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_hll_fold(as_operations* ops, const char* name, as_cdt_ctx* ctx, int index_bit_count);
bool as_operations_hll_get_count(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_hll_get_union(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* list);
bool as_operations_hll_get_union_count(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* list);
bool as_operations_hll_get_intersect_count(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* list);
bool as_operations_hll_get_similarity(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* list);
bool as_operations_hll_describe(as_operations* ops, const char* name, as_cdt_ctx* ctx);
