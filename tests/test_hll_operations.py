"""HyperLogLog operations (as_hll_operations.h): init, add, set_union, refresh_count, fold and
the reads, with their write flags and the server's error codes, through the C-faithful
functions and through Client.operate with ops.hll_*.

Estimates are checked against the HyperLogLog error bound Aerospike documents (a standard
error of 1.04 / sqrt(2**n_index_bits)), at four standard errors, so the tests hold against a
real server too."""
from __future__ import annotations

import math

import pytest

import aerospike_c as asc
from aerospike_c import ops
from multi_record_fixtures import NAMESPACE, client, set_name  # noqa: F401 - pytest fixtures

A = [f"a{i}" for i in range(3000)]
B = [f"a{i}" for i in range(2000, 5000)]  # shares 1000 with A


def _close(estimate, actual, index_bits):
    return abs(estimate - actual) <= 4 * 1.04 / math.sqrt(1 << index_bits) * actual


@pytest.fixture
def key(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "hll")
    client.put(key, {"s": "text"})
    client.operate(key, [ops.hll_add("a", A, 12), ops.hll_add("b", B, 12),
                         ops.hll_add_mh("amh", A, 12, 16), ops.hll_add_mh("bmh", B, 12, 16)])
    return key


def _code(client, key, operations):  # noqa: F811
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, operations)
    return caught.value.code


def test_c_faithful_init_add_count(client, key):  # noqa: F811
    policy = asc.as_hll_policy_init()
    operations = asc.as_operations_init(2)
    asc.as_operations_hll_init(operations, "h", None, policy, 10)
    asc.as_operations_hll_add(operations, "h", None, policy, ["x", "y", "z"], 10)
    asc.as_record_destroy(asc.aerospike_key_operate(client.aerospike, None, key, operations))
    operations = asc.as_operations_init(2)
    asc.as_operations_hll_get_count(operations, "h", None)
    asc.as_operations_hll_describe(operations, "other", None)
    rec = asc.aerospike_key_operate(client.aerospike, None, key, operations)
    assert asc.as_record_get_int64(rec, "h", -1) == 3
    asc.as_record_destroy(rec)


def test_add_answers_how_many_registers_changed(client, key):  # noqa: F811
    changed = client.operate(key, [ops.hll_add("d", ["p", "q", "r"], 8)]).bins["d"]
    assert 1 <= changed <= 3
    assert client.operate(key, [ops.hll_update("d", ["p", "q", "r"])]).bins["d"] == 0


def test_count_and_describe(client, key):  # noqa: F811
    bins = client.operate(key, [ops.hll_get_count("a"), ops.hll_describe("b"),
                                ops.hll_describe("amh")]).bins
    assert _close(bins["a"], len(A), 12)
    assert bins["b"] == [12, 0] and bins["amh"] == [12, 16]


def test_the_bin_reads_back_as_an_hll_value(client, key):  # noqa: F811
    value = client.get(key).bins["a"]
    assert isinstance(value, bytes) and len(value) == 11 + 6 * 4096 // 8
    assert value[:3] == bytes([0, 12, 0])


def test_union_count_intersection_and_similarity(client, key):  # noqa: F811
    hll_b = client.get(key).bins["b"]
    hll_bmh = client.get(key).bins["bmh"]
    bins = client.operate(key, [ops.hll_get_union_count("a", [hll_b]),
                                ops.hll_get_intersect_count("amh", [hll_bmh])]).bins
    assert _close(bins["a"], 5000, 12)
    assert abs(bins["amh"] - 1000) <= 250
    similarity = client.operate(key, [ops.hll_get_similarity("amh", [hll_bmh])]).bins["amh"]
    assert abs(similarity - 0.2) <= 0.05
    intersect = client.operate(key, [ops.hll_get_intersect_count("a", [hll_b])]).bins["a"]
    assert abs(intersect - 1000) <= 600  # inclusion-exclusion without min-hash: looser


def test_get_union_and_set_union(client, key):  # noqa: F811
    hll_b = client.get(key).bins["b"]
    union = client.operate(key, [ops.hll_get_union("a", [hll_b])]).bins["a"]
    assert isinstance(union, bytes) and union[:3] == bytes([0, 12, 0])
    client.operate(key, [ops.hll_set_union("a", [hll_b])])
    bins = client.operate(key, [ops.hll_get_count("a"), ops.hll_describe("made")]).bins
    assert _close(bins["a"], 5000, 12)
    client.operate(key, [ops.hll_set_union("made", [union])])
    assert client.operate(key, [ops.hll_get_count("made")]).bins["made"] == bins["a"]


def test_set_union_that_would_shrink_needs_allow_fold(client, key):  # noqa: F811
    client.operate(key, [ops.hll_add("small", B[:100], 8)])
    small = client.get(key).bins["small"]
    assert _code(client, key, [ops.hll_set_union("a", [small])]) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert _code(client, key, [ops.hll_set_union("amh", [client.get(key).bins["b"]])]) \
        == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    client.operate(key, [ops.hll_set_union("a", [small], policy={"flags": asc.AS_HLL_WRITE_ALLOW_FOLD})])
    assert client.operate(key, [ops.hll_describe("a")]).bins["a"] == [8, 0]


