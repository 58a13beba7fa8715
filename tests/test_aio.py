"""The asyncio flavour: awaitable connect/commands/close on a bounded executor, never blocking
the event loop; events delivered on the loop."""
from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from pathlib import Path
from typing import List

import pytest

import aerospike_c as asc
from aerospike_c import aio
from connection_helpers import TEND_INTERVAL_MS, closed_port, wait_until
from probe_helpers import run_probe

SET = f"aio_{uuid.uuid4().hex[:12]}"  # this session's own set: a real server keeps other runs' records
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
            assert cluster.is_connected() and cluster.transaction().txn is not None
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
        assert cluster.closed and not cluster.is_connected() and not cluster.is_connected  # SDK form
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
            scanned_set = f"aio_scan_{uuid.uuid4().hex[:12]}"
            keys = [("test", scanned_set, i) for i in range(120)]
            await asyncio.gather(*(session.put(k, {"i": i}) for i, k in enumerate(keys)))
            seen = sorted([r.bins["i"] async for r in session.scan("test", scanned_set, chunk=16)])
            assert seen == list(range(120))
            queried = [r async for r in session.query("test", scanned_set)]
            assert len(queried) == 120
            records = await session.batch_get(keys[:10])
            assert [r.bins["i"] for r in records] == list(range(10))

            # Leaving a scan early, then closing at once: the scan is stopped, not leaked.
            count = 0
            async for _ in session.scan("test", scanned_set, chunk=4):
                count += 1
                if count == 5:
                    break
        assert count == 5 and cluster.closed
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            await asyncio.gather(*(cluster.create_session().remove(k) for k in keys))
    run(main())


