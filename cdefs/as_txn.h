/* as_txn.h: a multi-record transaction (its id, state, deadline and read/write key sets). */
#define AS_TXN_READ_CAPACITY_DEFAULT ...
#define AS_TXN_WRITE_CAPACITY_DEFAULT ...

typedef enum {
    AS_TXN_STATE_OPEN, AS_TXN_STATE_VERIFIED, AS_TXN_STATE_COMMITTED, AS_TXN_STATE_ABORTED,
    AS_TXN_STATE_COMMIT_FAILED, ...
} as_txn_state;

typedef struct as_txn_key {
    as_digest_value digest;
    char set[64];
    uint64_t version;
    ...;
} as_txn_key;

typedef struct {
    uint32_t n_eles;
    uint32_t n_rows;
    ...;
} as_txn_hash;

typedef struct as_txn {
    uint64_t id;
    as_namespace ns;
    as_txn_hash reads;
    as_txn_hash writes;
    uint32_t timeout;
    uint32_t deadline;
    as_txn_state state;
    bool write_in_doubt;
    bool in_doubt;
    bool free;
    ...;
} as_txn;

void as_txn_init(as_txn* txn);
void as_txn_init_capacity(as_txn* txn, uint32_t reads_capacity, uint32_t writes_capacity);
as_txn* as_txn_create(void);
as_txn* as_txn_create_capacity(uint32_t reads_capacity, uint32_t writes_capacity);
void as_txn_destroy(as_txn* txn);
void as_txn_set_timeout(as_txn* txn, uint32_t timeout);
uint32_t as_txn_reads_size(as_txn* txn);
uint32_t as_txn_writes_size(as_txn* txn);
uint64_t as_txn_get_read_version(as_txn* txn, const uint8_t* digest);
bool as_txn_writes_contain(as_txn* txn, const as_key* key);
as_status as_txn_verify_command(as_txn* txn, as_error* err);
bool as_txn_close_monitor(as_txn* txn);
bool as_txn_monitor_exists(as_txn* txn);
