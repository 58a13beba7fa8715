/* aerospike_txn.h: commit or abort a multi-record transaction. */
typedef enum {
    AS_COMMIT_OK, AS_COMMIT_ALREADY_COMMITTED, AS_COMMIT_ALREADY_ABORTED, AS_COMMIT_VERIFY_FAILED,
    AS_COMMIT_MARK_ROLL_FORWARD_ABANDONED, AS_COMMIT_ROLL_FORWARD_ABANDONED,
    AS_COMMIT_CLOSE_ABANDONED, ...
} as_commit_status;

typedef enum {
    AS_ABORT_OK, AS_ABORT_ALREADY_ABORTED, AS_ABORT_ALREADY_COMMITTED,
    AS_ABORT_ROLL_BACK_ABANDONED, AS_ABORT_CLOSE_ABANDONED, AS_ABORT_COMMIT_FAILED, ...
} as_abort_status;

as_status aerospike_commit(aerospike* as, as_error* err, as_txn* txn,
    as_commit_status* commit_status);
as_status aerospike_abort(aerospike* as, as_error* err, as_txn* txn,
    as_abort_status* abort_status);
