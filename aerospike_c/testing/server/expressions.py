"""Expressions: the filter field of record, batch and scan/query commands, and the expression
read/write operations (wire op types EXP_READ 7 and EXP_MODIFY 8).

An expression is msgpack: [code, args...] trees that the client's as_exp_compile wrote. A
server builds one before it reads any record: malformed or ill-typed is ERR_PARAMETER
(`check_type`), an operation the embedded server does not evaluate ERR_UNSUPPORTED_FEATURE.
Evaluating one gives a value or UNKNOWN (a missing bin, a value of another type, a failed
CDT call), which filters out and fails an operation with ERR_OP_NOT_APPLICABLE.
"""

from __future__ import annotations

import importlib
import math
import re
import time
from typing import Any, Dict, List, Optional, Tuple

from . import cdt, cdt_path, error_detail, geojson, particles, regex, strings
from .cdt_select import NO_RESULT
from .results import (ERR_BIN_EXISTS, ERR_BIN_NOT_FOUND, ERR_FILTERED_OUT, ERR_OP_NOT_APPLICABLE,
                      ERR_PARAMETER, ERR_UNSUPPORTED_FEATURE, CommandError)
from .store import CITRUSLEAF_EPOCH, BinValue, Record

UNKNOWN = object()  # an expression whose value cannot be known (e.g. a missing bin)
_UNKNOWN = UNKNOWN
#: What as_exp_remove_result() evaluates to: a path apply (cdt_path.py) removes the element.
REMOVE_RESULT = object()
#: The env entry holding a path expression's loop variables {AS_EXP_LOOPVAR_*: value}.
_LOOP = b"\x00loop"
_EXP_TYPES = {0: type(None), 1: bool, 2: int, 3: str, 4: list, 5: dict, 6: bytes, 7: float,
              8: particles.GeoJSON}
_HLL_PARTICLE = 18
_INT64 = (1 << 64) - 1

# Call systems (as_exp.h _AS_EXP_SYS_CALL_*) and the modify flag.
CALL_CDT, CALL_BITS, CALL_HLL, CALL_STRING = 0, 1, 2, 3
CALL_MODIFY = 0x40

# as_exp_operations.h flags.
WRITE_CREATE_ONLY, WRITE_UPDATE_ONLY, WRITE_ALLOW_DELETE = 1, 2, 4
WRITE_POLICY_NO_FAIL, WRITE_EVAL_NO_FAIL = 8, 16
READ_EVAL_NO_FAIL = 16


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


class ExpRecord:
    """What expressions may look at: the record (its metadata), and its bins as the command
    has them so far (an operation sees the bins earlier operations wrote)."""

    __slots__ = ("record", "digest", "now", "bins")

    def __init__(self, record: Optional[Record], digest: bytes, now: int,
                 bins: Optional[Dict[bytes, BinValue]] = None) -> None:
        self.record = record
        self.digest = digest
        self.now = now
        self.bins = bins if bins is not None else (record.bins if record is not None else {})


def _compare(code: int, left: Any, right: Any) -> Any:
    if left is _UNKNOWN or right is _UNKNOWN:
        return _UNKNOWN
    if code in (1, 2):
        equal = particles.values_equal(left, right) and _same_kind(left, right)
        return equal if code == 1 else not equal
    if not _same_kind(left, right):
        return _UNKNOWN
    a, b = particles.order_key(left), particles.order_key(right)
    return {3: a > b, 4: a >= b, 5: a < b, 6: a <= b}[code]


def _same_kind(left: Any, right: Any) -> bool:
    for kinds in ((bool,), (int,), (float,), (str,), (bytes,), (list,), (dict,)):
        if isinstance(left, kinds) and isinstance(right, kinds):
            return isinstance(left, bool) == isinstance(right, bool)
    return type(left) is type(right)


def _int_div(dividend: int, divisor: int) -> int:
    """C's integer division: exact, truncated toward zero (float division loses digits)."""
    quotient = abs(dividend) // abs(divisor)
    return quotient if (dividend < 0) == (divisor < 0) else -quotient


def _arith(code: int, args: List[Any]) -> Any:
    if any(a is _UNKNOWN for a in args):
        return _UNKNOWN
    if not args or any(type(a) not in (int, float) for a in args):
        return _UNKNOWN
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


def _int_op(code: int, values: List[Any]) -> Any:
    """The integer operations 32-41 on signed 64-bit values."""
    if any(v is _UNKNOWN for v in values):
        return _UNKNOWN
    if code in (32, 33, 34):
        result = values[0] & _INT64
        for value in values[1:]:
            value &= _INT64
            result = result & value if code == 32 else result | value if code == 33 else result ^ value
        return particles.to_int64(result)
    if code == 35:
        return particles.to_int64(~values[0])
    if code in (36, 37, 38):
        value, shift = values
        shift &= 63
        if code == 36:
            return particles.to_int64(value << shift)
        if code == 37:
            return particles.to_int64((value & _INT64) >> shift)
        return value >> shift
    if code == 39:
        return bin(values[0] & _INT64).count("1")
    value, search = values[0] & _INT64, values[1]
    bits = [(value >> (63 - i)) & 1 for i in range(64)]  # from the most significant bit
    wanted = 1 if search else 0
    positions = [i for i, bit in enumerate(bits) if bit == wanted]
    if not positions:
        return -1
    return positions[0] if code == 40 else positions[-1]


