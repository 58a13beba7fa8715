"""The asyncio flavour: awaitable connect/commands/close on a bounded executor, never blocking
the event loop; events delivered on the loop."""
from __future__ import annotations

import asyncio
import threading
import time
from typing import List

import pytest

import aerospike_c as asc
from aerospike_c import aio
from connection_helpers import TEND_INTERVAL_MS, closed_port, wait_until

SET = "aio"
POLICIES = {"info": {"timeout": 1000}}


def definition(*seeds, **options) -> aio.ClusterDefinition:
    options.setdefault("tender_interval", TEND_INTERVAL_MS)
    options.setdefault("conn_timeout_ms", 500)
    options.setdefault("policies", POLICIES)
    return aio.ClusterDefinition(*seeds, **options)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 30))


def aio_threads() -> List[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("aerospike_c.aio")]


def test_connect_use_and_close_with_async_with(aerospike_hosts):
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            assert cluster.is_connected()
            names = cluster.node_names()
            assert cluster.get_stats().active_nodes == len(names) >= 1
            assert await cluster.ping() > 0
            assert await cluster.ping(names[0]) > 0
            session = cluster.create_session(write={"total_timeout": 2000})
            key = ("test", SET, "one")
            await session.put(key, {"n": 1, "s": "x"})
            assert (await session.get(key)).bins == {"n": 1, "s": "x"}
            assert await session.increment(key, "n", 4) == 5
            assert (await session.exists(key))["gen"] >= 2
            assert "test" in await session.info("namespaces")
            await session.remove(key)
            with pytest.raises(asc.RecordNotFoundError):
                await session.get(key)
        assert cluster.closed and not cluster.is_connected()
        with pytest.raises(asc.LifecycleError):
            await cluster.ping()
        await cluster.close()  # idempotent
    run(main())


def test_gathered_commands_run_in_parallel_on_a_bounded_executor(aerospike_hosts):
    before = len(aio_threads())

    async def main():
        cluster = await definition(hosts=aerospike_hosts, executor_workers=4).connect()
        async with cluster:
            session = cluster.create_session()
            keys = [("test", SET, f"g{i}") for i in range(100)]
            await asyncio.gather(*(session.put(k, {"i": i}) for i, k in enumerate(keys)))
            records = await asyncio.gather(*(session.get(k) for k in keys))
            assert [r.bins["i"] for r in records] == list(range(100))
            assert 1 <= len([t for t in aio_threads() if t.is_alive()]) <= 4
            assert cluster.get_stats().total_connections <= 4 * cluster.get_stats().active_nodes
    run(main())
    assert wait_until(lambda: len(aio_threads()) <= before, 5)  # the executor goes with the cluster


def test_executor_defaults_to_the_pool_size_and_is_checked():
    assert definition("127.0.0.1", 3000, max_conns_per_node=12).executor_workers == 12
    assert definition("127.0.0.1", 3000).executor_workers == 100  # C's max_conns_per_node
    with pytest.raises(ValueError):
        definition("127.0.0.1", 3000, executor_workers=0)
    with pytest.raises(ValueError, match="max_conns_per_node"):
        definition("127.0.0.1", 3000, max_conns_per_node=-3)


def test_connect_failure_raises_and_leaves_no_threads():
    before = len(aio_threads())
    with pytest.raises(asc.AerospikeConnectionError):
        run(definition("127.0.0.1", closed_port()).connect())
    assert wait_until(lambda: len(aio_threads()) <= before, 5)


def test_close_waits_for_the_commands_in_flight(aerospike_hosts):
    async def main():
        cluster = await definition(hosts=aerospike_hosts).connect()
        session = cluster.create_session()
        tasks = [asyncio.ensure_future(session.put(("test", SET, f"c{i}"), {"i": i}))
                 for i in range(30)]
        await asyncio.sleep(0)  # the commands are submitted
        await cluster.close()
        assert all(task.done() and task.exception() is None for task in tasks)
        assert cluster.closed
        with pytest.raises(asc.LifecycleError):
            await session.get(("test", SET, "c0"))
    run(main())


def test_a_cluster_belongs_to_the_loop_that_connected_it(aerospike_hosts):
    loop = asyncio.new_event_loop()
    try:
        cluster = loop.run_until_complete(definition(hosts=aerospike_hosts).connect())
        with pytest.raises(RuntimeError, match="event loop"):
            run(cluster.ping())
        loop.run_until_complete(cluster.close())
    finally:
        loop.close()


@pytest.mark.fault_injection
def test_slow_commands_never_block_the_loop_and_cancelling_one_is_safe(aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=1)
    slow = {"max_retries": 0, "socket_timeout": 1000, "total_timeout": 1000}

    async def main():
        async with await definition(embedded.seed, policies={"write": slow}).connect() as cluster:
            session = cluster.create_session()
            await session.put(("test", SET, "h"), {"v": 0})
            embedded.hang_node(0)
            ticks: List[float] = []

            async def heartbeat():
                while True:
                    ticks.append(time.monotonic())
                    await asyncio.sleep(0.01)

            beat = asyncio.ensure_future(heartbeat())
            started = time.monotonic()
            results = await asyncio.gather(*(session.put(("test", SET, "h"), {"v": i}) for i in range(8)),
                                           return_exceptions=True)
            elapsed = time.monotonic() - started
            beat.cancel()
            assert all(isinstance(r, asc.AerospikeTimeoutError) and r.in_doubt for r in results)
            gaps = [b - a for a, b in zip(ticks, ticks[1:])]
            assert len(ticks) >= 10 and max(gaps) < elapsed / 2  # the loop kept running

            # A cancelled await leaves its C call running (bounded by its timeout);
            # close() waits for it instead of failing on a call still inside.
            doomed = asyncio.ensure_future(session.put(("test", SET, "h"), {"v": 99}))
            await asyncio.sleep(0.05)
            doomed.cancel()
            with pytest.raises(asyncio.CancelledError):
                await doomed
            await cluster.close()
        assert cluster.closed
    run(main())


@pytest.mark.fault_injection
def test_event_listeners_run_on_the_event_loop(aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=2)

    async def main():
        async with await definition(embedded.seed).connect() as cluster:
            loop_thread = threading.get_ident()
            seen: "asyncio.Queue[tuple]" = asyncio.Queue()
            registered = cluster.add_event_listener(
                lambda event: seen.put_nowait((event.type, event.node_name, threading.get_ident())))
            victim = embedded.node(1).name
            embedded.kill_node(1)
            assert await asyncio.wait_for(seen.get(), 10) == (asc.AS_CLUSTER_REMOVE_NODE, victim, loop_thread)
            cluster.remove_event_listener(registered)
            assert [e.node_name for e in cluster.recent_events()][-1] == victim
    run(main())


def test_scans_and_queries_are_async_iterators_and_batches_awaitable(aerospike_hosts):
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session(scan={"total_timeout": 10000})
            keys = [("test", "aio_scan", i) for i in range(120)]
            await asyncio.gather(*(session.put(k, {"i": i}) for i, k in enumerate(keys)))
            seen = sorted([r.bins["i"] async for r in session.scan("test", "aio_scan", chunk=16)])
            assert seen == list(range(120))
            queried = [r async for r in session.query("test", "aio_scan")]
            assert len(queried) == 120
            records = await session.batch_get(keys[:10])
            assert [r.bins["i"] for r in records] == list(range(10))

            # Leaving a scan early, then closing at once: the scan is stopped, not leaked.
            count = 0
            async for _ in session.scan("test", "aio_scan", chunk=4):
                count += 1
                if count == 5:
                    break
        assert count == 5 and cluster.closed
    run(main())
