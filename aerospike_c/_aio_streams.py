"""aio's scans and queries on the C client's async scan (csrc/asc_async_scan.h).

`Stream` runs one scan/query as aerospike_scan_async / _partitions_async or
aerospike_query_async / _partitions_async completing into the cluster's queue: each chunk of
records is decoded on the asyncio loop (asc_batch's scan_each, in C) into a deque that the
async iterator reads. No thread, no executor.

Backpressure without ever holding up a C event loop (the consumer may be awaiting a command
on that very loop): C stops handing records over once `buffer` of them (default 16384, or
16 MiB of them) are not consumed and ends that run (ASC_SCAN_PAUSE: its listener returns false, as a C listener would to stop).
The scan is paginated (as_scan_set_paginate / as_query_set_paginate), so C has kept each
partition's progress (the digest of the last record taken); once the consumer has taken
half of what waits, the stream starts the next run from there (C's resumable scans: the
same as_scan and partition filter, C reads its parts_all). So at most buffer + one chunk
records wait, and a consumer that keeps up never pauses the scan. A pause costs a new run
(a request per node), and a server sends a scan's records in frames (128 KiB: thousands of
small records at once), so a buffer much smaller than a frame pauses nearly every frame: the
default is large for that reason (measured: 50,000 records with buffer=256 took 144 runs). A max_records limit
carries over: a resumed run asks for what is left.

Leaving the loop, cancelling the task that iterates, or closing the cluster stops the run
(the listener returns false at C's next record); close() waits for it, as for every command.
"""
from __future__ import annotations

import asyncio
import collections
from typing import Any, AsyncIterator, Callable, Deque, List, Optional, Tuple

from ._aerospike import ffi, lib
from ._queries import _partition_filter
from .bindings import _async
from .bindings.as_error import lifecycle_error
from .bindings.asc_batch import SCAN_CHUNK, _py_scan_each

__all__ = ["Stream", "open_stream", "iterate", "check_sizes", "SCANS", "QUERIES"]

_NULL = ffi.NULL
_RECORDS, _END, _PAUSED = lib.ASC_SCAN_RECORDS, lib.ASC_SCAN_END, lib.ASC_SCAN_PAUSED
_STOPPED = lib.ASC_SCAN_STOPPED
#: The default buffer: records, and bytes of them, that wait before C pauses the scan.
PAUSE_RECORDS = 16384
PAUSE_BYTES = 16 << 20
#: How long a resumed run waits for C to let go of the previous run's progress (a concurrent
#: scan's other node commands end after the first returned false): seconds between looks.
_RESUME_POLL = 0.001


