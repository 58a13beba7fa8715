"""The real C client (through the binding) against the cluster: seeding, discovery, tending
through node failures, login and TLS."""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Iterator, List, Optional, Sequence, Tuple

import pytest
from cluster_helpers import (
    OWN_SECURE_CLUSTER,
    OWN_TLS_CLUSTER,
    StubStore,
    parse_peers,
    require_bcrypt,
    self_signed_certificate,
    wait_until,
)

pytest.importorskip("aerospike_c._aerospike")

from aerospike_c import (  # noqa: E402
    AEROSPIKE_ERR_CLIENT,
    InvalidNodeError,
    AerospikeError,
    aerospike_close,
    aerospike_cluster_is_connected,
    aerospike_connect,
    aerospike_destroy,
    aerospike_info_any,
    aerospike_info_node,
    aerospike_init,
    aerospike_key_get,
    aerospike_key_put,
    as_cluster_get_node_names,
    as_config_add_host,
    as_config_init,
    as_config_set_cluster_name,
    as_config_set_user,
    as_config_tls_add_host,
    as_config_tls_set_cafile,
    as_key_digest,
    as_key_init_int64,
    as_record_get_int64,
)

from aerospike_c.testing import EmbeddedCluster, request_info  # noqa: E402

TEND_INTERVAL_MS = 250
NODE_CHANGE_TIMEOUT = 10.0


@contextlib.contextmanager
def connected_client(hosts: Sequence[Tuple[str, int]], *, user: Optional[Tuple[str, str]] = None,
                     cluster_name: Optional[str] = None, tls: Optional[Tuple[str, str]] = None,
                     rack_aware: bool = False) -> Iterator[object]:
    """A connected `aerospike` instance with a fast tender; closed and destroyed afterwards.

    `tls` is (cafile, tls_name).
    """
    config = as_config_init()
    config.tender_interval = TEND_INTERVAL_MS
    config.conn_timeout_ms = 1000
    config.rack_aware = rack_aware
    for host, port in hosts:
        if tls is None:
            as_config_add_host(config, host, port)
        else:
            as_config_tls_add_host(config, host, tls[1], port)
    if tls is not None:
        config.tls.enable = True
        as_config_tls_set_cafile(config, tls[0])
    if user is not None:
        as_config_set_user(config, *user)
    if cluster_name is not None:
        as_config_set_cluster_name(config, cluster_name)
    instance = aerospike_init(config)
    try:
        aerospike_connect(instance)
        try:
            yield instance
        finally:
            aerospike_close(instance)
    finally:
        aerospike_destroy(instance)


def node_names(instance) -> List[str]:
    return sorted(as_cluster_get_node_names(instance))


def wait_for_nodes(instance, expected: Sequence[str]) -> List[str]:
    wait_until(lambda: node_names(instance) == sorted(expected), NODE_CHANGE_TIMEOUT)
    return node_names(instance)


