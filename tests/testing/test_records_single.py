"""Single-record commands of the embedded store, driven with hand-built AS_MSG bytes."""

from __future__ import annotations

import struct
import time

import msgpack
import pytest

from aerospike_c.testing.server.store import NamespaceSpec, Store

from records_wire import (
    APPEND, BIT_MODIFY, CDT_MODIFY, DELETE, EXP_READ, FILTER, I1_GET_ALL, I1_NOBINDATA, I1_READ, I2_CREATE_ONLY,
    I2_DELETE, I2_GEN, I2_GEN_GT, I2_RESPOND_ALL, I2_WRITE, I3_CREATE_OR_REPLACE, I3_REPLACE_ONLY,
    I3_UPDATE_ONLY, INCR, P_BLOB, P_DOUBLE, P_GEO, P_INT, P_LIST, P_MAP, P_NIL, P_STRING,
    PREPEND, READ, STRING_MODIFY, TOUCH, digest_of, TXN_ID, UDF_FUNCTION, UDF_PACKAGE, WRITE,
    CITRUSLEAF_EPOCH, f, get, key_fields, message, mp, one, op, operate, ordered_map, put, write_op)


@pytest.fixture
def store() -> Store:
    return Store({"test": NamespaceSpec(), "short": NamespaceSpec(default_ttl=100),
                  "nonsup": NamespaceSpec(nsup_period=0)})


def test_put_then_get_returns_every_particle_type(store: Store) -> None:
    bins = {"i": -42, "d": 2.5, "s": "héllo", "b": b"\x00\xff", "t": True,
            "l": [1, "two", b"3", [4.0]], "m": {"k": 1, "z": [None]}}
    assert put(store, "k1", bins).code == 0
    resp = get(store, "k1")
    assert resp.code == 0
    assert resp.generation == 1
    assert resp.bin_values() == bins
    types = {name: ptype for name, ptype, _ in resp.bins}
    assert types == {"i": P_INT, "d": P_DOUBLE, "s": P_STRING, "b": P_BLOB, "t": 17,
                     "l": P_LIST, "m": P_MAP}


def test_bin_bytes_read_back_exactly_as_written(store: Store) -> None:
    unordered = mp({"z": 1, "a": 2, "m": 3})  # insertion order must survive
    geo = b"\x00\x00\x00" + b'{"type":"Point","coordinates":[1,2]}'
    ops = [op(WRITE, "m", P_MAP, unordered), op(WRITE, "g", P_GEO, geo),
           op(WRITE, "py", 9, b"pickled")]
    assert operate(store, 1, ops).code == 0
    stored = {name: (ptype, data) for name, ptype, data in get(store, 1).bins}
    assert stored == {"m": (P_MAP, unordered), "g": (P_GEO, geo), "py": (9, b"pickled")}


def test_ordered_map_must_come_in_order_and_keeps_its_flags(store: Store) -> None:
    # A server rejects an ordered map that is out of order (C suite: map_self_correct).
    assert operate(store, 2, [op(WRITE, "m", P_MAP, ordered_map([("b", 2), ("a", 1)]))]).code == 4
    written = ordered_map([("a", 1), ("b", 2)])
    assert operate(store, 2, [op(WRITE, "m", P_MAP, written)]).code == 0
    (_, ptype, data), = get(store, 2).bins
    assert ptype == P_MAP
    assert data == written


def test_missing_record_and_namespace(store: Store) -> None:
    assert get(store, "nope").code == 2
    assert get(store, "nope", ns="nons").code == 20
    assert put(store, "x", {"a": 1}, ns="nons").code == 20


def test_select_bins_and_header_only(store: Store) -> None:
    put(store, "k", {"a": 1, "b": 2, "c": 3})
    resp = get(store, "k", bins=["a", "c", "missing"])
    assert resp.bin_values() == {"a": 1, "c": 3}
    header = one(store, message(info1=I1_READ | I1_NOBINDATA, fields=key_fields("test", "demo", "k")))
    assert (header.code, header.generation, header.bins) == (0, 1, [])


def test_generation_increments_and_checks(store: Store) -> None:
    put(store, "g", {"a": 1})
    put(store, "g", {"a": 2})
    assert get(store, "g").generation == 2
    assert put(store, "g", {"a": 3}, info2=I2_GEN, generation=1).code == 3
    assert put(store, "g", {"a": 3}, info2=I2_GEN, generation=2).code == 0
    assert put(store, "g", {"a": 4}, info2=I2_GEN_GT, generation=3).code == 3
    assert put(store, "g", {"a": 4}, info2=I2_GEN_GT, generation=9).code == 0
    assert get(store, "g").bin_values() == {"a": 4}