def test_refresh_count_and_fold(client, key):  # noqa: F811
    bins = client.operate(key, [ops.hll_refresh_count("a"), ops.hll_refresh_count("b")]).bins
    assert _close(bins["a"], len(A), 12) and _close(bins["b"], len(B), 12)
    client.operate(key, [ops.hll_fold("a", 8)])
    assert client.operate(key, [ops.hll_describe("a")]).bins["a"] == [8, 0]
    assert _close(client.operate(key, [ops.hll_get_count("a")]).bins["a"], len(A), 8)
    assert _code(client, key, [ops.hll_fold("a", 10)]) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert _code(client, key, [ops.hll_fold("amh", 8)]) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert _code(client, key, [ops.hll_fold("absent", 8)]) == asc.AEROSPIKE_ERR_BIN_NOT_FOUND
    assert _code(client, key, [ops.hll_refresh_count("absent")]) == asc.AEROSPIKE_ERR_BIN_NOT_FOUND


def test_write_flags(client, key):  # noqa: F811
    create_only = {"flags": asc.AS_HLL_WRITE_CREATE_ONLY}
    update_only = {"flags": asc.AS_HLL_WRITE_UPDATE_ONLY}
    assert _code(client, key, [ops.hll_init("a", 10, policy=create_only)]) == asc.AEROSPIKE_ERR_BIN_EXISTS
    assert _code(client, key, [ops.hll_init("new", 10, policy=update_only)]) \
        == asc.AEROSPIKE_ERR_BIN_NOT_FOUND
    no_fail = {"flags": asc.AS_HLL_WRITE_CREATE_ONLY | asc.AS_HLL_WRITE_NO_FAIL}
    client.operate(key, [ops.hll_init("a", 10, policy=no_fail), ops.hll_add("a", ["z"], 10, policy=no_fail)])
    assert client.operate(key, [ops.hll_describe("a")]).bins["a"] == [12, 0]
    client.operate(key, [ops.hll_init("a", -1, policy=update_only)])  # init again: empty
    assert client.operate(key, [ops.hll_get_count("a"), ops.hll_describe("b")]).bins == {"a": 0, "b": [12, 0]}
    client.operate(key, [ops.hll_init_mh("b", -1, 8)])
    assert client.operate(key, [ops.hll_describe("b")]).bins["b"] == [12, 8]
    # add takes CREATE_ONLY and NO_FAIL, not UPDATE_ONLY
    assert _code(client, key, [ops.hll_add("a", ["z"], 10, policy=update_only)]) \
        == asc.AEROSPIKE_ERR_REQUEST_INVALID


@pytest.mark.parametrize("operation", [
    ops.hll_init("x", 3), ops.hll_init("x", 17), ops.hll_init_mh("x", 8, 3),
    ops.hll_init_mh("x", 8, 52), ops.hll_init_mh("x", 16, 49), ops.hll_add("x", [], 8),
    ops.hll_add("x", [[1]], 8), ops.hll_set_union("x", [b"\x00\x0c"]),
])
def test_bad_arguments_are_a_parameter_error(client, key, operation):  # noqa: F811
    assert _code(client, key, [operation]) == asc.AEROSPIKE_ERR_REQUEST_INVALID


def test_creating_needs_index_bits(client, key):  # noqa: F811
    assert _code(client, key, [ops.hll_update("x", ["a"])]) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert _code(client, key, [ops.hll_init("x", -1)]) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE


def test_other_bin_types_and_missing_bins(client, key):  # noqa: F811
    assert _code(client, key, [ops.hll_get_count("s")]) == asc.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE
    assert _code(client, key, [ops.hll_add("s", ["a"], 8)]) == asc.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE
    assert client.operate(key, [ops.hll_get_count("absent")]).bins == {"absent": None}


def test_a_context_is_refused_by_the_server(client, key):  # noqa: F811
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_list_index(ctx, 0)
    operations = asc.as_operations_init(1)
    asc.as_operations_hll_get_count(operations, "a", ctx)
    with pytest.raises(asc.AerospikeError) as caught:
        asc.aerospike_key_operate(client.aerospike, None, key, operations)
    assert caught.value.code == asc.AEROSPIKE_ERR_REQUEST_INVALID


def test_the_bindings_own_checks():
    with pytest.raises(ValueError, match="AS_HLL_WRITE_"):
        asc.as_hll_policy_set_write_flags(asc.as_hll_policy_init(), 16)
    with pytest.raises(TypeError):
        ops.hll_add("h", "not a list", 8).add_to(asc.as_operations_init(1))
    with pytest.raises(TypeError, match="ctx"):
        ops.hll_get_count("h", ctx=[("list_index", 0)])
    with pytest.raises(TypeError, match="value argument"):
        ops.hll_add("h", ["a"])
