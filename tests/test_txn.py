"""Multi-record transactions: as_txn.h and aerospike_txn.h in C names, Client.transaction().

They run against a strong-consistency namespace: on the embedded cluster one started with
strong_consistency=True; with AEROSPIKE_HOSTS, the real cluster's namespace
AEROSPIKE_SC_NAMESPACE (default "test"), skipped unless it is strong-consistency. Every
assertion is what a server answers (the C client's transaction suite asserts the same).
"""
from __future__ import annotations

import os
import time
import uuid
from typing import Any, Iterator, Tuple

import pytest

import aerospike_c as asc
from aerospike_c import (AS_ABORT_ALREADY_ABORTED, AS_ABORT_OK, AS_COMMIT_ALREADY_COMMITTED,
                         AS_COMMIT_MARK_ROLL_FORWARD_ABANDONED, AS_COMMIT_OK,
                         AS_COMMIT_VERIFY_FAILED, AS_TXN_STATE_ABORTED, AS_TXN_STATE_COMMITTED,
                         AS_TXN_STATE_OPEN, AEROSPIKE_ERR_FAIL_FORBIDDEN,
                         AEROSPIKE_MRT_ABORTED, AEROSPIKE_MRT_ALREADY_LOCKED, AEROSPIKE_MRT_BLOCKED,
                         AEROSPIKE_MRT_EXPIRED, AEROSPIKE_MRT_TOO_MANY_WRITES, AEROSPIKE_TXN_FAILED)
from aerospike_c.testing import EmbeddedCluster
from aerospike_c.testing.pytest_plugin import real_cluster_hosts

BIN = "a"


@pytest.fixture(scope="module")
def sc_hosts() -> Iterator[Tuple[list, str]]:
    """(seed hosts, a strong-consistency namespace)."""
    hosts = real_cluster_hosts()
    if hosts is not None:
        namespace = os.environ.get("AEROSPIKE_SC_NAMESPACE", "test")
        with asc.Client(asc.Config(hosts=hosts)) as client:
            answer = next(iter(client.info_all(f"namespace/{namespace}").values()), "")
        if "strong-consistency=true" not in answer:
            pytest.skip(f"namespace {namespace} of the real cluster is not strong-consistency")
        yield hosts, namespace
        return
    with EmbeddedCluster(nodes=2, strong_consistency=True) as cluster:
        yield cluster.hosts, "test"


@pytest.fixture(scope="module")
def sc(sc_hosts: Tuple[list, str]) -> Iterator[Tuple[asc.Client, str]]:
    """(a connected Client, a strong-consistency namespace)."""
    hosts, namespace = sc_hosts
    with asc.Client(asc.Config(hosts=hosts)) as client:
        yield client, namespace


@pytest.fixture
def keys(sc: Tuple[asc.Client, str]) -> Iterator[Any]:
    """make(n): n keys of a fresh set, each holding BIN = 1 (durably removed afterwards)."""
    client, namespace = sc
    made = []

    def make(count: int = 1, value: Any = 1) -> list:
        set_name = f"t_{uuid.uuid4().hex[:12]}"
        new = [(namespace, set_name, i) for i in range(count)]
        for key in new:
            if value is not None:
                client.put(key, {BIN: value})
        made.extend(new)
        return new

    yield make
    for key in made:
        try:
            client.remove(key, policy={"durable_delete": True})
        except asc.AerospikeError:
            pass


def value(client: asc.Client, key: Any) -> Any:
    try:
        return client.get(key).bins.get(BIN)
    except asc.RecordNotFoundError:
        return None


def in_txn(kind: str, txn: Any, **fields: Any) -> Any:
    """A fresh as_policy_<kind> with base.txn = txn and `fields` set."""
    policy = getattr(asc, f"as_policy_{kind}_init")()
    policy.base.txn = txn
    for name, field_value in fields.items():
        setattr(policy, name, field_value)
    return policy


def put(as_: Any, policy: Any, key: Any, number: int) -> None:
    rec = asc.as_record_init(1)
    asc.as_record_set_int64(rec, BIN, number)
    asc.aerospike_key_put(as_, policy, key, rec)


# -- commit and abort, in C names ----------------------------------------------------------------

