"""as_metrics: the C client's own metrics files, and Python metrics listeners."""
from __future__ import annotations

import gc
import sys
import threading
import time
import weakref

import pytest

import aerospike_c as asc
from multi_record_fixtures import unique_set
from probe_helpers import probe_output

LISTENER_SET = unique_set()  # the listener tests' records: a real server keeps other runs'


def test_policy_has_the_c_defaults_and_checked_fields():
    policy = asc.as_metrics_policy_init()
    assert (policy.report_dir, policy.interval, policy.latency_columns, policy.latency_shift,
            policy.enable) == (".", 30, 7, 1, False)
    with pytest.raises(ValueError, match="report_dir"):
        policy.report_dir = "x" * 300
    with pytest.raises(TypeError, match="interval"):
        policy.interval = "30"


def test_enabled_metrics_write_a_file_that_names_the_nodes(aerospike_hosts, tmp_path):
    client = asc.Client(hosts=list(aerospike_hosts), tender_interval=250).connect()
    with client:
        names = client.node_names()
        policy = asc.as_metrics_policy_init()
        policy.report_dir = str(tmp_path)
        policy.interval = 1
        asc.aerospike_enable_metrics(client.aerospike, policy)
        client.info("namespaces")
        deadline = time.monotonic() + 10
        text = ""
        while time.monotonic() < deadline and not any(n in text for n in names):
            time.sleep(0.25)
            text = "".join(p.read_text() for p in tmp_path.glob("*.log"))
        asc.aerospike_disable_metrics(client.aerospike)
    assert list(tmp_path.glob("metrics-*.log")), "no metrics file was written"
    assert any(name in text for name in names)


def test_metrics_need_a_connected_instance():
    instance = asc.aerospike_init(asc.as_config_init())
    with pytest.raises(asc.LifecycleError):
        asc.aerospike_enable_metrics(instance, asc.as_metrics_policy_init())
    with pytest.raises(TypeError):
        asc.aerospike_enable_metrics(instance, {"interval": 1})
    asc.aerospike_destroy(instance)


def test_the_instances_own_metrics_policy_is_taken(aerospike_hosts, tmp_path):
    """The module doc says the functions take the instance's `config.policies.metrics`; a
    view of it was refused with TypeError ("not CStruct")."""
    client = asc.Client(hosts=list(aerospike_hosts))
    with client:
        policy = client.aerospike.config.policies.metrics
        policy.report_dir = str(tmp_path)
        asc.aerospike_enable_metrics(client.aerospike, policy)
        asc.aerospike_disable_metrics(client.aerospike)
        with pytest.raises(TypeError, match="as_metrics_policy"):
            asc.aerospike_enable_metrics(client.aerospike, client.aerospike.config.policies.write)
    assert list(tmp_path.glob("metrics-*.log"))


