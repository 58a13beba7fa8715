"""Record-command rules of an Aerospike 8.x server, checked with hand-built AS_MSG sent to the
cluster's seed over TCP: the embedded cluster, or the real one AEROSPIKE_HOSTS names. Each test
states what a server answers; the embedded cluster must answer the same."""

from __future__ import annotations

import time
import uuid
from typing import List, Sequence, Tuple

import msgpack
import pytest

from cluster_helpers import discover
from records_wire import (
    FILTER, I1_GET_ALL, I1_READ, I2_RESPOND_ALL, I2_WRITE, P_GEO, READ, Response, WRITE, f,
    key_fields, message, mp, op, scan_message, send, write_op)

NS = "test"


@pytest.fixture
def node(aerospike_hosts: List[Tuple[str, int]]) -> Tuple[str, int]:
    return aerospike_hosts[0]


@pytest.fixture
def set_name() -> str:
    return f"rules_{uuid.uuid4().hex[:12]}"


def write(node: Tuple[str, int], set_name: str, key: object, ops: Sequence[bytes],
          ttl: int = 0) -> Response:
    reply, = send(node, message(info2=I2_WRITE, ttl=ttl, fields=key_fields(NS, set_name, key),
                                ops=ops))
    return reply


def read(node: Tuple[str, int], set_name: str, key: object, ops: Sequence[bytes] = (),
         info1: int = I1_READ | I1_GET_ALL, ttl: int = 0) -> Response:
    reply, = send(node, message(info1=info1, ttl=ttl, fields=key_fields(NS, set_name, key),
                                ops=ops))
    return reply


def geo(text: str) -> bytes:
    """A GeoJSON write as the C client sends it: flags, cell count 0, the JSON text."""
    return op(WRITE, "g", P_GEO, b"\x00\x00\x00" + text.encode())


# -- names -----------------------------------------------------------------------------------
def test_an_empty_bin_name_is_a_bin_like_any_other(node, set_name):
    assert write(node, set_name, "k", [write_op("", 19)]).code == 0
    assert read(node, set_name, "k").bin_values() == {"": 19}


def test_bin_names_longer_than_15_bytes_are_bin_name_errors(node, set_name):
    assert write(node, set_name, "k", [write_op("b" * 16, 1)]).code == 21
    assert write(node, set_name, "k", [write_op("b" * 15, 1)]).code == 0


def test_set_names_longer_than_63_bytes_are_parameter_errors(node):
    assert write(node, "s" * 64, "k", [write_op("a", 1)]).code == 4
    assert write(node, "s" * 63, "k", [write_op("a", 1)]).code == 0


# -- commands without operations -------------------------------------------------------------
def test_a_read_naming_no_bins_is_a_parameter_error(node, set_name):
    """Without GET_ALL a read must name its bins (select with an empty list)."""
    write(node, set_name, "k", [write_op("a", 1)])
    assert read(node, set_name, "k", info1=I1_READ).code == 4
    assert read(node, set_name, "k", [op(READ, "a")], info1=I1_READ).bin_values() == {"a": 1}
    assert read(node, set_name, "missing", info1=I1_READ).code == 2


def test_a_write_without_operations_is_a_parameter_error(node, set_name):
    assert write(node, set_name, "k", []).code == 4
    assert read(node, set_name, "k").code == 2


# -- GeoJSON ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    '{ "type": "point", "coordinates": [0.0, 0.0] }',
    '{ "type": "MultiPoint", "coordinates": [ [0.0, 0.0] , [0.0, 0.0] ] }',
    '{ "type": "LineString", "coordinates": [ [100.0, 0.0], [101.0, 1.0] ] }',
    '{ "type": "Point", "coordinates": [0.0] }',
    '{ "type": "Point", "coordinates": [0.0, 91.0] }',
    '{ "type": "Point" }',
    'not json',
])
def test_invalid_geojson_is_refused_with_geo_invalid_geojson(node, set_name, text):
    assert write(node, set_name, "k", [geo(text)]).code == 160
    assert read(node, set_name, "k").code == 2


@pytest.mark.parametrize("text", [
    '{ "type": "Point", "coordinates": [-122.0, 37.5] }',
    '{ "type": "Polygon", "coordinates": [[[-122.5, 37.0], [-121.0, 37.0], [-121.0, 38.08],'
    ' [-122.5, 38.08], [-122.5, 37.0]]] }',
    '{ "type": "AeroCircle", "coordinates": [[-122.0, 37.5], 1000] }',
])
def test_valid_geojson_is_stored(node, set_name, text):
    assert write(node, set_name, "k", [geo(text)]).code == 0
    assert read(node, set_name, "k").code == 0


