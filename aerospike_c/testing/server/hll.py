"""HyperLogLog operations on HLL bins (wire op types HLL_READ 15 / HLL_MODIFY 16).

An HLL particle (particle type 18) is, as the server lays it out: flags (1 byte, 0),
n_index_bits (4..16), n_minhash_bits (0 or 4..51, index + min-hash bits <= 64), a cached
count (8 bytes, little-endian; 0 when unknown), then 2**n_index_bits registers of
6 + n_minhash_bits bits each, packed from the high bit of the first byte. A register holds
the HLL value (1 + the trailing zero bits of the element hash's second half) above the
min-hash bits (taken from the first half after the index bits); the register index is the low
n_index_bits of the first half. Elements are hashed as the client packs them (msgpack, strings
and blobs with their type byte), with MurmurHash3 x64 128 (seed 0).

Counts use Ertl's improved estimator (arXiv 1702.01284, algorithm 6); unions take the
smallest index bits and keep the min-hash bits only when every sketch has the same;
intersections and similarity use min-hash (arXiv 1710.08436) when there are min-hash bits,
else inclusion-exclusion; describe answers [n_index_bits, n_minhash_bits].

Result codes, as the server's: bad arguments PARAMETER; a bin of another type
INCOMPATIBLE_TYPE; CREATE_ONLY on an existing bin BIN_EXISTS, UPDATE_ONLY (and refresh_count,
fold) on a missing one BIN_NOT_FOUND, NO_FAIL making either a no-op; bit counts that cannot be
applied (no index bits to create with, union or fold that would shrink a sketch without
ALLOW_FOLD, fold of a min-hash sketch) OP_NOT_APPLICABLE; a CDT context PARAMETER (the server
runs HLL operations on bins only).

For the expression evaluator (as_exp_hll_*), pure functions with the arguments evaluated, in
the wire positions after the command (element lists as Python values):

    read(hll: bytes, command: int, args: Sequence[Any]) -> int | float | list | TypedBytes
    modify(hll: Optional[bytes], command: int, args: Sequence[Any]) -> Tuple[Optional[bytes], Any]
    may_contain(hll: bytes, values: Sequence[Any]) -> int

`modify` answers (the new HLL bytes, the command's result or NO_RESULT); all raise
CommandError with the server's code.
"""

from __future__ import annotations

import math
import struct
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import msgpack

from . import error_detail, particles
from .cdt_select import NO_RESULT
from .results import (ERR_BIN_EXISTS, ERR_BIN_NOT_FOUND, ERR_INCOMPATIBLE_TYPE, ERR_OP_NOT_APPLICABLE,
                      ERR_PARAMETER, ERR_SERVER, CommandError)

BinValue = Tuple[int, bytes]

# Commands (as_hll_op).
INIT, ADD, UNION, REFRESH_COUNT, FOLD = range(5)
COUNT, GET_UNION, UNION_COUNT, INTERSECT_COUNT, SIMILARITY, DESCRIBE, MAY_CONTAIN = range(50, 57)

# Write flags (as_hll_write_flags).
CREATE_ONLY, UPDATE_ONLY, NO_FAIL, ALLOW_FOLD = 1, 2, 4, 8

MIN_INDEX_BITS, MAX_INDEX_BITS = 4, 16
HLL_BITS = 6
HLL_MAX_VALUE = 1 << HLL_BITS
MIN_MINHASH_BITS, MAX_MINHASH_BITS = 4, 64 - HLL_BITS - 7
MAX_INDEX_AND_MINHASH_BITS = 64
HEADER = struct.Struct("<BBBQ")  # flags, n_index_bits, n_minhash_bits, cached count
_U64 = (1 << 64) - 1


# ---------------------------------------------------------------------------
# MurmurHash3 x64 128, seed 0 (the server's element hash)
# ---------------------------------------------------------------------------

def _rotl(x: int, r: int) -> int:
    return (x << r | x >> (64 - r)) & _U64


