"""The asyncio flavour of `aerospike_c.sdk`, on the C client's own event loops.

    from aerospike_c.aio import ClusterDefinition, Host

    async def main():
        async with await ClusterDefinition("127.0.0.1", 3000).connect() as cluster:
            session = cluster.create_session(read={"total_timeout": 50})
            await session.put(("test", "demo", 1), {"a": 1})
            record = await session.get(("test", "demo", 1))
            print(await cluster.ping(), cluster.get_stats().total_connections)

How it is built: the single-record commands (put, get, exists, remove, operate,
operate_ordered, touch, increment, append, prepend) are the C client's async commands
(aerospike_key_*_async, one C call each from the asyncio loop: the key tuple, bins and
operations are read in place by the sync fast path's readers, csrc/asc_key.h). Their C
listeners append completions to a C queue of the cluster's; one C call (drain) takes every
completion waiting, builds each result as the sync path does and settles its future, so many
commands finishing at once cost one wakeup, and no C code ever waits for the GIL. No thread
per call, no executor. Works with any asyncio loop that implements add_reader (the default
one, uvloop).

Where the C event loop runs (`loop_mode`, process-wide like the loops):

- "asyncio" (the default when aio makes the loops, with event_loops=1): the C client's one
  event loop is an external libev loop (as_set_external_event_loop) that the asyncio loop's
  own thread runs. asyncio watches libev's backend descriptor (add_reader) and arms a timer
  for libev's next one (the commands' timeouts); each time either fires, one
  ev_run(EVRUN_NOWAIT) reads, writes and times out what is ready, then the clusters drain.
  A command is written to its socket in the awaiting coroutine's own call, and a command
  alone in flight runs the loop at once (on loopback its answer may already be there). No
  thread hop either way: at 1 in flight, about a sync get's latency. The C loop runs only
  while an asyncio loop that connected runs: a later asyncio loop (another asyncio.run())
  takes it over once the first is closed (commands a closed loop left behind then finish),
  and a sync close outside any running loop, on the thread that ran it last, runs it itself.
  Close clusters with `await cluster.close()`. One left open as its asyncio loop shuts down
  (asyncio.run's end, also after a KeyboardInterrupt) is closed then, with a ResourceWarning.
  Once the loop that ran the C loop is closed (it can never run again), a close from another
  thread (the reaper's for a dropped cluster, sdk's at exit, a sync close) first hands the C
  loop to a C pump thread, which runs it until another asyncio loop takes it over; so does a
  loop whose thread ended without closing it (the pump stops if it runs again elsewhere). A
  loop that is only stopped, its thread alive, may run again any time: nothing else may run
  the C loop meanwhile, so a close from another thread waits for it at most
  STOPPED_LOOP_WAIT seconds, then raises LifecycleError.
- "threads": `event_loops` C threads run the loops (as_create_event_loops); completions wake
  the asyncio loop through the queue's eventfd (one cross-thread wakeup each way per batch).
  What the C-named async API (bindings/aerospike_key.py's *_async functions with Python
  listeners) needs, and what create_event_loops() makes by default.

So are batch_get, batch_exists and batch_remove (the keys become batch records in C, one
aerospike_batch_read_async / _write_async; C packs the rows in the listener, on its event loop
thread), batch_records (its records, as the sync call builds them, held by the command until
it completes), info (aerospike_info_node_async; without node= a random node; host= runs on the
executor), and a transaction's commit/abort (aerospike_commit_async / _abort_async, also for
`async with session.transaction()`). A session bound to a transaction runs its record and
batch commands natively too: each carries the txn in its policy (base.txn), as C's async API
does, and holds the transaction until it completes. A batch counts as one command against
the backpressure limit below, though C sends it as one command per node.

The event loops are the C client's, process-wide: the first connect() creates them
(`event_loops`, `loop_mode`, `event_policy` as as_policy_event fields: create_event_loops())
unless the application did (as_create_event_loops or create_event_loops); later connects use
them as they are (ValueError when their policy or mode differs from the one given). As in C
they must exist before any instance connects: an application that connects sync clients
first calls create_event_loops() at start.

Backpressure: the C client holds at most max_commands_in_process commands per event loop in
flight and max_commands_in_queue more in its delay queue (defaults here: each loop's share
of the config's async_max_conns_per_node, so a loop never runs out of connections to a node,
and 4096). With on_queue_full="wait" (the default) a cluster admits
at most event_loops * (both) commands at once and further awaits wait, first come first
served; with "error" they are sent regardless and a full delay queue fails them with
AEROSPIKE_ERR_ASYNC_QUEUE_FULL. Never an unbounded buffer.

Cancellation: cancelling an await does not recall a command already handed to C: it runs to
its end (within its policy's timeouts), its result is dropped, and close() waits for it.
A command still waiting for backpressure is never sent. Scans and queries (async iterators:
`async for record in session.scan(...)`) are C async scans too (aerospike_scan_async ...,
aerospike_c/_aio_streams.py says how their records come in bulk and how at most `buffer` of
them wait without ever holding up a C event loop); leaving the loop, cancelling the task that
iterates or closing the cluster stops the C scan. Batches, info and transaction commit/abort
are C async commands as well; what C reads while a cancelled command runs (batch records,
the transaction) is kept until it completes, then freed (a cluster collected unclosed first:
once the reaper closed its instance). Record UDFs (apply) are
aerospike_key_apply_async. Aggregations and background jobs, which C has no async form
of, still run on the cluster's executor as in
`aerospike_c.aio_executor`. close() stops the scans, waits for every command in flight
(native or not), then closes the cluster; it is idempotent and survives the cancellation of
its caller.

Fork: the C event loops do not survive fork(); in a child, a cluster made in the parent and a
new aio cluster raise (RuntimeError: another event loop; LifecycleError), and sync clients
work without touching the parent's loop (its backend and sockets are shared with the parent).
"""
from __future__ import annotations

import asyncio
import atexit
import collections
import functools
import threading
import time
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AsyncGenerator, AsyncIterator, Callable, Deque, Dict, List, Mapping, Optional, Sequence, Tuple

from . import aio_executor, sdk
from .bindings import _async
from .bindings.as_event import (as_create_event_loops, as_event_loop_size, as_policy_event_init,
                                check_usable, create_external_loop, loop_limits, used_by)
from .bindings.aerospike import free_after_close, on_c_loop_needed
from .bindings.as_error import lifecycle_error, new_error
from .bindings.as_record import Record
from .bindings.as_val import _unpack
from .bindings._calls import policy_arg
from .bindings._cstruct import set_fields
from ._records import ops
from ._aerospike import ffi, lib
from . import _aio_streams
from .bindings.as_policy import policy_copy, policy_from_config
from .bindings.as_query import as_query_set_paginate
from .bindings.as_scan import as_scan_set_paginate
from .sdk import ClusterEvent, ClusterStats, Host
from . import bindings as c
from ._queries import BatchRead, _batch_result, _reserve, info_value, lean_records, listed
from ._txn import Transaction, txn_policy
from .bindings._async import Hold
from .bindings._cstruct import c_enum
from .bindings.aerospike_batch import _UNSENT as _BATCH_UNSENT, _bin_names, batch_outcomes, batch_results
from .bindings.aerospike_info import info_response
from .bindings.aerospike_txn import _STATE_ERRORS as _TXN_STATE_ERRORS, end_hold
from .bindings.as_config import c_str
from .bindings.asc_batch import ROWS_RECORDS, _py_batch_rows, pack_keys
from .bindings.aerospike_key import _Key, _take_async_value
from .bindings.as_val import val_to_c
from .exceptions import BatchFailedError, LifecycleError

