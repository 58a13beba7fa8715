/* as_map.h (common module): the map interface (every map the C client builds is an as_orderedmap). */
#define AS_MAP_FLAGS_MASK ...
struct as_map_hooks_s;

typedef struct as_map_s {
    as_val _;
    uint32_t flags;
    const struct as_map_hooks_s* hooks;
} as_map;

uint32_t as_map_size(const as_map* map);
as_val* as_map_get(const as_map* map, const as_val* key);
int as_map_set(as_map* map, const as_val* key, const as_val* val);
