"""pytest fixtures for testing against the embedded cluster or a real one.

* `aerospike_cluster` (session): a started 3-node EmbeddedCluster.
* `aerospike_hosts` (session): list of (host, port) seeds.
* `aerospike_client` (session): an `aerospike_c.Client` connected to those seeds, closed and
  destroyed at the end of the session.
* `aerospike_cluster_factory`: start extra embedded clusters for one test (fault injection).
* `aerospike_cluster_factory`: makes more embedded clusters (same arguments as
  EmbeddedCluster), stopped after the test; use it for fault injection so the session
  cluster stays intact.

When the environment variable AEROSPIKE_HOSTS is set (`127.0.0.1:3000,127.0.0.1:3001`), the
fixtures use that real cluster instead: `aerospike_hosts` returns its hosts, and tests marked
`fault_injection` (which need node controls only the embedded cluster has) are skipped. So are
tests that need an embedded cluster for another reason (a topology, TLS certificate or server
limit only it has), marked with that reason: `@pytest.mark.fault_injection(reason="...")`.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterator, List, Optional, Tuple

import pytest

from ._subprocess import parse_hosts
from .server.cluster import EmbeddedCluster

HOSTS_ENV = "AEROSPIKE_HOSTS"
FAULT_INJECTION = "fault_injection"
SKIP_REASON = (f"{HOSTS_ENV} is set: fault injection needs the embedded cluster's node "
               "controls, a real cluster has none")


def real_cluster_hosts() -> Optional[List[Tuple[str, int]]]:
    """Hosts from AEROSPIKE_HOSTS, or None when tests run against the embedded cluster."""
    value = os.environ.get(HOSTS_ENV, "").strip()
    return parse_hosts(value) if value else None


def pytest_configure(config: pytest.Config) -> None:
    """Register the fault_injection marker."""
    config.addinivalue_line(
        "markers",
        f"{FAULT_INJECTION}(reason=None): needs the embedded cluster (its node controls, or "
        f"what `reason` says); skipped when {HOSTS_ENV} points at a real cluster")


def skip_reason(marker: pytest.Mark) -> str:
    """Why a fault_injection test skips against a real cluster: its marker's reason, if any."""
    reason = marker.kwargs.get("reason")
    return f"{HOSTS_ENV} is set: {reason}" if reason else SKIP_REASON


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    """Skip fault-injection tests when running against a real cluster."""
    if real_cluster_hosts() is None:
        return
    for item in items:
        marker = item.get_closest_marker(FAULT_INJECTION)
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=skip_reason(marker)))


@pytest.fixture(scope="session")
def aerospike_cluster() -> Iterator[EmbeddedCluster]:
    """A 3-node embedded cluster for the whole session (skips against a real cluster)."""
    if real_cluster_hosts() is not None:
        pytest.skip(f"{HOSTS_ENV} is set: tests use the real cluster, not the embedded one")
    with EmbeddedCluster(nodes=3) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def aerospike_hosts(request: pytest.FixtureRequest) -> List[Tuple[str, int]]:
    """Seed hosts: AEROSPIKE_HOSTS when set, else the session's embedded cluster."""
    hosts = real_cluster_hosts()
    if hosts is not None:
        return hosts
    cluster: EmbeddedCluster = request.getfixturevalue("aerospike_cluster")
    return cluster.hosts


@pytest.fixture
def aerospike_cluster_factory() -> Iterator[Callable[..., EmbeddedCluster]]:
    """Start extra embedded clusters for one test; all are stopped afterwards."""
    clusters: List[EmbeddedCluster] = []

    def make(*args: Any, **kwargs: Any) -> EmbeddedCluster:
        cluster = EmbeddedCluster(*args, **kwargs).start()
        clusters.append(cluster)
        return cluster

    yield make
    for cluster in clusters:
        cluster.stop()


@pytest.fixture(scope="session")
def aerospike_client(aerospike_hosts: List[Tuple[str, int]]) -> Iterator[Any]:
    """A connected `aerospike_c.Client` for the session's cluster (embedded or AEROSPIKE_HOSTS)."""
    from aerospike_c import Client, Config

    with Client(Config(hosts=list(aerospike_hosts), tender_interval=250)) as client:
        yield client
