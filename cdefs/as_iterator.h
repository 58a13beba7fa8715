/* as_iterator.h (common module): the header of every iterator (embedded in as_orderedmap_iterator). */
struct as_iterator_hooks_s;

typedef struct as_iterator_s {
    bool free;
    void* data;
    const struct as_iterator_hooks_s* hooks;
} as_iterator;
