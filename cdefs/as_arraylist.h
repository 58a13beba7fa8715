/* as_arraylist.h (common module) */
typedef struct as_arraylist_s {
    as_list _;
    uint32_t block_size;
    uint32_t capacity;
    uint32_t size;
    as_val** elements;
    bool free;
} as_arraylist;

as_arraylist* as_arraylist_new(uint32_t capacity, uint32_t block_size);
void as_arraylist_destroy(as_arraylist* list);
uint32_t as_arraylist_size(const as_arraylist* list);
as_val* as_arraylist_get(const as_arraylist* list, uint32_t index);
int as_arraylist_append(as_arraylist* list, as_val* value);
int as_arraylist_append_int64(as_arraylist* list, int64_t value);
int as_arraylist_append_double(as_arraylist* list, double value);
