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
(aerospike_key_*_async on its libev event loops, one C call each from the asyncio loop:
the key, bins and operations go in as msgpack, as in the sync fast path). Their C listeners
append completions to a C queue of the cluster's whose eventfd the asyncio loop watches
(`add_reader`); one read takes every completion waiting, so many commands finishing at once
cost one wakeup, and no C thread ever waits for the GIL. No thread per call, no executor.
Works with any asyncio loop that implements add_reader (the default one, uvloop).

The event loops are the C client's, process-wide: the first connect() creates them
(`event_loops` threads, `event_policy` as as_policy_event fields: create_event_loops())
unless the application did (as_create_event_loops or create_event_loops); later connects use
them as they are (ValueError when their policy differs from the one given). As in C they
must exist before any instance connects: an application that connects sync clients first
calls create_event_loops() at start.

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
iterates or closing the cluster stops the C scan. Aggregations and the other commands (apply,
info, batch, background jobs, truncate...) still run on the cluster's executor as in
`aerospike_c.aio_executor`. close() stops the scans, waits for every command in flight
(native or not), then closes the cluster; it is idempotent and survives the cancellation of
its caller.

Fork: the C event loops do not survive fork(); in a child, commands of a cluster made in the
parent raise LifecycleError.
"""
from __future__ import annotations

import asyncio
import collections
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AsyncIterator, Callable, Deque, Dict, List, Mapping, Optional, Sequence, Tuple

from . import aio_executor, sdk
from .bindings import _async
from .bindings.as_event import (as_create_event_loops, as_event_loop_size, as_policy_event_init,
                                check_usable, loop_limits, used_by)
from .bindings.as_error import lifecycle_error, new_error
from .bindings.as_record import Record
from .bindings.as_val import _unpack, new_packer
from .bindings.asc_key import _OP_CODES
from .bindings._calls import policy_arg
from .bindings._cstruct import c_ttl, set_fields

_new_record = functools.partial(tuple.__new__, Record)  # Record(key, meta, bins) without a Python call
_PACK_ERRORS = (TypeError, ValueError, OverflowError)  # what packing a key or bins raises for bad input
_OP_ERRORS = (KeyError, AttributeError, TypeError, ValueError, OverflowError)  # ... an operation list
from ._records import ops
from ._aerospike import ffi, lib
from . import _aio_streams
from .bindings.as_policy import policy_copy, policy_from_config
from .bindings.as_query import as_query_set_paginate
from .bindings.as_scan import as_scan_set_paginate
from .sdk import ClusterEvent, ClusterStats, Host

__all__ = ["ClusterDefinition", "Cluster", "Session", "Host", "ClusterStats", "ClusterEvent",
           "create_event_loops"]

_NULL = ffi.NULL
_BAD_INPUT = lib.ASC_BAD_INPUT
_NOT_FOUND = lib.AEROSPIKE_ERR_RECORD_NOT_FOUND
_GET, _PUT = lib.asc_async_get_packed, lib.asc_async_put_packed
_REMOVE, _OPERATE = lib.asc_async_remove_packed, lib.asc_async_operate_packed
_GENERAL = object()  # the fast path does not take these arguments: the executor does
_QUEUE_FULL = ("wait", "error")
DEFAULT_QUEUE = 4096
DEFAULT_ASYNC_MAX_CONNS = 100  # as_config's async_max_conns_per_node default


def create_event_loops(count: int = 1, policy: Optional[Mapping[str, int]] = None,
                       async_max_conns_per_node: int = DEFAULT_ASYNC_MAX_CONNS) -> None:
    """Create the C event loops aio runs on, unless they exist (then check `policy` against
    theirs). connect() calls it; call it first when sync instances connect before aio does
    (the loops must exist before any instance connects). The default policy keeps each loop
    within its share of async_max_conns_per_node connections to one node."""
    check_usable("aio.create_event_loops")
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
        return
    c_policy = as_policy_event_init()
    set_fields(c_policy, wanted)
    as_create_event_loops(c_policy, count)


class ClusterDefinition(aio_executor.ClusterDefinition):
    """`sdk.ClusterDefinition` with an awaitable `connect()`; same arguments, plus
    `event_loops` (C event loop threads, created by the first connect), `event_policy`
    (as_policy_event fields: max_commands_in_process, max_commands_in_queue,
    queue_initial_capacity), `on_queue_full` ("wait" or "error") and `executor_workers`
    (threads for the commands not run natively; default max_conns_per_node)."""

    def __init__(self, *seeds: Any, event_loops: int = 1,
                 event_policy: Optional[Mapping[str, int]] = None, on_queue_full: str = "wait",
                 executor_workers: Optional[int] = None, **options: Any) -> None:
        super().__init__(*seeds, executor_workers=executor_workers, **options)
        if isinstance(event_loops, bool) or not isinstance(event_loops, int) or event_loops < 1:
            raise ValueError(f"event_loops must be a positive int, got {event_loops!r}")
        if on_queue_full not in _QUEUE_FULL:
            raise ValueError(f"on_queue_full must be one of {_QUEUE_FULL}, got {on_queue_full!r}")
        if event_policy is not None:
            set_fields(as_policy_event_init(), event_policy)  # checks the fields now
            event_policy = dict(event_policy)
        self.event_loops = event_loops
        self.event_policy = event_policy
        self.on_queue_full = on_queue_full

    async def connect(self) -> "Cluster":
        """Create the event loops if needed (before connecting, as C requires), then seed
        and discover on a worker thread: the connected `Cluster`."""
        async_max = int(self.sync.config.to_as_config().async_max_conns_per_node)
        create_event_loops(self.event_loops, self.event_policy, async_max)
        cluster = await super().connect()
        assert isinstance(cluster, Cluster)
        return cluster

    def _cluster(self, sync_cluster: sdk.Cluster, executor: ThreadPoolExecutor,
                 loop: asyncio.AbstractEventLoop) -> "Cluster":
        return Cluster(sync_cluster, executor, loop, self.on_queue_full)


Pending = Tuple["asyncio.Future[Any]", Callable[[Any, Any], Any], Any]


class Cluster(aio_executor.Cluster):
    """An `sdk.Cluster` for asyncio whose single-record commands are C async commands."""

    def __init__(self, sync_cluster: sdk.Cluster, executor: ThreadPoolExecutor,
                 loop: asyncio.AbstractEventLoop, on_queue_full: str = "wait") -> None:
        super().__init__(sync_cluster, executor, loop)
        self._as = sync_cluster.client.aerospike
        self._guard = self._as._guard
        self._queue = _async.CompletionQueue()
        self._cq = self._queue.c_queue
        self._err = new_error()
        self._packer = new_packer()
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

    @property
    def _session_class(self) -> "type[Session]":
        return Session

    # -- completions -------------------------------------------------------------------------
    def _drain(self) -> None:
        self._queue.drain(self._complete)

    def _complete(self, items: Any, n: int) -> None:
        pending = self._pending
        for i in range(n):
            item = items[i]
            future, decode, key = pending.pop(item.id)
            if future is None:  # a scan/query (_aio_streams.Stream): each of its completions
                decode(item)
                continue
            if future.done():
                continue  # cancelled: the result is dropped
            status = item.status
            if status == 0:
                try:
                    future.set_result(decode(item, key))
                except Exception as exc:  # noqa: BLE001 - a value with no Python form
                    future.set_exception(exc)
            elif status == _NOT_FOUND and decode is _exists_meta:
                future.set_result(None)
            else:
                future.set_exception(_async.completion_error(item))
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

    def _command(self, submit: Any, decode: Callable[[Any, Any], Any], key: Any,
                 *args: Any) -> Any:
        """submit(guard, queue, id, err, *args, NULL) as one C call: the future of its
        completion (or an awaitable that first waits for backpressure), or _GENERAL when the
        fast path refuses the arguments (nothing was sent)."""
        if self._closing:
            raise lifecycle_error("aio.Cluster: the cluster is closed")
        if asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("an aio.Cluster is used from the event loop that connected it")
        if len(self._pending) >= self._limit or self._waiters:
            return self._after_slot(submit, decode, key, args)
        return self._send(submit, decode, key, args)

    def _send(self, submit: Any, decode: Callable[[Any, Any], Any], key: Any,
              args: Tuple[Any, ...]) -> Any:
        command_id = self._next_id()
        status = submit(self._guard, self._cq, command_id, self._err, *args, _NULL)
        if status:
            if status == _BAD_INPUT:
                return _GENERAL
            raise _async.submit_error(self._as, submit.__name__, status, self._err)
        future = self._loop.create_future()
        self._pending[command_id] = (future, decode, key)
        return future

    async def _after_slot(self, submit: Any, decode: Callable[[Any, Any], Any], key: Any,
                          args: Tuple[Any, ...]) -> Any:
        """Backpressure: wait for a slot (first come, first served), then send."""
        while True:
            await self._slot()
            if self._closing:
                raise lifecycle_error("aio.Cluster: the cluster is closed")
            if len(self._pending) < self._limit:
                break
        sent = self._send(submit, decode, key, args)
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
        self._queue.destroy()


def _record(item: Any, key: Any) -> Record:
    gen, ttl, digest, bins = _unpack(ffi.buffer(item.data, item.size))
    return _new_record(((key[0], key[1], key[2], digest), {"gen": gen, "ttl": ttl}, bins))


def _operated(item: Any, key: Any) -> Record:
    result = _unpack(ffi.buffer(item.data, item.size))
    if result is None:
        return _new_record(((key[0], key[1], key[2], None), {}, {}))
    gen, ttl, digest, bins = result
    return _new_record(((key[0], key[1], key[2], digest), {"gen": gen, "ttl": ttl}, bins))


def _ordered(item: Any, key: Any) -> Any:
    result = _unpack(ffi.buffer(item.data, item.size))
    if result is None:
        return (key[0], key[1], key[2], None), {}, []
    gen, ttl, digest, bins = result
    pairs = iter(bins)
    return (key[0], key[1], key[2], digest), {"gen": gen, "ttl": ttl}, list(zip(pairs, pairs))


def _exists_meta(item: Any, key: Any) -> Dict[str, int]:
    return {"gen": item.gen, "ttl": item.ttl}


def _nothing(item: Any, key: Any) -> None:
    return None


def _policy(policy: Any, ctype: str) -> Any:
    return _NULL if policy is None else policy_arg(policy, ctype)


class Session(aio_executor.Session):
    """An `sdk.Session` whose commands are awaitable (same names and arguments)."""

    cluster: Cluster

    def _key(self, key: Any) -> Optional[bytes]:
        """The key as the msgpack the C readers take; None: not a key tuple this path takes,
        or a session bound to a transaction (its commands carry txn=: on the executor)."""
        if type(key) is not tuple or self.sync.txn is not None:
            return None
        try:
            return self.cluster._packer.pack(key)  # type: ignore[no-any-return]
        except _PACK_ERRORS:
            return None

    async def _general(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return await self.cluster._run(getattr(self.sync, name), *args, **kwargs)

    async def get(self, key: Any, bins: Optional[List[str]] = None, *, policy: Any = None) -> Any:
        """Client.get as aerospike_key_get_async (select: on the executor)."""
        data = self._key(key) if bins is None else None
        if data is not None:
            c_policy = _policy(self.sync._policy_for("read", policy), "as_policy_read")
            result = self.cluster._command(_GET, _record, key, c_policy, data, len(data), False)
            if result is not _GENERAL:
                return await result
        return await self._general("get", key, bins, policy=policy)

    async def exists(self, key: Any, *, policy: Any = None) -> Optional[Dict[str, int]]:
        """Client.exists as aerospike_key_exists_async: {"gen", "ttl"}, None when absent."""
        data = self._key(key)
        if data is not None:
            c_policy = _policy(self.sync._policy_for("read", policy), "as_policy_read")
            result = self.cluster._command(_GET, _exists_meta, key, c_policy, data, len(data),
                                           True)
            if result is not _GENERAL:
                return await result  # type: ignore[no-any-return]
        return await self._general("exists", key, policy=policy)  # type: ignore[no-any-return]

    async def put(self, key: Any, bins: Mapping[str, Any], *, ttl: Optional[int] = None,
                  gen: Optional[int] = None, policy: Any = None) -> None:
        """Client.put as aerospike_key_put_async."""
        if type(key) is tuple and type(bins) is dict and self.sync.txn is None:
            c_policy = _policy(self.sync._policy_for("write", policy), "as_policy_write")
            packer = self.cluster._packer
            try:
                data, packed = packer.pack(key), packer.pack(bins)
            except _PACK_ERRORS:
                data = None
            if data is not None:
                c_ttl_ = 0 if ttl is None else c_ttl("ttl", ttl)
                result = self.cluster._command(
                    _PUT, _nothing, key, c_policy, data, len(data), packed, len(packed), c_ttl_,
                    0 if gen is None else gen)
                if result is not _GENERAL:
                    await result
                    return
        await self._general("put", key, bins, ttl=ttl, gen=gen, policy=policy)

    async def remove(self, key: Any, *, policy: Any = None) -> None:
        """Client.remove as aerospike_key_remove_async."""
        data = self._key(key)
        if data is not None:
            c_policy = _policy(self.sync._policy_for("remove", policy), "as_policy_remove")
            result = self.cluster._command(_REMOVE, _nothing, key, c_policy, data, len(data))
            if result is not _GENERAL:
                await result
                return
        await self._general("remove", key, policy=policy)

    async def _operate(self, key: Any, operations: Any, ttl: Optional[int], gen: Optional[int],
                       c_policy: Any, ordered: bool) -> Any:
        if type(key) is not tuple or type(operations) is not list or self.sync.txn is not None:
            return _GENERAL
        packer = self.cluster._packer
        try:
            data = packer.pack(key)
            packed = packer.pack([(_OP_CODES[op.function], *op.args) for op in operations])
        except _OP_ERRORS:
            return _GENERAL
        c_ttl_ = 0 if ttl is None else c_ttl("ttl", ttl)
        result = self.cluster._command(
            _OPERATE, _ordered if ordered else _operated, key, _policy(c_policy, "as_policy_operate"),
            data, len(data), packed, len(packed), c_ttl_, 0 if gen is None else gen, ordered)
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
NATIVE = ("get", "exists", "put", "remove", "operate", "operate_ordered", "touch", "increment",
          "append", "prepend", "scan", "query")
