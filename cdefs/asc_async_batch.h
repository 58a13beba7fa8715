/* csrc/asc_async_batch.h: batch, info and transaction async commands into the asc_queue. */
#define ASC_BATCH_KEYS_GET ...
#define ASC_BATCH_KEYS_EXISTS ...
#define ASC_BATCH_KEYS_REMOVE ...
#define ASC_ROWS_FULL ...

as_status asc_async_batch(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
    bool write, const as_policy_batch* policy, as_batch_records* records,
    as_event_loop* event_loop);
as_status asc_async_batch_keys(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
    int kind, const as_policy_batch* policy, const uint8_t* keys, uint32_t size, uint32_t n,
    char** bin_names, uint32_t n_bins, int form, as_event_loop* event_loop);
as_status asc_async_info(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
    as_policy_info* policy, const char* node_name, const char* req, as_event_loop* event_loop);
as_status asc_async_txn_end(asc_instance* inst, asc_queue* q, uint64_t id, as_error* err,
    bool abort, bool along, as_txn* txn, as_event_loop* event_loop);
