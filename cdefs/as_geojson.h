/* as_geojson.h (common module): a GeoJSON text, stored by the server as a geo particle. */
typedef struct as_geojson_s {
    as_val _;
    bool free;
    char* value;
    size_t len;
} as_geojson;

as_geojson* as_geojson_init_wlen(as_geojson* string, char* value, size_t len, bool free);
as_geojson* as_geojson_new_wlen(char* value, size_t len, bool free);
as_geojson* as_geojson_new_strdup(const char* value);
size_t as_geojson_len(as_geojson* string);
