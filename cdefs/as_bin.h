/* as_bin.h */
#define AS_BIN_NAME_MAX_SIZE ...
#define AS_BIN_NAME_MAX_LEN ...

typedef char as_bin_name[16];

typedef union as_bin_value_s {
    as_val nil;
    as_boolean boolean;
    as_integer integer;
    as_double dbl;
    as_string string;
    as_bytes bytes;
    as_list list;
    as_map map;
} as_bin_value;

typedef struct as_bin_s {
    as_bin_name name;
    as_bin_value value;
    as_bin_value* valuep;
} as_bin;

typedef struct as_bins_s {
    as_bin* entries;
    uint16_t capacity;
    uint16_t size;
    bool _free;
} as_bins;
