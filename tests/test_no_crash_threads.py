"""Never a hang: threads, callbacks, garbage collection and asyncio (issue 10, findings 9-11, 14).

Each probe runs in its own interpreter with a timeout (tests/probe_helpers.py): a deadlock,
a signal or a non-zero exit fails the test instead of stopping the run. The probes start
their own embedded cluster, because they add nodes to make the tend thread call back.
"""
from __future__ import annotations

import textwrap

import pytest

from probe_helpers import run_probe

pytestmark = pytest.mark.fault_injection

#: Prepended to each probe: a 1-node embedded cluster and a helper that connects to it.
CLUSTER = """
import gc, threading, time, warnings
from aerospike_c.testing import EmbeddedCluster
from aerospike_c.bindings.aerospike import reap_dropped
embedded = EmbeddedCluster(nodes=1).start()

def new_config(on_event=None):
    config = asc.as_config_init()
    for host, port in embedded.hosts:
        asc.as_config_add_host(config, host, port)
    config.tender_interval = 250
    if on_event is not None:
        asc.as_config_set_cluster_event_callback(config, on_event)
    return config

def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()

def attempt(fn, *args):
    # the exception fn(*args) raises, or None (outcome() without the printing)
    try:
        fn(*args)
    except Exception as error:
        return error
    return None

def on_tender(as_):
    return as_.connected and bool(asc._aerospike.lib.asc_on_tend_thread(as_._ptr))
"""


def probe(body: str, timeout: float = 90.0, prelude: str = "") -> list:
    return run_probe(CLUSTER + prelude + textwrap.dedent(body), timeout=timeout)


# -- finding 9: calls that would wait for the tend thread, made on it --------------------------
def test_closing_from_a_cluster_event_callback_is_refused_and_the_client_goes_on():
    lines = probe("""
        outcomes = []
        holder = {}
        def on_event(event):
            as_ = holder.get("as")
            if event.type != asc.AS_CLUSTER_ADD_NODE or as_ is None or not on_tender(as_):
                return
            for call in (asc.aerospike_close, asc.aerospike_destroy,
                         asc.aerospike_disable_metrics,
                         lambda a: asc.aerospike_enable_metrics(a, None)):
                outcomes.append(attempt(call, as_))
        as_ = holder["as"] = asc.aerospike_init(new_config(on_event))
        asc.aerospike_connect(as_)
        embedded.add_node()
        print(wait_for(lambda: len(outcomes) == 4))
        print(sorted({type(e).__name__ for e in outcomes}), all("tend thread" in str(e) for e in outcomes))
        print(asc.aerospike_cluster_is_connected(as_), wait_for(lambda: len(asc.as_cluster_get_node_names(as_)) == 2))
        asc.aerospike_close(as_); asc.aerospike_destroy(as_)
        print("closed", as_.destroyed)
    """)
    assert lines[0] == "True"
    assert lines[1] == "['LifecycleError'] True"
    assert lines[2] == "True True"
    assert lines[3] == "closed True"


def test_closing_a_client_or_an_sdk_cluster_from_its_listener_is_refused():
    lines = probe("""
        from aerospike_c.sdk import ClusterDefinition
        outcomes = []
        holder = {}
        def listener(event):
            cluster = holder.get("cluster")
            if cluster is None or event.type != asc.AS_CLUSTER_ADD_NODE:
                return
            if not on_tender(cluster._client._as):
                return
            outcomes.append(outcome(cluster.close))
            outcomes.append(outcome(cluster._client.close))
            outcomes.append(outcome(cluster._client.destroy))
        cluster = holder["cluster"] = ClusterDefinition(hosts=embedded.hosts, tender_interval=250,
                                                        on_cluster_event=listener).connect()
        embedded.add_node()
        print(wait_for(lambda: len(outcomes) == 3))
        print(cluster.is_connected(), cluster.closed)
        cluster.close()
        print(cluster.closed)
    """)
    assert [line.split(":")[0] for line in lines[:3]] == ["LifecycleError"] * 3
    assert all("tend thread" in line for line in lines[:3])
    assert lines[3:] == ["True", "True False", "True"]


