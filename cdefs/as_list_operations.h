/* as_list_operations.h: list CDT operations (values passed as as_val* / as_list* are consumed). */
typedef enum as_list_sort_flags_e { AS_LIST_SORT_DEFAULT, AS_LIST_SORT_DROP_DUPLICATES, ... } as_list_sort_flags;
typedef enum as_list_write_flags_e {
    AS_LIST_WRITE_DEFAULT, AS_LIST_WRITE_ADD_UNIQUE, AS_LIST_WRITE_INSERT_BOUNDED,
    AS_LIST_WRITE_NO_FAIL, AS_LIST_WRITE_PARTIAL, ...
} as_list_write_flags;

typedef struct as_list_policy_s {
    as_list_order order;
    as_list_write_flags flags;
} as_list_policy;

typedef enum as_list_return_type_e {
    AS_LIST_RETURN_NONE, AS_LIST_RETURN_INDEX, AS_LIST_RETURN_REVERSE_INDEX, AS_LIST_RETURN_RANK,
    AS_LIST_RETURN_REVERSE_RANK, AS_LIST_RETURN_COUNT, AS_LIST_RETURN_VALUE, AS_LIST_RETURN_EXISTS,
    AS_LIST_RETURN_INVERTED, ...
} as_list_return_type;

void as_list_policy_init(as_list_policy* policy);
void as_list_policy_set(as_list_policy* policy, as_list_order order, as_list_write_flags flags);
bool as_operations_list_create(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_order order, bool pad);
bool as_operations_list_create_all(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_order order, bool pad, bool persist_index);
bool as_operations_list_set_order(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_order order);
bool as_operations_list_sort(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_sort_flags flags);
bool as_operations_list_append(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_policy* policy, as_val* val);
bool as_operations_list_append_items(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_policy* policy, as_list* list);
bool as_operations_list_insert(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_policy* policy, int64_t index, as_val* val);
bool as_operations_list_insert_items(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_policy* policy, int64_t index, as_list* list);
bool as_operations_list_increment(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_policy* policy, int64_t index, as_val* incr);
bool as_operations_list_set(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list_policy* policy, int64_t index, as_val* val);
bool as_operations_list_pop(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index);
bool as_operations_list_pop_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, uint64_t count);
bool as_operations_list_pop_range_from(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index);
bool as_operations_list_remove(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index);
bool as_operations_list_remove_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, uint64_t count);
bool as_operations_list_remove_range_from(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index);
bool as_operations_list_remove_by_value(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, as_list_return_type return_type);
bool as_operations_list_remove_by_value_list(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* values, as_list_return_type return_type);
bool as_operations_list_remove_by_value_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* begin, as_val* end, as_list_return_type return_type);
bool as_operations_list_remove_by_value_rel_rank_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, int64_t rank, as_list_return_type return_type);
bool as_operations_list_remove_by_value_rel_rank_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, int64_t rank, uint64_t count, as_list_return_type return_type);
bool as_operations_list_remove_by_index(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, as_list_return_type return_type);
bool as_operations_list_remove_by_index_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, as_list_return_type return_type);
bool as_operations_list_remove_by_index_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, uint64_t count, as_list_return_type return_type);
bool as_operations_list_remove_by_rank(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, as_list_return_type return_type);
bool as_operations_list_remove_by_rank_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, as_list_return_type return_type);
bool as_operations_list_remove_by_rank_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, uint64_t count, as_list_return_type return_type);
bool as_operations_list_trim(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, uint64_t count);
bool as_operations_list_clear(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_list_size(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_list_get(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index);
bool as_operations_list_get_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, uint64_t count);
bool as_operations_list_get_range_from(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index);
bool as_operations_list_join(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_list_join_separator(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* separator);
bool as_operations_list_get_by_value(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, as_list_return_type return_type);
bool as_operations_list_get_by_value_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* begin, as_val* end, as_list_return_type return_type);
bool as_operations_list_get_by_value_list(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_list* values, as_list_return_type return_type);
bool as_operations_list_get_by_value_rel_rank_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, int64_t rank, as_list_return_type return_type);
bool as_operations_list_get_by_value_rel_rank_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_val* value, int64_t rank, uint64_t count, as_list_return_type return_type);
bool as_operations_list_get_by_index(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, as_list_return_type return_type);
bool as_operations_list_get_by_index_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, as_list_return_type return_type);
bool as_operations_list_get_by_index_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index, uint64_t count, as_list_return_type return_type);
bool as_operations_list_get_by_rank(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, as_list_return_type return_type);
bool as_operations_list_get_by_rank_range_to_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, as_list_return_type return_type);
bool as_operations_list_get_by_rank_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t rank, uint64_t count, as_list_return_type return_type);
bool as_operations_add_list_set_order(as_operations* ops, const char* name, as_list_order order);
bool as_operations_add_list_sort(as_operations* ops, const char* name, as_list_sort_flags flags);
bool as_operations_add_list_append(as_operations* ops, const char* name, as_val* val);
bool as_operations_add_list_append_with_policy(as_operations* ops, const char* name, as_list_policy* policy, as_val* val);
bool as_operations_add_list_append_int64(as_operations* ops, const char* name, int64_t value);
bool as_operations_add_list_append_double(as_operations* ops, const char* name, double value);
bool as_operations_add_list_append_str(as_operations* ops, const char* name, const char* value);
bool as_operations_add_list_append_raw(as_operations* ops, const char* name, const uint8_t* value, uint32_t size);
bool as_operations_add_list_append_items(as_operations* ops, const char* name, as_list* list);
bool as_operations_add_list_append_items_with_policy(as_operations* ops, const char* name, as_list_policy* policy, as_list* list);
bool as_operations_add_list_insert(as_operations* ops, const char* name, int64_t index, as_val* val);
bool as_operations_add_list_insert_with_policy(as_operations* ops, const char* name, as_list_policy* policy, int64_t index, as_val* val);
bool as_operations_add_list_insert_int64(as_operations* ops, const char* name, int64_t index, int64_t value);
bool as_operations_add_list_insert_double(as_operations* ops, const char* name, int64_t index, double value);
bool as_operations_add_list_insert_str(as_operations* ops, const char* name, int64_t index, const char* value);
bool as_operations_add_list_insert_raw(as_operations* ops, const char* name, int64_t index, const uint8_t* value, uint32_t size);
bool as_operations_add_list_insert_items(as_operations* ops, const char* name, int64_t index, as_list* list);
bool as_operations_add_list_insert_items_with_policy(as_operations* ops, const char* name, as_list_policy* policy, int64_t index, as_list* list);
bool as_operations_add_list_increment(as_operations* ops, const char* name, int64_t index, as_val* incr);
bool as_operations_add_list_increment_with_policy(as_operations* ops, const char* name, as_list_policy* policy, int64_t index, as_val* incr);
bool as_operations_add_list_set(as_operations* ops, const char* name, int64_t index, as_val* val);
bool as_operations_add_list_set_with_policy(as_operations* ops, const char* name, as_list_policy* policy, int64_t index, as_val* val);
bool as_operations_add_list_set_int64(as_operations* ops, const char* name, int64_t index, int64_t value);
bool as_operations_add_list_set_double(as_operations* ops, const char* name, int64_t index, double value);
bool as_operations_add_list_set_str(as_operations* ops, const char* name, int64_t index, const char* value);
bool as_operations_add_list_set_raw(as_operations* ops, const char* name, int64_t index, const uint8_t* value, uint32_t size);
bool as_operations_add_list_pop(as_operations* ops, const char* name, int64_t index);
bool as_operations_add_list_pop_range(as_operations* ops, const char* name, int64_t index, uint64_t count);
bool as_operations_add_list_pop_range_from(as_operations* ops, const char* name, int64_t index);
bool as_operations_add_list_remove(as_operations* ops, const char* name, int64_t index);
bool as_operations_add_list_remove_range(as_operations* ops, const char* name, int64_t index, uint64_t count);
bool as_operations_add_list_remove_range_from(as_operations* ops, const char* name, int64_t index);
bool as_operations_add_list_remove_by_value(as_operations* ops, const char* name, as_val* value, as_list_return_type return_type);
bool as_operations_add_list_remove_by_value_list(as_operations* ops, const char* name, as_list* values, as_list_return_type return_type);
bool as_operations_add_list_remove_by_value_range(as_operations* ops, const char* name, as_val* begin, as_val* end, as_list_return_type return_type);
bool as_operations_add_list_remove_by_value_rel_rank_range_to_end(as_operations* ops, const char* name, as_val* value, int64_t rank, as_list_return_type return_type);
bool as_operations_add_list_remove_by_value_rel_rank_range(as_operations* ops, const char* name, as_val* value, int64_t rank, uint64_t count, as_list_return_type return_type);
bool as_operations_add_list_remove_by_index(as_operations* ops, const char* name, int64_t index, as_list_return_type return_type);
bool as_operations_add_list_remove_by_index_range_to_end(as_operations* ops, const char* name, int64_t index, as_list_return_type return_type);
bool as_operations_add_list_remove_by_index_range(as_operations* ops, const char* name, int64_t index, uint64_t count, as_list_return_type return_type);
bool as_operations_add_list_remove_by_rank(as_operations* ops, const char* name, int64_t rank, as_list_return_type return_type);
bool as_operations_add_list_remove_by_rank_range_to_end(as_operations* ops, const char* name, int64_t rank, as_list_return_type return_type);
bool as_operations_add_list_remove_by_rank_range(as_operations* ops, const char* name, int64_t rank, uint64_t count, as_list_return_type return_type);
bool as_operations_add_list_trim(as_operations* ops, const char* name, int64_t index, uint64_t count);
bool as_operations_add_list_clear(as_operations* ops, const char* name);
bool as_operations_add_list_size(as_operations* ops, const char* name);
bool as_operations_add_list_get(as_operations* ops, const char* name, int64_t index);
bool as_operations_add_list_get_range(as_operations* ops, const char* name, int64_t index, uint64_t count);
bool as_operations_add_list_get_range_from(as_operations* ops, const char* name, int64_t index);
bool as_operations_add_list_get_by_value(as_operations* ops, const char* name, as_val* value, as_list_return_type return_type);
bool as_operations_add_list_get_by_value_range(as_operations* ops, const char* name, as_val* begin, as_val* end, as_list_return_type return_type);
bool as_operations_add_list_get_by_value_list(as_operations* ops, const char* name, as_list* values, as_list_return_type return_type);
bool as_operations_add_list_get_by_value_rel_rank_range_to_end(as_operations* ops, const char* name, as_val* value, int64_t rank, as_list_return_type return_type);
bool as_operations_add_list_get_by_value_rel_rank_range(as_operations* ops, const char* name, as_val* value, int64_t rank, uint64_t count, as_list_return_type return_type);
bool as_operations_add_list_get_by_index(as_operations* ops, const char* name, int64_t index, as_list_return_type return_type);
bool as_operations_add_list_get_by_index_range_to_end(as_operations* ops, const char* name, int64_t index, as_list_return_type return_type);
bool as_operations_add_list_get_by_index_range(as_operations* ops, const char* name, int64_t index, uint64_t count, as_list_return_type return_type);
bool as_operations_add_list_get_by_rank(as_operations* ops, const char* name, int64_t rank, as_list_return_type return_type);
bool as_operations_add_list_get_by_rank_range_to_end(as_operations* ops, const char* name, int64_t rank, as_list_return_type return_type);
bool as_operations_add_list_get_by_rank_range(as_operations* ops, const char* name, int64_t rank, uint64_t count, as_list_return_type return_type);

