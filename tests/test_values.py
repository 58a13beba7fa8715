"""Python values <-> as_val: every supported type, exact round trips, clear errors.

The first half needs no server (conversion through the C value types only); the second
writes and reads the same values through the cluster (hypothesis, modest example counts).
"""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aerospike_c as asc
from aerospike_c.bindings.as_val import (
    GeoJSON, as_cmp_inf, as_cmp_wildcard, as_val_destroy, as_val_reserve, as_val_tostring,
    new_val, pack_value, val_from_c, val_to_c,
)
from multi_record_fixtures import NAMESPACE, client, set_name  # noqa: F401 - pytest fixtures

INT64 = st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1)
# Strings a server can store: UTF-8, so no lone surrogates (those are refused, tested below).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
SCALARS = (st.none() | st.booleans() | INT64 | st.floats(allow_nan=False) | TEXT
           | st.binary())
# C compares str map keys with strcmp: keys that differ only after a NUL are one key.
MAP_KEYS = INT64 | st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                  blacklist_characters="\x00")) | st.binary()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(MAP_KEYS, inner, max_size=5),
    max_leaves=20,
)


def c_round_trip(value):
    """The value after a trip through a C as_val (built, read back, destroyed)."""
    return val_from_c(new_val(value))


def same(a, b) -> bool:
    """Equality that also tells 1 from True and compares dict order-insensitively."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


# -- no server ------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(VALUES)
def test_every_supported_value_survives_a_c_round_trip(value):
    assert same(c_round_trip(value), value)


@pytest.mark.parametrize("value", [
    -(2 ** 63), 2 ** 63 - 1, 0.0, -0.0, math.inf, -math.inf, "", "nul\x00inside", "ünïcödé ✓",
    b"", b"\x00\xff", True, False, None, [], {},
])
def test_edge_values_keep_type_and_value(value):
    back = c_round_trip(value)
    assert type(back) is type(value) and back == value
    if isinstance(value, float) and value == 0:
        assert math.copysign(1, back) == math.copysign(1, value)


def test_nan_stays_nan():
    assert math.isnan(c_round_trip(math.nan))


def test_other_byte_buffers_and_tuples_come_back_as_bytes_and_lists():
    assert c_round_trip(bytearray(b"ab")) == b"ab"
    assert c_round_trip(memoryview(b"cd")) == b"cd"
    assert c_round_trip((1, (2, "x"))) == [1, [2, "x"]]


def test_maps_come_back_in_the_c_clients_key_order():
    back = c_round_trip({"b": 1, "a": 2, 3: 0, b"k": 4})
    assert back == {"b": 1, "a": 2, 3: 0, b"k": 4}
    assert list(back) == [3, "a", "b", b"k"]  # msgpack order: ints, then strings, then bytes


def test_a_large_map_inserted_out_of_order_is_complete_and_sorted():
    value = {i: str(i) for i in range(3000, 0, -1)}
    back = c_round_trip(value)
    assert back == value and list(back) == sorted(value)


def test_geojson_wraps_text_or_a_dict():
    point = GeoJSON({"type": "Point", "coordinates": [103.9, 1.3]})
    back = c_round_trip(point)
    assert back == point and back.to_dict() == {"type": "Point", "coordinates": [103.9, 1.3]}
    assert GeoJSON('{"type":"Point","coordinates":[0,0]}').value.startswith('{"type"')
    with pytest.raises(TypeError):
        GeoJSON(3)


def test_wildcard_and_infinity_are_the_c_values():
    assert c_round_trip(as_cmp_wildcard) is as_cmp_wildcard
    assert c_round_trip(as_cmp_inf) is as_cmp_inf
    assert as_val_tostring(new_val([as_cmp_wildcard, as_cmp_inf])) == "[*, INF]"


def test_tostring_is_the_c_clients_text():
    assert as_val_tostring(new_val({"a": [1, None, True]})) == '{"a":[1, NIL, true]}'


def test_int_outside_int64_is_an_overflow_error_naming_where():
    for value in (2 ** 63, -(2 ** 63) - 1):
        with pytest.raises(OverflowError, match="bin 'n'"):
            val_to_c(value, "bin 'n'")
    with pytest.raises(OverflowError, match="bin 'n'"):
        val_to_c([1, {"k": 2 ** 64}], "bin 'n'")


@pytest.mark.parametrize("value", [{1, 2}, object(), 1j, [1, frozenset()], {"k": {3.5: 1}}])
def test_values_that_cannot_be_sent_are_type_errors_naming_where(value):
    with pytest.raises(TypeError, match="bin 'b'"):
        val_to_c(value, "bin 'b'")


@pytest.mark.parametrize("key", [1.5, True, (1, 2), None])
def test_map_keys_must_be_int_str_or_bytes(key):
    with pytest.raises(TypeError, match="map key"):
        val_to_c({key: 1}, "bin 'm'")


def test_reference_counting_follows_c():
    val = new_val([1, 2])
    assert as_val_reserve(val) == val  # the same value, one more reference
    as_val_destroy(val)                   # back to one reference: still readable
    assert val_from_c(val) == [1, 2]
    with pytest.raises(TypeError):
        as_val_destroy([1, 2])


# -- through the cluster --------------------------------------------------------------------------
# The C client reads strings nested in lists and maps with strndup (as_msgpack.c): text after
# a NUL would be lost there (a string bin keeps it), so such values are refused at write (the
# tests below). Nested strings here hold no NUL.
def without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


WIRE_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner.map(without_nul), max_size=5)
    | st.dictionaries(INT64 | TEXT.map(without_nul) | st.binary(), inner.map(without_nul),
                      max_size=5),
    max_leaves=20,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=WIRE_VALUES.filter(lambda v: v is not None))
def test_values_round_trip_through_the_cluster(client, set_name, value):  # noqa: F811
    key = (NAMESPACE, set_name, "round-trip")
    client.put(key, {"v": value})
    assert same(client.get(key).bins["v"], value)


@pytest.mark.parametrize("value", [
    2 ** 63 - 1, -(2 ** 63), math.inf, "nul\x00inside", b"\x00", True, False,
    GeoJSON({"type": "Point", "coordinates": [1.5, -2.25]}),
    {"nested": [{"deep": [1, 2.5, "x", b"y", None, True]}]},
])
def test_edge_values_round_trip_through_the_cluster(client, set_name, value):  # noqa: F811
    key = (NAMESPACE, set_name, 1)
    client.put(key, {"v": value})
    back = client.get(key).bins["v"]
    assert type(back) is type(value) and back == value


@pytest.mark.parametrize("bins", [{"nested": ["a\x00b"]}, {"nested": {"k": "a\x00b"}},
                                  {"nested": {"a\x00b": 1}}, {"nested": [[1, ("x\x00",)]]}])
def test_a_nul_in_a_nested_str_is_refused_at_write_as_the_c_client_cannot_read_it_back(
        client, set_name, bins):  # noqa: F811
    # The C client reads strings nested in lists and maps with strndup: text after a NUL
    # would come back lost, so such a value is refused before anything is sent.
    key = (NAMESPACE, set_name, "nul")
    client.put(key, {"top": "a\x00b"})  # a str bin keeps its NUL
    assert client.get(key).bins == {"top": "a\x00b"}
    with pytest.raises(ValueError, match="bin 'nested'.*NUL"):
        client.put(key, bins)
    with pytest.raises(ValueError, match="NUL"):
        client.operate(key, [asc.ops.write("nested", bins["nested"])])
    assert client.get(key).bins == {"top": "a\x00b"}


def test_a_nul_in_a_str_a_cdt_operation_stores_is_refused(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "nul_cdt")
    client.put(key, {"l": [1]})
    ops = asc.as_operations_init(1)
    with pytest.raises(ValueError, match="NUL"):
        asc.as_operations_list_append(ops, "l", None, None, "a\x00b")
    assert client.get(key).bins == {"l": [1]}


def test_a_none_bin_value_deletes_the_bin(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, 2)
    client.put(key, {"a": 1, "b": 2})
    client.put(key, {"b": None})
    assert client.get(key).bins == {"a": 1}


def test_unsendable_bin_values_fail_before_anything_is_written(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, 3)
    with pytest.raises(TypeError, match="bin 'bad'"):
        client.put(key, {"good": 1, "bad": {1, 2}})
    with pytest.raises(OverflowError, match="bin 'big'"):
        client.put(key, {"big": 2 ** 70})
    assert client.exists(key) is None


def test_bin_names_longer_than_15_bytes_are_refused(client, set_name):  # noqa: F811
    with pytest.raises(asc.ParamError, match="longer than 15"):
        client.put((NAMESPACE, set_name, 4), {"b" * 16: 1})


# -- the C msgpack reader takes any bytes without harm --------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64) | VALUES.map(lambda v: pack_value(v, "v")).flatmap(
    lambda data: st.integers(0, len(data)).map(lambda cut: data[:cut])))
def test_the_c_reader_refuses_malformed_msgpack_without_harm(data):
    from aerospike_c._aerospike import ffi, lib
    val = lib.asc_val_from_msgpack(data, len(data))
    if val != ffi.NULL:
        val_from_c(val)  # a complete value: readable
        as_val_destroy(val)


@pytest.mark.parametrize("value", ["\ud800", ["ok", "\udfff"], {"\ud800": 1}])
def test_strings_that_are_not_utf8_encodable_raise_value_error_naming_the_bin(value):
    with pytest.raises(ValueError, match="lone_bin"):
        pack_value(value, "bin 'lone_bin'")