def _fmix(k: int) -> int:
    k ^= k >> 33
    k = k * 0xFF51AFD7ED558CCD & _U64
    k ^= k >> 33
    k = k * 0xC4CEB9FE1A85EC53 & _U64
    return k ^ k >> 33


_C1, _C2 = 0x87C37B91114253D5, 0x4CF5AD432745937F


def murmur3_x64_128(data: bytes) -> Tuple[int, int]:
    """The two 64-bit halves (h1, h2) of MurmurHash3_x64_128(data, seed 0)."""
    h1 = h2 = 0
    n_blocks = len(data) // 16
    for k1, k2 in struct.iter_unpack("<QQ", data[:n_blocks * 16]):
        h1 ^= _rotl(k1 * _C1 & _U64, 31) * _C2 & _U64
        h1 = (_rotl(h1, 27) + h2) * 5 + 0x52DCE729 & _U64
        h2 ^= _rotl(k2 * _C2 & _U64, 33) * _C1 & _U64
        h2 = (_rotl(h2, 31) + h1) * 5 + 0x38495AB5 & _U64
    tail = data[n_blocks * 16:]
    if len(tail) > 8:
        h2 ^= _rotl(int.from_bytes(tail[8:], "little") * _C2 & _U64, 33) * _C1 & _U64
    if tail:
        h1 ^= _rotl(int.from_bytes(tail[:8], "little") * _C1 & _U64, 31) * _C2 & _U64
    h1 ^= len(data)
    h2 ^= len(data)
    h1 = h1 + h2 & _U64
    h2 = h2 + h1 & _U64
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = h1 + h2 & _U64
    return h1, h2 + h1 & _U64


# ---------------------------------------------------------------------------
# The sketch
# ---------------------------------------------------------------------------

def _valid_index_bits(bits: int) -> bool:
    return MIN_INDEX_BITS <= bits <= MAX_INDEX_BITS


def _valid_minhash_bits(bits: int) -> bool:
    return bits == 0 or MIN_MINHASH_BITS <= bits <= MAX_MINHASH_BITS


def _valid_bits(index_bits: int, minhash_bits: int) -> bool:
    return (_valid_index_bits(index_bits) and _valid_minhash_bits(minhash_bits)
            and index_bits + minhash_bits <= MAX_INDEX_AND_MINHASH_BITS)


def _registers_size(index_bits: int, minhash_bits: int) -> int:
    return ((HLL_BITS + minhash_bits) * (1 << index_bits) + 7) // 8


def required_size(index_bits: int, minhash_bits: int) -> int:
    """Bytes of an HLL particle with these bit counts."""
    return HEADER.size + _registers_size(index_bits, minhash_bits)