# -- Python metrics listeners (as_metrics_policy_set_listeners) ------------------------------
def listening_policy(interval=1, udata="udata", **listeners):
    """A policy with Python listeners: the given ones, the rest recording nothing."""
    policy = asc.as_metrics_policy_init()
    policy.interval = interval
    quiet = {"enable": lambda err, udata: None, "snapshot": lambda err, cluster, udata: None,
             "node_close": lambda err, node, udata: None,
             "disable": lambda err, cluster, udata: None}
    quiet.update(listeners)
    asc.as_metrics_policy_set_listeners(policy, quiet["enable"], quiet["disable"],
                                        quiet["node_close"], quiet["snapshot"], udata)
    return policy


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_python_listeners_get_enable_snapshots_of_the_nodes_and_disable(aerospike_hosts):
    events = []
    snapshots = []

    def enable(err, udata):
        events.append(("enable", udata, threading.get_ident()))

    def snapshot(err, cluster, udata):
        nodes = cluster.nodes
        snapshots.append({
            "thread": threading.get_ident(), "udata": udata,
            "command_count": cluster.command_count,
            "names": sorted(node.name for node in nodes),
            "ports": sorted(node.port for node in nodes),
            "stats": [asc.aerospike_node_stats(node) for node in nodes],
            "cluster_stats": asc.aerospike_cluster_stats(cluster),
            "metrics": {node.name: node.metrics for node in nodes},
            "columns": cluster.latency_columns,
            # the C accessors a C listener calls, on the views
            "c_command_count": asc.as_cluster_get_command_count(cluster),
            "c_addresses": sorted(asc.as_node_get_address_string(node) for node in nodes),
            "c_opened": [asc.as_node_get_sync_conns_opened(node) for node in nodes],
        })

    def disable(err, cluster, udata):
        events.append(("disable", sorted(node.name for node in cluster.nodes),
                       threading.get_ident()))

    with asc.Client(hosts=list(aerospike_hosts), tender_interval=250) as client:
        names = sorted(client.node_names())
        keys = [("test", LISTENER_SET, i) for i in range(20)]
        policy = asc.as_metrics_policy_init()
        policy.interval = 1
        asc.as_metrics_policy_set_listeners(policy, enable, disable, None, snapshot, "udata")
        with pytest.raises(asc.AerospikeError) as missing:  # C: every listener, or none
            client.enable_metrics(policy)
        assert missing.value.code == asc.AEROSPIKE_ERR_PARAM
        assert events == []
        asc.as_metrics_policy_set_listeners(policy, enable, disable,
                                            lambda err, node, udata: None, snapshot, "udata")
        client.enable_metrics(policy)
        assert events == [("enable", "udata", threading.get_ident())]
        for key in keys:  # counted and timed while metrics are enabled
            client.put(key, {"n": 1})
            client.get(key)
        assert wait_for(lambda: any(s["command_count"] >= 40 for s in snapshots))
        client.disable_metrics()
        assert events[-1] == ("disable", names, threading.get_ident())
        count = len(snapshots)
        time.sleep(0.6)
        assert len(snapshots) == count  # disabled: no more snapshots

    last = snapshots[-1]
    assert last["thread"] != threading.get_ident()  # the tend thread
    assert last["udata"] == "udata" and last["names"] == names and last["columns"] == 7
    assert sorted(s.name for s in last["stats"]) == names
    assert sorted(s.name for s in last["cluster_stats"].nodes) == names
    assert all(port > 0 for port in last["ports"])
    assert last["c_command_count"] >= last["command_count"] >= 40
    assert last["c_addresses"] == sorted(s.address for s in last["stats"])
    assert all(opened >= 1 for opened in last["c_opened"])
    test_ns = [m for ms in last["metrics"].values() for m in ms if m.ns == "test"]
    assert test_ns, last["metrics"]
    # 20 reads and 20 writes, each in one of the 7 latency buckets of its type
    assert sum(sum(m.latency["read"]) for m in test_ns) >= 20
    assert sum(sum(m.latency["write"]) for m in test_ns) >= 20
    assert all(len(m.latency[t]) == 7 for m in test_ns for t in asc.AS_LATENCY_TYPES)
    assert sum(m.bytes_out for m in test_ns) > 0 and sum(m.bytes_in for m in test_ns) > 0
    assert sum(map(asc.as_node_get_bytes_in, test_ns)) == sum(m.bytes_in for m in test_ns)
    assert asc.AS_LATENCY_TYPES == tuple(map(asc.as_latency_type_to_string, range(5)))


class Udata:
    """A udata a weakref can watch."""