def _math(code: int, values: List[Any]) -> Any:
    """pow, log, mod."""
    if any(v is _UNKNOWN for v in values):
        return _UNKNOWN
    a, b = values
    try:
        if code == 24:
            return float(math.pow(a, b))
        if code == 25:
            return float(math.log(a, b))
    except (ValueError, ZeroDivisionError, OverflowError):
        return _UNKNOWN
    if b == 0:
        return _UNKNOWN
    return a - _int_div(a, b) * b  # C's %: the sign of the dividend


def _metadata(code: int, args: List[Any], ctx: ExpRecord) -> Any:
    record = ctx.record
    if record is None:
        return _UNKNOWN
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


def _bin_value(value: BinValue) -> Any:
    return particles.decode_particle(value[0], value[1])


def _server_module(name: str) -> Any:
    """The server module whose pure functions evaluate a call system (bit.py: read(blob,
    command, args), modify(blob, command, args)); None while the embedded server has none."""
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ImportError:
        return None


#: Call systems evaluated by a server module's pure functions: (module, the value's type).
_MODULE_CALLS = {CALL_BITS: ("bit", "blob"), CALL_HLL: ("hll", "hll")}


def _module_call(system: int, request: List[Any], target: Any, ctx: ExpRecord,
                 env: Dict[bytes, Any]) -> Any:
    """A bit or HLL call: the bin's value, then the module's read(value, command, args) or
    modify(value, command, args) (bit.py: the new blob; hll.py: (the new HLL, result))."""
    name, kind = _MODULE_CALLS[system & ~CALL_MODIFY]
    module = _server_module(name)
    if module is None:
        raise _unsupported(127, name)
    value = _eval(target, ctx, env)
    params = [_eval(p, ctx, env) for p in request[1:]]
    creates = kind == "hll" and bool(system & CALL_MODIFY) and value is None  # hll_init on nil
    if not creates and (value is _UNKNOWN or not isinstance(value, bytes) or (
            kind == "hll") != (isinstance(value, particles.TypedBytes))) or _UNKNOWN in params:
        return _UNKNOWN
    try:
        if not system & CALL_MODIFY:
            return module.read(bytes(value), request[0], params)
        if kind == "blob":
            return module.modify(bytes(value), request[0], params)
        new, _ = module.modify(None if creates else bytes(value), request[0], params)
        return None if new is None else particles.TypedBytes(_HLL_PARTICLE, new)
    except CommandError as exc:
        if exc.code == ERR_UNSUPPORTED_FEATURE:
            raise
        return _UNKNOWN


def _string_call(system: int, request: List[Any], target: Any, ctx: ExpRecord,
                 env: Dict[bytes, Any]) -> Any:
    """A string call (as_exp_string_*): strings.py's operation on the operand's text. A
    failure (text that is not UTF-8, a bad argument, a failed conversion) is UNKNOWN."""
    value = _eval(target, ctx, env)
    params = [_eval(p, ctx, env) for p in request[1:]]
    if value is _UNKNOWN or not isinstance(value, str) or isinstance(
            value, particles.GeoJSON) or _UNKNOWN in params:
        return _UNKNOWN
    try:
        return strings.expression_call(request[0], value, params, bool(system & CALL_MODIFY))
    except CommandError:
        return _UNKNOWN


def _to_string(value: Any) -> Any:
    """as_exp_to_string: strings.py's OP_TO_STRING on a value; UNKNOWN where it fails."""
    if value is _UNKNOWN or value is None or isinstance(value, particles.GeoJSON):
        return _UNKNOWN
    try:
        return strings.to_string_value(value)
    except CommandError:
        return _UNKNOWN


