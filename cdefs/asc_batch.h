/* csrc/asc_batch.h: batch results and scan/query records as one msgpack buffer (it says why). */
uint8_t* asc_batch_results_to_msgpack(const as_batch_result* results, uint32_t n, uint32_t* size);
uint8_t* asc_batch_records_to_msgpack(const as_batch_records* records, uint32_t* size);
bool asc_batch_init(as_batch* batch, uint32_t size);
uint32_t asc_batch_set_keys(as_batch* batch, const uint8_t* buf, uint32_t size);
typedef struct asc_scan_chunker_s asc_scan_chunker;
extern "Python" bool asc_scan_chunk_to_python(void* udata, const uint8_t* buffer, uint32_t size,
    uint32_t count, int status);
asc_scan_chunker* asc_scan_chunker_new(void* udata, uint32_t chunk);
void asc_scan_chunker_free(asc_scan_chunker* c);
void asc_scan_chunker_finish(asc_scan_chunker* c);
bool asc_scan_chunk_callback(const as_val* v, void* udata);
/* Lean row forms of a key-list batch read (csrc/asc_batch.h says why). */
#define ASC_ROWS_RECORDS ...
#define ASC_ROWS_BINS ...
int asc_batch_export(const char* name);