/* The CDT operation codes (the expression builders of as_exp.h put them in their tables). */
typedef enum {
    AS_CDT_OP_LIST_SET_TYPE, AS_CDT_OP_LIST_APPEND, AS_CDT_OP_LIST_APPEND_ITEMS,
    AS_CDT_OP_LIST_INSERT, AS_CDT_OP_LIST_INSERT_ITEMS, AS_CDT_OP_LIST_POP,
    AS_CDT_OP_LIST_POP_RANGE, AS_CDT_OP_LIST_REMOVE, AS_CDT_OP_LIST_REMOVE_RANGE,
    AS_CDT_OP_LIST_SET, AS_CDT_OP_LIST_TRIM, AS_CDT_OP_LIST_CLEAR, AS_CDT_OP_LIST_INCREMENT,
    AS_CDT_OP_LIST_SORT, AS_CDT_OP_LIST_SIZE, AS_CDT_OP_LIST_GET, AS_CDT_OP_LIST_GET_RANGE,
    AS_CDT_OP_LIST_GET_BY_INDEX, AS_CDT_OP_LIST_GET_BY_RANK, AS_CDT_OP_LIST_GET_ALL_BY_VALUE,
    AS_CDT_OP_LIST_GET_BY_VALUE_LIST, AS_CDT_OP_LIST_GET_BY_INDEX_RANGE,
    AS_CDT_OP_LIST_GET_BY_VALUE_INTERVAL, AS_CDT_OP_LIST_GET_BY_RANK_RANGE,
    AS_CDT_OP_LIST_GET_BY_VALUE_REL_RANK_RANGE, AS_CDT_OP_LIST_STRING_LIST_JOIN,
    AS_CDT_OP_LIST_REMOVE_BY_INDEX, AS_CDT_OP_LIST_REMOVE_BY_RANK,
    AS_CDT_OP_LIST_REMOVE_ALL_BY_VALUE, AS_CDT_OP_LIST_REMOVE_BY_VALUE_LIST,
    AS_CDT_OP_LIST_REMOVE_BY_INDEX_RANGE, AS_CDT_OP_LIST_REMOVE_BY_VALUE_INTERVAL,
    AS_CDT_OP_LIST_REMOVE_BY_RANK_RANGE, AS_CDT_OP_LIST_REMOVE_BY_VALUE_REL_RANK_RANGE, ...
} as_cdt_op_list;