class Stream:
    """One aio scan/query: C async runs feeding `items`, resumed after each pause."""

    def __init__(self, cluster: Any, kind: int, policy: Any, target: Any, pf: Any,
                 buffer: int, max_records: int, policy_max: bool) -> None:
        self.cluster = cluster
        self.kind = kind
        self.policy = policy          # an owned as_policy_scan / as_policy_query
        self.target = target          # the paginated as_scan / as_query (ours: discarded at the end)
        self.pf = pf                  # an as_partition_filter or None
        self.buffer = buffer
        self.limit = max_records      # 0: no limit
        self.policy_max = policy_max  # the limit is the policy's (scan), else the query's
        self.delivered = 0
        self.runs = 0                 # C runs started (1 + the resumptions)
        self.items: Deque[Any] = collections.deque()
        self.chunks: Deque[List[int]] = collections.deque()  # [records not taken, bytes]
        self.out = ffi.new("asc_async_scan**")
        self.state: Any = None        # Python's reference to the run's C state (see start)
        self.running = False
        self.paused = False
        self.done = False
        self.stopped = False
        self.error: Optional[BaseException] = None
        self.waiter: "Optional[asyncio.Future[None]]" = None

    # -- runs ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start a run (the first, or one resuming from the target's partition progress)."""
        cluster = self.cluster
        if cluster._closing:
            raise lifecycle_error("aio.Cluster: the cluster is closed")
        if self.limit:
            left = self.limit - self.delivered
            if left <= 0:
                self.done = True
                return
            (self.policy if self.policy_max else self.target).max_records = left
        command_id = cluster._next_id()
        cluster._pending[command_id] = (None, self.completion, None)
        with self.target._use("aio scan") as target_ptr:
            status = lib.asc_async_scan_start(
                cluster._guard, cluster._cq, command_id, cluster._err, self.kind,
                self.policy._ptr, target_ptr, _NULL if self.pf is None else self.pf._ptr, _NULL,
                lib.ASC_SCAN_PAUSE, self.buffer, PAUSE_BYTES, min(SCAN_CHUNK, self.buffer), _NULL,
                self.out)
        if status:
            cluster._pending.pop(command_id, None)
            raise _async.submit_error(cluster._as, "aio scan/query", status, cluster._err)
        # Python's reference to the run's C state, dropped by the run's last completion, or
        # with the stream when that completion is never drained (its cluster was collected
        # first): C's destructor, no Python code, and C keeps its own reference until then.
        self.state = ffi.gc(self.out[0], lib.asc_async_scan_release)
        cluster._started()
        self.running, self.paused = True, False
        self.chunks.clear()  # a new run counts from nothing
        self.runs += 1

    def completion(self, item: Any) -> None:
        """A completion of the current run (on the asyncio loop, from Cluster._complete)."""
        kind = item.ttl
        if kind == _RECORDS:
            self.cluster._pending[item.id] = (None, self.completion, None)  # more to come
            if not self.stopped:
                _py_scan_each(int(ffi.cast("uintptr_t", item.data)), item.size, self.items.append)
                self.chunks.append([item.gen, item.size])
                self.delivered += item.gen
        else:
            ffi.release(self.state)
            self.running = False
            if kind == _END:
                self.done = True
            elif kind == _PAUSED:
                self.paused = True
            elif kind != _STOPPED:
                self.error = _async.completion_error(item)
        self.wake()

    def wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def stop(self, *ignored: Any) -> None:
        """Stop the run (C stops at its next record) and drop what waits; idempotent."""
        if not self.stopped:
            self.stopped = True
            self.items.clear()
            if self.running:
                lib.asc_async_scan_stop(self.out[0])
            self.cluster._streams.discard(self)
            self.wake()

    async def resume(self) -> None:
        """The next run, once C has let go of the last one's partition progress."""
        while True:
            parts = self.target._ptr.parts_all
            if parts == _NULL or parts.ref_count <= 1:
                break
            await asyncio.sleep(_RESUME_POLL)
            if self.stopped:
                return
        self.start()

    # -- the consumer -------------------------------------------------------------------------
    def take(self, most: int) -> List[Any]:
        items = self.items
        batch = [items.popleft() for _ in range(min(most, len(items)))]
        if self.running:
            # A chunk's bytes count as consumed once all its records are taken.
            left, done_bytes, chunks = len(batch), 0, self.chunks
            while left and chunks:
                first = chunks[0]
                taken = min(left, first[0])
                first[0] -= taken
                left -= taken
                if first[0] == 0:
                    done_bytes += first[1]
                    chunks.popleft()
            lib.asc_async_scan_consumed(self.out[0], len(batch), done_bytes)
        return batch

    async def wait(self) -> None:
        waiter = self.waiter = self.cluster._loop.create_future()
        await waiter


#: The C async functions (csrc/asc_async_scan.h) of a scan and a query: whole, by partitions.
SCANS = (lib.ASC_ASYNC_SCAN, lib.ASC_ASYNC_SCAN_PARTITIONS)
QUERIES = (lib.ASC_ASYNC_QUERY, lib.ASC_ASYNC_QUERY_PARTITIONS)


def open_stream(cluster: Any, kinds: Tuple[int, int], policy: Any, target: Any,
                paginate: Callable[[Any, bool], None], partitions: Any, buffer: Optional[int],
                max_records: Optional[int]) -> Stream:
    """The stream of a new as_scan/as_query `target` (made paginated here, discarded by the
    stream): `partitions` as Client.scan takes them; max_records None: the policy's (scans)."""
    try:
        paginate(target, True)
        pf = _partition_filter(partitions)
    except BaseException:
        target.discard()
        raise
    kind = kinds[0] if pf is None else kinds[1]
    if buffer is None:
        buffer = PAUSE_RECORDS
    if max_records is None:
        return Stream(cluster, kind, policy, target, pf, buffer, int(policy.max_records), True)
    return Stream(cluster, kind, policy, target, pf, buffer, max_records, False)


def check_sizes(buffer: Any, chunk: Any) -> None:
    """buffer (None: PAUSE_RECORDS) and chunk: positive ints."""
    for name, value in (("buffer", PAUSE_RECORDS if buffer is None else buffer), ("chunk", chunk)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


async def iterate(make: Callable[[], Stream], chunk: int) -> AsyncIterator[Any]:
    """The records of the stream make() returns (called at the first iteration, as the
    arguments of an async generator are checked), taken `chunk` at a time; the stream is
    stopped and its target discarded however the iteration ends."""
    stream = make()
    cluster = stream.cluster
    consumer = asyncio.current_task()
    if consumer is not None:
        consumer.add_done_callback(stream.stop)  # a task that ends with the iterator pending
    cluster._streams.add(stream)
    try:
        stream.start()
        low = stream.buffer // 2
        while True:
            if stream.stopped:
                raise lifecycle_error("aio scan/query: stopped, by cluster.close() or because "
                                      "the task that iterated it ended")
            if stream.paused and len(stream.items) <= low:
                await stream.resume()
                continue
            if stream.items:
                for record in stream.take(chunk):
                    yield record
                continue
            if stream.error is not None:
                raise stream.error
            if stream.done:
                return
            await stream.wait()
    finally:
        stream.stop()
        if consumer is not None:
            consumer.remove_done_callback(stream.stop)
        stream.target.discard()
