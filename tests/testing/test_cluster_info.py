"""Info protocol round trips, as the C client's seeding and tending uses them.

These run against the embedded cluster, or against a real server when AEROSPIKE_HOSTS is set.
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

import pytest
from cluster_helpers import N_PARTITIONS, decode_replicas, discover, owned_partitions, parse_peers

from aerospike_c.testing import request_info

TEND_COMMANDS = ("node", "peers-generation", "partition-generation", "rebalance-generation")


@pytest.fixture(scope="module")
def cluster_nodes(aerospike_hosts) -> Dict[str, Tuple[str, int]]:
    return discover(aerospike_hosts[0])


def test_each_node_reports_its_own_name(cluster_nodes):
    for name, address in cluster_nodes.items():
        assert request_info(address, "node") == {"node": name}
    assert len(set(cluster_nodes)) == len(cluster_nodes)


def test_one_seed_discovers_every_listed_host(aerospike_hosts, cluster_nodes):
    names_at_hosts = {request_info(host, "node")["node"] for host in aerospike_hosts}
    assert names_at_hosts <= set(cluster_nodes)


def test_peers_list_the_other_nodes_with_a_shared_generation(cluster_nodes):
    for name, address in cluster_nodes.items():
        _, peers = parse_peers(request_info(address, "peers-clear-std")["peers-clear-std"])
        assert {peer[0] for peer in peers} == set(cluster_nodes) - {name}


def test_build_is_a_server_8_version(aerospike_hosts):
    build = request_info(aerospike_hosts[0], "build")["build"]
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", build), build
    assert int(build.split(".")[0]) >= 8


def test_tend_request_answers_every_command_in_order(aerospike_hosts):
    values = request_info(aerospike_hosts[0], *TEND_COMMANDS)
    assert list(values) == list(TEND_COMMANDS)
    assert values["node"]
    for command in TEND_COMMANDS[1:]:
        assert int(values[command]) >= 0


def test_seed_validation_request(aerospike_hosts):
    values = request_info(aerospike_hosts[0], "node", "partition-generation", "build",
                          "cluster-name", "service-clear-std", "features")
    assert int(values["partition-generation"]) != -1
    assert values["cluster-name"]
    assert "peers" in values["features"].split(";")


def test_unknown_command_gets_no_value_and_does_not_spoil_the_others(aerospike_hosts):
    values = request_info(aerospike_hosts[0], "no-such-command-xyz", "node")
    unknown = values.get("no-such-command-xyz", "")
    assert unknown == "" or unknown.startswith("ERROR")
    assert values["node"] and not values["node"].startswith("ERROR")


def test_status_and_statistics(aerospike_hosts, cluster_nodes):
    values = request_info(aerospike_hosts[0], "status", "statistics")
    assert values["status"] == "ok"
    stats = dict(item.split("=", 1) for item in values["statistics"].split(";") if "=" in item)
    assert int(stats["cluster_size"]) == len(cluster_nodes)


def test_rack_ids_name_each_namespace_on_enterprise_only(aerospike_hosts):
    """`rack-ids` is an enterprise command: `<ns>:<rack>;...` (as_node_parse_racks reads it), and
    on a community server the enterprise-only error (AEROSPIKE_ERR_ENTERPRISE_ONLY)."""
    values = request_info(aerospike_hosts[0], "rack-ids", "namespaces", "edition")
    if values["edition"] == "Aerospike Community Edition":
        assert values["rack-ids"] == "ERROR:25:enterprise only"
        return
    namespaces = set(values["namespaces"].split(";"))
    racks = dict(item.split(":") for item in values["rack-ids"].split(";") if item)
    assert set(racks) == namespaces
    assert all(rack.isdigit() for rack in racks.values())


def _replicas_by_node(cluster_nodes) -> Dict[str, Dict[str, Tuple[int, List[bytes]]]]:
    return {name: decode_replicas(request_info(address, "replicas")["replicas"])
            for name, address in cluster_nodes.items()}


def test_every_partition_has_exactly_one_master(cluster_nodes):
    replicas = _replicas_by_node(cluster_nodes)
    namespaces = set().union(*(set(by_ns) for by_ns in replicas.values()))
    assert namespaces
    for namespace in namespaces:
        masters: List[int] = []
        for by_ns in replicas.values():
            if namespace in by_ns:
                masters += owned_partitions(by_ns[namespace][1][0])
        assert sorted(masters) == list(range(N_PARTITIONS)), namespace


def test_replica_bitmaps_match_the_replication_factor(cluster_nodes):
    for by_ns in _replicas_by_node(cluster_nodes).values():
        for namespace, (count, bitmaps) in by_ns.items():
            assert 1 <= count <= len(cluster_nodes)
            assert len(bitmaps) == count
            assert all(len(bitmap) == N_PARTITIONS // 8 for bitmap in bitmaps)


def test_masters_are_spread_over_the_nodes(cluster_nodes):
    replicas = _replicas_by_node(cluster_nodes)
    for name, by_ns in replicas.items():
        for namespace, (_, bitmaps) in by_ns.items():
            assert len(owned_partitions(bitmaps[0])) >= N_PARTITIONS // (2 * len(cluster_nodes))


def test_cluster_stable_returns_the_cluster_key(aerospike_hosts, cluster_nodes):
    namespace = request_info(aerospike_hosts[0], "namespaces")["namespaces"].split(";")[0]
    keys = {request_info(address, f"cluster-stable:namespace={namespace}")
            [f"cluster-stable:namespace={namespace}"] for address in cluster_nodes.values()}
    assert len(keys) == 1
    assert int(keys.pop(), 16) != 0
    wrong_size = f"cluster-stable:size={len(cluster_nodes) + 1}"
    assert request_info(aerospike_hosts[0], wrong_size)[wrong_size].startswith("ERROR")


def test_namespace_config_names_the_ttl_settings(aerospike_hosts):
    command = "get-config:context=namespace;namespace=test"
    value = request_info(aerospike_hosts[0], command)[command]
    config = dict(item.split("=", 1) for item in value.split(";") if "=" in item)
    assert int(config["nsup-period"]) >= 0
    assert config["allow-ttl-without-nsup"] in ("true", "false")
    assert int(config["replication-factor"]) >= 1
    missing = "get-config:context=namespace;namespace=no_such_namespace_x"
    assert request_info(aerospike_hosts[0], missing)[missing].startswith("ERROR")


def test_an_unknown_command_is_a_parameter_error(aerospike_hosts):
    """A server echoes the command and answers `ERROR:4:unrecognized command` (the C client
    reads it as AEROSPIKE_ERR_REQUEST_INVALID)."""
    values = request_info(aerospike_hosts[0], "no-such-command-xyz", "node")
    assert values["no-such-command-xyz"] == "ERROR:4:unrecognized command"
    assert values["node"]