def test_commit_publishes_every_write_at_once(sc, keys) -> None:
    client, _ = sc
    as_ = client.aerospike
    k1, k2 = keys(2)
    txn = asc.as_txn_init()
    pw = in_txn("write", txn)
    put(as_, pw, k1, 2)
    put(as_, pw, k2, 3)
    assert asc.as_txn_writes_size(txn) == 2 and asc.as_txn_monitor_exists(txn)
    assert asc.as_txn_writes_contain(txn, k1)
    assert {w.digest for w in asc.as_txn_iter_writes(txn)} == {
        asc.as_key_digest(asc.as_key_init_int64(*k)) for k in (k1, k2)}
    # Outside the transaction the committed values still show.
    assert (value(client, k1), value(client, k2)) == (1, 1)
    # Inside, its own writes.
    got = asc.aerospike_key_get(as_, in_txn("read", txn), k1)
    assert asc.as_record_get_int64(got, BIN, -1) == 2
    assert asc.aerospike_commit(as_, txn) == AS_COMMIT_OK
    assert txn.state == AS_TXN_STATE_COMMITTED
    assert (value(client, k1), value(client, k2)) == (2, 3)
    # Committing again says so; aborting a committed transaction is refused.
    assert asc.aerospike_commit(as_, txn) == AS_COMMIT_ALREADY_COMMITTED
    with pytest.raises(asc.TransactionError) as raised:
        asc.aerospike_abort(as_, txn)
    assert raised.value.abort_status == asc.AS_ABORT_ALREADY_COMMITTED
    pw.base.txn = None
    asc.as_txn_destroy(txn)


def test_abort_rolls_back_writes_deletes_and_creates(sc, keys) -> None:
    client, _ = sc
    as_ = client.aerospike
    changed, removed = keys(2)
    (created,) = keys(1, value=None)
    txn = asc.as_txn_create()
    put(as_, in_txn("write", txn), changed, 5)
    put(as_, in_txn("write", txn), created, 6)
    asc.aerospike_key_remove(as_, in_txn("remove", txn, durable_delete=True), removed)
    assert value(client, removed) == 1 and value(client, created) is None
    assert asc.aerospike_abort(as_, txn) == AS_ABORT_OK
    assert txn.state == AS_TXN_STATE_ABORTED
    assert (value(client, changed), value(client, removed), value(client, created)) == (1, 1, None)
    assert asc.aerospike_abort(as_, txn) == AS_ABORT_ALREADY_ABORTED
    with pytest.raises(asc.TransactionError) as raised:
        asc.aerospike_commit(as_, txn)
    assert raised.value.code == asc.AEROSPIKE_TXN_ALREADY_ABORTED
    assert raised.value.commit_status == asc.AS_COMMIT_ALREADY_ABORTED


def test_a_closed_transaction_takes_no_commands(sc, keys) -> None:
    client, _ = sc
    (key,) = keys(1)
    txn = asc.as_txn_init()
    asc.aerospike_abort(client.aerospike, txn)
    with pytest.raises(asc.ParamError, match="aborted"):
        put(client.aerospike, in_txn("write", txn), key, 9)
    with pytest.raises(asc.ParamError):
        asc.as_txn_verify_command(txn)


# -- conflicts -----------------------------------------------------------------------------------

def test_two_transactions_on_one_key(sc, keys) -> None:
    client, _ = sc
    as_ = client.aerospike
    (key,) = keys(1)
    first, second = asc.as_txn_init(), asc.as_txn_init()
    put(as_, in_txn("write", first), key, 2)
    with pytest.raises(asc.TransactionError) as raised:
        put(as_, in_txn("write", second), key, 3)
    assert raised.value.code == AEROSPIKE_MRT_BLOCKED
    with pytest.raises(asc.TransactionError) as raised:  # a write outside any transaction
        client.put(key, {BIN: 4})
    assert raised.value.code == AEROSPIKE_MRT_BLOCKED
    assert asc.aerospike_commit(as_, first) == AS_COMMIT_OK
    assert asc.aerospike_abort(as_, second) == AS_ABORT_OK
    assert value(client, key) == 2
    client.put(key, {BIN: 5})  # unlocked again
    assert value(client, key) == 5


def test_on_locking_only_refuses_a_second_write(sc, keys) -> None:
    client, _ = sc
    (key,) = keys(1)
    txn = asc.as_txn_init()
    policy = in_txn("write", txn, on_locking_only=True)
    put(client.aerospike, policy, key, 2)
    with pytest.raises(asc.TransactionError) as raised:
        put(client.aerospike, policy, key, 3)
    assert raised.value.code == AEROSPIKE_MRT_ALREADY_LOCKED
    asc.aerospike_commit(client.aerospike, txn)
    assert value(client, key) == 2


# -- read verification ---------------------------------------------------------------------------

