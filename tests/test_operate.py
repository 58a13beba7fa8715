"""aerospike_key_operate: basic operations, list and map CDT operations (with contexts and
policies), through the C-faithful as_operations and through Client.operate with `ops`."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from aerospike_c._records import ops
from aerospike_c.testing.pytest_plugin import real_cluster_hosts
from multi_record_fixtures import (NAMESPACE, client, set_name,  # noqa: F401 - pytest fixtures
                                   skip_unless_ttl_allowed, ttl_refusal)


@pytest.fixture
def key(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "operate")
    client.put(key, {"n": 10, "s": "mid", "b": b"\x02", "l": [3, 1, 2], "m": {"a": 1, "b": 2}})
    return key


def test_c_faithful_operations(client, key):  # noqa: F811
    operations = asc.as_operations_init(6)
    asc.as_operations_add_incr(operations, "n", 5)
    asc.as_operations_add_append_str(operations, "s", "-end")
    asc.as_operations_add_prepend_str(operations, "s", "start-")
    asc.as_operations_add_append_raw(operations, "b", b"\x03\x04", 1)
    asc.as_operations_add_write_int64(operations, "new", 7)
    asc.as_operations_add_read_all(operations)
    ttl = 300 if ttl_refusal(client) is None else -1  # a server's default takes no ttl
    operations.ttl = ttl
    rec = asc.aerospike_key_operate(client.aerospike, None, key, operations)
    assert asc.as_record_get_int64(rec, "n", 0) == 15
    assert asc.as_record_get_str(rec, "s") == "start-mid-end"
    assert asc.as_record_get_bytes(rec, "b") == b"\x02\x03"
    assert asc.as_record_get_int64(rec, "new", 0) == 7
    assert rec.ttl == 4294967295 if ttl < 0 else 290 <= rec.ttl <= 300
    asc.as_record_destroy(rec)
    asc.as_operations_destroy(operations)
    with pytest.raises(asc.LifecycleError):
        asc.as_operations_add_read(operations, "n")


def test_write_read_incr_append_prepend_with_ops(client, key):  # noqa: F811
    record = client.operate(key, [
        ops.write("w", [1, {"x": None}]), ops.incr("n", -3), ops.incr("f", 0.5),
        ops.append("s", "+"), ops.prepend("s", "-"), ops.prepend("b", b"\x01"), ops.read("w"),
        ops.read("n"), ops.read("f"), ops.read("s"), ops.read("b"),
    ])
    assert record.bins == {"w": [1, {"x": None}], "n": 7, "f": 0.5, "s": "-mid+", "b": b"\x01\x02"}


def test_touch_sets_the_ttl_and_bumps_the_generation(client, key):  # noqa: F811
    skip_unless_ttl_allowed(client)
    before = client.exists(key)
    meta = client.touch(key, 5000)
    assert meta["gen"] == before["gen"] + 1 and 4990 <= meta["ttl"] <= 5000


def test_delete_removes_the_record(client, key):  # noqa: F811
    client.operate(key, [ops.delete()])
    assert client.exists(key) is None


def test_increment_returns_the_new_value_and_creates_the_bin(client, key):  # noqa: F811
    assert client.increment(key, "n", 1) == 11
    assert client.increment(key, "fresh", 4) == 4
    assert client.increment(key, "ratio", 0.25) == 0.25


def test_append_and_prepend_methods(client, key):  # noqa: F811
    client.append(key, "s", "dle")
    client.prepend(key, "s", "a-")
    client.append(key, "b", b"\x09")
    assert client.select(key, ["s", "b"]).bins == {"s": "a-middle", "b": b"\x02\x09"}


def test_operations_on_the_wrong_bin_type(client, key):  # noqa: F811
    with pytest.raises(asc.BinIncompatibleTypeError) as caught:
        client.increment(key, "s", 1)
    assert caught.value.code == asc.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE
    assert caught.value.file and caught.value.line > 0 and caught.value.in_doubt is False
    with pytest.raises(asc.BinIncompatibleTypeError):
        client.operate(key, [ops.list_append("m", 1)])
    assert client.get(key).bins["m"] == {"a": 1, "b": 2}  # nothing applied


def test_list_operations(client, key):  # noqa: F811
    # [3, 1, 2] -> [3, 1, 2, 4] -> ... each operation's result, in order
    _, meta, results = client.operate_ordered(key, [
        ops.list_append("l", 4),                                    # size 4
        ops.list_append_items("l", [5, 6]),                         # size 6
        ops.list_insert("l", 0, 0),                                 # size 7: [0, 3, 1, 2, 4, 5, 6]
        ops.list_pop("l", -1),                                      # 6
        ops.list_remove("l", 1),                                    # 1 removed: [0, 1, 2, 4, 5]
        ops.list_increment("l", 0, 10),                             # 10: [10, 1, 2, 4, 5]
        ops.list_size("l"),                                         # 5
        ops.list_get("l", 0),                                       # 10
        ops.list_get_range("l", 1, 3),                              # [1, 2, 4]
        ops.list_get_by_rank("l", -1, asc.AS_LIST_RETURN_VALUE),    # 10
        ops.list_get_by_value_range("l", 2, 5, asc.AS_LIST_RETURN_COUNT),  # 2 (2 and 4)
        ops.list_remove_by_value("l", 10, asc.AS_LIST_RETURN_INDEX),       # [0]
        ops.read("l"),
    ])
    assert [value for _, value in results] == [4, 6, 7, 6, 1, 10, 5, 10, [1, 2, 4], 10, 2, [0],
                                                [1, 2, 4, 5]]
    assert meta["gen"] == 2


def test_every_operation_answers_when_responding_to_all(client, key):  # noqa: F811
    _, _, results = client.operate_ordered(key, [
        ops.list_set("l", 0, 9), ops.list_sort("l", asc.AS_LIST_SORT_DEFAULT), ops.read("l"),
    ])
    assert results == [("l", None), ("l", None), ("l", [1, 2, 9])]
    # The caller's policy object is not changed by operate_ordered.
    policy = asc.as_policy_operate_init()
    _, _, results = client.operate_ordered(key, [ops.list_set("l", 0, 3), ops.read("l")], policy=policy)
    assert results == [("l", None), ("l", [3, 2, 9])] and policy.respond_all_ops is False


def test_list_policy_and_context(client, key):  # noqa: F811
    client.put(key, {"nested": {"scores": [5, 1]}})
    unique = {"order": asc.AS_LIST_ORDERED, "flags": asc.AS_LIST_WRITE_ADD_UNIQUE | asc.AS_LIST_WRITE_NO_FAIL}
    client.operate(key, [
        ops.list_append("nested", 3, ctx=[("map_key", "scores")], policy=unique),
        ops.list_append("nested", 3, ctx=[("map_key", "scores")], policy=unique),
    ])
    assert client.get(key).bins["nested"] == {"scores": [5, 1, 3]}
    client.operate(key, [ops.list_append_items("sorted", [5, 1, 3], policy={"order": asc.AS_LIST_ORDERED})])
    assert client.get(key).bins["sorted"] == [1, 3, 5]
    with pytest.raises(asc.AerospikeError):
        client.operate(key, [ops.list_append("nested", 1, ctx=[("map_key", "scores")],
                                             policy={"order": asc.AS_LIST_ORDERED,
                                                     "flags": asc.AS_LIST_WRITE_ADD_UNIQUE})])


def test_map_operations(client, key):  # noqa: F811
    record = client.operate_ordered(key, [
        ops.map_put("m", "c", 3),
        ops.map_put_items("m", {"d": 4, "e": 5}),
        ops.map_increment("m", "a", 10),
        ops.map_decrement("m", "b", 1),
        ops.map_get_by_key("m", "a", asc.AS_MAP_RETURN_VALUE),
        ops.map_get_by_key_list("m", ["c", "d"], asc.AS_MAP_RETURN_KEY_VALUE),
        ops.map_get_by_rank_range("m", -2, 2, asc.AS_MAP_RETURN_KEY),
        ops.map_remove_by_key("m", "e", asc.AS_MAP_RETURN_VALUE),
        ops.map_size("m"),
        ops.read("m"),
    ])
    values = [value for _, value in record[2]]
    assert values[:5] == [3, 5, 11, 1, 11]
    assert values[5] in ([["c", 3], ["d", 4]], {"c": 3, "d": 4}, ["c", 3, "d", 4])
    assert sorted(values[6]) == ["a", "e"]
    assert values[7:] == [5, 4, {"a": 11, "b": 1, "c": 3, "d": 4}]


def test_map_policy_and_nested_create(client, key):  # noqa: F811
    create_only = {"order": asc.AS_MAP_KEY_ORDERED, "flags": asc.AS_MAP_WRITE_CREATE_ONLY}
    client.operate(key, [ops.map_put("m", "z", 26, policy=create_only)])
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.map_put("m", "z", 0, policy=create_only)])
    assert caught.value.code == asc.AEROSPIKE_ERR_FAIL_ELEMENT_EXISTS
    client.operate(key, [ops.map_put("tree", "leaf", 1, ctx=[("map_key_create", "branch", asc.AS_MAP_KEY_ORDERED)])])
    assert client.get(key).bins["tree"] == {"branch": {"leaf": 1}}


def test_c_faithful_cdt_calls_with_ctx_and_policies(client, key):  # noqa: F811
    operations = asc.as_operations_init(3)
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_map_key(ctx, "inner")
    policy = asc.as_map_policy_init()
    asc.as_map_policy_set(policy, asc.AS_MAP_KEY_ORDERED, asc.AS_MAP_UPDATE)
    asc.as_operations_add_map_put(operations, "m", None, "inner", {})
    asc.as_operations_map_put(operations, "m", ctx, policy, "k", [1, 2])
    asc.as_operations_add_map_get_by_key(operations, "m", "inner", asc.AS_MAP_RETURN_VALUE)
    rec = asc.aerospike_key_operate(client.aerospike, None, key, operations)
    assert asc.as_record_numbins(rec) == 3  # one result per operation, all named "m"
    assert rec.to_python().bins["m"] == {"k": [1, 2]}  # the last one: get_by_key's value
    asc.as_cdt_ctx_destroy(ctx)
    assert client.get(key).bins["m"] == {"a": 1, "b": 2, "inner": {"k": [1, 2]}}


def test_wildcard_and_infinity_select_ranges(client, key):  # noqa: F811
    client.put(key, {"pairs": [[1, "a"], [2, "b"], [3, "c"]]})
    record = client.operate(key, [
        ops.list_get_by_value_range("pairs", [2, asc.as_cmp_wildcard], [asc.as_cmp_inf],
                                    asc.AS_LIST_RETURN_VALUE),
    ])
    assert record.bins["pairs"] == [[2, "b"], [3, "c"]]


def test_operation_arguments_are_checked(client, key):  # noqa: F811
    operations = asc.as_operations_init(1)
    with pytest.raises(TypeError, match="bin 'l'"):
        asc.as_operations_list_append(operations, "l", None, None, {1, 2})
    with pytest.raises(TypeError):
        asc.as_operations_list_append_items(operations, "l", None, None, "not a list")
    with pytest.raises(asc.ParamError):
        asc.as_operations_add_read(operations, "x" * 16)
    with pytest.raises(ValueError):
        asc.as_operations_add_write_raw(operations, "b", b"ab", 3)
    with pytest.raises(TypeError):
        asc.as_operations_add_incr(operations, "n")
    asc.as_operations_add_read(operations, "n")
    with pytest.raises(asc.ParamError, match="full"):
        asc.as_operations_add_read(operations, "s")
    with pytest.raises(TypeError):
        client.operate(key, [("write", "a", 1)])
    with pytest.raises(TypeError):
        ops.list_append("l")
    with pytest.raises(ValueError, match="ctx kind"):
        ops.list_append("l", 1, ctx=[("no_such_kind", 1)])


def test_list_increment_takes_the_policys_write_flags(client, key):  # noqa: F811
    # A list increment sets its new value as list set does, under the policy's flags.
    client.put(key, {"l": [1, 5]})
    bounded = {"flags": asc.AS_LIST_WRITE_INSERT_BOUNDED}
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.list_increment("l", 3, 1, policy=bounded)])
    assert caught.value.code == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    unique = {"flags": asc.AS_LIST_WRITE_ADD_UNIQUE}
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.list_increment("l", 0, 4, policy=unique)])
    assert caught.value.code == asc.AEROSPIKE_ERR_FAIL_ELEMENT_EXISTS
    no_fail = {"flags": asc.AS_LIST_WRITE_INSERT_BOUNDED | asc.AS_LIST_WRITE_NO_FAIL}
    client.operate(key, [ops.list_increment("l", 3, 1, policy=no_fail)])
    assert client.get(key).bins["l"] == [1, 5]
    assert client.operate(key, [ops.list_increment("l", 0, 1, policy=unique)]).bins["l"] == 2
    client.operate(key, [ops.list_increment("l", 3, 1)])  # unbounded: pads with nils
    assert client.get(key).bins["l"] == [2, 5, None, 1]


def test_a_read_all_in_a_write_stands_alone(client, key):  # noqa: F811
    """write_master_policies(): a write's read-all (ops.read(), C's as_operations_add_read_all)
    comes once and with no operation that answers with a bin of its own (a read of a named
    bin, a CDT read or modify); otherwise AEROSPIKE_ERR_REQUEST_INVALID, nothing written."""
    for operations in ([ops.write("w", 1), ops.read(), ops.read("n")],
                       [ops.write("w", 1), ops.read(), ops.list_append("l", 4)],
                       [ops.write("w", 1), ops.read(), ops.read()]):
        with pytest.raises(asc.RequestInvalidError):
            client.operate(key, operations)
    assert "w" not in client.get(key).bins
    record = client.operate(key, [ops.write("w", 1), ops.incr("n", 1), ops.read()])
    assert record.bins["w"] == 1 and record.bins["n"] == 11


def test_a_read_all_in_a_read_answers_every_bin(client, key):  # noqa: F811
    """Without a write, a read-all asks for every bin (read_local(): INFO1_GET_ALL), whatever
    bins the other reads name."""
    assert client.operate(key, [ops.read(), ops.read("n")]).bins == client.get(key).bins
