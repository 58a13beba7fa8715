/* as_batch.h: a list of keys for the batch calls, and the result of one of them. */
typedef struct as_batch_s {
    struct {
        as_key* entries;
        uint32_t size;
        bool _free;
    } keys;
    bool _free;
} as_batch;

typedef struct as_batch_result_s {
    const as_key* key;
    as_record record;
    as_status result;
    uint32_t subcode;
    char* message;
    bool in_doubt;
} as_batch_result;

as_batch* as_batch_init(as_batch* batch, uint32_t size);
void as_batch_destroy(as_batch* batch);
as_key* as_batch_keyat(const as_batch* batch, uint32_t i);