def test_commit_fails_when_a_read_record_changed(sc, keys) -> None:
    client, _ = sc
    as_ = client.aerospike
    read_key, write_key = keys(2)
    txn = asc.as_txn_init()
    asc.aerospike_key_get(as_, in_txn("read", txn), read_key)
    assert asc.as_txn_reads_size(txn) == 1
    (read,) = list(asc.as_txn_iter_reads(txn))
    assert read.version != 0 and asc.as_txn_get_read_version(txn, read.digest) == read.version
    put(as_, in_txn("write", txn), write_key, 7)
    client.put(read_key, {BIN: 8})  # another writer changes what the transaction read
    with pytest.raises(asc.TransactionError) as raised:
        asc.aerospike_commit(as_, txn)
    assert raised.value.code == AEROSPIKE_TXN_FAILED
    assert raised.value.commit_status == AS_COMMIT_VERIFY_FAILED
    assert not raised.value.in_doubt
    assert txn.state == AS_TXN_STATE_ABORTED
    assert value(client, write_key) == 1  # its writes were rolled back
    assert value(client, read_key) == 8


def test_commit_verifies_unchanged_reads(sc, keys) -> None:
    client, _ = sc
    read_key, write_key = keys(2)
    with client.transaction() as txn:
        seen = client.get(read_key, txn=txn).bins[BIN]
        client.put(write_key, {BIN: seen + 10}, txn=txn)
    assert txn.commit_status == AS_COMMIT_OK
    assert value(client, write_key) == 11


# -- deadlines -----------------------------------------------------------------------------------

def _wait_unblocked(client: asc.Client, key: Any, limit: float = 30.0) -> None:
    """Write outside the transaction until the server has ended the expired one."""
    deadline = time.monotonic() + limit
    while True:
        try:
            client.put(key, {BIN: 100})
            return
        except asc.TransactionError as error:
            if error.code != AEROSPIKE_MRT_BLOCKED or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_an_expired_transaction_is_rolled_back_by_the_server(sc, keys) -> None:
    client, _ = sc
    as_ = client.aerospike
    key, other = keys(2)
    txn = asc.as_txn_init()
    asc.as_txn_set_timeout(txn, 1)
    assert txn.timeout == 1
    put(as_, in_txn("write", txn), key, 2)
    time.sleep(2.5)  # past the deadline (whole server seconds)
    for written in (key, other):  # its later writes are refused (also a key it adds)
        with pytest.raises(asc.TransactionError) as raised:
            put(as_, in_txn("write", txn), written, 3)
        assert raised.value.code in (AEROSPIKE_MRT_EXPIRED, AEROSPIKE_MRT_ABORTED)
    _wait_unblocked(client, key)
    with pytest.raises(asc.TransactionError) as raised:
        asc.aerospike_commit(as_, txn)
    assert raised.value.code in (AEROSPIKE_MRT_EXPIRED, AEROSPIKE_MRT_ABORTED)
    assert raised.value.commit_status == AS_COMMIT_MARK_ROLL_FORWARD_ABANDONED
    assert value(client, key) == 100 and value(client, other) == 1
    asc.aerospike_abort(as_, txn)


# -- batches -------------------------------------------------------------------------------------

def test_batch_writes_in_a_transaction(sc, keys) -> None:
    client, _ = sc
    batch_keys = keys(5)
    with client.transaction() as txn:
        results = client.batch_records([asc.BatchWrite(k, {BIN: 2}) for k in batch_keys], txn=txn)
        assert all(r.result == 0 for r in results)
        assert [r.bins[BIN] for r in client.batch_get(batch_keys) if r] == [1] * 5
        assert [r.bins[BIN] for r in client.batch_get(batch_keys, txn=txn) if r] == [2] * 5
    assert [r.bins[BIN] for r in client.batch_get(batch_keys) if r] == [2] * 5


def test_more_than_4096_writes_are_refused(sc, keys) -> None:
    client, namespace = sc
    txn = asc.as_txn_init_capacity(16, 4097)
    set_name = f"t_{uuid.uuid4().hex[:12]}"
    batch = asc.as_batch_init(4097)
    for i in range(4097):
        batch[i] = (namespace, set_name, i)
    ops = asc.as_operations_init(1)
    asc.as_operations_add_write_int64(ops, BIN, 1)
    with pytest.raises(asc.TransactionError) as raised:
        asc.aerospike_batch_operate(client.aerospike, in_txn("batch_parent_write", txn), None,
                                    batch, ops, lambda *args: True)
    assert raised.value.code == AEROSPIKE_MRT_TOO_MANY_WRITES
    assert asc.aerospike_abort(client.aerospike, txn) == AS_ABORT_OK


