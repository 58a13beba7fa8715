/* as_orderedmap.h (common module): entries sorted by key; iterator_init merges pending entries into table. */
typedef struct map_entry_s {
    as_val* key;
    as_val* value;
} map_entry;

typedef struct as_orderedmap_s {
    as_map _;
    uint32_t count;
    uint32_t capacity;
    map_entry* table;
    uint32_t hold_count;
    ...;
} as_orderedmap;

typedef struct as_orderedmap_iterator_s {
    as_iterator _;
    const as_orderedmap* map;
    uint32_t ix;
    as_pair pair;
} as_orderedmap_iterator;

as_orderedmap* as_orderedmap_new(uint32_t capacity);
void as_orderedmap_destroy(as_orderedmap* map);
uint32_t as_orderedmap_size(const as_orderedmap* map);
int as_orderedmap_set(as_orderedmap* map, const as_val* key, const as_val* val);
void as_orderedmap_set_flags(as_orderedmap* map, uint32_t flags);
as_orderedmap_iterator* as_orderedmap_iterator_init(as_orderedmap_iterator* it, const as_orderedmap* map);