def test_closing_from_a_log_callback_on_the_tend_thread_is_refused():
    lines = probe("""
        outcomes = []
        holder = {}
        def log(level, func, file, line, message):
            as_ = holder.get("as")
            if as_ is not None and not outcomes and on_tender(as_):
                outcomes.append(attempt(asc.aerospike_close, as_))
            return True
        asc.as_log_set_level(asc.AS_LOG_LEVEL_DEBUG)
        asc.as_log_set_callback(log)
        as_ = holder["as"] = asc.aerospike_init(new_config())
        asc.aerospike_connect(as_)
        embedded.add_node()  # the tender logs "Add node ..." on its own thread
        print(wait_for(lambda: outcomes) and f"{type(outcomes[0]).__name__}: {outcomes[0]}")
        asc.as_log_set_callback(None)
        print(asc.aerospike_cluster_is_connected(as_))
        asc.aerospike_close(as_); asc.aerospike_destroy(as_)
        print("closed")
    """)
    assert lines[0].startswith("LifecycleError: ") and "tend thread" in lines[0]
    assert lines[1:] == ["True", "closed"]


def test_a_callback_calling_in_while_another_thread_closes_gets_an_error_not_a_deadlock():
    # close() used to hold the instance lock while joining the tend thread; a callback on
    # that thread calling into the instance then waited for the lock forever.
    lines = probe("""
        inside = threading.Event()
        seen = []
        holder = {}
        def on_event(event):
            as_ = holder.get("as")
            if as_ is None or event.type != asc.AS_CLUSTER_ADD_NODE or not on_tender(as_):
                return
            inside.set()
            wait_for(lambda: as_._closing)  # main thread is now inside aerospike_close
            seen.append(outcome(asc.as_cluster_get_node_names, as_))
            seen.append(outcome(asc.aerospike_close, as_))
        as_ = holder["as"] = asc.aerospike_init(new_config(on_event))
        asc.aerospike_connect(as_)
        embedded.add_node()
        print(inside.wait(20))
        asc.aerospike_close(as_)
        asc.aerospike_destroy(as_)
        print(len(seen), as_.destroyed)
    """)
    assert lines[0] == "True"
    assert lines[1].startswith("LifecycleError: ") and "being closed" in lines[1]
    assert lines[2].startswith("LifecycleError: ")
    assert lines[3] == "2 True"


def test_closing_from_a_scan_callback_is_refused_while_the_scan_runs():
    lines = probe("""
        client = Client(Config(embedded.hosts)).connect()
        for i in range(300):
            client.put(("test", "nc", i), {"i": i})
        for concurrent in (False, True):
            seen = []
            def callback(record):
                if record is not None and not seen:
                    seen.append(outcome(client.close))
                    seen.append(outcome(asc.aerospike_destroy, client.aerospike))
            client.scan_foreach("test", "nc", callback, concurrent=concurrent)
        print(client.is_connected())
        client.destroy()
        print("destroyed")
    """)
    assert [line.split(":")[0] for line in lines[:4]] == ["LifecycleError"] * 4
    assert all("still running" in line for line in lines[:4])
    assert lines[4:] == ["True", "destroyed"]


