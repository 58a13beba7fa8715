/* as_record.h */
#define AS_RECORD_DEFAULT_TTL ...
#define AS_RECORD_NO_EXPIRE_TTL ...
#define AS_RECORD_NO_CHANGE_TTL ...
#define AS_RECORD_CLIENT_DEFAULT_TTL ...

typedef struct as_record_s {
    as_rec _;
    as_key key;
    uint16_t gen;
    uint32_t ttl;
    as_bins bins;
} as_record;

as_record* as_record_new(uint16_t nbins);
as_record* as_record_init(as_record* rec, uint16_t nbins);
void as_record_destroy(as_record* rec);
uint16_t as_record_numbins(const as_record* rec);
bool as_record_set(as_record* rec, const char* name, as_bin_value* value);
bool as_record_set_bool(as_record* rec, const char* name, bool value);
bool as_record_set_int64(as_record* rec, const char* name, int64_t value);
bool as_record_set_double(as_record* rec, const char* name, double value);
bool as_record_set_strp(as_record* rec, const char* name, const char* value, bool free);
bool as_record_set_geojson_strp(as_record* rec, const char* name, const char* value, bool free);
bool as_record_set_rawp(as_record* rec, const char* name, const uint8_t* value, uint32_t size, bool free);
bool as_record_set_raw_typep(as_record* rec, const char* name, const uint8_t* value, uint32_t size, as_bytes_type type, bool free);
bool as_record_set_list(as_record* rec, const char* name, as_list* value);
bool as_record_set_map(as_record* rec, const char* name, as_map* value);
bool as_record_set_nil(as_record* rec, const char* name);
as_bin_value* as_record_get(const as_record* rec, const char* name);
as_val* as_record_get_udf_result(const as_record* rec);
char* as_record_get_udf_error(const as_record* rec);
