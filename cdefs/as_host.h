/* as_host.h */
typedef struct as_host_s {
    char* name;
    char* tls_name;
    uint16_t port;
} as_host;
