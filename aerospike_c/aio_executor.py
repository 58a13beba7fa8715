"""The executor-based asyncio flavour of `aerospike_c.sdk` (the previous `aerospike_c.aio`).

`aerospike_c.aio` runs its commands on the C client's own event loops; this module is the
thread-per-call design it replaced, kept for the benchmarks' comparison (benchmarks/) and
as the base `aio` builds on for the commands it does not run natively yet.

    from aerospike_c.aio_executor import ClusterDefinition, Host

    async def main():
        async with await ClusterDefinition("127.0.0.1", 3000).connect() as cluster:
            session = cluster.create_session(read={"total_timeout": 50})
            await session.put(("test", "demo", 1), {"a": 1})
            record = await session.get(("test", "demo", 1))
            print(await cluster.ping(), cluster.get_stats().total_connections)

How it is built: every awaitable call here runs the
synchronous C call on a thread of a `ThreadPoolExecutor` that belongs to the cluster and
is bounded (default: max_conns_per_node threads, the most connections one node's pool
gives out at once); cffi releases the GIL for the whole C call, so up to that many calls
run in parallel while the event loop only awaits a future. What runs on the loop itself
is memory-only: is_connected(), get_stats(), node_names(), creating sessions.

Cost: one executor hand-off per call (submit, a worker thread wakes, the result comes
back through call_soon_threadsafe) - tens of microseconds on top of the sync call; see
docs/CONNECTIONS.md for measured figures. Cancelling an await does not stop a
single-record C command: it finishes (within its policy timeouts) on its thread and its
result is dropped. Scans and queries are async iterators fed by the C callback through a
bounded buffer: leaving the loop, cancelling the task that iterates, or closing the
cluster stops the C scan at its next callback and frees its thread. `close()` stops the
scans, waits for the calls in flight, then closes the cluster; it is idempotent, and
cancelling the task that awaits it does not cancel the close (a later `close()` awaits
the same one). Cluster-event listeners added here run on the event loop (scheduled from
the tend thread).
"""
from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import inspect
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import (Any, AsyncIterator, Callable, Deque, List, Mapping, Optional, Set, Tuple,
                    TypeVar)

from . import sdk
from .client import Client
from .bindings.as_error import lifecycle_error
from .sdk import ClusterEvent, ClusterEventListener, ClusterStats, Host

__all__ = ["ClusterDefinition", "Cluster", "Session", "Host", "ClusterStats", "ClusterEvent"]

T = TypeVar("T")


class ClusterDefinition:
    """`sdk.ClusterDefinition` with an awaitable `connect()`; same arguments, plus
    `executor_workers` (threads for blocking calls; default max_conns_per_node)."""

    def __init__(self, *seeds: Any, executor_workers: Optional[int] = None, **options: Any) -> None:
        self.sync = sdk.ClusterDefinition(*seeds, **options)
        workers = self.sync.max_conns_per_node if executor_workers is None else executor_workers
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"executor_workers must be a positive int, got {workers!r}")
        self.executor_workers = workers

    async def connect(self) -> "Cluster":
        """Seed and discover on a worker thread; the connected `Cluster`."""
        loop = asyncio.get_running_loop()
        executor = ThreadPoolExecutor(max_workers=self.executor_workers,
                                      thread_name_prefix="aerospike_c.aio")
        future = loop.run_in_executor(executor, self.sync.connect)
        try:
            sync_cluster = await future
        except asyncio.CancelledError:
            # The connect goes on in its thread: close what it makes (off the loop).
            future.add_done_callback(functools.partial(_close_when_done, loop))
            executor.shutdown(wait=False)
            raise
        except BaseException:
            await _shut_down(executor)
            raise
        return self._cluster(sync_cluster, executor, loop)

    def _cluster(self, sync_cluster: sdk.Cluster, executor: ThreadPoolExecutor,
                 loop: asyncio.AbstractEventLoop) -> "Cluster":
        return Cluster(sync_cluster, executor, loop)

    def __repr__(self) -> str:
        return f"aio.{self.sync!r}"


