/* as_map_operations.h: map CDT operations (values passed as as_val* / as_list* / as_map* are consumed). */
typedef enum as_map_write_mode_e { AS_MAP_UPDATE, AS_MAP_UPDATE_ONLY, AS_MAP_CREATE_ONLY, ... } as_map_write_mode;
typedef enum as_map_write_flags_e {
    AS_MAP_WRITE_DEFAULT, AS_MAP_WRITE_CREATE_ONLY, AS_MAP_WRITE_UPDATE_ONLY, AS_MAP_WRITE_NO_FAIL,
    AS_MAP_WRITE_PARTIAL, ...
} as_map_write_flags;

typedef struct as_map_policy_s {
    uint64_t attributes;
    uint64_t flags;
    int item_command;
    int items_command;
} as_map_policy;

typedef enum as_map_return_type_e {
    AS_MAP_RETURN_NONE, AS_MAP_RETURN_INDEX, AS_MAP_RETURN_REVERSE_INDEX, AS_MAP_RETURN_RANK,
    AS_MAP_RETURN_REVERSE_RANK, AS_MAP_RETURN_COUNT, AS_MAP_RETURN_KEY, AS_MAP_RETURN_VALUE,
    AS_MAP_RETURN_KEY_VALUE, AS_MAP_RETURN_EXISTS, AS_MAP_RETURN_UNORDERED_MAP,
    AS_MAP_RETURN_ORDERED_MAP, AS_MAP_RETURN_INVERTED, ...
} as_map_return_type;

