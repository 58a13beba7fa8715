/* as_list.h (common module): the list interface (every list the C client builds is an as_arraylist). */
struct as_list_hooks_s;

typedef struct as_list_s {
    as_val _;
    uint32_t flags;
    const struct as_list_hooks_s* hooks;
} as_list;

uint32_t as_list_size(const as_list* list);
as_val* as_list_get(const as_list* list, uint32_t i);
int as_list_append(as_list* list, as_val* value);
