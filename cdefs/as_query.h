/* as_query.h: what a secondary-index query reads: bins, predicates (where), UDF, limits. */
typedef enum as_predicate_type_e { AS_PREDICATE_EQUAL, AS_PREDICATE_RANGE, ... } as_predicate_type;
typedef enum as_order_e { AS_ORDER_ASCENDING, AS_ORDER_DESCENDING, ... } as_order;

typedef struct as_query_bins_s {
    bool _free;
    uint16_t capacity;
    uint16_t size;
    as_bin_name* entries;
} as_query_bins;

typedef struct as_predicate_s {
    char index_name[...];
    as_bin_name bin;
    struct as_cdt_ctx* ctx;
    uint32_t ctx_size;
    as_predicate_type type;
    as_index_datatype dtype;
    as_index_type itype;
    ...;
} as_predicate;

typedef struct as_query_predicates_s {
    bool _free;
    uint16_t capacity;
    uint16_t size;
    as_predicate* entries;
} as_query_predicates;

typedef struct as_query_s {
    as_namespace ns;
    as_set set;
    as_query_bins select;
    as_query_predicates where;
    as_udf_call apply;
    as_operations* ops;
    as_partitions_status* parts_all;
    uint64_t max_records;
    uint32_t records_per_second;
    uint32_t ttl;
    bool paginate;
    bool no_bins;
    ...;
} as_query;

as_query* as_query_init(as_query* query, const char* ns, const char* set);
void as_query_destroy(as_query* query);
bool as_query_select_init(as_query* query, uint16_t n);
bool as_query_select(as_query* query, const char* bin);
bool as_query_where_init(as_query* query, uint16_t n);
bool as_query_where(as_query* query, const char* bin, as_predicate_type type, as_index_type itype,
    as_index_datatype dtype, ...);
bool as_query_apply(as_query* query, const char* module, const char* function,
    const as_list* arglist);
void as_query_set_paginate(as_query* query, bool paginate);
bool as_query_is_done(as_query* query);
void as_query_set_partitions(as_query* query, as_partitions_status* parts_all);
bool as_query_to_bytes(const as_query* query, uint8_t** bytes, uint32_t* bytes_size);
bool as_query_from_bytes(as_query* query, const uint8_t* bytes, uint32_t bytes_size);
bool as_query_compare(as_query* a, as_query* b);
bool as_query_where_with_ctx(as_query* query, const char* bin, struct as_cdt_ctx* ctx,
    as_predicate_type type, as_index_type itype, as_index_datatype dtype, ...);
bool as_query_where_with_exp(as_query* query, struct as_exp* exp, as_predicate_type type,
    as_index_type itype, as_index_datatype dtype, ...);
bool as_query_where_with_index_name(as_query* query, const char* index_name,
    as_predicate_type type, as_index_type itype, as_index_datatype dtype, ...);