# -- the native commands: C async commands on the C client's event loops ------------------------
def refuse_the_executor(cluster) -> None:
    """Fail any job the cluster's executor is given (`del cluster._executor.submit` undoes it)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a native command went to the executor")
    cluster._executor.submit = refuse  # type: ignore[method-assign]


def test_single_record_commands_are_c_async_commands_not_executor_jobs(aerospike_hosts):
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            refuse_the_executor(cluster)
            roomy = {"total_timeout": 20000}  # 300 at once queue behind the embedded server
            session = cluster.create_session(read=roomy, write=roomy, operate=roomy, remove=roomy)
            keys = [("test", SET, f"n{i}") for i in range(300)]
            await asyncio.gather(*(session.put(k, {"i": i, "s": str(i)}) for i, k in enumerate(keys)))
            records = await asyncio.gather(*(session.get(k) for k in keys))
            assert [r.bins for r in records] == [{"i": i, "s": str(i)} for i in range(300)]
            assert records[0].key[:3] == keys[0] and len(records[0].key[3]) == 20
            assert await session.increment(keys[1], "i", 10) == 11
            assert await session.exists(keys[1]) == {"gen": 2, "ttl": records[1].meta["ttl"]}
            assert await session.exists(("test", SET, "never")) is None
            assert (await session.touch(keys[1]))["gen"] == 3
            await session.append(keys[1], "s", "x")
            await session.prepend(keys[1], "s", "<")
            _, _, results = await session.operate_ordered(keys[1], [asc.ops.read("s"), asc.ops.read("i")])
            assert results == [("s", "<1x"), ("i", 11)]
            await asyncio.gather(*(session.remove(k) for k in keys))
            with pytest.raises(asc.RecordNotFoundError):
                await session.remove(keys[0])
            with pytest.raises(asc.RecordNotFoundError):
                await session.get(keys[0])
            assert not cluster._pending
            del cluster._executor.submit  # what C cannot take goes the general way, naming it
            with pytest.raises(TypeError, match="bad"):
                await session.put(keys[0], {"bad": object()})
    run(main())


def test_native_commands_take_filter_exp_as_client_methods_do(aerospike_hosts):
    from aerospike_c import exp

    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            refuse_the_executor(cluster)
            session = cluster.create_session(read={"total_timeout": 2000})
            key = ("test", SET, "filtered")
            await session.put(key, {"i": 1, "s": "a"})
            passes, fails = exp.eq(exp.bin_int("i"), 1), exp.eq(exp.bin_int("i"), 2)
            assert (await session.get(key, filter_exp=passes)).bins == {"i": 1, "s": "a"}
            assert (await session.exists(key, filter_exp=passes))["gen"] == 1
            for command in (
                    lambda f: session.get(key, filter_exp=f),
                    lambda f: session.exists(key, filter_exp=f),
                    lambda f: session.put(key, {"i": 9}, filter_exp=f),
                    lambda f: session.operate(key, [asc.ops.read("i")], filter_exp=f),
                    lambda f: session.operate_ordered(key, [asc.ops.read("i")], filter_exp=f),
                    lambda f: session.touch(key, filter_exp=f),
                    lambda f: session.increment(key, "i", 5, filter_exp=f),
                    lambda f: session.append(key, "s", "x", filter_exp=f),
                    lambda f: session.prepend(key, "s", "x", filter_exp=f),
                    lambda f: session.remove(key, filter_exp=f)):
                with pytest.raises(asc.AerospikeError) as error:
                    await command(fails)
                assert error.value.code == asc.AEROSPIKE_FILTERED_OUT
            assert (await session.get(key)).bins == {"i": 1, "s": "a"}  # nothing was written
            await session.append(key, "s", "b", filter_exp=passes)
            await session.prepend(key, "s", "<", filter_exp=passes)
            assert (await session.touch(key, filter_exp=passes))["gen"] == 4
            _, _, results = await session.operate_ordered(key, [asc.ops.read("s")],
                                                          filter_exp=passes)
            assert results == [("s", "<ab")]
            assert await session.increment(key, "i", 1, filter_exp=passes) == 2
            await session.put(key, {"i": 7}, filter_exp=exp.eq(exp.bin_int("i"), 2))
            await session.remove(key, filter_exp=exp.eq(exp.bin_int("i"), 7))
            assert await session.exists(key) is None
            del cluster._executor.submit  # close() runs the sync close on the executor
    run(main())


def test_uvloop_runs_the_native_commands(aerospike_hosts):
    uvloop = pytest.importorskip("uvloop")

    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            keys = [("test", SET, f"uv{i}") for i in range(100)]
            await asyncio.gather(*(session.put(k, {"i": i}) for i, k in enumerate(keys)))
            records = await asyncio.gather(*(session.get(k) for k in keys))
            assert [r.bins["i"] for r in records] == list(range(100))
            return type(asyncio.get_running_loop()).__module__
    loop = uvloop.new_event_loop()
    try:
        assert loop.run_until_complete(asyncio.wait_for(main(), 30)).startswith("uvloop")
    finally:
        loop.close()


def test_the_executor_flavour_stays_reachable(aerospike_hosts):
    from aerospike_c import aio_executor

    async def main():
        async with await aio_executor.ClusterDefinition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            await session.put(("test", SET, "exec"), {"a": 1})
            assert (await session.get(("test", SET, "exec"))).bins == {"a": 1}
            assert not isinstance(cluster, aio.Cluster)
    run(main())


def test_the_event_policy_options_are_checked():
    with pytest.raises(ValueError, match="on_queue_full"):
        definition("127.0.0.1", 3000, on_queue_full="drop")
    with pytest.raises(ValueError, match="event_loops"):
        definition("127.0.0.1", 3000, event_loops=0)
    with pytest.raises(TypeError):
        definition("127.0.0.1", 3000, event_policy={"max_commands_in_proces": 5})
    with pytest.raises(ValueError, match="queue_initial_capacity"):
        definition("127.0.0.1", 3000, event_policy={"queue_initial_capacity": 0})


def test_backpressure_waits_or_fails_by_policy(aerospike_hosts):
    lines = run_probe('''
        import asyncio
        from aerospike_c import aio
        async def main():
            policy = {"max_commands_in_process": 5, "max_commands_in_queue": 10}
            waiting = await aio.ClusterDefinition(HOSTS, event_policy=policy).connect()
            failing = await aio.ClusterDefinition(HOSTS, on_queue_full="error").connect()
            async with waiting, failing:
                print("limit", waiting._limit)
                s = waiting.create_session()
                await asyncio.gather(*(s.put(("test", PROBE_SET, i), {"i": i}) for i in range(500)))
                got = await asyncio.gather(*(s.get(("test", PROBE_SET, i)) for i in range(500)))
                print("waited", sum(r.bins["i"] == i for i, r in enumerate(got)))
                f = failing.create_session()
                results = await asyncio.gather(*(f.get(("test", PROBE_SET, i % 500)) for i in range(2000)),
                                               return_exceptions=True)
                full = [r for r in results if isinstance(r, Exception)]
                print("full", bool(full), {r.code for r in full} <= {asc.AEROSPIKE_ERR_ASYNC_QUEUE_FULL})
                print("ok", len(results) - len(full) > 0)
            try:
                await aio.ClusterDefinition(HOSTS, event_policy={"max_commands_in_queue": 99}).connect()
            except ValueError as error:
                print("ValueError", "process-wide" in str(error))
        asyncio.run(asyncio.wait_for(main(), 60))
    ''', hosts=aerospike_hosts, timeout=90)
    assert lines == ["limit 15", "waited 500", "full True True", "ok True", "ValueError True"]


def test_close_loops_refuses_the_external_loop_and_aio_keeps_working(aerospike_hosts):
    """as_event_close_loops() on the "asyncio" loop mode's external loop returned True, yet C
    only signals an external loop and keeps it: the loop stayed counted, and the next
    asyncio.run whose cluster connected ran the closed loop (SIGSEGV)."""
    lines = run_probe('''
        import asyncio
        from aerospike_c import aio
        async def main():
            async with await aio.ClusterDefinition(HOSTS).connect() as cluster:
                await cluster.create_session().put(("test", PROBE_SET, "close-loops"), {"a": 1})
                return "asyncio" if aio._EXTERNAL is not None else "threads"
        print(asyncio.run(main()))
        outcome(asc.as_event_close_loops)
        outcome(asc.as_event_close_loops)
        print(asc.as_event_loop_size(), asyncio.run(asyncio.wait_for(main(), 30)))
    ''', hosts=aerospike_hosts, timeout=60)
    assert lines[0] == "asyncio" and lines[-1] == "1 asyncio", lines
    assert all(line.startswith("LifecycleError:") and "external loop" in line
               for line in lines[1:3]), lines


def test_a_c_named_async_command_after_the_asyncio_loop_closed_completes(aerospike_hosts):
    """Once the asyncio loop that ran the external C loop is closed, nobody ran that loop for
    an aerospike_*_async command of a sync instance on the same thread: its listener never
    ran and aerospike_close refused for good ("1 call(s) ... still running")."""
    lines = run_probe('''
        import asyncio, threading
        from aerospike_c import aio
        async def main():
            async with await aio.ClusterDefinition(HOSTS).connect() as cluster:
                await cluster.create_session().put(("test", PROBE_SET, "orphan"), {"a": 1})
        asyncio.run(main())
        client = Client(Config(HOSTS)).connect()
        done = threading.Event()
        asc.aerospike_key_put_async(client.aerospike, None, ("test", PROBE_SET, "orphan"),
                                    {"a": 2}, lambda err, udata, loop: done.set())
        print(done.wait(20))
        outcome(client.close)
        print(asyncio.run(asyncio.wait_for(main(), 30)))
    ''', hosts=aerospike_hosts, timeout=60)
    assert lines == ["True", "ok", "None"], lines

def test_c_named_commands_on_the_old_owner_thread_while_another_loop_takes_the_c_loop_over(
        aerospike_hosts):
    # A thread whose asyncio loop ran the C loop and closed goes on with C-named async
    # commands while another thread's asyncio loop takes the C loop over. The submit looked
    # at who runs the C loop, then called C without any lock: the loop could close (the
    # command queued to a loop nobody ran: its listener never ran, and aerospike_close
    # refused for good) or change hands in between. And aerospike_scan_async never looked:
    # on the old owner thread C started it in place on a loop nobody ran.
    lines = run_probe('''
        import asyncio, threading, time
        from aerospike_c import aio

        async def use(puts):
            async with await aio.ClusterDefinition(HOSTS).connect() as cluster:
                session = cluster.create_session()
                for i in range(puts):
                    await session.put(("test", PROBE_SET, f"handoff{i}"), {"i": i})

        asyncio.run(use(5))
        client = Client(Config(HOSTS)).connect()
        as_ = client.aerospike
        lock, sent, done = threading.Lock(), [0], [0]

        def listener(*args):
            with lock:
                done[0] += 1

        def scanned(err, record, udata, event_loop):
            if record is None:
                listener()

        def old_owner(closed, stop):
            asyncio.run(use(2))
            closed.set()
            scan = asc.as_scan_init("test", PROBE_SET)
            asc.aerospike_scan_async(as_, None, scan, None, scanned)
            sent[0] += 1
            while not stop.is_set():
                if sent[0] - done[0] > 50:  # at most so many in flight
                    time.sleep(0.001)
                    continue
                asc.aerospike_key_get_async(as_, None, ("test", PROBE_SET, "handoff1"), listener)
                sent[0] += 1

        for round in range(10):
            closed, stop = threading.Event(), threading.Event()
            old = threading.Thread(target=old_owner, args=(closed, stop))
            old.start()
            closed.wait(20)
            asyncio.run(use(20))        # takes the C loop over while the old owner submits
            stop.set()
            old.join(20)
            deadline = time.monotonic() + 20
            while done[0] < sent[0] and time.monotonic() < deadline:
                time.sleep(0.01)
            if done[0] < sent[0]:
                break
        print("rounds", round + 1, "listeners", done[0] == sent[0], sent[0] > 20)
        outcome(client.close)
    ''', hosts=aerospike_hosts, timeout=180)
    assert lines == ["rounds 10 listeners True True", "ok"], lines


def test_a_close_from_another_thread_never_waits_for_good_on_a_stopped_asyncio_loop(
        aerospike_hosts):
    # loop_mode "asyncio": only the asyncio loop that last ran the C loop runs it, and a pump
    # thread stood in only once that loop was closed. A loop stopped but never closed (run
    # with run_until_complete, on a thread that then ended) left every close from another
    # thread, of any instance (the C close runs on every loop), waiting for good: the sync
    # close below, the reaper's, the at-exit ones (the process hung at exit). Now a loop
    # whose thread ended counts as closed (a pump runs the C loop until a loop takes it
    # back); while its thread is alive, such a close fails within a bounded time instead.
    started = time.monotonic()
    lines = run_probe('''
        import asyncio, gc, threading, time
        from aerospike_c import aio
        from aerospike_c.bindings.aerospike import reap_dropped

        async def use():
            async with await aio.ClusterDefinition(HOSTS).connect() as cluster:
                await cluster.create_session().put(("test", PROBE_SET, "stopped"), {"a": 1})
                return (await cluster.create_session().get(("test", PROBE_SET, "stopped"))).bins

        def in_thread(target):
            thread = threading.Thread(target=target)
            thread.start()
            thread.join(30)
            return not thread.is_alive()

        loops = []
        def stopped_on_a_thread():           # run, never closed; then the thread ends
            loops.append(asyncio.new_event_loop())
            print("on a thread", loops[-1].run_until_complete(use()))
        print(in_thread(stopped_on_a_thread))
        client = Client(Config(HOSTS)).connect()
        print("closed from another thread", in_thread(client.close))
        Client(Config(HOSTS)).connect()      # dropped: the reaper closes it
        gc.collect()
        print("reaped", reap_dropped(10))
        print("that loop again, here", loops[0].run_until_complete(use()))  # takes the C loop back

        client = Client(Config(HOSTS)).connect()  # the loop is stopped, its thread (this) alive
        took = time.monotonic()
        print("while stopped", in_thread(lambda: outcome(client.close)), time.monotonic() - took < 10)
        outcome(client.close)                # on the loop's own thread: C runs the C loop here
        loops[0].close()
        print("a new loop", asyncio.run(use()))
    ''', hosts=aerospike_hosts, timeout=60)
    assert lines[:5] == ["on a thread {'a': 1}", "True", "closed from another thread True",
                         "reaped True", "that loop again, here {'a': 1}"], lines
    assert lines[5].startswith("LifecycleError: ") and "stopped" in lines[5], lines
    assert lines[6:] == ["while stopped True True", "ok", "a new loop {'a': 1}"], lines
    assert time.monotonic() - started < 40


def test_asyncio_loop_shutdown_with_commands_in_flight(aerospike_hosts):
    lines = run_probe('''
        import asyncio
        from aerospike_c import aio
        async def abandon():
            cluster = await aio.ClusterDefinition(HOSTS).connect()
            session = cluster.create_session()
            for i in range(300):
                asyncio.ensure_future(session.put(("test", PROBE_SET, f"x{i}"), {"i": i}))
            await asyncio.sleep(0)
            return cluster                  # the loop ends with the puts in flight, never closed
        loop = asyncio.new_event_loop()
        abandoned = loop.run_until_complete(abandon())
        loop.close()
        async def again():
            async with await aio.ClusterDefinition(HOSTS).connect() as cluster:
                session = cluster.create_session()
                await session.put(("test", PROBE_SET, "after"), {"v": 1})
                print((await session.get(("test", PROBE_SET, "after"))).bins)
        asyncio.run(again())
        import time
        deadline = time.monotonic() + 30   # its commands end within their timeouts, counted out
        while True:                         # by their C listeners with no asyncio loop running
            try:
                abandoned.sync.close()
                break
            except asc.LifecycleError:
                assert time.monotonic() < deadline, "the abandoned commands never completed"
                time.sleep(0.05)
        print("closed", abandoned.sync.closed)
    ''', hosts=aerospike_hosts, timeout=60)
    assert lines == ["{'v': 1}", "closed True"]


def test_a_cluster_left_open_when_its_asyncio_loop_ends_is_closed_with_a_warning(aerospike_hosts):
    # loop_mode "asyncio": the C loop is run by the asyncio loop that connected. A cluster left
    # open as that loop ends (forgotten, or a KeyboardInterrupt in asyncio.run) used to leak
    # its C threads, and once that loop was closed nothing ran the C loop: a close from another
    # thread (the reaper's, sdk's at-exit close of a loop that ran on a thread) waited forever,
    # so the process hung at exit. Now asyncio.run's shutdown closes it (ResourceWarning), and
    # once the loop is closed a C pump thread runs the C loop for such closes, until another
    # asyncio loop takes it over.
    started = time.monotonic()
    lines = run_probe('''
        import asyncio, gc, signal, threading, time, warnings
        from aerospike_c import aio
        from aerospike_c.bindings.aerospike import reap_dropped

        warnings.simplefilter("always", ResourceWarning)
        def show(message, category, *args, **kwargs):
            text = str(message)
            kind = ("at loop shutdown" if "asyncio loop shut down" in text else
                    "dropped" if "dropped without" in text else text)
            print("warning", category.__name__, kind, flush=True)
        warnings.showwarning = show

        def c_threads():                    # the C client's threads (Python's share main's name)
            if not os.path.isdir("/proc/self/task"):
                return "not Linux"
            def name(task):
                with open(f"/proc/self/task/{task}/comm") as f:
                    return f.read().strip()
            python = name(os.getpid())
            return sorted(n for n in map(name, os.listdir("/proc/self/task")) if n != python)

        def in_thread(target):
            thread = threading.Thread(target=target)
            thread.start()
            thread.join(30)
            assert not thread.is_alive()

        async def forget(interrupt=False):
            cluster = await aio.ClusterDefinition(HOSTS, tender_interval=250).connect()
            await cluster.create_session().put(("test", PROBE_SET, "left"), {"v": 1})
            if interrupt:                   # as a Ctrl-C: asyncio.run cancels main, raises
                os.kill(os.getpid(), signal.SIGINT)
                await asyncio.sleep(30)
            return cluster.closed

        in_thread(lambda: print("returned closed", asyncio.run(forget())))
        print("after asyncio.run on a thread", c_threads())
        try:
            asyncio.run(forget(interrupt=True))
        except KeyboardInterrupt:
            print("KeyboardInterrupt", c_threads())

        def no_shutdown():                  # closed without shutdown_asyncgens: nothing closes it
            loop = asyncio.new_event_loop()
            loop.run_until_complete(forget())
            loop.close()
        in_thread(no_shutdown)
        gc.collect()                        # dropped: the reaper closes it, a pump runs the C loop
        print("reaped", reap_dropped(10), c_threads())

        async def again():                  # a new asyncio loop takes the C loop over
            async with await aio.ClusterDefinition(HOSTS, tender_interval=250).connect() as cluster:
                return (await cluster.create_session().get(("test", PROBE_SET, "left"))).bins
        print("again", asyncio.run(again()), c_threads())
        in_thread(lambda: asyncio.run(forget()))  # its loop on a thread that ends: so did exit hang
    ''', hosts=aerospike_hosts, timeout=60)
    took = time.monotonic() - started
    linux = "not Linux" if not Path("/proc/self/task").is_dir() else None
    assert lines == ["warning ResourceWarning at loop shutdown", "returned closed False",
                     f"after asyncio.run on a thread {linux or []}",
                     "warning ResourceWarning at loop shutdown", f"KeyboardInterrupt {linux or []}",
                     "warning ResourceWarning dropped", f"reaped True {linux or ['asc_ev_pump']}",
                     f"again {{'v': 1}} {linux or []}", "warning ResourceWarning at loop shutdown"]
    assert took < 20, f"the probe took {took:.1f} s"  # the at-exit reaper wait is 30 s


@pytest.mark.parametrize("loop_mode", ["threads", "asyncio"])
def test_a_cluster_collected_without_close_frees_its_completion_queue(aerospike_hosts, loop_mode):
    # A cluster dropped unclosed once its asyncio loop is closed (run_until_complete and
    # close, no asyncio.run shutdown to close it) is collected and the reaper closes its
    # instance, but its completion queue (an eventfd and its C memory) stayed: one
    # descriptor more per cycle. Every other cycle drops it with puts still in flight (then
    # the queue goes once the reaper's close waited for them). In loop_mode "asyncio" those
    # reaper closes made libev replace its backend descriptor now and then, and later
    # commands timed out (test_the_asyncio_loop_follows_libev_when_it_replaces_its_backend_...).
    flying = 20
    lines = run_probe(f'''
        import asyncio, gc, warnings
        from aerospike_c import aio
        from aerospike_c.bindings.aerospike import reap_dropped
        warnings.simplefilter("ignore", ResourceWarning)

        async def connect_and_drop(in_flight):
            cluster = await aio.ClusterDefinition(HOSTS, loop_mode="{loop_mode}",
                                                  policies={{"write": {{"total_timeout": 10000}}}}
                                                  ).connect()
            session = cluster.create_session()
            await session.put(("test", PROBE_SET, "drop"), {{"a": 1}})
            for i in range(in_flight):
                asyncio.ensure_future(session.put(("test", PROBE_SET, f"drop{{i}}"), {{"a": i}}))
            await asyncio.sleep(0)

        def cycle(i):
            loop = asyncio.new_event_loop()
            loop.run_until_complete(connect_and_drop({flying} if i % 2 else 0))
            loop.close()
            gc.collect()
            assert reap_dropped(20)

        def descriptors():
            return len(os.listdir("/proc/self/fd"))

        for i in range(4):
            cycle(i)
        before = descriptors()
        for i in range(50):
            cycle(i)
        print("descriptors added", max(0, descriptors() - before) < 5, descriptors() - before)
    ''', hosts=aerospike_hosts, timeout=120)
    assert lines[-1].startswith("descriptors added True"), lines


@pytest.mark.parametrize("flavour", ["asyncio", "uvloop"])
def test_the_asyncio_loop_follows_libev_when_it_replaces_its_backend_descriptor(
        aerospike_hosts, flavour):
    # loop_mode "asyncio" watched libev's backend descriptor (its epoll) by the number it had
    # when the loop was made. libev closes it and makes a new one (epoll_fork) when it
    # recreates its kernel state: after an epoll_ctl error, as when the reaper's close of a
    # dropped cluster closed pooled connections on its thread (as_event_node_destroy) while a
    # pump thread ran the C loop (some 20-50 clusters dropped with commands in flight), and
    # after ev_loop_fork. asyncio went on watching the closed descriptor (its number soon
    # another's, often the new epoll's): libev's readiness was never seen again, and every
    # later command waited for its timer: AEROSPIKE_ERR_TIMEOUT. ev_loop_fork (exported by
    # the extension, csrc/asc_libev.c) has libev recreate it in the next ev_run.
    if flavour == "uvloop":
        pytest.importorskip("uvloop")
    lines = run_probe(f'''
        import asyncio, ctypes, time
        from aerospike_c import aio
        from aerospike_c._aerospike import ffi

        libev = ctypes.CDLL(asc._aerospike.__file__)
        async def main():
            definition = aio.ClusterDefinition(HOSTS, loop_mode="asyncio",
                                               policies={{"read": {{"total_timeout": 1000}}}})
            cluster = await definition.connect()
            session = cluster.create_session()
            await session.put(("test", PROBE_SET, "backend"), {{"a": 1}})
            ev = ctypes.c_void_p(int(ffi.cast("uintptr_t", aio._EXTERNAL.ev)))
            started = time.monotonic()
            for i in range(20):
                libev.ev_loop_fork(ev)      # the next ev_run closes the epoll, makes another
                one = session.get(("test", PROBE_SET, "backend"))
                many = asyncio.gather(*(session.get(("test", PROBE_SET, "backend")) for _ in range(10)))
                if not (await completed(one) and await completed(many)):
                    break
            print("in time", time.monotonic() - started < 10)
            try:                            # its close waits for the C loop to run
                await asyncio.wait_for(asyncio.shield(cluster.close()), 5)
                print("closed", cluster.closed, flush=True)
            except asyncio.TimeoutError:
                print("close hung", flush=True)
                os._exit(0)                 # (asyncio.run would wait for it again)

        async def completed(awaitable):
            try:
                await awaitable
                return True
            except asc.AerospikeError as error:
                print(type(error).__name__, flush=True)
                return False

        if "{flavour}" == "uvloop":
            import uvloop
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        asyncio.run(main())
    ''', hosts=aerospike_hosts, timeout=60)
    assert lines == ["in time True", "closed True"], lines


def interrupted_backend_move(hosts, before_interrupt):
    """Run a probe: libev replaces its backend (ev_loop_fork), the first move of asyncio's
    reader to it runs `before_interrupt` (probe code, `self` the _ExternalLoop) and raises
    KeyboardInterrupt, as a signal's would; the loop then runs again. Its lines."""
    return run_probe('''
        import asyncio, ctypes, select
        from aerospike_c import aio
        from aerospike_c._aerospike import ffi, lib

        libev = ctypes.CDLL(asc._aerospike.__file__)
        watch = aio._ExternalLoop._watch_backend
        interrupts = []
        def interrupted(self):
            if interrupts:
                return watch(self)
            interrupts.append(1)
            BEFORE_INTERRUPT
            raise KeyboardInterrupt

        async def setup():
            definition = aio.ClusterDefinition(HOSTS, loop_mode="asyncio",
                                               policies={"read": {"total_timeout": 1000}})
            cluster = await definition.connect()
            session = cluster.create_session()
            await session.put(("test", PROBE_SET, "interrupted"), {"a": 1})
            return cluster, session

        async def gets(session):
            try:
                for _ in range(5):
                    await session.get(("test", PROBE_SET, "interrupted"))
                return "ok"
            except asc.AerospikeError as error:
                return type(error).__name__

        loop = asyncio.new_event_loop()
        cluster, session = loop.run_until_complete(setup())
        ev = ctypes.c_void_p(int(ffi.cast("uintptr_t", aio._EXTERNAL.ev)))
        libev.ev_loop_fork(ev)              # the next ev_run closes the epoll, makes another
        aio._ExternalLoop._watch_backend = interrupted
        try:
            print("first", loop.run_until_complete(gets(session)), flush=True)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
        try:
            print("again", loop.run_until_complete(asyncio.wait_for(gets(session), 10)),
                  flush=True)
            loop.run_until_complete(asyncio.wait_for(cluster.close(), 5))
        except BaseException as error:
            print(type(error).__name__, flush=True)
            os._exit(0)
        loop.close()
    '''.replace("BEFORE_INTERRUPT", before_interrupt), hosts=hosts, timeout=60)


