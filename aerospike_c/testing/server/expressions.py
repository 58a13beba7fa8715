"""Filter expressions (the filter field of record, batch and scan/query commands).

A filter is msgpack: [code, args...] trees that the client's as_exp_build wrote. Evaluating one
gives True, False, a value, or UNKNOWN (a missing bin, a type mismatch) which filters out.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any, Dict, List, Optional

from . import geojson, particles
from .results import ERR_PARAMETER, ERR_UNSUPPORTED_FEATURE, CommandError
from .store import CITRUSLEAF_EPOCH, Record

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


def _int_div(dividend: int, divisor: int) -> int:
    """C's integer division: exact, truncated toward zero (float division loses digits)."""
    quotient = abs(dividend) // abs(divisor)
    return quotient if (dividend < 0) == (divisor < 0) else -quotient


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
            result = _int_div(result, value) if type(result) is int else result / value
        elif code == 50:
            result = min(result, value)
        elif code == 51:
            result = max(result, value)
    if len(args) == 1 and code in (21, 23):  # one operand: negation, reciprocal
        if code == 21:
            result = -result
        elif result == 0:
            return _UNKNOWN
        else:
            result = int(1 / result) if type(result) is int else 1 / result
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


# -- checking an expression as a server builds it ---------------------------------------
# A server builds a filter before it reads any record: a malformed or ill-typed expression
# (an operand of the wrong type, a filter that is not boolean) fails the command with
# ERR_PARAMETER whatever the records hold. An operation the embedded server does not evaluate
# fails it with ERR_UNSUPPORTED_FEATURE, just as loudly.

#: Static types: the value types of the expression protocol (_EXP_TYPES), "num" for an int or
#: float not yet known, and ANY where only evaluation can tell.
ANY = "any"
_TYPE_NAMES = {0: "nil", 1: "bool", 2: "int", 3: "str", 4: "list", 5: "map", 6: "blob",
               7: "float", 8: "geo", 9: "hll"}
_COMPARE, _LOGIC, _ARITH = range(1, 7), (16, 17, 19), (20, 21, 22, 23, 50, 51)
#: Operation codes a server knows that the embedded server does not evaluate: geo compare,
#: pow, log, mod, the integer bit operations, to_string, remove_result, map keys/values in,
#: loop variables, CDT/bit/HLL calls.
_UNSUPPORTED = frozenset({0, 8, 24, 25, 26, *range(32, 42), 99, 100, 101, 102, 122, 127})
#: Result types of the record metadata operations.
_METADATA = {64: "int", 65: "int", 66: "int", 67: "int", 68: "int", 69: "int", 70: "str",
             71: "bool", 72: "bool", 73: "int", 74: "int"}


def _bad(message: str) -> CommandError:
    return CommandError(ERR_PARAMETER, message)


def _literal_type(value: Any) -> str:
    if value is None:
        return "nil"
    if type(value) is bool:
        return "bool"
    if type(value) is int:
        return "int"
    if type(value) is float:
        return "float"
    if isinstance(value, particles.GeoJSON):
        try:
            geojson.check(value)
        except CommandError:
            raise _bad("bad GeoJSON value") from None
        return "geo"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, (bytes, particles.TypedBytes)):
        return "blob"
    raise _bad("bad expression value")


def _expect(actual: str, *allowed: str) -> None:
    if actual != ANY and actual not in allowed:
        raise _bad(f"expression operand of type {actual}, not {' or '.join(allowed)}")


def _same(types: List[str]) -> str:
    """The one type of operands that must agree (ANY when none is known)."""
    known = {t for t in types if t != ANY}
    if len(known) > 1:
        raise _bad(f"expression operands of types {' and '.join(sorted(known))}")
    return known.pop() if known else ANY


def check_type(node: Any) -> str:
    """The static type of an expression node, checked as a server builds it (CommandError)."""
    if not isinstance(node, list):
        return _literal_type(node)
    if not node or type(node[0]) is not int:
        raise _bad("bad expression")
    code, args = node[0], node[1:]
    if code == 126:  # quoted list literal
        return "list"
    if code == 81:  # bin: [81, type, name]
        if len(args) != 2 or args[0] not in _TYPE_NAMES:
            raise _bad("bad bin expression")
        return _TYPE_NAMES[args[0]]
    if code == 80:  # stored user key: [80, type]
        if len(args) != 1 or args[0] not in (2, 3, 6):
            raise _bad("bad key expression")
        return _TYPE_NAMES[args[0]]
    if code == 82:
        return "int"
    if code in _METADATA:
        return _METADATA[code]
    if code == 124:  # a variable's value
        return ANY
    if code == 125:  # let: name, value, ..., result
        if len(args) % 2 != 1:
            raise _bad("bad let expression")
        for value in args[1:-1:2]:
            check_type(value)
        return check_type(args[-1])
    if code == 123:  # cond: test, value, ..., default
        if len(args) < 3 or len(args) % 2 != 1:
            raise _bad("bad cond expression")
        for test in args[0:-1:2]:
            _expect(check_type(test), "bool")
        return _same([check_type(v) for v in list(args[1:-1:2]) + [args[-1]]])
    if code == 7:  # regex: flags, pattern, string
        if len(args) != 3 or type(args[0]) is not int:
            raise _bad("bad regex expression")
        _expect(check_type(args[2]), "str")
        return "bool"
    if code in _UNSUPPORTED and code != 8:
        raise _unsupported(code)
    types = [check_type(a) for a in args]
    if code in _COMPARE:
        if len(types) != 2:
            raise _bad("comparison needs two operands")
        _same(types)
        return "bool"
    if code == 8:
        if len(types) != 2:
            raise _bad("geo comparison needs two operands")
        _expect(types[0], "geo")
        _expect(types[1], "geo")
    elif code == 9:  # value in list
        if len(types) != 2:
            raise _bad("in-list needs two operands")
        _expect(types[1], "list")
        return "bool"
    elif code in _LOGIC or code == 18:
        if not types or (code == 18 and len(types) != 1):
            raise _bad("bad logical expression")
        for t in types:
            _expect(t, "bool")
        return "bool"
    elif code in _ARITH:
        if not types:
            raise _bad("arithmetic needs operands")
        for t in types:
            _expect(t, "int", "float")
        return _same(types)
    elif code in (27, 28, 29, 30, 31):
        if len(types) != 1:
            raise _bad("bad numeric expression")
        allowed = {27: ("int", "float"), 28: ("float",), 29: ("float",), 30: ("float",),
                   31: ("int",)}[code]
        _expect(types[0], *allowed)
        return {27: types[0], 28: "float", 29: "float", 30: "int", 31: "float"}[code]
    elif code != 8:
        raise _bad(f"unknown expression operation {code}")
    raise _unsupported(code)


def _unsupported(code: int) -> CommandError:
    return CommandError(ERR_UNSUPPORTED_FEATURE,
                        f"expression operation {code} is not supported by the embedded server")


def compile_filter(data: Optional[bytes]) -> Any:
    """Decode a filter expression field (None when absent) and check it as a server builds it:
    malformed, ill-typed or not boolean is ERR_PARAMETER, not evaluated here is
    ERR_UNSUPPORTED_FEATURE."""
    if data is None:
        return None
    try:
        expression = particles.unpack(data)
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, "bad filter expression") from None
    _expect(check_type(expression), "bool")
    return expression


def filter_passes(expression: Any, record: Record, digest: bytes, now: int) -> bool:
    """True when a decoded filter expression accepts the record."""
    if expression is None:
        return True
    return _eval(expression, _ExpRecord(record, digest, now), {}) is True
