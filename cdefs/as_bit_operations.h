/* as_bit_operations.h: bit operations on blob bins (the C client packs them; buffers are copied). */
typedef enum as_bit_write_flags_e {
    AS_BIT_WRITE_DEFAULT, AS_BIT_WRITE_CREATE_ONLY, AS_BIT_WRITE_UPDATE_ONLY, AS_BIT_WRITE_NO_FAIL,
    AS_BIT_WRITE_PARTIAL, ...
} as_bit_write_flags;
typedef enum as_bit_resize_flags_e {
    AS_BIT_RESIZE_DEFAULT, AS_BIT_RESIZE_FROM_FRONT, AS_BIT_RESIZE_GROW_ONLY, AS_BIT_RESIZE_SHRINK_ONLY, ...
} as_bit_resize_flags;
typedef enum as_bit_overflow_action_e {
    AS_BIT_OVERFLOW_FAIL, AS_BIT_OVERFLOW_SATURATE, AS_BIT_OVERFLOW_WRAP, ...
} as_bit_overflow_action;

typedef struct as_bit_policy_s {
    uint64_t flags;
} as_bit_policy;

typedef enum {
    AS_BIT_OP_RESIZE, AS_BIT_OP_INSERT, AS_BIT_OP_REMOVE, AS_BIT_OP_SET, AS_BIT_OP_OR, AS_BIT_OP_XOR,
    AS_BIT_OP_AND, AS_BIT_OP_NOT, AS_BIT_OP_LSHIFT, AS_BIT_OP_RSHIFT, AS_BIT_OP_ADD, AS_BIT_OP_SUBTRACT,
    AS_BIT_OP_SET_INT, AS_BIT_OP_GET, AS_BIT_OP_COUNT, AS_BIT_OP_LSCAN, AS_BIT_OP_RSCAN,
    AS_BIT_OP_GET_INT, AS_BIT_OP_B64_ENCODE, ...
} as_bit_op;

bool as_bit_write(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, uint16_t command, int offset, uint32_t size);
bool as_bit_shift(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, uint16_t command, int bit_offset, uint32_t bit_size, uint32_t shift);
bool as_bit_math(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, uint16_t command, int bit_offset, uint32_t bit_size, uint64_t value, bool sign, as_bit_overflow_action action);
bool as_bit_byte_math(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, uint16_t command, int bit_offset, uint32_t bit_size, uint32_t value_size, uint8_t* value);
bool as_bit_read(as_operations* ops, const char* name, as_cdt_ctx* ctx, uint16_t command, int bit_offset, uint32_t bit_size);
bool as_bit_scan(as_operations* ops, const char* name, as_cdt_ctx* ctx, uint16_t command, int bit_offset, uint32_t bit_size, bool value);
void as_bit_policy_init(as_bit_policy* policy);
void as_bit_policy_set_write_flags(as_bit_policy* policy, as_bit_write_flags flags);
bool as_operations_bit_resize(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, uint32_t byte_size, as_bit_resize_flags flags);
bool as_operations_bit_insert(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int byte_offset, uint32_t value_byte_size, uint8_t* value);
bool as_operations_bit_remove(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int byte_offset, uint32_t byte_size);
bool as_operations_bit_set(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, uint32_t value_byte_size, uint8_t* value);
bool as_operations_bit_or(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, uint32_t value_byte_size, uint8_t* value);
bool as_operations_bit_xor(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, uint32_t value_byte_size, uint8_t* value);
bool as_operations_bit_and(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, uint32_t value_byte_size, uint8_t* value);
bool as_operations_bit_not(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size);
bool as_operations_bit_lshift(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, uint32_t shift);
bool as_operations_bit_rshift(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, uint32_t shift);
bool as_operations_bit_add(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, uint64_t value, bool sign, as_bit_overflow_action action);
bool as_operations_bit_subtract(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, uint64_t value, bool sign, as_bit_overflow_action action);
bool as_operations_bit_set_int(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_bit_policy* policy, int bit_offset, uint32_t bit_size, int64_t value);
bool as_operations_bit_get(as_operations* ops, const char* name, as_cdt_ctx* ctx, int bit_offset, uint32_t bit_size);
bool as_operations_bit_count(as_operations* ops, const char* name, as_cdt_ctx* ctx, int bit_offset, uint32_t bit_size);
bool as_operations_bit_lscan(as_operations* ops, const char* name, as_cdt_ctx* ctx, int bit_offset, uint32_t bit_size, bool value);
bool as_operations_bit_rscan(as_operations* ops, const char* name, as_cdt_ctx* ctx, int bit_offset, uint32_t bit_size, bool value);
bool as_operations_bit_get_int(as_operations* ops, const char* name, as_cdt_ctx* ctx, int bit_offset, uint32_t bit_size, bool sign);
bool as_operations_bit_b64_encode(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_bit_b64_encode_from(as_operations* ops, const char* name, as_cdt_ctx* ctx, int byte_offset);
bool as_operations_bit_b64_encode_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int byte_offset, int byte_size, bool invert_size);