def test_an_interrupt_as_asyncio_moves_to_libevs_new_backend_descriptor_is_not_lost(
        aerospike_hosts):
    # run() took libev's "replaced" flag (clearing it) and then moved the reader: a Ctrl-C
    # landing between the two, or inside the move, left asyncio watching the closed
    # descriptor for good once the loop ran again, and every command waited for its timer.
    lines = interrupted_backend_move(aerospike_hosts, "pass")
    assert lines == ["KeyboardInterrupt", "again ok"], lines


def test_an_interrupt_inside_asyncios_add_reader_of_the_new_backend_is_recovered(
        aerospike_hosts):
    # A KeyboardInterrupt landing in selectors' register right after its epoll_ctl(ADD) runs
    # its except, which forgets the key but leaves the descriptor in asyncio's epoll: every
    # later move to libev's new backend raised FileExistsError in run(), and commands timed out.
    lines = interrupted_backend_move(
        aerospike_hosts, "self.loop.remove_reader(self.fd); "
        "self.loop._selector._selector.register(int(lib.asc_ev_backend_fd(self.ev)), "
        "select.EPOLLIN)")
    assert lines == ["KeyboardInterrupt", "again ok"], lines


@pytest.mark.fault_injection
@pytest.mark.parametrize("flavour", ["threads", "asyncio", "uvloop"])
def test_thousands_of_awaits_with_cancellations_and_a_node_killed(flavour):
    # A fresh process per C loop mode (the loops are process-wide): "threads" (a C loop
    # thread) and "asyncio" (the one C loop run by the asyncio loop's thread; default loop
    # and uvloop). Once close() returns, nothing the cluster opened is left: no descriptor,
    # no thread. The embedded cluster runs in a child process, so /proc/self/fd holds the
    # client's descriptors alone, as with a real server (an in-process node closes its end
    # of each connection on its own thread after it reads the client's close: a moment
    # after close() returned, its socket was still there).
    if flavour == "uvloop":
        pytest.importorskip("uvloop")
    lines = run_probe('''
        import asyncio, random, threading, time
        from aerospike_c import aio
        from aerospike_c.testing import SubprocessCluster

        def opened():                       # what the process holds: sockets, pipes, epolls
            return {os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                    if os.path.exists(f"/proc/self/fd/{fd}")}

        flavour = sys.argv[1]
        embedded = SubprocessCluster(nodes=3).start()
        rng = random.Random(15)
        policy = {"total_timeout": 30000, "socket_timeout": 2000, "max_retries": 3}

        def definition():
            return aio.ClusterDefinition(embedded.hosts[0], tender_interval=250, conn_timeout_ms=500,
                                         loop_mode="threads" if flavour == "threads" else "asyncio",
                                         policies={"info": {"timeout": 1000}, "write": policy,
                                                   "read": policy})

        async def main():
            async with await definition().connect() as warm:   # makes the C loop
                print("mode", warm._external is not None)
            held, tasks_before = opened(), len(os.listdir("/proc/self/task"))
            cluster = await definition().connect()
            session = cluster.create_session()
            acknowledged = {}

            async def write(i):
                key = ("test", PROBE_SET, f"stress{i}")
                await session.put(key, {"i": i})
                acknowledged[key] = i

            tasks = [asyncio.ensure_future(write(i)) for i in range(3000)]
            doomed = rng.sample(tasks, 400)  # at most these are cancelled, whatever the speed
            for task in doomed[:100]:
                task.cancel()  # before it is sent (on a fast machine the rest may finish quickly)
            doomed = doomed[100:]
            killed = False
            for _ in range(2000):  # then cancel while they run, and kill a node in the middle
                await asyncio.sleep(0.001)
                if all(task.done() for task in tasks):
                    break
                running = [task for task in doomed if not task.done()]
                for task in running[:3]:
                    task.cancel()
                doomed = running[3:]
                if not killed and len(acknowledged) >= 300:
                    embedded.kill_node(2)
                    killed = True
            if not killed:
                embedded.kill_node(2)
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            cancelled = sum(isinstance(o, asyncio.CancelledError) for o in outcomes)
            failed = [o for o in outcomes if isinstance(o, Exception)]
            print("failures not AerospikeErrors", [repr(o) for o in failed if not isinstance(o, asc.AerospikeError)][:3])
            print("every await ended", len(acknowledged) + cancelled + len(failed) == 3000)
            print("most written, some cancelled", len(acknowledged) > 1500 and cancelled > 0)
            deadline = asyncio.get_running_loop().time() + 20
            wrong = 0
            for key, i in acknowledged.items():  # readable once the client has seen the node go
                while True:
                    try:
                        record = await session.get(key)
                        break
                    except (asc.AerospikeConnectionError, asc.AerospikeTimeoutError,
                            asc.MaxErrorRateError, asc.InvalidNodeError):  # the killed node's
                        # error rate tripped, or its partitions have no node until the map moves
                        if asyncio.get_running_loop().time() > deadline:
                            raise
                        await asyncio.sleep(0.1)
                wrong += record.bins != {"i": i}
            print("acknowledged writes read back wrong", wrong)
            await cluster.close()               # waits for the cancelled commands still in C
            print("closed, pending", cluster.closed, len(cluster._pending))
            print("new fds", sorted(opened() - held))
            aio_threads = [t.name for t in threading.enumerate() if t.name.startswith("aerospike_c.aio")]
            # close() joined the executor's threads, but CPython < 3.13 does not pthread_join:
            # a joined thread leaves /proc/self/task a moment later, as its OS thread exits
            gone_by = time.monotonic() + 5
            while len(os.listdir("/proc/self/task")) > tasks_before and time.monotonic() < gone_by:
                time.sleep(0.001)
            print("no new threads", len(os.listdir("/proc/self/task")) <= tasks_before, aio_threads)

        try:
            if flavour == "uvloop":
                import uvloop
                loop = uvloop.new_event_loop()
                loop.run_until_complete(asyncio.wait_for(main(), 120))
                loop.close()
            else:
                asyncio.run(asyncio.wait_for(main(), 120))
        finally:
            embedded.stop()
    ''', args=[flavour], timeout=180)
    assert lines == [f"mode {flavour != 'threads'}", "failures not AerospikeErrors []",
                     "every await ended True", "most written, some cancelled True",
                     "acknowledged writes read back wrong 0", "closed, pending True 0",
                     "new fds []", "no new threads True []"]