void as_map_policy_init(as_map_policy* policy);
void as_map_policy_set(as_map_policy* policy, as_map_order order, as_map_write_mode mode);
void as_map_policy_set_flags(as_map_policy* policy, as_map_order order, uint32_t flags);
void as_map_policy_set_all(as_map_policy* policy, as_map_order order, uint32_t flags, bool persist_index);
bool as_operations_map_create(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_map_order order);
bool as_operations_map_create_all(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_map_order order, bool persist_index);
bool as_operations_map_set_policy(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_map_policy* policy);
bool as_operations_map_put(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_map_policy* policy, as_val* key, as_val* value);
bool as_operations_map_put_items(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_map_policy* policy, as_map* items);
bool as_operations_map_increment(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_map_policy* policy, as_val* key, as_val* value);
bool as_operations_map_decrement(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_map_policy* policy, as_val* key, as_val* value);
bool as_operations_map_clear(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_map_remove_by_key(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* key, as_map_return_type return_type);
bool as_operations_map_remove_by_key_list(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* keys, as_map_return_type return_type);
bool as_operations_map_remove_by_key_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* begin, as_val* end, as_map_return_type return_type);
bool as_operations_map_remove_by_key_rel_index_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* key, int64_t index, as_map_return_type return_type);
bool as_operations_map_remove_by_key_rel_index_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* key, int64_t index, uint64_t count, as_map_return_type return_type);
bool as_operations_map_remove_by_value(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, as_map_return_type return_type);
bool as_operations_map_remove_by_value_list(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* values, as_map_return_type return_type);
bool as_operations_map_remove_by_value_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* begin, as_val* end, as_map_return_type return_type);
bool as_operations_map_remove_by_value_rel_rank_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, int64_t rank, as_map_return_type return_type);
bool as_operations_map_remove_by_value_rel_rank_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, int64_t rank, uint64_t count, as_map_return_type return_type);
bool as_operations_map_remove_by_index(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, as_map_return_type return_type);
bool as_operations_map_remove_by_index_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, as_map_return_type return_type);
bool as_operations_map_remove_by_index_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, uint64_t count, as_map_return_type return_type);
bool as_operations_map_remove_by_rank(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, as_map_return_type return_type);
bool as_operations_map_remove_by_rank_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, as_map_return_type return_type);
bool as_operations_map_remove_by_rank_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, uint64_t count, as_map_return_type return_type);
bool as_operations_map_size(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_map_get_by_key(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* key, as_map_return_type return_type);
bool as_operations_map_get_by_key_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* begin, as_val* end, as_map_return_type return_type);
bool as_operations_map_get_by_key_list(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* keys, as_map_return_type return_type);
bool as_operations_map_get_by_key_rel_index_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* key, int64_t index, as_map_return_type return_type);
bool as_operations_map_get_by_key_rel_index_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* key, int64_t index, uint64_t count, as_map_return_type return_type);
bool as_operations_map_get_by_value(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, as_map_return_type return_type);
bool as_operations_map_get_by_value_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* begin, as_val* end, as_map_return_type return_type);
bool as_operations_map_get_by_value_list(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* values, as_map_return_type return_type);
bool as_operations_map_get_by_value_rel_rank_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, int64_t rank, as_map_return_type return_type);
bool as_operations_map_get_by_value_rel_rank_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, int64_t rank, uint64_t count, as_map_return_type return_type);
bool as_operations_map_get_by_index(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, as_map_return_type return_type);
bool as_operations_map_get_by_index_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, as_map_return_type return_type);
bool as_operations_map_get_by_index_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, uint64_t count, as_map_return_type return_type);
bool as_operations_map_get_by_rank(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, as_map_return_type return_type);
bool as_operations_map_get_by_rank_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, as_map_return_type return_type);
bool as_operations_map_get_by_rank_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, uint64_t count, as_map_return_type return_type);
bool as_operations_add_map_set_policy(as_operations* ops, const char* name, as_map_policy* policy);
bool as_operations_add_map_put(as_operations* ops, const char* name, as_map_policy* policy, as_val* key, as_val* value);
bool as_operations_add_map_put_items(as_operations* ops, const char* name, as_map_policy* policy, as_map* items);
bool as_operations_add_map_increment(as_operations* ops, const char* name, as_map_policy* policy, as_val* key, as_val* value);
bool as_operations_add_map_decrement(as_operations* ops, const char* name, as_map_policy* policy, as_val* key, as_val* value);
bool as_operations_add_map_clear(as_operations* ops, const char* name);
bool as_operations_add_map_remove_by_key(as_operations* ops, const char* name, as_val* key, as_map_return_type return_type);
bool as_operations_add_map_remove_by_key_list(as_operations* ops, const char* name, as_list* keys, as_map_return_type return_type);
bool as_operations_add_map_remove_by_key_range(as_operations* ops, const char* name, as_val* begin, as_val* end, as_map_return_type return_type);
bool as_operations_add_map_remove_by_key_rel_index_range_to_end(as_operations* ops, const char* name, as_val* key, int64_t index, as_map_return_type return_type);
bool as_operations_add_map_remove_by_key_rel_index_range(as_operations* ops, const char* name, as_val* key, int64_t index, uint64_t count, as_map_return_type return_type);
bool as_operations_add_map_remove_by_value(as_operations* ops, const char* name, as_val* value, as_map_return_type return_type);
bool as_operations_add_map_remove_by_value_list(as_operations* ops, const char* name, as_list* values, as_map_return_type return_type);
bool as_operations_add_map_remove_by_value_range(as_operations* ops, const char* name, as_val* begin, as_val* end, as_map_return_type return_type);
bool as_operations_add_map_remove_by_value_rel_rank_range_to_end(as_operations* ops, const char* name, as_val* value, int64_t rank, as_map_return_type return_type);
bool as_operations_add_map_remove_by_value_rel_rank_range(as_operations* ops, const char* name, as_val* value, int64_t rank, uint64_t count, as_map_return_type return_type);
bool as_operations_add_map_remove_by_index(as_operations* ops, const char* name, int64_t index, as_map_return_type return_type);
bool as_operations_add_map_remove_by_index_range_to_end(as_operations* ops, const char* name, int64_t index, as_map_return_type return_type);
bool as_operations_add_map_remove_by_index_range(as_operations* ops, const char* name, int64_t index, uint64_t count, as_map_return_type return_type);
bool as_operations_add_map_remove_by_rank(as_operations* ops, const char* name, int64_t rank, as_map_return_type return_type);
bool as_operations_add_map_remove_by_rank_range_to_end(as_operations* ops, const char* name, int64_t rank, as_map_return_type return_type);
bool as_operations_add_map_remove_by_rank_range(as_operations* ops, const char* name, int64_t rank, uint64_t count, as_map_return_type return_type);
bool as_operations_add_map_size(as_operations* ops, const char* name);
bool as_operations_add_map_get_by_key(as_operations* ops, const char* name, as_val* key, as_map_return_type return_type);
bool as_operations_add_map_get_by_key_range(as_operations* ops, const char* name, as_val* begin, as_val* end, as_map_return_type return_type);
bool as_operations_add_map_get_by_key_list(as_operations* ops, const char* name, as_list* keys, as_map_return_type return_type);
bool as_operations_add_map_get_by_key_rel_index_range_to_end(as_operations* ops, const char* name, as_val* key, int64_t index, as_map_return_type return_type);
bool as_operations_add_map_get_by_key_rel_index_range(as_operations* ops, const char* name, as_val* key, int64_t index, uint64_t count, as_map_return_type return_type);
bool as_operations_add_map_get_by_value(as_operations* ops, const char* name, as_val* value, as_map_return_type return_type);
bool as_operations_add_map_get_by_value_range(as_operations* ops, const char* name, as_val* begin, as_val* end, as_map_return_type return_type);
bool as_operations_add_map_get_by_value_list(as_operations* ops, const char* name, as_list* values, as_map_return_type return_type);
bool as_operations_add_map_get_by_value_rel_rank_range_to_end(as_operations* ops, const char* name, as_val* value, int64_t rank, as_map_return_type return_type);
bool as_operations_add_map_get_by_value_rel_rank_range(as_operations* ops, const char* name, as_val* value, int64_t rank, uint64_t count, as_map_return_type return_type);
bool as_operations_add_map_get_by_index(as_operations* ops, const char* name, int64_t index, as_map_return_type return_type);
bool as_operations_add_map_get_by_index_range_to_end(as_operations* ops, const char* name, int64_t index, as_map_return_type return_type);
bool as_operations_add_map_get_by_index_range(as_operations* ops, const char* name, int64_t index, uint64_t count, as_map_return_type return_type);
bool as_operations_add_map_get_by_rank(as_operations* ops, const char* name, int64_t rank, as_map_return_type return_type);
bool as_operations_add_map_get_by_rank_range_to_end(as_operations* ops, const char* name, int64_t rank, as_map_return_type return_type);
bool as_operations_add_map_get_by_rank_range(as_operations* ops, const char* name, int64_t rank, uint64_t count, as_map_return_type return_type);

