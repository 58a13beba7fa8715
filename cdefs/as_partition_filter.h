/* as_partition_filter.h: which partitions a scan/query reads, and their progress. */
typedef struct as_partition_status_s {
    uint16_t part_id;
    uint8_t replica_index;
    bool retry;
    as_digest digest;
    uint64_t bval;
    as_node* node;
} as_partition_status;

typedef struct as_partitions_status_s {
    uint32_t ref_count;
    uint16_t part_begin;
    uint16_t part_count;
    bool done;
    bool retry;
    ...;
} as_partitions_status;

typedef struct as_partition_filter_s {
    uint16_t begin;
    uint16_t count;
    as_digest digest;
    as_partitions_status* parts_all;
} as_partition_filter;

void as_partition_filter_set_all(as_partition_filter* pf);
void as_partition_filter_set_id(as_partition_filter* pf, uint32_t part_id);
void as_partition_filter_set_after(as_partition_filter* pf, as_digest* digest);
void as_partition_filter_set_range(as_partition_filter* pf, uint32_t begin, uint32_t count);
void as_partition_filter_set_partitions(as_partition_filter* pf, as_partitions_status* parts_all);
as_partitions_status* as_partitions_status_reserve(as_partitions_status* parts_all);
void as_partitions_status_release(as_partitions_status* parts_all);