def _call(args: List[Any], ctx: ExpRecord, env: Dict[bytes, Any]) -> Any:
    """[127, rtype, system, [op, params...] or [0xff, context, [op, params...]], bin]."""
    system, request, target = args[1], args[2], args[3]
    if system & ~CALL_MODIFY in _MODULE_CALLS:
        return _module_call(system, request, target, ctx, env)
    if system & ~CALL_MODIFY == CALL_STRING:
        return _string_call(system, request, target, ctx, env)
    if system & ~CALL_MODIFY != CALL_CDT:
        raise _unsupported(127)
    value = _eval(target, ctx, env)
    if value is _UNKNOWN or not isinstance(value, (list, dict)):
        return _UNKNOWN
    if request[0] == cdt_path.SELECT_BY_PATH:  # as_exp_select_by_path / _modify_by_path
        try:
            result = cdt_path.operate(value, request[1:], bool(system & CALL_MODIFY), ctx.bins)
        except CommandError as exc:
            if exc.code == ERR_UNSUPPORTED_FEATURE:
                raise
            return _UNKNOWN
        return value if result is None else result
    context = None
    if request[0] == cdt.CONTEXT_MARKER:
        context, request = request[1], request[2]
    params = [_eval(p, ctx, env) for p in request[1:]]
    if any(p is _UNKNOWN for p in params):
        return _UNKNOWN
    operation: List[Any] = [request[0], *params]
    decoded = [cdt.CONTEXT_MARKER, context, operation] if context is not None else operation
    modify = bool(system & CALL_MODIFY)
    try:
        new_value, result = cdt.operate_decoded(particles.encode_particle(value), decoded, modify)
    except CommandError as exc:
        if exc.code == ERR_UNSUPPORTED_FEATURE:
            raise
        return _UNKNOWN
    if modify:
        return _bin_value(new_value) if new_value is not None else value
    return _UNKNOWN if result is NO_RESULT else result


def _eval(node: Any, ctx: ExpRecord, env: Dict[bytes, Any]) -> Any:
    if not isinstance(node, list):
        return node
    code, args = node[0], node[1:]
    if code == 126:  # quoted list literal
        return args[0] if args else particles.CdtList()
    if code == 81:  # bin
        raw = ctx.bins.get(_raw_text(args[1]))
        if raw is None:
            return _UNKNOWN
        value = _bin_value(raw)
        if args[0] == 9:
            return value if raw[0] == _HLL_PARTICLE else _UNKNOWN
        wanted = _EXP_TYPES.get(args[0])
        if wanted is None or not isinstance(value, wanted) or (
                wanted is int and isinstance(value, bool)) or (
                wanted is str and isinstance(value, particles.GeoJSON)):
            return _UNKNOWN
        return value
    if code == 82:  # bin type
        raw = ctx.bins.get(_raw_text(args[0]))
        return 0 if raw is None else raw[0]
    if code == 80:  # stored user key
        key = ctx.record.key if ctx.record is not None else None
        if key is None:
            return _UNKNOWN
        value = particles.decode_particle(key[0], key[1])
        return value if isinstance(value, _EXP_TYPES[args[0]]) else _UNKNOWN
    if code == 124:  # variable
        return env.get(_raw_text(args[0]), _UNKNOWN)
    if code == 122:  # loop variable of a path expression: [122, type, AS_EXP_LOOPVAR_*]
        value = env.get(_LOOP, {}).get(args[1], _UNKNOWN)
        wanted = _EXP_TYPES.get(args[0])
        if value is _UNKNOWN or wanted is None:
            return value
        return value if isinstance(value, wanted) and (wanted is not int or type(
            value) is not bool) else _UNKNOWN
    if code == 100:  # remove_result
        return REMOVE_RESULT
    if code == 125:  # let
        scope = dict(env)
        for i in range(0, len(args) - 1, 2):
            scope[_raw_text(args[i])] = _eval(args[i + 1], ctx, scope)
        return _eval(args[-1], ctx, scope)
    if code == 123:  # cond
        for i in range(0, len(args) - 1, 2):
            test = _eval(args[i], ctx, env)
            if test is _UNKNOWN:
                return _UNKNOWN
            if test is True:
                return _eval(args[i + 1], ctx, env)
        return _eval(args[-1], ctx, env)
    if code == 0:  # unknown
        return _UNKNOWN
    if 64 <= code <= 74:
        return _metadata(code, args, ctx)
    if code == 7:  # regex: flags, pattern, string
        text = _eval(args[2], ctx, env)
        if text is _UNKNOWN or not isinstance(text, str):
            return _UNKNOWN
        flags = re.IGNORECASE if args[0] & 2 else 0
        try:
            return regex.search(_raw_text(args[1]).decode("utf-8", "replace"), flags, text)
        except re.error:
            raise CommandError(ERR_PARAMETER, "bad regex") from None
    if code == 127:
        return _call(args, ctx, env)
    if code == 99:  # to_string
        return _to_string(_eval(args[0], ctx, env))
    if code in (16, 17):  # and stops at the first false, or at the first true
        decisive = code == 17
        unknown = False
        for arg in args:
            value = _eval(arg, ctx, env)
            if value is decisive:
                return decisive
            unknown = unknown or value is _UNKNOWN
        return _UNKNOWN if unknown else not decisive
    values = [_eval(a, ctx, env) for a in args]
    if 1 <= code <= 6:
        return _compare(code, values[0], values[1])
    if code == 18:
        return _UNKNOWN if values[0] is _UNKNOWN else values[0] is not True
    if code == 19:
        return _UNKNOWN if _UNKNOWN in values else sum(v is True for v in values) == 1
    if code == 8:  # geo compare: a region holding a point, or the reverse
        if any(type(v) is not particles.GeoJSON for v in values):
            return _UNKNOWN
        return geojson.matches(values[0], values[1])
    if code == 9:  # value in list
        if _UNKNOWN in values or not isinstance(values[1], list):
            return _UNKNOWN
        return any(particles.values_equal(values[0], v) and _same_kind(values[0], v)
                   for v in values[1])
    if code in (20, 21, 22, 23, 50, 51):
        return _arith(code, values)
    if code in (24, 25, 26):
        return _math(code, values)
    if 32 <= code <= 41:
        return _int_op(code, values)
    if code in (27, 28, 29, 30, 31):
        value = values[0]
        if value is _UNKNOWN:
            return _UNKNOWN
        if code == 27:
            return particles.to_int64(abs(value)) if type(value) is int else abs(value)
        if code == 28:
            return float(math.floor(value))
        if code == 29:
            return float(math.ceil(value))
        if code == 30:
            if math.isnan(value) or math.isinf(value):
                return _UNKNOWN
            return max(-(1 << 63), min((1 << 63) - 1, int(value)))
        return float(value)
    raise _unsupported(code)


