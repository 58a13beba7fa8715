"""Bit operations on blob bins (wire op types BIT_READ 12 / BIT_MODIFY 13).

An operation's value is msgpack [command, args...] (as_bit_operations.c packs it). Offsets
count bits from the left (byte 0's high bit is bit 0); a negative offset counts back from the
end of the blob. Modify commands 0-12 take the bit policy's write flags and change the bin;
read commands 50-54 answer a blob (get) or an integer (count, lscan, rscan, get_int).

The server's rules, which this module keeps:
- the bin must hold a blob (INCOMPATIBLE_TYPE); only resize and insert create one, the others
  need it (BIN_NOT_FOUND), CREATE_ONLY refuses an existing bin (BIN_EXISTS), UPDATE_ONLY a
  missing one (BIN_NOT_FOUND); NO_FAIL turns a refusal into a no-op;
- bad arguments (types, counts, sizes 0 or over the limits, flags a command does not take) and
  offsets before the start are PARAMETER; a window past the end is OP_NOT_APPLICABLE for the
  bit-wise and integer commands (PARAMETER for remove), unless PARTIAL (set, or, xor, and, not,
  lshift, rshift, remove) cuts it at the end;
- add/subtract overflow fails (OP_NOT_APPLICABLE) unless SATURATE or WRAP;
- a bin operation with a CDT context is PARAMETER: the server does not run bit operations on
  nested blobs (as_bit_operations.h says so).

For the expression evaluator (as_exp_bit_*), two pure functions run the same commands on a
value, with the arguments already evaluated (the positions the wire form has):

    read(blob: bytes, command: int, args: Sequence[Any]) -> bytes | int
    modify(blob: Optional[bytes], command: int, args: Sequence[Any]) -> Optional[bytes]

`modify` answers the new blob (the same one for a no-op; None when nothing was created).
Both raise CommandError with the server's code.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import error_detail, particles
from .cdt_select import NO_RESULT
from .results import (ERR_BIN_EXISTS, ERR_BIN_NOT_FOUND, ERR_INCOMPATIBLE_TYPE, ERR_OP_NOT_APPLICABLE,
                      ERR_PARAMETER, ERR_UNSUPPORTED_FEATURE, CommandError)

BinValue = Tuple[int, bytes]

# Commands (as_bit_op).
RESIZE, INSERT, REMOVE, SET, OR, XOR, AND, NOT, LSHIFT, RSHIFT, ADD, SUBTRACT, SET_INT = range(13)
GET, COUNT, LSCAN, RSCAN, GET_INT, B64_ENCODE = range(50, 56)

# Write flags (as_bit_write_flags).
CREATE_ONLY, UPDATE_ONLY, NO_FAIL, PARTIAL = 1, 2, 4, 8
# Resize flags (as_bit_resize_flags).
RESIZE_FROM_FRONT, RESIZE_GROW_ONLY, RESIZE_SHRINK_ONLY = 1, 2, 4
# Integer flags: as_bit_math packs the overflow action or'ed with the sign bit.
INT_SIGNED, INT_SATURATE, INT_WRAP = 1, 2, 4

#: PROTO_SIZE_MAX: the largest message, and so the largest blob and offset (in bytes).
MAX_BYTES = 128 * 1024 * 1024
_U64 = (1 << 64) - 1


class _Op:
    """One parsed bit command: offset and size in bits, value, buffer, flags, subflags."""

    __slots__ = ("offset", "size", "value", "buf", "flags", "subflags")

    def __init__(self) -> None:
        self.offset = 0
        self.size = 0
        self.value = 0
        self.buf = b""
        self.flags = 0
        self.subflags = 0


def _bad(what: str, subcode: int = error_detail.SUB_NONE) -> CommandError:
    return error_detail.fail(ERR_PARAMETER, what, subcode)


_OFFSET, _SIZE = (error_detail.SUB_PARAM_BITS_OFFSET_OUT_OF_RANGE,
                  error_detail.SUB_PARAM_BITS_SIZE_OUT_OF_RANGE)


def _int(value: Any, what: str) -> int:
    if type(value) is not int:
        raise _bad(f"{what} must be an integer")
    return value


def _uint(value: Any, what: str) -> int:
    return _int(value, what) & _U64  # msgpack_get_uint64 takes a negative int as its bits


# Argument parsers, as the server's bits_parse_*: each fills part of the _Op.
def _byte_offset(op: _Op, value: Any) -> None:
    offset = _int(value, "byte offset")
    if abs(offset) > MAX_BYTES:
        raise _bad("byte offset too large", _OFFSET)
    op.offset = offset * 8


def _offset(op: _Op, value: Any) -> None:
    offset = _int(value, "bit offset")
    if abs(offset) > MAX_BYTES * 8:
        raise _bad("bit offset too large", _OFFSET)
    op.offset = offset


def _byte_size(op: _Op, value: Any, allow_zero: bool = False) -> None:
    size = _uint(value, "byte size")
    if size == 0 and not allow_zero or size > MAX_BYTES:
        raise _bad("bad byte size", _SIZE)
    op.size = size * 8


def _size(op: _Op, value: Any) -> None:
    size = _uint(value, "bit size")
    if size == 0 or size > MAX_BYTES * 8:
        raise _bad("bad bit size", _SIZE)
    op.size = size


def _integer_size(op: _Op, value: Any) -> None:
    size = _uint(value, "integer size")
    if not 0 < size <= 64:
        raise _bad("integer size must be 1 to 64 bits")
    op.size = size


def _bool(op: _Op, value: Any) -> None:
    if type(value) is not bool:
        raise _bad("value must be a boolean")
    op.value = int(value)


def _integer_value(op: _Op, value: Any) -> None:
    op.value = _uint(value, "value")


def _shift(op: _Op, value: Any) -> None:
    _integer_value(op, value)
    if op.value > MAX_BYTES * 8:
        raise _bad("shift too large")


def _buf(op: _Op, value: Any) -> None:
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    if not isinstance(value, bytes) or not value:
        raise _bad("value must be a non-empty blob")
    bits = len(value) * 8
    if op.size and bits < op.size:
        raise _bad("value shorter than the bit size")
    if not op.size:
        op.size = bits
    op.buf = bytes(value)


def _flags_parser(allowed: int) -> Callable[[_Op, Any], None]:
    def parse(op: _Op, value: Any) -> None:
        flags = _uint(value, "flags")
        if flags & ~allowed or flags & CREATE_ONLY and flags & UPDATE_ONLY:
            raise _bad(f"bad write flags {flags:#x}")
        op.flags = flags
    return parse


def _subflags_parser(allowed: int, exclusive: int = 0) -> Callable[[_Op, Any], None]:
    """Flags of `allowed` bits, of which the two `exclusive` ones may not come together."""
    def parse(op: _Op, value: Any) -> None:
        subflags = _uint(value, "flags")
        if subflags & ~allowed or exclusive and subflags & exclusive == exclusive:
            raise _bad(f"bad flags {subflags:#x}")
        op.subflags = subflags
    return parse


_CREATE_UPDATE = CREATE_ONLY | UPDATE_ONLY | NO_FAIL
_UPDATE_PARTIAL = UPDATE_ONLY | NO_FAIL | PARTIAL
_UPDATE = UPDATE_ONLY | NO_FAIL
_RESIZE_FLAGS = _subflags_parser(RESIZE_FROM_FRONT | RESIZE_GROW_ONLY | RESIZE_SHRINK_ONLY,
                                 RESIZE_GROW_ONLY | RESIZE_SHRINK_ONLY)
_MATH_FLAGS = _subflags_parser(INT_SIGNED | INT_SATURATE | INT_WRAP, INT_SATURATE | INT_WRAP)
_GET_INT_FLAGS = _subflags_parser(INT_SIGNED)
_BYTE_SIZE_ALLOW_ZERO: Callable[[_Op, Any], None] = lambda op, v: _byte_size(op, v, True)

# command -> (minimum args, argument parsers); the maximum is the number of parsers.
_Parsers = Tuple[int, Tuple[Callable[[_Op, Any], None], ...]]
_MODIFY: Dict[int, _Parsers] = {
    RESIZE: (1, (_BYTE_SIZE_ALLOW_ZERO, _flags_parser(_CREATE_UPDATE), _RESIZE_FLAGS)),
    INSERT: (2, (_byte_offset, _buf, _flags_parser(_CREATE_UPDATE))),
    REMOVE: (2, (_byte_offset, _byte_size, _flags_parser(_UPDATE_PARTIAL))),
    SET: (3, (_offset, _size, _buf, _flags_parser(_UPDATE_PARTIAL))),
    OR: (3, (_offset, _size, _buf, _flags_parser(_UPDATE_PARTIAL))),
    XOR: (3, (_offset, _size, _buf, _flags_parser(_UPDATE_PARTIAL))),
    AND: (3, (_offset, _size, _buf, _flags_parser(_UPDATE_PARTIAL))),
    NOT: (2, (_offset, _size, _flags_parser(_UPDATE_PARTIAL))),
    LSHIFT: (3, (_offset, _size, _shift, _flags_parser(_UPDATE_PARTIAL))),
    RSHIFT: (3, (_offset, _size, _shift, _flags_parser(_UPDATE_PARTIAL))),
    ADD: (3, (_offset, _integer_size, _integer_value, _flags_parser(_UPDATE), _MATH_FLAGS)),
    SUBTRACT: (3, (_offset, _integer_size, _integer_value, _flags_parser(_UPDATE), _MATH_FLAGS)),
    SET_INT: (3, (_offset, _integer_size, _integer_value, _flags_parser(_UPDATE))),
}
_READ: Dict[int, _Parsers] = {
    GET: (2, (_offset, _size)),
    COUNT: (2, (_offset, _size)),
    LSCAN: (3, (_offset, _size, _bool)),
    RSCAN: (3, (_offset, _size, _bool)),
    GET_INT: (2, (_offset, _integer_size, _GET_INT_FLAGS)),
}


def _parse(table: Dict[int, _Parsers], command: Any, args: Sequence[Any]) -> _Op:
    if command == B64_ENCODE and table is _READ:
        raise CommandError(ERR_UNSUPPORTED_FEATURE, "bit b64 encode needs server 8.2")
    if type(command) is not int or command not in table:
        raise _bad(f"unknown bit {'read' if table is _READ else 'modify'} command {command!r}")
    minimum, parsers = table[command]
    if not minimum <= len(args) <= len(parsers):
        raise _bad(f"bit command {command}: {len(args)} arguments")
    op = _Op()
    for parse, value in zip(parsers, args):
        parse(op, value)
    return op


# ---------------------------------------------------------------------------
# The window an operation covers
# ---------------------------------------------------------------------------

class _Span:
    """Where a parsed op lands in a blob of `old_size` bytes: its first byte, its first bit in
    that byte, and how many bytes it spans."""

    __slots__ = ("byte", "bit", "n_bytes")

    def __init__(self, op: _Op, old_size: int, exists: bool) -> None:
        offset = op.offset
        if offset < 0:
            if not exists or -offset > old_size * 8:
                raise _bad("bit offset before the start of the blob", _OFFSET)
            offset += old_size * 8
        self.byte, self.bit = divmod(offset, 8)
        self.n_bytes = (self.bit + op.size + 7) // 8


class _NoOp(Exception):
    """The operation does nothing (NO_FAIL, or already so)."""


def _refuse(op: _Op, code: int, what: str, subcode: int = error_detail.SUB_NONE) -> _NoOp:
    if op.flags & NO_FAIL:
        return _NoOp()
    raise error_detail.fail(code, what, subcode)


def _window(op: _Op, span: _Span, old_size: int, partial_ok: bool, past_end_code: int) -> None:
    """Check that the op's bits lie in the blob; PARTIAL cuts a window that runs past the end."""
    if span.byte >= old_size:
        raise _refuse(op, past_end_code, "bit operation past the end of the blob",
                      _OFFSET if past_end_code == ERR_PARAMETER else error_detail.SUB_NONE)
    if span.byte + span.n_bytes > old_size:
        if not (partial_ok and op.flags & PARTIAL):
            raise _refuse(op, past_end_code, "bit operation runs past the end of the blob",
                          _SIZE if past_end_code == ERR_PARAMETER else error_detail.SUB_NONE)
        op.size = (old_size - span.byte) * 8 - span.bit
        span.n_bytes = old_size - span.byte