__all__ = ["ClusterDefinition", "Cluster", "Session", "Host", "ClusterStats", "ClusterEvent",
           "create_event_loops"]

_NULL = ffi.NULL
_BAD_INPUT = lib.ASC_BAD_INPUT
_GET, _PUT, _REMOVE, _OPERATE = _async._py_get, _async._py_put, _async._py_remove, _async._py_operate
_SELECT = _async._py_select
_DRAIN = _async._py_drain
_NONE, _RECORD, _ORDERED, _META = lib.ASC_AIO_NONE, lib.ASC_AIO_RECORD, lib.ASC_AIO_ORDERED, lib.ASC_AIO_META
_BATCH, _BATCH_KEYS = lib.asc_async_batch, lib.asc_async_batch_keys
_INFO, _TXN_END = lib.asc_async_info, lib.asc_async_txn_end
_APPLY = lib.asc_async_apply
_GENERAL = object()  # the fast path does not take these arguments: the executor does
_QUEUE_FULL = ("wait", "error")
_LOOP_MODES = ("threads", "asyncio")
DEFAULT_QUEUE = 4096
DEFAULT_ASYNC_MAX_CONNS = 100  # as_config's async_max_conns_per_node default
#: How long a close on another thread waits for a stopped asyncio loop that runs the C loop.
STOPPED_LOOP_WAIT = 1.0
_PUMPED = lib.ASC_EV_PUMPED
_running_loop = asyncio._get_running_loop


