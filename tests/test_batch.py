"""Batches: as_batch + aerospike_batch_get/_get_bins/_exists/_get_ops/_operate/_apply/_remove,
batch records (read/write/apply/remove) with per-record status, Client.batch_*."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from aerospike_c._queries import BatchApply, BatchRead, BatchRemove, BatchWrite
from aerospike_c._records import ops
from multi_record_fixtures import NAMESPACE, client, fill, set_name  # noqa: F401 - fixtures


def make_batch(set_name, user_keys):
    batch = asc.as_batch_init(len(user_keys))
    for index, user_key in enumerate(user_keys):
        batch[index] = (NAMESPACE, set_name, user_key)
    return batch


def listen(call, *args):
    """Run a key-list batch call; (results, the BatchFailedError or None)."""
    results, failed = [], None
    try:
        call(*args, lambda found, n, udata: results.extend(found) or len(found) == n)
    except asc.BatchFailedError as error:
        failed = error
    return results, failed


def test_batch_get_reports_each_key(client, set_name):
    fill(client, set_name, 10)
    batch = make_batch(set_name, [0, 5, 99, 9])
    results, failed = listen(asc.aerospike_batch_get, client.aerospike, None, batch)
    assert failed is None   # not found is not a failure
    assert [r.result for r in results] == [asc.AEROSPIKE_OK, asc.AEROSPIKE_OK,
                                           asc.AEROSPIKE_ERR_RECORD_NOT_FOUND, asc.AEROSPIKE_OK]
    assert [r.key[2] for r in results] == [0, 5, 99, 9]
    assert [r.record.bins["i"] if r.record else None for r in results] == [0, 5, None, 9]
    asc.as_batch_destroy(batch)


def test_batch_get_bins_exists_and_ops(client, set_name):
    fill(client, set_name, 3)
    batch = make_batch(set_name, [0, 1, 2])
    results, _ = listen(asc.aerospike_batch_get_bins, client.aerospike, None, batch, ["s"])
    assert [r.record.bins for r in results] == [{"s": "s0"}, {"s": "s1"}, {"s": "s2"}]

    results, _ = listen(asc.aerospike_batch_exists, client.aerospike, None, batch)
    assert all(r.record.bins == {} and r.record.meta["gen"] >= 1 for r in results)

    operations = asc.as_operations_init(1)
    asc.as_operations_add_read(operations, "i")
    results, _ = listen(asc.aerospike_batch_get_ops, client.aerospike, None, batch, operations)
    assert [r.record.bins["i"] for r in results] == [0, 1, 2]


def test_batch_operate_and_remove(client, set_name):
    fill(client, set_name, 3)
    batch = make_batch(set_name, [0, 1, 2])
    operations = asc.as_operations_init(2)
    asc.as_operations_add_incr(operations, "i", 100)
    asc.as_operations_add_read(operations, "i")
    results, failed = listen(asc.aerospike_batch_operate, client.aerospike, None, None, batch,
                             operations)
    assert failed is None
    assert [r.record.bins["i"] for r in results] == [100, 101, 102]

    results, failed = listen(asc.aerospike_batch_remove, client.aerospike, None, None, batch)
    assert failed is None and all(r.result == asc.AEROSPIKE_OK for r in results)
    assert client.batch_get([(NAMESPACE, set_name, i) for i in range(3)]) == [None] * 3


def test_batch_apply_of_an_unknown_module_fails_per_record(client, set_name):
    fill(client, set_name, 2)
    batch = make_batch(set_name, [0, 1])
    results, failed = listen(asc.aerospike_batch_apply, client.aerospike, None, None, batch,
                             "no_such_module", "f", [1, 2])
    assert isinstance(failed, asc.BatchFailedError)
    assert failed.code == asc.AEROSPIKE_BATCH_FAILED and failed.file and failed.line > 0
    assert [r.result for r in results] == [asc.AEROSPIKE_ERR_UDF] * 2
    assert all(r.record is None for r in results)


@pytest.mark.parametrize("request_", [
    BatchWrite(("test", "s", 1), [("a", 1)]), BatchWrite(("test", "s", 1), ops="abc"),
    BatchWrite(("test", "s", 1), ops=[None]), BatchWrite(("test", "s", 1), ops=5),
])
def test_a_batch_write_of_the_wrong_types_is_a_type_error(client, request_):
    """They were AttributeErrors ('list' object has no attribute 'items' ...)."""
    with pytest.raises(TypeError, match="bins must be a dict|ops|operation"):
        client.batch_records([request_])


def test_a_background_job_of_the_wrong_types_is_a_type_error(client, set_name):
    with pytest.raises(TypeError, match="operation from ops"):
        client.scan_background(NAMESPACE, set_name, ops=[None])


def test_bad_namespace_fails_every_key(client):
    batch = asc.as_batch_init(2)
    batch[0] = ("no_such_namespace", "s", 1)
    batch[1] = ("no_such_namespace", "s", 2)
    results, failed = listen(asc.aerospike_batch_get, client.aerospike, None, batch)
    assert isinstance(failed, asc.BatchFailedError) and failed.line > 0
    assert [r.result for r in results] == [asc.AEROSPIKE_ERR_NAMESPACE_NOT_FOUND] * 2
    with pytest.raises(asc.NamespaceNotFoundError) as raised:
        client.batch_get([("no_such_namespace", "s", 1)])
    assert raised.value.file == failed.file and raised.value.line > 0


def test_listener_exception_is_reraised(client, set_name):
    fill(client, set_name, 2)
    batch = make_batch(set_name, [0, 1])

    def listener(results, n, udata):
        raise RuntimeError("from the listener")

    with pytest.raises(RuntimeError, match="from the listener"):
        asc.aerospike_batch_get(client.aerospike, None, batch, listener)


def test_listener_gets_udata_and_may_be_none(client, set_name):
    fill(client, set_name, 1)
    batch = make_batch(set_name, [0])
    marker, seen = object(), []
    asc.aerospike_batch_get(client.aerospike, None, batch,
                            lambda results, n, udata: seen.append((n, udata)), marker)
    assert seen == [(1, marker)]
    asc.aerospike_batch_get(client.aerospike, None, batch, None)


def test_batch_keys_must_be_set(client):
    batch = asc.as_batch_init(2)
    batch[0] = (NAMESPACE, "s", 1)
    assert asc.as_batch_keyat(batch, 1) is None and asc.as_batch_keyat(batch, 5) is None
    with pytest.raises(asc.ParamError):
        asc.aerospike_batch_get(client.aerospike, None, batch, None)
    with pytest.raises(IndexError):
        batch[2] = (NAMESPACE, "s", 3)
    batch[1] = asc.as_key_init_str(NAMESPACE, "s", "k")
    assert asc.as_batch_keyat(batch, 1)[:3] == (NAMESPACE, "s", "k")
    asc.as_batch_destroy(batch)
    with pytest.raises(asc.LifecycleError):
        asc.aerospike_batch_get(client.aerospike, None, batch, None)


def test_batch_records_carry_their_own_results(client, set_name):
    fill(client, set_name, 3)
    records = asc.as_batch_records_init(1)          # grows as records are reserved
    read = asc.as_batch_read_reserve(records)
    read.key = (NAMESPACE, set_name, 0)
    read.read_all_bins = True
    some = asc.as_batch_read_reserve(records)
    some.key = (NAMESPACE, set_name, 1)
    some.bin_names = ["s"]
    missing = asc.as_batch_read_reserve(records)
    missing.key = (NAMESPACE, set_name, 404)
    missing.read_all_bins = True
    asc.aerospike_batch_read(client.aerospike, None, records)
    assert (read.result, read.record.bins) == (asc.AEROSPIKE_OK, {"i": 0, "s": "s0"})
    assert (some.result, some.record.bins) == (asc.AEROSPIKE_OK, {"s": "s1"})
    assert some.bin_names == ["s"] and some.n_bin_names == 1
    assert missing.result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND
    asc.as_batch_records_destroy(records)
    with pytest.raises(asc.LifecycleError):
        read.result


def test_batch_write_mixes_record_types(client, set_name):
    fill(client, set_name, 3)
    records = asc.as_batch_records_init(4)
    write = asc.as_batch_write_reserve(records)
    write.key = (NAMESPACE, set_name, 0)
    operations = asc.as_operations_init(2)
    asc.as_operations_add_write_str(operations, "s", "written")
    asc.as_operations_add_read(operations, "s")
    write.ops = operations
    remove = asc.as_batch_remove_reserve(records)
    remove.key = (NAMESPACE, set_name, 1)
    apply = asc.as_batch_apply_reserve(records)
    apply.key = (NAMESPACE, set_name, 2)
    apply.module, apply.function, apply.arglist = "no_such_module", "f", [1]
    read = asc.as_batch_read_reserve(records)
    read.key = (NAMESPACE, set_name, 0)
    read.read_all_bins = True
    assert [records[i].type for i in range(len(records))] == [
        asc.AS_BATCH_WRITE, asc.AS_BATCH_REMOVE, asc.AS_BATCH_APPLY, asc.AS_BATCH_READ]
    with pytest.raises(asc.BatchFailedError):
        asc.aerospike_batch_write(client.aerospike, None, records)   # the UDF record failed
    assert write.result == asc.AEROSPIKE_OK and write.record.bins == {"s": "written"}
    assert remove.result == asc.AEROSPIKE_OK
    assert apply.result == asc.AEROSPIKE_ERR_UDF and apply.module == "no_such_module"
    assert read.result == asc.AEROSPIKE_OK
    assert client.get((NAMESPACE, set_name, 0)).bins["s"] == "written"
    assert client.exists((NAMESPACE, set_name, 1)) is None


def test_record_fields_are_checked(client, set_name):
    records = asc.as_batch_records_init(1)
    read = asc.as_batch_read_reserve(records)
    with pytest.raises(TypeError):
        read.key = 5
    with pytest.raises(TypeError):
        read.bin_names = "a"
    with pytest.raises(TypeError):
        read.read_all_bins = 1
    with pytest.raises(TypeError):
        read.policy = asc.as_policy_batch_write_init()
    read.policy = asc.as_policy_batch_read_init()
    with pytest.raises(TypeError):   # the record has no key yet
        asc.aerospike_batch_read(client.aerospike, None, records)


def test_a_thousand_keys_each_once(client, set_name):
    fill(client, set_name, 1000)
    keys = [(NAMESPACE, set_name, i) for i in range(1000)]
    records = client.batch_get(keys)
    assert [r.bins["i"] for r in records] == list(range(1000))
    assert [r.key[2] for r in records] == list(range(1000))


def test_client_batch_methods(client, set_name):
    fill(client, set_name, 3)
    keys = [(NAMESPACE, set_name, i) for i in (0, 1, 77)]
    assert [r and r.bins for r in client.batch_get(keys, bins=["s"])] == [
        {"s": "s0"}, {"s": "s1"}, None]
    metas = client.batch_exists(keys)
    assert metas[2] is None and metas[0]["gen"] >= 1

    results = client.batch_records([
        BatchRead(keys[0]), BatchRead(keys[1], bins=["i"]),
        BatchWrite((NAMESPACE, set_name, 5), {"i": 5}),
        BatchWrite(keys[0], ops=[ops.incr("i", 10), ops.read("i")]),
        BatchApply(keys[1], "no_such_module", "f", [1]),
        BatchRemove(keys[2]),
    ])
    assert [r.result for r in results] == [
        asc.AEROSPIKE_OK, asc.AEROSPIKE_OK, asc.AEROSPIKE_OK, asc.AEROSPIKE_OK,
        asc.AEROSPIKE_ERR_UDF, asc.AEROSPIKE_ERR_RECORD_NOT_FOUND]
    assert results[1].record.bins == {"i": 1} and results[3].record.bins == {"i": 10}
    assert isinstance(results[4].error, asc.UDFError) and results[4].record is None
    assert isinstance(results[5].error, asc.RecordNotFoundError)
    assert client.get((NAMESPACE, set_name, 5)).bins == {"i": 5}

    removed = client.batch_remove(keys[:2])
    assert [r.result for r in removed] == [asc.AEROSPIKE_OK] * 2
    assert client.batch_get(keys[:2]) == [None, None]