# -- finding 10: finalizers never block or close on the tend thread --------------------------
def test_a_client_collected_on_its_own_tend_thread_is_closed_and_gc_keeps_working():
    lines = probe("""
        warnings.simplefilter("ignore", ResourceWarning)
        collected = []
        def on_event(event):
            if threading.current_thread() is not threading.main_thread():
                collected.append(gc.collect())  # this pass finalizes the client of this tender
        gc.disable()
        def drop_in_a_cycle():
            as_ = asc.aerospike_init(new_config(on_event))
            asc.aerospike_connect(as_)
            cycle = [as_]
            cycle.append(cycle)
            client = Client(new_config(on_event)).connect()
            client.me = client
        drop_in_a_cycle()
        embedded.add_node()
        print(bool(wait_for(lambda: collected)), reap_dropped(30))
        for _ in range(20000):  # cycles holding memory: a pass still finds them all
            cycle = [bytearray(1024)]
            cycle.append(cycle)
        del cycle
        print(gc.collect() >= 20000, gc.collect() == 0)  # a hung pass made these 0 and 0
        gc.enable()
        print(sum(1 for t in threading.enumerate() if t.name.startswith("aerospike_c-scan")))
    """)
    assert lines == ["True True", "True True", "0"]


def test_gc_forced_in_log_and_event_callbacks_while_cycles_are_dropped_never_hangs():
    lines = probe("""
        warnings.simplefilter("ignore", ResourceWarning)
        passes = []
        def log(level, func, file, line, message):
            if threading.current_thread() is not threading.main_thread():
                passes.append(gc.collect())
            return True
        asc.as_log_set_level(asc.AS_LOG_LEVEL_DEBUG)
        asc.as_log_set_callback(log)
        def on_event(event):
            passes.append(gc.collect())
        for round in range(3):
            for _ in range(3):
                client = Client(new_config(on_event)).connect()
                client.put(("test", "gc", round), {"r": round})
                stream = client.scan("test", "gc", buffer=1)  # an unfinished scan in the cycle
                next(stream)
                client.cycle = (client, stream)
                del client, stream
            embedded.add_node()
            wait_for(lambda: len(passes) > round)
        asc.as_log_set_callback(None)
        print(reap_dropped(60), gc.collect() >= 0)
        print(len(passes) > 0)
    """, timeout=150)
    assert lines == ["True True", "True"]


def test_an_instance_dropped_in_a_forked_child_is_not_closed_there():
    lines = probe("""
        import os
        as_ = asc.aerospike_init(new_config())
        asc.aerospike_connect(as_)
        pid = os.fork()
        if pid == 0:
            warnings.simplefilter("ignore")
            del as_
            gc.collect()
            print("child", reap_dropped(10), flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        print("parent", asc.aerospike_cluster_is_connected(as_))
        asc.aerospike_close(as_); asc.aerospike_destroy(as_)
    """)
    assert lines == ["child True", "parent True"]


def test_fork_while_a_scan_runs_leaves_the_parent_scan_whole_and_the_child_its_own():
    lines = probe("""
        import os
        client = Client(Config(embedded.hosts)).connect()
        for i in range(600):
            client.put(("test", "fk", i), {"i": i})
        paused = client.scan("test", "fk", buffer=4)   # a scan thread blocked mid-scan
        first = next(paused)
        pid = os.fork()
        if pid == 0:
            child = [type(attempt(lambda: list(client.scan("test", "fk")))).__name__,
                     type(attempt(client.close)).__name__]
            with Client(new_config()) as own:
                child.append(len(list(own.scan("test", "fk"))))
            print("child", child, flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        print("parent", 1 + sum(1 for _ in paused))
        client.destroy()
    """)
    assert lines == ["child ['LifecycleError', 'LifecycleError', 600]", "parent 600"]


