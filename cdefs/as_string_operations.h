/* as_string_operations.h: server 8.2 string operations (as_string_policy, write/regex flags). */
typedef enum as_string_write_flags_e {
    AS_STRING_WRITE_FLAGS_DEFAULT, AS_STRING_WRITE_FLAGS_CREATE_ONLY, AS_STRING_WRITE_FLAGS_UPDATE_ONLY,
    AS_STRING_WRITE_FLAGS_NO_FAIL, ...
} as_string_write_flags;

typedef struct as_string_policy_s {
    as_string_write_flags flags;
} as_string_policy;

typedef enum as_string_numeric_type_e {
    AS_STRING_NUMERIC_ANY, AS_STRING_NUMERIC_INT, AS_STRING_NUMERIC_FLOAT, ...
} as_string_numeric_type;

typedef enum as_string_regex_flags_e {
    AS_STRING_REGEX_FLAGS_NONE, AS_STRING_REGEX_FLAGS_CASE_INSENSITIVE, AS_STRING_REGEX_FLAGS_MULTILINE,
    AS_STRING_REGEX_FLAGS_DOTALL, AS_STRING_REGEX_FLAGS_UNIX_LINES, AS_STRING_REGEX_FLAGS_GLOBAL, ...
} as_string_regex_flags;

typedef enum as_string_op_e {
    AS_STRING_OP_STRLEN, AS_STRING_OP_SUBSTR, AS_STRING_OP_CHAR_AT, AS_STRING_OP_FIND,
    AS_STRING_OP_CONTAINS, AS_STRING_OP_STARTS_WITH, AS_STRING_OP_ENDS_WITH, AS_STRING_OP_TO_INTEGER,
    AS_STRING_OP_TO_DOUBLE, AS_STRING_OP_BYTE_LENGTH, AS_STRING_OP_IS_NUMERIC, AS_STRING_OP_IS_UPPER,
    AS_STRING_OP_IS_LOWER, AS_STRING_OP_TO_BLOB, AS_STRING_OP_SPLIT, AS_STRING_OP_B64_DECODE,
    AS_STRING_OP_REGEX_COMPARE, AS_STRING_OP_INSERT, AS_STRING_OP_OVERWRITE, AS_STRING_OP_CONCAT,
    AS_STRING_OP_SNIP, AS_STRING_OP_REPLACE, AS_STRING_OP_REPLACE_ALL, AS_STRING_OP_UPPER,
    AS_STRING_OP_LOWER, AS_STRING_OP_CASE_FOLD, AS_STRING_OP_NORMALIZE_NFC, AS_STRING_OP_TRIM_START,
    AS_STRING_OP_TRIM_END, AS_STRING_OP_TRIM, AS_STRING_OP_PAD_START, AS_STRING_OP_PAD_END,
    AS_STRING_OP_REPEAT, AS_STRING_OP_REGEX_REPLACE, AS_STRING_OP_APPEND, AS_STRING_OP_PREPEND,
    ...
} as_string_op;

void as_string_policy_init(as_string_policy* policy);
void as_string_policy_set(as_string_policy* policy, as_string_write_flags flags);
bool as_operations_string_strlen(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_substr(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t start);
bool as_operations_string_substr_range(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t start, int64_t end);
bool as_operations_string_char_at(as_operations* ops, const char* name, as_cdt_ctx* ctx, int64_t index);
bool as_operations_string_find(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* needle);
bool as_operations_string_find_occurrence(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* needle, int64_t occurrence);
bool as_operations_string_contains(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* needle);
bool as_operations_string_starts_with(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* prefix);
bool as_operations_string_ends_with(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* suffix);
bool as_operations_string_to_integer(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_to_double(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_byte_length(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_is_numeric(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_is_numeric_type(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_numeric_type numeric_type);
bool as_operations_string_is_upper(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_is_lower(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_to_blob(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_split(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_split_separator(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* separator);
bool as_operations_string_b64_decode(as_operations* ops, const char* name, as_cdt_ctx* ctx);
bool as_operations_string_regex_compare(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* pattern);
bool as_operations_string_regex_compare_flags(as_operations* ops, const char* name, as_cdt_ctx* ctx, const char* pattern, as_string_regex_flags flags);
bool as_operations_string_insert(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, int64_t index, const char* value);
bool as_operations_string_overwrite(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, int64_t index, const char* value);
bool as_operations_string_concat(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, const char* value);
bool as_operations_string_concat_list(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, as_list* values);
bool as_operations_string_append(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, const char* value);
bool as_operations_string_prepend(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, const char* value);
bool as_operations_string_snip_start(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, int64_t start);
bool as_operations_string_snip(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, int64_t start, int64_t end);
bool as_operations_string_replace(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, const char* needle, const char* replacement);
bool as_operations_string_replace_all(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, const char* needle, const char* replacement);
bool as_operations_string_upper(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy);
bool as_operations_string_lower(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy);
bool as_operations_string_case_fold(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy);
bool as_operations_string_normalize_nfc(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy);
bool as_operations_string_trim_start(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy);
bool as_operations_string_trim_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy);
bool as_operations_string_trim(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy);
bool as_operations_string_pad_start(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, uint64_t target_length, const char* pad_string);
bool as_operations_string_pad_end(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, uint64_t target_length, const char* pad_string);
bool as_operations_string_repeat(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, uint64_t count);
bool as_operations_string_regex_replace(as_operations* ops, const char* name, as_cdt_ctx* ctx, as_string_policy* policy, const char* pattern, const char* replacement, as_string_regex_flags flags);
bool as_operations_to_string(as_operations* ops, const char* name);