def create_event_loops(count: int = 1, policy: Optional[Mapping[str, int]] = None,
                       async_max_conns_per_node: int = DEFAULT_ASYNC_MAX_CONNS,
                       loop_mode: str = "threads") -> None:
    """Create the C event loops aio runs on, unless they exist (then check `policy` and
    `loop_mode` against theirs). connect() calls it; call it first when sync instances
    connect before aio does (the loops must exist before any instance connects). The default
    policy keeps each loop within its share of async_max_conns_per_node connections to one
    node. loop_mode "threads": `count` C threads; "asyncio": one external libev loop that
    the running asyncio loop's thread runs (`count` must be 1), see the module's doc."""
    check_usable("aio.create_event_loops")
    if loop_mode not in _LOOP_MODES:
        raise ValueError(f"loop_mode must be one of {_LOOP_MODES}, got {loop_mode!r}")
    if loop_mode == "asyncio" and count != 1:
        raise ValueError(f"loop_mode 'asyncio' runs one event loop, got event_loops={count}")
    per_loop = max(5, async_max_conns_per_node // count)
    wanted = {"max_commands_in_process": per_loop, "max_commands_in_queue": DEFAULT_QUEUE}
    if policy is not None:
        wanted.update(policy)
    if as_event_loop_size():
        have = loop_limits()
        differs = {k: v for k, v in (policy or {}).items() if k in have and have[k] != v}
        if differs:
            raise ValueError(f"the event loops exist with {have}; event_policy {differs} "
                             f"cannot apply (the loops are process-wide)")
        mode = "asyncio" if _EXTERNAL is not None else "threads"
        if mode != loop_mode:
            raise ValueError(f"the event loops exist in loop_mode {mode!r}; {loop_mode!r} "
                             f"cannot apply (the loops are process-wide)")
        if _EXTERNAL is not None:
            _EXTERNAL.check_loop()
        return
    c_policy = as_policy_event_init()
    set_fields(c_policy, wanted)
    if loop_mode == "threads":
        as_create_event_loops(c_policy, count)
    else:
        _ExternalLoop(c_policy)


class _ExternalLoop:
    """The C client's one event loop as an external libev loop that the asyncio loop's thread
    runs (as_set_external_event_loop): asyncio watches the libev backend's descriptor
    (add_reader) and arms a timer for libev's next one; each time either fires, one
    ev_run(EVRUN_NOWAIT) runs what is ready on this thread (reads, writes, timeouts, commands
    other threads queued), then the clusters drain the completions it made. A command is
    sent from the awaiting coroutine's own call, its completion settled on the same thread:
    no cross-thread wakeup either way.

    When that asyncio loop ends: clusters still open on it are closed as it shuts down
    (asyncio.run's shutdown_asyncgens: _on_loop_shutdown, with a ResourceWarning). Once it is
    closed it can never run the C loop again, so a close from another thread (the reaper's
    included, and the at-exit closes) hands the C loop to a C pump thread first
    (release_if_closed, csrc/asc_async.h's asc_ev_orphan), which runs it until another asyncio
    loop takes it over (check_loop), as it does once the loop's thread ended unclosed (that
    loop run again on another thread takes it back: _take_back). A loop that is only stopped
    may run again on its thread: nothing else ever runs the C loop then (_wait_until_run)."""

    def __init__(self, policy: Any) -> None:
        global _EXTERNAL
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()  # the owning loop's thread
        self.owner = threading.current_thread()
        # check_loop vs. release_if_closed, and a C-named command's submit (c_loop_submit)
        self.lock = threading.RLock()
        self.orphaned = False  # a C pump thread runs the C loop (asc_ev_orphan)
        ev = lib.asc_ev_loop_new()
        if ev == _NULL:
            raise ValueError("loop_mode 'asyncio': libev has no backend another poller can "
                             "watch on this platform (epoll or kqueue); use 'threads'")
        try:
            create_external_loop(policy, ev)
        except BaseException:
            lib.asc_ev_loop_destroy(ev)
            raise
        self.ev = ev
        self.fd = -1  # libev's backend descriptor as watched (_watch_backend)
        self._generation = -1  # asc_ev_backend_generation when it was watched
        self._watched: Optional[asyncio.AbstractEventLoop] = None  # the loop that watches it
        # Weakly: the owning loop's reader holds each cluster while the loop lives; once the
        # loop is closed, a cluster nobody holds is collected and the reaper closes it.
        self._clusters: List["weakref.ref[Cluster]"] = []
        self._timer: Optional[asyncio.TimerHandle] = None
        self._timer_at = 0.0
        self._kicked = False
        self._shutdown_watch: Any = None
        self._watch_backend()
        _EXTERNAL = self
        on_c_loop_needed(self.release_if_closed, self.lock)
        self._watch_shutdown()
        self.run()  # libev registers its wake-up pipe in its backend on the first ev_run: until
        # then a command queued from another thread (a sync close) would wake nobody

    def check_loop(self) -> None:
        """A connect on the running asyncio loop: the one running the C loop, or a new one
        taking it over from a loop that was closed (its clusters are dropped from the drain:
        their commands still end, counted out by their C listeners)."""
        running = asyncio.get_running_loop()
        if running is self.loop:
            self.run()  # a backend libev replaced meanwhile (a close on this thread ran it)
            return
        with self.lock:
            if not self._left():
                raise RuntimeError("loop_mode 'asyncio': the C event loop is run by another "
                                   "asyncio loop that is not closed; use the clusters there")
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._kicked = False
            self._clusters = []
            lib.asc_ev_adopt(lib.as_event_loop_get_by_index(0))  # stops a pump thread first
            self.orphaned = False
            self.loop = running
            self.thread = threading.get_ident()
            self.owner = threading.current_thread()
        self._watch_backend()
        self._watch_shutdown()
        self.run()  # what was queued while nobody ran it, and libev's wake-ups from now on

    def _watch_backend(self) -> None:
        """Watch libev's backend descriptor (asc_ev_backend_fd) on the owning loop, in place of
        the one this loop watched: libev replaces it as it recreates its kernel state
        (asc_ev_backend_generation), and asyncio went on watching a closed descriptor, its
        number soon another's (even the new backend's): libev's readiness was never seen
        again and later commands timed out. The count is taken last: an interrupt on the
        way leaves it behind, and the next run() moves again."""
        generation = int(lib.asc_ev_backend_generation())
        if self._watched is self.loop:
            self.loop.remove_reader(self.fd)
        self.fd = int(lib.asc_ev_backend_fd(self.ev))
        try:
            self.loop.add_reader(self.fd, _Reader(self, self.fd))
        except FileExistsError:
            # asyncio's epoll has it, its selector not: an interrupt right after selectors'
            # epoll_ctl(ADD) ran its except, which forgot the key alone. Every later move
            # failed so, and libev's readiness was never seen again.
            poller = getattr(getattr(self.loop, "_selector", None), "_selector", None)
            if poller is None:
                raise
            poller.unregister(self.fd)
            self.loop.add_reader(self.fd, _Reader(self, self.fd))
        self._watched = self.loop
        self._generation = generation

    def _watch_shutdown(self) -> None:
        """Be told when the owning loop shuts down its async generators (asyncio.run does, as
        it ends, also after a KeyboardInterrupt): an async generator of ours, started here so
        the loop's first-iteration hook registers it, closes the clusters left open then."""
        watch = _on_loop_shutdown(self, self.loop)
        try:
            watch.asend(None).send(None)
        except StopIteration:
            self._shutdown_watch = watch  # the loop keeps only a weak reference

    async def close_left_open(self) -> None:
        """Close, with a ResourceWarning, the clusters of the owning loop that nobody closed
        (or whose close was cancelled: asyncio.run cancels every task left before it shuts
        down), while this loop still runs the C loop."""
        clusters = self.clusters()  # a cluster leaves the list as its close ends
        for cluster in clusters:
            task = cluster._close_task
            if task is None or task.cancelled():
                warnings.warn(f"{cluster!r} was not closed before its asyncio loop shut down; "
                              f"closing it (await cluster.close(), or use async with)",
                              ResourceWarning, stacklevel=1)
                cluster._close_task = None  # a cancelled close runs again (its steps may)
        await asyncio.gather(*(cluster.close() for cluster in clusters), return_exceptions=True)

    def _left(self) -> bool:
        """The owning loop never runs the C loop on its thread again: it is closed, or its
        thread ended (also the main thread's at exit)."""
        return self.loop.is_closed() or not self.owner.is_alive()

    def release_if_closed(self, closing: bool = True) -> None:
        """Before a close (closing) or a C-named async command's submit (aerospike_key_get_async
        ...): once the owning loop is closed, or its thread ended, it never runs the C loop
        again, so a close on another thread than that loop's (the reaper's, a sync close, the
        at-exit closes; one on its thread runs the C loop itself) would wait for it forever,
        and a command on any thread would never complete; a C pump thread runs it instead.
        A close from another thread while the loop is stopped waits for it at most
        STOPPED_LOOP_WAIT seconds (_wait_until_run), then raises LifecycleError."""
        if self.orphaned or not as_event_loop_size():  # (a forked child: the parent's loop)
            return
        if closing and threading.get_ident() == self.thread and self.owner.is_alive():
            return  # C runs the loop itself for a close on its thread (asc_close_wait)
        if not self._left():
            if not closing or self.loop.is_running():
                return
            self._wait_until_run()
            if not self._left():
                return
        with self.lock:
            if self.orphaned or not self._left():
                return
            if lib.asc_ev_orphan(lib.as_event_loop_get_by_index(0)) != 0:
                raise RuntimeError("loop_mode 'asyncio': no thread could be started to run the "
                                   "C event loop, whose asyncio loop is closed")
            self.orphaned = True

    def _wait_until_run(self) -> None:
        """A close on another thread while the owning loop is stopped, neither closed nor
        without its thread: nothing runs the C loop, which the close would wait for (for
        good, if the loop never runs again). Wait for that loop to run, close or lose its
        thread, at most STOPPED_LOOP_WAIT seconds; then LifecycleError. (A pump thread cannot
        stand in: the loop's thread may start it again any time and run libev meanwhile.)"""
        deadline = time.monotonic() + STOPPED_LOOP_WAIT
        while not (self._left() or self.loop.is_running()):
            if time.monotonic() >= deadline:
                raise lifecycle_error(
                    "aerospike_close: the C event loop belongs to an asyncio loop that is "
                    "stopped, not closed, and its thread is alive: nothing runs the C loop this "
                    "close waits for; close from that thread, while that loop runs, or once it "
                    "is closed")
            time.sleep(0.01)

    def _take_back(self) -> None:
        """run() of the owning loop on another thread while a pump thread stands in for the
        ended one: stop the pump, the C loop is this thread's."""
        with self.lock:
            lib.asc_ev_adopt(lib.as_event_loop_get_by_index(0))  # stops the pump thread first
            self.orphaned = False
            self.thread = threading.get_ident()
            self.owner = threading.current_thread()

    def run(self) -> None:
        """One ev_run(EVRUN_NOWAIT), the clusters' completions, the next libev timer."""
        if _running_loop() is not self.loop:
            return  # a callback left on a loop that no longer owns the C loop
        due = lib.asc_ev_run(self.ev)
        if due == _PUMPED:
            self._take_back()
            due = lib.asc_ev_run(self.ev)
        if lib.asc_ev_backend_generation() != self._generation:
            self._watch_backend()
        if due >= 0:
            at = self.loop.time() + due
            if self._timer is None or at < self._timer_at - 0.0005:
                if self._timer is not None:
                    self._timer.cancel()
                self._timer = self.loop.call_at(at, self._on_timer)
                self._timer_at = at
        for ref in self._clusters:
            cluster = ref()
            if cluster is not None:
                cluster._drain()

    def clusters(self) -> List["Cluster"]:
        """The clusters of the owning loop that are still open."""
        return [cluster for cluster in (ref() for ref in self._clusters) if cluster is not None]

    def add(self, cluster: "Cluster") -> None:
        self._clusters.append(weakref.ref(cluster, self._clusters_gone))

    def remove(self, cluster: "Cluster") -> None:
        self._clusters = [ref for ref in self._clusters if ref() not in (cluster, None)]

    def _clusters_gone(self, gone: Any) -> None:
        self._clusters = [ref for ref in self._clusters if ref is not gone]

    def _on_timer(self) -> None:
        self._timer = None
        self.run()

    def sent(self, alone: bool) -> None:
        """After a command was started: libev applies its new watchers and timers in ev_run.
        A command alone in flight runs it now (on loopback its answer may be there already:
        the await then returns at once); others run it once soon, one run for every command
        started in this loop iteration."""
        if self._kicked:
            return
        if alone:
            self.run()
        else:
            self._kicked = True
            self.loop.call_soon(self._kicked_run)

    def _kicked_run(self) -> None:
        self._kicked = False
        self.run()


class _Reader:
    """_ExternalLoop.run as the owning asyncio loop's reader of the libev backend. A closed
    loop lets go of its readers: C-named commands still waiting for their listeners (sent
    from another thread as it closed) then get a pump thread at once, not at the next close
    or C-named submit."""

    __slots__ = ("external", "fd")

    def __init__(self, external: _ExternalLoop, fd: int) -> None:
        self.external = external
        self.fd = fd  # the backend descriptor it reads (libev may have replaced it since)

    def __call__(self) -> None:
        external = self.external
        running = _running_loop()
        if running is external.loop:
            external.run()
        elif running is not None:  # a loop that lost the C loop (its thread had ended) and
            running.remove_reader(self.fd)  # runs again: let go

    def __del__(self) -> None:
        external = self.external
        try:
            if external.loop.is_closed() and _async.dispatching():
                external.release_if_closed(False)
        except Exception:  # noqa: BLE001 - no thread could be started (the next close or
            pass           # submit tries again), or the interpreter is shutting down


_EXTERNAL: Optional[_ExternalLoop] = None


async def _on_loop_shutdown(external: _ExternalLoop,
                            loop: asyncio.AbstractEventLoop) -> AsyncGenerator[None, None]:
    """_ExternalLoop._watch_shutdown's generator: loop.shutdown_asyncgens() closes it."""
    try:
        yield
    finally:
        if external.loop is loop and not loop.is_closed():
            await external.close_left_open()


@atexit.register
def _release_at_exit() -> None:
    """Before sdk's and the reaper's at-exit closes (registered after theirs, so run first):
    a C loop whose asyncio loop is closed gets a pump thread, so that they end (without it a
    close on another thread than that loop's would wait forever)."""
    if _EXTERNAL is not None:
        try:
            _EXTERNAL.release_if_closed()
        except LifecycleError:  # a stopped loop whose (daemon) thread lives on: nothing to do
            pass


class ClusterDefinition(aio_executor.ClusterDefinition):
    """`sdk.ClusterDefinition` with an awaitable `connect()`; same arguments, plus
    `event_loops` (C event loop threads, created by the first connect), `event_policy`
    (as_policy_event fields: max_commands_in_process, max_commands_in_queue,
    queue_initial_capacity), `on_queue_full` ("wait" or "error"), `loop_mode` ("threads":
    C event loop threads; "asyncio": one C event loop run by the asyncio loop's thread; None,
    the default: the mode of the loops there are, else "asyncio" for one loop) and
    `executor_workers` (threads for the commands not run natively; default
    max_conns_per_node)."""

    def __init__(self, *seeds: Any, event_loops: int = 1,
                 event_policy: Optional[Mapping[str, int]] = None, on_queue_full: str = "wait",
                 executor_workers: Optional[int] = None, loop_mode: Optional[str] = None,
                 **options: Any) -> None:
        super().__init__(*seeds, executor_workers=executor_workers, **options)
        if isinstance(event_loops, bool) or not isinstance(event_loops, int) or event_loops < 1:
            raise ValueError(f"event_loops must be a positive int, got {event_loops!r}")
        if on_queue_full not in _QUEUE_FULL:
            raise ValueError(f"on_queue_full must be one of {_QUEUE_FULL}, got {on_queue_full!r}")
        if loop_mode is not None and loop_mode not in _LOOP_MODES:
            raise ValueError(f"loop_mode must be one of {_LOOP_MODES} or None, got {loop_mode!r}")
        if loop_mode == "asyncio" and event_loops != 1:
            raise ValueError(f"loop_mode 'asyncio' runs one event loop, got event_loops={event_loops}")
        if event_policy is not None:
            set_fields(as_policy_event_init(), event_policy)  # checks the fields now
            event_policy = dict(event_policy)
        self.event_loops = event_loops
        self.event_policy = event_policy
        self.on_queue_full = on_queue_full
        self.loop_mode = loop_mode

    async def connect(self) -> "Cluster":
        """Create the event loops if needed (before connecting, as C requires), then seed
        and discover on a worker thread: the connected `Cluster`."""
        async_max = int(self.sync.config.to_as_config().async_max_conns_per_node)
        create_event_loops(self.event_loops, self.event_policy, async_max, self._mode())
        cluster = await super().connect()
        assert isinstance(cluster, Cluster)
        return cluster

    def _mode(self) -> str:
        """loop_mode, or by default: that of the loops there are, else "asyncio" for one
        event loop and "threads" for more."""
        if self.loop_mode is not None:
            return self.loop_mode
        if as_event_loop_size():
            return "asyncio" if _EXTERNAL is not None else "threads"
        return "asyncio" if self.event_loops == 1 else "threads"

    def _cluster(self, sync_cluster: sdk.Cluster, executor: ThreadPoolExecutor,
                 loop: asyncio.AbstractEventLoop) -> "Cluster":
        return Cluster(sync_cluster, executor, loop, self.on_queue_full)


Pending = Tuple[Any, ...]  # (future, ASC_AIO_* kind or decode function, key[, release])


class Cluster(aio_executor.Cluster):
    """An `sdk.Cluster` for asyncio whose single-record commands are C async commands."""

    def __init__(self, sync_cluster: sdk.Cluster, executor: ThreadPoolExecutor,
                 loop: asyncio.AbstractEventLoop, on_queue_full: str = "wait") -> None:
        super().__init__(sync_cluster, executor, loop)
        self._as = sync_cluster.client.aerospike
        self._guard = self._as._guard
        self._queue = _async.CompletionQueue()
        self._cq = self._queue.c_queue
        self._cq_addr = int(ffi.cast("uintptr_t", self._cq))  # the single-record submits'
        self._err = new_error()
        self._pending: Dict[int, Pending] = {}
        self._next_id = self._queue.next_id
        limits = loop_limits()
        per_loop = limits.get("max_commands_in_process", 0) + limits.get("max_commands_in_queue", 0)
        bounded = on_queue_full == "wait" and limits.get("max_commands_in_process", 0) > 0 \
            and limits.get("max_commands_in_queue", 0) > 0
        self._limit = as_event_loop_size() * per_loop if bounded else 1 << 62
        self._waiters: Deque["asyncio.Future[None]"] = collections.deque()
        self._idle: "Optional[asyncio.Future[None]]" = None
        used_by(self._as)
        loop.add_reader(self._queue.fd, self._drain)
        self._external = _EXTERNAL if _EXTERNAL is not None and _EXTERNAL.loop is loop else None
        if self._external is not None:
            lib.asc_queue_own(self._queue.c_queue)  # drained after each run of the C loop
            self._external.add(self)

    @property
    def _session_class(self) -> "type[Session]":
        return Session

    def __del__(self) -> None:
        """Collected without close() (its asyncio loop closed, so nothing reads its queue):
        free the completion queue (its eventfd, the completions in it) now when nothing is in
        flight, else once the instance is closed (the reaper's close of the dropped instance
        waits for the commands, which complete into the queue until then); so are the holds
        of the commands in flight released."""
        queue = getattr(self, "_queue", None)
        if queue is None or queue._q is None:
            return
        pending = getattr(self, "_pending", None)
        if pending:
            for entry in list(pending.values()):
                if len(entry) > 3:
                    free_after_close(self._as, entry[3])
            free_after_close(self._as, queue.destroy)
        else:
            queue.destroy()

    # -- completions -------------------------------------------------------------------------
    def _drain(self) -> None:
        pending = self._pending
        if _DRAIN(self._cq_addr, pending, self._other) == 0 and not self._waiters and self._idle is None:
            return
        waiters = self._waiters
        while waiters and len(pending) < self._limit:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
        if not pending and self._idle is not None and not self._idle.done():
            self._idle.set_result(None)

    def _other(self, entry: Any, address: int) -> None:
        """A completion the C drain does not settle itself (batch, info, commit/abort, scan
        chunks): their decoders read the asc_completion."""
        item = ffi.cast("asc_completion*", address)
        future, decode, key = entry[0], entry[1], entry[2]
        if future is None:  # a scan/query (_aio_streams.Stream): each of its completions
            decode(item)
            return
        if future.done():  # cancelled: the result is dropped
            drop = _DROPS.get(decode)
            if drop is not None and item.status == 0:
                drop(item)
            return
        if item.status == 0:
            try:
                future.set_result(decode(item, key))
            except Exception as exc:  # noqa: BLE001 - a value with no Python form
                future.set_exception(exc)
        else:
            future.set_exception(_async.completion_error(item))

    def _started(self) -> None:
        """A C async command was started outside _send (a scan run): on the asyncio loop mode's
        C loop, run it soon (libev applies its watchers in ev_run)."""
        if self._external is not None:
            self._external.sent(False)

    async def _slot(self) -> None:
        waiter = self._loop.create_future()
        self._waiters.append(waiter)
        await waiter

    def _command(self, submit: Any, kind: Any, key: Any, *args: Any) -> Any:
        """One C call: with an ASC_AIO_* kind, submit(as_, queue address, id, policy, key,
        *args) (the single-record CPython functions, settled in C); with a decode function,
        submit(guard, queue, id, err, *args, NULL) (the cffi batch/info/txn submits). The
        future of its completion (or an awaitable that first waits for backpressure), or
        _GENERAL when the fast path refuses the arguments (nothing was sent)."""
        if self._closing:
            raise lifecycle_error("aio.Cluster: the cluster is closed")
        if asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("an aio.Cluster is used from the event loop that connected it")
        if len(self._pending) >= self._limit or self._waiters:
            return self._after_slot(submit, kind, key, args)
        return self._send(submit, kind, key, args)

    def _send(self, submit: Any, kind: Any, key: Any, args: Tuple[Any, ...]) -> Any:
        command_id = self._next_id()
        if type(kind) is int:
            plain = key if type(key) is tuple else tuple(key)  # a _Held: its key tuple
            if submit(self._as, self._cq_addr, command_id, args[0], plain, *args[1:]) is None:
                return _GENERAL
        else:
            status = submit(self._guard, self._cq, command_id, self._err, *args, _NULL)
            if status:
                if status == _BAD_INPUT:
                    return _GENERAL
                raise _async.submit_error(self._as, submit.__name__, status, self._err)
        future = self._loop.create_future()
        pending = self._pending
        if type(key) is _Held and key.holds:
            key.sent()
            pending[command_id] = (future, kind, key, key.release)
        else:
            pending[command_id] = (future, kind, key)
        if self._external is not None:
            self._external.sent(len(pending) == 1)
        return future

    async def _after_slot(self, submit: Any, kind: Any, key: Any,
                          args: Tuple[Any, ...]) -> Any:
        """Backpressure: wait for a slot (first come, first served), then send."""
        while True:
            await self._slot()
            if self._closing:
                raise lifecycle_error("aio.Cluster: the cluster is closed")
            if len(self._pending) < self._limit:
                break
        sent = self._send(submit, kind, key, args)
        return sent if sent is _GENERAL else await sent

    # -- lifecycle ---------------------------------------------------------------------------
    async def _settle(self) -> None:
        await super()._settle()
        if self._pending:
            self._idle = self._loop.create_future()
            await self._idle
        for waiter in self._waiters:  # commands never sent: they raise LifecycleError
            if not waiter.done():
                waiter.set_result(None)

    async def _close(self) -> None:
        await super()._close()
        self._loop.remove_reader(self._queue.fd)
        if self._external is not None:
            self._external.remove(self)
        self._queue.destroy()


def _policy(policy: Any, ctype: str) -> Any:
    return _NULL if policy is None else policy_arg(policy, ctype)


def _address(c_policy: Any) -> int:
    """A C policy pointer as the address the single-record submits take (0: NULL)."""
    return int(ffi.cast("uintptr_t", c_policy))


# -- multi-record commands: batch, info, commit/abort as C async commands --------------------------
class _Held(tuple):  # type: ignore[type-arg]
    """A command's key in the cluster's pending table, with what C reads until the command
    completes (Holds: the transaction, the batch records; None for none) and the keys of a
    batch. Once sent, the holds are released by the completion (the C drain calls the pending
    entry's release), also when the await was cancelled, or by the close of the instance when
    the cluster is collected first (Cluster.__del__)."""

    holds: Tuple[Any, ...]
    keys: Any

    def __new__(cls, key: Any, holds: Sequence[Any], keys: Any = None) -> "_Held":
        self = super().__new__(cls, key if type(key) is tuple else ())
        self.holds = tuple(hold for hold in holds if hold is not None)
        self.keys = keys
        return self

    def sent(self) -> None:
        for hold in self.holds:
            hold.sent()

    def release(self) -> None:
        for hold in self.holds:
            hold.release()


def _lean(item: Any, held: Any) -> Any:
    """batch_read()'s (rows, error, failed count) from a keys batch's completion (ROWS_RECORDS)."""
    failed = _async.completion_error(item) if item.ttl else None
    if failed is None and item.gen == 0:
        return _py_batch_rows(int(ffi.cast("uintptr_t", item.data)), item.size, held.keys,
                              False), None, 0
    return _unpack(ffi.buffer(item.data, item.size)), failed, item.gen


def _full_rows(item: Any, held: Any) -> Any:
    """Full rows [key, result, subcode, message, in_doubt, gen, ttl, bins] and C's error."""
    failed = _async.completion_error(item) if item.ttl else None
    return _unpack(ffi.buffer(item.data, item.size)), failed


def _batch_done(item: Any, held: Any) -> None:
    return None


def _destroy_list(arglist: Any) -> None:
    lib.as_val_val_destroy(ffi.cast("as_val*", arglist))


def _applied(item: Any, held: Any) -> Any:
    """aerospike_key_apply_async's completion: the UDF's result as a Python value."""
    return _take_async_value(item)


def _drop_value(item: Any) -> None:
    """A cancelled apply's result: nobody takes it, so it is freed here."""
    if item.ptr != _NULL:
        lib.as_val_val_destroy(ffi.cast("as_val*", item.ptr))


#: What a decoder's completion owns that must be freed when its await was cancelled.
_DROPS: Dict[Any, Callable[[Any], None]] = {_applied: _drop_value}


def _info_done(item: Any, held: Any) -> str:
    return info_value(info_response(item))


def _txn_done(status_type: str) -> Callable[[Any, Any], Any]:
    enum = c_enum(status_type)
    attribute = "commit_status" if status_type == "as_commit_status" else "abort_status"

    def done(item: Any, held: Any) -> Any:
        status = enum(item.gen)
        setattr(held.keys, attribute, status)  # the Transaction, as its sync commit/abort
        if item.ttl:
            error = _async.completion_error(item)
            setattr(error, attribute, status)
            raise error
        return status
    return done


_COMMIT_DONE, _ABORT_DONE = _txn_done("as_commit_status"), _txn_done("as_abort_status")


class _MultiRecord:
    """aio.Session's batch, info and commit/abort as C async commands (csrc/asc_async_batch.h);
    arguments the fast path does not take (as_key keys, host=) run on the executor."""

    cluster: "Cluster"
    sync: sdk.Session

    async def _general(self, name: str, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def _txn_of(self, txn: Any) -> Any:
        return self.sync.txn if txn is None else txn

    def _batch_policy(self, kind: str, policy: Any, filter_exp: Any, txn: Any) -> Tuple[Any, Any]:
        """The batch policy as Client.batch_* makes it (filter_exp, txn in a copy): (the
        policy, its C pointer), see _c_policy."""
        client = self.sync.cluster.client
        made = client._policy(kind, self.sync._policy_for("batch", policy), filter_exp,
                              self._txn_of(txn))
        return made, _policy(made, "as_policy_batch")

    def _txn_hold(self, txn: Any, what: str) -> Any:
        txn = self._txn_of(txn)
        if txn is None:
            return None
        return Hold(txn.txn if isinstance(txn, Transaction) else txn, what)

    async def _keys_batch(self, kind: int, keys: Any, bins: Any, policy: Any, filter_exp: Any,
                          txn: Any, decode: Callable[[Any, Any], Any], form: int) -> Any:
        data = pack_keys(keys)
        if data is None:
            return _GENERAL
        made, c_policy = self._batch_policy("batch", policy, filter_exp, txn)  # made: held until sent
        names, keep = _NULL, None
        if bins is not None:
            names, keep = _bin_names(bins)
        held = _Held((), [self._txn_hold(txn, "aio batch")], keys)
        result = self.cluster._command(_BATCH_KEYS, decode, held, kind, c_policy, data,
                                       len(data), len(keys), names, 0 if keep is None else len(keep),
                                       form)
        del keep  # C copied the names
        return result if result is _GENERAL else await result

    async def batch_get(self, keys: Any, bins: Optional[List[str]] = None, *, policy: Any = None,
                        filter_exp: Any = None, txn: Any = None) -> Any:
        """Client.batch_get as one aerospike_batch_read_async (read records of the keys)."""
        keys = listed(keys, "keys")
        bins = None if bins is None else listed(bins, "bins")
        lean = await self._keys_batch(lib.ASC_BATCH_KEYS_GET, keys, bins, policy, filter_exp,
                                      txn, _lean, ROWS_RECORDS)
        if lean is _GENERAL:
            return await self._general("batch_get", keys, bins, policy=policy,
                                       filter_exp=filter_exp, txn=self._txn_of(txn))
        return lean_records(keys, lean)

    async def batch_exists(self, keys: Any, *, policy: Any = None, filter_exp: Any = None,
                           txn: Any = None) -> Any:
        """Client.batch_exists as one aerospike_batch_read_async (metadata-only records)."""
        keys = listed(keys, "keys")
        lean = await self._keys_batch(lib.ASC_BATCH_KEYS_EXISTS, keys, None, policy, filter_exp,
                                      txn, _lean, ROWS_RECORDS)
        if lean is _GENERAL:
            return await self._general("batch_exists", keys, policy=policy,
                                       filter_exp=filter_exp, txn=self._txn_of(txn))
        return [None if record is None else record.meta
                for record in lean_records(keys, lean)]

    async def batch_remove(self, keys: Any, *, policy: Any = None, filter_exp: Any = None,
                           txn: Any = None) -> Any:
        """Client.batch_remove as one aerospike_batch_write_async (remove records)."""
        keys = listed(keys, "keys")
        done = await self._keys_batch(lib.ASC_BATCH_KEYS_REMOVE, keys, None, policy, filter_exp,
                                      txn, _full_rows, lib.ASC_ROWS_FULL)
        if done is _GENERAL:
            return await self._general("batch_remove", keys, policy=policy,
                                       filter_exp=filter_exp, txn=self._txn_of(txn))
        rows, failed = done
        return [_batch_result(r.key, r.result, r.record, r.in_doubt, r.message, failed)
                for r in batch_results(rows)]

    async def batch_records(self, requests: Any, *, policy: Any = None, filter_exp: Any = None,
                            txn: Any = None) -> Any:
        """Client.batch_records as one aerospike_batch_write_async (aerospike_batch_read_async
        when every request reads)."""
        requests = listed(requests, "requests")
        records = c.as_batch_records_init(len(requests))
        try:
            for request in requests:
                _reserve(records, request)
            writes = any(not isinstance(request, BatchRead) for request in requests)
            made, c_policy = self._batch_policy("batch_parent_write" if writes else "batch",
                                                policy, filter_exp, txn)  # made: held until sent
            hold = Hold(records, "aio batch_records")
            held = _Held((), [hold, self._txn_hold(txn, "aio batch_records")])
            submit = hold.guarding(_BATCH, self.cluster._as, _BATCH_UNSENT)
            failed = None
            try:
                await self.cluster._command(submit, _batch_done, held, writes, c_policy, hold.ptr)
            except BatchFailedError as error:
                failed = error  # every record carries its own result
            hold.release()  # completed (a cancelled await leaves it to the pending entry)
            return [_batch_result(r.key, r.result, r.record, r.in_doubt, r.message, failed)
                    for r in batch_outcomes(records)]
        finally:
            records.discard()  # in use until the command completes: freed then

    async def info(self, command: str, *, node: Optional[str] = None,
                   host: Optional[Tuple[str, int]] = None, policy: Any = None) -> str:
        """Client.info as aerospike_info_node_async (no node: a random node, as
        aerospike_info_any; host=: on the executor, C has no async form of it)."""
        if host is not None:
            return await self._general("info", command, node=node, host=host,  # type: ignore[no-any-return]
                                       policy=policy)
        c_policy = _policy(self.sync._policy_for("info", policy), "as_policy_info")
        c_node = _NULL if node is None else ffi.new("char[]", c_str("node", node))
        c_req = ffi.new("char[]", c_str("req", command))
        result = self.cluster._command(_INFO, _info_done, (), c_policy, c_node, c_req)
        return await result  # type: ignore[no-any-return]

    async def _end(self, abort: bool) -> Any:
        transaction = self.sync._bound("abort" if abort else "commit")
        hold = end_hold(transaction.txn, "aio abort" if abort else "aio commit")
        held = _Held((), [hold], transaction)
        submit = hold.guarding(hold.submitting(_TXN_END), self.cluster._as, _TXN_STATE_ERRORS)
        return await self.cluster._command(submit, _ABORT_DONE if abort else _COMMIT_DONE, held,
                                           abort, True, hold.ptr)

    async def commit(self) -> Any:
        """sdk.Session.commit as aerospike_commit_async: the as_commit_status."""
        return await self._end(False)

    async def abort(self) -> Any:
        """sdk.Session.abort as aerospike_abort_async: the as_abort_status."""
        return await self._end(True)

    async def __aexit__(self, exc_type: Any, *exc_info: Any) -> None:
        """Commit on success; on an exception abort (when the transaction is still open), as
        the sync transaction block does."""
        transaction = self.sync._bound("__aexit__")
        if exc_type is None:
            await self.commit()
        elif transaction.state in (c.AS_TXN_STATE_OPEN, c.AS_TXN_STATE_VERIFIED):
            await self.abort()


class Session(_MultiRecord, aio_executor.Session):
    """An `sdk.Session` whose commands are awaitable (same names and arguments)."""

    cluster: Cluster

    def _native(self, key: Any) -> bool:
        """Whether the C async path may take this key: a tuple (the C readers check the rest)."""
        return type(key) is tuple

    async def _general(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return await self.cluster._run(getattr(self.sync, name), *args, **kwargs)

    def _c_policy(self, kind: str, policy: Any, filter_exp: Any = None) -> Tuple[Any, Any]:
        """A native command's C policy: the session's for `kind` (sdk.Session._policy_for),
        with a filter_exp set on a copy as Client sets it (Client._policy), in the session's
        transaction when it is bound to one (a copy with base.txn set: the C async API carries
        the txn in the policy). Returns (the policy, its C pointer): the caller holds the
        policy until the command was sent, as C reads it (and the filter_exp it points at,
        which the policy keeps alive, not the pointer) in the submit."""
        c_policy = self.sync._policy_for(kind, policy)
        if filter_exp is not None:
            c_policy = self.sync.cluster.client._policy(kind, c_policy, filter_exp)
        txn = self.sync.txn
        if txn is not None:
            c_policy = txn_policy(self.cluster._as, kind, c_policy, txn)
        return c_policy, _policy(c_policy, f"as_policy_{kind}")

    def _held(self, key: Any) -> Any:
        """The key, holding the session's transaction until the command completes."""
        txn = self.sync.txn
        return key if txn is None else _Held(key, [Hold(txn.txn, "aio command")])

    async def get(self, key: Any, bins: Optional[Sequence[str]] = None, *, policy: Any = None,
                  filter_exp: Any = None) -> Any:
        """Client.get as aerospike_key_get_async (bins: aerospike_key_select_async)."""
        if self._native(key):
            made, c_policy = self._c_policy("read", policy, filter_exp)  # made: held until sent
            address = _address(c_policy)
            result = (self.cluster._command(_GET, _RECORD, self._held(key), address, False)
                      if bins is None else
                      self.cluster._command(_SELECT, _RECORD, self._held(key), address,
                                             list(bins) if type(bins) is tuple else bins))
            if result is not _GENERAL:
                return await result
        return await self._general("get", key, bins, policy=policy, filter_exp=filter_exp)

    async def select(self, key: Any, bins: Sequence[str], *, policy: Any = None,
                     filter_exp: Any = None) -> Any:
        """Client.select as aerospike_key_select_async."""
        return await self.get(key, bins, policy=policy, filter_exp=filter_exp)

    async def exists(self, key: Any, *, policy: Any = None,
                     filter_exp: Any = None) -> Optional[Dict[str, int]]:
        """Client.exists as aerospike_key_exists_async: {"gen", "ttl"}, None when absent."""
        if self._native(key):
            made, c_policy = self._c_policy("read", policy, filter_exp)  # made: held until sent
            result = self.cluster._command(_GET, _META, self._held(key), _address(c_policy), True)
            if result is not _GENERAL:
                return await result  # type: ignore[no-any-return]
        return await self._general("exists", key, policy=policy,  # type: ignore[no-any-return]
                                   filter_exp=filter_exp)

    async def put(self, key: Any, bins: Mapping[str, Any], *, ttl: Optional[int] = None,
                  gen: Optional[int] = None, policy: Any = None, filter_exp: Any = None) -> None:
        """Client.put as aerospike_key_put_async."""
        if self._native(key):
            made, c_policy = self._c_policy("write", policy, filter_exp)  # made: held until sent
            result = self.cluster._command(_PUT, _NONE, self._held(key), _address(c_policy),
                                           bins, ttl, gen)
            if result is not _GENERAL:
                await result
                return
        await self._general("put", key, bins, ttl=ttl, gen=gen, policy=policy,
                            filter_exp=filter_exp)

    async def remove(self, key: Any, *, policy: Any = None, filter_exp: Any = None) -> None:
        """Client.remove as aerospike_key_remove_async."""
        if self._native(key):
            made, c_policy = self._c_policy("remove", policy, filter_exp)  # made: held until sent
            result = self.cluster._command(_REMOVE, _NONE, self._held(key), _address(c_policy))
            if result is not _GENERAL:
                await result
                return
        await self._general("remove", key, policy=policy, filter_exp=filter_exp)

    async def apply(self, key: Any, module: str, function: str, args: Sequence[Any] = (), *,
                    policy: Any = None, filter_exp: Any = None) -> Any:
        """Client.apply as aerospike_key_apply_async: the UDF's result as a Python value."""
        c_key = _Key(key)
        c_module = ffi.new("char[]", c_str("module", module))
        c_function = ffi.new("char[]", c_str("function", function))
        arglist = ffi.gc(ffi.cast("as_list*", val_to_c(list(args or ()), "arglist")),
                         _destroy_list)
        txn = self.sync.txn
        held = _Held(key, [None if txn is None else Hold(txn.txn, "aio apply")],
                     (c_key, c_module, c_function, arglist))  # C reads them until it sends
        made, c_policy = self._c_policy("apply", policy, filter_exp)  # made: held until sent
        return await self.cluster._command(_APPLY, _applied, held, c_policy,
                                           c_key.ptr, c_module, c_function, arglist)

    async def _operate(self, key: Any, operations: Any, ttl: Optional[int], gen: Optional[int],
                       policy: Tuple[Any, Any], ordered: bool) -> Any:
        """`policy`: _c_policy's pair (held here until the command was sent)."""
        if not self._native(key):
            return _GENERAL
        result = self.cluster._command(_OPERATE, _ORDERED if ordered else _RECORD,
                                       self._held(key), _address(policy[1]),
                                       operations, ttl, gen)
        return result if result is _GENERAL else await result

    async def operate(self, key: Any, operations: Any, *, ttl: Optional[int] = None,
                      gen: Optional[int] = None, policy: Any = None,
                      filter_exp: Any = None) -> Any:
        """Client.operate as aerospike_key_operate_async (CDT operations: on the executor)."""
        result = await self._operate(key, operations, ttl, gen,
                                     self._c_policy("operate", policy, filter_exp), False)
        if result is _GENERAL:
            result = await self._general("operate", key, operations, ttl=ttl, gen=gen,
                                         policy=policy, filter_exp=filter_exp)
        return result

    async def operate_ordered(self, key: Any, operations: Any, *, ttl: Optional[int] = None,
                              gen: Optional[int] = None, policy: Any = None,
                              filter_exp: Any = None) -> Any:
        """Client.operate_ordered as aerospike_key_operate_async (respond_all_ops set)."""
        made = self._c_policy("operate", {**(policy or {}), "respond_all_ops": True},
                              filter_exp) if policy is None or isinstance(policy, Mapping) \
            else None
        result = _GENERAL if made is None else await self._operate(
            key, operations, ttl, gen, made, True)
        if result is _GENERAL:
            result = await self._general("operate_ordered", key, operations, ttl=ttl, gen=gen,
                                         policy=policy, filter_exp=filter_exp)
        return result

    async def touch(self, key: Any, ttl: Optional[int] = None, *, policy: Any = None,
                    filter_exp: Any = None) -> Dict[str, int]:
        """Client.touch: an operate of ops.touch()."""
        return (await self.operate(key, [ops.touch()], ttl=ttl, policy=policy,  # type: ignore[no-any-return]
                                   filter_exp=filter_exp)).meta

    async def increment(self, key: Any, bin_name: str, by: Any = 1, *, ttl: Optional[int] = None,
                        policy: Any = None, filter_exp: Any = None) -> Any:
        """Client.increment: an operate of ops.incr() and ops.read(); the new value."""
        record = await self.operate(key, [ops.incr(bin_name, by), ops.read(bin_name)], ttl=ttl,
                                    policy=policy, filter_exp=filter_exp)
        return record.bins.get(bin_name)

    async def append(self, key: Any, bin_name: str, value: Any, *, ttl: Optional[int] = None,
                     policy: Any = None, filter_exp: Any = None) -> None:
        """Client.append: an operate of ops.append()."""
        await self.operate(key, [ops.append(bin_name, value)], ttl=ttl, policy=policy,
                           filter_exp=filter_exp)

    async def prepend(self, key: Any, bin_name: str, value: Any, *, ttl: Optional[int] = None,
                      policy: Any = None, filter_exp: Any = None) -> None:
        """Client.prepend: an operate of ops.prepend()."""
        await self.operate(key, [ops.prepend(bin_name, value)], ttl=ttl, policy=policy,
                           filter_exp=filter_exp)


    # -- scans and queries: C async scans (_aio_streams) ------------------------------------
    def _stream_policy(self, kind: str, policy: Any, filter_exp: Any, buffer: Optional[int],
                       chunk: int) -> Any:
        """An owned copy of the policy a scan/query of this session runs with (a resumed run
        may change its max_records), once buffer and chunk are checked."""
        _aio_streams.check_sizes(buffer, chunk)
        client = self.sync.cluster.client
        given = client._policy(kind, self.sync._policy_for(kind, policy), filter_exp)
        return policy_from_config(client.aerospike, kind) if given is None else policy_copy(given)

    def scan(self, namespace: str, set: Optional[str] = None, *,  # noqa: A002 - Client's name
             bins: Optional[Sequence[str]] = None, no_bins: bool = False,
             concurrent: bool = False, partitions: Any = None, policy: Any = None,
             buffer: Optional[int] = None, filter_exp: Any = None,
             chunk: int = 64) -> AsyncIterator[Record]:
        """Async iterator over `sdk.Session.scan` (Client.scan's arguments) as
        aerospike_scan_async / aerospike_scan_partitions_async: at most `buffer` records wait
        (plus one chunk; None: 16384 records or 16 MiB, see _aio_streams on why not fewer),
        the loop takes up to `chunk` at a time."""
        def make() -> _aio_streams.Stream:
            c_policy = self._stream_policy("scan", policy, filter_exp, buffer, chunk)
            target = self.sync.cluster.client._scan(namespace, set, bins, no_bins, concurrent)
            return _aio_streams.open_stream(self.cluster, _aio_streams.SCANS, c_policy, target,
                                            as_scan_set_paginate, partitions, buffer, None)
        return _aio_streams.iterate(make, chunk)

    def query(self, namespace: str, set: Optional[str] = None, *,  # noqa: A002 - Client's name
              where: Any = None, bins: Optional[Sequence[str]] = None, no_bins: bool = False,
              max_records: int = 0, partitions: Any = None, policy: Any = None,
              buffer: Optional[int] = None, filter_exp: Any = None,
              chunk: int = 64) -> AsyncIterator[Record]:
        """Async iterator over `sdk.Session.query` (Client.query's arguments) as
        aerospike_query_async / aerospike_query_partitions_async; see scan()."""
        def make() -> _aio_streams.Stream:
            c_policy = self._stream_policy("query", policy, filter_exp, buffer, chunk)
            target = self.sync.cluster.client._query(namespace, set, where, bins, no_bins,
                                                     max_records)
            return _aio_streams.open_stream(self.cluster, _aio_streams.QUERIES, c_policy, target,
                                            as_query_set_paginate, partitions, buffer,
                                            max_records)
        return _aio_streams.iterate(make, chunk)


#: The commands that run as C async commands (the rest: on the executor).
NATIVE: Tuple[str, ...] = (
    "get", "select", "exists", "put", "remove", "operate", "operate_ordered", "touch", "increment",
    "append", "prepend", "apply", "scan", "query",
    "batch_get", "batch_exists", "batch_remove", "batch_records", "info", "commit", "abort")
