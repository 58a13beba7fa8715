/* as_bytes.h (common module) */
typedef enum as_bytes_type_e {
    AS_BYTES_UNDEF, AS_BYTES_INTEGER, AS_BYTES_DOUBLE, AS_BYTES_STRING, AS_BYTES_BLOB,
    AS_BYTES_JAVA, AS_BYTES_CSHARP, AS_BYTES_PYTHON, AS_BYTES_RUBY, AS_BYTES_PHP,
    AS_BYTES_ERLANG, AS_BYTES_VECTOR, AS_BYTES_BOOL, AS_BYTES_HLL, AS_BYTES_MAP,
    AS_BYTES_LIST, AS_BYTES_GEOJSON, AS_BYTES_TYPE_MAX, ...
} as_bytes_type;

typedef struct as_bytes_s {
    as_val _;
    uint32_t capacity;
    uint32_t size;
    uint8_t* value;
    bool free;
    as_bytes_type type;
} as_bytes;

as_bytes* as_bytes_init(as_bytes* bytes, uint32_t capacity);
as_bytes* as_bytes_init_wrap(as_bytes* bytes, uint8_t* value, uint32_t size, bool free);
as_bytes* as_bytes_new(uint32_t capacity);
as_bytes* as_bytes_new_wrap(uint8_t* value, uint32_t size, bool free);
bool as_bytes_append(as_bytes* bytes, const uint8_t* value, uint32_t size);
