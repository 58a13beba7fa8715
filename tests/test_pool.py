"""The per-node connection pools, seen through Cluster.get_stats(): bounded by
max_conns_per_node, reused, pre-opened to min_conns_per_node, trimmed when idle."""
from __future__ import annotations

import threading
from typing import Dict, List

import aerospike_c as asc
from aerospike_c.sdk import Cluster, ClusterStats
from connection_helpers import fast_definition, wait_until

SET = "pool"
#: Retries that ride out a momentarily full pool (NO_MORE_CONNECTIONS is retried by C).
RETRYING = {"max_retries": 20, "sleep_between_retries": 1, "total_timeout": 5000}


def keys(count: int, prefix: str) -> List[tuple]:
    return [("test", SET, f"{prefix}-{i}") for i in range(count)]


def baseline(stats: ClusterStats) -> Dict[str, int]:
    """Connections each node has opened and not closed (the tender's own included)."""
    return {node.name: node.opened - node.closed for node in stats.nodes}


def run_threads(cluster: Cluster, threads: int, ops_per_thread: int, peak: Dict[str, int]) -> tuple:
    """Threads doing put+get on their own keys while a sampler records each node's peak
    pooled connections. Returns (successful commands, errors)."""
    session = cluster.create_session(read=RETRYING, write=RETRYING)
    done = threading.Event()
    lock = threading.Lock()
    successes: List[int] = []
    errors: List[BaseException] = []

    def sample() -> None:
        while not done.is_set():
            for node in cluster.get_stats().nodes:
                peak[node.name] = max(peak.get(node.name, 0), node.connections)
            done.wait(0.002)

    def work(index: int) -> None:
        count = 0
        for key in keys(ops_per_thread, f"t{index}"):
            try:
                session.put(key, {"v": index})
                assert session.get(key).bins == {"v": index}
                count += 2
            except asc.AerospikeError as exc:
                with lock:
                    errors.append(exc)
        with lock:
            successes.append(count)

    sampler = threading.Thread(target=sample)
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    sampler.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    done.set()
    sampler.join(10)
    assert not any(worker.is_alive() for worker in workers)
    return sum(successes), errors


def test_concurrent_threads_open_at_most_max_conns_per_node_and_reuse_them(aerospike_hosts):
    max_conns = 2
    with fast_definition(hosts=aerospike_hosts, max_conns_per_node=max_conns).connect() as cluster:
        before = baseline(cluster.get_stats())
        peak: Dict[str, int] = {}
        succeeded, errors = run_threads(cluster, threads=12, ops_per_thread=40, peak=peak)
        stats = cluster.get_stats()
        # Bounded: never more than max_conns pooled per node, at any sampled moment and in
        # the opened-minus-closed balance.
        assert peak and max(peak.values()) <= max_conns
        for node in stats.nodes:
            assert node.connections <= max_conns
            assert (node.opened - node.closed) - before[node.name] <= max_conns
        # A full pool is C's NO_MORE_CONNECTIONS (retried by policy); nothing else fails.
        assert all(isinstance(e, asc.NoMoreConnectionsError) for e in errors), errors[:3]
        # Reused: hundreds of commands over a handful of connections.
        opened = sum(node.opened for node in stats.nodes) - sum(before.values())
        assert succeeded >= 10 * max(opened, 1)
        assert stats.total_connections <= max_conns * stats.active_nodes


def test_within_the_limit_every_command_succeeds_and_one_thread_needs_one_connection(
        aerospike_hosts):
    with fast_definition(hosts=aerospike_hosts, max_conns_per_node=16).connect() as cluster:
        before = baseline(cluster.get_stats())
        session = cluster.create_session()
        for key in keys(60, "seq"):
            session.put(key, {"v": 1})
            session.get(key)
        after = cluster.get_stats()
        for node in after.nodes:  # one thread: each node's one connection is reused
            assert node.opened - node.closed - before[node.name] <= 1
            assert node.in_use == 0
        peak: Dict[str, int] = {}
        succeeded, errors = run_threads(cluster, threads=8, ops_per_thread=20, peak=peak)
        assert errors == [] and succeeded == 8 * 20 * 2
        assert max(peak.values()) <= 8  # sized by load: never more than the threads


def test_min_conns_per_node_are_opened_at_connect(aerospike_hosts):
    definition = fast_definition(hosts=aerospike_hosts, min_conns_per_node=3, max_conns_per_node=10)
    with definition.connect() as cluster:
        stats = cluster.get_stats()
        assert stats.active_nodes >= 1
        for node in stats.nodes:
            assert (node.in_pool, node.in_use) == (3, 0)
        assert stats.total_connections == 3 * stats.active_nodes


def test_the_tender_closes_connections_idle_beyond_max_socket_idle_down_to_the_minimum(
        aerospike_hosts):
    """The C tender balances pools every 30 tend intervals (7.5 s at 250 ms)."""
    trimmed = fast_definition(hosts=aerospike_hosts, max_socket_idle=1)
    kept = fast_definition(hosts=aerospike_hosts, max_socket_idle=1, min_conns_per_node=2)
    with trimmed.connect() as cluster, kept.connect() as floor:
        for target in (cluster, floor):
            session = target.create_session()
            for key in keys(60, "idle"):
                session.put(key, {"v": 1})
        used = cluster.get_stats()
        assert all(node.in_pool >= 1 for node in used.nodes)  # not idle long enough yet
        assert wait_until(lambda: cluster.get_stats().total_connections == 0, timeout=15)
        for node in cluster.get_stats().nodes:
            assert node.closed > used.node(node.name).closed
        # The minimum survives the same trimming.
        assert all(node.in_pool == 2 for node in floor.get_stats().nodes)
        cluster.create_session().get(keys(1, "idle")[0])  # and a trimmed pool reopens on demand
        assert cluster.get_stats().total_connections >= 1