# -- checking an expression as a server builds it ---------------------------------------
#: Static types: the value types of the expression protocol (_TYPE_NAMES), and ANY where only
#: evaluation can tell (a variable, unknown, a CDT call's value given as AUTO).
ANY = "any"
_TYPE_NAMES = {0: "nil", 1: "bool", 2: "int", 3: "str", 4: "list", 5: "map", 6: "blob",
               7: "float", 8: "geo", 9: "hll"}


def _known_type(value: Any) -> bool:
    """An expression type code (a list or map in its place is refused, not hashed)."""
    return type(value) is int and value in _TYPE_NAMES


_COMPARE, _LOGIC, _ARITH = range(1, 7), (16, 17, 19), (20, 21, 22, 23, 50, 51)
#: Operation codes a server knows that the embedded server does not evaluate: map keys/values
#: in (server 8.2).
_UNSUPPORTED = frozenset({101, 102})
#: The operand types of to_string (as_exp_to_string).
_TO_STRING_OPERANDS = ("int", "float", "str", "bool", "blob")
#: Result types of the record metadata operations.
_METADATA = {64: "int", 65: "int", 66: "int", 67: "int", 68: "int", 69: "int", 70: "str",
             71: "bool", 72: "bool", 73: "int", 74: "int"}
#: Operand and result types of the numeric operations (one operand kind, all operands).
_NUMERIC = {24: ("float", "float"), 25: ("float", "float"), 26: ("int", "int"),
            32: ("int", "int"), 33: ("int", "int"), 34: ("int", "int"), 35: ("int", "int"),
            36: ("int", "int"), 37: ("int", "int"), 38: ("int", "int"), 39: ("int", "int")}
_ARITY = {24: 2, 25: 2, 26: 2, 35: 1, 36: 2, 37: 2, 38: 2, 39: 1, 40: 2, 41: 2}


def _bad(message: str) -> CommandError:
    return CommandError(ERR_PARAMETER, message)


def _literal_type(value: Any) -> str:
    if value is None:
        return "nil"
    if value is particles.INFINITY or value is particles.WILDCARD:  # CDT range ends, patterns
        return ANY
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
    if isinstance(value, particles.TypedBytes):
        return "hll" if value.particle_type == _HLL_PARTICLE else "blob"
    if isinstance(value, bytes):
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


def _check_call(args: List[Any]) -> str:
    if len(args) != 4 or type(args[0]) is not int or type(args[1]) is not int or \
            not isinstance(args[2], list) or not args[2] or type(args[2][0]) is not int:
        raise _bad("bad call expression")
    rtype, system, request = args[0], args[1], args[2]
    module_call = _MODULE_CALLS.get(system & ~CALL_MODIFY)
    if module_call is not None and _server_module(module_call[0]) is not None:
        for param in request[1:]:
            check_type(param)
        if module_call[1] == "hll" and system & CALL_MODIFY:
            _expect(check_type(args[3]), "hll", "nil")  # hll_init/add on nil make a new HLL
        else:
            _expect(check_type(args[3]), module_call[1])
        if not _known_type(rtype):
            raise _bad("bad call return type")
        return _TYPE_NAMES[rtype]
    if system & ~CALL_MODIFY == CALL_STRING:
        return _check_string_call(rtype, bool(system & CALL_MODIFY), request, args[3])
    if system & ~CALL_MODIFY != CALL_CDT:
        raise _unsupported(127, {CALL_BITS: "bit", CALL_HLL: "HLL"}.get(
            system & ~CALL_MODIFY, "this"))
    if request[0] == cdt.CONTEXT_MARKER:
        if len(request) != 3 or not isinstance(request[2], list) or not request[2] \
                or not isinstance(request[1], list):
            raise _bad("bad call context")
        request = request[2]
    if request[0] == cdt_path.SELECT_BY_PATH:  # [0xfe, ctx, flags(, apply expression)]
        if len(request) not in (3, 4) or not isinstance(request[1], list) or \
                type(request[2]) is not int or (len(request) == 4) != bool(
                    request[2] & cdt_path.FLAG_APPLY):
            raise _bad("bad path select/apply call")
        for ctype, cvalue in zip(request[1][::2], request[1][1::2]):
            if ctype in (cdt_path.CTX_EXP, cdt_path.CTX_AND_EXP):
                _expect(check_type(cvalue), "bool")
        if len(request) == 4:
            check_type(request[3])
        _expect(check_type(args[3]), "list", "map")
        if not _known_type(rtype):
            raise _bad("bad call return type")
        return _TYPE_NAMES[rtype]
    for param in request[1:]:
        check_type(param)
    _expect(check_type(args[3]), "list", "map")
    if not _known_type(rtype):
        raise _bad("bad call return type")
    return _TYPE_NAMES[rtype]