def test_exists_policies(store: Store) -> None:
    assert put(store, "e", {"a": 1}, info3=I3_UPDATE_ONLY).code == 2
    assert put(store, "e", {"a": 1}, info3=I3_REPLACE_ONLY).code == 2
    assert put(store, "e", {"a": 1}, info2=I2_CREATE_ONLY).code == 0
    assert put(store, "e", {"a": 1}, info2=I2_CREATE_ONLY).code == 5
    assert put(store, "e", {"b": 2}, info3=I3_UPDATE_ONLY).code == 0
    assert get(store, "e").bin_values() == {"a": 1, "b": 2}
    assert put(store, "e", {"c": 3}, info3=I3_REPLACE_ONLY).code == 0
    assert get(store, "e").bin_values() == {"c": 3}
    assert put(store, "e", {"d": 4}, info3=I3_CREATE_OR_REPLACE).code == 0
    assert get(store, "e").bin_values() == {"d": 4}


def test_delete_and_generation_checked_delete(store: Store) -> None:
    put(store, "d", {"a": 1})
    fields = key_fields("test", "demo", "d")
    assert one(store, message(info2=I2_WRITE | I2_DELETE | I2_GEN, generation=5, fields=fields)).code == 3
    assert one(store, message(info2=I2_WRITE | I2_DELETE, fields=fields)).code == 0
    assert get(store, "d").code == 2
    assert one(store, message(info2=I2_WRITE | I2_DELETE, fields=fields)).code == 2


def test_writing_nil_removes_bin_and_last_bin_removes_record(store: Store) -> None:
    put(store, "n", {"a": 1, "b": 2})
    put(store, "n", {"a": None})
    assert get(store, "n").bin_values() == {"b": 2}
    put(store, "n", {"b": None})
    assert get(store, "n").code == 2


def test_ttl_void_time_and_expiry(store: Store) -> None:
    now = int(time.time()) - CITRUSLEAF_EPOCH
    put(store, "t", {"a": 1}, ttl=100)
    assert now + 99 <= get(store, "t").void_time <= now + 101
    put(store, "t", {"a": 2}, ttl=-1)
    assert get(store, "t").void_time == 0
    put(store, "t", {"a": 3}, ttl=50)
    void_time = get(store, "t").void_time
    put(store, "t", {"a": 4}, ttl=-2)  # keep the current TTL
    assert get(store, "t").void_time == void_time
    put(store, "d", {"a": 1}, ns="short")  # namespace default-ttl 100
    assert now + 99 <= get(store, "d", ns="short").void_time <= now + 101
    assert put(store, "x", {"a": 1}, ttl=-7).code == 4
    assert put(store, "x", {"a": 1}, ns="nonsup", ttl=10).code == 22
    # a record whose void time has passed is gone
    record = store.namespaces["test"].get(get_digest("t"), now)
    record.void_time = now - 1
    assert get(store, "t").code == 2


def get_digest(key: object) -> bytes:
    return digest_of("demo", key)


def test_send_key_is_stored(store: Store) -> None:
    put(store, "sk", {"a": 1}, send_key=True)
    record = store.namespaces["test"].get(get_digest("sk"), 0)
    assert record.key == (P_STRING, b"sk")


def test_incr_append_prepend_and_type_errors(store: Store) -> None:
    int_op = op(INCR, "n", P_INT, struct.pack(">q", 5))
    assert operate(store, "o", [int_op, int_op]).code == 0
    assert operate(store, "o", [op(INCR, "f", P_DOUBLE, struct.pack(">d", 1.5))]).code == 0
    assert operate(store, "o", [op(APPEND, "s", P_STRING, b"mid"),
                                op(APPEND, "s", P_STRING, b"-end"),
                                op(PREPEND, "s", P_STRING, b"start-")]).code == 0
    assert get(store, "o").bin_values() == {"n": 10, "f": 1.5, "s": "start-mid-end"}
    assert operate(store, "o", [op(INCR, "s", P_INT, struct.pack(">q", 1))]).code == 12
    assert operate(store, "o", [op(APPEND, "n", P_STRING, b"x")]).code == 12
    assert operate(store, "o", [op(INCR, "n", P_DOUBLE, struct.pack(">d", 1.0))]).code == 12


