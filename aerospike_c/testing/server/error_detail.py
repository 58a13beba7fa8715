"""Server 8.2 error details: AS_MSG field 45 on a failed record command, batch row or scan/query.

A client opts in per request with two bits of the header's info4 (as_command_info4_error_detail:
bits 5-6, the policy's error_detail_verbosity). A cluster reporting 8.2 or later answers a failure
with a msgpack map field (type 45): {1: subcode} from verbosity 1 (omitted for AS_SUB_NONE),
{2: message} from verbosity 2, {3: expression trace} at verbosity 3 (TRACE); an older cluster, or
a request at verbosity 0, gets no field, as before 8.2. The C client folds the map into
as_error.subcode and as_error.message (as_command_parse_error_details), the trace rendered as a
`; exp_trace={...}` suffix.

The trace is a map too: phase (1 build, 2 eval), byte_offset into the expression's msgpack (build),
op (the failing or deciding operation's name, the server's op table spelling), depth, path (the op
names root -> that op), outcome (eval: 1 fault, 2 false, 3 absent) and operands ([lhs, rhs] of a
comparison that decided false). It comes from expressions.py: the build check names the
operation it refused, `explain` re-runs the real evaluation to find the deciding one. The
server's human-only `snippet` (key 6) is not sent: a server leaves it out too when it cannot
render one.

Where the detail is made: `CommandError.detail` (results.py) carries it from the failure site
(expressions.py for build failures, filters and expression operations; strings.py and the
others for subcodes); `reply` and `last` put it on the wire for records.py, batch.py, dispatch.py.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import msgpack

from .msg import INFO3_LAST, Reply, encode_field, response
from .results import CommandError

FIELD_ERROR_DETAILS = 45
#: Error details are served from this server version on (the version a cluster reports).
SINCE = (8, 2)
VERBOSITY_SHIFT, VERBOSITY_MASK = 5, 0x60
SUBCODE_ONLY, MESSAGE, TRACE = 1, 2, 3

# Map keys (proto.h AS_ERROR_DETAIL_KEY_*, AS_EXP_TRACE_KEY_*).
KEY_SUBCODE, KEY_MESSAGE, KEY_EXP_TRACE = 1, 2, 3
TRACE_PHASE, TRACE_BYTE_OFFSET, TRACE_OP, TRACE_DEPTH, TRACE_PATH = 1, 2, 3, 4, 5
TRACE_OUTCOME, TRACE_OPERANDS = 7, 13
PHASE_BUILD, PHASE_EVAL = 1, 2
OUTCOME_FAULT, OUTCOME_FALSE, OUTCOME_ABSENT = 1, 2, 3
#: The server's caps: path frames kept (the outermost 15 and the failing op), op name and
#: operand bytes, the whole field.
MAX_FRAMES, OP_MAX, OPERAND_MAX, DETAILS_MAX = 16, 32, 48, 1024

# Subcodes (as_subcode.h; each meaningful only with its status).
SUB_NONE = 0
SUB_PARAM_BITS_OFFSET_OUT_OF_RANGE = 2
SUB_PARAM_BITS_SIZE_OUT_OF_RANGE = 3
SUB_PARAM_BITS_RESIZE_EXCEEDED = 4
SUB_PARAM_STRING_OP_PARAMS_INVALID = 6
SUB_PARAM_STRING_OP_INVALID = 7
SUB_PARAM_STRING_CTX_MALFORMED = 8
SUB_PARAM_STRING_INDEX_OUT_OF_BOUNDS = 9
SUB_PARAM_STRING_REGEX_INVALID = 10
SUB_PARAM_STRING_UTF8_INVALID = 11
SUB_OPNOT_CDT_INDEX_OUT_OF_BOUNDS = 1
SUB_OPNOT_CDT_RANK_OUT_OF_BOUNDS = 2
SUB_OPNOT_CDT_BOUNDED_LIST_OVERFLOW = 3
SUB_OPNOT_HLL_INDEX_BITS_UNSET = 4
SUB_OPNOT_HLL_CANNOT_REDUCE_INDEX_BITS = 5
SUB_OPNOT_HLL_CANNOT_REDUCE_MINHASH_BITS = 6
SUB_OPNOT_HLL_CANNOT_FOLD_MINHASH = 7
SUB_OPNOT_HLL_FOLD_INDEX_BITS_TOO_LARGE = 8
SUB_BIN_NOT_FOUND_HLL_CANNOT_CREATE_WITH_OP = 1
SUB_OPNOT_STRING_CONVERSION_FAILED = 10
SUB_OPNOT_STRING_UTF8_INVALID = 11
SUB_OPNOT_STRING_B64_INVALID = 13
SUB_MRT_BLOCKED_RECORD_LOCKED = 1
SUB_MRT_BLOCKED_ID_MISMATCH = 2

#: Expression operation names as a server's op table spells them (expression codes of as_exp.h).
OP_NAMES = {
    0: "unknown", 1: "eq", 2: "ne", 3: "gt", 4: "ge", 5: "lt", 6: "le", 7: "cmp_regex",
    8: "cmp_geo", 9: "in_list", 16: "and", 17: "or", 18: "not", 19: "exclusive", 20: "add",
    21: "sub", 22: "mul", 23: "div", 24: "pow", 25: "log", 26: "mod", 27: "abs", 28: "floor",
    29: "ceil", 30: "to_int", 31: "to_float", 32: "int_and", 33: "int_or", 34: "int_xor",
    35: "int_not", 36: "int_lshift", 37: "int_rshift", 38: "int_arshift", 39: "int_count",
    40: "int_lscan", 41: "int_rscan", 50: "min", 51: "max", 64: "digest_modulo",
    65: "device_size", 66: "last_update", 67: "since_update", 68: "void_time", 69: "ttl",
    70: "set_name", 71: "key_exists", 72: "is_tombstone", 73: "memory_size", 74: "record_size",
    80: "key", 81: "bin", 82: "bin_type", 99: "to_string", 100: "result_remove",
    101: "map_keys", 102: "map_values", 122: "var_builtin", 123: "cond", 124: "var",
    125: "let", 126: "quote", 127: "call",
}


class Trace:
    """One expression trace (the field's key 3): what the build refused or evaluation decided."""

    __slots__ = ("phase", "path", "byte_offset", "outcome", "operands")

    def __init__(self, phase: int, path: Sequence[int], byte_offset: Optional[int] = None,
                 outcome: Optional[int] = None,
                 operands: Optional[Tuple[str, str]] = None) -> None:
        self.phase = phase
        self.path = list(path)  # expression op codes, root -> the failing/deciding op
        self.byte_offset = byte_offset
        self.outcome = outcome
        self.operands = operands

    def packed(self) -> Dict[int, Any]:
        entries: Dict[int, Any] = {TRACE_PHASE: self.phase}
        if self.byte_offset is not None:
            entries[TRACE_BYTE_OFFSET] = self.byte_offset
        if self.path:
            names = [op_name(code) for code in self.path]
            entries[TRACE_OP] = names[-1]
            entries[TRACE_DEPTH] = len(names)
            if len(names) > MAX_FRAMES:  # the outermost frames, a gap marker, the failing op
                names = names[:MAX_FRAMES - 1] + ["..."] + names[-1:]
            entries[TRACE_PATH] = names
        if self.outcome is not None:
            entries[TRACE_OUTCOME] = self.outcome
        if self.operands is not None:
            entries[TRACE_OPERANDS] = [_clip(text, OPERAND_MAX - 1) for text in self.operands]
        return entries


#: Explains a failure once the verbosity asks for words: (message, trace).
Explainer = Callable[[], Tuple[Optional[str], Optional[Trace]]]


class Detail:
    """What a failure says beyond its result code: subcode, message, trace (or an explainer that
    makes the message and trace from the real evaluation, run only at verbosity 2 and up)."""

    __slots__ = ("subcode", "message", "trace", "explainer")

    def __init__(self, subcode: int = SUB_NONE, message: Optional[str] = None,
                 trace: Optional[Trace] = None, explainer: Optional[Explainer] = None) -> None:
        self.subcode = subcode
        self.message = message
        self.trace = trace
        self.explainer = explainer

    def resolve(self) -> None:
        """Run the explainer (under the store lock: it reads the record)."""
        if self.explainer is not None:
            explainer, self.explainer = self.explainer, None
            try:
                message, trace = explainer()
            except Exception:  # an explanation must never replace the failure it explains
                return
            self.message = self.message or message
            self.trace = self.trace or trace


def op_name(code: int) -> str:
    return _clip(OP_NAMES.get(code, "op"), OP_MAX - 1)


def _clip(text: str, size: int) -> str:
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= size:
        return text
    return data[:size].decode("utf-8", "ignore")


def served(version: Tuple[int, ...]) -> bool:
    """True when a server of this version sends error details."""
    return version[:2] >= SINCE


def verbosity(info4: int, version: Tuple[int, ...]) -> int:
    """The verbosity a request (or batch row) asks for, 0 when the server has no error details."""
    if not info4 & VERBOSITY_MASK or not served(version):
        return 0
    return (info4 & VERBOSITY_MASK) >> VERBOSITY_SHIFT


def attach(exc: CommandError, detail: Detail) -> CommandError:
    """`exc` carrying `detail`, unless it carries one already (the first failure site wins)."""
    if exc.detail is None:
        exc.detail = detail
    return exc


def fail(code: int, message: str, subcode: int = SUB_NONE) -> CommandError:
    """A CommandError whose `subcode` the client sees from verbosity 1, message from 2."""
    return CommandError(code, message, detail=Detail(subcode, message))


def resolve(exc: CommandError, level: int) -> None:
    """Make the words of a failure that are explained lazily, when `level` wants them."""
    if exc.detail is not None and level >= MESSAGE:
        exc.detail.resolve()


def field(detail: Optional[Detail], level: int) -> bytes:
    """The encoded field 45 for `detail` at verbosity `level` (b"" when it says nothing)."""
    if detail is None or level <= 0:
        return b""
    entries: Dict[int, Any] = {}
    if detail.subcode:
        entries[KEY_SUBCODE] = detail.subcode
    if level >= MESSAGE:
        detail.resolve()
        if detail.message:
            entries[KEY_MESSAGE] = _clip(detail.message, DETAILS_MAX - 15)
        if level >= TRACE and detail.trace is not None:
            entries[KEY_EXP_TRACE] = detail.trace.packed()
    if not entries:
        return b""
    # Plain msgpack: strings are msgpack str, without the particle-type byte of bin values.
    return encode_field(FIELD_ERROR_DETAILS, msgpack.packb(entries, use_bin_type=True))


def _detail(exc: CommandError) -> Optional[Detail]:
    """What the field says of `exc`: its detail, else the message authored where it failed."""
    if exc.detail is None and exc.message:
        return Detail(SUB_NONE, exc.message)
    return exc.detail


def reply(exc: CommandError, info4: int, version: Tuple[int, ...]) -> Reply:
    """The reply to a command (or batch row) that failed with `exc`."""
    data = field(_detail(exc), verbosity(info4, version))
    return Reply(exc.code, fields=data, n_fields=1 if data else 0)


def last(exc: CommandError, info4: int, version: Tuple[int, ...]) -> bytes:
    """The last message of a batch or scan/query that failed as a whole with `exc`."""
    return _failure(exc, info4, version, INFO3_LAST)


def refused(exc: CommandError, info4: int, version: Tuple[int, ...]) -> bytes:
    """The answer to a scan/query that a server refuses to start with `exc`: a plain reply
    (thr_tsvc's as_transaction_error sends it with as_msg_send_reply, info3 0), not a last
    message; the client takes a NOT_FOUND one as a scan/query of nothing."""
    return _failure(exc, info4, version, 0)


def _failure(exc: CommandError, info4: int, version: Tuple[int, ...], info3: int) -> bytes:
    data = field(_detail(exc), verbosity(info4, version))
    return response(exc.code, info3=info3, fields=data, n_fields=1 if data else 0)


def build_failure(exc: CommandError, context: str) -> CommandError:
    """A filter or expression operation the build refused: ERR_PARAMETER with the server's
    message for where it came (`invalid filter expression in request` ...) and, at verbosity
    3, the build trace expressions.py left on the error (`exc.build`)."""
    trace = getattr(exc, "build", None)
    detail = Detail(SUB_NONE, context, trace if isinstance(trace, Trace) else None)
    exc.detail = detail
    return exc


def msgpack_offset(data: bytes, child_path: Sequence[int]) -> Optional[int]:
    """The byte offset in `data` (a msgpack expression) of the node reached by following
    `child_path` (element indexes into nested arrays); None when the bytes do not have it."""
    unpacker = msgpack.Unpacker(raw=True, strict_map_key=False)
    unpacker.feed(data)
    try:
        for index in child_path:
            size = unpacker.read_array_header()
            if index >= size:
                return None
            for _ in range(index):
                unpacker.skip()
        return int(unpacker.tell())
    except (ValueError, msgpack.OutOfData, msgpack.ExtraData):
        return None


def operand_text(value: Any) -> str:
    """A comparison operand as a trace shows it."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value[:OPERAND_MAX // 2]).hex()
    if isinstance(value, str):
        return value
    return repr(value) if isinstance(value, float) else str(value)
