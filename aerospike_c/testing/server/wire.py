"""Aerospike wire framing: the 8-byte proto header, frame reading/writing and size limits.

Every Aerospike message starts with a big-endian 64-bit word: version (8 bits, always 2),
type (8 bits) and payload size (48 bits). Type 4 frames carry a zlib-compressed type-3 frame
preceded by its uncompressed size (big-endian 64-bit).
"""

from __future__ import annotations

import socket
import struct
import zlib
from typing import Callable, Tuple

PROTO_VERSION = 2

TYPE_INFO = 1
TYPE_ADMIN = 2
TYPE_MESSAGE = 3
TYPE_COMPRESSED = 4

HEADER_SIZE = 8

#: The C client refuses any frame larger than this (PROTO_SIZE_MAX); so do we.
MAX_FRAME_SIZE = 128 * 1024 * 1024

#: Largest accepted request payload per frame type. Info requests can carry a UDF module
#: (udf-put); admin requests are a few hundred bytes.
MAX_REQUEST_SIZE = {
    TYPE_INFO: 16 * 1024 * 1024,
    TYPE_ADMIN: 1024 * 1024,
    TYPE_MESSAGE: MAX_FRAME_SIZE,
    TYPE_COMPRESSED: MAX_FRAME_SIZE,
}

_SIZE_MASK = (1 << 48) - 1


class ProtocolError(Exception):
    """A request that cannot be answered; the server closes the connection."""


class ConnectionClosed(Exception):
    """The peer closed the connection (or the server is shutting it down)."""


def pack_header(frame_type: int, size: int) -> bytes:
    """Return the 8-byte proto header for a payload of `size` bytes."""
    if size < 0 or size > _SIZE_MASK:
        raise ProtocolError(f"frame size out of range: {size}")
    return struct.pack(">Q", (PROTO_VERSION << 56) | (frame_type << 48) | size)


def unpack_header(header: bytes) -> Tuple[int, int]:
    """Parse an 8-byte proto header into (type, size); reject bad versions, types and sizes."""
    if len(header) != HEADER_SIZE:
        raise ProtocolError("short proto header")
    word = struct.unpack(">Q", header)[0]
    version = word >> 56
    frame_type = (word >> 48) & 0xFF
    size = word & _SIZE_MASK
    if version != PROTO_VERSION:
        raise ProtocolError(f"invalid proto version {version}")
    limit = MAX_REQUEST_SIZE.get(frame_type)
    if limit is None:
        raise ProtocolError(f"invalid proto type {frame_type}")
    if size > limit:
        raise ProtocolError(f"proto size {size} exceeds limit {limit} for type {frame_type}")
    return frame_type, size


def frame(frame_type: int, payload: bytes) -> bytes:
    """Prefix `payload` with its proto header."""
    return pack_header(frame_type, len(payload)) + payload


def compress_message(payload: bytes) -> bytes:
    """Wrap a type-3 payload into a complete type-4 (compressed) frame."""
    inner = frame(TYPE_MESSAGE, payload)
    body = struct.pack(">Q", len(inner)) + zlib.compress(inner)
    return frame(TYPE_COMPRESSED, body)


def decompress_message(body: bytes) -> bytes:
    """Return the type-3 payload carried by a type-4 frame body; ProtocolError if invalid."""
    if len(body) < HEADER_SIZE:
        raise ProtocolError("compressed frame too short")
    expected = struct.unpack(">Q", body[:HEADER_SIZE])[0]
    if expected < HEADER_SIZE or expected > MAX_FRAME_SIZE:
        raise ProtocolError(f"invalid uncompressed size {expected}")
    decompressor = zlib.decompressobj()
    try:
        inner = decompressor.decompress(body[HEADER_SIZE:], expected + 1)
    except zlib.error as exc:
        raise ProtocolError(f"decompress failed: {exc}") from None
    if len(inner) != expected or not decompressor.eof:
        raise ProtocolError("decompressed size does not match the announced size")
    inner_type, inner_size = unpack_header(inner[:HEADER_SIZE])
    if inner_type != TYPE_MESSAGE or inner_size != expected - HEADER_SIZE:
        raise ProtocolError("compressed frame does not hold one type-3 message")
    return inner[HEADER_SIZE:]


def read_exact(sock: socket.socket, size: int, should_stop: Callable[[], bool]) -> bytes:
    """Read exactly `size` bytes from a socket that has a (short) timeout.

    Timeouts only serve to poll `should_stop`; a partial read keeps waiting for the rest.
    Raises ConnectionClosed on EOF, reset or when `should_stop()` becomes true.
    """
    chunks = []
    remaining = size
    while remaining > 0:
        if should_stop():
            raise ConnectionClosed("server is closing the connection")
        try:
            chunk = sock.recv(min(remaining, 1024 * 1024))
        except socket.timeout:
            continue
        except (OSError, ValueError) as exc:  # reset, closed, TLS errors
            raise ConnectionClosed(str(exc)) from None
        if not chunk:
            raise ConnectionClosed("peer closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket, should_stop: Callable[[], bool]) -> Tuple[int, bytes]:
    """Read one frame; return (type, payload). ProtocolError on an invalid header."""
    frame_type, size = unpack_header(read_exact(sock, HEADER_SIZE, should_stop))
    try:
        payload = read_exact(sock, size, should_stop)
    except ConnectionClosed:
        raise ProtocolError("truncated message") from None
    return frame_type, payload
