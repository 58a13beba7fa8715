/* as_key.h */
#define AS_DIGEST_VALUE_SIZE ...
#define AS_NAMESPACE_MAX_SIZE ...
#define AS_SET_MAX_SIZE ...

typedef char as_namespace[32];
typedef char as_set[64];
typedef uint8_t as_digest_value[20];

typedef struct as_digest_s {
    bool init;
    as_digest_value value;
} as_digest;

typedef union as_key_value_u {
    as_integer integer;
    as_string string;
    as_bytes bytes;
} as_key_value;

typedef struct as_key_s {
    bool _free;
    as_namespace ns;
    as_set set;
    as_key_value value;
    as_key_value* valuep;
    as_digest digest;
} as_key;

as_key* as_key_init(as_key* key, const char* ns, const char* set, const char* value);
as_key* as_key_init_int64(as_key* key, const char* ns, const char* set, int64_t value);
as_key* as_key_init_strp(as_key* key, const char* ns, const char* set, const char* value, bool free);
as_key* as_key_init_str(as_key* key, const char* ns, const char* set, const char* value);
as_key* as_key_init_rawp(as_key* key, const char* ns, const char* set, const uint8_t* value, uint32_t size, bool free);
as_key* as_key_init_raw(as_key* key, const char* ns, const char* set, const uint8_t* value, uint32_t size);
as_key* as_key_init_digest(as_key* key, const char* ns, const char* set, const as_digest_value digest);
as_key* as_key_init_value(as_key* key, const char* ns, const char* set, const as_key_value* value);
void as_key_destroy(as_key* key);
as_digest* as_key_digest(as_key* key);
as_status as_key_set_digest(as_error* err, as_key* key);