def test_re_enabling_keeps_only_the_listeners_the_cluster_calls(aerospike_hosts):
    # C re-enables by disabling the old listeners; the instance then keeps only the new ones
    # (each enable used to keep its listeners and policy until destroy).
    disabled, snapshots, watched = [], [], []
    with asc.Client(hosts=list(aerospike_hosts), tender_interval=250) as client:
        for round_ in range(30):
            udata = Udata()
            watched.append(weakref.ref(udata))
            client.enable_metrics(listening_policy(
                udata=udata, disable=lambda err, cluster, udata, n=round_: disabled.append(n),
                snapshot=lambda err, cluster, udata, n=round_: snapshots.append(n)))
            del udata
        gc.collect()
        assert disabled == list(range(29))  # each enable disabled the one before
        assert [ref() is None for ref in watched] == [True] * 29 + [False]
        with pytest.raises(asc.AerospikeError) as missing:  # a failed enable changes nothing
            client.enable_metrics(listening_policy(udata=Udata(), snapshot=None))
        assert missing.value.code == asc.AEROSPIKE_ERR_PARAM
        gc.collect()
        assert watched[-1]() is not None
        snapshots.clear()
        assert wait_for(lambda: len(snapshots) >= 2)  # the last listeners are the ones called
        assert set(snapshots) == {29}
        client.disable_metrics()
        assert disabled[-1] == 29


def test_a_dropped_instance_keeps_its_listeners_until_the_reaper_closed_it(aerospike_hosts):
    # The instance alone kept its last enable's listeners: dropped while connected, they went
    # with it, and the reaper's close (and any snapshot before it) found them released: the
    # disable listener never ran.
    from aerospike_c.bindings.aerospike import reap_dropped
    calls = []
    client = asc.Client(hosts=list(aerospike_hosts), tender_interval=250).connect()
    client.enable_metrics(listening_policy(
        disable=lambda err, cluster, udata: calls.append("disable"),
        snapshot=lambda err, cluster, udata: calls.append("snapshot")))
    assert wait_for(lambda: "snapshot" in calls)
    calls.append("dropped")
    with pytest.warns(ResourceWarning):
        del client
        gc.collect()
    assert reap_dropped(10)
    assert calls[-2:] == ["dropped", "disable"] or calls[-3:] == ["dropped", "snapshot", "disable"]


@pytest.mark.fault_injection
def test_node_close_listener_gets_the_node_that_leaves(aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=3)
    closed = []

    def node_close(err, node, udata):
        closed.append((node.name, node.port, asc.aerospike_node_stats(node).name,
                       threading.get_ident()))

    with asc.Client(hosts=list(embedded.hosts), tender_interval=250, conn_timeout_ms=300) as client:
        assert wait_for(lambda: len(client.node_names()) == 3)
        client.enable_metrics(listening_policy(node_close=node_close, interval=30))
        victim = embedded.node(1)
        embedded.kill_node(1)
        assert wait_for(lambda: closed)
        client.disable_metrics()
    assert closed[0][:3] == (victim.name, victim.port, victim.name)
    assert closed[0][3] != threading.get_ident()


def test_enable_none_is_the_file_writer_and_listeners_must_be_callable(tmp_path, aerospike_hosts):
    policy = asc.as_metrics_policy_init()
    with pytest.raises(TypeError, match="snapshot"):
        asc.as_metrics_policy_set_listeners(policy, None, None, None, "not callable", None)
    seen = []
    # C: no enable listener means the file writer; the other listeners are not called
    asc.as_metrics_policy_set_listeners(policy, None, None, None,
                                        lambda err, cluster, udata: seen.append(1), None)
    policy.report_dir = str(tmp_path)
    policy.interval = 1
    with asc.Client(hosts=list(aerospike_hosts), tender_interval=250) as client:
        client.enable_metrics(policy)
        time.sleep(0.6)
        client.disable_metrics()
    assert list(tmp_path.glob("metrics-*.log")) and seen == []


def test_metrics_listeners_field_reads_and_sets_the_listeners():
    policy = asc.as_metrics_policy_init()
    assert policy.metrics_listeners == asc.as_metrics_listeners()

    def snapshot(err, cluster, udata):
        return None

    asc.as_metrics_policy_set_listeners(policy, print, print, print, snapshot, 42)
    got = policy.metrics_listeners
    assert (got.enable_listener, got.snapshot_listener, got.udata) == (print, snapshot, 42)
    policy.metrics_listeners = None
    assert policy.metrics_listeners.snapshot_listener is None
    with pytest.raises(TypeError):
        policy.metrics_listeners = (print, print)


