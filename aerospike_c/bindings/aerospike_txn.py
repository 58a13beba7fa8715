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

from typing import Any, Callable, Optional

from .._aerospike import ffi, lib
from ._cstruct import c_enum
from .aerospike import aerospike, using
from .as_error import error_from_c, new_error
from ._calls import owned_arg
from .as_txn import as_txn
from .aerospike import _instance
from .as_event import loop_ptr
from ._async import Hold, listen

__all__ = ["aerospike_commit", "aerospike_abort", "aerospike_commit_async", "aerospike_abort_async"]


def _run(name: str, as_: aerospike, txn: Any, status_type: str, attribute: str) -> Any:
    checked = owned_arg(txn, as_txn, name)
    err = new_error()
    out = ffi.new(f"{status_type}*")
    # One commit or abort of a transaction at a time: C reads and sets txn->state without a
    # lock, so a commit and an abort from two threads could both go ahead (the one
    # transaction rolled forward and back); the later one now sees the state the first left.
    with checked._ending, checked._use(name) as txn_ptr, \
            using(as_, name, connected=True) as ptr:
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


TxnListener = Callable[[Optional[Exception], Any, Any, Any], Any]
#: What aerospike_commit_async/_abort_async return from the transaction's state, before
#: sending anything (after other errors C may still be running a verify or roll-back).
_STATE_ERRORS = frozenset((lib.AEROSPIKE_TXN_ALREADY_ABORTED, lib.AEROSPIKE_TXN_ALREADY_COMMITTED,
                           lib.AEROSPIKE_TXN_FAILED))


def _run_async(name: str, abort: bool, as_: aerospike, txn: Any, status_type: str,
               listener: TxnListener, udata: Any, event_loop: Any) -> None:
    checked = owned_arg(txn, as_txn, name)
    instance = _instance(as_)
    c_loop = loop_ptr(event_loop, name)
    status_enum = c_enum(status_type)
    hold = Hold(checked, name)
    listen(instance, name, listener, udata, c_loop, lambda item, failed: status_enum(item.gen),
           lib.asc_async_txn_end, abort, False, hold.ptr, holds=[hold], unsent=_STATE_ERRORS)


def aerospike_commit_async(as_: aerospike, txn: as_txn, listener: TxnListener,
                           udata: Any = None, event_loop: Any = None) -> None:
    """aerospike_commit_async(): commit on an event loop; listener(err, status, udata,
    event_loop) runs once on the dispatcher thread with the as_commit_status (also with an
    error: how far the client got). The transaction is in use until then (as_txn_destroy
    raises LifecycleError)."""
    _run_async("aerospike_commit_async", False, as_, txn, "as_commit_status", listener, udata,
               event_loop)


def aerospike_abort_async(as_: aerospike, txn: as_txn, listener: TxnListener,
                          udata: Any = None, event_loop: Any = None) -> None:
    """aerospike_abort_async(): abort on an event loop; listener(err, status, udata,
    event_loop) with the as_abort_status, as aerospike_commit_async."""
    _run_async("aerospike_abort_async", True, as_, txn, "as_abort_status", listener, udata,
               event_loop)
