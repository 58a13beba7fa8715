"""Async commands completing into a C queue drained in bulk (csrc/asc_async.h says how).

`CompletionQueue` owns one asc_queue: C listeners on the event loop threads append
completions and make its descriptor readable; `drain(handle)` takes every completion waiting
(up to 1024 per C call) and frees their buffers once `handle` has seen them. aerospike_c.aio
gives each cluster its own queue, read by the asyncio loop; the C-named functions
(aerospike_key_get_async ...) share one, read by a dispatcher thread that calls their Python
listeners in completion order.

A listener that raises never reaches C: its exception is logged with its traceback (logger
`aerospike_c.async`; printed to stderr when logging is not set up) and the dispatcher goes on
with the next completion.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import threading
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence

from .._aerospike import ffi, lib
from .as_error import error_from_c, lifecycle_error, new_error
from .aerospike import c_loop_submit, free_after_close
from .as_event import check_usable, loop_of, used_by
from . import asc_key as _asc_key  # noqa: F401 - its setup() gives asc_async.h's readers their objects
from ..exceptions import AerospikeError, error_class

__all__ = ["CompletionQueue", "submit_error", "completion_error", "dispatch", "stop_dispatcher",
           "report", "Hold", "in_async_use", "listen", "policy_txn_hold", "policy_txn_in_use"]

DRAIN_MAX = 1024
_NULL = ffi.NULL
_BAD_INPUT = lib.ASC_BAD_INPUT
_BAD_OUTPUT = lib.ASC_BAD_OUTPUT


class CompletionQueue:
    """One asc_queue: its descriptor (`fd`), the drain, and ids for the commands sent to it."""

    def __init__(self) -> None:
        check_usable("async commands")
        q = lib.asc_queue_new()
        if q == _NULL:
            raise MemoryError("asc_queue_new: no memory or no eventfd/pipe for the queue")
        self._q: Any = q
        self.fd = int(lib.asc_queue_fd(q))
        self._out = ffi.new("asc_completion[]", DRAIN_MAX)
        self._ids = itertools.count(1)

    @property
    def c_queue(self) -> Any:
        if self._q is None:
            raise lifecycle_error("the async completion queue was destroyed")
        return self._q

    def next_id(self) -> int:
        return next(self._ids)

    def drain(self, handle: Callable[[Any, int], None]) -> int:
        """handle(items, n) for each batch waiting (items: asc_completion[]); the count."""
        total = 0
        q, out = self.c_queue, self._out
        while True:
            n = lib.asc_queue_drain(q, out, DRAIN_MAX)
            if n == 0:
                break
            try:
                handle(out, n)
            finally:
                lib.asc_queue_release(out, n)
            total += n
            if n < DRAIN_MAX:
                break
        if lib.asc_queue_failed(q):
            raise MemoryError("the async completion queue ran out of memory: completions were "
                              "lost (their commands' awaits never finish)")
        return total

    def wait(self, timeout_ms: int) -> bool:
        """Block (GIL released) until completions wait or timeout_ms passed (-1: forever)."""
        return bool(lib.asc_queue_wait(self.c_queue, timeout_ms) > 0)

    def wake(self) -> None:
        lib.asc_queue_wake(self.c_queue)

    def destroy(self) -> None:
        """Free the queue: only once no command can complete into it."""
        q, self._q = self._q, None
        if q is not None:
            lib.asc_queue_destroy(q)


def submit_error(instance: Any, what: str, status: int, err: Any) -> Exception:
    """The exception for a submit function's status other than OK (and ASC_BAD_INPUT)."""
    if status in (lib.ASC_BUSY, lib.ASC_DEAD):
        return instance._unusable(what)
    if status == lib.ASC_NOT_CONNECTED:
        return lifecycle_error(f"{what}: the aerospike instance is not connected")
    if status == lib.ASC_NO_EVENT_LOOPS:
        return lifecycle_error(f"{what}: the instance has no event loops: it connected before "
                               f"as_event_create_loops(), or they were closed since")
    if status == _BAD_OUTPUT:
        return MemoryError(f"{what}: no memory for the command")
    return error_from_c(err, status)


def completion_error(item: Any) -> Exception:
    """The exception a failed completion carries."""
    status = item.status
    if status == _BAD_OUTPUT:
        return TypeError("the record holds a value that has no Python value")
    if item.err != _NULL:
        return error_from_c(item.err, status)
    error: AerospikeError = error_class(status)(status, "no memory for the error's text")
    return error


def _submit_failure(instance: Any, what: str, status: int, err_address: int) -> Exception:
    """The exception of a submit function of csrc/asc_async.h's aio part (it calls this)."""
    return submit_error(instance, what, status, ffi.cast("as_error*", err_address))