def test_the_connected_config_policy_refuses_new_listeners(aerospike_hosts):
    with asc.Client(hosts=list(aerospike_hosts)) as client:
        with pytest.raises(asc.LifecycleError, match="connected"):
            asc.as_metrics_policy_set_listeners(client.aerospike.config.policies.metrics,
                                                print, print, print, print, None)


def test_listener_errors_become_c_statuses(aerospike_hosts):
    def raising(err, udata):
        raise ValueError("no sink")

    def failing(err, udata):
        return asc.as_error_update(err, asc.AEROSPIKE_ERR_PARAM, "sink %s refused", "otel")

    reported = []
    snapshots = []

    def raising_snapshot(err, cluster, udata):
        snapshots.append(1)
        raise RuntimeError("snapshot failed")

    with asc.Client(hosts=list(aerospike_hosts), tender_interval=250) as client:
        with pytest.raises(asc.AerospikeError) as info:
            client.enable_metrics(listening_policy(enable=raising))
        assert info.value.code == asc.AEROSPIKE_ERR_CLIENT
        assert "ValueError: no sink" in info.value.message
        assert isinstance(info.value.__cause__, ValueError)
        with pytest.raises(asc.AerospikeError) as info:
            client.enable_metrics(listening_policy(enable=failing))
        assert (info.value.code, info.value.message) == (asc.AEROSPIKE_ERR_PARAM, "sink otel refused")
        with pytest.raises(asc.AerospikeError) as info:
            client.enable_metrics(listening_policy(enable=lambda err, udata: asc.AEROSPIKE_ERR_TIMEOUT))
        assert info.value.code == asc.AEROSPIKE_ERR_TIMEOUT
        with pytest.raises(asc.AerospikeError, match="not an as_status"):
            client.enable_metrics(listening_policy(enable=lambda err, udata: "ok"))

        # On the tend thread C logs the error and tends on; Python reports the exception.
        hook = sys.unraisablehook
        sys.unraisablehook = lambda unraisable: reported.append(unraisable.exc_value)
        try:
            client.enable_metrics(listening_policy(snapshot=raising_snapshot))
            assert wait_for(lambda: len(snapshots) >= 3)
            client.disable_metrics()
        finally:
            sys.unraisablehook = hook
        assert reported and all(isinstance(e, RuntimeError) for e in reported)

        def raising_disable(err, cluster, udata):
            raise ValueError("flush failed")

        client.enable_metrics(listening_policy(disable=raising_disable))
        with pytest.raises(asc.AerospikeError, match="flush failed"):
            client.disable_metrics()
        client.put(("test", LISTENER_SET, "after"), {"n": 1})  # the instance still works


def test_a_view_used_after_its_listener_returned_raises(aerospike_hosts):
    kept = []

    def snapshot(err, cluster, udata):
        if not kept:
            kept.append((cluster, cluster.nodes[0]))

    with asc.Client(hosts=list(aerospike_hosts), tender_interval=250) as client:
        client.enable_metrics(listening_policy(snapshot=snapshot))
        assert wait_for(lambda: kept)
        client.disable_metrics()
    cluster, node = kept[0]
    for use in (lambda: cluster.nodes, lambda: cluster.command_count, lambda: node.name,
                lambda: node.metrics, lambda: asc.aerospike_node_stats(node),
                lambda: asc.aerospike_cluster_stats(cluster),
                lambda: asc.as_cluster_get_retry_count(cluster),
                lambda: asc.as_node_get_address_string(node)):
        with pytest.raises(asc.LifecycleError, match="only during the metrics listener"):
            use()


