/* as_string.h (common module): len is SIZE_MAX until as_string_len() computes it. */
typedef struct as_string_s {
    as_val _;
    bool free;
    char* value;
    size_t len;
} as_string;

as_string* as_string_init(as_string* string, char* value, bool free);
as_string* as_string_init_wlen(as_string* string, char* value, size_t len, bool free);
as_string* as_string_new(char* value, bool free);
as_string* as_string_new_wlen(char* value, size_t len, bool free);
as_string* as_string_new_strdup(const char* value);
size_t as_string_len(as_string* string);