def _check_string_call(rtype: int, modify: bool, request: List[Any], target: Any) -> str:
    """A string call: a command of its kind (read or modify) with the parameters as_exp.h
    sends, on a string operand, with the command's own result type as rtype (our choice: an
    rtype that disagrees is refused, not trusted)."""
    command = request[0]
    signature = strings.EXP_SIGNATURES.get(command)
    if signature is None or (command >= 50) != modify:
        raise _bad(f"unknown string call {command}")
    result, required, optional = signature
    params = request[1:]
    if not len(required) <= len(params) <= len(required) + len(optional):
        raise _bad(f"bad parameter count for string call {command}")
    for param, wanted in zip(params, required + optional):
        _expect(check_type(param), wanted)
    _expect(check_type(target), "str")
    if _TYPE_NAMES.get(rtype) != result:
        raise _bad("bad call return type")
    return result


def check_type(node: Any) -> str:
    """The static type of an expression node, checked as a server builds it (CommandError).
    A refusal keeps the nodes from the root to the refusing operation (`exc.build_nodes`) for
    the error details' build trace."""
    try:
        return _check_node(node)
    except CommandError as exc:
        if exc.code == ERR_PARAMETER and isinstance(node, list) and node and \
                type(node[0]) is int:
            nodes = getattr(exc, "build_nodes", None)
            if nodes is None:
                nodes = []
                setattr(exc, "build_nodes", nodes)
            nodes.insert(0, node)
        raise


def _check_node(node: Any) -> str:
    if not isinstance(node, list):
        return _literal_type(node)
    if not node or type(node[0]) is not int:
        raise _bad("bad expression")
    code, args = node[0], node[1:]
    if code == 126:  # quoted list literal
        if len(args) != 1 or not isinstance(args[0], list):
            raise _bad("bad quoted list")
        return "list"
    if code == 0:  # unknown: any type
        return ANY
    if code == 81:  # bin: [81, type, name]
        if len(args) != 2 or not _known_type(args[0]):
            raise _bad("bad bin expression")
        return _TYPE_NAMES[args[0]]
    if code == 80:  # stored user key: [80, type]
        if len(args) != 1 or args[0] not in (2, 3, 6):
            raise _bad("bad key expression")
        return _TYPE_NAMES[args[0]]
    if code == 82:
        if len(args) != 1:
            raise _bad("bad bin type expression")
        return "int"
    if code in _METADATA:
        return _METADATA[code]
    if code == 124:  # a variable's value
        if len(args) != 1:
            raise _bad("bad var expression")
        return ANY
    if code == 125:  # let: name, value, ..., result
        if len(args) < 3 or len(args) % 2 != 1:
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
    if code == 127:
        return _check_call(args)
    if code == 122:  # a loop variable: [122, type, var id]
        if len(args) != 2 or not _known_type(args[0]) or args[1] not in (0, 1, 2):
            raise _bad("bad loop variable expression")
        return _TYPE_NAMES[args[0]]
    if code == 100:  # remove_result (a path apply's value)
        return ANY
    if code == 99:  # to_string: [99, operand]
        if len(args) != 1:
            raise _bad("bad to_string expression")
        _expect(check_type(args[0]), *_TO_STRING_OPERANDS)
        return "str"
    if code in _UNSUPPORTED:
        raise _unsupported(code)
    types = [check_type(a) for a in args]
    if code == 8:  # geo compare
        if len(types) != 2:
            raise _bad("geo comparison needs two operands")
        _expect(types[0], "geo")
        _expect(types[1], "geo")
        return "bool"
    if code in _COMPARE:
        if len(types) != 2:
            raise _bad("comparison needs two operands")
        _same(types)
        return "bool"
    if code == 9:  # value in list
        if len(types) != 2:
            raise _bad("in-list needs two operands")
        _expect(types[1], "list")
        return "bool"
    if code in _LOGIC or code == 18:
        if not types or (code == 18 and len(types) != 1):
            raise _bad("bad logical expression")
        for t in types:
            _expect(t, "bool")
        return "bool"
    if code in _ARITH:
        if not types:
            raise _bad("arithmetic needs operands")
        for t in types:
            _expect(t, "int", "float")
        return _same(types)
    if code in (27, 28, 29, 30, 31):
        if len(types) != 1:
            raise _bad("bad numeric expression")
        allowed = {27: ("int", "float"), 28: ("float",), 29: ("float",), 30: ("float",),
                   31: ("int",)}[code]
        _expect(types[0], *allowed)
        return {27: types[0], 28: "float", 29: "float", 30: "int", 31: "float"}[code]
    if code in _ARITY or code in (32, 33, 34):
        if (code in _ARITY and len(types) != _ARITY[code]) or not types:
            raise _bad(f"bad operand count for expression operation {code}")
        if code in (40, 41):  # lscan/rscan: int value, bool search
            _expect(types[0], "int")
            _expect(types[1], "bool")
            return "int"
        operand, result = _NUMERIC[code]
        for t in types:
            _expect(t, operand)
        return result
    raise _bad(f"unknown expression operation {code}")


