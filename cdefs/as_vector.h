/* as_vector.h (common module): the growable array behind config hosts and rack ids. */
typedef struct as_vector_s {
    void* list;
    uint32_t capacity;
    uint32_t size;
    uint32_t item_size;
    uint32_t flags;
} as_vector;

void as_vector_init(as_vector* vector, uint32_t item_size, uint32_t capacity);
void as_vector_destroy(as_vector* vector);
void as_vector_append(as_vector* vector, void* value);