# -- scans and queries: C async scans (aerospike_scan_async ..., aerospike_c/_aio_streams.py) ---
SCAN_SET = f"aio_native_scan_{uuid.uuid4().hex[:12]}"
SCAN_INDEX = f"{SCAN_SET}_i"
SCAN_RECORDS = 500


@pytest.fixture(scope="module")
def scan_client(aerospike_hosts):
    """SCAN_RECORDS records in SCAN_SET (bins i, s) with an index on i; the sync client."""
    client = asc.Client(asc.Config(aerospike_hosts)).connect()
    for i in range(SCAN_RECORDS):
        client.put(("test", SCAN_SET, i), {"i": i, "s": f"r{i}"})
    client.index_create("test", SCAN_SET, "i", SCAN_INDEX, asc.AS_INDEX_NUMERIC)
    yield client
    client.index_remove("test", SCAN_INDEX)
    for i in range(SCAN_RECORDS):
        client.remove(("test", SCAN_SET, i))
    client.close()


def contents(records):
    return sorted((r.key[3], tuple(sorted(r.bins.items()))) for r in records)


def native_only(cluster):
    def refuse(*args, **kwargs):
        raise AssertionError("a native scan went to the executor")
    cluster._executor.submit = refuse  # type: ignore[method-assign]


def test_scans_and_queries_are_c_async_scans_giving_what_the_sync_ones_give(aerospike_hosts,
                                                                            scan_client):
    where = ("i", 100, 299)

    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            native_only(cluster)
            session = cluster.create_session(scan={"total_timeout": 20000})
            scanned = [r async for r in session.scan("test", SCAN_SET)]
            queried = [r async for r in session.query("test", SCAN_SET, where=where, chunk=7)]
            parts = [r async for r in session.scan("test", SCAN_SET, partitions=(0, 2048))]
            pq = [r async for r in session.query("test", SCAN_SET, where=where,
                                                 partitions=(2048, 2048), bins=["s"])]
            assert not cluster._pending and not cluster._streams
            del cluster._executor.submit  # close() uses it
            return scanned, queried, parts, pq
    scanned, queried, parts, pq = run(main())
    assert len(scanned) == SCAN_RECORDS
    assert contents(scanned) == contents(scan_client.scan("test", SCAN_SET))
    assert sorted(r.bins["i"] for r in queried) == list(range(100, 300))
    assert contents(queried) == contents(scan_client.query("test", SCAN_SET, where=where))
    assert contents(parts) == contents(scan_client.scan("test", SCAN_SET, partitions=(0, 2048)))
    assert 0 < len(parts) < SCAN_RECORDS
    assert contents(pq) == contents(scan_client.query("test", SCAN_SET, where=where,
                                                      partitions=(2048, 2048), bins=["s"]))
    assert all(set(r.bins) == {"s"} for r in pq)