def _unsupported(code: int, what: str = "") -> CommandError:
    name = f"{what} call" if what else f"operation {code}"
    return CommandError(ERR_UNSUPPORTED_FEATURE,
                        f"expression {name} is not supported by the embedded server")


def _decode(data: bytes, what: str) -> Any:
    try:
        return particles.unpack(data)
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, f"bad {what}") from None


def uses_string_calls(node: Any) -> bool:
    """True when a decoded expression calls the string module or to_string (server 8.2)."""
    if not isinstance(node, list) or not node or node[0] == 126:  # a value, a quoted list
        return False
    if node[0] == 99:
        return True
    if node[0] == 127 and len(node) == 5:  # a call: its parameters and operand, not its op code
        system, request = node[2], node[3]
        if type(system) is int and system & ~CALL_MODIFY == CALL_STRING:
            return True
        if isinstance(request, list) and request and request[0] == cdt.CONTEXT_MARKER:
            request = request[2] if len(request) == 3 else []
        params = request[1:] if isinstance(request, list) else []
        return any(uses_string_calls(p) for p in params) or uses_string_calls(node[4])
    return any(uses_string_calls(n) for n in node[1:])


def check_served(expression: Any, version: Tuple[int, ...]) -> None:
    """A server before 8.2 knows no string call and no to_string: an unknown operation
    (ERR_PARAMETER), as such a server answers."""
    if not strings.served(version) and uses_string_calls(expression):
        raise _bad("unknown expression operation")


def compile_filter(data: Optional[bytes], version: Tuple[int, ...]) -> Any:
    """Decode a filter expression field (None when absent) and check it as a server of
    `version` builds it: malformed, ill-typed or not boolean is ERR_PARAMETER, not evaluated
    here is ERR_UNSUPPORTED_FEATURE."""
    if data is None:
        return None
    expression = _decode(data, "filter expression")
    check_served(expression, version)
    try:
        _expect(check_type(expression), "bool")
    except CommandError as exc:
        raise _build_traced(exc, data, expression, []) from None
    return expression


def _build_traced(exc: CommandError, data: bytes, root: Any, prefix: List[int]) -> CommandError:
    """`exc` (a refused build) with its build trace (`exc.build`): the op path from check_type
    and the refused op's byte offset in `data` (the expression's msgpack, at `prefix`)."""
    if exc.code != ERR_PARAMETER:
        return exc
    nodes: List[Any] = getattr(exc, "build_nodes", None) or ([root] if isinstance(
        root, list) and root and type(root[0]) is int else [])
    child_path = list(prefix)
    for parent, child in zip(nodes, nodes[1:]):
        index = _child_index(parent, child)
        if index is None:
            child_path = []
            break
        child_path.extend(index)
    offset = error_detail.msgpack_offset(data, child_path) if nodes and (
        child_path or not prefix) else None
    setattr(exc, "build", error_detail.Trace(error_detail.PHASE_BUILD,
                                             [n[0] for n in nodes], offset))
    return exc


def _child_index(parent: List[Any], child: Any, nested: bool = False) -> Optional[List[int]]:
    """Array indexes from `parent` down to `child` (a call's parameters sit inside its request
    list, a context one level deeper)."""
    for i, element in enumerate(parent):
        if element is child:
            return [i]
        if isinstance(element, list) and (nested or parent[0] == 127):
            inner = _child_index(element, child, True)
            if inner is not None:
                return [i] + inner
    return None


def filter_passes(expression: Any, record: Record, digest: bytes, now: int) -> bool:
    """True when a decoded filter expression accepts the record."""
    if expression is None:
        return True
    return _eval(expression, ExpRecord(record, digest, now), {}) is True


