"""aerospike_txn.h: commit or abort a multi-record transaction.

    status = aerospike_commit(as_, txn)    # aerospike_commit(&as, &err, &txn, &status)
    status = aerospike_abort(as_, txn)     # aerospike_abort(&as, &err, &txn, &status)

Each returns its as_commit_status / as_abort_status. A failure raises the AerospikeError C
reports (TransactionError for the TXN_* and MRT_* codes; `in_doubt` as C set it), carrying
the status C returned as `commit_status` / `abort_status` (AS_COMMIT_VERIFY_FAILED,
AS_COMMIT_MARK_ROLL_FORWARD_ABANDONED, AS_ABORT_COMMIT_FAILED ...). The transaction's own
state (`txn.state`, `txn.in_doubt`) follows C: a commit whose verify failed leaves it
ABORTED; one whose mark failed in doubt COMMIT_FAILED (retry the commit; abort is refused).

One commit or abort of a transaction runs at a time (C changes txn->state unlocked): a sync
one waits for another sync one; while an async one (aerospike_commit_async/_abort_async, aio's
commit/abort) has not completed, any other raises LifecycleError.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Optional

from .._aerospike import ffi, lib
from ._cstruct import c_enum
from .aerospike import aerospike, using
from .as_error import error_from_c, lifecycle_error, new_error
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
    with ending(checked, name), checked._use(name) as txn_ptr, \
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


@contextlib.contextmanager
def ending(txn: as_txn, what: str) -> Iterator[None]:
    """One commit or abort of a transaction at a time: C reads and sets txn->state without a
    lock, so a commit and an abort from two threads could both go ahead (the one transaction
    rolled forward and back); the later one sees the state the first left. An async one runs
    until its listener, which nothing here waits for (it may need this very thread):
    LifecycleError while one has not completed. Not a C function."""
    with txn._ending:
        if txn._async_end is not None:
            raise lifecycle_error(f"{what}: an async commit or abort of this as_txn is still "
                                  f"running (its listener has not run yet)")
        yield


class _EndHold(Hold):
    """The Hold of an async commit or abort: the transaction stays in use, and ending (other
    commits and aborts refused, see ending()), until the hold is released: its completion,
    or a submit that sent nothing."""

    __slots__ = ()

    def submitting(self, c_function: Callable[..., int]) -> Callable[..., int]:
        """c_function (asc_async_txn_end) run inside ending(), the transaction ending from
        before C reads its state (the listener may run before C returns)."""
        txn = self.struct

        def submit(*args: Any) -> int:
            with ending(txn, c_function.__name__):
                object.__setattr__(txn, "_async_end", self.token)
                return int(c_function(*args))
        submit.__name__ = c_function.__name__
        return submit

    def release(self) -> None:
        super().release()
        if self.struct._async_end is self.token:
            object.__setattr__(self.struct, "_async_end", None)


def end_hold(txn: as_txn, what: str) -> _EndHold:
    """The hold an async commit or abort of `txn` submits through (hold.submitting)."""
    return _EndHold(txn, what)


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
    hold = end_hold(checked, name)
    listen(instance, name, listener, udata, c_loop, lambda item, failed: status_enum(item.gen),
           hold.submitting(lib.asc_async_txn_end), abort, False, hold.ptr, holds=[hold],
           unsent=_STATE_ERRORS)


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
