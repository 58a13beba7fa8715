"""AS_MSG (proto type 3) message codec: fields, operations, header bits and replies.

Layout of a message (after the 8-byte proto header): a 22-byte header (header_sz, info1..4,
result_code, generation, record_ttl, transaction_ttl, n_fields, n_ops), then n_fields fields
(u32 size, u8 type, data) and n_ops operations (u32 size, u8 op, u8 particle type, u8 version,
u8 name length, name, value). Responses use the same layout.
"""

from __future__ import annotations

import struct
from typing import Any, Dict, List, Optional, Tuple

from . import particles
from .results import OK
from .store import Record

# Field types.
FIELD_NAMESPACE = 0
FIELD_SETNAME = 1
FIELD_KEY = 2
FIELD_RECORD_VERSION = 3
FIELD_DIGEST = 4
FIELD_TXN_ID = 5
FIELD_TXN_DEADLINE = 6
FIELD_TASK_ID = 7
FIELD_SOCKET_TIMEOUT = 9
FIELD_RPS = 10
FIELD_PID_ARRAY = 11
FIELD_DIGEST_ARRAY = 12
FIELD_MAX_RECORDS = 13
FIELD_BVAL_ARRAY = 15
FIELD_INDEX_NAME = 21
FIELD_INDEX_RANGE = 22
FIELD_INDEX_CONTEXT = 23
FIELD_INDEX_EXPRESSION = 24
FIELD_INDEX_TYPE = 26
FIELD_UDF_PACKAGE_NAME = 30
FIELD_UDF_FUNCTION = 31
FIELD_UDF_ARGLIST = 32
FIELD_UDF_OP = 33
FIELD_QUERY_BINS = 40
FIELD_BATCH_INDEX = 41
FIELD_FILTER = 43

# Header bits.
INFO1_READ = 1 << 0
INFO1_GET_ALL = 1 << 1
INFO1_SHORT_QUERY = 1 << 2
INFO1_BATCH_INDEX = 1 << 3
INFO1_GET_NOBINDATA = 1 << 5
INFO2_WRITE = 1 << 0
INFO2_DELETE = 1 << 1
INFO2_GENERATION = 1 << 2
INFO2_GENERATION_GT = 1 << 3
INFO2_DURABLE_DELETE = 1 << 4
INFO2_CREATE_ONLY = 1 << 5
INFO2_RESPOND_ALL_OPS = 1 << 7
INFO3_LAST = 1 << 0
INFO3_PARTITION_DONE = 1 << 2
INFO3_UPDATE_ONLY = 1 << 3
INFO3_CREATE_OR_REPLACE = 1 << 4
INFO3_REPLACE_ONLY = 1 << 5
INFO4_TXN_VERIFY_READ = 1 << 0
INFO4_TXN_ROLL_FORWARD = 1 << 1
INFO4_TXN_ROLL_BACK = 1 << 2
INFO4_TXN_ON_LOCKING_ONLY = 1 << 4

# Operation types on the wire.
OP_READ = 1
OP_WRITE = 2
OP_CDT_READ = 3
OP_CDT_MODIFY = 4
OP_INCR = 5
OP_EXP_READ = 7
OP_EXP_MODIFY = 8
OP_APPEND = 9
OP_PREPEND = 10
OP_TOUCH = 11
OP_BIT_READ = 12
OP_BIT_MODIFY = 13
OP_DELETE = 14
OP_HLL_READ = 15
OP_HLL_MODIFY = 16
OP_STRING_READ = 17
OP_STRING_MODIFY = 18
OP_TO_STRING = 19
UNSUPPORTED_OPS = frozenset({OP_STRING_READ, OP_STRING_MODIFY, OP_TO_STRING})
READ_OPS = frozenset({OP_READ, OP_CDT_READ, OP_EXP_READ, OP_BIT_READ, OP_HLL_READ})
#: String operations (server 8.2, strings.py); scans and queries do not take them.
STRING_OPS = frozenset({OP_STRING_READ, OP_STRING_MODIFY, OP_TO_STRING})
#: The operations that change a record.
WRITE_OPS = frozenset({OP_WRITE, OP_CDT_MODIFY, OP_BIT_MODIFY, OP_HLL_MODIFY, OP_INCR, OP_APPEND,
                       OP_PREPEND, OP_TOUCH, OP_DELETE, OP_EXP_MODIFY})
#: The operations that change a bin through a packed operation (CDT, bit, HLL): on a record
#: that does not exist they create it only when they leave a bin.
PACKED_MODIFY_OPS = frozenset({OP_CDT_MODIFY, OP_BIT_MODIFY, OP_HLL_MODIFY})


CHUNK_SIZE = 128 * 1024  # bytes of reply messages sent in one frame

HEADER = struct.Struct(">BBBBBBIIIHH")
_FIELD_HEADER = struct.Struct(">IB")
_OP_HEADER = struct.Struct(">IBBBB")


class MessageError(ValueError):
    """Malformed request bytes."""


class Op:
    """One operation of a request."""

    __slots__ = ("op", "ptype", "name", "data")

    def __init__(self, op: int, ptype: int, name: bytes, data: bytes) -> None:
        self.op = op
        self.ptype = ptype
        self.name = name
        self.data = data