def _completion_failure(status: int, err_address: int) -> Exception:
    """The exception of a failed aio completion (csrc/asc_async.h's drain calls this)."""
    if status == _BAD_OUTPUT:
        return TypeError("the record holds a value that has no Python value")
    return error_from_c(ffi.cast("as_error*", err_address), status)


# aio's single-record commands on Python objects (csrc/asc_async.h: get, select, put, remove,
# operate, drain), each one C call; they read keys, bins and operations as the sync fast paths.
_py_get: Callable[..., Optional[bool]]
_py_select: Callable[..., Optional[bool]]
_py_put: Callable[..., Optional[bool]]
_py_remove: Callable[..., Optional[bool]]
_py_operate: Callable[..., Optional[bool]]
_py_drain: Callable[[int, Dict[int, Any], Callable[[Any, int], None]], int]
_py_setup: Callable[..., None]
if lib.asc_async_export(__name__.encode()) != 0:  # pragma: no cover - out of memory
    raise ImportError("asc_async_export: the CPython functions of csrc/asc_async.h")
_py_setup(_submit_failure, _completion_failure)


_LOG = logging.getLogger("aerospike_c.async")


def report(exc: BaseException, what: str) -> None:
    """A listener's exception, logged with its traceback to the `aerospike_c.async` logger
    (with no logging set up, Python prints it to stderr): never to C, never lost."""
    _LOG.error("exception in the listener of %s", what, exc_info=exc)


# -- The C-named functions' dispatcher --------------------------------------------------------
Handler = Callable[[Any], None]


class _Dispatcher:
    """The shared queue of the C-named async functions and the thread that drains it."""

    def __init__(self) -> None:
        self.queue = CompletionQueue()
        self.handlers: Dict[int, Handler] = {}
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="aerospike_c.async", daemon=True)
        self.thread.start()

    def _handle(self, items: Any, n: int) -> None:
        handlers = self.handlers
        for i in range(n):
            item = items[i]
            handler = handlers.pop(item.id, None)
            if handler is not None:
                handler(item)  # wrappers catch what listeners raise

    def _run(self) -> None:
        while not self.stopping:
            self.queue.wait(-1)
            try:
                self.queue.drain(self._handle)
            except MemoryError as exc:
                report(exc, "the async dispatcher")


_DISPATCHER: Optional[_Dispatcher] = None
_DISPATCHER_LOCK = threading.Lock()


def dispatch() -> _Dispatcher:
    """The dispatcher, started on first use."""
    global _DISPATCHER
    check_usable("async commands")
    dispatcher = _DISPATCHER
    if dispatcher is None:
        with _DISPATCHER_LOCK:
            if _DISPATCHER is None:
                _DISPATCHER = _Dispatcher()
            dispatcher = _DISPATCHER
    return dispatcher


def stop_dispatcher() -> None:
    """Stop the dispatcher thread (as_event_close_loops: nothing is in flight by then)."""
    global _DISPATCHER
    with _DISPATCHER_LOCK:
        dispatcher, _DISPATCHER = _DISPATCHER, None
    if dispatcher is not None:
        dispatcher.stopping = True
        dispatcher.queue.wake()
        if dispatcher.thread is threading.current_thread():
            return  # a listener closing the loops: the thread ends after it, the queue stays
        dispatcher.thread.join()
        dispatcher.queue.drain(dispatcher._handle)
        dispatcher.queue.destroy()


def dispatching() -> bool:
    """True while C-named async commands wait for their listeners."""
    dispatcher = _DISPATCHER
    return dispatcher is not None and bool(dispatcher.handlers)


def event_loop_of(item: Any) -> Any:
    return loop_of(item.event_loop)


# -- The C-named functions' submit: a listener, and the structs C reads until it runs ----------
class AsyncUse:
    """The in-use token of a struct an async command reads (UsedStruct._users)."""

    __slots__ = ()


#: The holds of commands C still runs (Hold.sent), released by their completion or by the
#: close of their instance: a process-wide root, so garbage collection never finalizes them,
#: or the structs they hold, with a dropped aio cluster or instance (a collection finalizes
#: every object of the garbage it found at once, whatever the order their owners would free
#: them in).
_IN_FLIGHT: Dict[int, "Hold"] = {}


