"""AS_MSG (proto type 3) requests: parsing, record commands, batch, scan/query, background jobs.

Layout of a message (after the 8-byte proto header): a 22-byte header (header_sz, info1..4,
result_code, generation, record_ttl, transaction_ttl, n_fields, n_ops), then n_fields fields
(u32 size, u8 type, data) and n_ops operations (u32 size, u8 op, u8 particle type, u8 version,
u8 name length, name, value). Responses use the same layout.
"""

from __future__ import annotations

import math
import re
import struct
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

from . import _cdt as cdt
from . import _particles as particles
from ._store import (CITRUSLEAF_EPOCH, MAX_GENERATION, MAX_TTL, N_PARTITIONS, BinValue, Job, Namespace, NodeView,
                     Record, SecondaryIndex, Store, clock_seconds, partition_id)

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
UNSUPPORTED_OPS = frozenset({OP_EXP_READ, OP_EXP_MODIFY, OP_BIT_READ, OP_BIT_MODIFY,
                             OP_HLL_READ, OP_HLL_MODIFY, OP_STRING_READ, OP_STRING_MODIFY,
                             OP_TO_STRING})
READ_OPS = frozenset({OP_READ, OP_CDT_READ})

# Result codes.
OK = 0
ERR_SERVER = 1
ERR_NOT_FOUND = 2
ERR_GENERATION = 3
ERR_PARAMETER = 4
ERR_RECORD_EXISTS = 5
ERR_UNAVAILABLE = 11
ERR_INCOMPATIBLE_TYPE = 12
ERR_RECORD_TOO_BIG = 13
ERR_UNSUPPORTED_FEATURE = 16
ERR_NAMESPACE_NOT_FOUND = 20
ERR_BIN_NAME = 21
ERR_FORBIDDEN = 22
ERR_UDF = 100
ERR_INDEX_NOT_FOUND = 201

# Batch row flags.
BATCH_REPEAT = 0x01
BATCH_INFO = 0x02
BATCH_GEN = 0x04
BATCH_TTL = 0x08
BATCH_INFO4 = 0x10

MAX_BIN_NAME = 15
CHUNK_SIZE = 128 * 1024
UDF_UNSUPPORTED = "UDF execution is not supported by the embedded test server"

_HEADER = struct.Struct(">BBBBBBIIIHH")
_FIELD_HEADER = struct.Struct(">IB")
_OP_HEADER = struct.Struct(">IBBBB")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")


class MessageError(ValueError):
    """Malformed request bytes."""