class Sketch:
    """An HLL with min-hash: bit counts, cached count and the registers as ints."""

    __slots__ = ("index_bits", "minhash_bits", "cache", "registers", "_raw")

    def __init__(self, index_bits: int, minhash_bits: int) -> None:
        self.index_bits = index_bits
        self.minhash_bits = minhash_bits
        self.cache = 0
        self.registers = [0] * (1 << index_bits)
        self._raw = b""

    @property
    def register_bits(self) -> int:
        return HLL_BITS + self.minhash_bits

    @classmethod
    def parse(cls, data: bytes) -> "Sketch":
        """A sketch from particle bytes already checked by `header_ok`."""
        _, index_bits, minhash_bits, cache = HEADER.unpack_from(data)
        sketch = cls.__new__(cls)
        sketch.index_bits, sketch.minhash_bits, sketch.cache = index_bits, minhash_bits, cache
        n_bits = HLL_BITS + minhash_bits
        count = 1 << index_bits
        raw = data[HEADER.size:HEADER.size + _registers_size(index_bits, minhash_bits)]
        sketch._raw = raw
        total = n_bits * count
        if n_bits == HLL_BITS:  # four registers in every three bytes
            sketch.registers = []
            append = sketch.registers.append
            for a, b, c in struct.iter_unpack("BBB", raw):
                append(a >> 2)
                append((a & 3) << 4 | b >> 4)
                append((b & 15) << 2 | c >> 6)
                append(c & 63)
            return sketch
        text = format(int.from_bytes(raw, "big") >> (len(raw) * 8 - total), f"0{total}b")
        sketch.registers = [int(text[i:i + n_bits], 2) for i in range(0, total, n_bits)]
        return sketch

    def to_bytes(self) -> bytes:
        n_bits = self.register_bits
        size = _registers_size(self.index_bits, self.minhash_bits)
        if n_bits == HLL_BITS:
            regs = self.registers
            out = bytearray()
            for i in range(0, len(regs), 4):
                a, b, c, d = regs[i:i + 4]
                out += bytes((a << 2 | b >> 4, (b & 15) << 4 | c >> 2, (c & 3) << 6 | d))
            body = bytes(out)
        else:
            text = "".join(format(v, f"0{n_bits}b") for v in self.registers)
            body = (int(text, 2) << (size * 8 - len(text))).to_bytes(size, "big")
        return HEADER.pack(0, self.index_bits, self.minhash_bits, self.cache) + body

    def has_data(self) -> bool:
        """As the server tests it: any non-zero byte among the first 2**n_index_bits bytes of
        the registers (only asked of min-hash sketches, whose registers are longer)."""
        raw = self._raw if self._raw else self.to_bytes()[HEADER.size:]
        return any(raw[:1 << self.index_bits])

    def copy(self) -> "Sketch":
        sketch = Sketch.__new__(Sketch)
        sketch.index_bits, sketch.minhash_bits, sketch.cache = (
            self.index_bits, self.minhash_bits, self.cache)
        sketch.registers = list(self.registers)
        sketch._raw = b""
        return sketch

    def hll_value(self, register: int) -> int:
        return register >> self.minhash_bits

    def add(self, element: bytes) -> bool:
        """Add one packed element; True when a register changed."""
        h1, h2 = murmur3_x64_128(element)
        index = h1 & ((1 << self.index_bits) - 1)
        minhash = (h1 >> self.index_bits) & ((1 << self.minhash_bits) - 1)
        hll_value = ((h2 & -h2).bit_length() if h2 else 65)  # 1 + trailing zeros
        value = hll_value << self.minhash_bits | minhash
        if self.registers[index] < value:
            self.registers[index] = value & ((1 << self.register_bits) - 1)
            self.cache = 0
            self._raw = b""
            return True
        return False

    def may_contain(self, element: bytes) -> bool:
        """Could the element have been added (its register is at least its value)."""
        h1, h2 = murmur3_x64_128(element)
        index = h1 & ((1 << self.index_bits) - 1)
        minhash = (h1 >> self.index_bits) & ((1 << self.minhash_bits) - 1)
        hll_value = ((h2 & -h2).bit_length() if h2 else 65)
        value = (hll_value << self.minhash_bits | minhash) & ((1 << self.register_bits) - 1)
        return self.registers[index] >= value

    def estimate(self) -> int:
        """The cardinality estimate (the cached count when there is one)."""
        if self.cache:
            return self.cache
        m = len(self.registers)
        counts = [0] * (HLL_MAX_VALUE + 1)
        shift = self.minhash_bits
        for register in self.registers:
            counts[min(register >> shift, HLL_MAX_VALUE)] += 1
        z = m * _tau(counts[HLL_MAX_VALUE] / m)
        for k in range(HLL_MAX_VALUE, 0, -1):
            z = 0.5 * (z + counts[k])
        z += m * _sigma(counts[0] / m)
        return _llround(_alpha(self.index_bits) * m * m / z)

    def union_with(self, other: "Sketch") -> None:
        """Merge `other` (as many or more index bits) into this sketch."""
        mask = len(self.registers) - 1
        mine = self.registers
        if self.minhash_bits == 0:
            shift = other.minhash_bits
            for r, register in enumerate(other.registers):
                value = register >> shift
                if mine[r & mask] < value:
                    mine[r & mask] = value
        else:
            for r, register in enumerate(other.registers):
                if mine[r & mask] < register:
                    mine[r & mask] = register
        self.cache = 0
        self._raw = b""

    def intersect_with(self, other: "Sketch") -> None:
        """Keep the registers equal in both (min-hash intersection), as the server does."""
        mask = len(self.registers) - 1
        mine = self.registers
        for r, register in enumerate(other.registers):
            mine[r & mask] = mine[r & mask] if mine[r & mask] == register else 0
        self._raw = b""

    def used_registers(self) -> int:
        return sum(1 for register in self.registers if register)


