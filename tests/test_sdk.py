"""The SDK-shaped facade: Host, ClusterDefinition, Cluster (discovery, seeds, health, close,
fork) and Session. Data commands through sessions are in test_pool/test_failover."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import uuid

import pytest

import aerospike_c as asc
from aerospike_c.sdk import Cluster, ClusterDefinition, ClusterStats, Host, NodeStats, Session
from connection_helpers import closed_port, fast_definition, seed_peers, wait_until
from probe_helpers import random_signals

#: Sets of this session's own: a real server keeps what other runs wrote (the scans count).
SESSION_SET, FILTER_SET = (f"sdk_{kind}_{uuid.uuid4().hex[:12]}" for kind in ("session", "filter"))


# -- definitions -----------------------------------------------------------------------------
def test_host_of_and_its_string_form():
    assert Host.of("10.0.0.1", 3100) == Host("10.0.0.1", 3100, None)
    assert Host.of("db") == Host("db", 3000)
    assert str(Host("10.0.0.1", 4333, "db.example")) == "10.0.0.1:db.example:4333"
    assert str(Host.of("::1", 3000)) == "[::1]:3000"


def test_definition_accepts_the_sdk_seed_forms():
    assert ClusterDefinition("localhost", 3000).hosts == [("localhost", 3000, None)]
    both = ClusterDefinition(Host.of("a", 3000), Host("b", 4333, "tls-b"))
    assert both.hosts == [("a", 3000, None), ("b", 4333, "tls-b")]
    listed = ClusterDefinition(hosts=[Host.of("a", 3000), "b:3001", ("c", 3002)])
    assert [h for h in listed.config.hosts] == [("a", 3000, None), ("b", 3001, None), ("c", 3002, None)]


@pytest.mark.parametrize("kwargs, error, field", [
    (dict(max_conns_per_node=-1), ValueError, "max_conns_per_node"),
    (dict(tender_interval="fast"), TypeError, "tender_interval"),
    (dict(fail_if_not_connected=1), TypeError, "fail_if_not_connected"),
    (dict(policies={"read": {"base": {"total_timeout": -5}}}), ValueError, "total_timeout"),
    (dict(tls={"cafile": 7}), TypeError, "cafile"),
    (dict(min_conns_per_node=10, max_conns_per_node=2), ValueError, "min_conns_per_node"),
    (dict(min_conns_per_node=101), ValueError, "max_conns_per_node"),
    (dict(async_max_conns_per_node=1, async_min_conns_per_node=2), ValueError, "async_min"),
])
def test_bad_options_fail_when_the_definition_is_made_naming_the_field(kwargs, error, field):
    with pytest.raises(error, match=field):
        ClusterDefinition("127.0.0.1", 3000, **kwargs)


def test_definition_needs_seeds_given_one_way():
    with pytest.raises(ValueError):
        ClusterDefinition()
    with pytest.raises(TypeError):
        ClusterDefinition("a", 3000, hosts=["b:3000"])
    with pytest.raises(ValueError):
        ClusterDefinition("127.0.0.1", 3000, user="admin")  # a user needs a password


def test_connection_options_reach_the_c_config(aerospike_hosts):
    definition = fast_definition(
        hosts=aerospike_hosts, min_conns_per_node=2, max_conns_per_node=7, max_socket_idle=30,
        use_services_alternate=False, fail_if_not_connected=True, rack_ids=[2, 1],
        policies={"write": {"base": {"total_timeout": 321}}})
    with definition.connect() as cluster:
        config = cluster.client.config
        assert (config.min_conns_per_node, config.max_conns_per_node, config.max_socket_idle) == (2, 7, 30)
        assert config.tender_interval == 250
        assert config.rack_aware is True and config.rack_ids == [2, 1]
        assert config.policies.read.replica == asc.AS_POLICY_REPLICA_PREFER_RACK
        assert config.policies.write.base.total_timeout == 321


def test_tls_option_turns_tls_on_with_its_fields():
    definition = ClusterDefinition(Host("127.0.0.1", 4333, "db"), tls={"cafile": "/ca.pem"})
    config = definition.config.to_as_config()
    assert config.tls.enable is True and config.tls.cafile == "/ca.pem"
    assert config.hosts == [("127.0.0.1", 4333, "db")]



def test_a_port_given_as_a_string_is_refused_not_taken_for_a_second_seed():
    with pytest.raises(TypeError, match="port must be an int"):
        ClusterDefinition("127.0.0.1", "3000")
    assert ClusterDefinition("a:3000", "b:3001").hosts == ["a:3000", "b:3001"]


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(policies=[("read", {})]), TypeError, "policies must be a dict"),
    (dict(policies={"reed": {"total_timeout": 5}}), ValueError, "unknown policy kind"),
    (dict(tls="yes"), TypeError, "tls must be True, False or a dict"),
])
def test_bad_policies_and_tls_raise_type_or_value_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        ClusterDefinition("127.0.0.1", 3000, **kwargs)


def test_host_parse_hosts_reads_a_seed_string():
    assert Host.parse_hosts("a:3000, b", 3100) == [Host("a", 3000), Host("b", 3100)]
    assert Host.parse_hosts("[::1]:db:4333", 3000) == [Host("::1", 4333, "db")]
    with pytest.raises(ValueError):
        Host.parse_hosts("a:3000,", 3000)
    with pytest.raises(TypeError):
        Host.parse_hosts(None, 3000)


# -- discovery and seeds ---------------------------------------------------------------------
# On the hosts: test_one_seed_finds_the_nodes_all_seeds_find.
@pytest.mark.fault_injection(reason="needs a 3-node cluster of its own")
def test_one_seed_discovers_all_three_nodes(aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=3)
    with fast_definition(Host.of(*embedded.seed)).connect() as cluster:
        assert wait_until(lambda: len(cluster.node_names()) == 3)
        assert sorted(cluster.node_names()) == sorted(embedded.node_names)
        stats = cluster.get_stats()
        assert stats.active_nodes == 3
        assert sorted(stats.node_addresses) == sorted(f"{h}:{p}" for h, p in embedded.hosts)


def test_one_seed_finds_the_nodes_all_seeds_find(aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        expected = sorted(cluster.node_names())
    with fast_definition(Host.of(*aerospike_hosts[0])).connect() as cluster:
        assert wait_until(lambda: sorted(cluster.node_names()) == expected)


def _connect_after_a_dead_seed(live: Host) -> None:
    """as_cluster_tend on init, fail_if_not_connected: the live seed is found after the dead one
    was marked unreachable; if that seed reports no peers (a one-node cluster) the cluster still
    holds one node, so the connect fails naming the dead seed; with peers it succeeds."""
    dead = closed_port()
    definition = fast_definition(hosts=[Host.of("127.0.0.1", dead), live])
    if not seed_peers(live.name, live.port):
        with pytest.raises(asc.ClientError) as raised:
            definition.connect()
        assert raised.value.code == asc.AEROSPIKE_ERR_CLIENT
        assert raised.value.message == f"Peers not reachable: 127.0.0.1:{dead}"
        return
    with definition.connect() as cluster:
        assert cluster.is_connected()
        assert len(cluster.node_names()) == 1 + len(seed_peers(live.name, live.port))


def test_a_dead_first_seed_fails_connect_only_when_the_live_seed_has_no_peers(aerospike_hosts):
    _connect_after_a_dead_seed(Host.of(*aerospike_hosts[0]))


# On the hosts: test_a_dead_first_seed_fails_connect_only_when_the_live_seed_has_no_peers.
@pytest.mark.fault_injection(reason="needs a 1-node and a 3-node cluster of its own")
@pytest.mark.parametrize("nodes", [1, 3])
def test_the_dead_seed_rule_by_cluster_size(aerospike_cluster_factory, nodes):
    embedded = aerospike_cluster_factory(nodes=nodes)
    assert len(seed_peers(*embedded.seed)) == nodes - 1
    _connect_after_a_dead_seed(Host.of(*embedded.seed))


@pytest.mark.fault_injection
def test_connect_succeeds_with_two_seeds_when_the_first_node_is_down(aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=3)
    first, second = (Host.of(*embedded.node(i).address) for i in (0, 1))
    embedded.kill_node(0)
    with fast_definition(first, second).connect() as cluster:
        assert cluster.is_connected()
        assert wait_until(lambda: sorted(cluster.node_names()) == sorted(embedded.member_names))
        assert embedded.node(0).name not in cluster.node_names()


def test_ctrl_c_landing_in_an_event_listener_during_connect_stops_the_connect(aerospike_hosts):
    """connect()'s first tend calls the listeners on the connecting thread: a signal's
    KeyboardInterrupt raised there was lost in cffi and connect() went on."""
    def interrupted(event):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fast_definition(hosts=aerospike_hosts, on_cluster_event=interrupted).connect()
    seen = []
    with fast_definition(hosts=aerospike_hosts, on_cluster_event=seen.append).connect() as cluster:
        assert cluster.is_connected and seen  # the next connect is not handed the old one


def test_no_reachable_seed_fails_to_connect():
    with pytest.raises(asc.AerospikeConnectionError):
        fast_definition("127.0.0.1", closed_port()).connect()


@pytest.mark.fault_injection
def test_without_fail_if_not_connected_the_tender_finds_a_cluster_that_comes_up(
        aerospike_cluster_factory):
    port = closed_port()
    with fast_definition("127.0.0.1", port, fail_if_not_connected=False).connect() as cluster:
        assert not cluster.is_connected()
        assert cluster.get_stats().active_nodes == 0
        with pytest.raises(asc.AerospikeError):
            cluster.ping()
        aerospike_cluster_factory(nodes=1, port=port)
        assert wait_until(cluster.is_connected)
        assert cluster.ping() > 0


# -- health ----------------------------------------------------------------------------------
def test_ping_is_a_round_trip_over_the_pool(aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        names = cluster.node_names()
        for name in names:
            assert cluster.ping(name) > 0
        stats = cluster.get_stats()
        assert isinstance(stats, ClusterStats)
        assert stats.total_connections >= len(names)  # one pooled connection per node pinged
        for name in names:
            node = stats.node(name)
            assert node.opened >= 1 and node.in_pool >= 1 and node.in_use == 0
        with pytest.raises(asc.InvalidNodeError):
            cluster.ping("NO_SUCH_NODE")
        assert stats.to_dict()["active_nodes"] == len(names)


@pytest.mark.fault_injection
def test_is_connected_and_ping_follow_the_cluster(aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=2)
    with fast_definition(embedded.seed, policies={"info": {"timeout": 300}}).connect() as cluster:
        assert cluster.is_connected() and cluster.ping() > 0
        for index in range(2):
            embedded.hang_node(index)
        with pytest.raises(asc.AerospikeTimeoutError):
            cluster.ping()  # a hung node: the round trip times out, nothing hangs
        for index in range(2):
            embedded.resume_node(index)
            embedded.kill_node(index)
        assert wait_until(lambda: not cluster.is_connected())
        # C stops calling the cluster connected at 5 failed tends of each node, and drops the
        # nodes in a later tend (as_cluster_is_connected, as_cluster_remove_nodes)
        assert wait_until(lambda: cluster.get_stats().active_nodes == 0)
        for index in range(2):
            embedded.restart_node(index)
        assert wait_until(cluster.is_connected)
        assert cluster.ping() > 0


def test_close_is_final_idempotent_and_done_by_with(aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        assert isinstance(cluster, Cluster) and cluster.is_connected()
    assert cluster.closed and not cluster.is_connected()
    cluster.close()  # again: nothing to do
    for call in (cluster.get_stats, cluster.ping, cluster.node_names, cluster.create_session):
        with pytest.raises(asc.LifecycleError):
            call()
    with pytest.raises(asc.LifecycleError):
        with cluster:
            pass



def test_is_connected_reads_as_the_sdk_property_and_as_a_call(aerospike_hosts):
    cluster = fast_definition(hosts=aerospike_hosts).connect()
    check = cluster.is_connected
    assert check and check() is True and cluster.is_connected == True  # noqa: E712
    cluster.close()
    assert not cluster.is_connected and cluster.is_connected() is False
    assert not check  # it asks each time


def test_a_close_cut_short_after_the_c_client_was_freed_can_be_finished(aerospike_hosts):
    """A KeyboardInterrupt between the C destroy and the Cluster's own bookkeeping (the
    state client.destroy() leaves): close() finishes, the rest says closed, never raises."""
    cluster = fast_definition(hosts=aerospike_hosts).connect()
    cluster.client.destroy()
    assert cluster.closed and not cluster.is_connected and repr(cluster) == "<Cluster closed>"
    with pytest.raises(asc.LifecycleError, match="the cluster was closed"):
        cluster.get_stats()
    cluster.close()
    cluster.close()
    assert cluster.closed


def test_an_interrupt_right_after_a_call_counts_in_leaves_no_call_counted(aerospike_hosts,
                                                                          monkeypatch):
    """Counted out without a finalizer: a signal's KeyboardInterrupt landing in a __del__ is
    dropped, and one ran after every info, scan, batch and transaction call."""
    from aerospike_c.bindings.aerospike import aerospike, using

    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        instance = cluster.client.aerospike
        assert not hasattr(type(using(instance, "probe")), "__del__")
        counted_in = aerospike._enter

        def interrupted(self, what, token):
            counted_in(self, what, token)
            raise KeyboardInterrupt

        monkeypatch.setattr(aerospike, "_enter", interrupted)
        with pytest.raises(KeyboardInterrupt):
            cluster.create_session().info("node")
        monkeypatch.undo()
        assert instance.calls == 0 and cluster.ping() > 0


def test_one_definition_connects_independent_clusters(aerospike_hosts):
    definition = fast_definition(hosts=aerospike_hosts)
    with definition.connect() as first, definition.connect() as second:
        first.close()
        assert second.is_connected() and second.ping() > 0


# -- sessions --------------------------------------------------------------------------------
def test_sessions_carry_their_policies_over_the_cluster_defaults(aerospike_hosts):
    definition = fast_definition(hosts=aerospike_hosts,
                                 policies={"read": {"base": {"total_timeout": 900}}})
    with definition.connect() as cluster:
        plain = cluster.create_session()
        fast = cluster.create_session(read={"total_timeout": 40, "base": {"max_retries": 0}})
        assert isinstance(fast, Session) and fast.cluster is cluster
        assert plain.policy("read").base.total_timeout == 900
        assert fast.policy("read").base.total_timeout == 40
        assert fast.policy("read").base.max_retries == 0
        assert fast.policy("write").base.total_timeout == cluster.client.config.policies.write.base.total_timeout
        before = cluster.get_stats().total_connections
        sessions = [cluster.create_session() for _ in range(50)]
        assert len(sessions) == 50 and cluster.get_stats().total_connections == before


def test_sessions_run_record_batch_and_scan_commands(aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        session = cluster.create_session(write={"total_timeout": 2000}, scan={"total_timeout": 9000})
        keys = [("test", SESSION_SET, i) for i in range(20)]
        for i, key in enumerate(keys):
            session.put(key, {"i": i})
        assert session.get(keys[3]).bins == {"i": 3}
        assert session.increment(keys[3], "i", 10) == 13
        assert [r.bins["i"] for r in session.batch_get(keys[:3])] == [0, 1, 2]
        assert sorted(r.bins["i"] for r in session.scan("test", SESSION_SET)) == \
            sorted([13] + [i for i in range(20) if i != 3])
        with pytest.raises(asc.RecordNotFoundError):
            session.get(("test", SESSION_SET, "absent"))
        with pytest.raises(asc.RecordExistsError):  # a per-call policy over the session's
            session.put(keys[0], {"i": 0}, policy={"exists": asc.AS_POLICY_EXISTS_CREATE})
        for key in keys:
            session.remove(key)


def test_session_commands_take_filter_exp_as_client_methods_do(aerospike_hosts):
    from aerospike_c import exp

    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        session = cluster.create_session(read={"total_timeout": 2000})
        key = ("test", FILTER_SET, "k")
        session.put(key, {"i": 1})
        passes, fails = exp.eq(exp.bin_int("i"), 1), exp.eq(exp.bin_int("i"), 2)
        assert session.get(key, filter_exp=passes).bins == {"i": 1}
        for command in (lambda f: session.get(key, filter_exp=f),
                        lambda f: session.put(key, {"i": 5}, filter_exp=f),
                        lambda f: session.operate(key, [asc.ops.read("i")], filter_exp=f),
                        lambda f: session.remove(key, filter_exp=f)):
            with pytest.raises(asc.AerospikeError) as error:
                command(fails)
            assert error.value.code == asc.AEROSPIKE_FILTERED_OUT
        assert session.get(key).bins == {"i": 1}  # the session's own policy has no filter
        assert session.increment(key, "i", 1, filter_exp=passes) == 2
        assert [r.bins for r in session.batch_get([key], filter_exp=exp.gt(exp.bin_int("i"), 1))] \
            == [{"i": 2}]
        assert list(session.scan("test", FILTER_SET, filter_exp=passes)) == []  # i is 2 now
        assert [r.bins for r in session.scan("test", FILTER_SET, filter_exp=fails)] == [{"i": 2}]
        session.remove(key, filter_exp=exp.eq(exp.bin_int("i"), 2))
        assert session.exists(key) is None



def test_a_record_of_more_bins_than_c_counts_is_a_value_error(aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        session = cluster.create_session()
        key = ("test", SESSION_SET, "bins")
        with pytest.raises(ValueError, match="at most 65535 bins"):  # not cffi's OverflowError
            session.put(key, {f"b{i}": i for i in range(70000)})
        assert session.exists(key) is None


def test_session_policies_are_checked_when_made(aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        with pytest.raises(ValueError, match="unknown policy kind"):
            cluster.create_session(reed={"total_timeout": 1})
        with pytest.raises(ValueError, match="total_timeout"):
            cluster.create_session(read={"total_timeout": -1})



def test_sessions_refuse_an_sdk_behavior_and_cluster_transaction_binds_one(aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        assert isinstance(cluster.create_session(None), Session)
        with pytest.raises(TypeError, match="not a Behavior"):
            cluster.create_session(object())
        key = ("test", SESSION_SET, "cluster_txn")
        cluster.create_session().put(key, {"n": 1})
        bound = cluster.transaction()
        assert bound.txn is not None and bound.cluster is cluster
        plain = cluster.create_session()
        assert plain.get(key).bins == {"n": 1} and plain.txn is None


# -- fork ------------------------------------------------------------------------------------
@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork()")
def test_a_cluster_used_in_a_forked_child_says_so_and_the_child_can_connect_anew(aerospike_hosts):
    code = textwrap.dedent(f"""
        import os, sys
        from aerospike_c.sdk import ClusterDefinition
        hosts = {list(aerospike_hosts)!r}
        cluster = ClusterDefinition(hosts=hosts, tender_interval=250).connect()
        pid = os.fork()
        if pid == 0:
            lines = [f"child connected={{cluster.is_connected()}}"]
            try:
                cluster.ping()
            except Exception as exc:
                lines.append(f"child ping {{type(exc).__name__}} {{'fork' in str(exc)}}")
            cluster.close()
            with ClusterDefinition(hosts=hosts).connect() as fresh:
                lines.append(f"child fresh ping {{fresh.ping() > 0}}")
            os.write(1, ("\\n".join(lines) + "\\n").encode())
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        print(f"child exit {{status}}")
        print(f"parent ping {{cluster.ping() > 0}}")
        cluster.close()
    """)
    result = subprocess.run([sys.executable, "-X", "faulthandler", "-c", code],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "child connected=False", "child ping LifecycleError True", "child fresh ping True",
        "child exit 0", "parent ping True"]


# -- metrics export --------------------------------------------------------------------------
SAMPLE = re.compile(r'^([a-z_]+)(\{(.*)\})? (\d+)$')


def parse_prometheus(text: str) -> dict:
    """{(metric, frozenset of label pairs): value}; every line must be valid exposition text."""
    samples, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("# HELP "):
            continue
        match = SAMPLE.match(line)
        assert match, line
        name, _, labels, value = match.groups()
        assert name in typed, f"{name} has no # TYPE line"
        pairs = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels or ""))
        samples[(name, pairs)] = int(value)
    return samples


def test_stats_export_as_prometheus_text(aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts).connect() as cluster:
        for name in cluster.node_names():
            cluster.ping(name)
        stats = cluster.get_stats()
        samples = parse_prometheus(stats.to_prometheus(prefix="app"))
    assert samples[("app_active_nodes", frozenset())] == stats.active_nodes
    assert samples[("app_retries_total", frozenset())] == stats.retry_count
    for node in stats.nodes:
        where = {("node", node.name), ("address", node.address)}
        assert samples[("app_connections", frozenset(where | {("state", "in_pool")}))] == node.in_pool
        assert samples[("app_connections", frozenset(where | {("state", "in_use")}))] == node.in_use
        assert samples[("app_connections_opened_total", frozenset(where))] == node.opened
        assert samples[("app_command_timeouts_total", frozenset(where))] == node.timeouts
    total = sum(v for (name, _), v in samples.items() if name == "app_connections")
    assert total == stats.total_connections


def test_prometheus_label_values_are_escaped():
    node = NodeStats('odd"name\\', "a\nb", 1, 0, 1, 0, 0, 0, 0)
    text = ClusterStats((node,), 0).to_prometheus()
    assert 'node="odd\\"name\\\\",address="a\\nb"' in text
    assert len(parse_prometheus(text)) == 9



def test_prometheus_prefix_must_be_a_metric_name():
    stats = ClusterStats((), 0)
    assert stats.to_prometheus(prefix="app:db_1").startswith("# HELP app:db_1_active_nodes")
    with pytest.raises(ValueError, match="metric name"):
        stats.to_prometheus(prefix="my app")
    with pytest.raises(TypeError):
        stats.to_prometheus(prefix=5)


def test_a_cluster_left_open_is_closed_at_exit(aerospike_hosts):
    code = textwrap.dedent(f"""
        from aerospike_c.sdk import ClusterDefinition
        events = []
        cluster = ClusterDefinition(hosts={list(aerospike_hosts)!r}, tender_interval=250,
                                    on_cluster_event=events.append).connect()
        print(cluster.is_connected(), len(events) > 0)
    """)
    result = subprocess.run([sys.executable, "-X", "faulthandler", "-W", "error::ResourceWarning",
                             "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
    assert "ResourceWarning" not in result.stderr and "Exception" not in result.stderr


@random_signals
def test_ctrl_c_during_a_batch_loop_reaches_the_caller(aerospike_hosts):
    """A KeyboardInterrupt landing in a Python gc callback is dropped by gc; the package's
    own callback is C code, so the signal waits for the caller's code."""
    code = textwrap.dedent(f"""
        import gc, signal, time, types
        import aerospike_c
        from aerospike_c.sdk import ClusterDefinition
        assert not any(isinstance(cb, types.FunctionType) for cb in gc.callbacks)
        signal.signal(signal.SIGALRM, signal.default_int_handler)
        with ClusterDefinition(hosts={list(aerospike_hosts)!r}).connect() as cluster:
            session = cluster.create_session()
            keys = [("test", {SESSION_SET!r}, i) for i in range(300)]
            interrupted = 0
            for _ in range(5):
                signal.setitimer(signal.ITIMER_REAL, 0.05)
                started = time.monotonic()
                try:
                    while time.monotonic() - started < 3:
                        session.batch_get(keys)
                except KeyboardInterrupt:
                    interrupted += 1
            print(interrupted)
    """)
    result = subprocess.run([sys.executable, "-X", "faulthandler", "-c", code],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5"]
    assert "Exception ignored" not in result.stderr
