"""Node controls of the embedded cluster seen from the wire: stop, kill, hang, restart, add,
partition moves, and the generations a client's tender reacts to."""

from __future__ import annotations

import socket
import threading

import pytest
from cluster_helpers import (
    N_PARTITIONS,
    StubStore,
    connect,
    decode_replicas,
    owned_partitions,
    parse_peers,
    peer_closed,
    read_reply,
    self_signed_certificate,
)

from aerospike_c.testing import EmbeddedCluster, request_info
from aerospike_c.testing.server.wire import TYPE_INFO, frame

pytestmark = pytest.mark.fault_injection


def generations(address):
    values = request_info(address, "peers-generation", "partition-generation")
    return int(values["peers-generation"]), int(values["partition-generation"])


def peer_names(address):
    return {name for name, _, _ in parse_peers(request_info(address, "peers-clear-std")
                                               ["peers-clear-std"])[1]}


def masters(cluster, namespace="test"):
    """{node name: master partition ids} as the running members report them."""
    result = {}
    for name in cluster.member_names:
        replicas = decode_replicas(request_info(cluster.node(name).address, "replicas")["replicas"])
        result[name] = owned_partitions(replicas[namespace][1][0])
    return result


def assert_all_partitions_mastered_once(cluster, namespace="test"):
    owned = masters(cluster, namespace)
    assert sorted(pid for pids in owned.values() for pid in pids) == list(range(N_PARTITIONS))
    return owned


