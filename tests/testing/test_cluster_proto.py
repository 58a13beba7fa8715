"""Proto framing: header layout, per-type size limits, compressed frames."""

from __future__ import annotations

import struct
import zlib

import pytest

from aerospike_c.testing.server.wire import (
    MAX_FRAME_SIZE,
    MAX_REQUEST_SIZE,
    TYPE_ADMIN,
    TYPE_COMPRESSED,
    TYPE_INFO,
    TYPE_MESSAGE,
    ProtocolError,
    compress_message,
    decompress_message,
    frame,
    pack_header,
    unpack_header,
)


@pytest.mark.parametrize("frame_type", [TYPE_INFO, TYPE_ADMIN, TYPE_MESSAGE, TYPE_COMPRESSED])
def test_header_carries_version_type_and_size(frame_type):
    header = pack_header(frame_type, 1234)
    assert header[0] == 2 and header[1] == frame_type
    assert int.from_bytes(header[2:], "big") == 1234
    assert unpack_header(header) == (frame_type, 1234)


def test_header_with_wrong_version_is_rejected():
    header = struct.pack(">Q", (3 << 56) | (TYPE_INFO << 48) | 10)
    with pytest.raises(ProtocolError, match="version"):
        unpack_header(header)


@pytest.mark.parametrize("frame_type", [0, 5, 255])
def test_header_with_unknown_type_is_rejected(frame_type):
    with pytest.raises(ProtocolError, match="type"):
        unpack_header(pack_header(frame_type, 10))


@pytest.mark.parametrize("frame_type", [TYPE_INFO, TYPE_ADMIN, TYPE_MESSAGE])
def test_sizes_above_the_per_type_limit_are_rejected(frame_type):
    limit = MAX_REQUEST_SIZE[frame_type]
    assert unpack_header(pack_header(frame_type, limit)) == (frame_type, limit)
    with pytest.raises(ProtocolError, match="exceeds"):
        unpack_header(pack_header(frame_type, limit + 1))


def test_no_frame_may_exceed_the_clients_128_mib_cap():
    assert max(MAX_REQUEST_SIZE.values()) == MAX_FRAME_SIZE == 128 * 1024 * 1024


def test_compressed_frame_round_trip():
    payload = b"\x16" + bytes(range(200)) * 50
    framed = compress_message(payload)
    frame_type, size = unpack_header(framed[:8])
    assert frame_type == TYPE_COMPRESSED and size == len(framed) - 8
    assert int.from_bytes(framed[8:16], "big") == len(payload) + 8
    assert len(framed) < len(payload)
    assert decompress_message(framed[8:]) == payload


def _compressed_body(inner: bytes, announced=None) -> bytes:
    size = len(inner) if announced is None else announced
    return struct.pack(">Q", size) + zlib.compress(inner)


@pytest.mark.parametrize("body, reason", [
    (b"\x00" * 4, "too short"),
    (struct.pack(">Q", 100) + b"not zlib at all", "decompress"),
    (_compressed_body(frame(TYPE_MESSAGE, b"abc"), announced=999), "size"),
    (_compressed_body(frame(TYPE_INFO, b"node\n")), "type-3"),
    (_compressed_body(frame(TYPE_MESSAGE, b"abc")[:-1]), "type-3"),
    (struct.pack(">Q", MAX_FRAME_SIZE + 1) + zlib.compress(b"x"), "uncompressed size"),
])
def test_invalid_compressed_frames_are_rejected(body, reason):
    with pytest.raises(ProtocolError, match=reason):
        decompress_message(body)


def test_decompression_stops_at_the_announced_size():
    bomb = zlib.compress(b"\x00" * (64 * 1024 * 1024))
    with pytest.raises(ProtocolError):
        decompress_message(struct.pack(">Q", 1024) + bomb)