class CommandError(Exception):
    """A command that fails with a result code."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message or f"result code {code}")
        self.code = code


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
# Wire helpers
# ---------------------------------------------------------------------------

def _parse_fields(buf: bytes, pos: int, count: int) -> Tuple[Dict[int, bytes], int]:
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


def _parse_ops(buf: bytes, pos: int, count: int) -> Tuple[List[Op], int]:
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
     n_fields, n_ops) = _HEADER.unpack_from(buf, 0)
    if header_sz < 22 or header_sz > len(buf):
        raise MessageError("bad header size")
    fields, pos = _parse_fields(buf, header_sz, n_fields)
    ops, pos = _parse_ops(buf, pos, n_ops)
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
    return _HEADER.pack(22, 0, 0, info3, 0, code, generation, void_time, index, n_fields,
                        n_bins) + fields + bins


def encode_reply(reply: Reply, index: int = 0) -> bytes:
    """A Reply as a response message."""
    return response(reply.code, reply.generation, reply.void_time, index=index,
                    fields=reply.fields, n_fields=reply.n_fields, bins=reply.bins,
                    n_bins=reply.n_bins)


def last_message(code: int = OK) -> bytes:
    """The message that ends a multi-message reply."""
    return response(code, info3=INFO3_LAST)


def _signed32(value: int) -> int:
    return value - (1 << 32) if value & 0x80000000 else value


def _all_bins(record: Record) -> bytes:
    encoded = record.encoded_bins
    if encoded is None:
        encoded = b"".join(encode_bin(name, ptype, data)
                           for name, (ptype, data) in record.bins.items())
        record.encoded_bins = encoded
    return encoded


def _namespace(store: Store, msg: Message) -> Namespace:
    raw = msg.fields.get(FIELD_NAMESPACE)
    if raw is None:
        raise CommandError(ERR_PARAMETER, "missing namespace")
    ns = store.namespaces.get(raw.decode("utf-8", "replace"))
    if ns is None:
        raise CommandError(ERR_NAMESPACE_NOT_FOUND)
    return ns


def _check_unsupported_fields(msg: Message) -> None:
    fields = msg.fields
    if FIELD_TXN_ID in fields or FIELD_RECORD_VERSION in fields:
        raise CommandError(ERR_UNSUPPORTED_FEATURE, "transactions need strong consistency")


def _udf_failure() -> Reply:
    return Reply(ERR_UDF, bins=encode_value_bin(b"FAILURE", UDF_UNSUPPORTED), n_bins=1)


# ---------------------------------------------------------------------------
# Filter expressions
# ---------------------------------------------------------------------------

ERR_FILTERED_OUT = 27
_UNKNOWN = object()  # an expression whose value cannot be known (e.g. a missing bin)
_EXP_TYPES = {0: type(None), 1: bool, 2: int, 3: str, 4: list, 5: dict, 6: bytes, 7: float,
              8: particles.GeoJSON}


def _raw_text(value: Any) -> bytes:
    """Bytes of a msgpack raw string sent without a particle-type prefix (bin names...)."""
    if isinstance(value, particles.TypedBytes):
        return bytes([value.particle_type]) + bytes(value)
    if isinstance(value, particles.GeoJSON):
        return b"\x17" + value.encode("utf-8", "surrogateescape")
    if isinstance(value, str):
        return b"\x03" + value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes):
        return b"\x04" + value
    raise CommandError(ERR_PARAMETER, "bad expression name")


class _ExpRecord:
    """What expressions may look at."""

    __slots__ = ("record", "digest", "now")

    def __init__(self, record: Record, digest: bytes, now: int) -> None:
        self.record = record
        self.digest = digest
        self.now = now


def _compare(code: int, left: Any, right: Any) -> Any:
    if left is _UNKNOWN or right is _UNKNOWN:
        return _UNKNOWN
    if code in (1, 2):
        equal = particles.values_equal(left, right) and type(left) is type(right)
        return equal if code == 1 else not equal
    if type(left) is not type(right) and not (
            isinstance(left, (int, float)) and isinstance(right, (int, float))
            and type(left) is not bool and type(right) is not bool):
        return _UNKNOWN
    a, b = particles.order_key(left), particles.order_key(right)
    return {3: a > b, 4: a >= b, 5: a < b, 6: a <= b}[code]


def _arith(code: int, args: List[Any]) -> Any:
    if any(a is _UNKNOWN for a in args):
        return _UNKNOWN
    if not args or any(type(a) not in (int, float) for a in args):
        raise CommandError(ERR_PARAMETER, "arithmetic needs numbers")
    result = args[0]
    for value in args[1:]:
        if code == 20:
            result = result + value
        elif code == 21:
            result = result - value
        elif code == 22:
            result = result * value
        elif code == 23:
            if value == 0:
                return _UNKNOWN
            result = int(result / value) if type(result) is int else result / value
        elif code == 50:
            result = min(result, value)
        elif code == 51:
            result = max(result, value)
    if code == 21 and len(args) == 1:
        result = -result
    return particles.to_int64(result) if type(result) is int else result


def _metadata(code: int, args: List[Any], ctx: _ExpRecord) -> Any:
    record = ctx.record
    if code == 64:
        modulus = args[0] if args else 0
        if type(modulus) is not int or modulus <= 0:
            raise CommandError(ERR_PARAMETER, "bad digest modulus")
        return int.from_bytes(ctx.digest[16:20], "little") % modulus
    if code in (65, 73, 74):
        return record.size() if code != 65 else 0
    if code == 66:
        return record.last_update_ns
    if code == 67:
        return max(0, (time.time_ns() - record.last_update_ns) // 1_000_000)
    if code == 68:
        return -1 if record.void_time == 0 else (record.void_time + CITRUSLEAF_EPOCH) * 10**9
    if code == 69:
        return -1 if record.void_time == 0 else max(record.void_time - ctx.now, 0)
    if code == 70:
        return record.set_name.decode("utf-8", "surrogateescape")
    if code == 71:
        return record.key is not None
    if code == 72:
        return False
    raise CommandError(ERR_UNSUPPORTED_FEATURE, f"expression {code}")


def _eval(node: Any, ctx: _ExpRecord, env: Dict[bytes, Any]) -> Any:
    if not isinstance(node, list):
        if isinstance(node, dict) or node is None or isinstance(node, (bool, int, float, str,
                                                                         bytes)):
            return node
        raise CommandError(ERR_PARAMETER, "bad expression value")
    if not node or type(node[0]) is not int:
        raise CommandError(ERR_PARAMETER, "bad expression")
    code, args = node[0], node[1:]
    if code == 126:  # quoted list literal
        return args[0] if args else particles.CdtList()
    if code == 81:  # bin
        if len(args) != 2:
            raise CommandError(ERR_PARAMETER, "bad bin expression")
        raw = ctx.record.bins.get(_raw_text(args[1]))
        if raw is None:
            return _UNKNOWN
        value = particles.decode_particle(raw[0], raw[1])
        wanted = _EXP_TYPES.get(args[0])
        return value if wanted is None or isinstance(value, wanted) else _UNKNOWN
    if code == 82:  # bin type
        raw = ctx.record.bins.get(_raw_text(args[0])) if args else None
        return 0 if raw is None else raw[0]
    if code == 80:  # stored user key
        key = ctx.record.key
        return _UNKNOWN if key is None else particles.decode_particle(key[0], key[1])
    if code == 124:  # variable
        return env.get(_raw_text(args[0]) if args else b"", _UNKNOWN)
    if code == 125:  # let
        scope = dict(env)
        for i in range(0, len(args) - 1, 2):
            scope[_raw_text(args[i])] = _eval(args[i + 1], ctx, scope)
        return _eval(args[-1], ctx, scope) if args else _UNKNOWN
    if code == 123:  # cond
        for i in range(0, len(args) - 1, 2):
            if _eval(args[i], ctx, env) is True:
                return _eval(args[i + 1], ctx, env)
        return _eval(args[-1], ctx, env) if len(args) % 2 else _UNKNOWN
    if 64 <= code <= 74:
        return _metadata(code, args, ctx)
    if code == 7:  # regex: flags, pattern, string
        text = _eval(args[2], ctx, env) if len(args) > 2 else _UNKNOWN
        if text is _UNKNOWN or not isinstance(text, str):
            return _UNKNOWN
        flags = re.IGNORECASE if args[0] & 2 else 0
        try:
            return re.search(_raw_text(args[1]).decode("utf-8", "replace"), text, flags) is not None
        except re.error:
            raise CommandError(ERR_PARAMETER, "bad regex") from None
    values = [_eval(a, ctx, env) for a in args]
    if 1 <= code <= 6 and len(values) == 2:
        return _compare(code, values[0], values[1])
    if code == 16:
        return False if False in values else (_UNKNOWN if _UNKNOWN in values else True)
    if code == 17:
        return True if True in values else (_UNKNOWN if _UNKNOWN in values else False)
    if code == 18 and len(values) == 1:
        return _UNKNOWN if values[0] is _UNKNOWN else values[0] is not True
    if code == 19:
        return _UNKNOWN if _UNKNOWN in values else sum(v is True for v in values) == 1
    if code == 9 and len(values) == 2:  # value in list
        if _UNKNOWN in values or not isinstance(values[1], list):
            return _UNKNOWN
        return any(particles.values_equal(values[0], v) for v in values[1])
    if code in (20, 21, 22, 23, 50, 51):
        return _arith(code, values)
    if code in (27, 28, 29, 30, 31) and len(values) == 1:
        value = values[0]
        if value is _UNKNOWN:
            return _UNKNOWN
        if code == 27:
            return abs(value)
        if code == 28:
            return float(math.floor(value))
        if code == 29:
            return float(math.ceil(value))
        return int(value) if code == 30 else float(value)
    raise CommandError(ERR_UNSUPPORTED_FEATURE, f"expression operation {code}")


def compile_filter(data: Optional[bytes]) -> Any:
    """Decode a filter expression field (None when absent)."""
    if data is None:
        return None
    try:
        return particles.unpack(data)
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, "bad filter expression") from None


def filter_passes(expression: Any, record: Record, digest: bytes, now: int) -> bool:
    """True when a decoded filter expression accepts the record."""
    if expression is None:
        return True
    return _eval(expression, _ExpRecord(record, digest, now), {}) is True


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

def handle_message(store: Store, payload: bytes, node: NodeView) -> Iterator[bytes]:
    """Answer one AS_MSG payload: yields response payloads."""
    try:
        msg = parse_message(payload)
    except MessageError:
        yield last_message(ERR_PARAMETER)
        return
    if FIELD_DIGEST in msg.fields and FIELD_BATCH_INDEX not in msg.fields:
        try:
            reply = _single(store, msg)
        except Exception:  # a bug must not take the connection down; answer like a server
            reply = Reply(ERR_SERVER)
        yield encode_reply(reply)
        return
    handler = _handle_batch if FIELD_BATCH_INDEX in msg.fields else _handle_scan
    try:
        yield from handler(store, msg, node)
    except Exception:
        yield last_message(ERR_SERVER)


def _single(store: Store, msg: Message) -> Reply:
    try:
        ns = _namespace(store, msg)
        digest = msg.fields[FIELD_DIGEST]
        if len(digest) != 20:
            raise CommandError(ERR_PARAMETER, "digest must be 20 bytes")
        return execute_record(store, ns, digest, msg)
    except CommandError as exc:
        return Reply(exc.code)


def execute_record(store: Store, ns: Namespace, digest: bytes, msg: Message,
                   shared_filter: Any = None) -> Reply:
    """Run one record command (single or batch row) and return its reply.

    `shared_filter` is a decoded filter expression that applies unless the command has its own
    (the batch header's filter).
    """
    try:
        _check_unsupported_fields(msg)
        expression = (compile_filter(msg.fields[FIELD_FILTER]) if FIELD_FILTER in msg.fields
                      else shared_filter)
        if FIELD_UDF_FUNCTION in msg.fields or FIELD_UDF_PACKAGE_NAME in msg.fields:
            return _udf_failure()
        with store.lock:
            now = clock_seconds()
            if expression is not None:
                record = ns.get(digest, now)
                if record is not None and not filter_passes(expression, record, digest, now):
                    raise CommandError(ERR_FILTERED_OUT)
            if msg.info2 & INFO2_WRITE:
                return _write(ns, digest, msg, now)
            if msg.info1 & INFO1_READ:
                return _read(ns, digest, msg, now)
            raise CommandError(ERR_PARAMETER, "neither read nor write")
    except (CommandError, cdt.CdtError) as exc:
        return Reply(exc.code)
    except particles.ParticleError:
        return Reply(ERR_PARAMETER)


# ---------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------

def _read(ns: Namespace, digest: bytes, msg: Message, now: int) -> Reply:
    record = ns.get(digest, now)
    if record is None:
        raise CommandError(ERR_NOT_FOUND)
    _read_touch(record, _signed32(msg.record_ttl), now)
    if msg.info1 & INFO1_GET_NOBINDATA:
        return Reply(OK, record.generation, record.void_time)
    if msg.info1 & INFO1_GET_ALL or not msg.ops:
        return Reply(OK, record.generation, record.void_time, _all_bins(record),
                     len(record.bins))
    out: List[bytes] = []
    respond_all = bool(msg.info2 & INFO2_RESPOND_ALL_OPS)
    bins = record.bins
    for op in msg.ops:
        if op.op not in READ_OPS:
            raise CommandError(ERR_UNSUPPORTED_FEATURE if op.op in UNSUPPORTED_OPS
                               else ERR_PARAMETER)
        _read_op(op, bins, out, respond_all)
    return Reply(OK, record.generation, record.void_time, b"".join(out), len(out))


def _read_touch(record: Record, percent: int, now: int) -> None:
    """Reset the TTL of a record read late in its life (read-touch-ttl-percent)."""
    if not 0 < percent <= 100 or record.void_time == 0:
        return
    original = record.void_time - (record.last_update_ns // 1_000_000_000 - CITRUSLEAF_EPOCH)
    if original <= 0:
        return
    if record.void_time - now < original * (100 - percent) / 100:
        record.void_time = now + original
        record.generation = record.generation % MAX_GENERATION + 1
        record.last_update_ns = time.time_ns()


def _read_op(op: Op, bins: Dict[bytes, BinValue], out: List[bytes], respond_all: bool) -> None:
    if op.op == OP_READ:
        if not op.name:
            out.extend(encode_bin(name, ptype, data) for name, (ptype, data) in bins.items())
            return
        value = bins.get(op.name)
        if value is not None:
            out.append(encode_bin(op.name, value[0], value[1]))
        elif respond_all:
            out.append(encode_bin(op.name, particles.NIL, b""))
        return
    _, result = cdt.operate(bins.get(op.name), op.data, modify=False)
    _append_result(op.name, result, out, respond_all)


def _append_result(name: bytes, result: Any, out: List[bytes], respond_all: bool) -> None:
    if result is cdt.NO_RESULT:
        if respond_all:
            out.append(encode_bin(name, particles.NIL, b""))
    else:
        out.append(encode_value_bin(name, result))


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------

def _void_time(ns: Namespace, ttl: int, existing: Optional[Record], now: int) -> int:
    if ttl == -2:  # keep the current TTL
        if existing is not None:
            return existing.void_time
        ttl = 0
    if ttl == -1:
        return 0
    if ttl == 0:
        ttl = ns.spec.default_ttl
        if ttl == 0:
            return 0
    if ttl < 0 or ttl > MAX_TTL:
        raise CommandError(ERR_PARAMETER, "ttl out of range")
    if ns.spec.nsup_period == 0:
        raise CommandError(ERR_FORBIDDEN, "records with a TTL need nsup")
    return now + ttl


def _check_generation(record: Record, msg: Message) -> None:
    if msg.info2 & INFO2_GENERATION and msg.generation != record.generation:
        raise CommandError(ERR_GENERATION)
    if msg.info2 & INFO2_GENERATION_GT and msg.generation <= record.generation:
        raise CommandError(ERR_GENERATION)


def _user_key(msg: Message) -> Optional[BinValue]:
    raw = msg.fields.get(FIELD_KEY)
    if not raw:
        return None
    return raw[0], raw[1:]


def _write(ns: Namespace, digest: bytes, msg: Message, now: int) -> Reply:
    record = ns.get(digest, now)
    if msg.info2 & INFO2_DELETE:
        if record is None:
            raise CommandError(ERR_NOT_FOUND)
        _check_generation(record, msg)
        ns.remove(digest)
        return Reply(OK)
    if record is not None:
        if msg.info2 & INFO2_CREATE_ONLY:
            raise CommandError(ERR_RECORD_EXISTS)
        _check_generation(record, msg)
    else:
        if msg.info3 & (INFO3_UPDATE_ONLY | INFO3_REPLACE_ONLY):
            raise CommandError(ERR_NOT_FOUND)
        if msg.ops and all(op.op in (OP_TOUCH, OP_DELETE, OP_READ, OP_CDT_READ)
                           for op in msg.ops):
            raise CommandError(ERR_NOT_FOUND)
    replace = msg.info3 & (INFO3_CREATE_OR_REPLACE | INFO3_REPLACE_ONLY)
    bins: Dict[bytes, BinValue] = {} if record is None or replace else dict(record.bins)
    out: List[bytes] = []
    respond_all = bool(msg.info2 & INFO2_RESPOND_ALL_OPS)
    for op in msg.ops:
        _write_op(op, bins, out, respond_all)
    void_time = _void_time(ns, _signed32(msg.record_ttl), record, now)
    if not bins:
        if record is not None:
            ns.remove(digest)
        return Reply(OK, 0, 0, b"".join(out), len(out))
    set_name = record.set_name if record is not None else msg.fields.get(FIELD_SETNAME, b"")
    updated = Record(set_name)
    updated.bins = bins
    updated.generation = record.generation % MAX_GENERATION + 1 if record is not None else 1
    updated.void_time = void_time
    updated.last_update_ns = time.time_ns()
    key = _user_key(msg)
    updated.key = key if key is not None else (record.key if record is not None else None)
    if updated.size() > ns.spec.max_record_size:
        raise CommandError(ERR_RECORD_TOO_BIG)
    ns.put(digest, updated)
    return Reply(OK, updated.generation, updated.void_time, b"".join(out), len(out))


def _check_bin_name(name: bytes) -> None:
    if not name or len(name) > MAX_BIN_NAME:
        raise CommandError(ERR_BIN_NAME)


def _validated_particle(ptype: int, data: bytes) -> bytes:
    if ptype == particles.INTEGER:
        if len(data) != 8:
            return particles.encode_particle(particles.decode_particle(ptype, data))[1]
        return data
    if ptype in (particles.DOUBLE, particles.BOOL, particles.GEOJSON):
        particles.decode_particle(ptype, data)
        return data
    if ptype in (particles.LIST, particles.MAP):
        return particles.normalize_cdt_particle(ptype, data)
    if ptype in particles.KNOWN_PARTICLE_TYPES:
        return data
    raise CommandError(ERR_PARAMETER, f"unknown particle type {ptype}")


def _write_op(op: Op, bins: Dict[bytes, BinValue], out: List[bytes], respond_all: bool) -> None:
    kind = op.op
    if kind in READ_OPS:
        _read_op(op, bins, out, respond_all)
        return
    if kind == OP_TOUCH:
        pass
    elif kind == OP_DELETE:
        bins.clear()
    elif kind == OP_WRITE:
        _check_bin_name(op.name)
        if op.ptype == particles.NIL:
            bins.pop(op.name, None)
        else:
            bins[op.name] = (op.ptype, _validated_particle(op.ptype, op.data))
    elif kind == OP_INCR:
        _check_bin_name(op.name)
        bins[op.name] = _increment(bins.get(op.name), op)
    elif kind in (OP_APPEND, OP_PREPEND):
        _check_bin_name(op.name)
        bins[op.name] = _concatenate(bins.get(op.name), op, kind == OP_APPEND)
    elif kind == OP_CDT_MODIFY:
        _check_bin_name(op.name)
        new_value, result = cdt.operate(bins.get(op.name), op.data, modify=True)
        if new_value is None:
            bins.pop(op.name, None)
        else:
            bins[op.name] = new_value
        _append_result(op.name, result, out, respond_all)
        return
    elif kind in UNSUPPORTED_OPS:
        raise CommandError(ERR_UNSUPPORTED_FEATURE, f"operation type {kind}")
    else:
        raise CommandError(ERR_PARAMETER, f"unknown operation type {kind}")
    if respond_all:
        out.append(encode_bin(op.name, particles.NIL, b""))


def _increment(current: Optional[BinValue], op: Op) -> BinValue:
    if op.ptype not in (particles.INTEGER, particles.DOUBLE):
        raise CommandError(ERR_INCOMPATIBLE_TYPE)
    delta = particles.decode_particle(op.ptype, op.data)
    if current is None:
        return particles.encode_particle(delta)
    if current[0] != op.ptype:
        raise CommandError(ERR_INCOMPATIBLE_TYPE)
    value = particles.decode_particle(current[0], current[1])
    if op.ptype == particles.INTEGER:
        return particles.encode_particle(particles.to_int64(value + delta))
    return particles.encode_particle(value + delta)


def _concatenate(current: Optional[BinValue], op: Op, append: bool) -> BinValue:
    if op.ptype not in (particles.STRING, particles.BLOB):
        raise CommandError(ERR_INCOMPATIBLE_TYPE)
    if current is None:
        return op.ptype, op.data
    if current[0] != op.ptype:
        raise CommandError(ERR_INCOMPATIBLE_TYPE)
    return op.ptype, (current[1] + op.data if append else op.data + current[1])


# ---------------------------------------------------------------------------
# Batch index protocol
# ---------------------------------------------------------------------------

def _parse_batch_rows(data: bytes) -> List[Tuple[int, bytes, Message]]:
    if len(data) < 5:
        raise MessageError("batch field too short")
    count = _U32.unpack_from(data, 0)[0]
    pos = 5  # count + flags byte
    rows: List[Tuple[int, bytes, Message]] = []
    previous: Optional[Message] = None
    end = len(data)
    for _ in range(count):
        if pos + 25 > end:
            raise MessageError("truncated batch row")
        index = _U32.unpack_from(data, pos)[0]
        digest = data[pos + 4:pos + 24]
        kind = data[pos + 24]
        pos += 25
        if kind == BATCH_REPEAT:
            if previous is None:
                raise MessageError("batch repeat without a previous row")
            rows.append((index, digest, previous))
            continue
        if kind == 0:  # original batch protocol: one read_attr byte
            if pos + 5 > end:
                raise MessageError("truncated batch row")
            msg = Message(info1=data[pos])
            pos += 1
        elif kind & BATCH_INFO:
            if pos + 3 > end:
                raise MessageError("truncated batch row")
            msg = Message(info1=data[pos], info2=data[pos + 1], info3=data[pos + 2])
            pos += 3
            if kind & BATCH_INFO4:
                msg.info4 = data[pos] if pos < end else 0
                pos += 1
            if kind & BATCH_GEN:
                if pos + 2 > end:
                    raise MessageError("truncated batch row")
                msg.generation = _U16.unpack_from(data, pos)[0]
                pos += 2
            if kind & BATCH_TTL:
                if pos + 4 > end:
                    raise MessageError("truncated batch row")
                msg.record_ttl = _U32.unpack_from(data, pos)[0]
                pos += 4
        else:
            raise MessageError(f"unknown batch row type {kind}")
        if pos + 4 > end:
            raise MessageError("truncated batch row")
        n_fields, n_ops = struct.unpack_from(">HH", data, pos)
        msg.fields, pos = _parse_fields(data, pos + 4, n_fields)
        msg.ops, pos = _parse_ops(data, pos, n_ops)
        rows.append((index, digest, msg))
        previous = msg
    return rows


def _handle_batch(store: Store, msg: Message, node: NodeView) -> Iterator[bytes]:
    try:
        rows = _parse_batch_rows(msg.fields[FIELD_BATCH_INDEX])
    except MessageError:
        yield last_message(ERR_PARAMETER)
        return
    try:
        shared_filter = compile_filter(msg.fields.get(FIELD_FILTER))
    except CommandError as exc:
        yield last_message(exc.code)
        return
    chunk = bytearray()
    for index, digest, row in rows:
        try:
            ns = _namespace(store, row)
            reply = execute_record(store, ns, digest, row, shared_filter)
        except CommandError as exc:
            reply = Reply(exc.code)
        chunk += encode_reply(reply, index)
        if len(chunk) >= CHUNK_SIZE:
            yield bytes(chunk)
            chunk.clear()
    chunk += last_message()
    yield bytes(chunk)


# ---------------------------------------------------------------------------
# Scan and query by partition
# ---------------------------------------------------------------------------

class _Predicate:
    """The secondary-index filter of a query."""

    __slots__ = ("bin_name", "ptype", "begin", "end", "index_type", "context")

    def __init__(self, bin_name: bytes, ptype: int, begin: Any, end: Any, index_type: int,
                 context: Optional[bytes]) -> None:
        self.bin_name = bin_name
        self.ptype = ptype
        self.begin = begin
        self.end = end
        self.index_type = index_type
        self.context = context

    def matches(self, record: Record) -> bool:
        """True when the record's indexed value falls in the filter."""
        raw = record.bins.get(self.bin_name)
        if raw is None:
            return False
        if self.index_type == 0 and self.context is None:
            if raw[0] != self.ptype:
                return False
            return self._match_value(particles.decode_particle(raw[0], raw[1]))
        try:
            value = particles.decode_particle(raw[0], raw[1])
            if self.context is not None:
                value = cdt.context_value(value, self.context)
        except (particles.ParticleError, cdt.CdtError):
            return False
        if self.index_type == 0:
            candidates = [value]
        elif self.index_type == 1:
            candidates = list(value) if isinstance(value, list) else []
        elif self.index_type == 2:
            candidates = list(value) if isinstance(value, dict) else []
        else:
            candidates = list(value.values()) if isinstance(value, dict) else []
        return any(self._match_value(v) for v in candidates)

    def _match_value(self, value: Any) -> bool:
        if self.ptype == particles.INTEGER:
            return type(value) is int and self.begin <= value <= self.end
        if self.ptype == particles.STRING:
            return type(value) is str and value == self.begin
        if self.ptype == particles.BLOB:
            return type(value) is bytes and value == self.begin
        return False


_INDEX_TYPE_NAMES = {0: "DEFAULT", 1: "LIST", 2: "MAPKEYS", 3: "MAPVALUES"}
_INDEX_BIN_TYPES = {particles.INTEGER: ("NUMERIC", "INTEGER"), particles.STRING: ("STRING",),
                    particles.BLOB: ("BLOB",), particles.GEOJSON: ("GEO2DSPHERE",)}


def _parse_predicate(msg: Message) -> _Predicate:
    data = msg.fields[FIELD_INDEX_RANGE]
    try:
        if data[0] != 1:
            raise CommandError(ERR_PARAMETER, "exactly one filter is supported")
        name_len = data[1]
        bin_name = data[2:2 + name_len]
        pos = 2 + name_len
        ptype = data[pos]
        begin_len = _U32.unpack_from(data, pos + 1)[0]
        begin = data[pos + 5:pos + 5 + begin_len]
        pos += 5 + begin_len
        end_len = _U32.unpack_from(data, pos)[0]
        end = data[pos + 4:pos + 4 + end_len]
        if len(end) != end_len:
            raise CommandError(ERR_PARAMETER, "truncated index range")
    except (IndexError, struct.error):
        raise CommandError(ERR_PARAMETER, "bad index range") from None
    if ptype == particles.GEOJSON:
        raise CommandError(ERR_UNSUPPORTED_FEATURE, "geospatial queries are not supported")
    if ptype not in (particles.INTEGER, particles.STRING, particles.BLOB):
        raise CommandError(ERR_PARAMETER, "bad index range particle type")
    index_type_raw = msg.fields.get(FIELD_INDEX_TYPE, b"\x00")
    index_type = index_type_raw[0] if index_type_raw else 0
    if index_type not in _INDEX_TYPE_NAMES:
        raise CommandError(ERR_PARAMETER, "bad index type")
    try:
        lo = particles.decode_particle(ptype, begin)
        hi = particles.decode_particle(ptype, end)
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, "bad index range value") from None
    return _Predicate(bin_name, ptype, lo, hi, index_type, msg.fields.get(FIELD_INDEX_CONTEXT))


