"""Aerospike particle types and their Python values.

Bin values travel as (particle type, bytes).  Lists and maps are msgpack with Aerospike's
conventions: strings and blobs are msgpack "raw" values whose first byte is the particle type
(3 string, 4 blob, 23 geojson), and ordered lists/maps carry an ext element first whose ext
type holds the order flags.  The msgpack codec itself is the `msgpack` package.
"""

from __future__ import annotations

import math
import struct
from typing import Any, Dict, List

import msgpack

# Particle types (as_bytes_type in the C client).
NIL = 0
INTEGER = 1
DOUBLE = 2
STRING = 3
BLOB = 4
BOOL = 17
HLL = 18
MAP = 19
LIST = 20
GEOJSON = 23

KNOWN_PARTICLE_TYPES = frozenset({NIL, INTEGER, DOUBLE, STRING, BLOB, 7, 8, 9, 10, 11, 12,
                                  BOOL, HLL, MAP, LIST, GEOJSON})

# Order flags carried in the leading ext element.
LIST_ORDERED = 0x01
MAP_KEY_ORDERED = 0x01
MAP_KEY_VALUE_ORDERED = 0x03
PERSIST_INDEX = 0x10

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

_CMP_EXT_PREFIX = b"\xd4\xff"  # fixext1 with ext type 0xff: wildcard (0) or infinity (1)


class ParticleError(ValueError):
    """A value that cannot be decoded or is not valid for the operation."""


class GeoJSON(str):
    """A GeoJSON string particle."""


class TypedBytes(bytes):
    """Bytes with a particle type other than blob (language blobs, HLL, vectors...)."""

    particle_type: int

    def __new__(cls, particle_type: int, data: bytes) -> "TypedBytes":
        obj = super().__new__(cls, data)
        obj.particle_type = particle_type
        return obj

    def __repr__(self) -> str:
        return f"TypedBytes({self.particle_type}, {bytes(self)!r})"


class CdtList(List[Any]):
    """A list value with Aerospike list flags (bit 0: ordered)."""

    flags: int = 0

    def __init__(self, items: Any = (), flags: int = 0) -> None:
        super().__init__(items)
        self.flags = flags


class CdtMap(Dict[Any, Any]):
    """A map value with Aerospike map flags (1 key ordered, 3 key/value ordered)."""

    flags: int = 0

    def __init__(self, items: Any = (), flags: int = 0) -> None:
        super().__init__(items)
        self.flags = flags


class _CmpSentinel:
    """Wildcard / infinity values used only in operation arguments."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


WILDCARD = _CmpSentinel("WILDCARD")
INFINITY = _CmpSentinel("INFINITY")


def to_int64(value: int) -> int:
    """Wrap a Python int into the signed 64-bit range."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value > INT64_MAX else value


# ---------------------------------------------------------------------------
# msgpack <-> Python values
# ---------------------------------------------------------------------------

def _from_raw(raw: bytes) -> Any:
    if not raw:
        return TypedBytes(NIL, b"")
    ptype = raw[0]
    if ptype == STRING:
        return raw[1:].decode("utf-8", "surrogateescape")
    if ptype == BLOB:
        return raw[1:]
    if ptype == GEOJSON:
        return GeoJSON(raw[1:].decode("utf-8", "surrogateescape"))
    return TypedBytes(ptype, raw[1:])


def _convert(value: Any) -> Any:
    if type(value) is bytes:
        return _from_raw(value)
    if type(value) is int and value > INT64_MAX:
        return to_int64(value)
    return value


def _make_list(items: List[Any]) -> CdtList:
    """A CdtList from decoded items; a leading ext element carries the flags."""
    if items and type(items[0]) is msgpack.ExtType:
        return CdtList(items[1:], items[0].code)
    return CdtList(items)


def _make_map(pairs: List[Any]) -> CdtMap:
    """A CdtMap from decoded pairs; a leading ext key carries the flags."""
    flags = 0
    if pairs and type(pairs[0][0]) is msgpack.ExtType:
        flags = pairs[0][0].code
        pairs = pairs[1:]
    try:
        return CdtMap(pairs, flags)
    except TypeError as exc:  # unhashable key (list or map used as a map key)
        raise ParticleError(f"unsupported map key: {exc}") from None


def _list_hook(items: List[Any]) -> CdtList:
    return _make_list([_convert(v) for v in items])


def _pairs_hook(pairs: List[Any]) -> CdtMap:
    return _make_map([(_convert(k), _convert(v)) for k, v in pairs])


def _ext_hook(code: int, data: bytes) -> msgpack.ExtType:
    return msgpack.ExtType(code, data)


def _unpack_fast(data: bytes) -> Any:
    return _convert(msgpack.unpackb(
        data, raw=True, strict_map_key=False, use_list=True, list_hook=_list_hook,
        object_pairs_hook=_pairs_hook, ext_hook=_ext_hook))