def test_a_transaction_a_running_batch_copied_is_not_destroyed(sc, keys) -> None:
    # C's batch commands copy policy->base.txn when they start and write the key sets as
    # answers arrive (as_txn_on_write_in_doubt after a timeout): clearing the policy's field
    # and destroying the as_txn meanwhile freed what C then wrote (SIGSEGV with a node that
    # hung). The as_txn is in use until the batch returns; here its own listener tries.
    client, namespace = sc
    batch_keys = keys(3)
    txn = asc.as_txn_init()
    policy = in_txn("batch_parent_write", txn)
    batch = asc.as_batch_init(len(batch_keys))
    for i, key in enumerate(batch_keys):
        batch[i] = key
    ops = asc.as_operations_init(1)
    asc.as_operations_add_write_int64(ops, BIN, 5)
    refused = []

    def listener(results: Any, n: int, udata: Any) -> bool:
        policy.base.txn = None
        try:
            asc.as_txn_destroy(txn)
        except asc.LifecycleError as error:
            refused.append(str(error))
        return True

    asc.aerospike_batch_operate(client.aerospike, policy, None, batch, ops, listener)
    assert refused and "in use by a running call" in refused[0]
    assert asc.as_txn_writes_size(txn) == 3
    assert asc.aerospike_abort(client.aerospike, txn) == AS_ABORT_OK
    asc.as_txn_destroy(txn)
    assert [value(client, key) for key in batch_keys] == [1] * 3