class Hold:
    """A struct (as_batch_records, as_txn) C reads until a command's listener runs: counted in
    use meanwhile, so destroying it raises LifecycleError instead of freeing what C reads.

    After an error the C call returned, C may still run sub-commands it queued before the
    error (a batch split by node, the verify of a commit): retire() keeps the struct in use
    until aerospike_close() (which waits for every async command of the instance)."""

    __slots__ = ("struct", "token")

    def __init__(self, struct: Any, what: str) -> None:
        self.struct = struct
        self.token = AsyncUse()
        with struct._lock:
            struct._check_live(what)
            struct._users.append(self.token)

    @property
    def ptr(self) -> Any:
        return self.struct._ptr

    def sent(self) -> None:
        """C reads the struct until release(), whatever drops the hold's other owners."""
        _IN_FLIGHT[id(self)] = self

    def release(self) -> None:
        try:
            self.struct._users.remove(self.token)
        except ValueError:
            pass
        _IN_FLIGHT.pop(id(self), None)

    def retire(self, instance: Any) -> None:
        """Keep the struct in use until the instance is closed (no command of it runs then)."""
        self.sent()
        free_after_close(instance, self.release)

    def guarding(self, c_function: Callable[..., int], instance: Any,
                 unsent: FrozenSet[int] = frozenset()) -> Callable[..., int]:
        """c_function (a submit function) that retires this hold when C returns an error
        after it may have sent something (aio: the command's state keeps the hold until its
        completion; a submit error drops that state at once)."""
        def submit(*args: Any) -> int:
            status = int(c_function(*args))
            if status and status not in _NOT_SENT and status not in unsent:
                self.retire(instance)
            return status
        submit.__name__ = c_function.__name__
        return submit

    def __del__(self) -> None:
        self.release()


def in_async_use(struct: Any) -> bool:
    """True while an async command reads the struct (its listener has not run yet)."""
    return any(type(token) is AsyncUse for token in struct._users)


#: Statuses of a submit function that sent nothing (the C client was never called).
_NOT_SENT = frozenset((lib.ASC_BUSY, lib.ASC_DEAD, lib.ASC_NOT_CONNECTED, lib.ASC_NO_EVENT_LOOPS,
                       _BAD_INPUT, _BAD_OUTPUT))


def listen(instance: Any, what: str, listener: Callable[..., Any], udata: Any, c_loop: Any,
           result: Optional[Callable[[Any, bool], Any]], submit: Callable[..., int], *args: Any,
           holds: Sequence[Hold] = (), unsent: FrozenSet[int] = frozenset()) -> None:
    """Register the listener with the dispatcher, then submit(guard, queue, id, err, *args,
    c_loop). On completion: listener(err, udata, event_loop) when `result` is None, else
    listener(err, result(item, failed), udata, event_loop); `holds` are released first (the
    listener may destroy what they held). A submit error raises (C returned it: the listener
    is never called), and `holds` are released, or retired when C was called (unless the
    status is one of `unsent`: errors C returns before it sends anything)."""
    def release() -> None:
        for hold in holds:
            hold.release()

    if not callable(listener):
        release()
        raise TypeError(f"{what}: listener must be callable, not {type(listener).__name__}")

    def handler(item: Any) -> None:
        release()
        try:
            failed = item.status != 0
            error = completion_error(item) if failed else None
            event_loop = event_loop_of(item)
            if result is None:
                listener(error, udata, event_loop)
            else:
                listener(error, result(item, failed), udata, event_loop)
        except BaseException as exc:  # noqa: BLE001 - never into C: reported, the loop goes on
            report(exc, what)

    sent = False
    try:
        dispatcher = dispatch()
        queue = dispatcher.queue
        command_id = queue.next_id()
        dispatcher.handlers[command_id] = handler
        err = new_error()
        with c_loop_submit():  # someone must run the C loop (aio's asyncio loop mode)
            status = submit(instance._guard, queue.c_queue, command_id, err, *args, c_loop)
        sent = status not in _NOT_SENT and status not in unsent
    except BaseException:
        release()
        raise
    if status:
        dispatcher.handlers.pop(command_id, None)
        for hold in holds:
            if sent:
                hold.retire(instance)
            else:
                hold.release()
        raise submit_error(instance, what, status, err)
    used_by(instance)


def _policy_txn(c_policy: Any) -> Any:
    """The as_txn a C policy's base.txn points at, or None (every C policy starts with its
    as_policy_base)."""
    if c_policy == _NULL:
        return None
    txn_ptr = ffi.cast("as_policy_base*", c_policy).txn
    if txn_ptr == _NULL:
        return None
    from .as_txn import _LIVE, _address
    return _LIVE.get(_address(txn_ptr))


def policy_txn_hold(c_policy: Any, what: str) -> List[Hold]:
    """[a Hold of the as_txn a C policy's base.txn points at] ([] when none): C's async
    commands read the txn until they complete."""
    txn = _policy_txn(c_policy)
    return [] if txn is None else [Hold(txn, what)]


@contextlib.contextmanager
def policy_txn_in_use(c_policy: Any, what: str) -> Iterator[None]:
    """The as_txn a C policy's base.txn points at, counted in use for one synchronous call:
    C's batch commands copy the pointer when they start and write the transaction's key sets
    as the answers arrive, so clearing the policy's field and destroying the as_txn while the
    batch runs would free what C writes (as_txn_destroy raises LifecycleError instead)."""
    txn = _policy_txn(c_policy)
    if txn is None:
        yield
        return
    with txn._use(what):
        yield