/* The CDT operation codes (the expression builders of as_exp.h put them in their tables). */
typedef enum {
    AS_CDT_OP_MAP_SET_TYPE, AS_CDT_OP_MAP_ADD, AS_CDT_OP_MAP_ADD_ITEMS, AS_CDT_OP_MAP_PUT,
    AS_CDT_OP_MAP_PUT_ITEMS, AS_CDT_OP_MAP_REPLACE, AS_CDT_OP_MAP_REPLACE_ITEMS,
    AS_CDT_OP_MAP_INCREMENT, AS_CDT_OP_MAP_DECREMENT, AS_CDT_OP_MAP_CLEAR,
    AS_CDT_OP_MAP_REMOVE_BY_KEY, AS_CDT_OP_MAP_REMOVE_BY_INDEX, AS_CDT_OP_MAP_REMOVE_BY_RANK,
    AS_CDT_OP_MAP_REMOVE_BY_KEY_LIST, AS_CDT_OP_MAP_REMOVE_ALL_BY_VALUE,
    AS_CDT_OP_MAP_REMOVE_BY_VALUE_LIST, AS_CDT_OP_MAP_REMOVE_BY_KEY_INTERVAL,
    AS_CDT_OP_MAP_REMOVE_BY_INDEX_RANGE, AS_CDT_OP_MAP_REMOVE_BY_VALUE_INTERVAL,
    AS_CDT_OP_MAP_REMOVE_BY_RANK_RANGE, AS_CDT_OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE,
    AS_CDT_OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE, AS_CDT_OP_MAP_SIZE, AS_CDT_OP_MAP_GET_BY_KEY,
    AS_CDT_OP_MAP_GET_BY_INDEX, AS_CDT_OP_MAP_GET_BY_RANK, AS_CDT_OP_MAP_GET_ALL_BY_VALUE,
    AS_CDT_OP_MAP_GET_BY_KEY_INTERVAL, AS_CDT_OP_MAP_GET_BY_INDEX_RANGE,
    AS_CDT_OP_MAP_GET_BY_VALUE_INTERVAL, AS_CDT_OP_MAP_GET_BY_RANK_RANGE,
    AS_CDT_OP_MAP_GET_BY_KEY_LIST, AS_CDT_OP_MAP_GET_BY_VALUE_LIST,
    AS_CDT_OP_MAP_GET_BY_KEY_REL_INDEX_RANGE, AS_CDT_OP_MAP_GET_BY_VALUE_REL_RANK_RANGE, ...
} as_cdt_op_map;
