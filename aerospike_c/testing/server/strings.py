"""String operations (server 8.2: as_string_operations.h, wire operation types 17-19).

A STRING_READ/STRING_MODIFY operation carries a msgpack list `[command, args...]`, wrapped in
`[0xff, ctx, [...]]` when it targets a string inside a list or map. Indexes address Unicode
code points (negative ones count from the end); find/contains/starts_with/ends_with/replace
match canonically (a precomposed needle matches a decomposed text and vice versa). Errors as
the C client's suite src/test/aerospike_string asserts: a bin of another type 12, text that is
not UTF-8 29, bad arguments or flags 4, a failed conversion 26, a CREATE_ONLY bin that exists 6,
while UPDATE_ONLY on a missing bin is a no-op; NO_FAIL turns 6 (and a bad regex of
regex_replace) into a no-op. Patterns are ICU's: Python-only syntax such as `(?P<name>...)` is
refused, ICU's `(?<name>...)` and `\\k<name>` are understood.
Served only by a cluster that reports build 8.2 or later.
"""
from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import error_detail, particles, regex
from .cdt_ctx import navigate
from .cdt_select import NO_RESULT
from .results import (ERR_BIN_EXISTS, ERR_INCOMPATIBLE_TYPE, ERR_INVALID_ENCODING,
                      ERR_OP_NOT_APPLICABLE, ERR_PARAMETER, CommandError)

#: The first server version that has string operations.
STRINGS_SINCE = (8, 2)
CONTEXT_MARKER = 0xFF
#: A string result of this many UTF-8 bytes or more is refused (ERR_PARAMETER).
RESULT_SIZE_CAP = 8 * 1024 * 1024

CREATE_ONLY, UPDATE_ONLY, NO_FAIL = 1, 2, 4
REGEX_CASE_INSENSITIVE, REGEX_MULTILINE, REGEX_DOTALL, REGEX_UNIX_LINES, REGEX_GLOBAL = 1, 2, 4, 8, 16

BinValue = Tuple[int, bytes]
Result = Tuple[Optional[BinValue], Any]

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?\d*\.\d+")
_DOUBLE = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)",
                     re.IGNORECASE)


def _fail(code: int, message: str, subcode: Optional[int] = None) -> CommandError:
    """The error of a string operation, with its server 8.2 error-details subcode (a bad
    argument of a string operation is AS_SUB_PARAM_STRING_OP_PARAMS_INVALID unless said)."""
    if subcode is None:
        subcode = error_detail.SUB_PARAM_STRING_OP_PARAMS_INVALID if code == ERR_PARAMETER else 0
    return error_detail.fail(code, message, subcode)


def _text(value: Any) -> str:
    """The string a bin or ctx leaf holds; 12 for another type, 29 for text that is not UTF-8."""
    if not isinstance(value, str):
        raise _fail(ERR_INCOMPATIBLE_TYPE, "string operation on a non-string value")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(ERR_INVALID_ENCODING, "string is not valid UTF-8") from None
    return value


