"""CDT requests no client API sends, over a socket to the cluster's first node (valid against a
real one-node server too): pre-serialized ordered lists/maps that are out of order are rejected
and in-order ones stored compacted (the C client's list_persist_index and map_self_correct
cases), and a negative list_trim count counts to the end (a server reads counts unsigned)."""

from __future__ import annotations

import socket
import time
import uuid
from typing import Iterator, List, Tuple

import pytest

from aerospike_c.testing.server.wire import TYPE_MESSAGE, frame, read_frame
from records_wire import CDT_MODIFY, P_LIST, P_MAP, WRITE, Response, cdt_op, get, op, operate, put


class WireStore:
    """Sends each message to one node and yields its reply payload (single-record commands)."""

    def __init__(self, address: Tuple[str, int]) -> None:
        self.address = address

    def handle_message(self, payload: bytes, node: object, access: object = None) -> Iterator[bytes]:
        with socket.create_connection(self.address, timeout=10) as sock:
            sock.sendall(frame(TYPE_MESSAGE, payload))
            deadline = time.monotonic() + 10
            _, reply = read_frame(sock, lambda: time.monotonic() > deadline)
        yield reply


@pytest.fixture
def server(aerospike_hosts: List[Tuple[str, int]]) -> WireStore:
    return WireStore(aerospike_hosts[0])


@pytest.fixture
def set_name() -> str:
    return f"t_{uuid.uuid4().hex[:16]}"


def write_raw(server: WireStore, set_name: str, ptype: int, data: bytes) -> Response:
    return operate(server, "raw", [op(WRITE, "b", ptype, data)], set_name=set_name)


ORDERED_EXT = b"\xc7\x00\x01"  # ext type 0, flags 1: ordered list / key-ordered map


def test_an_out_of_order_ordered_list_is_rejected(server: WireStore, set_name: str) -> None:
    assert write_raw(server, set_name, P_LIST, b"\x96" + ORDERED_EXT + bytes([5, 4, 3, 2, 1])).code != 0
    assert get(server, "raw", set_name=set_name).code == 2
    assert write_raw(server, set_name, P_LIST, b"\x96" + ORDERED_EXT + bytes([1, 2, 2, 3, 4])).code == 0
    assert get(server, "raw", set_name=set_name).bin_values() == {"b": [1, 2, 2, 3, 4]}


def test_an_out_of_order_ordered_map_is_rejected(server: WireStore, set_name: str) -> None:
    pairs = b"".join(bytes([5 - i, i]) for i in range(5))
    assert write_raw(server, set_name, P_MAP, b"\x86" + ORDERED_EXT + b"\xc0" + pairs).code != 0
    assert get(server, "raw", set_name=set_name).code == 2


def test_an_ordered_map_is_stored_compacted(server: WireStore, set_name: str) -> None:
    overpacked = b"\x00\xcf" + bytes(8)  # key 0, value 0 packed as a 9-byte uint64
    pairs = overpacked + b"".join(bytes([i, i]) for i in range(1, 5))
    assert write_raw(server, set_name, P_MAP, b"\x86" + ORDERED_EXT + b"\xc0" + pairs).code == 0
    (_, ptype, data), = get(server, "raw", set_name=set_name).bins
    assert ptype == P_MAP and len(data) == 15
    # An offset index in the ext is dropped too.
    index_ext = b"\xc7\x0a\x01" + bytes(range(55, 65))
    pairs = b"".join(bytes([i, i]) for i in range(5))
    assert write_raw(server, set_name, P_MAP, b"\x86" + index_ext + b"\xc0" + pairs).code == 0
    (_, ptype, data), = get(server, "raw", set_name=set_name).bins
    assert len(data) == 15


def test_a_negative_trim_count_counts_to_the_end(server: WireStore, set_name: str) -> None:
    assert put(server, "raw", {"l": [1, 2, 3, 4]}, set_name=set_name).code == 0
    resp = operate(server, "raw", [cdt_op(CDT_MODIFY, "l", 10, 1, -1)], set_name=set_name)
    assert resp.code == 0
    assert get(server, "raw", set_name=set_name).bin_values() == {"l": [2, 3, 4]}