class Message:
    """A parsed AS_MSG request (or one batch row)."""

    __slots__ = ("info1", "info2", "info3", "info4", "generation", "record_ttl",
                 "transaction_ttl", "fields", "ops")

    def __init__(self, info1: int = 0, info2: int = 0, info3: int = 0, info4: int = 0,
                 generation: int = 0, record_ttl: int = 0, transaction_ttl: int = 0,
                 fields: Optional[Dict[int, bytes]] = None, ops: Optional[List[Op]] = None
                 ) -> None:
        self.info1 = info1
        self.info2 = info2
        self.info3 = info3
        self.info4 = info4
        self.generation = generation
        self.record_ttl = record_ttl
        self.transaction_ttl = transaction_ttl
        self.fields: Dict[int, bytes] = fields if fields is not None else {}
        self.ops: List[Op] = ops if ops is not None else []


class Reply:
    """Outcome of one record command."""

    __slots__ = ("code", "generation", "void_time", "bins", "n_bins", "fields", "n_fields")

    def __init__(self, code: int, generation: int = 0, void_time: int = 0, bins: bytes = b"",
                 n_bins: int = 0, fields: bytes = b"", n_fields: int = 0) -> None:
        self.code = code
        self.generation = generation
        self.void_time = void_time
        self.bins = bins
        self.n_bins = n_bins
        self.fields = fields
        self.n_fields = n_fields


# ---------------------------------------------------------------------------
# Parsing and encoding
# ---------------------------------------------------------------------------

def parse_fields(buf: bytes, pos: int, count: int) -> Tuple[Dict[int, bytes], int]:
    """Parse `count` fields starting at `pos`; returns them and the position after."""
    fields: Dict[int, bytes] = {}
    end = len(buf)
    for _ in range(count):
        if pos + 5 > end:
            raise MessageError("truncated field header")
        size, ftype = _FIELD_HEADER.unpack_from(buf, pos)
        if size < 1 or pos + 4 + size > end:
            raise MessageError("bad field size")
        fields[ftype] = buf[pos + 5:pos + 4 + size]
        pos += 4 + size
    return fields, pos


def parse_ops(buf: bytes, pos: int, count: int) -> Tuple[List[Op], int]:
    """Parse `count` operations starting at `pos`; returns them and the position after."""
    ops: List[Op] = []
    end = len(buf)
    for _ in range(count):
        if pos + 8 > end:
            raise MessageError("truncated operation header")
        size, op, ptype, _version, name_len = _OP_HEADER.unpack_from(buf, pos)
        if size < 4 + name_len or pos + 4 + size > end:
            raise MessageError("bad operation size")
        name = buf[pos + 8:pos + 8 + name_len]
        ops.append(Op(op, ptype, name, buf[pos + 8 + name_len:pos + 4 + size]))
        pos += 4 + size
    return ops, pos


def parse_message(buf: bytes) -> Message:
    """Parse one AS_MSG request payload."""
    if len(buf) < 22:
        raise MessageError("message shorter than its header")
    (header_sz, info1, info2, info3, info4, _result, generation, record_ttl, transaction_ttl,
     n_fields, n_ops) = HEADER.unpack_from(buf, 0)
    if header_sz < 22 or header_sz > len(buf):
        raise MessageError("bad header size")
    fields, pos = parse_fields(buf, header_sz, n_fields)
    ops, pos = parse_ops(buf, pos, n_ops)
    return Message(info1, info2, info3, info4, generation, record_ttl, transaction_ttl, fields,
                   ops)


def encode_field(ftype: int, data: bytes) -> bytes:
    """One message field."""
    return _FIELD_HEADER.pack(len(data) + 1, ftype) + data


def encode_bin(name: bytes, ptype: int, data: bytes) -> bytes:
    """One bin in response form."""
    return _OP_HEADER.pack(4 + len(name) + len(data), OP_READ, ptype, 0, len(name)) + name + data


def encode_value_bin(name: bytes, value: Any) -> bytes:
    """A bin holding a Python value (operation results)."""
    ptype, data = particles.encode_particle(value)
    return encode_bin(name, ptype, data)


def response(code: int = OK, generation: int = 0, void_time: int = 0, *, info3: int = 0,
             index: int = 0, fields: bytes = b"", n_fields: int = 0, bins: bytes = b"",
             n_bins: int = 0) -> bytes:
    """One response message."""
    return HEADER.pack(22, 0, 0, info3, 0, code, generation, void_time, index, n_fields,
                       n_bins) + fields + bins


def encode_reply(reply: Reply, index: int = 0) -> bytes:
    """A Reply as a response message."""
    return response(reply.code, reply.generation, reply.void_time, index=index,
                    fields=reply.fields, n_fields=reply.n_fields, bins=reply.bins,
                    n_bins=reply.n_bins)


def last_message(code: int = OK) -> bytes:
    """The message that ends a multi-message reply."""
    return response(code, info3=INFO3_LAST)


def signed32(value: int) -> int:
    """A u32 header field read as the signed value the client meant (TTL -1, -2)."""
    return value - (1 << 32) if value & 0x80000000 else value


def all_bins(record: Record) -> bytes:
    """Every bin of a record in response form (cached on the record)."""
    encoded = record.encoded_bins
    if encoded is None:
        encoded = b"".join(encode_bin(name, ptype, data)
                           for name, (ptype, data) in record.bins.items())
        record.encoded_bins = encoded
    return encoded