def _find_index(ns: Namespace, predicate: _Predicate, msg: Message) -> SecondaryIndex:
    wanted_name = msg.fields.get(FIELD_INDEX_NAME)
    bin_name = predicate.bin_name.decode("utf-8", "replace")
    for index in ns.sindexes.values():
        if wanted_name is not None:
            if index.name == wanted_name.decode("utf-8", "replace"):
                return index
            continue
        if (index.bin_name == bin_name
                and index.bin_type in _INDEX_BIN_TYPES[predicate.ptype]
                and index.index_type == _INDEX_TYPE_NAMES[predicate.index_type]
                and bool(index.context) == (predicate.context is not None)):
            return index
    raise CommandError(ERR_INDEX_NOT_FOUND)


def _requested_partitions(msg: Message, ns: Namespace, node: NodeView
                          ) -> Tuple[List[Tuple[int, Optional[bytes]]], bool]:
    """[(partition id, resume-after digest)], and whether partition-done markers are wanted."""
    pids = msg.fields.get(FIELD_PID_ARRAY)
    digests = msg.fields.get(FIELD_DIGEST_ARRAY)
    if pids is None and digests is None:
        return [(pid, None) for pid in range(N_PARTITIONS)
                if node.owns_partition(ns.name, pid)], False
    wanted: List[Tuple[int, Optional[bytes]]] = []
    if pids is not None:
        if len(pids) % 2:
            raise CommandError(ERR_PARAMETER, "bad partition id list")
        for i in range(0, len(pids), 2):
            pid = int.from_bytes(pids[i:i + 2], "little")
            if pid >= N_PARTITIONS:
                raise CommandError(ERR_PARAMETER, "bad partition id")
            wanted.append((pid, None))
    if digests is not None:
        if len(digests) % 20:
            raise CommandError(ERR_PARAMETER, "bad digest list")
        for i in range(0, len(digests), 20):
            digest = digests[i:i + 20]
            wanted.append((partition_id(digest), digest))
    return wanted, True