# -- a second connect while one runs ------------------------------------------------------------
def test_a_connect_from_the_connects_own_event_callback_is_refused_and_leaks_no_cluster():
    """C's aerospike_connect sets as->cluster only at its end: a connect called meanwhile (the
    cluster-event callback runs inside the first connect; another thread) made a second
    cluster, and the first one's tend and 16 pool threads leaked past the close."""
    lines = probe("""
        import os
        def tend_threads():
            names = []
            for task in os.listdir("/proc/self/task"):
                try:
                    names.append(open(f"/proc/self/task/{task}/comm").read().strip())
                except OSError:
                    pass
            return sum(1 for name in names if name in ("tend", "tpool"))
        holder, seen = {}, []
        def on_event(event):
            as_ = holder.get("as")
            if as_ is not None and not seen:
                seen.append(attempt(asc.aerospike_connect, as_))
        as_ = asc.aerospike_init(new_config(on_event))
        holder["as"] = as_
        asc.aerospike_connect(as_)
        print(type(seen[0]).__name__, "another aerospike_connect" in str(seen[0]))
        print(asc.aerospike_cluster_is_connected(as_))
        asc.aerospike_close(as_)
        print(wait_for(lambda: tend_threads() == 0, 5.0))
        asc.aerospike_destroy(as_)
    """)
    assert lines == ["LifecycleError True", "True", "True"]


# -- a KeyboardInterrupt right after C closed or destroyed an instance ---------------------------
def test_an_interrupt_during_close_or_destroy_never_leads_to_a_second_destroy():
    """A signal that arrives while C closes or destroys (the GIL released) raises as soon as
    the C call returns, before Python's bookkeeping: an instance destroyed by C and not known
    as such was destroyed again by the next destroy or by its finalizer (free(): invalid
    pointer, SIGABRT, in 132 of 300 attempts). The guard is marked dead in the C call now."""
    lines = probe("""
        import _thread, random
        random.seed(7)
        kept, seen = [], set()
        def interrupt_after(go, delay):
            def fire():
                go.wait()
                time.sleep(delay)
                _thread.interrupt_main()
            thread = threading.Thread(target=fire)
            thread.start()
            return thread
        for i in range(240):
            way = ("Client.destroy", "Client.close+destroy", "aerospike_close+destroy")[i % 3]
            if way == "aerospike_close+destroy":
                as_ = asc.aerospike_init(new_config())
                asc.aerospike_connect(as_)
                calls = [lambda: asc.aerospike_close(as_), lambda: asc.aerospike_destroy(as_)]
                state = lambda: "destroyed" if as_.destroyed else "closed" if not as_.connected else "connected"
                kept.append(as_)
            else:
                client = Client(Config(embedded.hosts)).connect()
                calls = ([client.destroy] if way == "Client.destroy" else [client.close, client.destroy])
                state = lambda c=client: ("destroyed" if c._as.destroyed else
                                          "closed" if not c._as.connected else "connected")
                kept.append(client)
            go = threading.Event()
            thread = interrupt_after(go, random.uniform(0, 0.0015))
            try:
                go.set()  # the interrupt lands after this, inside the try
                for call in calls:
                    call()
                thread.join()  # a late interrupt lands right after: still in the try
                seen.add((way, "done"))
            except KeyboardInterrupt:
                seen.add((way, "interrupted, " + state()))
                thread.join()
        for item in kept:  # finish what the interrupts cut short: never twice
            try:
                if isinstance(item, Client):
                    if not item._as.destroyed:
                        item.destroy()
                elif not item.destroyed:
                    if item.connected:
                        asc.aerospike_close(item)
                    asc.aerospike_destroy(item)
            except Exception as error:
                print("finishing:", type(error).__name__, error)
        del kept, item
        gc.collect()
        print(sorted(seen))
    """, timeout=120)
    seen = lines[-1]
    assert "finishing:" not in " ".join(lines[:-1]), lines
    assert "('Client.destroy', 'interrupted, destroyed')" in seen, seen  # the window was hit