#: The deepest list/map nesting a request may carry (the walk and the fast path alike);
#: deeper values would exhaust Python's recursion in the code that packs or type-checks them.
MAX_DEPTH = 256
#: Every byte that cannot start a list or map header: what is left after deleting them bounds
#: the nesting from above, so only values with more than MAX_DEPTH such bytes are measured.
_NOT_CONTAINER_HEADS = bytes(b for b in range(256)
                             if not (0x80 <= b <= 0x9F or 0xDC <= b <= 0xDF))


def _too_deep(value: Any) -> bool:
    """Whether lists and maps nest more than MAX_DEPTH levels (iterative: no recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth >= MAX_DEPTH:
                return True
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children
                         if isinstance(child, (list, dict)))
    return False


def _unpack_walk(unpacker: msgpack.Unpacker, data: bytes, depth: int) -> Any:
    """Decode one value, recognising Aerospike's wildcard/infinity ext values."""
    if depth > MAX_DEPTH:
        raise ParticleError("msgpack nesting too deep")
    pos = unpacker.tell()
    if pos >= len(data):
        raise ParticleError("truncated msgpack")
    head = data[pos]
    if data[pos:pos + 2] == _CMP_EXT_PREFIX:
        tail = unpacker.read_bytes(3)
        return INFINITY if tail[2:3] == b"\x01" else WILDCARD
    if 0x90 <= head <= 0x9F or head in (0xDC, 0xDD):
        count = unpacker.read_array_header()
        return _make_list([_unpack_walk(unpacker, data, depth + 1) for _ in range(count)])
    if 0x80 <= head <= 0x8F or head in (0xDE, 0xDF):
        count = unpacker.read_map_header()
        pairs = []
        for _ in range(count):
            key = _unpack_walk(unpacker, data, depth + 1)
            pairs.append((key, _unpack_walk(unpacker, data, depth + 1)))
        return _make_map(pairs)
    return _convert(unpacker.unpack())


def unpack(data: bytes) -> Any:
    """Decode one Aerospike msgpack value (the whole buffer)."""
    try:
        if _CMP_EXT_PREFIX not in data:
            value = _unpack_fast(data)
            if len(data.translate(None, _NOT_CONTAINER_HEADS)) > MAX_DEPTH and _too_deep(value):
                raise ParticleError("msgpack nesting too deep")
            return value
        unpacker = msgpack.Unpacker(raw=True, strict_map_key=False, use_list=True,
                                    ext_hook=_ext_hook, max_buffer_size=max(len(data), 1))
        unpacker.feed(data)
        value = _unpack_walk(unpacker, data, 0)
        if unpacker.tell() != len(data):
            raise ParticleError("extra bytes after msgpack value")
        return value
    except ParticleError:
        raise
    except Exception as exc:  # msgpack raises several exception types on bad input
        raise ParticleError(f"invalid msgpack: {exc}") from None