# ---------------------------------------------------------------------------
# Bit windows as Python ints
# ---------------------------------------------------------------------------

def _get_bits(blob: bytes, start: int, size: int) -> int:
    """The `size` bits of `blob` from bit `start`, as an unsigned int."""
    first, last = start // 8, (start + size + 7) // 8
    chunk = int.from_bytes(blob[first:last], "big")
    return (chunk >> ((last - first) * 8 - (start - first * 8) - size)) & ((1 << size) - 1)


def _put_bits(blob: bytes, start: int, size: int, value: int) -> bytes:
    """`blob` with the `size` bits from bit `start` replaced by `value`."""
    first, last = start // 8, (start + size + 7) // 8
    width = (last - first) * 8
    shift = width - (start - first * 8) - size
    mask = ((1 << size) - 1) << shift
    chunk = int.from_bytes(blob[first:last], "big")
    chunk = chunk & ~mask | (value << shift) & mask
    return blob[:first] + chunk.to_bytes(last - first, "big") + blob[last:]


def _buf_bits(op: _Op) -> int:
    """The first op.size bits of the op's buffer."""
    return _get_bits(op.buf, 0, op.size)


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >> (bits - 1) & 1 else value


def _add(op: _Op, load: int, subtract: bool) -> int:
    bits = op.size
    mask = (1 << bits) - 1
    value = op.value & mask
    result = (load - value if subtract else load + value) & mask
    if op.subflags & INT_WRAP:
        return result
    saturate = op.subflags & INT_SATURATE
    if op.subflags & INT_SIGNED:
        # As the server checks it: operands of one sign and a result of the other.
        s_load, s_result = _signed(load, bits), _signed(result, bits)
        s_value = _signed((-value if subtract else value) & mask, bits)
        if s_load < 0 and s_value < 0 and s_result > 0:
            if not saturate:
                raise _Overflow()
            return 1 << (bits - 1)  # the most negative
        if s_load > 0 and s_value > 0 and s_result < 0:
            if not saturate:
                raise _Overflow()
            return mask >> 1  # the most positive
        return result
    if (result > load) if subtract else (result < load):
        if not saturate:
            raise _Overflow()
        return 0 if subtract else mask
    return result