class _ScanRequest:
    """What a scan/query asks for."""

    def __init__(self, store: Store, msg: Message, node: NodeView) -> None:
        self.msg = msg
        self.ns = _namespace(store, msg)
        _check_unsupported_fields(msg)
        if FIELD_UDF_OP in msg.fields or FIELD_UDF_FUNCTION in msg.fields:
            raise CommandError(ERR_UDF, UDF_UNSUPPORTED)
        set_field = msg.fields.get(FIELD_SETNAME)
        self.set_name = set_field if set_field else None
        self.predicate: Optional[_Predicate] = None
        if FIELD_INDEX_RANGE in msg.fields:
            self.predicate = _parse_predicate(msg)
            _find_index(self.ns, self.predicate, msg)
        self.partitions, self.report_done = _requested_partitions(msg, self.ns, node)
        max_records = msg.fields.get(FIELD_MAX_RECORDS)
        self.max_records = int.from_bytes(max_records, "big") if max_records else 0
        task_id = msg.fields.get(FIELD_TASK_ID)
        self.task_id = int.from_bytes(task_id, "big") if task_id else 0
        self.no_bins = bool(msg.info1 & INFO1_GET_NOBINDATA)
        self.background = bool(msg.info2 & INFO2_WRITE)
        self.select = [op.name for op in msg.ops if op.op == OP_READ and op.name]
        self.read_ops = [op for op in msg.ops if op.op != OP_READ]
        if not self.background:
            for op in self.read_ops:
                if op.op not in READ_OPS:
                    raise CommandError(ERR_PARAMETER, "scan/query operations must be reads")
        names = msg.fields.get(FIELD_QUERY_BINS)
        if names:
            self.select.extend(_parse_query_bins(names))
        self.filter = compile_filter(msg.fields.get(FIELD_FILTER))

    def wants(self, record: Record, digest: bytes, now: int) -> bool:
        """True when the record belongs in the results."""
        if self.set_name is not None and record.set_name != self.set_name:
            return False
        if self.predicate is not None and not self.predicate.matches(record):
            return False
        return filter_passes(self.filter, record, digest, now)