def test_a_slow_consumer_pauses_the_scan_and_awaits_between_records_never_deadlock(
        aerospike_hosts, scan_client):
    """buffer=10: C stops handing records over at 10 waiting, and the scan resumes from its
    partition progress; the consumer awaits a get of the loops' between records meanwhile."""
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            native_only(cluster)
            session = cluster.create_session()
            got, most, runs = [], 0, 0
            async for record in session.scan("test", SCAN_SET, buffer=10, chunk=3):
                stream = next(iter(cluster._streams))
                most = max(most, len(stream.items))
                runs = stream.runs
                assert (await session.get(record.key)).bins == record.bins
                got.append(record)
            limited = [r async for r in session.query("test", SCAN_SET, max_records=50, buffer=8)]
            del cluster._executor.submit
            return got, most, runs, limited
    got, most, runs, limited = run(main())
    assert contents(got) == contents(scan_client.scan("test", SCAN_SET))  # none lost, none twice
    assert most <= 10 + 10  # the buffer and one chunk (of at most `buffer` records)
    assert runs > 1  # the consumer is slower than the scan: it paused, and resumed
    assert len(limited) == 50 and len({r.key[3] for r in limited}) == 50


def test_leaving_or_raising_stops_the_c_scan(aerospike_hosts, scan_client):
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            count = 0
            async for _ in session.scan("test", SCAN_SET, buffer=16):
                count += 1
                if count == 5:
                    break
            with pytest.raises(RuntimeError, match="consumer failed"):
                async for _ in session.query("test", SCAN_SET, where=("i", 0, 400)):
                    raise RuntimeError("consumer failed")
            for _ in range(100):  # the loop finalizes the abandoned async generators (aclose)
                if not cluster._streams:
                    break
                await asyncio.sleep(0)
            assert not cluster._streams
            # The stopped scans count themselves out; then a new scan runs as before.
            rest = [r async for r in session.scan("test", SCAN_SET)]
            return count, len(rest), cluster
    count, rest, cluster = run(main())
    assert count == 5 and rest == SCAN_RECORDS
    assert cluster.closed and not cluster._pending