class _Overflow(Exception):
    """An integer command overflowed without SATURATE or WRAP."""


def _window_modify(command: int, op: _Op, window: int) -> int:
    """The new value of an op's window of op.size bits."""
    size = op.size
    mask = (1 << size) - 1
    if command == SET:
        return _buf_bits(op)
    if command == OR:
        return window | _buf_bits(op)
    if command == XOR:
        return window ^ _buf_bits(op)
    if command == AND:
        return window & _buf_bits(op)
    if command == NOT:
        return ~window & mask
    if command == LSHIFT:
        return (window << op.value) & mask if op.value < size else 0
    if command == RSHIFT:
        return window >> op.value if op.value < size else 0
    if command in (ADD, SUBTRACT):
        return _add(op, window, command == SUBTRACT)
    return op.value & mask  # SET_INT


# ---------------------------------------------------------------------------
# The pure entry points (also the expression evaluator's)
# ---------------------------------------------------------------------------

def modify(blob: Optional[bytes], command: int, args: Sequence[Any]) -> Optional[bytes]:
    """Run a bit modify command on a blob value (None: no bin); returns the new blob."""
    op = _parse(_MODIFY, command, args)
    try:
        return _modify(blob, command, op)
    except _NoOp:
        return blob


def _modify(blob: Optional[bytes], command: int, op: _Op) -> Optional[bytes]:
    if blob is not None and op.flags & CREATE_ONLY:
        raise _refuse(op, ERR_BIN_EXISTS, "the bin exists (CREATE_ONLY)")
    if blob is None and (command not in (INSERT, RESIZE) or op.flags & UPDATE_ONLY):
        raise _refuse(op, ERR_BIN_NOT_FOUND, "bit operation needs an existing bin")
    old = blob or b""
    old_size = len(old)
    span = _Span(op, old_size, blob is not None)
    if command == RESIZE:
        new = _resize(op, old, span.n_bytes)
    elif command == INSERT:
        if span.byte >= old_size:
            new = old + bytes(span.byte - old_size) + op.buf
        else:
            new = old[:span.byte] + op.buf + old[span.byte:]
    elif command == REMOVE:
        _window(op, span, old_size, True, ERR_PARAMETER)
        new = old[:span.byte] + old[span.byte + span.n_bytes:]
    else:
        integer = command in (ADD, SUBTRACT, SET_INT)
        _window(op, span, old_size, not integer, ERR_OP_NOT_APPLICABLE)
        start = span.byte * 8 + span.bit
        try:
            value = _window_modify(command, op, _get_bits(old, start, op.size))
        except _Overflow:
            raise _refuse(op, ERR_OP_NOT_APPLICABLE, "integer overflow") from None
        new = _put_bits(old, start, op.size, value)
    if len(new) >= MAX_BYTES:
        raise _bad("the blob would be too large", error_detail.SUB_PARAM_BITS_RESIZE_EXCEEDED)
    return new


