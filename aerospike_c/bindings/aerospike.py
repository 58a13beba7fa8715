"""aerospike.h: the client instance and its lifecycle.

    as_ = aerospike_init(config)     # aerospike as; aerospike_init(&as, &config);
    aerospike_connect(as_)           # raises AerospikeError where C returns != AEROSPIKE_OK
    aerospike_close(as_)
    aerospike_destroy(as_)

C semantics are kept where C is safe: connecting a connected instance, closing a closed
(or never connected) one are no-ops that succeed, and an instance may be connected again
after aerospike_close(). What would crash or leak in C raises `LifecycleError` instead:
any call after aerospike_destroy(), destroying a connected instance (C would leak its
cluster and tend thread), closing or destroying while another thread is inside a call on
it, and reading stats or nodes of an unconnected instance. Every blocking call releases
the GIL (cffi does so for every C call).

Threads: cluster-event callbacks and most log callbacks run on the C client's tend thread,
which aerospike_close() stops and joins. Closing or destroying an instance (and enabling or
disabling metrics, which wait on a lock the tend thread holds while it logs) on a tend
thread raises `LifecycleError` instead of waiting for itself forever. While a close runs,
other calls on the instance (from callbacks, say) raise `LifecycleError` instead of waiting.
Metrics listeners (as_metrics.py) hold the cluster's metrics lock, which commands take: any
call on their instance from a listener's thread raises `LifecycleError` (csrc asc_enter).
A finalizer or a signal handler that runs while this thread is inside the bookkeeping of a
call on an instance (under its lock) and calls into that instance gets `LifecycleError` too.

The connect cycle's calls (aerospike_connect, as_cluster_get_node_names, and the idiomatic
Client's init of a plain Config and its destroy) are CPython functions in the cffi module
(csrc/asc_aerospike.h); what they cannot do at once in C (a config to check, a call inside,
a tend thread, a Python metrics listener) takes the Python path, which waits or says why.

An instance garbage collected without aerospike_destroy() is closed and destroyed, with a
ResourceWarning. The finalizer never blocks (it may run on a tend thread, or inside a
garbage-collection pass that any thread happens to run): a connected instance is handed
to a reaper thread, which closes and destroys it; `reap_dropped()` waits for that.

Fork: the C client's tend and pool threads do not survive fork(). In a forked child every
call on an instance made in the parent (close and destroy included) raises
`LifecycleError`; the child makes its own instance. The parent is unaffected.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import queue
import sys
import threading
import warnings
import weakref
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from .._aerospike import ffi, lib
from ._cstruct import CStruct, Owner, field_offset
from .as_config import (CheckedHost, as_config, check_config, check_config_file,
                        config_exp_offsets, config_ptr, detach_exps)
from .as_cluster_event import ESCAPES, METRICS_LISTENERS
from .as_error import check, lifecycle_error, new_error
from ..exceptions import LifecycleError

__all__ = [
    "aerospike", "aerospike_init", "aerospike_new", "aerospike_connect", "aerospike_close",
    "aerospike_destroy", "aerospike_cluster_is_connected", "as_cluster_get_node_names",
    "aerospike_reload_tls_config", "aerospike_stop_on_interrupt", "aerospike_load_config",
    "aerospike_set_xdr_filter", "aerospike_init_lua",
    # as_policy_<kind>_default(as, &policy): a copy of as->config.policies.<field>
    "as_policy_read_default", "as_policy_write_default", "as_policy_operate_default",
    "as_policy_remove_default", "as_policy_apply_default", "as_policy_batch_parent_read_default",
    "as_policy_batch_parent_write_default", "as_policy_batch_read_default",
    "as_policy_batch_write_default", "as_policy_batch_apply_default",
    "as_policy_batch_remove_default", "as_policy_scan_default", "as_policy_query_default",
]


class aerospike(Owner):  # noqa: N801 - the C type's name
    """An `aerospike` instance, made by aerospike_init() or aerospike_new()."""

    __slots__ = ("_ptr", "_calls", "_guard", "_guard_addr", "_lock", "_closing", "_destroyed", "_forked",
                 "_keepalive", "_kept_fields", "_retired", "_frees", "_reaping", "_metrics_listeners",
                 "_metrics_enabling", "__weakref__")

    def __init__(self, config: as_config, heap: bool) -> None:
        self._setup()
        if not isinstance(config, as_config):
            config_ptr(config)  # a TypeError, or LifecycleError for another instance's .config
            raise TypeError("aerospike_init takes an as_config made by as_config_init(), not "
                            "another instance's .config")
        config._check_writable("as_config")  # a spent config's pointers are not its own
        check_config_file(config._ptr, "aerospike_init")  # C reads the file inside aerospike_init
        c_config = config._hand_over(self)
        if heap:
            ptr = lib.aerospike_new(c_config)
            if ptr == ffi.NULL:  # pragma: no cover - out of memory
                raise MemoryError("aerospike_new")
        else:
            ptr = ffi.new("aerospike*")
            lib.aerospike_init(ptr, c_config)
        self._guard.ptr = ptr
        self._started(ptr)

    def _setup(self) -> None:
        """The Python state of a new instance, before C initializes it."""
        self._ptr: Any = None  # set by _started(), once C initialized the instance
        # Reentrant only so that this thread can tell it holds it (_is_owned): a finalizer or a
        # signal handler that runs inside one of its sections and calls into this instance is
        # refused (_refuse_reentry) instead of waiting for itself, or acting mid-section.
        self._lock = threading.RLock()
        self._calls: List[object] = []  # a token per call inside (see _enter)
        self._guard = ffi.new("asc_instance*")  # the call count (C atomics); .ptr: _ptr
        self._guard_addr = int(ffi.cast("uintptr_t", self._guard))  # for csrc/asc_key.h
        self._closing = False
        self._destroyed = False
        self._forked = False
        self._keepalive: List[Any] = []
        self._kept_fields: Dict[int, Any] = {}
        self._retired: List[Any] = []  # replaced while connected: released by aerospike_close
        self._frees = _Frees()  # free_after_close()
        self._reaping = False  # dropped while connected: the reaper closes it
        self._metrics_listeners: Any = None  # the Python listeners its cluster calls (as_metrics)
        self._metrics_enabling: Any = None  # an RLock, made by the first metrics_enabling()

    def _started(self, ptr: Any) -> None:
        """C initialized the instance at `ptr` (and _guard.ptr is `ptr`)."""
        self._ptr = ptr
        _LIVE[id(self)] = weakref.ref(self)

    # -- Owner: the .config view and memory it references -----------------------------------
    def _check_writable(self, what: str) -> None:
        if self._destroyed or self._forked:
            raise self._unusable(what)

    def _refuse_reentry(self, what: str) -> None:
        """Raise LifecycleError when this thread holds the lock: a finalizer or a signal
        handler that ran inside one of its sections, which would wait for itself."""
        if self._lock._is_owned():  # type: ignore[attr-defined]
            raise lifecycle_error(f"{what}: called from a finalizer or a signal handler that ran "
                                  "while this thread was inside the bookkeeping of another call "
                                  "on this instance; call it from outside (it would wait for "
                                  "itself)")

    def _unusable(self, what: str) -> Exception:
        if self._ptr is None:
            return lifecycle_error(f"{what}: the aerospike instance was never initialized (its "
                                   "aerospike_init raised)")
        if self._forked:
            return lifecycle_error(f"{what}: this aerospike instance was made before fork(); "
                                   "its C threads do not exist in this process; make a new one")
        if self._destroyed:
            return lifecycle_error(f"{what}: the aerospike instance was destroyed")
        if self._ptr is not None and lib.asc_in_metrics_listener(self._guard):
            return lifecycle_error(f"{what}: called from a metrics listener of this instance, "
                                   "which holds the cluster's metrics lock this call may take; "
                                   "call it from another thread")
        return lifecycle_error(f"{what}: the aerospike instance is being closed "
                               "(aerospike_close or aerospike_destroy is running)")

    def _keep(self, obj: Any) -> None:
        self._keepalive.append(obj)

    def _keep_field(self, field_ptr: Any, obj: Any) -> None:
        offset = field_offset(ffi.addressof(self._ptr[0], "config"), field_ptr)
        if self._ptr.cluster != ffi.NULL or self.calls:
            # A running command may still read what the field pointed at (a config policy's
            # filter_exp): keep it until aerospike_close, when no command runs.
            self._retired.append(self._kept_fields.get(offset))
        self._kept_fields[offset] = obj

    @contextlib.contextmanager
    def _changing_c_state(self, what: str) -> Iterator[None]:
        """Refuse while connected (or while a call, such as aerospike_connect, is inside):
        the cluster and its tend thread read these fields' memory, and replacing frees it."""
        self._refuse_reentry(what)
        with self._lock:
            if self._destroyed or self._forked or self._closing:
                raise self._unusable(what)
            if self._ptr.cluster != ffi.NULL or self.calls:
                raise lifecycle_error(
                    f"{what}: the C client reads this while the instance is connected; set it "
                    "before aerospike_connect() or after aerospike_close()")
            yield

    @property
    def config(self) -> CStruct:
        """`as->config`: the configuration this instance owns (set fields before connecting)."""
        self._check_writable("aerospike.config")
        return CStruct(ffi.addressof(self._ptr[0], "config"), self, "aerospike.config")

    # -- calls ------------------------------------------------------------------------------
    def _enter(self, what: str, token: object) -> Any:
        """Count call `token` in; raise if destroyed. Asynchronous exceptions (a signal's
        KeyboardInterrupt lands after any call returns) must never leave a call counted, so
        call this inside the try whose finally counts `token` out of instance._calls, inline:
        the token is in the list exactly when it was counted, and list operations are atomic.
        (`using` counts out in __exit__, where a signal can land first: its token is a weak
        reference to the statement, which stops counting once the statement is gone.)
        The one-call C fast paths (asc_key.h, asc_batch_get) count in and out in C instead,
        on `_guard` (no Python runs between, so no interrupt can land there)."""
        self._refuse_reentry(what)
        with self._lock:
            if (self._destroyed or self._forked or self._closing or self._ptr is None
                    or lib.asc_refused(self._guard)):
                raise self._unusable(what)
            self._calls.append(token)
        return self._ptr

    def _enter_exclusive(self, what: str, owner: int) -> Any:
        """For close/destroy: no other call may be inside. Pair with _exit_exclusive().

        The lock is not held during the C call: a callback on the tend thread that calls
        into this instance meanwhile gets LifecycleError (see _unusable) instead of
        waiting for a lock whose holder is joining the tend thread. The C call count
        (asc_enter_exclusive) refuses every other call until _exit_exclusive(). `owner`
        (non-zero) names the section in C: an asynchronous exception between the C call and
        the with body skips __exit__, and _end_orphaned_exclusive(owner) ends it later."""
        refuse_on_tend_thread(self, what)
        self._refuse_reentry(what)
        with self._lock:
            if self._destroyed or self._forked or self._closing or self._ptr is None:
                raise self._unusable(what)
            if self._live_calls():
                raise lifecycle_error(f"{what}: {len(self._calls)} call(s) on this instance are still running")
            calls = lib.asc_enter_exclusive(self._guard, owner)
            if calls >= 0:
                raise lifecycle_error(f"{what}: {calls} call(s) on this instance are still running")
            self._closing = True
        return self._ptr

    def _exit_exclusive(self) -> None:
        with self._lock:
            self._closing = False
            self._note_destroyed_in_c()
            lib.asc_exit_exclusive(self._guard, self._destroyed)

    def _note_destroyed_in_c(self) -> None:
        # C destroyed it (asc_destroy marks the guard in the same call) and an interrupt
        # skipped the bookkeeping after: Python must never destroy it again, what it kept
        # for C goes, and what free_after_close() was given is freed now (nothing else
        # would: __del__ sees it destroyed).
        if not self._forked and lib.asc_refused(self._guard) == lib.ASC_DEAD:
            if not self._destroyed:
                _forget(self)
            if self._frees.items:  # (a call only when there is something left to free)
                self._frees.run(final=True)

    def _end_orphaned_exclusive(self, owner: int) -> None:
        """End the exclusive section `owner` if it still holds the instance: one whose
        __exit__ never ran (an asynchronous exception right after its C call; using.__del__).
        No lock (a finalizer may run where this thread holds it): while the section is ours
        no other can start, and _closing goes before the guard lets others in."""
        if lib.asc_exclusive_owner(self._guard) != owner:
            return
        self._closing = False
        self._note_destroyed_in_c()
        lib.asc_exit_exclusive(self._guard, self._destroyed)

    def _live_calls(self) -> int:
        """len(_calls), once the tokens of `using` statements that are gone are dropped."""
        calls = self._calls
        for token in [t for t in calls if type(t) is weakref.ref and t() is None]:
            try:
                calls.remove(token)  # a dead reference equals only itself
            except ValueError:  # another thread dropped it first
                pass
        return len(calls)

    def metrics_enabling(self) -> Any:
        """The instance's lock around aerospike_enable_metrics and its bookkeeping (as_metrics):
        made on first use, as few instances enable metrics."""
        lock = self._metrics_enabling
        if lock is None:
            with self._lock:
                if self._metrics_enabling is None:
                    self._metrics_enabling = threading.RLock()
                lock = self._metrics_enabling
        return lock

    @property
    def calls(self) -> int:
        """How many calls are inside the C client on this instance now."""
        return self._live_calls() + int(lib.asc_calls(self._guard))

    @property
    def destroyed(self) -> bool:
        return self._destroyed

    @property
    def forked(self) -> bool:
        """True in a child process forked after this instance was made."""
        return self._forked

    @property
    def connected(self) -> bool:
        """True while a cluster exists (between aerospike_connect and aerospike_close)."""
        return (not (self._destroyed or self._forked) and self._ptr is not None
                and self._ptr.cluster != ffi.NULL)

    def __repr__(self) -> str:
        state = ("destroyed" if self._destroyed else "forked" if self._forked
                 else "connected" if self.connected
                 else "initialized" if self._ptr is not None else "never initialized")
        return f"<aerospike {state}>"

    def __del__(self) -> None:
        """Never blocks: a connected instance goes to the reaper thread (see the module)."""
        if getattr(self, "_destroyed", True) or getattr(self, "_ptr", None) is None:
            return
        _LIVE.pop(id(self), None)
        if not self._forked and lib.asc_refused(self._guard) == lib.ASC_DEAD:
            self._frees.run(final=True)
            return  # destroyed by C already (see _exit_exclusive)
        self._destroyed = True
        if self._forked:
            return  # the parent's C state: closing it here would wait on threads that do not exist
        if self._ptr.cluster == ffi.NULL:
            c_destroy(self._ptr)  # frees memory only
            self._frees.run(final=True)
        elif not sys.is_finalizing():  # at exit the C threads may never get the GIL again
            # What C points at (callbacks, ip_map, filter_exp, the metrics listeners, and the
            # guard that async commands still in flight count themselves out of) lives until
            # the reaper is done.
            self._reaping = True
            _REAPER.put(self._ptr, [self._keepalive, self._kept_fields, self._retired,
                                    self._guard, self._metrics_listeners], self._frees)
        warnings.warn("aerospike instance dropped without aerospike_destroy(); closing it",
                      ResourceWarning, stacklevel=2)