def test_operate_reads_see_earlier_writes_and_respond_all_ops(store: Store) -> None:
    put(store, "r", {"a": 1})
    resp = operate(store, "r", [write_op("a", 7), op(READ, "a"), write_op("b", 8)])
    assert resp.code == 0
    assert resp.bins == [("a", P_INT, struct.pack(">q", 7))]
    resp = operate(store, "r", [write_op("a", 9), op(READ, "a")], info2=I2_RESPOND_ALL)
    assert [(name, ptype) for name, ptype, _ in resp.bins] == [("a", P_NIL), ("a", P_INT)]
    assert resp.generation == 3


def test_touch_and_delete_operations(store: Store) -> None:
    assert operate(store, "tt", [op(TOUCH, "")]).code == 2
    put(store, "tt", {"a": 1})
    assert operate(store, "tt", [op(TOUCH, "")]).code == 0
    assert get(store, "tt").generation == 2
    assert operate(store, "tt", [op(DELETE, ""), write_op("z", 1)]).code == 0
    assert get(store, "tt").bin_values() == {"z": 1}
    assert operate(store, "tt", [op(DELETE, "")]).code == 0
    assert get(store, "tt").code == 2


def test_read_all_bins_inside_operate(store: Store) -> None:
    put(store, "ra", {"a": 1, "b": "x"})
    resp = operate(store, "ra", [op(READ, "")], write=False)
    assert resp.bin_values() == {"a": 1, "b": "x"}


def test_bin_name_too_long_and_record_too_big(store: Store) -> None:
    assert put(store, "bn", {"a" * 16: 1}).code == 21
    assert put(store, "bn", {"a" * 15: 1}).code == 0
    assert put(store, "big", {"a": b"x" * (1024 * 1024 + 1)}).code == 13
    assert get(store, "big").code == 2


def test_invalid_particles_are_parameter_errors(store: Store) -> None:
    assert operate(store, "p", [op(WRITE, "a", P_DOUBLE, b"\x01")]).code == 4
    assert operate(store, "p", [op(WRITE, "a", P_LIST, b"\xc1")]).code == 4
    assert operate(store, "p", [op(WRITE, "a", 99, b"x")]).code == 4


def test_unsupported_features_answer_their_codes(store: Store) -> None:
    put(store, "u", {"a": 1})
    assert operate(store, "u", [op(EXP_READ, "x", P_BLOB, b"\x90")], write=False).code == 4
    assert operate(store, "u", [op(STRING_MODIFY, "a", P_STRING, b"\x90")]).code == 4  # 8.1 knows no string operation
    assert operate(store, "u", [op(BIT_MODIFY, "a", P_BLOB, b"\x90")]).code == 4  # no command
    assert operate(store, "u", [op(99, "a")]).code == 4
    fields = key_fields("test", "demo", "u")
    call_expression = msgpack.packb([1, [127, 2, 3, [51, 0, 8], [81, 3, b"b"]], 1],
                                    use_bin_type=False)  # a string call inside a filter
    assert one(store, message(info1=I1_READ | I1_GET_ALL,  # 8.1 knows no string call
                              fields=fields + [f(FILTER, call_expression)])).code == 4
    map_keys_in = msgpack.packb([1, [101, [126, [1]], [81, 5, b"m"]], True], use_bin_type=False)
    assert one(store, message(info1=I1_READ | I1_GET_ALL,  # (8.2) not evaluated here
                              fields=fields + [f(FILTER, map_keys_in)])).code == 16
    assert one(store, message(info1=I1_READ | I1_GET_ALL,
                              fields=fields + [f(TXN_ID, b"\x01" * 8)])).code == 16
    udf = one(store, message(info2=I2_WRITE, fields=fields + [
        f(UDF_PACKAGE, b"mod"), f(UDF_FUNCTION, b"fn"), f(32, mp([]))]))
    assert udf.code == 100
    assert udf.bins[0][0] == "FAILURE"


def test_user_key_field_is_typed(store: Store) -> None:
    put(store, 77, {"a": 1}, send_key=True)
    record = store.namespaces["test"].get(get_digest(77), 0)
    assert record.key == (P_INT, struct.pack(">q", 77))


def expression(tree: object) -> bytes:
    """A packed filter expression; names are raw strings, string literals carry type 3."""
    return msgpack.packb(tree, use_bin_type=False)


