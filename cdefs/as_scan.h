/* as_scan.h: what a scan reads (namespace, set, bins) and how (concurrency, pagination). */
typedef enum as_scan_status_e {
    AS_SCAN_STATUS_UNDEF, AS_SCAN_STATUS_INPROGRESS, AS_SCAN_STATUS_ABORTED,
    AS_SCAN_STATUS_COMPLETED, ...
} as_scan_status;

typedef struct as_scan_info_s {
    as_scan_status status;
    uint32_t progress_pct;
    uint32_t records_scanned;
} as_scan_info;

typedef struct as_scan_bins_s {
    as_bin_name* entries;
    uint16_t capacity;
    uint16_t size;
    bool _free;
} as_scan_bins;

typedef struct as_scan_s {
    as_namespace ns;
    as_set set;
    as_scan_bins select;
    as_udf_call apply_each;
    as_operations* ops;
    as_partitions_status* parts_all;
    uint32_t ttl;
    bool paginate;
    bool no_bins;
    bool concurrent;
    bool deserialize_list_map;
    ...;
} as_scan;

as_scan* as_scan_init(as_scan* scan, const char* ns, const char* set);
void as_scan_destroy(as_scan* scan);
bool as_scan_select_init(as_scan* scan, uint16_t n);
bool as_scan_select(as_scan* scan, const char* bin);
bool as_scan_set_nobins(as_scan* scan, bool nobins);
bool as_scan_set_concurrent(as_scan* scan, bool concurrent);
bool as_scan_apply_each(as_scan* scan, const char* module, const char* function, as_list* arglist);
void as_scan_set_paginate(as_scan* scan, bool paginate);
bool as_scan_is_done(as_scan* scan);
void as_scan_set_partitions(as_scan* scan, as_partitions_status* parts_all);
bool as_scan_to_bytes(const as_scan* scan, uint8_t** bytes, uint32_t* bytes_size);
bool as_scan_from_bytes(as_scan* scan, const uint8_t* bytes, uint32_t bytes_size);
bool as_scan_compare(as_scan* a, as_scan* b);
