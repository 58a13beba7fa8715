"""The asyncio flavour of `aerospike_c.sdk`: the same cluster, awaitable, never blocking the loop.

    from aerospike_c.aio import ClusterDefinition, Host

    async def main():
        async with await ClusterDefinition("127.0.0.1", 3000).connect() as cluster:
            session = cluster.create_session(read={"total_timeout": 50})
            await session.put(("test", "demo", 1), {"a": 1})
            record = await session.get(("test", "demo", 1))
            print(await cluster.ping(), cluster.get_stats().total_connections)

How it is built: the C client's own async API needs an event library (libev, libuv or
libevent) that this build does not include. Every awaitable call here runs the
synchronous C call on a thread of a `ThreadPoolExecutor` that belongs to the cluster and
is bounded (default: max_conns_per_node threads, the most connections one node's pool
gives out at once); cffi releases the GIL for the whole C call, so up to that many calls
run in parallel while the event loop only awaits a future. What runs on the loop itself
is memory-only: is_connected(), get_stats(), node_names(), creating sessions.

Cost: one executor hand-off per call (submit, a worker thread wakes, the result comes
back through call_soon_threadsafe) - tens of microseconds on top of the sync call; see
docs/CONNECTIONS.md for measured figures. Cancelling an await does not stop the C
command: it finishes (within its policy timeouts) on its thread and its result is
dropped. `close()` waits for the calls in flight, then closes the cluster.
Cluster-event listeners added here run on the event loop (scheduled from the tend thread).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AsyncIterator, Callable, Iterator, List, Mapping, Optional, Set, TypeVar

from . import sdk
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
            # The connect goes on in its thread: close what it makes.
            future.add_done_callback(_close_when_done)
            executor.shutdown(wait=False)
            raise
        except BaseException:
            await _shut_down(executor)
            raise
        return Cluster(sync_cluster, executor, loop)

    def __repr__(self) -> str:
        return f"aio.{self.sync!r}"


async def _shut_down(executor: ThreadPoolExecutor) -> None:
    """Stop the executor's (idle) threads, joining them off the event loop."""
    await asyncio.get_running_loop().run_in_executor(None, executor.shutdown)


def _close_when_done(future: "asyncio.Future[sdk.Cluster]") -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().close()


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
        # Record iterators of scans/queries not yet finished (closed before the cluster).
        self._streams: Set[Iterator[Any]] = set()
        self._closing = False

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
        """Wait for the calls in flight, then close the cluster (idempotent)."""
        if self._closing:
            return
        self._closing = True
        if self._in_flight:
            await asyncio.wait([asyncio.wrap_future(job) for job in list(self._in_flight)])
        for stream in list(self._streams):  # abandoned async iterators: stop their C calls
            self._streams.discard(stream)
            await self._submit(getattr(stream, "close"))
        try:
            await self._loop.run_in_executor(self._executor, self.sync.close)
        finally:
            await _shut_down(self._executor)

    async def __aenter__(self) -> "Cluster":
        if self._closing:
            raise lifecycle_error("aio.Cluster: the cluster is closed")
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<aio.Cluster over {self.sync!r}>"

    # -- health (memory-only reads stay on the loop) -----------------------------------------
    def is_connected(self) -> bool:
        return not self._closing and self.sync.is_connected()

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
    def create_session(self, **policies: Mapping[str, Any]) -> "Session":
        return Session(self, self.sync.create_session(**policies))


class Session:
    """An `sdk.Session` whose commands are awaitable (same names and arguments)."""

    def __init__(self, cluster: Cluster, sync_session: sdk.Session) -> None:
        self.cluster = cluster
        self.sync = sync_session

    def policy(self, kind: str) -> Any:
        return self.sync.policy(kind)

    def __repr__(self) -> str:
        return f"<aio.Session over {self.sync!r}>"


def _awaitable(name: str) -> Callable[..., Any]:
    sync_method = getattr(sdk.Session, name)

    async def method(self: Session, *args: Any, **kwargs: Any) -> Any:
        return await self.cluster._run(getattr(self.sync, name), *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Awaitable `sdk.Session.{name}`: {sync_method.__doc__ or ''}".strip()
    return method


def _async_stream(name: str) -> Callable[..., Any]:
    sync_method = getattr(sdk.Session, name)

    async def method(self: Session, *args: Any, chunk: int = 64, **kwargs: Any) -> AsyncIterator[Any]:
        cluster = self.cluster
        records = await cluster._run(getattr(self.sync, name), *args, **kwargs)
        cluster._streams.add(records)
        try:
            while True:
                batch = await cluster._run(_next_chunk, records, chunk)
                for record in batch:
                    yield record
                if len(batch) < chunk:
                    break
        finally:
            if records in cluster._streams:
                cluster._streams.discard(records)
                await asyncio.shield(cluster._submit(getattr(records, "close")))

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"Async iterator over `sdk.Session.{name}`: records are fetched `chunk` "
                      f"at a time on the executor. {sync_method.__doc__ or ''}").strip()
    return method


def _next_chunk(records: Iterator[Any], size: int) -> List[Any]:
    return list(itertools.islice(records, size))


for _name in sdk.Session.COMMANDS:  # noqa: E305
    setattr(Session, _name, _awaitable(_name))
for _name in sdk.Session.STREAMS:
    setattr(Session, _name, _async_stream(_name))
