"""Fixtures for the multi-record tests (info, batch, scan, query, index, UDF, truncate).

`client`: the plugin's connected `aerospike_client` (on the embedded cluster, or the real
one named by AEROSPIKE_HOSTS). `set_name` / `unique_set()`: a set no other test uses, so
the tests stay valid on a shared real server. `fill()` writes numbered records. Import the
fixtures into a test module:

    from multi_record_fixtures import client, set_name  # noqa: F401 - pytest fixtures
"""
from __future__ import annotations

import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import aerospike_c as asc
from aerospike_c.testing import EmbeddedCluster
from aerospike_c.testing.pytest_plugin import real_cluster_hosts

NAMESPACE = "test"


def server_version(client: asc.Client) -> Tuple[int, int]:
    """(major, minor) of the build the cluster reports."""
    build = next(iter(client.info_all("build").values())).strip()
    version = asc.as_version_from_string(build)
    return version.major, version.minor


def skip_below_server(client: asc.Client, version: Tuple[int, int], feature: str) -> None:
    """Skip the test when the cluster's server is older than `version` (major, minor)."""
    if server_version(client) < version:
        pytest.skip(f"{feature} need a server {version[0]}.{version[1]} or later")


def client_of_server_8_2(feature: str) -> Iterator[asc.Client]:
    """A client of a server 8.2 or later, for a module fixture: AEROSPIKE_HOSTS when that
    server is (else the test skips: `feature` needs 8.2), or an embedded cluster reporting
    build 8.2.0.0."""
    hosts = real_cluster_hosts()
    if hosts is not None:
        with asc.Client(asc.Config(hosts=list(hosts))) as real:
            skip_below_server(real, (8, 2), feature)
            yield real
        return
    with EmbeddedCluster(nodes=1, build="8.2.0.0") as cluster, \
            asc.Client(asc.Config(hosts=cluster.hosts)) as embedded:
        yield embedded


@pytest.fixture(scope="session")
def client(aerospike_client: asc.Client) -> asc.Client:
    """The session's connected client (the plugin's `aerospike_client`)."""
    return aerospike_client


def ttl_refusal(client: asc.Client) -> Optional[str]:
    """Why namespace test refuses writes with a ttl, or None when it takes them. A server's
    default namespace runs no nsup (nsup-period 0) and refuses every write with a ttl
    (AEROSPIKE_ERR_FAIL_FORBIDDEN) unless allow-ttl-without-nsup is true."""
    config = client.info(f"get-config:context=namespace;id={NAMESPACE}")
    settings = dict(item.split("=", 1) for item in config.split(";") if "=" in item)
    if settings.get("nsup-period") == "0" and settings.get("allow-ttl-without-nsup") == "false":
        return (f"namespace {NAMESPACE} takes no record with a ttl (nsup-period 0, "
                "allow-ttl-without-nsup false: a server's default)")
    return None


def skip_unless_ttl_allowed(client: asc.Client) -> None:
    """Skip the test when namespace test refuses writes with a ttl (see ttl_refusal)."""
    reason = ttl_refusal(client)
    if reason is not None:
        pytest.skip(reason)


def unique_set() -> str:
    """A set name no other test writes to."""
    return f"t_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def set_name() -> str:
    """A set name no other test writes to."""
    return unique_set()


def fill(client: asc.Client, set_name: str, count: int) -> None:
    """Write records 0..count-1 of `set_name`: bins i (the number) and s ("s<i mod 10>")."""
    for i in range(count):
        client.put((NAMESPACE, set_name, i), {"i": i, "s": f"s{i % 10}"})


def keys_of_partition(set_name: str, partition: int, count: int) -> Dict[bytes, int]:
    """`count` integer keys of `set_name` whose records fall in `partition`: digest -> key."""
    keys: Dict[bytes, int] = {}
    key = 0
    while len(keys) < count:
        digest = asc.as_key_digest(asc.as_key_init_int64(NAMESPACE, set_name, key))
        if int.from_bytes(digest[:2], "little") & 4095 == partition:
            keys[digest] = key
        key += 1
    return keys


def paged(client: asc.Client, query: Any, page_size: int,
          partition: Optional[int] = None) -> Tuple[List[Any], int]:
    """Run `query` paginated, `page_size` records a page (of one partition, or all), until
    the client says it is done: (the records of every page in order, the number of pages)."""
    asc.as_query_set_paginate(query, True)
    query.max_records = page_size
    seen: List[Any] = []
    count = 0
    while not asc.as_query_is_done(query) and count <= 10000:
        count += 1
        callback = (lambda r, u: seen.append(r) if r else True)
        if partition is None:
            asc.aerospike_query_foreach(client.aerospike, None, query, callback)
        else:
            pf = asc.as_partition_filter()
            asc.as_partition_filter_set_id(pf, partition)
            asc.aerospike_query_partitions(client.aerospike, None, query, pf, callback)
    return seen, count


def nodes_knowing_job(client: asc.Client, job_id: int) -> int:
    """How many nodes query-show the job (the others answer job not found: ERROR:2)."""
    known = 0
    for node in client.node_names():
        try:
            client.info(f"query-show:id={job_id}", node=node)
        except asc.RecordNotFoundError:
            continue
        known += 1
    return known


def node_counts(client: asc.Client, set_name: str) -> Dict[str, int]:
    """How many records of `set_name` each node holds (an unthrottled scan of each node)."""
    scan = asc.as_scan_init(NAMESPACE, set_name)
    counts = {}
    for node in client.node_names():
        found: List[Any] = []
        asc.aerospike_scan_node(client.aerospike, None, scan, node,
                                lambda r, u: found.append(r) if r else True)
        counts[node] = len(found)
    return counts


def index_names(client: asc.Client) -> set:
    """Index names every node reports (sindex-list, understood by every server version)."""
    names = set()
    for value in client.info_all("sindex-list").values():
        for entry in filter(None, value.split(";")):
            fields = dict(part.split("=", 1) for part in entry.split(":") if "=" in part)
            names.add(fields.get("indexname"))
    return names