def _llround(value: float) -> int:
    if not math.isfinite(value):
        return 0
    whole = math.floor(value)
    return int(whole) + (1 if value - whole >= 0.5 else 0)


def _tau(x: float) -> float:
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= math.pow(1 - x, 2) * y
        if previous == z:
            return z / 3


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        previous = z
        z += x * y
        y += y
        if previous == z:
            return z


def _alpha(index_bits: int) -> float:
    return {4: 0.673, 5: 0.697, 6: 0.709}.get(index_bits) or 0.7213 / (1.0 + 1.079 / (1 << index_bits))


def _template(sketches: Sequence[Sketch]) -> Tuple[int, int]:
    """The bit counts a union of the sketches has: the fewest index bits; the min-hash bits
    when all have the same, else none."""
    index_bits = min(s.index_bits for s in sketches)
    minhash_bits = sketches[0].minhash_bits
    for sketch in sketches[1:]:
        if minhash_bits and minhash_bits != sketch.minhash_bits:
            minhash_bits = 0
    return index_bits, minhash_bits


def _union(sketches: Sequence[Sketch]) -> Sketch:
    union = Sketch(*_template(sketches))
    for sketch in sketches:
        union.union_with(sketch)
    return union


def _intersect_count(sketches: Sequence[Sketch]) -> int:
    if _template(sketches)[1] == 0:
        return _hll_intersect_count(sketches)
    similarity = _similarity(sketches)
    if math.isnan(similarity):
        return 0
    return _llround(_union(sketches).estimate() * similarity)


def _hll_intersect_count(sketches: Sequence[Sketch]) -> int:
    union = _union(sketches).estimate()
    total = 0
    for sketch in sketches:
        total += sketch.estimate()
        if total > _U64:
            total = _U64
            break
    return total - union if total > union else 0


def _similarity(sketches: Sequence[Sketch]) -> float:
    index_bits, minhash_bits = _template(sketches)
    if minhash_bits == 0:
        intersect = _hll_intersect_count(sketches)
        union = _union(sketches).estimate()
        if union == 0:
            return math.nan if intersect == 0 else math.inf
        return intersect / union
    with_data = [s.has_data() for s in sketches]
    if not all(with_data):
        return 0.0 if any(with_data) else math.nan
    n_union = _union(sketches).used_registers()
    intersection = Sketch(index_bits, minhash_bits)
    intersection.union_with(sketches[0])
    for sketch in sketches[1:]:
        intersection.intersect_with(sketch)
    collisions = 0.0
    if len(sketches) == 2:
        collisions = _expected_collisions(index_bits, minhash_bits, sketches[0].estimate(),
                                          sketches[1].estimate())
    return max((intersection.used_registers() - collisions) / n_union, 0.0)


def _expected_collisions(index_bits: int, minhash_bits: int, card0: int, card1: int) -> float:
    """The registers two unrelated sets of these sizes are expected to share by chance."""
    n_registers = 1 << index_bits
    total = 0.0
    for i in range(1, HLL_MAX_VALUE + 1):
        b1 = 0.0 if i == HLL_MAX_VALUE else math.pow(2, -i)
        b2 = math.pow(2, -i + 1)
        b1 /= n_registers
        b2 /= n_registers
        pr_x = math.pow(1 - b1, card0) - math.pow(1 - b2, card0)
        pr_y = math.pow(1 - b1, card1) - math.pow(1 - b2, card1)
        total += pr_x * pr_y
    return total * n_registers / math.pow(2, minhash_bits)


