/* as_val.h (common module): the base of every value the C client stores or sends. */
typedef uint8_t as_val_t;

typedef enum {
    AS_UNDEF, AS_NIL, AS_BOOLEAN, AS_INTEGER, AS_STRING, AS_LIST, AS_MAP, AS_REC, AS_PAIR,
    AS_BYTES, AS_DOUBLE, AS_GEOJSON, AS_CMP_EXT, AS_CMP_WILDCARD, AS_CMP_INF, AS_VAL_T_MAX, ...
} as_val_type_e;

typedef struct as_val_s {
    uint32_t count;
    as_val_t type;
    bool free;
} as_val;

bool as_val_tobool(const as_val* v);
as_val* as_val_val_reserve(as_val* v);
as_val* as_val_val_destroy(as_val* v);
uint32_t as_val_val_hashcode(const as_val* v);
char* as_val_val_tostring(const as_val* v);
