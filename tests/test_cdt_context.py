"""Nested CDT contexts as a server runs them: what create items make (each level as the next
item says, the last as the operation says, ordered parents kept sorted), removals through
create items that find nothing (a no-op that creates nothing), and the codes of bad contexts.
The cases follow the C client's list_basics.c (list_ctx_create*, list_create) and
map_basics.c (map_ctx_create2)."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from aerospike_c._records import ops
from multi_record_fixtures import NAMESPACE, client, set_name  # noqa: F401 - pytest fixtures

ORDERED = {"order": asc.AS_LIST_ORDERED}


@pytest.fixture
def key(client, set_name):  # noqa: F811
    return (NAMESPACE, set_name, "cdt-context")


def index_create(index, order=asc.AS_LIST_UNORDERED, pad=False):
    return ("list_index_create", index, order, pad)


def bins(client, key):  # noqa: F811
    return client.get(key).bins


def test_padded_create_makes_the_last_level_as_the_operation_says(client, key):  # noqa: F811
    client.operate(key, [ops.list_append("l", 1, ctx=[index_create(3, pad=True)], policy=ORDERED)])
    assert bins(client, key)["l"] == [None, None, None, [1]]
    # [3] was made ordered by the append's policy: a create at index 3 takes its sorted place.
    client.operate(key, [ops.list_append("l", 2, ctx=[index_create(3, pad=True)] * 2)])
    assert bins(client, key)["l"] == [None, None, None, [1, [2]]]


def test_create_levels_follow_the_next_context_item(client, key):  # noqa: F811
    client.operate(key, [ops.list_append("m", 5, ctx=[("map_key_create", "k", asc.AS_MAP_KEY_ORDERED),
                                                       index_create(0)])])
    client.operate(key, [ops.list_append("o", 10, ctx=[index_create(3, asc.AS_LIST_ORDERED)] * 2)])
    assert bins(client, key) == {"m": {"k": [[5]]}, "o": [[[10]]]}


def test_an_ordered_parent_is_sorted_again_after_a_nested_change(client, key):  # noqa: F811
    ordered = index_create(9, asc.AS_LIST_ORDERED)
    client.operate(key, [ops.list_append("l", 5, ctx=[ordered])])
    client.operate(key, [ops.list_append("l", 7, ctx=[ordered])])
    assert bins(client, key)["l"] == [[5], [7]]
    client.operate(key, [ops.list_create("l", asc.AS_LIST_ORDERED, False, ctx=[("list_index", 9)])])
    assert bins(client, key)["l"] == [[], [5], [7]]


def test_a_removal_through_create_items_that_find_nothing_is_a_no_op(client, key):  # noqa: F811
    clear = [ops.list_clear("l", ctx=[index_create(3, asc.AS_LIST_ORDERED)])]
    with pytest.raises(asc.AerospikeError):
        client.operate(key, clear)  # the record does not exist and nothing would create it
    assert client.exists(key) is None
    client.put(key, {"l": [[1]]})
    client.operate(key, clear)
    client.operate(key, [ops.list_clear("temp", ctx=[index_create(0)])])
    assert bins(client, key) == {"l": [[1]]}


def test_bad_context_codes(client, key):  # noqa: F811
    client.put(key, {"l": [["hey", [1, 2, 3]]], "m": {"a": {"b": "one"}}})
    on_int = [("list_index", 0), ("list_index", 1), ("list_index", 0)]  # ends at the int 1
    cases = [
        (ops.list_size("l", ctx=on_int), asc.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE),
        (ops.list_clear("l", ctx=on_int), asc.AEROSPIKE_ERR_REQUEST_INVALID),
        (ops.list_size("l", ctx=on_int + [("list_index", 0)]), asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE),
        (ops.map_size("m", ctx=[("map_index", 0), ("map_index", 0), ("map_index", 0)]),
         asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE),
        (ops.list_increment("l", 0, 1, ctx=[("list_index", 0)]), asc.AEROSPIKE_ERR_REQUEST_INVALID),
        (ops.map_size("m", ctx=[("map_key", "a"), ("map_key", "b")]), asc.AEROSPIKE_ERR_REQUEST_INVALID),
        (ops.map_increment("m", "b", 1, ctx=[("map_key", "a")]), asc.AEROSPIKE_ERR_REQUEST_INVALID),
        (ops.list_append("l", 1, ctx=[("list_index", 5)]), asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE),
    ]
    for operation, code in cases:
        with pytest.raises(asc.AerospikeError) as caught:
            client.operate(key, [operation])
        assert caught.value.code == code, operation
