/* csrc/asc_udf.h: the embedded server runs a record UDF with mod-lua (it says why). */
#define ASC_UDF_NONE ...
#define ASC_UDF_WRITE ...
#define ASC_UDF_REMOVE ...
#define ASC_UDF_FAILED ...
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
int asc_udf_apply_record(asc_udf_record* meta, const uint8_t* bins, uint32_t bins_size, uint32_t n_bins,
    const char* module, const char* source, uint32_t source_size, const char* function,
    const uint8_t* args, uint32_t args_size, uint32_t time_limit_ms);
void asc_udf_record_free(asc_udf_record* meta);