# -- exceptions in callbacks on C threads -------------------------------------------------------
def test_system_exit_and_keyboard_interrupt_in_callbacks_are_never_lost():
    lines = probe("""
        import _thread
        client = Client(Config(embedded.hosts)).connect()
        for i in range(2000):
            client.put(("test", "ki", i), {"i": i})
        def exits(record):
            raise SystemExit(3)
        for concurrent in (False, True):
            try:
                client.scan_foreach("test", "ki", exits, concurrent=concurrent)
            except SystemExit as stop:
                print("SystemExit", stop.code)
        # A KeyboardInterrupt at any moment of a scan: the whole result, or the interrupt.
        outcomes = set()
        for attempt in range(20):
            count = [0]
            def slow(record):
                count[0] += 1
                if count[0] == 1:
                    threading.Timer(0.001 * attempt, _thread.interrupt_main).start()
                time.sleep(0.0002)
            try:
                client.scan_foreach("test", "ki", slow, concurrent=attempt % 2 == 1)
                outcomes.add("complete" if count[0] == 2001 else f"short {count[0]}")
            except KeyboardInterrupt:
                outcomes.add("interrupted")
            time.sleep(0.05)  # a late interrupt lands here, not in the next attempt
        print(sorted(o for o in outcomes if o.startswith("short")))
        reported = []
        sys.unraisablehook = reported.append
        def log(*args):
            raise SystemExit(4)
        asc.as_log_set_level(asc.AS_LOG_LEVEL_INFO)
        asc.as_log_set_callback(log)
        embedded.add_node()
        print(bool(wait_for(lambda: reported)), type(reported[0].exc_value).__name__)
        asc.as_log_set_callback(None)
        print(client.is_connected())
        client.destroy()
    """, timeout=150)
    assert lines == ["SystemExit 3", "SystemExit 3", "[]", "True SystemExit", "True"]


def test_log_callback_errors_reach_the_default_unraisablehook_intact():
    done = run_probe("""
        import aerospike_c.log
        asc.as_log_set_level(asc.AS_LOG_LEVEL_INFO)
        asc.as_log_set_callback(lambda *args: 1 / 0)
        config = asc.as_config_init()
        asc.as_config_add_host(config, "127.0.0.1", 1)
        config.conn_timeout_ms = 100
        outcome(Client(config).connect)
    """)
    assert done[0].startswith("AerospikeConnectionError") or done[0].startswith("Aerospike")


# -- findings 11 and 14: asyncio cancellation ---------------------------------------------------
AIO = """
import asyncio
from aerospike_c import aio

def stuck_threads():
    return sorted(t.name for t in threading.enumerate()
                  if t.name.startswith(("aerospike_c-scan", "aerospike_c.aio")))
"""


def test_cancelled_async_scans_stop_their_c_scans_and_close_still_closes():
    lines = probe(prelude=AIO, body="""
        async def main():
            cluster = await aio.ClusterDefinition(hosts=embedded.hosts, tender_interval=250).connect()
            session = cluster.create_session()
            await asyncio.gather(*(session.put(("test", "ac", i), {"i": i}) for i in range(2000)))
            started = asyncio.Event()
            async def consume(kind):
                stream = (session.scan("test", "ac", buffer=4, chunk=2) if kind % 2
                          else session.query("test", "ac", buffer=4))
                async for record in stream:
                    started.set()
                    await asyncio.sleep(0.001)
            tasks = [asyncio.ensure_future(consume(i)) for i in range(20)]
            await started.wait()
            await asyncio.sleep(0.1)
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            print(all(isinstance(r, asyncio.CancelledError) for r in results))
            await asyncio.wait_for(_idle(cluster), 30)
            print(len(cluster._in_flight), len(cluster._streams))
            await cluster.close()
            print(cluster.closed, cluster.sync.closed, cluster.sync._client._as.destroyed)
            await cluster.close()
        async def _idle(cluster):
            while cluster._in_flight:
                await asyncio.sleep(0.02)
        asyncio.run(main())
        print(stuck_threads())
    """)
    assert lines == ["True", "0 0", "True True True", "[]"]