def _resize(op: _Op, old: bytes, new_size: int) -> bytes:
    from_front = op.subflags & RESIZE_FROM_FRONT
    if new_size < len(old):
        if op.subflags & RESIZE_GROW_ONLY:
            raise _refuse(op, ERR_PARAMETER, "cannot shrink with GROW_ONLY")
        return old[len(old) - new_size:] if from_front else old[:new_size]
    if new_size > len(old):
        if op.subflags & RESIZE_SHRINK_ONLY:
            raise _refuse(op, ERR_PARAMETER, "cannot grow with SHRINK_ONLY")
        grow = bytes(new_size - len(old))
        return grow + old if from_front else old + grow
    raise _NoOp()  # already that size (a missing bin resized to 0 stays missing)


def read(blob: bytes, command: int, args: Sequence[Any]) -> Any:
    """Run a bit read command on a blob value: bytes for get, an int for the others."""
    return _read(blob, command, _parse(_READ, command, args))


def _read(blob: bytes, command: int, op: _Op) -> Any:
    span = _Span(op, len(blob), True)
    _window(op, span, len(blob), False, ERR_OP_NOT_APPLICABLE)
    start = span.byte * 8 + span.bit
    window = _get_bits(blob, start, op.size)
    if command == GET:
        n_bytes = (op.size + 7) // 8
        return (window << (n_bytes * 8 - op.size)).to_bytes(n_bytes, "big")
    if command == COUNT:
        return bin(window).count("1")
    if command == GET_INT:
        return _signed(window, op.size) if op.subflags & INT_SIGNED else window
    wanted = window if op.value else ~window & ((1 << op.size) - 1)
    if not wanted:
        return -1
    if command == LSCAN:
        return op.size - wanted.bit_length()
    return op.size - 1 - ((wanted & -wanted).bit_length() - 1)  # RSCAN


