"""Node failure on the embedded cluster (replication factor 2): commands keep succeeding
through policy-driven retries on the other replica, the tender drops the node and adds it
back, no acknowledged write is lost; a hung node gives timeouts with the right in_doubt."""
from __future__ import annotations

import time
from typing import Dict, List

import pytest

import aerospike_c as asc
from aerospike_c.sdk import ClusterEvent
from aerospike_c.testing import N_PARTITIONS
from connection_helpers import TEND_INTERVAL_MS, fast_definition, wait_until

pytestmark = pytest.mark.fault_injection

NAMESPACE, SET = "test", "failover"
#: Node changes are expected within this many tend intervals (a bound, not a speed claim).
TENDS_TO_NOTICE = 20
NOTICE_S = TENDS_TO_NOTICE * TEND_INTERVAL_MS / 1000
#: Retry on the next replica (AS_POLICY_REPLICA_SEQUENCE is the C default) after a failure,
#: with a budget (5 x 100 ms) that outlasts the tender's removal of a dead node: once a node
#: passes max_error_rate C answers MAX_ERROR_RATE for it, and a write retried on that is not
#: moved to another replica (a read is).
RETRYING = {"max_retries": 5, "sleep_between_retries": 100, "socket_timeout": 300,
            "total_timeout": 3000}
#: For the hung node: a couple of quick retries.
RETRY_TWICE = {"max_retries": 2, "socket_timeout": 200, "total_timeout": 1000}


def master_of(embedded, user_key: str) -> str:
    """The embedded node mastering the record `user_key` (from its digest's partition)."""
    digest = asc.as_key_digest(asc.as_key_init(NAMESPACE, SET, user_key))
    partition = int.from_bytes(digest[:2], "little") & (N_PARTITIONS - 1)
    return embedded.partition_master(NAMESPACE, partition)


def key_where(embedded, prefix: str, on_node) -> str:
    """The first key prefix-0, prefix-1 ... whose master satisfies on_node(name)."""
    return next(key for key in (f"{prefix}-{i}" for i in range(10_000))
                if on_node(master_of(embedded, key)))


def test_reads_and_writes_survive_a_killed_node_which_leaves_and_comes_back(
        aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=3, replication_factor=2)
    events: List[ClusterEvent] = []
    definition = fast_definition(embedded.seed, on_cluster_event=events.append,
                                 policies={"read": {"base": RETRYING}, "write": {"base": RETRYING}})
    victim = embedded.node(1).name
    acknowledged: Dict[str, int] = {}
    in_doubt: Dict[str, int] = {}
    failures: List[asc.AerospikeError] = []
    succeeded = 0
    timeline: Dict[str, float] = {}
    with definition.connect() as cluster:
        session = cluster.create_session()
        assert wait_until(lambda: len(cluster.node_names()) == 3)
        deadline = time.monotonic() + 4 * NOTICE_S
        step = 0
        while time.monotonic() < deadline and "readded" not in timeline:
            key = f"k{step % 200}"
            try:
                session.put((NAMESPACE, SET, key), {"v": step})
                acknowledged[key] = step
                in_doubt.pop(key, None)
                record = session.get((NAMESPACE, SET, key))
                assert record.bins["v"] == step
                succeeded += 2
            except asc.AerospikeError as exc:
                failures.append(exc)
                if exc.in_doubt:
                    in_doubt[key] = step
            step += 1
            now = time.monotonic()
            if step == 300:
                embedded.kill_node(victim)
                timeline["killed"] = now
            elif "killed" in timeline and "removed" not in timeline \
                    and victim not in cluster.node_names():
                timeline["removed"] = now
                embedded.restart_node(victim)
                timeline["restarted"] = time.monotonic()
            elif "restarted" in timeline and victim in cluster.node_names():
                timeline["readded"] = now
        stats = cluster.get_stats()

        assert "removed" in timeline and "readded" in timeline, timeline
        assert timeline["removed"] - timeline["killed"] <= NOTICE_S
        assert timeline["readded"] - timeline["restarted"] <= NOTICE_S
        assert failures == [], failures[:3]          # every command made it, retried by policy
        assert succeeded == 2 * step and step > 300
        assert stats.retry_count > 0                 # ... and some needed a retry
        assert [(e.type, e.node_name) for e in events[3:]] == [
            (asc.AS_CLUSTER_REMOVE_NODE, victim), (asc.AS_CLUSTER_ADD_NODE, victim)]

        # No acknowledged write is lost: each key holds its last acknowledged value (or a
        # later in-doubt one).
        for key, value in acknowledged.items():
            stored = session.get((NAMESPACE, SET, key)).bins["v"]
            assert stored == value or stored == in_doubt.get(key), key
    print(f"\nfailover: {succeeded} commands ok, {len(failures)} failed, {stats.retry_count} retries; "
          f"node removed {timeline['removed'] - timeline['killed']:.2f}s after the kill, "
          f"re-added {timeline['readded'] - timeline['restarted']:.2f}s after the restart")


def test_a_hung_node_times_out_with_in_doubt_only_for_writes(aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=3, replication_factor=2)
    once = {"max_retries": 0, "socket_timeout": 200, "total_timeout": 300}
    with fast_definition(embedded.seed, policies={"read": {"base": once},
                                                  "write": {"base": once}}).connect() as cluster:
        assert wait_until(lambda: len(cluster.node_names()) == 3)
        hung = embedded.node(2).name
        stuck = key_where(embedded, "stuck", lambda name: name == hung)
        healthy = key_where(embedded, "healthy", lambda name: name != hung)
        session = cluster.create_session()
        session.put((NAMESPACE, SET, stuck), {"v": 1})
        embedded.hang_node(hung)

        started = time.monotonic()
        with pytest.raises(asc.AerospikeTimeoutError) as write:
            session.put((NAMESPACE, SET, stuck), {"v": 2})
        assert write.value.in_doubt is True          # sent, no answer: may have been applied
        with pytest.raises(asc.AerospikeTimeoutError) as read:
            session.get((NAMESPACE, SET, stuck))
        assert read.value.in_doubt is False          # a read never is
        assert time.monotonic() - started < 10       # bounded by the policies, never a hang

        session.put((NAMESPACE, SET, healthy), {"v": 3})   # other nodes are unaffected
        assert session.get((NAMESPACE, SET, healthy)).bins == {"v": 3}

        # With retries, a read moves on to the other replica and succeeds; a write that
        # timed out stays on the master (C does not move writes on timeouts: no sign of a
        # migration), so it times out again, still in doubt.
        retrying = cluster.create_session(read=RETRY_TWICE, write=RETRY_TWICE)
        assert retrying.get((NAMESPACE, SET, stuck)).bins["v"] in (1, 2)
        with pytest.raises(asc.AerospikeTimeoutError) as again:
            retrying.put((NAMESPACE, SET, stuck), {"v": 4})
        assert again.value.in_doubt is True
        assert cluster.get_stats().node(hung).timeouts >= 3

        embedded.resume_node(hung)
        assert wait_until(lambda: _answers(session, stuck))


def _answers(session, key: str) -> bool:
    try:
        session.get((NAMESPACE, SET, key))
        return True
    except asc.AerospikeTimeoutError:
        return False