class _Reaper:
    """Closes and destroys instances that were dropped while connected, on its own thread.

    Finalizers only `put()` (a SimpleQueue put never blocks and is safe in __del__); the
    thread is started by the first aerospike_connect(), on an ordinary Python thread, so a
    finalizer never starts one. A forked child starts its own.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._queue: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        if self._thread is None:
            thread = threading.Thread(target=self._run, name="aerospike_c-reaper", daemon=True)
            thread.start()
            self._thread = thread

    def put(self, ptr: Any, keepalive: List[Any], frees: "_Frees") -> None:
        self._queue.put((ptr, keepalive, frees))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if isinstance(item, threading.Event):
                item.set()  # a waiter: everything handed over before it is done
                continue
            ptr, keepalive, frees = item
            warned = False
            while True:
                try:
                    c_loop_needed(True)
                except LifecycleError as error:  # nothing runs the C loop now: ask again
                    if not warned:
                        warnings.warn(f"aerospike_c reaper: {error}", RuntimeWarning, stacklevel=1)
                        warned = True
                    continue
                except Exception as error:  # noqa: BLE001 - the reaper must go on; the close may still end
                    warnings.warn(f"aerospike_c reaper: {error}", RuntimeWarning, stacklevel=1)
                break
            lib.asc_aerospike_close(ptr, new_error())
            c_destroy(ptr)
            frees.run(final=True)
            keepalive.clear()  # the tend thread is gone: its callbacks may go too
            del item, ptr, keepalive, frees

    def wait(self, timeout: Optional[float]) -> bool:
        """Wait until every instance handed over so far is closed (False on timeout)."""
        if self._thread is None:
            return True  # only connected instances are handed over, and connect starts it
        if threading.current_thread() is self._thread:
            raise RuntimeError("reap_dropped() called on the reaper thread")
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)


_REAPER = _Reaper()


class _Frees:
    """What free_after_close() was given for one instance, freed once it is closed."""

    __slots__ = ("items", "final")

    def __init__(self) -> None:
        self.items: List[Callable[[], None]] = []
        self.final = False  # closed for good (the reaper's close, or collected closed)

    def run(self, final: bool = False) -> None:
        """Call each free once (list pops are atomic: two threads never run the same)."""
        if final:
            self.final = True
        while self.items:
            try:
                free = self.items.pop()
            except IndexError:
                return
            free()


def free_after_close(as_: aerospike, free: Callable[[], None]) -> None:
    """Call free() once no async command of the instance can complete into what it frees:
    now when the instance is not connected (nor being closed by the reaper), else right after
    its aerospike_close, or the reaper's close once it is dropped (aio's completion queue of a
    cluster collected with commands in flight). Never blocks: finalizers call it. Not a C
    function."""
    frees = _instance(as_)._frees
    frees.items.append(free)  # first: a close ending meanwhile runs it, or we see it closed
    if frees.final or not (as_._reaping or as_.connected):
        frees.run()

#: on_c_loop_needed(): at most one (hook, lock), aio's
_C_LOOP_NEEDED: List[Tuple[Callable[[bool], None], Any]] = []


def on_c_loop_needed(hook: Callable[[bool], None], lock: Any) -> None:
    """Call hook(closing) before a C call that waits for the C event loop to run: each
    aerospike_close (closing=True) and each C-named async command's submit (closing=False,
    see c_loop_submit; `lock`, a threading.RLock the hook takes too, is held around it).
    aerospike_c.aio's "asyncio" loop mode registers it: once the asyncio loop that ran its C
    event loop is closed, someone else must run that loop. Not a C function."""
    _C_LOOP_NEEDED[:] = [(hook, lock)]


def c_loop_needed(closing: bool) -> None:
    """Run the on_c_loop_needed() hook, if any."""
    for hook, _ in _C_LOOP_NEEDED:
        hook(closing)


@contextlib.contextmanager
def c_loop_submit() -> Iterator[None]:
    """Around a C-named async command's C call (not a C function): the hook before it, with
    its lock held until the C call returned, so the C loop does not change hands (to another
    asyncio loop, or a pump thread) between the hook's look and C's reading of the thread
    that runs it (event_loop->thread: the C client starts a command in place on that
    thread); and the hook again after it, for an asyncio loop closed meanwhile (the command
    was queued to a loop that nobody runs now)."""
    if not _C_LOOP_NEEDED:
        yield
        return
    hook, lock = _C_LOOP_NEEDED[0]
    with lock:
        hook(False)
        yield
    hook(False)


def c_destroy(ptr: Any) -> None:
    """C's aerospike_destroy() of a closed instance; its config's filter_exp are Python's
    (detach_exps)."""
    detach_exps(ffi.addressof(ptr[0], "config"))
    lib.asc_aerospike_destroy(ptr)


def reap_dropped(timeout: Optional[float] = None) -> bool:
    """Wait until the instances dropped while connected have been closed and destroyed by
    the reaper thread; False if `timeout` seconds passed first. (Not a C function.)"""
    return _REAPER.wait(timeout)


@atexit.register
def _reap_at_exit() -> None:
    """At exit, while C threads can still take the GIL, finish what the reaper was given."""
    _REAPER.wait(30.0)


#: The instances C initialized and Python has not destroyed, by id: weak references with no
#: callback (no Python code runs where an instance dies; its __del__ or _forget removes it).
#: An add, a removal and the copy a reader iterates are each one dict operation, atomic under
#: the GIL: no lock.
_LIVE: "Dict[int, weakref.ref[aerospike]]" = {}


def _live_instances() -> List[aerospike]:
    return [instance for instance in [ref() for ref in list(_LIVE.values())]
            if instance is not None]


#: The main thread's ident (refuse_on_tend_thread); in a forked child, the forking thread's.
_MAIN_IDENT = threading.main_thread().ident


def _mark_forked() -> None:
    global _MAIN_IDENT
    _MAIN_IDENT = threading.get_ident()  # the child's main thread (threading says so too)
    for instance in _live_instances():
        instance._forked = True
        lib.asc_mark_dead(instance._guard)
        instance._lock = threading.RLock()  # a lock held by another parent thread stays held
    _REAPER._reset()  # the parent's queue holds the parent's instances


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_mark_forked)


def refuse_on_tend_thread(as_: aerospike, what: str) -> None:
    """Raise LifecycleError on the tend thread of any connected instance (not a C function).

    The tend thread holds its cluster's tend lock while it calls back into Python (cluster
    events, log messages) and its metrics lock while it logs from the metrics writer:
    aerospike_close() takes both and joins the thread, and closing another cluster's
    tender from a tender can deadlock the two; refusing is the only answer that returns."""
    if threading.get_ident() == _MAIN_IDENT:
        return  # a tend thread is one of C's: never the main thread
    for instance in (as_, *_live_instances()):
        if instance._destroyed or instance._ptr is None:  # no tend thread (any more)
            continue
        with instance._lock:  # not closing meanwhile: its cluster stays allocated
            if instance._destroyed or instance._forked or instance._closing:
                continue
            on_tend = lib.asc_on_tend_thread(instance._ptr)
        if on_tend:
            raise lifecycle_error(
                f"{what}: called on a tend thread (from a cluster-event or log callback), which "
                "this call would wait for; call it from another thread")


def _instance(as_: Any) -> aerospike:
    if not isinstance(as_, aerospike):
        raise _not_an_instance(as_)
    return as_


def _not_an_instance(as_: Any) -> TypeError:
    return TypeError(f"expected an aerospike instance, got {type(as_).__name__}")


def aerospike_init(config: as_config) -> aerospike:
    """aerospike_init(&as, &config): a new instance that takes over `config`."""
    return aerospike(config, heap=False)


class PlainInit:
    """What aerospike_init_plain() makes instances of: an as_config_init() with `fields` set
    ((name, value) of as_config fields that plain_setting() accepts) and the seed `hosts`
    (checked_host()s) as C strings, made once for any number of instances (the idiomatic
    Config's plain recipe). Not a C type."""

    __slots__ = ("config", "seeds", "count", "_strings")

    def __init__(self, hosts: Sequence[CheckedHost], fields: Sequence[Tuple[str, Any]]) -> None:
        self.config = ffi.new("as_config*")
        lib.as_config_init(self.config)
        for name, value in fields:
            setattr(self.config, name, value)
        self.count = len(hosts)
        self.seeds = ffi.new("asc_seed[]", self.count)
        self._strings = []  # what the seeds point at
        for seed, (address, port, tls_name) in zip(self.seeds, hosts):
            self._strings.append(ffi.new("char[]", address))
            seed.address, seed.port = self._strings[-1], port
            if tls_name is not None:
                self._strings.append(ffi.new("char[]", tls_name))
                seed.tls_name = self._strings[-1]


def aerospike_init_plain(plain: PlainInit) -> aerospike:
    """aerospike_init() of a copy of plain.config with the seed hosts added: what
    aerospike_init(config) gives for that config, in one C call with no as_config object
    between (the idiomatic Client's fast path for a plain Config). Not a C function."""
    instance = aerospike.__new__(aerospike)
    instance._setup()
    guard, ptr = instance._guard, ffi.new("aerospike*")
    try:
        if lib.asc_init_plain(guard, ptr, plain.config, plain.seeds, plain.count, False):
            # ASC_NEEDS_CHECK: C reads a dynamic config file inside aerospike_init
            check_config_file(plain.config, "aerospike_init")
            lib.asc_init_plain(guard, ptr, plain.config, plain.seeds, plain.count, True)
        instance._started(ptr)
    except BaseException:  # an interrupt after C made the instance: free what it holds
        if instance._ptr is None and guard.ptr != ffi.NULL:
            c_destroy(ptr)
        raise
    return instance


def aerospike_new(config: as_config) -> aerospike:
    """aerospike_new(&config): like aerospike_init, the instance allocated by the C client."""
    return aerospike(config, heap=True)


class using:  # noqa: N801 - reads as a statement: `with using(as_, "aerospike_x") as ptr:`
    """One call on an instance: type-checked, counted in, refused after destroy or fork.

    `with using(as_, what) as ptr:` gives the `aerospike*`; connected=True also refuses an
    unconnected instance (C would dereference its NULL cluster); exclusive=True (close,
    destroy) refuses while any other call is inside, and on a tend thread; off_tend=True
    only refuses on a tend thread (calls that wait on a lock the tend thread holds).
    """

    __slots__ = ("_instance", "_what", "_connected", "_exclusive", "_off_tend", "_token",
                 "__weakref__")

    def __new__(cls, as_: Any, what: str, *, exclusive: bool = False, **kwargs: Any) -> "using":
        return object.__new__(_using_exclusive if exclusive else cls)

    def __init__(self, as_: Any, what: str, *, connected: bool = False, exclusive: bool = False,
                 off_tend: bool = False) -> None:
        self._instance = _instance(as_)
        self._what = what
        self._connected = connected
        self._exclusive = exclusive
        self._off_tend = off_tend
        # The call's token in instance._calls: a reference to this statement that dies with
        # it. A signal can land at the entry of __exit__ (any Python function's), before it
        # counts out: the token of a statement that is gone no longer counts (live_calls).
        self._token: "Optional[weakref.ref[using]]" = weakref.ref(self)

    def __enter__(self) -> Any:
        # An asynchronous exception (a signal's KeyboardInterrupt lands after any call
        # returns) between the count and the return skips __exit__: counted out here, inline
        # (a Python call could itself be interrupted before it counts out). No __del__ does
        # it: a signal landing in a finalizer is dropped, and every call would run one.
        instance = self._instance
        if self._exclusive:
            try:
                return instance._enter_exclusive(self._what, id(self._token))
            except BaseException:
                instance._end_orphaned_exclusive(id(self._token))
                raise
        if self._off_tend:
            refuse_on_tend_thread(instance, self._what)
        calls, token = instance._calls, self._token
        try:
            ptr = instance._enter(self._what, token)
            if self._connected and ptr.cluster == ffi.NULL:
                raise lifecycle_error(f"{self._what}: the aerospike instance is not connected")
        except BaseException:
            if token in calls:
                calls.remove(token)
            raise
        return ptr

    def __exit__(self, *exc_info: Any) -> None:
        if self._exclusive:
            self._instance._exit_exclusive()
            self._token = None  # nothing left for __del__
        else:
            calls, token = self._instance._calls, self._token  # inline: no call to land in
            if token in calls:
                calls.remove(token)


class _using_exclusive(using):  # noqa: N801 - `using(..., exclusive=True)`
    """close/destroy: a second interrupt, landing in __enter__'s own clean-up, is ended when
    the statement lets go of this (rare calls: a finalizer here costs nothing)."""

    __slots__ = ()

    def __del__(self) -> None:
        # _token is set last: without it __init__ raised (a bad argument) and nothing counted.
        token = getattr(self, "_token", None)
        if token is not None:
            self._instance._end_orphaned_exclusive(id(token))


def aerospike_connect(as_: aerospike) -> None:
    """aerospike_connect(): seed, discover and start tending the cluster (blocks, GIL released)."""
    # Before C connects, on a Python thread: a finalizer may need it for this instance, and
    # an interrupt right after a successful connect must not leave it unstarted.
    _REAPER.start()
    # A close's disable listener may connect another instance: what escapes it afterwards
    # is still that close's to raise.
    active, ESCAPES.active = ESCAPES.active, True
    try:
        status = _py_connect(as_)  # counts itself in and out; raises the C client's error
        if status is None:  # not of the exact type: a subclass's instance, or a TypeError
            status = _connect_checked(_instance(as_))
        elif status == lib.ASC_NEEDS_CHECK:  # a config file, a tend thread CPU, ...: check first
            status = _connect_checked(as_)
    finally:
        ESCAPES.active = active
        escaped, ESCAPES.escaped = ESCAPES.escaped, None
        if escaped is not None:
            raise escaped  # from a callback on this thread (the first tend's cluster event)
    if status != 0:
        if status == lib.ASC_CONNECTING:
            raise lifecycle_error("aerospike_connect: another aerospike_connect of this instance "
                                  "is running (on another thread, or this is its cluster-event "
                                  "callback)")
        raise as_._unusable("aerospike_connect")  # ASC_BUSY, ASC_DEAD


def _connect_checked(as_: aerospike) -> int:
    """aerospike_connect() once check_config() passed: 0, or the ASC_ status C refused with."""
    err = new_error()
    with using(as_, "aerospike_connect") as ptr:
        if ptr.cluster == ffi.NULL:  # connecting a connected instance is a no-op in C
            check_config(ffi.addressof(ptr[0], "config"), "aerospike_connect")
        status = lib.asc_connect(as_._guard, err, True)
    if status in (lib.ASC_CONNECTING, lib.ASC_BUSY, lib.ASC_DEAD):
        return status
    check(status, err)
    return 0


def aerospike_close(as_: aerospike) -> None:
    """aerospike_close(): stop tending and close every connection (a no-op when not connected)."""
    err = new_error()
    with using(as_, "aerospike_close", exclusive=True) as ptr:
        status = _close(as_, ptr, err)
    check(status, err)


def _close(as_: aerospike, ptr: Any, err: Any) -> int:
    """The body of aerospike_close(), inside its exclusive section: the status."""
    c_loop_needed(True)
    if METRICS_LISTENERS:
        status, escaped = _escaping(lib.asc_aerospike_close, ptr, err)
    else:  # C's close, also with event loops (asc_async.h)
        status, escaped = lib.asc_aerospike_close(ptr, err), None
    as_._retired.clear()
    if ptr.cluster == ffi.NULL:
        as_._frees.run()
    if escaped is not None:
        raise escaped  # from the metrics disable listener, which C ran on this thread
    return status


def _escaping(c_close: Callable[..., int], *args: Any) -> Tuple[int, Optional[BaseException]]:
    """c_close(*args), a C close that may run the metrics disable listener on this thread,
    and what escaped that listener (ESCAPES), for the caller to raise after its bookkeeping."""
    active, ESCAPES.active = ESCAPES.active, True  # a connect's enable listener may close
    try:
        status = c_close(*args)
    finally:
        ESCAPES.active = active
    escaped, ESCAPES.escaped = ESCAPES.escaped, None
    return status, escaped


def aerospike_destroy(as_: aerospike) -> None:
    """aerospike_destroy(): free the instance and the config it owns. Close it first."""
    with using(as_, "aerospike_destroy", exclusive=True) as ptr:
        if ptr.cluster != ffi.NULL:
            raise lifecycle_error("aerospike_destroy: the instance is still connected; "
                                  "call aerospike_close() first")
        _destroy_closed(as_)


def close_and_destroy(as_: aerospike) -> None:
    """aerospike_close() if connected, then aerospike_destroy(), in one exclusive section (the
    idiomatic Client.destroy; not a C function). A failed close leaves the instance as it was."""
    if not (METRICS_LISTENERS or _C_LOOP_NEEDED):  # the common case: one C call
        if _py_close_and_destroy(as_, _MAIN_IDENT, _after_close_and_destroy, *_EXP_OFFSETS):
            return  # else it could not take the instance at once: the path that says why
    err = new_error()
    with using(as_, "aerospike_destroy", exclusive=True):
        c_loop_needed(True)
        if METRICS_LISTENERS:
            status, escaped = _escaping(lib.asc_close_and_destroy, as_._guard, err,
                                        *config_exp_offsets())
        else:  # one C call
            status = lib.asc_close_and_destroy(as_._guard, err, *config_exp_offsets())
            escaped = None
        _after_close_and_destroy(as_, status == lib.AEROSPIKE_OK)
    if escaped is not None:
        raise escaped  # from the metrics disable listener, which C ran on this thread
    check(status, err)


def _exp_offsets_address() -> Tuple[int, int]:
    offsets, count = config_exp_offsets()  # (kept alive by its cache)
    return int(ffi.cast("uintptr_t", offsets)), count


#: (address, count) of config_exp_offsets(), for _py_close_and_destroy
_EXP_OFFSETS = _exp_offsets_address()


def _after_close_and_destroy(as_: aerospike, destroyed: bool) -> None:
    """close_and_destroy's bookkeeping after its C call, inside its exclusive section."""
    as_._retired.clear()
    if destroyed:
        _forget(as_)
        as_._frees.run(final=True)


def _destroy_closed(as_: aerospike) -> None:
    """The body of aerospike_destroy(), inside its exclusive section."""
    lib.asc_destroy(as_._guard, *config_exp_offsets())  # marks the guard dead in the same call
    _forget(as_)


def _forget(as_: aerospike) -> None:
    """What is left to do once C destroyed the instance."""
    as_._destroyed = True
    _LIVE.pop(id(as_), None)  # no tend thread nor fork to mind any more
    as_._keepalive.clear()
    as_._kept_fields.clear()
    as_._metrics_listeners = None
    as_._retired.clear()


def aerospike_cluster_is_connected(as_: aerospike) -> bool:
    """aerospike_cluster_is_connected(): True when at least one node is active and responding."""
    with using(as_, "aerospike_cluster_is_connected") as ptr:
        return bool(lib.aerospike_cluster_is_connected(ptr))


def connected_cluster(instance: aerospike, what: str) -> Any:
    """as->cluster of an instance inside _enter(); raise when not connected (C would crash)."""
    cluster = instance._ptr.cluster
    if cluster == ffi.NULL:
        raise lifecycle_error(f"{what}: the aerospike instance is not connected")
    return cluster


def as_cluster_get_node_names(as_: aerospike) -> List[str]:
    """as_cluster_get_node_names(as->cluster, &n, &names): the names of the cluster's nodes."""
    names = _py_node_names(as_)  # counts itself in and out
    if names is None:  # not of the exact type (whose _guard_addr C trusts): cffi calls
        return _node_names_checked(_instance(as_))
    return names


def _node_names_checked(as_: aerospike) -> List[str]:
    """as_cluster_get_node_names() of an instance of an aerospike subclass."""
    count, names = ffi.new("int*"), ffi.new("char**")
    with using(as_, "as_cluster_get_node_names", connected=True) as ptr:
        try:  # AS_NODE_NAME_SIZE bytes a name, each NUL-ended
            lib.as_cluster_get_node_names(ptr.cluster, count, names)
            found = [ffi.string(names[0] + i * lib.AS_NODE_NAME_SIZE, lib.AS_NODE_NAME_SIZE)
                     for i in range(count[0] if names[0] != ffi.NULL else 0)]
        finally:
            lib.free(names[0])  # (free(NULL) does nothing)
    return [name.decode() for name in found if name]


def aerospike_reload_tls_config(as_: aerospike) -> None:
    """aerospike_reload_tls_config(): re-read the TLS certificate and key files of a connected
    instance (AEROSPIKE_ERR_TLS_ERROR when TLS is not enabled)."""
    err = new_error()
    with using(as_, "aerospike_reload_tls_config", connected=True) as ptr:
        status = lib.aerospike_reload_tls_config(ptr, err)
    check(status, err)


def aerospike_stop_on_interrupt(stop: bool) -> None:
    """aerospike_stop_on_interrupt(): whether a socket wait that a signal interrupts ends the
    command's try (process-wide; C's default False retries the wait until the timeout). A
    Ctrl-C during a blocking call is raised when the call returns either way; with True and
    max_retries 0 that is at once."""
    if not isinstance(stop, bool):
        raise TypeError(f"stop must be a bool, not {type(stop).__name__}")
    lib.aerospike_stop_on_interrupt(stop)


def aerospike_init_lua(config: Any) -> None:
    """aerospike_init_lua(&lua): set the process-wide client Lua configuration (an
    as_config_lua, or an as_config's `lua`): where the client's side of a query aggregation
    finds `<user_path>/<module>.lua`. Without it the first aerospike_connect() in the process
    uses its config.lua, once; later calls replace it (C keeps one global mod-lua)."""
    if not isinstance(config, CStruct) or ffi.typeof(config._ptr) is not ffi.typeof("as_config_lua*"):
        raise TypeError(f"config must be an as_config_lua, not {type(config).__name__}")
    config._owner._check_writable("aerospike_init_lua")
    lib.aerospike_init_lua(config._ptr)


def aerospike_load_config(as_: aerospike) -> CStruct:
    """aerospike_load_config(): the instance's own as_config (&as->config), as `as_.config`."""
    if not isinstance(as_, aerospike):
        raise TypeError(f"expected an aerospike instance, got {type(as_).__name__}")
    return as_.config


def aerospike_set_xdr_filter(as_: aerospike, policy: Any, dc: str, ns: str,
                             filter_b64: str) -> None:
    """aerospike_set_xdr_filter(): set (or with filter_b64 "null", remove) the XDR filter
    expression of datacenter `dc` for namespace `ns`; the server's refusal raises."""
    from ._calls import c_call, policy_arg
    from .as_config import c_str
    c_call(as_, "aerospike_set_xdr_filter", policy_arg(policy, "as_policy_info"),
           c_str("dc", dc), c_str("ns", ns), c_str("filter_b64", filter_b64))


def _default_getter(kind: str, field: str) -> Any:
    name = f"as_policy_{kind}_default"

    def default(as_: aerospike) -> Any:
        from .as_policy import policy_from_config
        aerospike_load_config(as_)  # checks the instance
        return policy_from_config(as_, field)

    default.__name__ = default.__qualname__ = name
    default.__doc__ = (f"{name}(as, &policy): a copy of the instance's default policy "
                       f"(as->config.policies.{field}).")
    return default


as_policy_read_default = _default_getter("read", "read")
as_policy_write_default = _default_getter("write", "write")
as_policy_operate_default = _default_getter("operate", "operate")
as_policy_remove_default = _default_getter("remove", "remove")
as_policy_apply_default = _default_getter("apply", "apply")
as_policy_batch_parent_read_default = _default_getter("batch_parent_read", "batch")
as_policy_batch_parent_write_default = _default_getter("batch_parent_write", "batch_parent_write")
as_policy_batch_write_default = _default_getter("batch_write", "batch_write")
as_policy_batch_apply_default = _default_getter("batch_apply", "batch_apply")
as_policy_batch_remove_default = _default_getter("batch_remove", "batch_remove")
as_policy_scan_default = _default_getter("scan", "scan")
as_policy_query_default = _default_getter("query", "query")


def as_policy_batch_read_default(as_: aerospike) -> Any:
    """as_policy_batch_read_default(as, &policy): the four fields C copies from
    as->config.policies.batch (filter_exp, read_mode_ap, read_mode_sc, read_touch_ttl_percent;
    the config has no batch_read policy) over as_policy_batch_read_init()'s defaults."""
    from .as_policy import as_policy_batch_read_init, policy_from_config
    aerospike_load_config(as_)  # checks the instance
    batch = policy_from_config(as_, "batch")  # a copy that keeps the config's filter_exp
    policy = as_policy_batch_read_init()
    source, target = batch._ptr, policy._ptr
    target.filter_exp = source.base.filter_exp
    target.read_mode_ap = source.read_mode_ap
    target.read_mode_sc = source.read_mode_sc
    target.read_touch_ttl_percent = source.read_touch_ttl_percent
    policy._keep(batch)
    return policy


_py_connect: Callable[[Any], Optional[int]]
_py_node_names: Callable[[Any], Optional[List[str]]]
_py_close_and_destroy: Callable[..., bool]
_py_config_key: Callable[[Any, Any], Any]
if lib.asc_aerospike_export(__name__.encode()) != 0:  # pragma: no cover - out of memory
    raise ImportError("asc_aerospike_export: the CPython functions of csrc/asc_aerospike.h")
#: config_key(hosts, fields): a key equal only for Config arguments C takes alike (all of them
#: exact str, int, bool or None, in tuples), or None (csrc/asc_aerospike.h). Not a C function.
config_key = _py_config_key
