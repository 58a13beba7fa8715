"""List and map operations of the embedded store (operation bytes as the C client packs them)."""

from __future__ import annotations

import pytest

from aerospike_c.testing.server.store import Store

from records_wire import CDT_MODIFY, CDT_READ, P_LIST, P_MAP, decode, get, mp, op, operate, put

# list commands
L_SET_TYPE, L_APPEND, L_APPEND_ITEMS, L_INSERT, L_POP, L_POP_RANGE, L_REMOVE = 0, 1, 2, 3, 5, 6, 7
L_SET, L_TRIM, L_CLEAR, L_INCREMENT, L_SORT, L_SIZE, L_GET, L_GET_RANGE = 9, 10, 11, 12, 13, 16, 17, 18
L_GET_BY_INDEX, L_GET_BY_RANK, L_GET_ALL_BY_VALUE, L_GET_BY_INDEX_RANGE = 19, 21, 22, 24
L_GET_BY_VALUE_INTERVAL, L_GET_BY_RANK_RANGE, L_GET_BY_VALUE_REL_RANK = 25, 26, 27
L_REMOVE_BY_INDEX, L_REMOVE_ALL_BY_VALUE, L_REMOVE_BY_INDEX_RANGE = 32, 35, 37
# map commands
M_SET_TYPE, M_ADD, M_PUT, M_PUT_ITEMS, M_REPLACE, M_INCREMENT, M_CLEAR = 64, 65, 67, 68, 69, 73, 75
M_REMOVE_BY_KEY, M_REMOVE_BY_KEY_INTERVAL, M_SIZE, M_GET_BY_KEY, M_GET_BY_INDEX = 76, 84, 96, 97, 98
M_GET_BY_RANK, M_GET_BY_KEY_INTERVAL, M_GET_BY_INDEX_RANGE, M_GET_BY_KEY_LIST = 100, 103, 104, 107
# return types
RT_NONE, RT_INDEX, RT_REVERSE_INDEX, RT_RANK, RT_COUNT, RT_KEY, RT_VALUE = 0, 1, 2, 3, 5, 6, 7
RT_KEY_VALUE, RT_EXISTS, RT_UNORDERED_MAP, RT_INVERTED = 8, 13, 16, 0x10000


def cdt(command: int, *args, modify: bool = False, name: str = "l", ctx=None) -> bytes:
    payload = [command, *args]
    if ctx is not None:
        payload = [0xFF, ctx, payload]
    return op(CDT_MODIFY if modify else CDT_READ, name, 4, mp(payload))


@pytest.fixture
def store() -> Store:
    s = Store()
    put(s, "k", {"l": [5, 3, 9, 3], "m": {"b": 2, "a": 1, "c": 3}, "n": 7})
    return s


def results(store: Store, *ops: bytes, write: bool = True):
    resp = operate(store, "k", list(ops), write=write)
    assert resp.code == 0, resp.code
    return [decode(ptype, data) for _, ptype, data in resp.bins]


def code_of(store: Store, *ops: bytes, write: bool = True) -> int:
    return operate(store, "k", list(ops), write=write).code


def test_list_reads(store: Store) -> None:
    assert results(store, cdt(L_SIZE), cdt(L_GET, -1), cdt(L_GET_RANGE, 1, 2), write=False) == [
        4, 3, [3, 9]]
    assert results(store, cdt(L_GET_BY_INDEX, RT_VALUE, 0), cdt(L_GET_BY_RANK, RT_VALUE, 0),
                   cdt(L_GET_ALL_BY_VALUE, RT_INDEX, 3), cdt(L_GET_BY_INDEX_RANGE, RT_VALUE, 1),
                   cdt(L_GET_BY_VALUE_INTERVAL, RT_COUNT, 3, 6),
                   cdt(L_GET_BY_RANK_RANGE, RT_VALUE, -2),
                   cdt(L_GET_BY_INDEX, RT_REVERSE_INDEX, 0),
                   cdt(L_GET_ALL_BY_VALUE, RT_EXISTS, 42),
                   cdt(L_GET_ALL_BY_VALUE, RT_VALUE | RT_INVERTED, 3), write=False) == [
        5, 3, [1, 3], [3, 9, 3], 3, [5, 9], 3, False, [5, 9]]