async def _shut_down(executor: ThreadPoolExecutor) -> None:
    """Stop the executor's (idle) threads, joining them off the event loop."""
    await asyncio.get_running_loop().run_in_executor(None, executor.shutdown)


def _close_when_done(loop: asyncio.AbstractEventLoop, future: "asyncio.Future[sdk.Cluster]") -> None:
    if not future.cancelled() and future.exception() is None:
        loop.run_in_executor(None, future.result().close)


class Cluster:
    """An `sdk.Cluster` for asyncio: blocking calls are awaited, never run on the loop."""

    def __init__(self, sync_cluster: sdk.Cluster, executor: ThreadPoolExecutor,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.sync = sync_cluster
        self._executor = executor
        self._loop = loop
        # Executor jobs, not their asyncio wrappers: a cancelled await leaves its C call
        # running, and close() must wait for it.
        self._in_flight: Set["concurrent.futures.Future[Any]"] = set()
        # Feeds of scans/queries not yet finished (stopped before the cluster closes).
        self._streams: Set["_Feed"] = set()
        self._closing = False
        self._close_task: "Optional[asyncio.Task[None]]" = None

    async def _run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Await function(*args, **kwargs) run on the cluster's executor."""
        if self._closing:
            raise lifecycle_error("aio.Cluster: the cluster is closed")
        return await self._submit(functools.partial(function, *args, **kwargs))

    def _submit(self, call: Callable[[], T]) -> "asyncio.Future[T]":
        if asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("an aio.Cluster is used from the event loop that connected it")
        job = self._executor.submit(call)
        self._in_flight.add(job)
        job.add_done_callback(self._in_flight.discard)
        return asyncio.wrap_future(job)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closing

    async def close(self) -> None:
        """Stop the scans, wait for the calls in flight, then close the cluster.

        Idempotent; the close runs as its own task, so cancelling the caller (e.g. under
        asyncio.wait_for) leaves it running, and a later close() awaits it (or, if it
        failed, tries again). In a forked child it only marks the cluster closed: its
        executor threads and C loops are the parent's, and its readers are in an epoll the
        parent shares (as sdk.Cluster.close leaves the parent's instance alone)."""
        if self.sync._client._as.forked:
            self._closing = True
            return
        if asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("an aio.Cluster is used from the event loop that connected it")
        task = self._close_task
        if task is None or (task.done() and not task.cancelled() and task.exception() is not None):
            self._closing = True
            task = self._close_task = self._loop.create_task(self._close())
        await asyncio.shield(task)

    async def _close(self) -> None:
        await self._settle()
        await self._loop.run_in_executor(self._executor, self.sync.close)
        await _shut_down(self._executor)

    async def _settle(self) -> None:
        """Stop the scans, then wait for the calls in flight."""
        for feed in list(self._streams):  # abandoned or running iterators: stop their C calls
            feed.stop()
        if self._in_flight:
            await asyncio.wait([asyncio.wrap_future(job) for job in list(self._in_flight)])

    async def __aenter__(self) -> "Cluster":
        if self._closing:
            raise lifecycle_error("aio.Cluster: the cluster is closed")
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<aio.Cluster over {self.sync!r}>"

    # -- health (memory-only reads stay on the loop) -----------------------------------------
    @property
    def is_connected(self) -> sdk.BoolCheck:
        """`sdk.Cluster.is_connected`: a property that may also be called."""
        return sdk.BoolCheck(lambda: not self._closing and self.sync.is_connected())

    def get_stats(self) -> ClusterStats:
        return self.sync.get_stats()

    def node_names(self) -> List[str]:
        return self.sync.node_names()

    async def ping(self, node: Optional[str] = None) -> float:
        """`sdk.Cluster.ping` on a worker thread: seconds for an info round trip."""
        return await self._run(self.sync.ping, node)

    # -- events ------------------------------------------------------------------------------
    def add_event_listener(self, listener: ClusterEventListener) -> ClusterEventListener:
        """Call listener(event) on this event loop for each cluster event. Returns the
        registered wrapper (pass it to remove_event_listener)."""
        if not callable(listener):
            raise TypeError("a cluster event listener must be callable")
        loop = self._loop

        def on_tend_thread(event: ClusterEvent) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(listener, event)

        self.sync.add_event_listener(on_tend_thread)
        return on_tend_thread

    def remove_event_listener(self, registered: ClusterEventListener) -> None:
        self.sync.remove_event_listener(registered)

    def recent_events(self) -> List[ClusterEvent]:
        return self.sync.recent_events()

    # -- sessions ----------------------------------------------------------------------------
    def create_session(self, behavior: None = None, **policies: Mapping[str, Any]) -> "Session":
        return self._session_class(self, self.sync.create_session(behavior, **policies))

    def transaction(self, timeout: Optional[int] = None) -> "Session":
        """`sdk.Cluster.transaction`: a session bound to a new transaction (`async with`)."""
        return self.create_session().transaction(timeout)

    @property
    def _session_class(self) -> "type[Session]":
        return Session


class Session:
    """An `sdk.Session` whose commands are awaitable (same names and arguments)."""

    def __init__(self, cluster: Cluster, sync_session: sdk.Session) -> None:
        self.cluster = cluster
        self.sync = sync_session

    def policy(self, kind: str) -> Any:
        return self.sync.policy(kind)

    # -- transactions (sdk.Session.transaction) ----------------------------------------------
    def transaction(self, timeout: Optional[int] = None) -> "Session":
        """A session bound to a new multi-record transaction; `async with` commits on success
        and aborts on an exception (both run on the executor)."""
        return type(self)(self.cluster, self.sync.transaction(timeout))

    @property
    def txn(self) -> Any:
        """The transaction this session's commands run in (None: none)."""
        return self.sync.txn

    async def commit(self) -> Any:
        """Awaitable `sdk.Session.commit` (aerospike_commit)."""
        return await self.cluster._run(self.sync.commit)

    async def abort(self) -> Any:
        """Awaitable `sdk.Session.abort` (aerospike_abort)."""
        return await self.cluster._run(self.sync.abort)

    async def __aenter__(self) -> "Session":
        self.sync.__enter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.cluster._run(self.sync.__exit__, *exc_info)

    def __repr__(self) -> str:
        return f"<aio.Session over {self.sync!r}>"


def _awaitable(name: str) -> Callable[..., Any]:
    sync_method = getattr(sdk.Session, name)

    async def method(self: Session, *args: Any, **kwargs: Any) -> Any:
        return await self.cluster._run(getattr(self.sync, name), *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Awaitable `sdk.Session.{name}`: {sync_method.__doc__ or ''}".strip()
    return method


class _Feed:
    """Records from a scan/query callback (on C client threads) to an async iterator.

    The callback blocks while `buffer` records wait (so a slow consumer pauses the scan,
    as in the sync iterator) and returns False once stopped, which stops the C scan; the
    loop is woken only when the iterator waits for records. stop() is non-blocking and
    may be called from any thread: it drops what waits and releases a blocked callback.
    It is called when the iterator ends, when the task iterating it ends (cancelled while
    the iterator sat at a `yield`, say) and when the cluster closes; iterating a stopped
    feed further raises LifecycleError (never a silently short result).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, buffer: int) -> None:
        self._loop = loop
        self._buffer = buffer
        self._cond = threading.Condition(threading.Lock())
        self._items: Deque[Any] = collections.deque()
        self._stopped = False
        self._waiter: "Optional[asyncio.Future[None]]" = None

    def put(self, record: Any) -> bool:
        """The C callback: queue `record` (None is C's end-of-scan call); False stops C."""
        if record is None:
            return not self._stopped  # the job's completion tells the iterator
        with self._cond:
            while len(self._items) >= self._buffer and not self._stopped:
                self._cond.wait()
            if self._stopped:
                return False
            self._items.append(record)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._wake(waiter)
        return True

    def _wake(self, waiter: "asyncio.Future[None]") -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(_resolve, waiter)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._items.clear()
            self._cond.notify_all()

    async def take(self, job: "asyncio.Future[Any]", most: int) -> List[Any]:
        """Up to `most` waiting records; [] once the C call has returned and none are left."""
        while True:
            with self._cond:
                if self._stopped:
                    raise lifecycle_error("aio scan/query: stopped, by cluster.close() or "
                                          "because the task that iterated it ended")
                if self._items:
                    count = min(most, len(self._items))
                    batch = [self._items.popleft() for _ in range(count)]
                    self._cond.notify_all()
                    return batch
                if job.done():
                    return []
                waiter = self._waiter = self._loop.create_future()
            await asyncio.wait((waiter, job), return_when=asyncio.FIRST_COMPLETED)


def _release(cluster: Cluster, feed: _Feed, *ignored: Any) -> None:
    feed.stop()
    cluster._streams.discard(feed)


def _resolve(waiter: "asyncio.Future[None]") -> None:
    if not waiter.done():
        waiter.set_result(None)


def _retrieved(future: "asyncio.Future[Any]") -> None:
    if not future.cancelled():
        future.exception()  # a stopped scan's outcome: nobody awaits it, nothing to log


#: The callback form of each stream command, and the arguments it takes before the callback.
_FOREACH = {"scan": ("scan_foreach", ("namespace", "set")),
            "query": ("query_foreach", ("namespace", "set", "where")),
            "aggregate": ("aggregate_foreach", ("namespace", "set", "module", "function", "args"))}


def _foreach_call(session: Session, name: str, args: Tuple[Any, ...],
                  kwargs: Mapping[str, Any]) -> Tuple[Callable[[Callable[[Any], Any]], Any], int]:
    """The sync session's callback command for stream `name` called with these arguments,
    as a function of the callback, and the buffer size."""
    foreach, before = _FOREACH[name]
    bound = inspect.signature(getattr(Client, name)).bind(None, *args, **kwargs)
    bound.apply_defaults()
    params = dict(bound.arguments)
    del params["self"]
    buffer = params.pop("buffer")
    if isinstance(buffer, bool) or not isinstance(buffer, int) or buffer < 1:
        raise ValueError(f"buffer must be a positive int, got {buffer!r}")
    leading = [params.pop(param) for param in before]
    method = getattr(session.sync, foreach)
    return (lambda callback: method(*leading, callback, **params)), buffer


def _async_stream(name: str) -> Callable[..., Any]:
    sync_method = getattr(sdk.Session, name)

    async def method(self: Session, *args: Any, chunk: int = 64, **kwargs: Any) -> AsyncIterator[Any]:
        if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
            raise ValueError(f"chunk must be a positive int, got {chunk!r}")
        cluster = self.cluster
        call, buffer = _foreach_call(self, name, args, kwargs)
        feed = _Feed(cluster._loop, buffer)
        job = asyncio.ensure_future(cluster._run(call, feed.put))
        job.add_done_callback(_retrieved)
        cluster._streams.add(feed)
        release = functools.partial(_release, cluster, feed)
        consumer = asyncio.current_task()
        if consumer is not None:
            consumer.add_done_callback(release)
        try:
            while True:
                batch = await feed.take(job, chunk)
                if not batch:
                    break
                for record in batch:
                    yield record
            await job  # the scan's own error, if it failed
        finally:
            release()  # releases the C callback: C stops, the thread is freed
            if consumer is not None:
                consumer.remove_done_callback(release)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"Async iterator over `sdk.Session.{name}`: the C callback feeds up to "
                      f"`buffer` records, handed to the loop up to `chunk` at a time. "
                      f"{sync_method.__doc__ or ''}").strip()
    return method


for _name in sdk.Session.COMMANDS:  # noqa: E305
    setattr(Session, _name, _awaitable(_name))
for _name in sdk.Session.STREAMS:
    setattr(Session, _name, _async_stream(_name))