# ---------------------------------------------------------------------------
# Particles and arguments
# ---------------------------------------------------------------------------

def header_ok(data: bytes) -> bool:
    """Is `data` a well-formed HLL particle (flags 0, valid bit counts, the size they need)."""
    if len(data) < HEADER.size:
        return False
    flags, index_bits, minhash_bits, _ = HEADER.unpack_from(data)
    return (flags == 0 and _valid_bits(index_bits, minhash_bits)
            and len(data) == required_size(index_bits, minhash_bits))


def check_particle(data: bytes) -> None:
    """An HLL particle written as a bin value: PARAMETER when malformed (hll_from_wire)."""
    if not header_ok(data):
        raise CommandError(ERR_PARAMETER, "bad hll particle")


def _bad(what: str) -> CommandError:
    return CommandError(ERR_PARAMETER, what)


class _Op:
    """One parsed HLL command (None bit counts: -1, unset)."""

    __slots__ = ("elements", "sketches", "index_bits", "minhash_bits", "flags")

    def __init__(self) -> None:
        self.elements: List[bytes] = []
        self.sketches: List[Sketch] = []
        self.index_bits: Optional[int] = None
        self.minhash_bits: Optional[int] = None
        self.flags = 0


def _index_bits(op: _Op, value: Any) -> None:
    if type(value) is not int:
        raise _bad("n_index_bits must be an integer")
    if value != -1 and not _valid_index_bits(value):
        raise _bad(f"n_index_bits {value} out of range")
    op.index_bits = None if value == -1 else value


def _minhash_bits(op: _Op, value: Any) -> None:
    if type(value) is not int:
        raise _bad("n_minhash_bits must be an integer")
    if value == -1:
        op.minhash_bits = None
        return
    if not _valid_minhash_bits(value):
        raise _bad(f"n_minhash_bits {value} out of range")
    if op.index_bits is not None and op.index_bits + value > MAX_INDEX_AND_MINHASH_BITS:
        raise _bad("n_index_bits + n_minhash_bits over 64")
    op.minhash_bits = value


def _flags_parser(allowed: int) -> Callable[[_Op, Any], None]:
    def parse(op: _Op, value: Any) -> None:
        if type(value) is not int:
            raise _bad("flags must be an integer")
        flags = value & _U64
        if flags & ~allowed or flags & CREATE_ONLY and flags & UPDATE_ONLY:
            raise _bad(f"bad hll flags {flags:#x}")
        op.flags = flags
    return parse


def _elements(op: _Op, value: Any) -> None:
    """Already packed by `_packed_elements` (a list of the elements' msgpack bytes)."""
    if not isinstance(value, list) or not value:
        raise _bad("hll elements must be a non-empty list")
    if not all(isinstance(item, bytes) for item in value):
        raise _bad("hll elements may not be lists or maps")
    op.elements = value