def test_list_get_out_of_range_is_op_not_applicable(store: Store) -> None:
    assert code_of(store, cdt(L_GET, 10), write=False) == 26


def test_list_modifications(store: Store) -> None:
    assert results(store, cdt(L_APPEND, 1, modify=True), cdt(L_INSERT, 0, 0, modify=True),
                   cdt(L_SET, 1, 50, modify=True), cdt(L_POP, -1, modify=True),
                   cdt(L_INCREMENT, 0, 5, modify=True), cdt(L_REMOVE, 2, modify=True)) == [
        5, 6, 1, 5, 1]
    assert get(store, "k").bin_values()["l"] == [5, 50, 9, 3]
    assert results(store, cdt(L_SORT, 0, modify=True), cdt(L_POP_RANGE, 0, 2, modify=True),
                   cdt(L_APPEND_ITEMS, [7, 8], modify=True), cdt(L_TRIM, 1, 2, modify=True)) == [
        [3, 5], 4, 2]
    assert get(store, "k").bin_values()["l"] == [50, 7]
    assert results(store, cdt(L_REMOVE_BY_INDEX, RT_VALUE, 0, modify=True),
                   cdt(L_CLEAR, modify=True), cdt(L_SIZE)) == [50, 0]


def test_list_remove_by_value_and_range(store: Store) -> None:
    assert results(store, cdt(L_REMOVE_ALL_BY_VALUE, RT_COUNT, 3, modify=True)) == [2]
    assert results(store, cdt(L_REMOVE_BY_INDEX_RANGE, RT_VALUE, 1, 5, modify=True)) == [[9]]
    assert get(store, "k").bin_values()["l"] == [5]


def test_ordered_list_and_unique_flags(store: Store) -> None:
    assert results(store, cdt(L_SET_TYPE, 1, modify=True), cdt(L_APPEND, 4, 1, 0, modify=True),
                   cdt(L_GET_RANGE, 0)) == [5, [3, 3, 4, 5, 9]]
    assert code_of(store, cdt(L_INSERT, 0, 1, modify=True)) == 26
    assert code_of(store, cdt(L_APPEND, 9, 1, 1, modify=True)) == 24  # add-unique
    assert code_of(store, cdt(L_APPEND, 9, 1, 1 | 4, modify=True)) == 0  # ... no-fail
    assert get(store, "k").bin_values()["l"] == [3, 3, 4, 5, 9]


def test_list_op_creates_missing_bin_and_type_errors(store: Store) -> None:
    assert results(store, cdt(L_APPEND, "x", modify=True, name="new")) == [1]
    assert get(store, "k").bin_values()["new"] == ["x"]
    assert code_of(store, cdt(L_APPEND, 1, modify=True, name="n")) == 12
    assert code_of(store, cdt(M_PUT, "a", 1, modify=True, name="l")) == 12
    assert code_of(store, cdt(200, modify=True)) == 4
    assert results(store, cdt(L_SIZE, name="absent"), write=False) == [None]


def test_map_reads_use_key_order_for_indexes(store: Store) -> None:
    assert results(store, cdt(M_SIZE, name="m"), cdt(M_GET_BY_KEY, RT_VALUE, "b", name="m"),
                   cdt(M_GET_BY_INDEX, RT_KEY, 0, name="m"),
                   cdt(M_GET_BY_RANK, RT_KEY, -1, name="m"),
                   cdt(M_GET_BY_KEY_INTERVAL, RT_KEY_VALUE, "a", "c", name="m"),
                   cdt(M_GET_BY_INDEX_RANGE, RT_VALUE, 1, name="m"),
                   cdt(M_GET_BY_KEY_LIST, RT_UNORDERED_MAP, ["c", "zz"], name="m"),
                   cdt(M_GET_BY_KEY, RT_VALUE, "missing", name="m"), write=False) == [
        3, 2, "a", "c", {"a": 1, "b": 2}, [2, 3], {"c": 3}, None]