def _arg_str(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(ERR_PARAMETER, "string operation argument must be a string")
    return _text(value)


def _arg_int(value: Any) -> int:
    if type(value) is not int:
        raise _fail(ERR_PARAMETER, "string operation argument must be an integer")
    return int(value)


def _capped(text: str) -> str:
    if len(text.encode("utf-8")) >= RESULT_SIZE_CAP:
        raise _fail(ERR_PARAMETER, "string result too large")
    return text


# -- canonical matching --------------------------------------------------------------------

def _decomposed(text: str) -> Tuple[str, List[int]]:
    """NFD of text, and for each original code point where its decomposition starts."""
    parts: List[str] = []
    starts: List[int] = []
    length = 0
    for char in text:
        starts.append(length)
        piece = unicodedata.normalize("NFD", char)
        parts.append(piece)
        length += len(piece)
    starts.append(length)
    return "".join(parts), starts


def _matches(text: str, needle: str) -> List[Tuple[int, int]]:
    """Non-overlapping canonical matches of needle in text, as code point ranges of text."""
    haystack, starts = _decomposed(text)
    wanted = unicodedata.normalize("NFD", needle)
    boundary = {offset: index for index, offset in enumerate(starts)}
    found: List[Tuple[int, int]] = []
    if not wanted:
        return found
    at = haystack.find(wanted)
    while at >= 0:
        end = at + len(wanted)
        if at in boundary and end in boundary:
            found.append((boundary[at], boundary[end]))
            at = haystack.find(wanted, end)
        else:
            at = haystack.find(wanted, at + 1)
    return found


def _find(text: str, needle: str, occurrence: int = 1) -> int:
    if occurrence == 0:
        raise _fail(ERR_PARAMETER, "find occurrence is 1-based")
    found = _matches(text, needle)
    if occurrence < 0:
        occurrence += len(found) + 1
        if occurrence <= 0:
            return -1
    return found[occurrence - 1][0] if occurrence <= len(found) else -1


def _replace(text: str, needle: str, replacement: str, count: int) -> str:
    if not needle:
        raise _fail(ERR_PARAMETER, "replace needs a non-empty needle")
    found = _matches(text, needle)[:count] if count else _matches(text, needle)
    out: List[str] = []
    last = 0
    for start, end in found:
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


# -- reads ---------------------------------------------------------------------------------

def _regex(pattern: str, flags: int) -> "re.Pattern[str]":
    if type(flags) is not int or flags & ~0x1F or flags < 0:
        raise _fail(ERR_PARAMETER, "bad regex flags")
    py_flags = ((re.IGNORECASE if flags & REGEX_CASE_INSENSITIVE else 0)
                | (re.MULTILINE if flags & REGEX_MULTILINE else 0)
                | (re.DOTALL if flags & REGEX_DOTALL else 0))
    if "(?P" in pattern:
        raise _fail(ERR_PARAMETER, "not an ICU regex",
                    error_detail.SUB_PARAM_STRING_REGEX_INVALID)
    pattern = re.sub(r"\(\?<(?![=!])", "(?P<", pattern)  # ICU named groups, Python spelling
    pattern = re.sub(r"\\k<(\w+)>", r"(?P=\1)", pattern)
    try:
        return re.compile(pattern, py_flags)
    except re.error:
        raise _fail(ERR_PARAMETER, "bad regex",
                    error_detail.SUB_PARAM_STRING_REGEX_INVALID) from None


def _search(compiled: "re.Pattern[str]", text: str) -> bool:
    """compiled.search(text) is not None, in bounded time (regex.py)."""
    return regex.search(compiled.pattern, compiled.flags, text)


def _is_numeric(text: str, kind: int = 0) -> bool:
    if kind == 1:
        return _INT.fullmatch(text) is not None
    if kind == 2:
        return _FLOAT.fullmatch(text) is not None
    if kind == 0:
        return _INT.fullmatch(text) is not None or _FLOAT.fullmatch(text) is not None
    raise _fail(ERR_PARAMETER, "bad numeric type")


def _to_integer(text: str) -> int:
    if _INT.fullmatch(text) is None or not particles.INT64_MIN <= int(text) <= particles.INT64_MAX:
        raise _fail(ERR_OP_NOT_APPLICABLE, "string is not an integer",
                    error_detail.SUB_OPNOT_STRING_CONVERSION_FAILED)
    return int(text)


def _to_double(text: str) -> float:
    if _DOUBLE.fullmatch(text) is None:
        raise _fail(ERR_OP_NOT_APPLICABLE, "string is not a double",
                    error_detail.SUB_OPNOT_STRING_CONVERSION_FAILED)
    return float(text)


def _char_at(text: str, index: int) -> str:
    if not -len(text) <= index < len(text):
        raise _fail(ERR_OP_NOT_APPLICABLE, "char_at index out of bounds")
    return text[index]


def _split(text: str, *separator: str) -> List[str]:
    if not separator:
        return list(text)
    if not separator[0]:
        raise _fail(ERR_PARAMETER, "split needs a non-empty separator")
    return text.split(separator[0])


def _b64_decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise _fail(ERR_OP_NOT_APPLICABLE, "string is not base64",
                    error_detail.SUB_OPNOT_STRING_B64_INVALID) from None


def _cased(char: str) -> bool:
    return char.lower() != char.upper()


_READS: Dict[int, Callable[..., Any]] = {
    0: lambda t: len(t),
    1: lambda t, start, end=None: t[_arg_int(start):None if end is None else _arg_int(end)],
    2: lambda t, index: _char_at(t, _arg_int(index)),
    3: lambda t, needle, occurrence=1: _find(t, _arg_str(needle), _arg_int(occurrence)),
    4: lambda t, needle: bool(_matches(t, _arg_str(needle))) or not needle,
    5: lambda t, prefix: _find(t, _arg_str(prefix)) == 0 or not prefix,
    6: lambda t, suffix: not suffix or any(end == len(t) for _, end in _matches(t, _arg_str(suffix))),
    7: _to_integer,
    8: _to_double,
    9: lambda t: len(t.encode("utf-8")),
    10: lambda t, kind=0: _is_numeric(t, _arg_int(kind)),
    11: lambda t: all(c.isupper() for c in t if _cased(c)),
    12: lambda t: all(c.islower() for c in t if _cased(c)),
    13: lambda t: t.encode("utf-8"),
    14: lambda t, *separator: _split(t, *map(_arg_str, separator)),
    15: _b64_decode,
    16: lambda t, pattern, flags=0: _search(_regex(_arg_str(pattern), flags), t),
}


# -- modifies ------------------------------------------------------------------------------

def _pad(text: str, target_arg: Any, pad_arg: Any, start: bool) -> str:
    target, pad = _arg_int(target_arg), _arg_str(pad_arg)
    if not pad:
        raise _fail(ERR_PARAMETER, "pad needs a non-empty pad string")
    if target < 0 or target * 4 >= RESULT_SIZE_CAP:
        raise _fail(ERR_PARAMETER, "pad target length too large")
    missing = target - len(text)
    if missing <= 0:
        return text
    fill = (pad * (missing // len(pad) + 1))[:missing]
    return fill + text if start else text + fill


def _overwrite(text: str, index_arg: Any, value_arg: Any) -> str:
    index, value = _arg_int(index_arg), _arg_str(value_arg)
    if index < 0:
        index += len(text)
    if not 0 <= index <= len(text):
        raise _fail(ERR_PARAMETER, "overwrite index out of bounds",
                    error_detail.SUB_PARAM_STRING_INDEX_OUT_OF_BOUNDS)
    return text[:index] + value + text[index + len(value):]


def _insert(text: str, index_arg: Any, value_arg: Any) -> str:
    index, value = _arg_int(index_arg), _arg_str(value_arg)
    return text[:index] + value + text[index:]


def _concat(text: str, values: Any) -> str:
    if not isinstance(values, list) or not values:
        raise _fail(ERR_PARAMETER, "concat needs a list of strings")
    return text + "".join(_arg_str(value) for value in values)


def _snip(text: str, start_arg: Any, end: Any = None) -> str:
    start = _arg_int(start_arg)
    stop = len(text) if end is None else _arg_int(end)
    removed = range(len(text))[start:stop]
    if not removed:
        return text
    return text[:removed.start] + text[removed.stop:]


def _repeat(text: str, count_arg: Any) -> str:
    count = _arg_int(count_arg)
    if count < 0 or len(text.encode("utf-8")) * count >= RESULT_SIZE_CAP:
        raise _fail(ERR_PARAMETER, "repeat result too large")
    return text * count


def _icu_replacement(replacement: str) -> str:
    """ICU's `$n` group references and `\\` escapes, in Python's re.sub syntax."""
    out: List[str] = []
    i = 0
    while i < len(replacement):
        char = replacement[i]
        if char == "\\" and i + 1 < len(replacement):
            out.append(replacement[i + 1].replace("\\", "\\\\"))
            i += 2
            continue
        match = re.match(r"\$(\d+)", replacement[i:])
        if match:
            out.append(f"\\g<{match.group(1)}>")
            i += len(match.group(0))
            continue
        out.append("\\\\" if char == "\\" else char)
        i += 1
    return "".join(out)


def _regex_replace(text: str, pair: Any, flags: Any) -> str:
    pattern, replacement = _pair(pair)
    compiled = _regex(pattern, _arg_int(flags))
    try:
        return regex.sub(compiled.pattern, compiled.flags, _icu_replacement(replacement), text,
                         0 if flags & REGEX_GLOBAL else 1)
    except (re.error, IndexError):
        raise _fail(ERR_PARAMETER, "bad regex replacement") from None


def _pair(pair: Any) -> Tuple[str, str]:
    if not isinstance(pair, list) or len(pair) != 2:
        raise _fail(ERR_PARAMETER, "expected a [needle, replacement] pair")
    return _arg_str(pair[0]), _arg_str(pair[1])


# command -> (function of (text, args...), whether it may create the bin)
_MODIFIES: Dict[int, Tuple[Callable[..., str], bool]] = {
    50: (_insert, True),
    51: (_overwrite, True),
    52: (_concat, True),
    53: (_snip, False),
    54: (lambda t, pair: _replace(t, *_pair(pair), 1), False),
    55: (lambda t, pair: _replace(t, *_pair(pair), 0), False),
    56: (lambda t: t.upper(), False),
    57: (lambda t: t.lower(), False),
    58: (lambda t: t.casefold(), False),
    59: (lambda t: unicodedata.normalize("NFC", t), False),
    60: (lambda t: t.lstrip(), False),
    61: (lambda t: t.rstrip(), False),
    62: (lambda t: t.strip(), False),
    63: (lambda t, target, pad: _pad(t, target, pad, True), True),
    64: (lambda t, target, pad: _pad(t, target, pad, False), True),
    65: (_repeat, True),
    66: (_regex_replace, False),
    67: (lambda t, value: t + _arg_str(value), True),
    68: (lambda t, value: _arg_str(value) + t, True),
}
# The position of the write flags in each modify command's arguments (snip's 1-arg form has none).
_FLAGS_AT = {50: 2, 51: 2, 52: 1, 53: 2, 54: 1, 55: 1, 56: 0, 57: 0, 58: 0, 59: 0, 60: 0, 61: 0, 62: 0,
             63: 2, 64: 2, 65: 1, 66: 2, 67: 1, 68: 1}


# -- the operation -------------------------------------------------------------------------

def served(version: Tuple[int, ...]) -> bool:
    """True when a server of this version has string operations."""
    return version[:2] >= STRINGS_SINCE


def operate(current: Optional[BinValue], payload: bytes, modify: bool) -> Result:
    """Apply one string operation to a bin value: (new bin value, result)."""
    try:
        decoded = particles.unpack(payload)
    except particles.ParticleError:
        raise _fail(ERR_PARAMETER, "bad string operation") from None
    ctx = None
    if isinstance(decoded, list) and len(decoded) == 3 and decoded[0] == CONTEXT_MARKER:
        ctx, decoded = decoded[1], decoded[2]
    if not isinstance(decoded, list) or not decoded or type(decoded[0]) is not int:
        raise _fail(ERR_PARAMETER, "bad string operation")
    command, args = decoded[0], list(decoded[1:])
    table = _MODIFIES if modify else _READS
    if command not in table:
        raise _fail(ERR_PARAMETER, f"unknown string command {command}",
                    error_detail.SUB_PARAM_STRING_OP_INVALID)
    if ctx is None:
        value = None if current is None else particles.decode_particle(*current)
        if not modify:
            return current, None if value is None else _read(command, value, args)
        new = _modify(command, value, args, nested=False)
        return (current if new is None else particles.encode_particle(new)), NO_RESULT
    if current is None:
        return current, None if not modify else NO_RESULT
    top = particles.decode_particle(*current)
    if not isinstance(top, (list, dict)):
        raise _fail(ERR_INCOMPATIBLE_TYPE, "string operation context on a non-CDT bin")
    leaf, path = navigate(top, ctx)
    if not modify:
        return current, _read(command, leaf, args)
    new = _modify(command, leaf, args, nested=True)
    if new is None:
        return current, NO_RESULT
    _put_back(path[-1], leaf, new)
    return particles.encode_particle(top), NO_RESULT


# -- inside expressions (as_exp_string_*, call system 3) ------------------------------------

#: Each command as an expression calls it (as_exp.h): (result type, required parameter types,
#: optional parameter types), in the expression checker's type names; a modify's last optional
#: parameter is its write flags.
EXP_SIGNATURES: Dict[int, Tuple[str, Tuple[str, ...], Tuple[str, ...]]] = {
    0: ("int", (), ()), 1: ("str", ("int",), ("int",)), 2: ("str", ("int",), ()),
    3: ("int", ("str",), ("int",)), 4: ("bool", ("str",), ()), 5: ("bool", ("str",), ()),
    6: ("bool", ("str",), ()), 7: ("int", (), ()), 8: ("float", (), ()), 9: ("int", (), ()),
    10: ("bool", (), ("int",)), 11: ("bool", (), ()), 12: ("bool", (), ()),
    13: ("blob", (), ()), 14: ("list", (), ("str",)), 15: ("blob", (), ()),
    16: ("bool", ("str",), ("int",)),
    50: ("str", ("int", "str"), ("int",)), 51: ("str", ("int", "str"), ("int",)),
    52: ("str", ("list",), ("int",)), 53: ("str", ("int",), ("int", "int")),
    54: ("str", ("list",), ("int",)), 55: ("str", ("list",), ("int",)),
    **{command: ("str", (), ("int",)) for command in range(56, 63)},
    63: ("str", ("int", "str"), ("int",)), 64: ("str", ("int", "str"), ("int",)),
    65: ("str", ("int",), ("int",)), 66: ("str", ("list", "int"), ("int",)),
    67: ("str", ("str",), ("int",)), 68: ("str", ("str",), ("int",)),
}


def expression_call(command: int, value: Any, args: List[Any], modify: bool) -> Any:
    """A string call inside an expression: the read's result, or the modify's new text (the
    text itself where the modify leaves it as it is, e.g. NO_FAIL). CREATE_ONLY/UPDATE_ONLY
    are bin predicates that do not carry over to an expression operand: they are ignored.
    CommandError where the operation would fail."""
    if not modify:
        return _read(command, value, args)
    args = list(args)
    at = _FLAGS_AT.get(command)
    if at is not None and len(args) > at and type(args[at]) is int and args[at] >= 0:
        args[at] &= ~(CREATE_ONLY | UPDATE_ONLY)
    new = _modify(command, value, args, nested=False)
    return _text(value) if new is None else new


def _read(command: int, value: Any, args: List[Any]) -> Any:
    text = _text(value)
    try:
        result = _READS[command](text, *args)
    except TypeError:
        raise _fail(ERR_PARAMETER, "bad string operation arguments") from None
    return _capped(result) if isinstance(result, str) else result


def _modify(command: int, value: Any, args: List[Any], nested: bool) -> Optional[str]:
    """The new text, or None when the operation leaves the value as it is."""
    function, creates = _MODIFIES[command]
    at = _FLAGS_AT.get(command)
    flags = 0
    if at is not None and len(args) > at:
        flags = args.pop(at)
        if type(flags) is not int or flags & ~(CREATE_ONLY | UPDATE_ONLY | NO_FAIL) or flags < 0:
            raise _fail(ERR_PARAMETER, "bad string write flags")
    if flags & CREATE_ONLY and (flags & UPDATE_ONLY or nested or not creates):
        raise _fail(ERR_PARAMETER, "CREATE_ONLY does not apply")
    if value is None:
        if flags & UPDATE_ONLY or not creates:
            return None  # UPDATE_ONLY on a missing bin is a no-op, not an error
        text = ""
    else:
        text = _text(value)
        if flags & CREATE_ONLY:
            if flags & NO_FAIL:
                return None
            raise _fail(ERR_BIN_EXISTS, "CREATE_ONLY: the bin exists")
    try:
        return _capped(function(text, *args))
    except TypeError:
        raise _fail(ERR_PARAMETER, "bad string operation arguments") from None
    except CommandError as exc:
        if command == 66 and flags & NO_FAIL and exc.code == ERR_PARAMETER:
            return None
        raise


def _put_back(container: Any, old: Any, new: str) -> None:
    """Replace the element `old` (the very object a context reached) by `new`."""
    if isinstance(container, dict):
        for key, item in container.items():
            if item is old:
                container[key] = new
                return
    else:
        for index, item in enumerate(container):
            if item is old:
                container[index] = new
                return
    raise _fail(ERR_PARAMETER, "string operation context reached no element")  # pragma: no cover


def to_string(current: Optional[BinValue]) -> Optional[str]:
    """OP_TO_STRING: an integer, double, bool, string or blob bin as text (None: no bin)."""
    if current is None:
        return None
    return to_string_value(particles.decode_particle(*current))


def to_string_value(value: Any) -> str:
    """An integer, double, bool, string or blob as text (OP_TO_STRING, as_exp_to_string)."""
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) in (int, float):
        return repr(value)
    if isinstance(value, str):
        return _text(value)
    if type(value) is bytes:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail(ERR_OP_NOT_APPLICABLE, "blob is not UTF-8",
                    error_detail.SUB_OPNOT_STRING_UTF8_INVALID) from None
    raise _fail(ERR_INCOMPATIBLE_TYPE, "to_string of an unsupported bin type")