def test_a_view_read_from_another_thread_is_safe_while_the_listener_returns(aerospike_hosts):
    outcome = {"reads": 0}

    def read(cluster):
        try:
            while True:
                for node in cluster.nodes:
                    node.metrics
                    asc.aerospike_node_stats(node)
                outcome["reads"] += 1
        except asc.LifecycleError:
            outcome["ended"] = True

    def snapshot(err, cluster, udata):
        if "reader" not in outcome:
            outcome["reader"] = threading.Thread(target=read, args=(cluster,))
            outcome["reader"].start()
            time.sleep(0.2)  # the reader reads meanwhile; the return ends its view

    with asc.Client(hosts=list(aerospike_hosts), tender_interval=250) as client:
        client.enable_metrics(listening_policy(snapshot=snapshot))
        assert wait_for(lambda: "reader" in outcome)
        outcome["reader"].join(10)
        client.disable_metrics()
    assert outcome.get("ended") and outcome["reads"] > 0


def test_calls_into_the_instance_from_a_listener_raise_instead_of_deadlocking(aerospike_hosts):
    from_enable = []
    from_snapshot = []
    with asc.Client(hosts=list(aerospike_hosts), tender_interval=250) as client:
        key = ("test", LISTENER_SET, "inside")
        client.put(key, {"n": 1})
        calls = [lambda: client.get(key), lambda: client.put(key, {"n": 2}),
                 lambda: client.disable_metrics(), lambda: client.enable_metrics(),
                 lambda: client.close()]

        def attempt(into):
            for call in calls:
                try:
                    call()
                except asc.LifecycleError as error:
                    into.append(str(error))

        client.enable_metrics(listening_policy(
            enable=lambda err, udata: attempt(from_enable),
            snapshot=lambda err, cluster, udata: from_snapshot or attempt(from_snapshot)))
        assert wait_for(lambda: from_snapshot)
        client.disable_metrics()
        assert client.get(key)  # and it works again outside
    assert len(from_enable) == len(calls) and len(from_snapshot) == len(calls)
    assert any("metrics listener" in text for text in from_enable)
    assert any("metrics listener" in text for text in from_snapshot)


def test_interrupts_in_listeners_do_not_wedge_the_process(aerospike_hosts):
    out = probe_output('''
        import signal, threading, time
        def policy(**given):
            p = asc.as_metrics_policy_init(); p.interval = 1
            ok = {"enable": lambda e, u: None, "snapshot": lambda e, c, u: None,
                  "node_close": lambda e, n, u: None, "disable": lambda e, c, u: None}
            ok.update(given)
            asc.as_metrics_policy_set_listeners(p, ok["enable"], ok["disable"], ok["node_close"],
                                                ok["snapshot"], None)
            return p
        client = Client(Config(HOSTS, tender_interval=250)).connect()

        def interrupted(err, udata):
            raise KeyboardInterrupt
        try:
            client.enable_metrics(policy(enable=interrupted))
        except KeyboardInterrupt:
            print("enable: KeyboardInterrupt", flush=True)

        def waiting(err, udata):   # a signal's KeyboardInterrupt lands inside the listener
            threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
            time.sleep(5)
        started = time.monotonic()
        try:
            client.enable_metrics(policy(enable=waiting))
        except KeyboardInterrupt:
            print("SIGINT: KeyboardInterrupt", time.monotonic() - started < 4, flush=True)

        seen = []
        def tend_interrupt(err, cluster, udata):
            seen.append(1)
            raise KeyboardInterrupt
        sys.unraisablehook = lambda u: None
        client.enable_metrics(policy(snapshot=tend_interrupt))
        time.sleep(1.0)
        print("tend thread goes on:", len(seen) >= 2, flush=True)
        client.disable_metrics()

        def slow(err, cluster, udata):
            time.sleep(0.5)
        client.enable_metrics(policy(snapshot=slow))
        time.sleep(0.3)
        started = time.monotonic()
        client.disable_metrics()            # waits for the running snapshot, as in C
        print("disable after a slow snapshot:", time.monotonic() - started < 2, flush=True)
        client.disable_metrics()

        def interrupted_close(err, cluster, udata):  # Ctrl-C in the disable listener of close
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
            time.sleep(5)
        client.enable_metrics(policy(disable=interrupted_close))
        started = time.monotonic()
        try:
            client.close()
            print("close: returned")
        except KeyboardInterrupt:
            print("close: KeyboardInterrupt", time.monotonic() - started < 4,
                  client.aerospike.connected, flush=True)
        client.connect()
        client.enable_metrics(policy(disable=interrupted_close))
        try:
            client.destroy()                # Client.destroy: close and destroy in one C call
            print("destroy: returned")
        except KeyboardInterrupt:
            try:
                client.connect()
            except asc.LifecycleError:
                print("destroy: KeyboardInterrupt, destroyed", flush=True)
        client = Client(Config(HOSTS, tender_interval=250)).connect()
        client.enable_metrics(policy(snapshot=slow))
        print("exit with listeners running", flush=True)
    ''', hosts=aerospike_hosts, timeout=60)
    assert out.splitlines() == [
        "enable: KeyboardInterrupt", "SIGINT: KeyboardInterrupt True",
        "tend thread goes on: True", "disable after a slow snapshot: True",
        "close: KeyboardInterrupt True False", "destroy: KeyboardInterrupt, destroyed",
        "exit with listeners running"]