def test_map_modifications(store: Store) -> None:
    assert results(store, cdt(M_PUT, "d", 4, name="m", modify=True),
                   cdt(M_PUT_ITEMS, {"e": 5, "a": 10}, name="m", modify=True),
                   cdt(M_INCREMENT, "a", 5, name="m", modify=True),
                   cdt(M_REMOVE_BY_KEY, RT_VALUE, "b", name="m", modify=True),
                   cdt(M_REMOVE_BY_KEY_INTERVAL, RT_COUNT, "d", name="m", modify=True)) == [
        4, 5, 15, 2, 2]
    assert get(store, "k").bin_values()["m"] == {"a": 15, "c": 3}
    assert code_of(store, cdt(M_ADD, "a", 1, name="m", modify=True)) == 24
    assert code_of(store, cdt(M_REPLACE, "zz", 1, name="m", modify=True)) == 23
    assert results(store, cdt(M_CLEAR, name="m", modify=True), cdt(M_SIZE, name="m")) == [0]


def test_map_put_keeps_insertion_order_unless_key_ordered(store: Store) -> None:
    operate(store, "k", [cdt(M_PUT, "0", 0, name="m", modify=True)])
    (_, _, raw), = [b for b in get(store, "k").bins if b[0] == "m"]
    assert list(decode(P_MAP, raw)) == ["b", "a", "c", "0"]
    operate(store, "k", [cdt(M_SET_TYPE, 1, name="m", modify=True)])
    (_, _, raw), = [b for b in get(store, "k").bins if b[0] == "m"]
    assert list(decode(P_MAP, raw)) == ["0", "a", "b", "c"]
    assert raw[1:4] == b"\xc7\x00\x01"  # ext header carrying the key-ordered flag


def test_nested_context(store: Store) -> None:
    put(store, "k", {"doc": {"inner": [1, 2], "m": {"x": 1}}})
    ctx_inner = [0x22, "inner"]
    assert results(store, cdt(L_APPEND, 3, name="doc", ctx=ctx_inner, modify=True)) == [3]
    assert results(store, cdt(M_PUT, "y", 2, name="doc", ctx=[0x22, "m"], modify=True)) == [2]
    assert get(store, "k").bin_values()["doc"] == {"inner": [1, 2, 3], "m": {"x": 1, "y": 2}}
    assert results(store, cdt(L_GET, 0, name="doc", ctx=[0x22, "inner"]), write=False) == [1]
    assert code_of(store, cdt(L_GET, 0, name="doc", ctx=[0x22, "nope"]), write=False) == 26


def test_value_interval_to_infinity_and_wildcard() -> None:
    s = Store()
    put(s, "k", {"l": [[1, "a"], [2, "b"], [1, "c"]]})
    inf = b"\xd4\xff\x01"
    wildcard = b"\xd4\xff\x00"
    # [25, RT_COUNT, [2], INF] and [22, RT_INDEX, [1, *]] packed by hand: msgpack can't write 0xff ext
    interval = b"\x94\x19\x05\x91\x02" + inf
    by_value = b"\x93\x16\x01\x92\x01" + wildcard
    resp = operate(s, "k", [op(CDT_READ, "l", 4, interval), op(CDT_READ, "l", 4, by_value)],
                   write=False)
    assert resp.code == 0
    assert [decode(p, d) for _, p, d in resp.bins] == [1, [0, 2]]


def test_key_value_results_are_preserve_order_maps(store: Store) -> None:
    put(store, "k", {"m": {"a": 3, "b": 1, "c": 2}})
    resp = operate(store, "k", [cdt(106, RT_KEY_VALUE, 0, name="m"),  # rank range
                                cdt(M_GET_BY_KEY, RT_KEY_VALUE, "c", name="m")], write=False)
    (_, ptype, raw), (_, single_type, single) = resp.bins
    assert ptype == single_type == P_MAP
    assert raw[:4] == b"\x84\xc7\x00\x08"  # map header, then the preserve-order ext key
    assert list(decode(P_MAP, raw).items()) == [("b", 1), ("c", 2), ("a", 3)]
    assert single[:4] == b"\x82\xc7\x00\x08" and decode(P_MAP, single) == {"c": 2}


def test_list_particle_type_in_results(store: Store) -> None:
    resp = operate(store, "k", [cdt(L_GET_RANGE, 0, 2)], write=False)
    assert resp.bins[0][1] == P_LIST