# -- read-touch-ttl-percent ------------------------------------------------------------------
def test_a_read_touches_the_record_when_its_remaining_ttl_is_within_the_percent(node, set_name):
    """read_touch_ttl_percent travels in the read's ttl field: the read touches the record once
    the time left is at most that percent of the last write's ttl; -1 (0xFFFFFFFF) never
    touches. A touch resets the void time to now + the last write's ttl and keeps the
    generation (read_touch_master(): no generation increment)."""
    written = write(node, set_name, "k", [write_op("a", 1)], ttl=1000)
    assert written.generation == 1
    time.sleep(1.05)  # a touch now moves the void time on by at least a second
    assert read(node, set_name, "k", ttl=1).code == 0        # 999 s left > 1% of 1000 s
    assert read(node, set_name, "k", ttl=-1).code == 0       # never
    assert read(node, set_name, "k").void_time == written.void_time
    assert read(node, set_name, "k", ttl=100).code == 0      # 999 s left <= 100% of 1000 s
    deadline = time.monotonic() + 10
    while read(node, set_name, "k").void_time == written.void_time and time.monotonic() < deadline:
        time.sleep(0.05)  # a server touches after answering the read
    touched = read(node, set_name, "k")
    assert touched.void_time > written.void_time and touched.generation == 1


# -- filter expressions ----------------------------------------------------------------------
@pytest.mark.parametrize("expression", [
    [20, 5, 5],          # add(5, 5): not a boolean
    [1, 5, 6.0],         # int == float
])
def test_an_ill_typed_filter_fails_the_scan_with_request_invalid(node, set_name, expression):
    write(node, set_name, "k", [write_op("a", 1)])
    replies = send(node, scan_message(NS, set_name, pids=range(4096),
                                      extra=[f(FILTER, mp(expression))]))
    assert replies[-1].code == 4
    assert not any(reply.bins for reply in replies)


def test_an_ill_typed_filter_fails_a_single_record_read(node, set_name):
    write(node, set_name, "k", [write_op("a", 1)])
    reply, = send(node, message(info1=I1_READ | I1_GET_ALL,
                                fields=key_fields(NS, set_name, "k") + [f(FILTER, mp([20, 5, 5]))]))
    assert reply.code == 4


@pytest.mark.parametrize("value, code", [(1, 27), (2, 0), (-3, 0)])
def test_division_of_one_operand_is_the_reciprocal(node, set_name, value, code):
    """div(x) is 1 / x (integer division): 0 for |x| > 1, so div(a) == 0 holds unless a is 1."""
    write(node, set_name, "k", [write_op("a", value)])
    expression = msgpack.packb([1, [23, [81, 2, b"a"]], 0], use_bin_type=False)
    reply, = send(node, message(info1=I1_READ | I1_GET_ALL,
                                fields=key_fields(NS, set_name, "k") + [f(FILTER, expression)]))
    assert reply.code == code


# -- scans -----------------------------------------------------------------------------------
def test_a_scan_does_not_return_records_holding_none_of_the_selected_bins(node, set_name):
    write(node, set_name, "has", [write_op("a", 1), write_op("b", 2)])
    write(node, set_name, "lacks", [write_op("b", 3)])
    records = [reply for address in discover(node).values()  # each node sends its partitions
               for reply in send(address, scan_message(NS, set_name, pids=range(4096),
                                                       ops=[op(READ, "a")]))
               if reply.fields]
    assert [reply.bin_values() for reply in records] == [{"a": 1}]


# -- a write's read operations (write_master_policies) ---------------------------------------
READ_ALL = op(READ, "")


@pytest.mark.parametrize("info1, info2, ops, code", [
    (I1_READ | I1_GET_ALL, 0, [write_op("b", 2), READ_ALL], 0),
    (I1_READ, 0, [write_op("b", 2), op(READ, "a")], 0),
    (0, 0, [write_op("b", 2), op(READ, "a")], 4),                      # read flag not set
    (I1_READ | I1_GET_ALL, I2_RESPOND_ALL, [write_op("b", 2), READ_ALL], 4),
    (I1_READ | I1_GET_ALL, 0, [write_op("b", 2), READ_ALL, READ_ALL], 4),
    (I1_READ | I1_GET_ALL, 0, [write_op("b", 2), READ_ALL, op(READ, "a")], 4),
    (I1_READ | I1_GET_ALL, 0, [write_op("b", 2)], 4),                   # get-all, no read-all
])
def test_the_read_rules_of_a_write(node, set_name, info1, info2, ops, code):
    write(node, set_name, "k", [write_op("a", 1)])
    reply, = send(node, message(info1=info1, info2=I2_WRITE | info2,
                                fields=key_fields(NS, set_name, "k"), ops=ops))
    assert reply.code == code
    assert read(node, set_name, "k").bin_values() == ({"a": 1, "b": 2} if code == 0 else {"a": 1})


def test_a_read_with_get_all_answers_every_bin_whatever_bins_it_names(node, set_name):
    write(node, set_name, "k", [write_op("a", 1), write_op("b", 2)])
    assert read(node, set_name, "k", [op(READ, "a")]).bin_values() == {"a": 1, "b": 2}