def test_a_cancelled_close_still_closes_and_later_closes_await_it():
    lines = probe(prelude=AIO, body="""
        async def main():
            cluster = await aio.ClusterDefinition(hosts=embedded.hosts, tender_interval=250).connect()
            session = cluster.create_session()
            await session.put(("test", "ac", "k"), {"v": 1})
            for _ in range(3):  # scans left open: close stops them
                stream = session.scan("test", "ac", buffer=1).__aiter__()
                await stream.__anext__()
            try:
                await asyncio.wait_for(cluster.close(), 0.0001)
            except asyncio.TimeoutError:
                print("first close cancelled")
            print(cluster.closed)
            await cluster.close()
            print(cluster.sync.closed, cluster.sync._client._as.destroyed)
            await cluster.close()
            try:
                await session.get(("test", "ac", "k"))
            except asc.LifecycleError:
                print("LifecycleError")
        asyncio.run(main())
        print(stuck_threads())
    """)
    assert lines == ["first close cancelled", "True", "True True", "LifecycleError", "[]"]


def test_an_async_scan_left_early_or_failing_stops_and_reports():
    lines = probe(prelude=AIO, body="""
        async def main():
            async with await aio.ClusterDefinition(hosts=embedded.hosts, tender_interval=250).connect() as cluster:
                session = cluster.create_session()
                await asyncio.gather(*(session.put(("test", "ae", i), {"i": i}) for i in range(50)))
                seen = [r.bins["i"] async for r in session.scan("test", "ae", chunk=7)]
                print(sorted(seen) == list(range(50)))
                stream = session.scan("test", "ae", buffer=2)
                async for _ in stream:
                    break
                await stream.aclose()
                try:
                    async for _ in session.scan("test", "ae", buffer=0):
                        pass
                except ValueError as error:
                    print("ValueError", "buffer" in str(error))
                try:
                    async for _ in session.scan("no_such_namespace", "ae"):
                        pass
                except asc.AerospikeError as error:
                    print(type(error).__name__)
                print(len(cluster._in_flight) <= 1)
        asyncio.run(main())
        print(stuck_threads())
    """)
    assert lines[:2] == ["True", "ValueError True"]
    assert lines[2].endswith("Error") and lines[3:] == ["True", "[]"]


# -- finding 12: the embedded server rides out accept() errors ---------------------------------
def test_a_node_out_of_file_descriptors_accepts_again_once_some_are_free():
    lines = probe("""
        import logging, resource, socket, struct
        failures = []
        class Seen(logging.Handler):
            def emit(self, record):
                if "accept failed" in record.getMessage():
                    failures.append(record.getMessage())
        logging.getLogger("aerospike_c.testing").addHandler(Seen())
        host, port = embedded.hosts[0]
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        hoard = []
        try:
            while True:
                hoard.append(socket.socket())
        except OSError as error:
            print("exhausted", error.errno == errno.EMFILE)
        hoard.pop().close()                      # one descriptor for the client's socket
        client = socket.create_connection((host, port), timeout=30)
        print("accept failed", bool(wait_for(lambda: failures)))   # the node has none left
        for sock in hoard:
            sock.close()
        hoard.clear()
        body = b"node\\n"
        client.sendall(struct.pack(">Q", (2 << 56) | (1 << 48) | len(body)) + body)
        header = client.recv(8, socket.MSG_WAITALL)
        size = struct.unpack(">Q", header)[0] & ((1 << 48) - 1)
        answer = client.recv(size, socket.MSG_WAITALL).decode()
        print("served", answer.startswith("node\\t" + embedded.node_names[0]))
        client.close()
        with Client(new_config()) as fresh:      # and new connections, from the C client
            fresh.put(("test", "fd", 1), {"v": 1})
            print("C client", fresh.get(("test", "fd", 1)).bins)
    """, prelude="import errno\n")
    assert lines == ["exhausted True", "accept failed True", "served True", "C client {'v': 1}"]


def test_a_cancelled_connect_closes_the_cluster_it_made_off_the_loop():
    lines = probe(prelude=AIO, body="""
        from aerospike_c import sdk
        async def main():
            definition = aio.ClusterDefinition(hosts=embedded.hosts, tender_interval=250)
            task = asyncio.ensure_future(definition.connect())
            await asyncio.sleep(0)  # the connect is on its worker thread now
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                print("cancelled")
            deadline = time.monotonic() + 20
            while sdk._OPEN_CLUSTERS and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            print(len(sdk._OPEN_CLUSTERS))
        asyncio.run(main())
    """)
    assert lines == ["cancelled", "0"]


