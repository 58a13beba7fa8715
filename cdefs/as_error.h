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
as_status as_error_reset(as_error* err);
as_status as_error_setall(as_error* err, as_status code, const char* message, const char* func,
    const char* file, uint32_t line);
void as_error_set_in_doubt(as_error* err, bool is_read, uint32_t command_sent_counter);
void as_error_copy(as_error* trg, const as_error* src);
void as_error_append(as_error* err, const char* str);