def _parse_query_bins(data: bytes) -> List[bytes]:
    names = []
    pos = 1
    for _ in range(data[0]):
        length = data[pos] if pos < len(data) else 0
        names.append(data[pos + 1:pos + 1 + length])
        pos += 1 + length
    return names


def _handle_scan(store: Store, msg: Message, node: NodeView) -> Iterator[bytes]:
    try:
        request = _ScanRequest(store, msg, node)
    except CommandError as exc:
        yield last_message(exc.code)
        return
    if request.background:
        yield _run_background(store, request, node)
        return
    yield from _stream_records(store, request, node)


def _partition_records(store: Store, ns: Namespace, pid: int, after: Optional[bytes],
                       now: int) -> List[Tuple[bytes, Record]]:
    with store.lock:
        part = ns.partitions[pid]
        digests = sorted(part)
        if after is not None:
            digests = [d for d in digests if d > after]
        return [(d, part[d]) for d in digests if not part[d].expired(now)]


def _stream_records(store: Store, request: _ScanRequest, node: NodeView) -> Iterator[bytes]:
    ns = request.ns
    ns_field = encode_field(FIELD_NAMESPACE, ns.name.encode())
    now = clock_seconds()
    chunk = bytearray()
    sent = 0
    limit = request.max_records
    for pid, after in request.partitions:
        if not node.owns_partition(ns.name, pid):
            if request.report_done:
                chunk += response(ERR_UNAVAILABLE, pid, info3=INFO3_PARTITION_DONE)
            continue
        finished = True
        for digest, record in _partition_records(store, ns, pid, after, now):
            if limit and sent >= limit:
                finished = False
                break
            with store.lock:
                try:
                    if not request.wants(record, digest, now):
                        continue
                except (CommandError, particles.ParticleError):
                    continue
                chunk += _record_message(request, ns_field, digest, record)
            sent += 1
            if len(chunk) >= CHUNK_SIZE:
                yield bytes(chunk)
                chunk.clear()
        if not finished:
            break
        if request.report_done:
            chunk += response(OK, pid, info3=INFO3_PARTITION_DONE)
    chunk += last_message()
    yield bytes(chunk)