def test_a_commit_and_an_abort_from_two_threads_do_not_both_go_ahead(sc, keys) -> None:
    # C reads and sets txn->state without a lock: a commit and an abort of one transaction
    # run at once could both answer OK, the writes rolled both ways (a race: some of the 50
    # tries hit it). One at a time, the later one sees the state the first left.
    import threading

    client, _ = sc
    both = []
    for _ in range(50):
        txn = asc.as_txn_init()
        policy = in_txn("write", txn)
        for key in keys(30, value=None):
            asc.aerospike_key_put(client.aerospike, policy, key, {BIN: 2})
        policy.base.txn = None
        outcomes = []

        def end(function: Any) -> None:
            try:
                outcomes.append((function.__name__, function(client.aerospike, txn)))
            except asc.AerospikeError as error:
                outcomes.append((function.__name__, error))

        threads = [threading.Thread(target=end, args=(f,)) for f in (
            asc.aerospike_commit, asc.aerospike_abort, asc.aerospike_commit, asc.aerospike_abort)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ok = {name for name, outcome in outcomes if not isinstance(outcome, Exception)
              and outcome == 0}  # AS_COMMIT_OK, AS_ABORT_OK
        if ok == {"aerospike_commit", "aerospike_abort"}:
            both.append(outcomes)
        asc.as_txn_destroy(txn)
    assert not both, both


# -- the idiomatic transaction -------------------------------------------------------------------

def test_transaction_block_aborts_on_an_exception(sc, keys) -> None:
    client, _ = sc
    (key,) = keys(1)
    with pytest.raises(RuntimeError):
        with client.transaction(timeout=10) as txn:
            client.increment(key, BIN, 5, txn=txn)
            assert txn.state == AS_TXN_STATE_OPEN
            raise RuntimeError("give up")
    assert txn.abort_status == AS_ABORT_OK and txn.commit_status is None
    assert txn.state == AS_TXN_STATE_ABORTED
    assert value(client, key) == 1


def test_every_record_method_takes_txn(sc, keys) -> None:
    client, _ = sc
    k1, k2, k3 = keys(3)
    with client.transaction() as txn:
        client.put(k1, {BIN: 2, "s": "x"}, txn=txn)
        client.append(k1, "s", "y", txn=txn)
        client.prepend(k1, "s", "w", txn=txn)
        client.touch(k2, txn=txn)
        client.operate(k2, [asc.ops.incr(BIN, 1)], txn=txn)
        client.remove(k3, txn=txn, policy={"durable_delete": True})
        assert client.exists(k3, txn=txn) is None and client.exists(k3) is not None
        assert client.select(k1, ["s"], txn=txn).bins == {"s": "wxy"}
    assert (value(client, k1), value(client, k2), value(client, k3)) == (2, 2, None)


# -- strong consistency's own rules --------------------------------------------------------------

def test_strong_consistency_needs_durable_deletes(sc, keys) -> None:
    client, _ = sc
    (key,) = keys(1)
    with pytest.raises(asc.ForbiddenError) as raised:
        client.remove(key)
    assert raised.value.code == AEROSPIKE_ERR_FAIL_FORBIDDEN
    client.remove(key, policy={"durable_delete": True})
    assert value(client, key) is None


def test_linearize_and_session_reads(sc, keys) -> None:
    client, _ = sc
    (key,) = keys(1)
    for mode in (asc.AS_POLICY_READ_MODE_SC_LINEARIZE, asc.AS_POLICY_READ_MODE_SC_SESSION):
        assert client.get(key, policy={"read_mode_sc": mode}).bins[BIN] == 1


# -- the binding's lifecycle rules (no server) ---------------------------------------------------

def test_a_held_transaction_is_not_destroyed() -> None:
    txn = asc.as_txn_init()
    policy = asc.as_policy_write_init()
    policy.base.txn = txn
    copy = asc.as_policy_write_copy(policy)
    policy.base.txn = None
    with pytest.raises(asc.LifecycleError, match="still point"):
        asc.as_txn_destroy(txn)  # the copy points at it too
    del copy
    asc.as_txn_destroy(txn)
    with pytest.raises(asc.LifecycleError):
        policy.base.txn = txn
    with pytest.raises(asc.LifecycleError):
        asc.as_txn_reads_size(txn)
    with pytest.raises(TypeError):
        policy.base.txn = "txn"


def test_a_transaction_a_connected_instance_kept_is_destroyed_after_close(aerospike_hosts) -> None:
    # A config field replaced while connected keeps its old value until aerospike_close (a
    # running command may still read it): the refusal says so, and close lets it go.
    client = asc.Client(asc.Config(aerospike_hosts)).connect()
    txn = asc.as_txn_init()
    client.config.policies.write.base.txn = txn
    client.config.policies.write.base.txn = None
    with pytest.raises(asc.LifecycleError, match="still connected.*aerospike_close"):
        asc.as_txn_destroy(txn)
    client.close()
    asc.as_txn_destroy(txn)
    client.destroy()


def test_transaction_fields() -> None:
    txn = asc.as_txn_create_capacity(32, 32)
    assert txn.id != 0 and txn.state == AS_TXN_STATE_OPEN and txn.ns == ""
    assert txn.timeout == 0 and txn.deadline == 0 and not txn.in_doubt and txn.free
    txn.in_doubt = True
    assert txn.in_doubt
    with pytest.raises(AttributeError):
        txn.free = False
    with pytest.raises(ValueError):
        txn.state = 99
    assert asc.as_txn_iter_next(asc.as_txn_iter_reads(txn)) is None
    key = asc.as_txn_monitor_init_key(txn)
    signed_id = txn.id - (1 << 64) if txn.id >= 1 << 63 else txn.id
    assert key.to_tuple()[1:3] == ("<ERO~MRT", signed_id)
    asc.as_txn_destroy(txn)


# -- the SDK session -----------------------------------------------------------------------------

def test_sdk_session_bound_to_a_transaction(sc, sc_hosts, keys) -> None:
    from aerospike_c.sdk import ClusterDefinition, Host

    client, _ = sc
    k1, k2 = keys(2)
    with ClusterDefinition(*[Host(h, p) for h, p in sc_hosts[0]]).connect() as cluster:
        _session_transactions(client, cluster.create_session(write={"total_timeout": 5000}),
                              k1, k2)


def _session_transactions(client: asc.Client, session: Any, k1: Any, k2: Any) -> None:
    with session.transaction() as tx:
        tx.put(k1, {BIN: 2})
        tx.increment(k2, BIN, 2)
        assert tx.get(k1).bins[BIN] == 2 and session.get(k1).bins[BIN] == 1
        assert tx.txn is not None and session.txn is None
    assert tx.txn.commit_status == AS_COMMIT_OK
    assert (value(client, k1), value(client, k2)) == (2, 3)
    with pytest.raises(KeyError):
        with session.transaction() as tx:
            tx.put(k1, {BIN: 9})
            raise KeyError("no")
    assert tx.txn.abort_status == AS_ABORT_OK and value(client, k1) == 2
    with pytest.raises(TypeError, match="not bound"):
        session.commit()


def test_asyncio_session_transaction(sc, sc_hosts, keys) -> None:
    import asyncio

    from aerospike_c import aio
    from aerospike_c.sdk import Host

    client, _ = sc
    (key,) = keys(1)

    async def main() -> Any:
        async with await aio.ClusterDefinition(*[Host(h, p) for h, p in sc_hosts[0]]).connect() as cluster:
            session = cluster.create_session()
            async with session.transaction() as tx:
                await tx.put(key, {BIN: 7})
                assert (await session.get(key)).bins[BIN] == 1
            return tx.txn.commit_status

    assert asyncio.run(main()) == AS_COMMIT_OK
    assert value(client, key) == 7