# ---------------------------------------------------------------------------
# Record-level entry (records.py)
# ---------------------------------------------------------------------------

def operate(current: Optional[BinValue], ptype: int, payload: bytes,
            modify_op: bool) -> Tuple[Optional[BinValue], Any]:
    """Apply a bit operation to a bin value (particle type, bytes), in the server's order of
    checks. Returns (new bin value, result); the result is NO_RESULT for modify commands and
    for a read of a missing bin."""
    if ptype != particles.BLOB:
        raise CommandError(ERR_INCOMPATIBLE_TYPE, "bit operations take a blob")
    command, args = _decode(payload)
    if not modify_op:
        if current is None:
            return None, NO_RESULT
        op = _parse(_READ, command, args)
        _check_blob(current)
        return current, _read(current[1], command, op)
    op = _parse(_MODIFY, command, args)
    try:
        if current is not None:
            if op.flags & CREATE_ONLY:
                raise _refuse(op, ERR_BIN_EXISTS, "the bin exists (CREATE_ONLY)")
            _check_blob(current)
        new = _modify(None if current is None else current[1], command, op)
    except _NoOp:
        return current, NO_RESULT
    return (None if new is None else (particles.BLOB, new)), NO_RESULT


def _check_blob(current: BinValue) -> None:
    if current[0] != particles.BLOB:
        raise CommandError(ERR_INCOMPATIBLE_TYPE, "bit operation on a bin that is not a blob")


def _decode(payload: bytes) -> Tuple[Any, List[Any]]:
    try:
        return particles.unpack_command(payload)
    except particles.ParticleError:
        raise _bad("bad bit operation") from None