def _to_wire(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is bool or kind is float:
        return value
    if kind is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise ParticleError("integer out of 64-bit range")
        return value
    if kind is str:
        return b"\x03" + value.encode("utf-8", "surrogateescape")
    if kind is bytes:
        return b"\x04" + value
    if kind is GeoJSON:
        return b"\x17" + value.encode("utf-8", "surrogateescape")
    if kind is TypedBytes:
        return bytes([value.particle_type]) + bytes(value) if (value or value.particle_type) else b""
    if isinstance(value, list):
        items = [_to_wire(v) for v in value]
        flags = getattr(value, "flags", 0)
        return [msgpack.ExtType(flags, b"")] + items if flags else items
    if isinstance(value, dict):
        flags = getattr(value, "flags", 0)
        out: Dict[Any, Any] = {msgpack.ExtType(flags, b""): None} if flags else {}
        for key, item in value.items():
            out[_to_wire(key)] = _to_wire(item)
        return out
    if isinstance(value, int):  # int subclasses other than bool
        return _to_wire(int(value))
    if isinstance(value, str):
        return _to_wire(str(value))
    raise ParticleError(f"cannot encode {kind.__name__}")


def unpack_command(payload: bytes) -> tuple[Any, List[Any]]:
    """A packed bin operation (bit, HLL): msgpack [command, args...] -> (command, [args])."""
    decoded = unpack(payload)
    if not isinstance(decoded, list) or not decoded:
        raise ParticleError("an operation is a non-empty msgpack list")
    return decoded[0], list(decoded[1:])


_packer_options = {"use_bin_type": False, "strict_types": True}


def pack(value: Any) -> bytes:
    """Encode a Python value as Aerospike msgpack."""
    packed: bytes = msgpack.packb(_to_wire(value), **_packer_options)  # msgpack is untyped
    return packed


# ---------------------------------------------------------------------------
# Bin particles <-> Python values
# ---------------------------------------------------------------------------

_DOUBLE = struct.Struct(">d")
_INT = struct.Struct(">q")


def decode_particle(ptype: int, data: bytes) -> Any:
    """Python value of a bin particle."""
    if ptype == INTEGER:
        if len(data) == 8:
            return _INT.unpack(data)[0]
        if len(data) > 8:
            raise ParticleError("integer particle longer than 8 bytes")
        return int.from_bytes(data, "big", signed=True) if data else 0
    if ptype == DOUBLE:
        if len(data) != 8:
            raise ParticleError("double particle must be 8 bytes")
        return _DOUBLE.unpack(data)[0]
    if ptype == STRING:
        return data.decode("utf-8", "surrogateescape")
    if ptype == BLOB:
        return bytes(data)
    if ptype == BOOL:
        if len(data) != 1:
            raise ParticleError("bool particle must be 1 byte")
        return data != b"\x00"
    if ptype in (LIST, MAP):
        value = unpack(data)
        expected = CdtList if ptype == LIST else CdtMap
        if not isinstance(value, expected):
            raise ParticleError("list/map particle holds another type")
        return value
    if ptype == GEOJSON:
        if len(data) < 3:
            raise ParticleError("geojson particle too short")
        ncells = int.from_bytes(data[1:3], "big")
        return GeoJSON(data[3 + 8 * ncells:].decode("utf-8", "surrogateescape"))
    if ptype == NIL:
        return None
    return TypedBytes(ptype, bytes(data))


def encode_particle(value: Any) -> tuple[int, bytes]:
    """(particle type, bytes) of a Python value."""
    kind = type(value)
    if value is None:
        return NIL, b""
    if kind is bool:
        return BOOL, b"\x01" if value else b"\x00"
    if kind is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise ParticleError("integer out of 64-bit range")
        return INTEGER, _INT.pack(value)
    if kind is float:
        return DOUBLE, _DOUBLE.pack(value)
    if kind is str:
        return STRING, value.encode("utf-8", "surrogateescape")
    if kind is bytes:
        return BLOB, value
    if kind is GeoJSON:
        return GEOJSON, b"\x00\x00\x00" + value.encode("utf-8", "surrogateescape")
    if kind is TypedBytes:
        return value.particle_type, bytes(value)
    if isinstance(value, list):
        return LIST, pack(value)
    if isinstance(value, dict):
        return MAP, pack(value)
    raise ParticleError(f"cannot store {kind.__name__}")


def normalize_cdt_particle(ptype: int, data: bytes) -> bytes:
    """Validate a list/map particle; an ordered one must come in order (a server rejects it
    otherwise) and is stored packed anew (compact, without the offset index it may carry)."""
    value = decode_particle(ptype, data)
    if value.flags & 0x01:
        keys = [order_key(v) for v in (value if ptype == LIST else value.keys())]
        in_order = all(a <= b for a, b in zip(keys, keys[1:])) if ptype == LIST else all(
            a < b for a, b in zip(keys, keys[1:]))
        if not in_order:
            raise ParticleError("an ordered list/map is out of order")
        return pack(value)
    return data


# ---------------------------------------------------------------------------
# Aerospike value ordering
# ---------------------------------------------------------------------------

def order_key(value: Any) -> tuple[Any, ...]:
    """Sort key giving Aerospike's ordering: nil < bool < int < string < list < map < bytes
    < double < geojson < infinity."""
    kind = type(value)
    if kind is int:
        return (3, value)
    if kind is str:
        return (4, value.encode("utf-8", "surrogateescape"))
    if value is None:
        return (1,)
    if kind is bool:
        return (2, value)
    if kind is float:
        return (10, -math.inf if math.isnan(value) else value)
    if kind is GeoJSON:
        return (11, value.encode("utf-8", "surrogateescape"))
    if kind is bytes or kind is TypedBytes:
        return (9, bytes(value))
    if isinstance(value, list):
        return (5, tuple(order_key(v) for v in value))
    if isinstance(value, dict):
        items = sorted((order_key(k), order_key(v)) for k, v in value.items())
        return (6, len(items), tuple(items))
    if value is INFINITY:
        return (99,)
    if value is WILDCARD:
        return (0,)
    if isinstance(value, int):
        return (3, int(value))
    if isinstance(value, str):
        return (4, str(value).encode("utf-8", "surrogateescape"))
    return (98, repr(value))


def values_equal(pattern: Any, value: Any) -> bool:
    """Aerospike value equality, where a wildcard in the pattern matches anything."""
    if pattern is WILDCARD:
        return True
    if isinstance(pattern, list):
        if not isinstance(value, list):
            return False
        if pattern and pattern[-1] is WILDCARD:
            head = pattern[:-1]
            return len(value) >= len(head) and all(
                values_equal(p, v) for p, v in zip(head, value))
        return len(pattern) == len(value) and all(
            values_equal(p, v) for p, v in zip(pattern, value))
    return order_key(pattern) == order_key(value)


def sorted_map(value: Dict[Any, Any], flags: int | None = None) -> CdtMap:
    """A key-ordered copy of a map."""
    keep = value.flags if flags is None and isinstance(value, CdtMap) else (flags or 0)
    return CdtMap(sorted(value.items(), key=lambda kv: order_key(kv[0])), keep)