def test_an_aio_cluster_collected_with_commands_in_flight_keeps_what_c_reads_until_they_end():
    # Records and a transaction that C reads until its command completes: a cluster (with its
    # session and transaction) collected first must not free them under the event loop thread.
    lines = probe(prelude=AIO, body="""
        import weakref
        from aerospike_c._queries import BatchRead
        from aerospike_c.bindings.aerospike_batch import as_batch_records
        destroyed = []
        def spy(cls):
            release = cls._release
            def logged(self):
                if not self._released:
                    destroyed.append(cls.__name__)
                release(self)
            cls._release = logged
        spy(as_batch_records)
        txns = []  # the as_txn: destroyed in C (ffi.gc) once collected
        sc = EmbeddedCluster(nodes=1, strong_consistency=True).start()
        slow = {"max_retries": 0, "socket_timeout": 20000, "total_timeout": 20000}
        async def main():
            policies = {"batch": slow, "batch_parent_write": slow, "write": slow}
            cluster = await aio.ClusterDefinition(hosts=sc.hosts, policies=policies).connect()
            session = cluster.create_session()
            keys = [("test", "gc", i) for i in range(100)]
            await asyncio.gather(*(session.put(key, {"i": 1}) for key in keys))
            sc.hang_node(0)
            bound = session.transaction()
            txns.append(weakref.ref(bound.sync.txn.txn))
            tasks = [asyncio.ensure_future(session.batch_records([BatchRead(k) for k in keys])),
                     asyncio.ensure_future(bound.put(keys[0], {"i": 2}))]
            del bound
            await asyncio.sleep(0.2)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            print("in flight", len(cluster._pending))
        loop = asyncio.new_event_loop()
        loop.run_until_complete(main())
        loop.close()
        del loop
        gc.collect()
        print("collected, destroyed:", sorted(destroyed), "txn collected:", txns[0]() is None)
        sc.resume_node(0)
        print("reaped", reap_dropped(30), sorted(destroyed), "txn collected:", txns[0]() is None)
    """)
    assert lines == ["in flight 2", "collected, destroyed: [] txn collected: False",
                     "reaped True ['as_batch_records'] txn collected: True"]


def test_an_aio_scan_running_when_its_cluster_is_collected_lets_go_of_its_c_state():
    # The run's last completion, which drops Python's reference to the C scan state, is never
    # drained once the cluster is gone: the reference goes with the stream instead.
    lines = probe(prelude=AIO, body="""
        from aerospike_c import _aio_streams
        counts = {"started": 0, "released": 0}
        class CountingLib:
            def __getattr__(self, name):
                value = getattr(asc._aerospike.lib, name)
                if name == "asc_async_scan_start":
                    def start(*args):
                        counts["started"] += 1
                        return value(*args)
                    return start
                if name == "asc_async_scan_release":
                    def release(state):
                        counts["released"] += 1
                        value(state)
                    return release
                return value
        _aio_streams.lib = CountingLib()
        slow = {"total_timeout": 20000, "socket_timeout": 20000}
        async def one():
            cluster = await aio.ClusterDefinition(hosts=embedded.hosts, policies={"scan": slow}).connect()
            stream = cluster.create_session().scan("test", "collected").__aiter__()
            embedded.hang_node(0)
            task = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0.2)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        for _ in range(3):
            loop = asyncio.new_event_loop()
            loop.run_until_complete(one())
            loop.close()
            del loop
            gc.collect()
            embedded.resume_node(0)
        print(reap_dropped(30))
        gc.collect()
        print(counts)
    """)
    assert lines == ["True", "{'started': 3, 'released': 3}"]
