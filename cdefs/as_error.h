/* as_error.h */
#define AS_ERROR_MESSAGE_MAX_SIZE ...

typedef struct as_error_s {
    as_status code;
    uint32_t subcode;
    char message[...];
    const char* func;
    const char* file;
    uint32_t line;
    bool in_doubt;
} as_error;

const char* as_error_string(as_status status);
as_error* as_error_init(as_error* err);
