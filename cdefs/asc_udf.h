/* csrc/asc_udf.h: the embedded server runs record and stream UDFs with mod-lua (it says why). */
#define ASC_UDF_NONE ...
#define ASC_UDF_WRITE ...
#define ASC_UDF_REMOVE ...
#define ASC_UDF_FAILED ...
#define ASC_UDF_STREAM_HEADER ...
typedef struct {
    bool exists;
    uint32_t ttl;
    uint16_t gen;
    uint64_t last_update_time;
    char setname[64];
    uint8_t digest[20];
    int action;
    bool ttl_set;
    uint32_t new_ttl;
    bool drop_key;
    uint8_t* bins;
    uint32_t bins_size;
    uint32_t n_bins;
    uint8_t* reply;
    uint32_t reply_size;
} asc_udf_record;
typedef struct {
    uint8_t* values;
    uint32_t values_size;
    uint32_t n_values;
    uint8_t* failure;
    uint32_t failure_size;
    ...;
} asc_udf_stream;
int asc_udf_apply_record(asc_udf_record* meta, const uint8_t* bins, uint32_t bins_size, uint32_t n_bins,
    const char* module, const char* source, uint32_t source_size, const char* function,
    const uint8_t* args, uint32_t args_size, uint32_t time_limit_ms);
void asc_udf_record_free(asc_udf_record* meta);
int asc_udf_apply_stream(asc_udf_stream* st, const uint8_t* records, uint32_t records_size,
    const char* module, const char* source, uint32_t source_size, const char* function,
    const uint8_t* args, uint32_t args_size, uint32_t time_limit_ms);
void asc_udf_stream_free(asc_udf_stream* st);
void asc_udf_cache_clear(void);
uint32_t asc_udf_cache_idle(void);