def test_an_interrupt_after_a_connect_inside_the_disable_listener_is_raised_by_close(
        aerospike_hosts):
    # aerospike_connect ended its escape holder (ESCAPES) as inactive, also when it ran inside
    # the disable listener of a close on the same thread: a Ctrl-C landing in that listener
    # after the connect went to sys.unraisablehook and close() returned.
    out = probe_output('''
        def policy(disable):
            p = asc.as_metrics_policy_init()
            asc.as_metrics_policy_set_listeners(p, lambda e, u: None, disable,
                                                lambda e, n, u: None, lambda e, c, u: None, None)
            return p
        other = Client(Config(HOSTS))
        def disable(err, cluster, udata):
            other.connect()
            raise KeyboardInterrupt             # as a signal's, landing after the connect
        lost = []
        sys.unraisablehook = lambda unraisable: lost.append(unraisable.exc_type.__name__)
        client = Client(Config(HOSTS)).connect()
        client.enable_metrics(policy(disable))
        try:
            client.close()
            print("close returned", lost)
        except KeyboardInterrupt:
            print("close: KeyboardInterrupt", client.aerospike.connected, other.aerospike.connected)
        other.close()
    ''', hosts=aerospike_hosts, timeout=60)
    assert out.splitlines() == ["close: KeyboardInterrupt False True"]


def test_enables_of_different_instances_from_listeners_do_not_deadlock(aerospike_hosts):
    # aerospike_enable_metrics held one lock for every instance around C's enable: thread A,
    # in the enable listener of a, waited for b's metrics lock, which thread B held in b's
    # disable listener while it enabled metrics of c, waiting for that lock. C alone
    # (a's lock, then b's; b's, then c's) never waits in a circle.
    out = probe_output('''
        import threading
        def policy(enable=lambda e, u: None, disable=lambda e, c, u: None):
            p = asc.as_metrics_policy_init()
            asc.as_metrics_policy_set_listeners(p, enable, disable, lambda e, n, u: None,
                                                lambda e, c, u: None, None)
            return p
        a, b, c = (Client(Config(HOSTS)).connect() for _ in range(3))
        in_b, in_a = threading.Event(), threading.Event()
        def b_disable(err, cluster, udata):       # holds b's metrics lock
            in_b.set()
            in_a.wait(5)
            c.enable_metrics(policy())
        def a_enable(err, udata):                 # holds a's metrics lock
            in_a.set()
            in_b.wait(5)
            b.disable_metrics()                   # waits for b's
        b.enable_metrics(policy(disable=b_disable))
        threads = [threading.Thread(target=b.disable_metrics, daemon=True),
                   threading.Thread(target=a.enable_metrics, args=(policy(enable=a_enable),),
                                    daemon=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        print("deadlocked", any(thread.is_alive() for thread in threads), flush=True)
        if any(thread.is_alive() for thread in threads):
            os._exit(0)
        for client in (a, b, c):
            client.close()
    ''', hosts=aerospike_hosts, timeout=60)
    assert out.splitlines() == ["deadlocked False"]