def test_filter_expressions_on_single_records(store: Store) -> None:
    put(store, "fx", {"i": 15, "s": "abc"})
    fields = key_fields("test", "demo", "fx")
    between = expression([16, [4, [81, 2, b"i"], 10], [5, [81, 2, b"i"], 20]])
    outside = expression([3, [81, 2, b"i"], 20])
    by_string = expression([1, [81, 3, b"s"], b"\x03abc"])
    missing_bin = expression([1, [81, 2, b"nope"], 1])
    for tree, code in ((between, 0), (outside, 27), (by_string, 0), (missing_bin, 27)):
        resp = one(store, message(info1=I1_READ | I1_GET_ALL, fields=fields + [f(FILTER, tree)]))
        assert resp.code == code
    write = message(info2=I2_WRITE, fields=fields + [f(FILTER, outside)], ops=[write_op("i", 1)])
    assert one(store, write).code == 27
    assert get(store, "fx").bin_values()["i"] == 15
    assert one(store, message(info1=I1_READ | I1_GET_ALL,
                              fields=fields + [f(FILTER, b"\xc1")])).code == 4


def test_a_catastrophic_regex_is_cut_off_instead_of_freezing_the_node(store: Store) -> None:
    """`^(a+)+$` against 34 a's and a "!" backtracks for hours in Python's re, which holds the
    GIL meanwhile: one such filter or 8.2 string regex froze every connection of the cluster.
    regex.py runs a pattern that is not cheap by construction in a child interpreter under a
    time limit: the command answers 9 (timeout) and the store goes on answering."""
    store.version = (8, 2, 0, 0)
    put(store, "redos", {"s": "a" * 34 + "!"})
    fields = key_fields("test", "demo", "redos")

    def filtered(pattern: bytes) -> int:
        tree = expression([7, 0, pattern, [81, 3, b"s"]])
        return one(store, message(info1=I1_READ | I1_GET_ALL,
                                  fields=fields + [f(FILTER, tree)])).code

    def regex_compare(pattern: str) -> object:
        return operate(store, "redos", [op(17, "s", P_BLOB, mp([16, pattern]))], write=False)

    assert filtered(b"^(a+)+$") == 9
    assert filtered(b"^(a+)+!$") == 0 and filtered(b"^a+!$") == 0 and filtered(b"^b") == 27
    assert regex_compare("^(a+)+$").code == 9
    compared = regex_compare("(a)(a)+!")
    assert compared.code == 0 and compared.bin_values() == {"s": True}


def test_a_filter_with_a_list_where_a_type_code_goes_answers_4(store: Store) -> None:
    """`[81, [1], "i"]` (a bin whose type is a list) raised TypeError (unhashable) inside the
    type check, which the dispatcher answered 1 (ERR_SERVER); it is a malformed request (4)."""
    put(store, "ft", {"i": 1})
    fields = key_fields("test", "demo", "ft")
    for tree in ([81, [1], b"i"], [1, [81, {2: 2}, b"i"], 1], [1, [81, 2, b"i"], 1]):
        resp = one(store, message(info1=I1_READ | I1_GET_ALL,
                                  fields=fields + [f(FILTER, expression(tree))]))
        assert resp.code == (0 if tree[0] == 1 and tree[1][1] == 2 else 4), tree


def test_values_nested_deeper_than_the_limit_are_refused_not_a_recursion_error(store: Store) -> None:
    """A 1000-deep list appended to a list bin, or a 1000-deep `not` filter, parsed (msgpack's
    own limit is deeper) and then exhausted Python's recursion packing or type-checking it:
    the dispatcher answered 1 (ERR_SERVER). Both decoders now refuse nesting past 256 (4)."""
    put(store, "deep", {"l": [1]})
    fields = key_fields("test", "demo", "deep")
    for depth, code in ((250, 0), (257, 4), (1000, 4)):
        nested = b"\x91" * depth + b"\x01"
        assert operate(store, "deep", [op(CDT_MODIFY, "l", P_BLOB, b"\x92\x01" + nested)]).code == code
        deep_not = b"\x92\x12" * depth + b"\xc3"
        resp = one(store, message(info1=I1_READ | I1_GET_ALL, fields=fields + [f(FILTER, deep_not)]))
        assert resp.code == (code if depth > 256 else (0 if depth % 2 == 0 else 27)), depth