def test_close_with_a_scan_in_flight_stops_it_and_waits(aerospike_hosts, scan_client):
    async def main():
        cluster = await definition(hosts=aerospike_hosts).connect()
        session = cluster.create_session()
        started = asyncio.Event()
        seen = []

        async def consume():
            async for record in session.scan("test", SCAN_SET, buffer=4):
                seen.append(record)
                started.set()
                await asyncio.sleep(0)  # a consumer slower than the scan
        task = asyncio.ensure_future(consume())
        await started.wait()
        await cluster.close()
        assert not cluster._pending  # the C scan ended before close() returned
        with pytest.raises(asc.LifecycleError, match="stopped"):
            await task
        with pytest.raises(asc.LifecycleError):
            async for _ in session.scan("test", SCAN_SET):
                pass
        return len(seen)
    assert 1 <= run(main()) < SCAN_RECORDS


def test_scan_arguments_are_checked_when_iterated(aerospike_hosts):
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            with pytest.raises(ValueError, match="buffer"):
                async for _ in session.scan("test", SCAN_SET, buffer=0):
                    pass
            with pytest.raises(ValueError, match="chunk"):
                async for _ in session.query("test", SCAN_SET, chunk=0):
                    pass
            with pytest.raises(asc.AerospikeError) as error:
                async for _ in session.query("test", SCAN_SET, where=("s", "r1")):  # no index
                    pass
            assert error.value.code == asc.AEROSPIKE_ERR_INDEX_NOT_FOUND
            assert not cluster._pending and not cluster._streams
    run(main())


# -- batch, info and transactions: C async commands too ------------------------------------------
from test_txn import sc, sc_hosts  # noqa: E402,F401 - the strong-consistency cluster fixtures


