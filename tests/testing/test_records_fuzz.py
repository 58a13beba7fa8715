"""Garbage input never crashes the store: every request gets an answer that ends the reply."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aerospike_c.testing.server import particles
from aerospike_c.testing.server.store import Store

from records_wire import (CDT_MODIFY, CDT_READ, I3_LAST, FakeNode, key_fields, message, op, parse,
                          put)

STORE = Store()
put(STORE, "fuzz", {"l": [1, 2, 3], "m": {"a": 1}, "i": 5, "s": "x"})
SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def answers(payload: bytes) -> list:
    """Parsed responses; asserts the reply is well formed."""
    responses = []
    for out in STORE.handle_message(payload, FakeNode()):
        responses.extend(parse(out))
    assert responses
    return responses


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(payload: bytes) -> None:
    answers(payload)


@SETTINGS
@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255),
       st.lists(st.tuples(st.integers(0, 60), st.binary(max_size=30)), max_size=6),
       st.binary(max_size=60))
def test_random_headers_fields_and_tail(info1: int, info2: int, info3: int, fields: list,
                                        tail: bytes) -> None:
    encoded = [struct.pack(">IB", len(data) + 1, ftype) + data for ftype, data in fields]
    header = struct.pack(">BBBBBBIIIHH", 22, info1, info2, info3, 0, 0, 0, 0, 0, len(encoded),
                         len(tail) % 4)
    responses = answers(header + b"".join(encoded) + tail)
    multi = len(responses) > 1 or responses[0].info3 & I3_LAST
    assert multi or responses[0].code in range(0, 256)


@SETTINGS
@given(st.sampled_from([CDT_READ, CDT_MODIFY]), st.binary(max_size=40))
def test_random_cdt_operation_bytes(op_type: int, data: bytes) -> None:
    msg = message(info1=1 if op_type == CDT_READ else 0, info2=0 if op_type == CDT_READ else 1,
                  fields=key_fields("test", "demo", "fuzz"), ops=[op(op_type, "l", 4, data)])
    (resp,) = answers(msg)
    assert resp.code in (0, 4, 12, 13, 16, 23, 24, 26)


values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False)
    | st.text(max_size=10) | st.binary(max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5) | st.integers(-5, 5), children, max_size=4),
    max_leaves=20)


@SETTINGS
@given(values)
def test_msgpack_round_trip(value) -> None:
    decoded = particles.unpack(particles.pack(value))
    assert particles.order_key(decoded) == particles.order_key(value)


@SETTINGS
@given(st.integers(-3, 80), st.lists(values, max_size=4))
def test_random_cdt_commands_on_lists_and_maps(command: int, args: list) -> None:
    for bin_name, base in (("l", 0), ("m", 64)):
        data = particles.pack([base + command, *args])
        msg = message(info2=1, fields=key_fields("test", "demo", "fuzz"),
                      ops=[op(CDT_MODIFY, bin_name, 4, data)])
        (resp,) = answers(msg)
        assert resp.code in (0, 4, 12, 13, 16, 23, 24, 26)