def _sketches(op: _Op, value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise _bad("hll list must be a non-empty list of HLLs")
    for item in value:
        if isinstance(item, str):
            item = item.encode("utf-8", "surrogateescape")
        if not isinstance(item, bytes) or len(item) < HEADER.size:
            raise _bad("bad hll in the list")
        flags, index_bits, minhash_bits, _ = HEADER.unpack_from(item)
        if flags or not _valid_index_bits(index_bits) or not _valid_minhash_bits(minhash_bits) \
                or len(item) != required_size(index_bits, minhash_bits):
            raise _bad("bad hll in the list")
        op.sketches.append(Sketch.parse(bytes(item)))


_Parsers = Tuple[int, Tuple[Callable[[_Op, Any], None], ...]]
_MODIFY: Dict[int, _Parsers] = {
    INIT: (0, (_index_bits, _minhash_bits, _flags_parser(CREATE_ONLY | UPDATE_ONLY | NO_FAIL))),
    ADD: (1, (_elements, _index_bits, _minhash_bits, _flags_parser(CREATE_ONLY | NO_FAIL))),
    UNION: (1, (_sketches, _flags_parser(CREATE_ONLY | UPDATE_ONLY | ALLOW_FOLD | NO_FAIL))),
    REFRESH_COUNT: (0, ()),
    FOLD: (1, (_index_bits,)),
}
_READ: Dict[int, _Parsers] = {
    COUNT: (0, ()),
    GET_UNION: (1, (_sketches,)),
    UNION_COUNT: (1, (_sketches,)),
    INTERSECT_COUNT: (1, (_sketches,)),
    SIMILARITY: (1, (_sketches,)),
    DESCRIBE: (0, ()),
    MAY_CONTAIN: (1, (_elements,)),
}


def _parse(table: Dict[int, _Parsers], command: Any, args: Sequence[Any]) -> _Op:
    if type(command) is not int or command not in table:
        raise _bad(f"unknown hll {'read' if table is _READ else 'modify'} command {command!r}")
    minimum, parsers = table[command]
    if not minimum <= len(args) <= len(parsers) or table is _READ and len(args) != len(parsers):
        raise _bad(f"hll command {command}: {len(args)} arguments")
    op = _Op()
    for parse, value in zip(parsers, args):
        parse(op, value)
    return op


def pack_element(value: Any) -> bytes:
    """An element as the C client packs it in an as_list (strings and blobs as msgpack raw
    with their type byte, the shortest header that fits, as as_msgpack.c chooses)."""
    kind = type(value)
    data: bytes
    if kind is str or kind is particles.GeoJSON:
        data = bytes([particles.GEOJSON if kind is particles.GeoJSON else particles.STRING]) + \
            value.encode("utf-8", "surrogateescape")
    elif kind is bytes:
        data = bytes([particles.BLOB]) + value
    elif kind is particles.TypedBytes:
        data = bytes([value.particle_type]) + bytes(value)
    elif isinstance(value, (list, dict)):
        raise _bad("hll elements may not be lists or maps")
    else:
        try:
            return particles.pack(value)
        except particles.ParticleError:
            raise _bad("bad hll element") from None
    size = len(data)
    if size < 32:
        header = bytes([0xA0 | size])
    elif size < 256:
        header = bytes([0xD9, size])
    elif size < 65536:
        header = b"\xda" + size.to_bytes(2, "big")
    else:
        header = b"\xdb" + size.to_bytes(4, "big")
    return header + data


def _packed_elements(command: int, args: Sequence[Any], raw: Optional[List[bytes]]) -> List[Any]:
    """The arguments, for add and may_contain with the element list (first argument) as packed
    elements: `raw` (the bytes the client sent) when there, else packed from the values."""
    args = list(args)
    if command not in (ADD, MAY_CONTAIN) or not args or not isinstance(args[0], list):
        return args
    if raw is None or len(raw) != len(args[0]):
        raw = [pack_element(value) for value in args[0]]
    return [raw] + args[1:]


def _raw_first_list(payload: bytes) -> Optional[List[bytes]]:
    """The msgpack bytes of each item of the operation's first argument, when it is a list
    (the elements as they were packed: the server hashes those bytes)."""
    unpacker = msgpack.Unpacker(raw=True, strict_map_key=False, max_buffer_size=max(len(payload), 1))
    unpacker.feed(payload)
    try:
        if unpacker.read_array_header() < 2:
            return None
        unpacker.skip()  # the command
        if not _is_list_header(payload[unpacker.tell()]):
            return None
        items = []
        for _ in range(unpacker.read_array_header()):
            start = unpacker.tell()
            if _is_list_header(payload[start]) or _is_map_header(payload[start]):
                return None  # refused when the arguments are parsed
            unpacker.skip()
            items.append(payload[start:unpacker.tell()])
        return items
    except Exception:  # msgpack raises several types on bad input
        raise _bad("bad hll operation") from None


def _is_list_header(head: int) -> bool:
    return 0x90 <= head <= 0x9F or head in (0xDC, 0xDD)


def _is_map_header(head: int) -> bool:
    return 0x80 <= head <= 0x8F or head in (0xDE, 0xDF)


# ---------------------------------------------------------------------------
# Running commands
# ---------------------------------------------------------------------------

class _NoOp(Exception):
    """A refusal NO_FAIL turns into nothing."""


def _refuse(op: _Op, code: int, what: str) -> _NoOp:
    if op.flags & NO_FAIL:
        return _NoOp()
    raise CommandError(code, what)


def _not_applicable(what: str, subcode: int) -> CommandError:
    """ERR_OP_NOT_APPLICABLE with its server 8.2 error-details subcode (AS_SUB_OPNOT_HLL_*)."""
    return error_detail.fail(ERR_OP_NOT_APPLICABLE, what, subcode)


def _run_modify(old: Optional[Sketch], command: int, op: _Op) -> Tuple[Sketch, Any]:
    if old is not None and op.flags & CREATE_ONLY:
        raise _refuse(op, ERR_BIN_EXISTS, "the bin exists (CREATE_ONLY)")
    if old is None and op.flags & UPDATE_ONLY:
        raise _refuse(op, ERR_BIN_NOT_FOUND, "the bin does not exist (UPDATE_ONLY)")
    if command in (INIT, ADD):
        if old is None:
            if op.index_bits is None:
                raise _not_applicable("cannot create an hll without n_index_bits",
                                      error_detail.SUB_OPNOT_HLL_INDEX_BITS_UNSET)
            bits = (op.index_bits, op.minhash_bits or 0)
        elif command == ADD:
            bits = (old.index_bits, old.minhash_bits)
        else:
            bits = (old.index_bits if op.index_bits is None else op.index_bits,
                    old.minhash_bits if op.minhash_bits is None else op.minhash_bits)
            if not _valid_bits(*bits):
                raise _not_applicable("init to an invalid bit configuration", error_detail.SUB_NONE)
        if command == INIT:
            return Sketch(*bits), NO_RESULT
        sketch = old.copy() if old is not None else Sketch(*bits)
        return sketch, sum(1 for element in op.elements if sketch.add(element))
    if command == UNION:
        if old is not None and not op.flags & ALLOW_FOLD:
            index_bits, minhash_bits = _template(op.sketches)
            if old.index_bits > index_bits:
                raise _not_applicable("set_union would reduce n_index_bits (no ALLOW_FOLD)",
                                      error_detail.SUB_OPNOT_HLL_CANNOT_REDUCE_INDEX_BITS)
            if old.minhash_bits and old.minhash_bits != minhash_bits:
                raise _not_applicable("set_union would drop the min-hash bits (no ALLOW_FOLD)",
                                      error_detail.SUB_OPNOT_HLL_CANNOT_REDUCE_MINHASH_BITS)
        return _union(op.sketches + ([old] if old is not None else [])), NO_RESULT
    if old is None:
        raise error_detail.fail(ERR_BIN_NOT_FOUND, "refresh_count and fold need an existing hll",
                                error_detail.SUB_BIN_NOT_FOUND_HLL_CANNOT_CREATE_WITH_OP)
    if command == REFRESH_COUNT:
        sketch = old.copy()
        sketch.cache = sketch.estimate()
        return sketch, sketch.cache
    # FOLD
    if old.minhash_bits:
        raise _not_applicable("cannot fold an hll with min-hash bits",
                              error_detail.SUB_OPNOT_HLL_CANNOT_FOLD_MINHASH)
    if op.index_bits is None or old.index_bits < op.index_bits:
        raise _not_applicable("fold needs fewer n_index_bits than the hll has",
                              error_detail.SUB_OPNOT_HLL_FOLD_INDEX_BITS_TOO_LARGE)
    if op.index_bits == old.index_bits:
        return old.copy(), NO_RESULT
    folded = Sketch(op.index_bits, 0)
    folded.union_with(old)
    return folded, NO_RESULT


def _run_read(sketch: Sketch, command: int, op: _Op) -> Any:
    if command == COUNT:
        return sketch.estimate()
    if command == DESCRIBE:
        return particles.CdtList([sketch.index_bits, sketch.minhash_bits])
    if command == MAY_CONTAIN:
        return int(all(sketch.may_contain(element) for element in op.elements))
    sketches = op.sketches + [sketch]
    if command == GET_UNION:
        return particles.TypedBytes(particles.HLL, _union(sketches).to_bytes())
    if command == UNION_COUNT:
        return _union(sketches).estimate()
    if command == INTERSECT_COUNT:
        return _intersect_count(sketches)
    return _similarity(sketches)  # SIMILARITY


def _sketch_of(data: bytes) -> Sketch:
    """A stored HLL (a corrupt one is the server's UNKNOWN error, as hll_verify_bin says)."""
    if not header_ok(data):
        raise CommandError(ERR_SERVER, "invalid hll particle")
    return Sketch.parse(data)


def modify(hll: Optional[bytes], command: int, args: Sequence[Any],
           raw_elements: Optional[List[bytes]] = None) -> Tuple[Optional[bytes], Any]:
    """Run an HLL modify command on an HLL value (None: no bin): (new bytes, result)."""
    op = _parse(_MODIFY, command, _packed_elements(command, args, raw_elements))
    old = None if hll is None else _sketch_of(bytes(hll))
    try:
        sketch, result = _run_modify(old, command, op)
    except _NoOp:
        return (None if hll is None else bytes(hll)), NO_RESULT
    return sketch.to_bytes(), result


_LIST_READS = (GET_UNION, UNION_COUNT, INTERSECT_COUNT, SIMILARITY)


def read(hll: bytes, command: int, args: Sequence[Any],
         raw_elements: Optional[List[bytes]] = None) -> Any:
    """Run an HLL read command on an HLL value. In an expression the HLLs to combine may be
    one HLL value instead of a list of them (as_exp_hll_get_union(as_exp_bin_hll(...), ...))."""
    if command in _LIST_READS and len(args) == 1 and isinstance(args[0], particles.TypedBytes) \
            and args[0].particle_type == particles.HLL:
        args = [[args[0]]]
    sketch = _sketch_of(bytes(hll))
    return _run_read(sketch, command, _parse(_READ, command,
                                             _packed_elements(command, args, raw_elements)))


def may_contain(hll: bytes, values: Sequence[Any]) -> int:
    """1 when every value may have been added to the HLL, else 0 (as_exp_hll_may_contain)."""
    return int(read(hll, MAY_CONTAIN, [list(values)]))


# ---------------------------------------------------------------------------
# Record-level entry (records.py)
# ---------------------------------------------------------------------------

def operate(current: Optional[BinValue], payload: bytes,
            modify_op: bool) -> Tuple[Optional[BinValue], Any]:
    """Apply an HLL operation to a bin value (particle type, bytes), in the server's order of
    checks: the stored bin, the operation, the write flags. Returns (new bin value, result)."""
    if current is not None:
        if current[0] != particles.HLL:
            raise CommandError(ERR_INCOMPATIBLE_TYPE, "hll operation on a bin that is not an hll")
        _sketch_of(current[1])
    elif not modify_op:
        return None, NO_RESULT
    try:
        command, args = particles.unpack_command(payload)
    except particles.ParticleError:
        raise _bad("bad hll operation") from None
    raw = _raw_first_list(payload) if command in (ADD, MAY_CONTAIN) else None
    if not modify_op:
        assert current is not None
        if command in _LIST_READS and args and not isinstance(args[0], list):
            raise _bad("an hll list must be a list of HLLs")
        return current, read(current[1], command, args, raw)
    new, result = modify(None if current is None else current[1], command, args, raw)
    return (None if new is None else (particles.HLL, new)), result
