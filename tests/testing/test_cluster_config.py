"""Configuration info commands (`get-config`, `set-config`, `release`, `logs`, `help`), as the
C client's test harness and the server tools use them.

These run against the embedded cluster, or against a real server when AEROSPIKE_HOSTS is set
(the last test reads the embedded cluster's own configuration and is skipped there).
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

import pytest

from aerospike_c.testing import request_info
from aerospike_c.testing.server.store import NamespaceSpec


def info(address: Tuple[str, int], command: str) -> str:
    return request_info(address, command)[command]


def fields(value: str) -> Dict[str, str]:
    """`a=1;b=2` as a dict; every item must be a `name=value` pair."""
    items = [item for item in value.split(";") if item]
    assert all("=" in item for item in items), value[:200]
    return dict(item.split("=", 1) for item in items)


def version(build: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", build)[:3])


@pytest.fixture(scope="module")
def seed(aerospike_hosts) -> Tuple[str, int]:
    return aerospike_hosts[0]


@pytest.fixture(scope="module")
def namespace(seed) -> str:
    return info(seed, "namespaces").split(";")[0]


def test_namespace_config_takes_the_deprecated_id_parameter_too(seed, namespace):
    by_name = info(seed, f"get-config:context=namespace;namespace={namespace}")
    assert info(seed, f"get-config:context=namespace;id={namespace}") == by_name


def test_an_unknown_context_is_an_error(seed):
    assert info(seed, "get-config:context=no-such-context").startswith("ERROR")


def test_network_config_names_the_port_the_node_serves_on(aerospike_hosts):
    for address in aerospike_hosts:
        config = fields(info(address, "get-config:context=network"))
        assert int(config["service.port"]) == address[1]


def test_service_config_names_the_cluster(seed):
    config = fields(info(seed, "get-config:context=service"))
    assert config["cluster-name"] == info(seed, "cluster-name")
    assert config["node-id"] == info(seed, "node")


def test_set_config_changes_what_get_config_answers(seed, namespace):
    get = f"get-config:context=namespace;namespace={namespace}"
    before = fields(info(seed, get))["nsup-period"]
    changed = "121" if before != "121" else "122"
    try:
        assert info(seed, f"set-config:context=namespace;namespace={namespace};"
                          f"nsup-period={changed}") == "ok"
        assert fields(info(seed, get))["nsup-period"] == changed
    finally:
        info(seed, f"set-config:context=namespace;namespace={namespace};nsup-period={before}")
    assert fields(info(seed, get))["nsup-period"] == before


def test_set_config_of_a_bad_value_is_refused(seed, namespace):
    answer = info(seed, f"set-config:context=namespace;namespace={namespace};nsup-period=soon")
    assert answer.lower().startswith("error")


def test_set_config_refuses_a_default_ttl_a_server_refuses(seed, namespace):
    get = f"get-config:context=namespace;namespace={namespace}"
    before = fields(info(seed, get))
    set_config = f"set-config:context=namespace;namespace={namespace};"
    try:
        assert info(seed, set_config + "default-ttl=3651d").lower().startswith("error")
        assert info(seed, set_config + "nsup-period=2m") == "ok"  # seconds with a unit
        assert fields(info(seed, get))["nsup-period"] == "120"
        if before["default-ttl"] == "0" and before["allow-ttl-without-nsup"] == "false":
            assert info(seed, set_config + "nsup-period=0") == "ok"
            # records would get a ttl no nsup removes
            assert info(seed, set_config + "default-ttl=100").lower().startswith("error")
            assert fields(info(seed, get))["default-ttl"] == "0"
    finally:
        info(seed, set_config + f"nsup-period={before['nsup-period']}")
        info(seed, set_config + f"default-ttl={before['default-ttl']}")
    assert fields(info(seed, get))["nsup-period"] == before["nsup-period"]


def test_release_names_the_build_from_8_1_1(seed):
    build = info(seed, "build")
    answer = info(seed, "release")
    if version(build) < (8, 1, 1):
        assert answer.startswith("ERROR")
        return
    release = fields(answer)
    assert release["version"] == build
    assert release["edition"] == info(seed, "edition")


def test_help_is_the_same_on_every_node(aerospike_hosts):
    answers = {info(address, "help") for address in aerospike_hosts}
    assert len(answers) == 1
    assert answers.pop()


def test_logs_lists_the_log_sinks(seed):
    sinks = [item for item in info(seed, "logs").split(";") if item]
    assert sinks
    assert all(re.fullmatch(r"\d+:.+", sink) for sink in sinks)


@pytest.mark.fault_injection
def test_namespace_config_is_the_embedded_clusters_own(aerospike_cluster_factory):
    spec = NamespaceSpec(replication_factor=2, default_ttl=3600, nsup_period=60,
                         max_record_size=128 * 1024)
    cluster = aerospike_cluster_factory(nodes=2, namespaces={"cfg": spec})
    for address in cluster.hosts:
        config = fields(info(address, "get-config:context=namespace;namespace=cfg"))
        assert (config["replication-factor"], config["default-ttl"], config["nsup-period"],
                config["max-record-size"]) == ("2", "3600", "60", str(128 * 1024))
