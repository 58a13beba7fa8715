"""aerospike_txn.h: commit or abort a multi-record transaction.

    status = aerospike_commit(as_, txn)    # aerospike_commit(&as, &err, &txn, &status)
    status = aerospike_abort(as_, txn)     # aerospike_abort(&as, &err, &txn, &status)

Each returns its as_commit_status / as_abort_status. A failure raises the AerospikeError C
reports (TransactionError for the TXN_* and MRT_* codes; `in_doubt` as C set it), carrying
the status C returned as `commit_status` / `abort_status` (AS_COMMIT_VERIFY_FAILED,
AS_COMMIT_MARK_ROLL_FORWARD_ABANDONED, AS_ABORT_COMMIT_FAILED ...). The transaction's own
state (`txn.state`, `txn.in_doubt`) follows C: a commit whose verify failed leaves it
ABORTED; one whose mark failed in doubt COMMIT_FAILED (retry the commit; abort is refused).
"""
from __future__ import annotations

from typing import Any

from .._aerospike import ffi, lib
from ._cstruct import c_enum
from .aerospike import aerospike, using
from .as_error import error_from_c, new_error
from ._calls import owned_arg
from .as_txn import as_txn

__all__ = ["aerospike_commit", "aerospike_abort"]


def _run(name: str, as_: aerospike, txn: Any, status_type: str, attribute: str) -> Any:
    checked = owned_arg(txn, as_txn, name)
    err = new_error()
    out = ffi.new(f"{status_type}*")
    with checked._use(name) as txn_ptr, using(as_, name, connected=True) as ptr:
        status = getattr(lib, name)(ptr, err, txn_ptr, out)
    result = c_enum(status_type)(out[0])
    if status != 0:
        error = error_from_c(err, status)
        setattr(error, attribute, result)
        raise error
    return result


def aerospike_commit(as_: aerospike, txn: as_txn) -> Any:
    """aerospike_commit(): verify the reads, then roll the writes forward; returns the
    as_commit_status (AS_COMMIT_OK, or how far the client got once the server decided)."""
    return _run("aerospike_commit", as_, txn, "as_commit_status", "commit_status")


def aerospike_abort(as_: aerospike, txn: as_txn) -> Any:
    """aerospike_abort(): roll the writes back; returns the as_abort_status."""
    return _run("aerospike_abort", as_, txn, "as_abort_status", "abort_status")
