/* as_udf.h: a UDF call (module, function, arguments), UDF files and the UDF type. */
#define AS_UDF_MODULE_MAX_SIZE ...
#define AS_UDF_FUNCTION_MAX_SIZE ...
#define AS_UDF_FILE_NAME_SIZE ...
#define AS_UDF_FILE_HASH_SIZE ...

typedef char as_udf_module_name[...];
typedef char as_udf_function_name[...];

typedef struct as_udf_call_s {
    as_udf_module_name module;
    as_udf_function_name function;
    as_list* arglist;
    ...;
} as_udf_call;

typedef enum as_udf_type_e { AS_UDF_TYPE_LUA, ... } as_udf_type;

typedef struct as_udf_file_s {
    char name[...];
    struct {
        uint8_t* bytes;
        uint32_t capacity;
        uint32_t size;
        bool _free;
    } content;
    as_udf_type type;
    uint8_t hash[...];
    ...;
} as_udf_file;

typedef struct as_udf_files_s {
    as_udf_file* entries;
    uint32_t capacity;
    uint32_t size;
    ...;
} as_udf_files;

as_udf_file* as_udf_file_init(as_udf_file* file);
void as_udf_file_destroy(as_udf_file* file);
as_udf_files* as_udf_files_init(as_udf_files* files, uint32_t capacity);
void as_udf_files_destroy(as_udf_files* files);