def _record_message(request: _ScanRequest, ns_field: bytes, digest: bytes,
                    record: Record) -> bytes:
    fields = ns_field + encode_field(FIELD_DIGEST, digest)
    n_fields = 2
    if record.set_name:
        fields += encode_field(FIELD_SETNAME, record.set_name)
        n_fields += 1
    if record.key is not None:
        fields += encode_field(FIELD_KEY, bytes([record.key[0]]) + record.key[1])
        n_fields += 1
    if request.no_bins:
        bins, n_bins = b"", 0
    elif request.read_ops:
        out: List[bytes] = []
        for op in request.msg.ops:
            _read_op(op, record.bins, out, bool(request.msg.info2 & INFO2_RESPOND_ALL_OPS))
        bins, n_bins = b"".join(out), len(out)
    elif request.select:
        out = [encode_bin(name, *record.bins[name]) for name in request.select
               if name in record.bins]
        bins, n_bins = b"".join(out), len(out)
    else:
        bins, n_bins = _all_bins(record), len(record.bins)
    return response(OK, record.generation, record.void_time, fields=fields, n_fields=n_fields,
                    bins=bins, n_bins=n_bins)


def _run_background(store: Store, request: _ScanRequest, node: NodeView) -> bytes:
    """Apply the write operations to every matching record this node owns."""
    ns = request.ns
    msg = request.msg
    row = Message(info1=0, info2=msg.info2 & ~INFO2_RESPOND_ALL_OPS, info3=msg.info3,
                  record_ttl=msg.record_ttl, ops=msg.ops)
    if not msg.ops:
        return last_message(ERR_PARAMETER)
    count = 0
    now = clock_seconds()
    for pid, after in request.partitions:
        if not node.owns_partition(ns.name, pid):
            continue
        for digest, record in _partition_records(store, ns, pid, after, now):
            with store.lock:
                try:
                    if not request.wants(record, digest, now) or ns.get(digest, now) is not record:
                        continue
                    _write(ns, digest, row, now)
                    count += 1
                except (CommandError, cdt.CdtError, particles.ParticleError):
                    pass
    set_name = request.set_name.decode("utf-8", "replace") if request.set_name else ""
    store.record_job(node, Job(request.task_id, ns.name, set_name, count,
                               "query" if request.predicate else "scan"))
    return last_message()
