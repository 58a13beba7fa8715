"""CDT results in the shape and order a server returns them: KEY_VALUE selections come back as a
flat [key, value, ...] list (the server sends a preserve-order map), ranks of an INVERTED
selection in rank order, a value list's ranks (and on an ordered list, everything) in the
value list's order. The cases
are the C client's own (src/test/aerospike_map/map_basics.c map_rank, map_inverted,
map_get_by_list, map_switch; src/test/aerospike_list/list_basics.c list_inverted,
list_switch_sort) and the Python client's (test/new_tests/test_nested_cdt_ctx.py)."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from aerospike_c._records import ops
from multi_record_fixtures import NAMESPACE, client, set_name  # noqa: F401 - pytest fixtures

KV = asc.AS_MAP_RETURN_KEY_VALUE
SCORES = {"Charlie": 55, "Jim": 94, "John": 81, "Harry": 82}


@pytest.fixture
def key(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "cdt-results")
    client.put(key, {"m": SCORES, "l": [4, 3, 1, 5, 2]})
    return key


def results(client, key, operations):  # noqa: F811
    return [value for _, value in client.operate_ordered(key, operations)[2]]


def test_map_key_value_selections_are_flat_lists(client, key):  # noqa: F811
    assert results(client, key, [
        ops.map_get_by_key("m", "Jim", KV),
        ops.map_get_by_key_list("m", ["Harry", "Jim"], KV),
        ops.map_get_by_key_range("m", "H", "J", KV),
        ops.map_get_by_value("m", 81, KV),
        ops.map_get_by_value_list("m", [81, 50], KV),
        ops.map_get_by_value_range("m", 90, 95, KV),
        ops.map_get_by_index("m", 0, KV),
        ops.map_get_by_index_range("m", 0, 2, KV),
        ops.map_get_by_rank("m", -1, KV),
        ops.map_get_by_rank_range("m", 0, 2, KV),
    ]) == [
        ["Jim", 94],
        ["Harry", 82, "Jim", 94],
        ["Harry", 82],
        ["John", 81],
        ["John", 81],
        ["Jim", 94],
        ["Charlie", 55],
        ["Charlie", 55, "Harry", 82],
        ["Jim", 94],
        ["Charlie", 55, "John", 81],
    ]


def test_map_removals_return_key_values_as_flat_lists(client, key):  # noqa: F811
    assert results(client, key, [
        ops.map_remove_by_key_list("m", ["Charlie", "nobody", "John"], KV),
        ops.map_size("m"),
    ]) == [["Charlie", 55, "John", 81], 2]


def test_map_returns_a_real_map_when_asked(client, key):  # noqa: F811
    value, = results(client, key, [
        ops.map_get_by_key_range("m", "H", "Jo", asc.AS_MAP_RETURN_UNORDERED_MAP)])
    assert value == {"Harry": 82, "Jim": 94}


def test_inverted_rank_results_come_in_rank_order(client, key):  # noqa: F811
    inverted = asc.AS_LIST_RETURN_INVERTED
    assert results(client, key, [
        ops.list_get_by_value_list("l", [4, 2], asc.AS_LIST_RETURN_RANK | inverted),
        ops.list_get_by_value_list("l", [4, 2], asc.AS_LIST_RETURN_INDEX | inverted),
        ops.map_get_by_value_range("m", 90, 100, asc.AS_MAP_RETURN_RANK | asc.AS_MAP_RETURN_INVERTED),
        ops.map_get_by_value_list("m", [81, 55, 94], KV | asc.AS_MAP_RETURN_INVERTED),
    ]) == [[0, 2, 4], [1, 2, 3], [0, 1, 2], ["Harry", 82]]


def test_inverted_ranks_of_an_index_selection_come_in_index_order(client, key):  # noqa: F811
    # The cases of the Python client's test_nested_cdt_ctx (remove_by_index_range and
    # remove_by_rank_range, RANK, inverted) on ["how", "are", ["you"]]: ranks 1, 0, 2.
    client.put(key, {"w": ["how", "are", ["you"]]})
    rank_inverted = asc.AS_LIST_RETURN_RANK | asc.AS_LIST_RETURN_INVERTED
    assert results(client, key, [
        ops.list_get_by_index_range("w", 2, 1, rank_inverted),
        ops.list_get_by_rank_range("w", 2, 2, rank_inverted),
    ]) == [[1, 0], [0, 1]]


def test_an_unknown_return_type_is_not_applicable(client, key):  # noqa: F811
    # (the Python client's test_nested_cdt_ctx: return type 42)
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.list_get_by_index_range("l", 1, 1, 42)])
    assert caught.value.code == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE


def test_value_list_ranks_come_in_the_value_list_order(client, key):  # noqa: F811
    # The case of the Python client's test_nested_cdt_ctx (get_by_value_list, RANK).
    client.put(key, {"u": ["numbers", [1, 2, 3]]})
    assert results(client, key, [
        ops.list_get_by_value_list("u", [[1, 2, 3], "numbers"], asc.AS_LIST_RETURN_RANK),
        ops.list_get_by_value_list("u", [[1, 2, 3], "numbers"], asc.AS_LIST_RETURN_INDEX),
    ]) == [[1, 0], [0, 1]]


def test_value_list_on_an_ordered_list_keeps_the_value_list_order(client, key):  # noqa: F811
    assert results(client, key, [
        ops.list_set_order("l", asc.AS_LIST_ORDERED),
        ops.list_get_by_value_list("l", [4, 2], asc.AS_LIST_RETURN_RANK),
        ops.list_get_by_index_range("l", -2, 2, asc.AS_LIST_RETURN_VALUE),
    ]) == [None, [3, 1], [4, 5]]