def filtered_out(expression: Any, record: Record, digest: bytes, now: int,
                 explain: bool = True) -> CommandError:
    """ERR_FILTERED_OUT for a record the filter refused. Its error detail (verbosity 2 and up)
    re-runs the filter to say why: decided by record metadata alone (no trace, as a server's
    metadata phase), or the deciding operation of the bin phase (`explain`: the principal
    may read the record; a trace shows stored data)."""
    def explainer() -> Tuple[Optional[str], Optional[error_detail.Trace]]:
        if _eval(expression, ExpRecord(record, digest, now, {}), {}) is False:
            return FILTER_FALSE, None
        if not explain:
            return "filtered out", None
        found = _explain(expression, ExpRecord(record, digest, now), {}, [])
        if found is None:
            return FILTER_FALSE, None
        return _explained(found, FILTER_FALSE, FILTER_ABSENT)
    return CommandError(ERR_FILTERED_OUT, "filtered out",
                        detail=error_detail.Detail(explainer=explainer))


# The messages of an explained failure (exp.c's explainers).
FILTER_FALSE = "filtered out - filter expression evaluated to false"
FILTER_ABSENT = "filtered out - filter references an absent bin or key"
VALUE_ABSENT = "operation not applicable - expression references an absent bin or key"
#: What the evaluation met where it faulted (exp_err_reason_msg).
_FAULTS = {23: "integer division by zero", 26: "integer modulo by zero"}
_FAULTED = "expression evaluation faulted"

#: An explanation: outcome, op codes root -> deciding op, comparison operands, fault message.
_Found = Tuple[int, List[int], Optional[Tuple[str, str]], Optional[str]]


def _explained(found: _Found, false_message: str, absent_message: str
               ) -> Tuple[Optional[str], Optional[error_detail.Trace]]:
    outcome, path, operands, fault = found
    message = fault if outcome == error_detail.OUTCOME_FAULT else (
        false_message if outcome == error_detail.OUTCOME_FALSE else absent_message)
    return message, error_detail.Trace(error_detail.PHASE_EVAL, path, outcome=outcome,
                                       operands=operands)


def _evaluated_children(node: List[Any]) -> List[Any]:
    """The operands an operation evaluates, in the order _eval evaluates them."""
    code, args = node[0], node[1:]
    if code in (0, 80, 81, 82, 100, 122, 124, 126) or 64 <= code <= 74:
        return []
    if code == 7:
        return [args[2]]
    if code == 127:  # the bin, then the call's parameters (a path call's are not expressions)
        request = args[2]
        if request and request[0] == cdt_path.SELECT_BY_PATH:
            return [args[3]]
        if request and request[0] == cdt.CONTEXT_MARKER and len(request) == 3:
            request = request[2]
        return [args[3], *request[1:]]
    return list(args)


def _explain(node: Any, ctx: ExpRecord, env: Dict[bytes, Any], path: List[int]
             ) -> Optional[_Found]:
    """Why `node` does not evaluate to a value (false, or unknown: an absent reference or a
    fault), found by evaluating it and its operands with _eval, as exp.c's explain re-run
    stamps the deciding operation: a comparison that is false (with its operands), the first
    false conjunct of `and`, the branch a let or cond takes, the first unknown operand down to
    where it arose. None when the node has a value."""
    if not isinstance(node, list) or not node or type(node[0]) is not int:
        return None
    value = _eval(node, ctx, env)
    if value is not False and value is not _UNKNOWN:
        return None
    code, args = node[0], node[1:]
    here = path + [code]
    if code == 125:  # let: the result decides
        scope = dict(env)
        for i in range(0, len(args) - 1, 2):
            scope[_raw_text(args[i])] = _eval(args[i + 1], ctx, scope)
        return _explain(args[-1], ctx, scope, here)
    if code == 123:  # cond: the first unknown test, or the branch taken
        for i in range(0, len(args) - 1, 2):
            test = _eval(args[i], ctx, env)
            if test is _UNKNOWN:
                return _explain(args[i], ctx, env, here)
            if test is True:
                return _explain(args[i + 1], ctx, env, here)
        return _explain(args[-1], ctx, env, here)
    if value is False:
        if code == 16:  # and: its first false conjunct
            for arg in args:
                if _eval(arg, ctx, env) is False:
                    return _explain(arg, ctx, env, here) or (
                        error_detail.OUTCOME_FALSE, here, None, None)
        operands = None
        if 1 <= code <= 6:
            operands = (error_detail.operand_text(_eval(args[0], ctx, env)),
                        error_detail.operand_text(_eval(args[1], ctx, env)))
        return error_detail.OUTCOME_FALSE, here, operands, None
    for child in _evaluated_children(node):
        if _eval(child, ctx, env) is _UNKNOWN:
            found = _explain(child, ctx, env, here)
            if found is not None:
                return found
    if code in _FAULTS:  # every operand known: the operation itself faulted
        operands_known = [_eval(a, ctx, env) for a in args]
        if any(v == 0 for v in operands_known[1:]):
            exact = all(type(v) is int for v in operands_known)
            return error_detail.OUTCOME_FAULT, here, None, _FAULTS[code] if exact else _FAULTED
    return error_detail.OUTCOME_ABSENT, here, None, None


# -- expression operations ----------------------------------------------------------------
#: How a packed select/apply by path starts after its array header: msgpack uint8 0xfe
#: (cdt_path.SELECT_BY_PATH; cdt_path imports this module, so not read from it here).
_PATH_OP_START = b"\xcc\xfe"