@contextlib.contextmanager
def no_executor(cluster):
    """Fail any command that goes to the cluster's executor (closing uses it: after the block)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a native command went to the executor")
    cluster._executor.submit = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        del cluster._executor.submit


def test_batches_and_info_are_c_async_commands_equal_to_the_sync_path(aerospike_hosts):
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            sync = session.sync
            keys = [("test", SET, f"bt{i}") for i in range(30)]
            for i, key in enumerate(keys[:20]):
                sync.put(key, {"i": i, "s": str(i), "l": [i, {"m": i}]})
            with no_executor(cluster):
                assert await session.batch_get(keys) == sync.batch_get(keys)
                assert await session.batch_get(keys, ["s"]) == sync.batch_get(keys, ["s"])
                assert await session.batch_exists(keys) == sync.batch_exists(keys)
                assert await session.batch_get([]) == sync.batch_get([]) == []
                odd = asc.exp.eq(asc.exp.bin_int("i"), 3)
                with pytest.raises(asc.AerospikeError) as native:
                    await session.batch_get(keys[:5], filter_exp=odd)
                with pytest.raises(asc.AerospikeError) as blocking:
                    sync.batch_get(keys[:5], filter_exp=odd)
                assert (native.value.code, str(native.value.message)) == \
                    (blocking.value.code, str(blocking.value.message))
                requests = [asc.BatchRead(keys[0]), asc.BatchRead(keys[25]), asc.BatchRead(keys[1], ["s"]),
                            asc.BatchApply(keys[2], "no_such_module", "f", [])]
                got, want = await session.batch_records(requests), sync.batch_records(requests)
                assert [(r.key, r.result, r.record, r.in_doubt) for r in got] == \
                    [(r.key, r.result, r.record, r.in_doubt) for r in want]
                assert type(got[3].error) is type(want[3].error) and got[3].error.code == want[3].error.code
                writes = [asc.BatchWrite(keys[3], {"w": 1}), asc.BatchRemove(keys[4])]
                results = await session.batch_records(writes)
                assert [r.result for r in results] == [0, 0]
                assert sync.get(keys[3]).bins["w"] == 1 and sync.exists(keys[4]) is None
                removed = await session.batch_remove(keys[5:8] + keys[25:27])
                assert [r.result for r in removed] == [0] * 3 + [asc.AEROSPIKE_ERR_RECORD_NOT_FOUND] * 2
                assert sync.batch_exists(keys[5:8]) == [None] * 3
                assert await session.info("namespaces") == sync.info("namespaces")
                node = cluster.node_names()[0]
                assert await session.info("build", node=node) == sync.info("build", node=node)
                with pytest.raises(asc.InvalidNodeError):
                    await session.info("build", node="no such node")
                with pytest.raises(TypeError):
                    await session.batch_get(keys, "s")
                assert not cluster._pending
            assert await session.batch_get([asc.as_key_init(*keys[0])]) == sync.batch_get(keys[:1])
    run(main())


def test_batches_take_any_iterable_of_keys_and_bins_as_the_sync_client_does(aerospike_hosts):
    """A generator is read once: the path that declines it (as_key objects go the general
    way) got an empty one and answered zero records."""
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            sync = session.sync
            keys = [("test", SET, f"gen{i}") for i in range(6)]
            for i, key in enumerate(keys[:4]):
                sync.put(key, {"i": i, "s": str(i)})
            want = sync.batch_get(keys)
            assert [r is not None for r in want] == [True] * 4 + [False] * 2
            for form in (lambda: iter(keys), lambda: (asc.as_key_init(*key) for key in keys)):
                for client in (session, sync):
                    got = client.batch_get(form())
                    got = await got if client is session else got
                    assert [r and (r.key[:3], r.bins) for r in got] == \
                        [r and (r.key[:3], r.bins) for r in want]
                    exists = client.batch_exists(form())
                    exists = await exists if client is session else exists
                    assert [e is not None for e in exists] == [True] * 4 + [False] * 2
                    s_only = client.batch_get(form(), (name for name in ["s"]))
                    s_only = await s_only if client is session else s_only
                    assert [r and r.bins for r in s_only] == [{"s": str(i)} for i in range(4)] + [None] * 2
            requests = (asc.BatchRead(key) for key in keys[:2])
            assert [r.record.bins["i"] for r in await session.batch_records(requests)] == [0, 1]
            assert [r.record.bins["i"] for r in sync.batch_records(asc.BatchRead(k) for k in keys[:2])] == [0, 1]
            removed = await session.batch_remove(key for key in keys[2:4])
            assert [r.result for r in removed] == [0, 0]
            assert [r.result for r in sync.batch_remove(iter(keys[:2]))] == [0, 0]
            for client in (session, sync):
                for bad in (("test", SET, "gen0"), 7):  # one key, not a list of them; not iterable
                    with pytest.raises(TypeError):
                        result = client.batch_exists(bad)
                        if client is session:
                            await result
                with pytest.raises(TypeError, match="bins"):
                    result = client.batch_get(keys, "s")
                    if client is session:
                        await result
    run(main())


def test_many_concurrent_batches_with_cancellations_and_close_in_flight(aerospike_hosts):
    async def main():
        cluster = await definition(hosts=aerospike_hosts).connect()
        # 600 batches at once queue behind the embedded server: C counts a queued command's
        # timeout from the moment it is queued, so give them room on a loaded machine
        session = cluster.create_session(batch={"total_timeout": 20000})
        keys = [("test", SET, f"bc{i}") for i in range(40)]
        for i, key in enumerate(keys[:30]):
            session.sync.put(key, {"i": i})
        want = session.sync.batch_get(keys)
        with no_executor(cluster):
            results = await asyncio.gather(*(session.batch_get(keys) for _ in range(400)))
            assert all(result == want for result in results)
            requests = [asc.BatchRead(key) for key in keys]
            tasks = [asyncio.ensure_future(session.batch_records(requests)) for _ in range(100)]
            tasks += [asyncio.ensure_future(session.batch_get(keys)) for _ in range(100)]
            await asyncio.sleep(0)
            for task in tasks[::3]:
                task.cancel()  # sent ones complete in C and are dropped; their records go then
        await cluster.close()  # waits for every batch in flight
        assert not cluster._pending
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        for task, outcome in zip(tasks, outcomes):
            if task.cancelled():
                continue
            assert not isinstance(outcome, BaseException), outcome
            if isinstance(outcome[0], asc.BatchResult):
                assert [r.record for r in outcome] == want
            else:
                assert outcome == want
        with pytest.raises(asc.LifecycleError):
            await session.batch_get(keys)
    run(main())


def test_a_transaction_bound_session_runs_natively(sc, sc_hosts):
    client, namespace = sc

    async def main(seeds):
        async with await definition(hosts=seeds).connect() as cluster:
            session = cluster.create_session()
            keys = [(namespace, "aio_txn", i) for i in range(4)]
            for key in keys:
                session.sync.put(key, {"a": 1})
            with no_executor(cluster):
                async with session.transaction() as txn:
                    await txn.put(keys[0], {"a": 2})
                    await txn.operate(keys[1], [asc.ops.incr("a", 5)])
                    assert (await txn.get(keys[0])).bins == {"a": 2}
                    assert await txn.batch_get(keys[:2]) == [await txn.get(keys[0]), await txn.get(keys[1])]
                    assert client.get(keys[0]).bins == {"a": 1}  # not visible outside yet
                assert txn.sync.txn.commit_status == asc.AS_COMMIT_OK
                assert [client.get(k).bins["a"] for k in keys[:2]] == [2, 6]
                with pytest.raises(RuntimeError):
                    async with session.transaction() as txn:
                        await txn.put(keys[2], {"a": 3})
                        await txn.batch_records([asc.BatchWrite(keys[3], {"a": 4})])
                        raise RuntimeError("roll it back")
                assert txn.sync.txn.abort_status == asc.AS_ABORT_OK
                assert [client.get(k).bins["a"] for k in keys[2:]] == [1, 1]
                bound = session.transaction()
                await bound.put(keys[2], {"a": 5})
                assert await bound.abort() == asc.AS_ABORT_OK
                with pytest.raises(asc.TransactionError) as refused:
                    await bound.commit()
                assert refused.value.code == asc.AEROSPIKE_TXN_ALREADY_ABORTED
                assert not cluster._pending
    run(main(sc_hosts[0]))
@pytest.mark.fault_injection
def test_loop_mode_asyncio_runs_the_c_loop_on_the_asyncio_thread():
    # A fresh process: the C loops are process-wide (this session's are C threads).
    lines = run_probe('''
        import asyncio, os, time
        from aerospike_c import aio
        from aerospike_c.testing import EmbeddedCluster

        def c_loop_threads():
            if not os.path.isdir("/proc/self/task"):
                return 0                    # not Linux: no thread names to read
            names = [open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")]
            return sum(name.startswith("ev") for name in names)

        embedded = EmbeddedCluster(nodes=1).start()
        slow = {"max_retries": 0, "socket_timeout": 300, "total_timeout": 300}

        async def first():
            async with await aio.ClusterDefinition(embedded.seed).connect() as cluster:
                print("mode", cluster._external is not None, "C loop threads", c_loop_threads())
                s = cluster.create_session()
                keys = [("test", "aiox", i) for i in range(300)]
                await asyncio.gather(*(s.put(k, {"i": i}) for i, k in enumerate(keys)))
                got = await asyncio.gather(*(s.get(k) for k in keys))
                print("read", sum(r.bins["i"] == i for i, r in enumerate(got)))
                doomed = [asyncio.ensure_future(s.get(k)) for k in keys[:50]]
                await asyncio.sleep(0)
                for task in doomed[::2]:
                    task.cancel()
                done = await asyncio.gather(*doomed, return_exceptions=True)
                cancelled = sum(isinstance(r, asyncio.CancelledError) for r in done)
                read = sum(r is not None and r.bins["i"] == i for i, r in enumerate(done)
                           if not isinstance(r, BaseException))
                print("cancelled", cancelled > 0, "the rest read", cancelled + read)
                print("exists", await s.exists(keys[1]) is not None, await s.exists(("test", "aiox", "no")))
                try:
                    await s.get(("test", "aiox", "no"))
                except asc.RecordNotFoundError:
                    print("not found")
                print("ordered", (await s.operate_ordered(keys[2], [asc.ops.incr("i", 1), asc.ops.read("i")]))[2])
                embedded.hang_node(0)       # libev's timers run on asyncio's: the put times out
                started = time.monotonic()
                try:
                    await s.put(keys[0], {"i": -1}, policy=slow)
                except asc.AerospikeTimeoutError as error:
                    print("timeout", error.in_doubt, time.monotonic() - started < 5)
                embedded.resume_node(0)
                print("pending", len(cluster._pending))

        asyncio.run(asyncio.wait_for(first(), 60))

        async def second():                 # a new asyncio loop takes the C loop over
            async with await aio.ClusterDefinition(embedded.seed).connect() as cluster:
                s = cluster.create_session()
                print("again", (await s.get(("test", "aiox", 5))).bins)
                try:
                    await aio.ClusterDefinition(embedded.seed, loop_mode="threads").connect()
                except ValueError as error:
                    print("ValueError", "process-wide" in str(error))
            return cluster
        asyncio.run(asyncio.wait_for(second(), 60))
        client = Client(Config([embedded.seed]))
        client.connect()                   # a sync close off any asyncio loop runs the C loop itself
        client.close()
        print("closed", not client.is_connected())
        embedded.stop()
    ''', timeout=120)
    assert lines == ["mode True C loop threads 0", "read 300", "cancelled True the rest read 50",
                     "exists True None", "not found", "ordered [('i', None), ('i', 3)]",
                     "timeout True True", "pending 0", "again {'i': 5}", "ValueError True",
                     "closed True"]


@pytest.mark.fault_injection
def test_loop_mode_asyncio_closes_a_cluster_that_never_ran_a_command():
    # Regression: the first cluster's close, with no command ever sent, hung. The sync close
    # queues its work on the C loop from the executor thread, and libev only registers the
    # wake-up pipe that carries that work on its first ev_run.
    lines = run_probe('''
        import asyncio, time
        from aerospike_c import aio
        from aerospike_c.testing import EmbeddedCluster

        embedded = EmbeddedCluster(nodes=1).start()

        async def main():
            started = time.monotonic()
            async with await aio.ClusterDefinition(embedded.seed).connect() as cluster:
                print("mode", cluster._external is not None)
            print("closed", cluster.closed, time.monotonic() - started < 10)
            async with await aio.ClusterDefinition(embedded.seed).connect() as cluster:
                print("again", await cluster.create_session().exists(("test", "aiox", "none")))

        asyncio.run(asyncio.wait_for(main(), 30))
        embedded.stop()
    ''', timeout=60)
    assert lines == ["mode True", "closed True True", "again None"]


@pytest.mark.fault_injection
def test_fork_with_the_c_loop_running_on_the_asyncio_thread():
    # tests/test_async.py's fork test in loop_mode "asyncio": fork with puts in flight. The
    # child gets clear errors from the parent's cluster and from a new aio cluster (C's event
    # loops do not survive fork) and can use a sync client; the parent loses no command.
    lines = run_probe('''
        import asyncio
        from aerospike_c import aio
        from aerospike_c.testing import EmbeddedCluster

        embedded = EmbeddedCluster(nodes=1).start()

        async def main():
            cluster = await aio.ClusterDefinition(embedded.seed).connect()
            print("mode", cluster._external is not None)
            session = cluster.create_session()
            keys = [("test", PROBE_SET, i) for i in range(50)]
            await session.put(keys[0], {"i": 0})
            flying = [asyncio.ensure_future(session.put(k, {"i": i})) for i, k in enumerate(keys)]
            await asyncio.sleep(0)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    async def child():
                        try:
                            await session.get(keys[0])
                        except RuntimeError as error:
                            print("child, parent's cluster:", "event loop that connected" in str(error))
                        try:
                            await aio.ClusterDefinition(embedded.seed).connect()
                        except asc.LifecycleError as error:
                            print("child, new aio cluster:", "fork" in str(error))
                    asyncio.run(asyncio.wait_for(child(), 20))
                    fresh = Client(Config([embedded.seed])).connect()
                    print("child sync", fresh.get(keys[0]).bins)
                    fresh.close()
                    sys.stdout.flush()
                finally:
                    os._exit(0)
            _, status = await asyncio.get_running_loop().run_in_executor(None, os.waitpid, pid, 0)
            print("child status", status)
            done = await asyncio.gather(*flying, return_exceptions=True)
            print("parent puts", [d for d in done if d is not None])
            got = await asyncio.gather(*(session.get(k) for k in keys))
            print("parent read", sum(r.bins == {"i": i} for i, r in enumerate(got)))
            await cluster.close()
            print("closed", cluster.closed, len(cluster._pending))

        asyncio.run(asyncio.wait_for(main(), 60))
        embedded.stop()
    ''', timeout=90)
    assert lines == ["mode True", "child, parent's cluster: True", "child, new aio cluster: True",
                     "child sync {'i': 0}", "child status 0", "parent puts []", "parent read 50",
                     "closed True 0"]


def test_a_child_forked_in_a_coroutine_ends_its_asyncio_run(aerospike_hosts):
    # A child forked inside a coroutine that simply returns ends the parent's asyncio.run in
    # the child: its shutdown closed the parent's clusters left open (_on_loop_shutdown), a
    # close that waited for good for the parent's executor threads, which the child does not
    # have (and would have removed their readers from the epoll the child shares with the
    # parent). (That loop's own close in the child deregisters the parent's self-pipe from
    # the shared epoll, asyncio's doing: the parent here does not use its loop again.)
    lines = run_probe('''
        import asyncio, signal, time
        from aerospike_c import aio

        async def main():
            cluster = await aio.ClusterDefinition(HOSTS, loop_mode="asyncio").connect()
            await cluster.create_session().put(("test", PROBE_SET, "k"), {"i": 1})
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                return "child"              # the child's asyncio.run shuts down the loop
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    print("child status", status, flush=True)
                    break
                time.sleep(0.05)
            else:
                print("child hung", flush=True)
                os.kill(pid, signal.SIGKILL)
            os._exit(0)

        asyncio.run(main())
        os._exit(0)
    ''', hosts=aerospike_hosts, timeout=60)
    assert lines == ["child status 0"], lines


# -- record UDFs: aerospike_key_apply_async ---------------------------------------------------
def test_apply_is_a_c_async_command_equal_to_the_sync_path(aerospike_hosts):
    lua = Path(__file__).resolve().parent.parent / "examples" / "lua" / "record_udf.lua"

    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            session.sync.cluster.client.udf_put(str(lua))
            key = ("test", SET, "apply")
            session.sync.put(key, {"i": 7, "s": "text"})
            want = session.sync.apply(key, "record_udf", "values")
            refuse_the_executor(cluster)
            assert await session.apply(key, "record_udf", "values") == want
            assert await session.apply(key, "record_udf", "sum", [2, 3]) == 5
            assert await session.apply(key, "record_udf", "echo", [{"a": [1, 2.5, b"x"]}]) == \
                {"a": [1, 2.5, b"x"]}
            await session.apply(key, "record_udf", "set_bin", ["s", "new"])
            assert session.sync.get(key).bins["s"] == "new"
            with pytest.raises(asc.UDFError) as raised:
                await session.apply(key, "record_udf", "fail", ["boom"])
            assert raised.value.message.endswith("boom")
            passes = asc.exp.eq(asc.exp.bin_int("i"), 7)
            fails = asc.exp.eq(asc.exp.bin_int("i"), 8)
            assert await session.apply(key, "record_udf", "sum", [1, 1], filter_exp=passes) == 2
            with pytest.raises(asc.AerospikeError) as filtered:
                await session.apply(key, "record_udf", "sum", [1, 1], filter_exp=fails)
            assert filtered.value.code == asc.AEROSPIKE_FILTERED_OUT
            with pytest.raises(TypeError):
                await session.apply(key, "record_udf", "sum", [object()])
            # cancelled applies complete in C and their results are dropped (freed)
            tasks = [asyncio.ensure_future(session.apply(key, "record_udf", "values"))
                     for _ in range(50)]
            await asyncio.sleep(0)
            for task in tasks[::2]:
                task.cancel()
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(o == session.sync.apply(key, "record_udf", "values")
                       for t, o in zip(tasks, outcomes) if not t.cancelled())
            del cluster._executor.submit
            session.sync.remove(key)
        assert not cluster._pending  # close() waited for the cancelled ones
    run(main())


def test_get_with_bins_is_aerospike_key_select_async_equal_to_the_sync_path(aerospike_hosts):
    async def main():
        async with await definition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            key = ("test", SET, "select")
            session.sync.put(key, {"a": 1, "b": "two", "c": [3], "d": {"e": 4.5}})
            refuse_the_executor(cluster)
            for bins in (["a"], ["b", "d"], ("c", "a"), ["a", "missing"], ["missing"]):
                want = session.sync.get(key, bins)
                got = await session.get(key, bins)
                assert (got.bins, got.meta["gen"], got.key[:3]) == \
                    (want.bins, want.meta["gen"], want.key[:3]), bins
                assert (await session.select(key, bins)).bins == want.bins
            with pytest.raises(asc.RecordNotFoundError):
                await session.get(("test", SET, "never"), ["a"])
            passes = asc.exp.eq(asc.exp.bin_int("a"), 1)
            assert (await session.get(key, ["a"], filter_exp=passes)).bins == {"a": 1}
            with pytest.raises(asc.AerospikeError) as filtered:
                await session.get(key, ["a"], filter_exp=asc.exp.eq(asc.exp.bin_int("a"), 2))
            assert filtered.value.code == asc.AEROSPIKE_FILTERED_OUT
            del cluster._executor.submit  # what C cannot take goes the general way: same errors
            for bad in (["x" * 16], [1], "a"):
                with pytest.raises((TypeError, ValueError, asc.AerospikeError)) as raised:
                    session.sync.get(key, bad)
                with pytest.raises(type(raised.value)):
                    await session.get(key, bad)
            session.sync.remove(key)
    run(main())