def closed_port() -> int:
    """A loopback port nothing listens on (just released by the OS)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cluster_names(hosts: Sequence[Tuple[str, int]]) -> List[str]:
    """Names of the seed and of every peer it lists."""
    values = request_info(hosts[0], "node", "peers-clear-std")
    _, peers = parse_peers(values["peers-clear-std"])
    return sorted([values["node"]] + [name for name, _, _ in peers])


def test_one_seed_discovers_the_whole_cluster(aerospike_hosts):
    expected = cluster_names(aerospike_hosts)
    with connected_client(aerospike_hosts[:1]) as instance:
        assert aerospike_cluster_is_connected(instance)
        assert wait_for_nodes(instance, expected) == expected


def _seed_after_a_dead_one(hosts: Sequence[Tuple[str, int]]) -> None:
    """as_cluster_tend on init (fail_if_not_connected): the dead first seed is an invalid host;
    when the live seed reports no peers the cluster holds one node and connect fails naming the
    dead seed, else the dead seed is skipped."""
    expected = cluster_names(hosts)
    dead = closed_port()
    seeds = [("127.0.0.1", dead)] + list(hosts)
    if len(expected) == 1:
        with pytest.raises(AerospikeError) as raised:
            with connected_client(seeds):
                pass
        assert raised.value.code == AEROSPIKE_ERR_CLIENT
        assert raised.value.message == f"Peers not reachable: 127.0.0.1:{dead}"
        return
    with connected_client(seeds) as instance:
        assert wait_for_nodes(instance, expected) == expected


def test_unreachable_first_seed_is_skipped_unless_the_cluster_has_one_node(aerospike_hosts):
    _seed_after_a_dead_one(aerospike_hosts)


# On the hosts: test_unreachable_first_seed_is_skipped_unless_the_cluster_has_one_node.
@pytest.mark.fault_injection(reason="needs a 1-node and a 2-node cluster of its own")
@pytest.mark.parametrize("nodes", [1, 2])
def test_unreachable_first_seed_by_cluster_size(nodes):
    with EmbeddedCluster(nodes=nodes) as embedded:
        assert len(cluster_names(embedded.hosts)) == nodes
        _seed_after_a_dead_one(embedded.hosts)


def test_rack_aware_client_tends_the_cluster(aerospike_hosts):
    expected = cluster_names(aerospike_hosts)
    with connected_client(aerospike_hosts[:1], rack_aware=True) as instance:
        assert wait_for_nodes(instance, expected) == expected


def test_info_through_the_client_reaches_every_node(aerospike_hosts):
    expected = cluster_names(aerospike_hosts)
    with connected_client(aerospike_hosts[:1]) as instance:
        wait_for_nodes(instance, expected)
        for name in expected:
            assert aerospike_info_node(instance, None, name, "node") == f"node\t{name}\n"
        assert aerospike_info_any(instance, None, "status") == "status\tok\n"


def test_unknown_info_command_yields_no_value(aerospike_hosts):
    with connected_client(aerospike_hosts[:1]) as instance:
        try:
            response = aerospike_info_any(instance, None, "no-such-command-xyz")
        except AerospikeError as error:
            assert error.code > 0  # a server-side status, not a client error
        else:
            assert response.partition("\t")[2].strip() == ""


def test_no_reachable_seed_fails_to_connect():
    with pytest.raises(AerospikeError):
        with connected_client([("127.0.0.1", closed_port())]):
            pass


@pytest.fixture
def cluster():
    with EmbeddedCluster(nodes=3, store=StubStore()) as embedded:
        yield embedded


@pytest.mark.fault_injection
@pytest.mark.parametrize("how", ["kill", "stop"])
def test_dead_node_is_removed_and_restarted_node_added_back(cluster, how):
    all_names = cluster.node_names
    with connected_client([cluster.seed]) as instance:
        assert wait_for_nodes(instance, all_names) == sorted(all_names)
        victim = cluster.node(1).name
        (cluster.kill_node if how == "kill" else cluster.stop_node)(victim)
        remaining = sorted(set(all_names) - {victim})
        assert wait_for_nodes(instance, remaining) == remaining
        cluster.restart_node(victim)
        assert wait_for_nodes(instance, all_names) == sorted(all_names)
        assert aerospike_cluster_is_connected(instance)


@pytest.mark.fault_injection
def test_client_follows_the_cluster_when_its_seed_dies(cluster):
    with connected_client([cluster.seed]) as instance:
        wait_for_nodes(instance, cluster.node_names)
        cluster.kill_node(0)
        remaining = cluster.node_names[1:]
        assert wait_for_nodes(instance, remaining) == sorted(remaining)
        added = cluster.add_node()
        assert wait_for_nodes(instance, remaining + [added.name]) == sorted(remaining + [added.name])


@pytest.mark.fault_injection
def test_evicted_hung_node_is_dropped_and_comes_back(cluster):
    with connected_client([cluster.seed]) as instance:
        wait_for_nodes(instance, cluster.node_names)
        victim = cluster.node(2).name
        cluster.hang_node(victim, evict=True)
        assert wait_for_nodes(instance, cluster.node_names[:2]) == sorted(cluster.node_names[:2])
        cluster.resume_node(victim)
        assert wait_for_nodes(instance, cluster.node_names) == sorted(cluster.node_names)


@pytest.mark.fault_injection
def test_client_waits_out_a_hung_seed_and_uses_the_next_one(cluster):
    cluster.hang_node(0)
    started = time.monotonic()
    with connected_client(cluster.hosts) as instance:
        assert aerospike_cluster_is_connected(instance)
        assert cluster.node(1).name in node_names(instance)
    assert time.monotonic() - started < 30


@pytest.mark.fault_injection
def test_added_node_is_discovered(cluster):
    with connected_client([cluster.seed]) as instance:
        wait_for_nodes(instance, cluster.node_names)
        node = cluster.add_node()
        assert node.name in wait_for_nodes(instance, cluster.node_names)


@OWN_SECURE_CLUSTER
def test_login_with_the_right_password_connects():
    require_bcrypt()
    users = {"admin": "s3cret"}
    with EmbeddedCluster(nodes=2, users=users, store=StubStore()) as embedded:
        with connected_client([embedded.seed], user=("admin", "s3cret")) as instance:
            assert wait_for_nodes(instance, embedded.node_names) == sorted(embedded.node_names)


@pytest.mark.parametrize("user, password, code", [
    ("admin", "wrong", 65),    # AEROSPIKE_INVALID_CREDENTIAL
    ("nobody", "s3cret", 60),  # AEROSPIKE_INVALID_USER
])
@OWN_SECURE_CLUSTER
def test_bad_credentials_fail_to_connect(user, password, code):
    require_bcrypt()
    with EmbeddedCluster(nodes=1, users={"admin": "s3cret"}, store=StubStore()) as embedded:
        with pytest.raises(AerospikeError) as raised:
            with connected_client([embedded.seed], user=(user, password)):
                pass
    assert raised.value.code == code


@pytest.mark.fault_injection(reason="needs a cluster of its own named alpha")
def test_cluster_name_must_match():
    with EmbeddedCluster(nodes=1, cluster_name="alpha", store=StubStore()) as embedded:
        with connected_client([embedded.seed], cluster_name="alpha") as instance:
            assert aerospike_cluster_is_connected(instance)
        with pytest.raises(AerospikeError):
            with connected_client([embedded.seed], cluster_name="beta"):
                pass


@OWN_TLS_CLUSTER
def test_tls_cluster_is_discovered_over_tls(tmp_path):
    certfile, keyfile = self_signed_certificate(tmp_path)
    with EmbeddedCluster(nodes=3, tls_certfile=certfile, tls_keyfile=keyfile,
                         store=StubStore()) as embedded:
        with connected_client([embedded.seed], tls=(certfile, "localhost")) as instance:
            expected = sorted(embedded.node_names)
            assert wait_for_nodes(instance, expected) == expected


def _partition_of(key) -> int:
    """The partition id of a key, as the C client computes it from the digest."""
    return int.from_bytes(as_key_digest(key)[:2], "little") & 4095


@pytest.mark.fault_injection
def test_records_survive_a_killed_node_once_the_client_has_the_new_map(aerospike_cluster_factory):
    cluster = aerospike_cluster_factory(nodes=3)
    keys = [as_key_init_int64("test", "demo", i) for i in range(60)]
    with connected_client([cluster.seed]) as instance:
        wait_for_nodes(instance, cluster.node_names)
        for i, key in enumerate(keys):
            aerospike_key_put(instance, None, key, {"a": i})
        victim = cluster.node(1).name
        owned = [key for key in keys if cluster.partition_master("test", _partition_of(key)) == victim]
        assert owned  # 60 keys over 3 nodes: the victim masters some of them
        cluster.kill_node(victim)
        wait_for_nodes(instance, [name for name in cluster.node_names if name != victim])
        # The tender drops the node first and takes the new partition map on a later pass;
        # until then C answers AEROSPIKE_ERR_INVALID_NODE for the dead node's partitions.
        values: List[int] = []

        def read_all() -> bool:
            try:
                values[:] = [as_record_get_int64(aerospike_key_get(instance, None, key), "a", -1)
                             for key in keys]
            except InvalidNodeError:
                return False
            return True

        assert wait_until(read_all, NODE_CHANGE_TIMEOUT), "the client never got the new map"
    assert values == list(range(60))


@pytest.mark.fault_injection
def test_command_to_a_hung_master_times_out(aerospike_cluster_factory):
    cluster = aerospike_cluster_factory(nodes=3)
    with connected_client([cluster.seed]) as instance:
        wait_for_nodes(instance, cluster.node_names)
        instance.config.policies.read.base.total_timeout = 300
        instance.config.policies.read.base.max_retries = 0
        key = as_key_init_int64("test", "demo", 7)
        aerospike_key_put(instance, None, key, {"a": 7})
        cluster.hang_node(cluster.partition_master("test", _partition_of(key)))
        with pytest.raises(AerospikeError) as raised:
            aerospike_key_get(instance, None, key)
        assert raised.value.code == 9  # AEROSPIKE_ERR_TIMEOUT
        cluster.resume_node(cluster.partition_master("test", _partition_of(key)))
        assert as_record_get_int64(aerospike_key_get(instance, None, key), "a", -1) == 7
