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
  Close clusters with `await cluster.close()` (an instance closed from another thread while
  no asyncio loop runs would wait for one).
- "threads": `event_loops` C threads run the loops (as_create_event_loops); completions wake
  the asyncio loop through the queue's eventfd (one cross-thread wakeup each way per batch).
  What the C-named async API (bindings/aerospike_key.py's *_async functions with Python
  listeners) needs, and what create_event_loops() makes by default.

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
A command still waiting for backpressure is never sent. Scans and queries (async iterators)
and the other commands (apply, info, batch, background jobs, truncate...) still run on the
cluster's executor as in `aerospike_c.aio_executor` (see its doc: leaving a scan stops its C
scan). close() stops the scans, waits for every command in flight (native or not), then
closes the cluster; it is idempotent and survives the cancellation of its caller.

Fork: the C event loops do not survive fork(); in a child, commands of a cluster made in the
parent raise LifecycleError.
"""
from __future__ import annotations

import asyncio
import collections
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Tuple

from . import aio_executor, sdk
from .bindings import _async
from .bindings.as_event import (as_create_event_loops, as_event_loop_size, as_policy_event_init,
                                check_usable, create_external_loop, loop_limits, used_by)
from .bindings.as_error import lifecycle_error
from .bindings._cstruct import set_fields
from ._records import ops
from ._aerospike import ffi, lib
from .sdk import ClusterEvent, ClusterStats, Host

__all__ = ["ClusterDefinition", "Cluster", "Session", "Host", "ClusterStats", "ClusterEvent",
           "create_event_loops"]

_NULL = ffi.NULL
_GET, _PUT, _REMOVE, _OPERATE = _async._py_get, _async._py_put, _async._py_remove, _async._py_operate
_DRAIN = _async._py_drain
_NONE, _RECORD, _ORDERED, _META = lib.ASC_AIO_NONE, lib.ASC_AIO_RECORD, lib.ASC_AIO_ORDERED, lib.ASC_AIO_META
_GENERAL = object()  # the fast path does not take these arguments: the executor does
_QUEUE_FULL = ("wait", "error")
_LOOP_MODES = ("threads", "asyncio")
DEFAULT_QUEUE = 4096
DEFAULT_ASYNC_MAX_CONNS = 100  # as_config's async_max_conns_per_node default


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
    no cross-thread wakeup either way."""

    def __init__(self, policy: Any) -> None:
        global _EXTERNAL
        self.loop = asyncio.get_running_loop()
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
        self.fd = int(lib.asc_ev_backend_fd(ev))
        self.clusters: List["Cluster"] = []
        self._timer: Optional[asyncio.TimerHandle] = None
        self._timer_at = 0.0
        self._kicked = False
        self.loop.add_reader(self.fd, self.run)
        _EXTERNAL = self

    def check_loop(self) -> None:
        """A connect on the running asyncio loop: the one running the C loop, or a new one
        taking it over from a loop that was closed (its clusters are dropped from the drain:
        their commands still end, counted out by their C listeners)."""
        running = asyncio.get_running_loop()
        if running is self.loop:
            return
        if not self.loop.is_closed():
            raise RuntimeError("loop_mode 'asyncio': the C event loop is run by another asyncio "
                               "loop that is not closed; use the clusters there")
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._kicked = False
        self.clusters = []
        self.loop = running
        lib.asc_ev_adopt(lib.as_event_loop_get_by_index(0))
        running.add_reader(self.fd, self.run)

    def run(self) -> None:
        """One ev_run(EVRUN_NOWAIT), the clusters' completions, the next libev timer."""
        due = lib.asc_ev_run(self.ev)
        if due >= 0:
            at = self.loop.time() + due
            if self._timer is None or at < self._timer_at - 0.0005:
                if self._timer is not None:
                    self._timer.cancel()
                self._timer = self.loop.call_at(at, self._on_timer)
                self._timer_at = at
        for cluster in self.clusters:
            cluster._drain()

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