def operation_uses_strings(data: bytes, expression_op: bool) -> bool:
    """True when an expression operation's expression (expression_op), or a CDT operation's
    path expressions, use string calls (see check_served)."""
    if not expression_op and data[1:3] != _PATH_OP_START:
        return False  # not a select/apply by path: no expression inside
    decoded = _decode(data, "expression operation" if expression_op else "CDT operation")
    if not expression_op:
        return any(uses_string_calls(e) for e in cdt_path.path_expressions(decoded))
    return isinstance(decoded, list) and bool(decoded) and uses_string_calls(decoded[0])


def compile_operation(data: bytes, write: bool) -> Tuple[Any, int]:
    """An expression operation's [expression, flags], checked as a server builds it."""
    decoded = _decode(data, "expression operation")
    if not isinstance(decoded, list) or len(decoded) != 2 or type(decoded[1]) is not int:
        raise _bad("bad expression operation")
    expression, flags = decoded
    allowed = 0x1F if write else READ_EVAL_NO_FAIL
    if flags & ~allowed:
        raise _bad("bad expression operation flags")
    try:
        check_type(expression)
    except CommandError as exc:
        if exc.code != ERR_PARAMETER:
            raise
        raise error_detail.build_failure(_build_traced(exc, data, expression, [0]),
                                         "invalid expression in operation request") from None
    return expression, flags


def exp_read(data: bytes, ctx: ExpRecord) -> Any:
    """The value of an expression read operation (ERR_OP_NOT_APPLICABLE when it is unknown,
    unless EVAL_NO_FAIL: then nil)."""
    expression, flags = compile_operation(data, write=False)
    value = _eval(expression, ctx, {})
    if value is _UNKNOWN:
        if flags & READ_EVAL_NO_FAIL:
            return None
        raise _no_value(expression, ctx)
    return value


def _no_value(expression: Any, ctx: ExpRecord) -> CommandError:
    """ERR_OP_NOT_APPLICABLE for an expression operation without a value; its error detail
    names the absent reference or the fault (as_exp_explain_value)."""
    def explainer() -> Tuple[Optional[str], Optional[error_detail.Trace]]:
        found = _explain(expression, ctx, {}, [])
        if found is None:
            return VALUE_ABSENT, None
        return _explained(found, VALUE_ABSENT, VALUE_ABSENT)
    return CommandError(ERR_OP_NOT_APPLICABLE, "expression value is unknown",
                        detail=error_detail.Detail(explainer=explainer))


def exp_write(name: bytes, data: bytes, ctx: ExpRecord) -> None:
    """Apply an expression write operation to ctx.bins: the bin `name` takes the value, with
    the flags' create/update-only, delete and no-fail rules."""
    expression, flags = compile_operation(data, write=True)
    value = _eval(expression, ctx, {})
    policy_no_fail = flags & WRITE_POLICY_NO_FAIL
    if value is _UNKNOWN:
        if flags & WRITE_EVAL_NO_FAIL:
            return
        raise _no_value(expression, ctx)
    exists = name in ctx.bins
    if flags & WRITE_CREATE_ONLY and exists:
        if policy_no_fail:
            return
        raise CommandError(ERR_BIN_EXISTS)
    if flags & WRITE_UPDATE_ONLY and not exists:
        if policy_no_fail:
            return
        raise CommandError(ERR_BIN_NOT_FOUND)
    if value is None:
        if flags & WRITE_ALLOW_DELETE:
            ctx.bins.pop(name, None)
            return
        if policy_no_fail:
            return
        raise CommandError(ERR_OP_NOT_APPLICABLE, "expression value is nil")
    try:
        ctx.bins[name] = particles.encode_particle(value)
    except particles.ParticleError:
        if flags & WRITE_EVAL_NO_FAIL:
            return
        raise CommandError(ERR_OP_NOT_APPLICABLE, "expression value is not a bin value") from None


def compile_expression(expression: Any) -> str:
    """Check a decoded expression (a path filter or apply expression, an index expression)
    as a server builds it; its static type (ANY where only evaluation can tell)."""
    return check_type(expression)


def expression_value(expression: Any, record: Record, digest: bytes, now: int) -> Any:
    """The value of a decoded expression for a record (an expression index's key); UNKNOWN
    where it cannot be known."""
    return _eval(expression, ExpRecord(record, digest, now), {})


def evaluate_loop(expression: Any, bins: Dict[bytes, BinValue], loop: Dict[int, Any]) -> Any:
    """The value of a path expression for one element: `loop` maps AS_EXP_LOOPVAR_KEY/VALUE/
    INDEX to the element's key, value and index; bin expressions read `bins`. UNKNOWN
    stands for a type mismatch, REMOVE_RESULT for as_exp_remove_result()."""
    return _eval(expression, ExpRecord(None, bytes(20), 0, bins), {_LOOP: loop})