def refused(address) -> bool:
    try:
        socket.create_connection(address, timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture
def cluster(aerospike_cluster_factory):
    return aerospike_cluster_factory(nodes=3, store=StubStore())


def test_nodes_get_distinct_free_ports_and_names(cluster):
    ports = [port for _, port in cluster.hosts]
    assert len(set(ports)) == 3 and 0 not in ports
    names = [request_info(address, "node")["node"] for address in cluster.hosts]
    assert names == cluster.node_names and len(set(names)) == 3


def test_fixed_base_port_numbers_nodes_consecutively():
    for _ in range(5):  # retry if another process grabbed one of the ports meanwhile
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        base = probe.getsockname()[1]
        probe.close()
        if base > 65000:
            continue
        try:
            embedded = EmbeddedCluster(nodes=3, port=base, store=StubStore()).start()
        except OSError:
            continue
        with embedded:
            assert [port for _, port in embedded.hosts] == [base, base + 1, base + 2]
            try:
                added = embedded.add_node()
            except OSError:  # another process took base + 3 meanwhile: try other ports
                continue
            assert added.port == base + 3
        return
    pytest.skip("could not find consecutive free ports")


def test_stop_node_closes_connections_and_moves_its_partitions(cluster):
    victim = cluster.node(1)
    seed = cluster.node(0).address
    peers_gen, part_gen = generations(seed)
    with connect(victim.address) as idle:
        cluster.stop_node(victim.name)
        assert peer_closed(idle) == "eof"
    assert refused(victim.address)
    assert victim.name not in peer_names(seed)
    new_peers_gen, new_part_gen = generations(seed)
    assert new_peers_gen > peers_gen and new_part_gen > part_gen
    owned = assert_all_partitions_mastered_once(cluster)
    assert set(owned) == {cluster.node(0).name, cluster.node(2).name}


def test_kill_node_resets_connections(cluster):
    victim = cluster.node(2)
    with connect(victim.address) as idle:
        cluster.kill_node(2)
        assert peer_closed(idle) == "reset"
    assert refused(victim.address)
    assert cluster.member_names == cluster.node_names[:2]
    assert_all_partitions_mastered_once(cluster)


def test_restarted_node_keeps_name_and_port_and_rejoins(cluster):
    victim = cluster.node(1)
    address = victim.address
    cluster.kill_node(1)
    peers_gen, _ = generations(cluster.node(0).address)
    cluster.restart_node(victim.name)
    assert victim.address == address
    assert request_info(address, "node")["node"] == victim.name
    assert victim.name in peer_names(cluster.node(0).address)
    assert generations(cluster.node(0).address)[0] > peers_gen
    owned = assert_all_partitions_mastered_once(cluster)
    assert len(owned[victim.name]) > 0


def test_hung_node_accepts_but_never_answers_until_resumed(cluster):
    victim = cluster.node(0)
    cluster.hang_node(0)
    with connect(victim.address, timeout=0.5) as sock:
        sock.sendall(frame(TYPE_INFO, b"node\n"))
        with pytest.raises(socket.timeout):
            sock.recv(100)
        assert victim.name in peer_names(cluster.node(1).address)  # still a member
        cluster.resume_node(0)
        sock.settimeout(5)
        assert read_reply(sock) == (TYPE_INFO, f"node\t{victim.name}\n".encode())


def test_evicted_hung_node_leaves_the_peers_lists(cluster):
    victim = cluster.node(2)
    cluster.hang_node(victim.name, evict=True)
    assert victim.name not in peer_names(cluster.node(0).address)
    assert_all_partitions_mastered_once(cluster)
    cluster.resume_node(victim.name)
    assert victim.name in peer_names(cluster.node(0).address)
    assert request_info(victim.address, "node")["node"] == victim.name


def test_added_node_gets_a_fair_share_of_partitions(cluster):
    node = cluster.add_node()
    assert request_info(node.address, "node")["node"] == node.name
    assert peer_names(node.address) == set(cluster.node_names[:3])
    owned = assert_all_partitions_mastered_once(cluster)
    assert sorted(len(pids) for pids in owned.values()) == [1024] * 4


def test_moving_one_partition_bumps_the_partition_generation(cluster):
    seed = cluster.node(0).address
    _, part_gen = generations(seed)
    target = cluster.node(2).name
    pid = next(pid for pid in range(N_PARTITIONS) if cluster.partition_master("test", pid) != target)
    cluster.set_partition_replicas("test", pid, [target])
    assert generations(seed)[1] > part_gen
    assert pid in masters(cluster)[target]
    assert cluster.node(target).owns_partition("test", pid)
    assert_all_partitions_mastered_once(cluster)
    with pytest.raises(ValueError):
        cluster.set_partition_replicas("test", pid, ["NO-SUCH-NODE"])
    cluster.rebalance()
    assert pid not in masters(cluster)[target]


def test_owns_partition_agrees_with_the_replicas_map(cluster):
    owned = masters(cluster)
    for name, pids in owned.items():
        node = cluster.node(name)
        assert all(node.owns_partition("test", pid) for pid in pids)
        others = set(range(N_PARTITIONS)) - set(pids)
        assert not any(node.owns_partition("test", pid) for pid in others)


def test_replication_factor_two_puts_each_partition_on_two_nodes():
    with EmbeddedCluster(nodes=3, replication_factor=2, store=StubStore()) as embedded:
        holders = {pid: [] for pid in range(N_PARTITIONS)}
        for name in embedded.member_names:
            value = request_info(embedded.node(name).address, "replicas")["replicas"]
            count, bitmaps = decode_replicas(value)["test"]
            assert count == 2 and len(bitmaps) == 2
            for index, bitmap in enumerate(bitmaps):
                for pid in owned_partitions(bitmap):
                    holders[pid].append((index, name))
        for pid, entries in holders.items():
            assert sorted(index for index, _ in entries) == [0, 1]
            assert len({name for _, name in entries}) == 2
        embedded.stop_node(0)
        embedded.stop_node(1)
        value = request_info(embedded.node(2).address, "replicas")["replicas"]
        count, bitmaps = decode_replicas(value)["test"]
        assert count == 1 and owned_partitions(bitmaps[0]) == list(range(N_PARTITIONS))


def test_several_namespaces_each_have_a_map():
    with EmbeddedCluster(nodes=2, namespaces=["test", "bar"], store=StubStore()) as embedded:
        value = request_info(embedded.seed, "replicas", "rack-ids")
        assert set(decode_replicas(value["replicas"])) == {"test", "bar"}
        assert value["rack-ids"] == "test:0;bar:0"
        assert_all_partitions_mastered_once(embedded, "bar")


def test_a_community_edition_cluster_refuses_the_enterprise_commands():
    with EmbeddedCluster(nodes=1, store=StubStore()) as embedded:
        embedded.edition = "Aerospike Community Edition"
        values = request_info(embedded.seed, "rack-ids", "peers-tls-std", "service-tls-std",
                              "peers-clear-std")
        assert values["rack-ids"] == "ERROR:25:enterprise only"
        assert values["peers-tls-std"] == values["service-tls-std"] == "ERROR:25:enterprise only"
        assert not values["peers-clear-std"].startswith("ERROR")


def test_stop_leaves_no_threads_or_listeners():
    before = {thread.name for thread in threading.enumerate()}
    embedded = EmbeddedCluster(nodes=3, store=StubStore()).start()
    hosts = embedded.hosts
    sockets = [connect(address) for address in hosts]
    embedded.stop()
    leftover = [thread.name for thread in threading.enumerate()
                if thread.name.startswith("aerospike-") and thread.name not in before]
    assert leftover == []
    assert all(refused(address) for address in hosts)
    for sock in sockets:
        assert peer_closed(sock) == "eof"
        sock.close()


def test_stopped_cluster_starts_again_with_the_same_nodes():
    embedded = EmbeddedCluster(nodes=2, store=StubStore())
    with embedded:
        hosts, names = embedded.hosts, embedded.node_names
    assert all(refused(address) for address in hosts)
    with embedded:
        assert embedded.hosts == hosts and embedded.member_names == names
        assert [request_info(address, "node")["node"] for address in hosts] == names


def test_only_loopback_addresses_are_accepted():
    with pytest.raises(ValueError, match="loopback"):
        EmbeddedCluster(host="10.1.2.3", store=StubStore())


def test_rack_ids_per_node_and_rack_moves():
    with EmbeddedCluster(nodes=2, racks=[1, 2], store=StubStore()) as embedded:
        first, second = embedded.hosts
        assert request_info(first, "rack-ids")["rack-ids"] == "test:1"
        assert request_info(second, "rack-ids")["rack-ids"] == "test:2"
        before = int(request_info(second, "rebalance-generation")["rebalance-generation"])
        embedded.set_rack(1, 7)
        values = request_info(second, "rebalance-generation", "rack-ids")
        assert int(values["rebalance-generation"]) > before
        assert values["rack-ids"] == "test:7"


def test_cluster_name_and_build_are_configurable():
    with EmbeddedCluster(nodes=1, cluster_name="unit", build="8.0.0.7", store=StubStore()) as c:
        assert request_info(c.seed, "cluster-name", "build") == {
            "cluster-name": "unit", "build": "8.0.0.7"}


def test_tls_cluster_speaks_only_tls(tmp_path):
    import ssl

    certfile, keyfile = self_signed_certificate(tmp_path)
    with EmbeddedCluster(nodes=2, tls_certfile=certfile, tls_keyfile=keyfile,
                         tls_name="localhost", store=StubStore()) as embedded:
        context = ssl.create_default_context(cafile=certfile)
        values = request_info(embedded.seed, "node", "peers-tls-std", "peers-clear-std",
                              tls_context=context, tls_name="localhost")
        assert values["node"] == embedded.node(0).name
        _, tls_peers = parse_peers(values["peers-tls-std"])
        assert tls_peers == [(embedded.node(1).name, "localhost", [embedded.node(1).address])]
        assert parse_peers(values["peers-clear-std"])[1] == []
        with connect(embedded.seed) as plain:
            plain.sendall(frame(TYPE_INFO, b"node\n"))
            assert peer_closed(plain) in ("eof", "reset")