_EXTERNAL: Optional[_ExternalLoop] = None


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


Pending = Tuple["asyncio.Future[Any]", int, Any]  # (future, ASC_AIO_* result kind, key)


class Cluster(aio_executor.Cluster):
    """An `sdk.Cluster` for asyncio whose single-record commands are C async commands."""

    def __init__(self, sync_cluster: sdk.Cluster, executor: ThreadPoolExecutor,
                 loop: asyncio.AbstractEventLoop, on_queue_full: str = "wait") -> None:
        super().__init__(sync_cluster, executor, loop)
        self._as = sync_cluster.client.aerospike
        self._guard = self._as._guard
        self._queue = _async.CompletionQueue()
        self._cq = int(ffi.cast("uintptr_t", self._queue.c_queue))
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
            self._external.clusters.append(self)

    @property
    def _session_class(self) -> "type[Session]":
        return Session

    # -- completions -------------------------------------------------------------------------
    def _drain(self) -> None:
        pending = self._pending
        if _DRAIN(self._cq, pending) == 0 and not self._waiters and self._idle is None:
            return
        waiters = self._waiters
        while waiters and len(pending) < self._limit:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
        if not pending and self._idle is not None and not self._idle.done():
            self._idle.set_result(None)

    async def _slot(self) -> None:
        waiter = self._loop.create_future()
        self._waiters.append(waiter)
        await waiter

    def _command(self, submit: Any, kind: int, key: Any, *args: Any) -> Any:
        """submit(as_, queue, id, policy, key, *args) as one C call: the future of its
        completion (or an awaitable that first waits for backpressure), or _GENERAL when the
        fast path refuses the arguments (nothing was sent)."""
        if self._closing:
            raise lifecycle_error("aio.Cluster: the cluster is closed")
        if asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("an aio.Cluster is used from the event loop that connected it")
        if len(self._pending) >= self._limit or self._waiters:
            return self._after_slot(submit, kind, key, args)
        return self._send(submit, kind, key, args)

    def _send(self, submit: Any, kind: int, key: Any, args: Tuple[Any, ...]) -> Any:
        command_id = self._next_id()
        if submit(self._as, self._cq, command_id, args[0], key, *args[1:]) is None:
            return _GENERAL
        future = self._loop.create_future()
        pending = self._pending
        pending[command_id] = (future, kind, key)
        if self._external is not None:
            self._external.sent(len(pending) == 1)
        return future

    async def _after_slot(self, submit: Any, kind: int, key: Any,
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
            self._external.clusters.remove(self)
        self._queue.destroy()


class Session(aio_executor.Session):
    """An `sdk.Session` whose commands are awaitable (same names and arguments)."""

    cluster: Cluster

    def _native(self, key: Any) -> bool:
        """Whether the C async path may take this key: a tuple (the C readers check the
        rest), and no transaction (its commands carry txn=: on the executor)."""
        return type(key) is tuple and self.sync.txn is None

    async def _general(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return await self.cluster._run(getattr(self.sync, name), *args, **kwargs)

    async def get(self, key: Any, bins: Optional[List[str]] = None, *, policy: Any = None) -> Any:
        """Client.get as aerospike_key_get_async (select: on the executor)."""
        if bins is None and self._native(key):
            result = self.cluster._command(_GET, _RECORD, key,
                                           self.sync._policy_for("read", policy), False)
            if result is not _GENERAL:
                return await result
        return await self._general("get", key, bins, policy=policy)

    async def exists(self, key: Any, *, policy: Any = None) -> Optional[Dict[str, int]]:
        """Client.exists as aerospike_key_exists_async: {"gen", "ttl"}, None when absent."""
        if self._native(key):
            result = self.cluster._command(_GET, _META, key,
                                           self.sync._policy_for("read", policy), True)
            if result is not _GENERAL:
                return await result  # type: ignore[no-any-return]
        return await self._general("exists", key, policy=policy)  # type: ignore[no-any-return]

    async def put(self, key: Any, bins: Mapping[str, Any], *, ttl: Optional[int] = None,
                  gen: Optional[int] = None, policy: Any = None) -> None:
        """Client.put as aerospike_key_put_async."""
        if self._native(key):
            result = self.cluster._command(_PUT, _NONE, key, self.sync._policy_for("write", policy),
                                           bins, ttl, gen)
            if result is not _GENERAL:
                await result
                return
        await self._general("put", key, bins, ttl=ttl, gen=gen, policy=policy)

    async def remove(self, key: Any, *, policy: Any = None) -> None:
        """Client.remove as aerospike_key_remove_async."""
        if self._native(key):
            result = self.cluster._command(_REMOVE, _NONE, key,
                                           self.sync._policy_for("remove", policy))
            if result is not _GENERAL:
                await result
                return
        await self._general("remove", key, policy=policy)

    async def _operate(self, key: Any, operations: Any, ttl: Optional[int], gen: Optional[int],
                       c_policy: Any, ordered: bool) -> Any:
        if not self._native(key):
            return _GENERAL
        result = self.cluster._command(_OPERATE, _ORDERED if ordered else _RECORD, key, c_policy,
                                       operations, ttl, gen)
        return result if result is _GENERAL else await result

    async def operate(self, key: Any, operations: Any, *, ttl: Optional[int] = None,
                      gen: Optional[int] = None, policy: Any = None) -> Any:
        """Client.operate as aerospike_key_operate_async (CDT operations: on the executor)."""
        result = await self._operate(key, operations, ttl, gen,
                                     self.sync._policy_for("operate", policy), False)
        if result is _GENERAL:
            result = await self._general("operate", key, operations, ttl=ttl, gen=gen, policy=policy)
        return result

    async def operate_ordered(self, key: Any, operations: Any, *, ttl: Optional[int] = None,
                              gen: Optional[int] = None, policy: Any = None) -> Any:
        """Client.operate_ordered as aerospike_key_operate_async (respond_all_ops set)."""
        c_policy = self.sync._policy_for("operate", {**(policy or {}), "respond_all_ops": True}) \
            if policy is None or isinstance(policy, Mapping) else None
        result = _GENERAL if c_policy is None else await self._operate(
            key, operations, ttl, gen, c_policy, True)
        if result is _GENERAL:
            result = await self._general("operate_ordered", key, operations, ttl=ttl, gen=gen,
                                         policy=policy)
        return result

    async def touch(self, key: Any, ttl: Optional[int] = None, *, policy: Any = None) -> Dict[str, int]:
        """Client.touch: an operate of ops.touch()."""
        return (await self.operate(key, [ops.touch()], ttl=ttl, policy=policy)).meta  # type: ignore[no-any-return]

    async def increment(self, key: Any, bin_name: str, by: Any = 1, *, ttl: Optional[int] = None,
                        policy: Any = None) -> Any:
        """Client.increment: an operate of ops.incr() and ops.read(); the new value."""
        record = await self.operate(key, [ops.incr(bin_name, by), ops.read(bin_name)], ttl=ttl,
                                    policy=policy)
        return record.bins.get(bin_name)

    async def append(self, key: Any, bin_name: str, value: Any, *, ttl: Optional[int] = None,
                     policy: Any = None) -> None:
        """Client.append: an operate of ops.append()."""
        await self.operate(key, [ops.append(bin_name, value)], ttl=ttl, policy=policy)

    async def prepend(self, key: Any, bin_name: str, value: Any, *, ttl: Optional[int] = None,
                      policy: Any = None) -> None:
        """Client.prepend: an operate of ops.prepend()."""
        await self.operate(key, [ops.prepend(bin_name, value)], ttl=ttl, policy=policy)


#: The commands that run as C async commands (the rest: on the executor).
NATIVE = ("get", "exists", "put", "remove", "operate", "operate_ordered", "touch", "increment",
          "append", "prepend")
