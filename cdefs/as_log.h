/* as_log.h (common module) */
typedef enum as_log_level_e {
    AS_LOG_LEVEL_ERROR,
    AS_LOG_LEVEL_WARN,
    AS_LOG_LEVEL_INFO,
    AS_LOG_LEVEL_DEBUG,
    AS_LOG_LEVEL_TRACE,
    ...
} as_log_level;

typedef bool (*as_log_callback)(as_log_level level, const char* func, const char* file,
    uint32_t line, const char* fmt, ...);

void as_log_set_level(as_log_level level);
void as_log_set_callback(as_log_callback callback);
const char* as_log_level_tostring(as_log_level level);

typedef struct as_log_s {
    as_log_level level;
    bool callback_set;
    as_log_callback callback;
    ...;
} as_log;

extern as_log g_as_log;
