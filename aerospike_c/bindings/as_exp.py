"""as_exp.h: expressions, built as in C and compiled by the C client's as_exp_compile().

    exp = as_exp_build(                            # as_exp_build(exp,
        as_exp_and(                                #     as_exp_and(
            as_exp_cmp_gt(as_exp_bin_int("age"),   #         as_exp_cmp_gt(as_exp_bin_int("age"),
                          as_exp_int(20)),         #                       as_exp_int(20)),
            as_exp_bin_exists("name")))            #         as_exp_bin_exists("name")));
    policy.base.filter_exp = exp                   # policy.base.filter_exp = exp;
    as_exp_destroy(exp)                            # or let it be collected

Every builder macro of the header is a function of the same name and arguments. A C macro
expands to `as_exp_entry` initializers; the function returns them as an `as_exp_entries`
(one whole expression), checked as it is built: an argument of the wrong kind raises
TypeError naming it, an int out of its C type's range ValueError. `as_exp_build()` lays
the entries out in an `as_exp_entry[]` and calls `as_exp_compile()`, so the packed form is
the C client's own. The builders are generated from `_SPEC` below (one line per macro, the
C argument names, the entries the macro expands to); `as_exp_val`, the literals, the
variadic ones and `as_exp_let`/`as_exp_def` are written out.

Argument kinds, as in the macros: an expression (`as_exp_entries`), an int (`rtype`,
`flags`, `index_bit_count` ...: a C literal), a str (bin and variable names, regex),
a bool, an `as_cdt_ctx` or None, a list/map/bit/HLL/string policy or None, and (for
`as_exp_expr`, `as_exp_modify_by_path`) a compiled `as_exp`.

An `as_exp` is owned: after as_exp_destroy() any use (also through a policy whose
filter_exp it is) raises LifecycleError; its C memory is freed once nothing holds it, so a
command another thread runs with that policy never reads freed bytes.
"""
from __future__ import annotations

import base64 as b64
import binascii
import inspect
from collections.abc import Sequence
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._cstruct import CStruct, int_range
from ._owned import OwnedStruct, WeakRegistry, struct_ptr
from .as_cdt_ctx import as_cdt_ctx
from .as_status import as_status
from .as_val import GeoJSON, as_cmp_inf, as_cmp_wildcard, check_int64, encode_str, val_to_c

__all__ = [
    "as_exp", "as_exp_entries", "as_exp_build", "as_exp_build_b64", "as_exp_compile",
    "as_exp_compile_b64", "as_exp_to_base64", "as_exp_from_base64", "as_exp_destroy",
    "as_exp_destroy_b64", "as_exp_destroy_base64", "as_exp_get_ctx_type",
    "as_exp_get_list_type", "as_exp_get_map_type",
]


class as_exp(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_exp`: a compiled expression (packed_sz bytes of msgpack), allocated by the C client."""

    __slots__ = ("__weakref__",)
    _c_destroy = lib.as_exp_destroy
    _destroy_in_c = True  # the packed bytes are C's: cffi frees them once collected

    def __init__(self, ptr: Any) -> None:
        """Own `ptr`, an as_exp* the C client allocated (as_exp_compile, as_exp_from_base64)."""
        if ptr == ffi.NULL:
            raise ParamError(as_status.AEROSPIKE_ERR_PARAM, "as_exp_compile: the C client "
                             "could not compile the expression")
        super().__init__(ptr, "as_exp")
        object.__setattr__(self, "_frozen", True)  # packed_sz and packed are C's: read-only
        _LIVE[int(ffi.cast("uintptr_t", ptr))] = self

    def __bytes__(self) -> bytes:
        """The packed expression, as sent in the command's filter field."""
        self._check_writable("as_exp")
        return bytes(ffi.buffer(self._ptr.packed, self._ptr.packed_sz))

    def __repr__(self) -> str:
        return "<as_exp destroyed>" if self._released else f"<as_exp {self._ptr.packed_sz} bytes>"

    def _retire(self) -> None:
        """as_exp_destroy(): refused everywhere from now on; the C memory is freed when the
        object is collected. A policy whose filter_exp it is keeps it, and a command running
        in another thread keeps that policy: C never reads freed bytes."""
        self._check_writable("as_exp_destroy")
        object.__setattr__(self, "_released", True)


_LIVE: "WeakRegistry[as_exp]" = WeakRegistry()


def exp_object(ptr: Any) -> Any:
    """The as_exp object that owns the C `as_exp*` ptr (None for NULL): what a policy's
    filter_exp field reads back."""
    if ptr == ffi.NULL:
        return None
    return _LIVE.get(int(ffi.cast("uintptr_t", ptr)), ptr)


class _Entry(NamedTuple):
    """One as_exp_entry initializer: op, n (C's .count), and the union member it sets."""

    op: int
    n: int = 0
    member: Optional[str] = None
    value: Any = None


class as_exp_entries(tuple):  # type: ignore[type-arg]  # noqa: N801 - an as_exp_entry list
    """The `as_exp_entry` initializers of one whole expression (what a builder expands to)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<as_exp_entries of {len(self)}>"


class _as_exp_def(as_exp_entries):  # noqa: N801
    """as_exp_def(name, expr): a variable definition, valid only inside as_exp_let()."""

    __slots__ = ()


# -- the entries the macros use -------------------------------------------------------------------
def _code(name: str) -> int:
    return int(getattr(lib, f"_AS_EXP_CODE_{name}"))


_VAL_INT, _VAL_UINT, _VAL_RAWSTR, _VAL_STR = (_code(n) for n in ("VAL_INT", "VAL_UINT",
                                                                 "VAL_RAWSTR", "VAL_STR"))
_VAL_RTYPE, _VOP_START, _END = _code("VAL_RTYPE"), _code("CALL_VOP_START"), _code("END_OF_VA_ARGS")


def _h(name: str, count: int = 0) -> _Entry:
    """{.op=_AS_EXP_CODE_<name>, .count=count}"""
    return _Entry(_code(name), count)


def _i(value: int) -> _Entry:
    """as_exp_int(value)"""
    return _Entry(_VAL_INT, 0, "int_val", value)


def _u(value: int) -> _Entry:
    """as_exp_uint(value)"""
    return _Entry(_VAL_UINT, 0, "uint_val", value)


def _raw(text: bytes) -> _Entry:
    """_AS_EXP_VAL_RAWSTR(text)"""
    return _Entry(_VAL_RAWSTR, 0, "str_val", text)


def _s(text: bytes) -> _Entry:
    """as_exp_str(text)"""
    return _Entry(_VAL_STR, 0, "str_val", text)


def _rt(value: int) -> _Entry:
    """_AS_EXP_VAL_RTYPE(value)"""
    return _Entry(_VAL_RTYPE, 0, "int_val", value)


def _vop(count: int, ctx: Any = None) -> _Entry:
    """{.op=_AS_EXP_CODE_CALL_VOP_START, .count=count, .v.ctx=ctx}"""
    return _Entry(_VOP_START, count, "ctx", ctx)


def _const(name: str, value: int) -> int:
    """A C constant the expression tables use, from the compiled module when its header is
    declared there (as_bit_operations.h, as_hll_operations.h ...), else the header's value."""
    return int(getattr(lib, name, value))


_CDT = int(lib._AS_EXP_SYS_CALL_CDT)
_MODIFY = int(lib._AS_EXP_SYS_FLAG_MODIFY_LOCAL)
_BITS, _HLL, _STRING = (int(lib._AS_EXP_SYS_CALL_BITS), int(lib._AS_EXP_SYS_CALL_HLL),
                        int(lib._AS_EXP_SYS_CALL_STRING))
_T = {name: int(getattr(lib, f"AS_EXP_TYPE_{name}")) for name in (
    "NIL", "BOOL", "INT", "STR", "LIST", "MAP", "BLOB", "FLOAT", "GEOJSON", "HLL", "AUTO")}
_CONTEXT_SELECT = _const("AS_CDT_OP_CONTEXT_SELECT", 0xFE)  # as_cdt_internal.h
# as_bit_operations.h, as_hll_operations.h, as_string_operations.h: the operation codes.
_BIT_OPS = {n: _const(f"AS_BIT_OP_{n}", v) for n, v in (
    ("RESIZE", 0), ("INSERT", 1), ("REMOVE", 2), ("SET", 3), ("OR", 4), ("XOR", 5), ("AND", 6),
    ("NOT", 7), ("LSHIFT", 8), ("RSHIFT", 9), ("ADD", 10), ("SUBTRACT", 11), ("SET_INT", 12),
    ("GET", 50), ("COUNT", 51), ("LSCAN", 52), ("RSCAN", 53), ("GET_INT", 54),
    ("B64_ENCODE", 55))}
_HLL_OPS = {n: _const(f"AS_HLL_OP_{n}", v) for n, v in (
    ("INIT", 0), ("ADD", 1), ("UNION", 2), ("REFRESH_COUNT", 3), ("FOLD", 4), ("COUNT", 50),
    ("GET_UNION", 51), ("UNION_COUNT", 52), ("INTERSECT_COUNT", 53), ("SIMILARITY", 54),
    ("DESCRIBE", 55), ("MAY_CONTAIN", 56))}
_STRING_OPS = {n: _const(f"AS_STRING_OP_{n}", v) for v, n in enumerate((
    "STRLEN", "SUBSTR", "CHAR_AT", "FIND", "CONTAINS", "STARTS_WITH", "ENDS_WITH", "TO_INTEGER",
    "TO_DOUBLE", "BYTE_LENGTH", "IS_NUMERIC", "IS_UPPER", "IS_LOWER", "TO_BLOB", "SPLIT",
    "B64_DECODE", "REGEX_COMPARE"))}
_STRING_OPS.update({n: _const(f"AS_STRING_OP_{n}", v) for v, n in enumerate((
    "INSERT", "OVERWRITE", "CONCAT", "SNIP", "REPLACE", "REPLACE_ALL", "UPPER", "LOWER",
    "CASE_FOLD", "NORMALIZE_NFC", "TRIM_START", "TRIM_END", "TRIM", "PAD_START", "PAD_END",
    "REPEAT", "REGEX_REPLACE", "APPEND", "PREPEND"), 50)})


def _list_op(name: str) -> int:
    return int(getattr(lib, f"AS_CDT_OP_LIST_{name}"))


def _map_op(name: str) -> int:
    return int(getattr(lib, f"AS_CDT_OP_MAP_{name}"))


def _ctx_ptr(ctx: Any) -> Any:
    return ffi.NULL if ctx is None else struct_ptr(ctx, "as_cdt_ctx", "ctx")


def _pol_flags(policy: Any) -> int:
    """`policy ? policy->flags : 0` (the bit, HLL and string policies)."""
    return 0 if policy is None else int(policy._ptr.flags)


def _cdt_mod(ctx: Any, pol: Any, kind: str, op: int, param: int, extra: int) -> List[Any]:
    """_AS_EXP_LIST_MOD / _AS_EXP_MAP_MOD."""
    rtype = lib.as_exp_get_ctx_type(_ctx_ptr(ctx), _T[kind])
    return [_h("CALL", 5), _rt(rtype), _i(_CDT | _MODIFY),
            _vop(1 + param + (0 if pol is None else extra), ctx), _i(op)]


def _list_read(vtype: int, rtype: int, multi: bool) -> List[Any]:
    """_AS_EXP_CDT_LIST_READ"""
    return [_h("CALL", 5), _rt(lib.as_exp_get_list_type(vtype, rtype, multi)), _i(_CDT)]


def _map_read(vtype: int, rtype: int, multi: bool) -> List[Any]:
    """_AS_EXP_MAP_READ"""
    return [_h("CALL", 5), _rt(lib.as_exp_get_map_type(vtype, rtype, multi)), _i(_CDT)]


def _call(rtype: int, system: int, op: int, params: int) -> List[Any]:
    """_AS_EXP_BIT/_HLL/_STRING_READ_START and _MOD_START."""
    return [_h("CALL", 5), _rt(rtype), _i(system), _vop(1 + params), _i(op)]


# -- argument kinds ---------------------------------------------------------------------------------
def _check_exp(value: Any, where: str) -> Any:
    if not isinstance(value, as_exp_entries) or isinstance(value, _as_exp_def):
        what = "an as_exp_def (only as_exp_let takes one)" if isinstance(value, _as_exp_def) \
            else type(value).__name__
        raise TypeError(f"{where} must be an expression (what an as_exp_* builder returns), "
                        f"not {what}")
    return value


def _check_int(value: Any, where: str, low: int = -(1 << 63), high: int = (1 << 63) - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{where} must be in [{low}, {high}], got {value}")
    return value


def _check_int32(value: Any, where: str) -> int:
    return _check_int(value, where, -(1 << 31), (1 << 31) - 1)


def _check_enum(value: Any, where: str, cname: str) -> int:
    """An argument of C enum type `cname`, in the range cffi converts (int_range)."""
    return _check_int(value, where, *int_range(cname))


def _check_uint(value: Any, where: str) -> int:
    return _check_int(value, where, 0, (1 << 64) - 1)


def _check_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{where} must be a bool, not {type(value).__name__}")
    return value


def _check_str(value: Any, where: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{where} must be a str, not {type(value).__name__}")
    data = encode_str(value, where)
    if b"\0" in data:
        raise ValueError(f"{where} must not contain NUL characters (C reads it with strlen)")
    return data


def _check_ctx(value: Any, where: str) -> Any:
    if value is not None:
        if not isinstance(value, as_cdt_ctx):
            raise TypeError(f"{where} must be an as_cdt_ctx or None, not {type(value).__name__}")
        struct_ptr(value, "as_cdt_ctx", where)
    return value


def _check_ctx_required(value: Any, where: str) -> Any:
    if value is None:
        raise TypeError(f"{where} must be an as_cdt_ctx (C packs it unchecked)")
    return _check_ctx(value, where)


def _policy_check(ctype: str) -> Callable[[Any, str], Any]:
    def check(value: Any, where: str) -> Any:
        if value is None:
            return None
        ptr = getattr(value, "_ptr", None) if isinstance(value, CStruct) else None
        if ptr is None or ffi.typeof(ptr).cname.replace("struct ", "") not in (
                f"{ctype} *", f"{ctype}_s *"):
            raise TypeError(f"{where} must be an {ctype} or None, not {type(value).__name__}")
        struct_ptr(value, ffi.typeof(ptr).cname, where)
        return value
    return check


def _check_as_exp(value: Any, where: str) -> Any:
    if not isinstance(value, as_exp):
        raise TypeError(f"{where} must be an as_exp (from as_exp_build), not {type(value).__name__}")
    struct_ptr(value, "as_exp", where)
    return value


#: kind letter of a _SPEC parameter -> (check, stub annotation)
_KINDS: Dict[str, Tuple[Callable[[Any, str], Any], str]] = {
    "e": (_check_exp, "as_exp_entries"),
    "i": (_check_int, "int"),
    "t": (_check_int32, "int"),       # an enum value (rtype, vtype, order)
    "b": (_check_bool, "bool"),
    "s": (_check_str, "str"),
    "c": (_check_ctx, "as_cdt_ctx | None"),
    "C": (_check_ctx_required, "as_cdt_ctx"),
    "L": (_policy_check("as_list_policy"), "CStruct | None"),
    "M": (_policy_check("as_map_policy"), "CStruct | None"),
    "B": (_policy_check("as_bit_policy"), "CStruct | None"),
    "H": (_policy_check("as_hll_policy"), "CStruct | None"),
    "S": (_policy_check("as_string_policy"), "CStruct | None"),
    "x": (_check_as_exp, "as_exp"),
}


class _Args:
    """The checked arguments of one builder call, by C name."""

    def __init__(self, values: Dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # pragma: no cover - a _SPEC typo
        raise AttributeError(name)


def _builder(name: str, params: str, template: Callable[[Any], List[Any]],
             result: type = as_exp_entries) -> Callable[..., as_exp_entries]:
    """A function `name(params...)` that checks its arguments and returns the entries of
    `template(args)` (entries and nested expressions, flattened). `params` is
    "kind:name kind:name ..." with the kinds of _KINDS."""
    spec = [tuple(p.split(":")) for p in params.split()]
    signature = inspect.Signature([inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                   for _, p in spec])

    def build(*args: Any, **kwargs: Any) -> as_exp_entries:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{name}({', '.join(p for _, p in spec)}): {exc}") from None
        values = {p: _KINDS[k][0](bound.arguments[p], f"{name}: {p}") for k, p in spec}
        entries: List[_Entry] = []
        for item in template(_Args(values)):
            if isinstance(item, as_exp_entries):
                entries.extend(item)
            else:
                entries.append(item)
        return result(entries)

    build.__name__ = build.__qualname__ = name
    build.__signature__ = signature  # type: ignore[attr-defined]
    build.__doc__ = f"{name}({', '.join(p for _, p in spec)}): the C macro's entries."
    build.exp_params = tuple((p, _KINDS[k][1]) for k, p in spec)  # type: ignore[attr-defined]
    return build


# -- the spec: one line per macro ------------------------------------------------------------------
_NONE_L = int(lib.AS_LIST_RETURN_NONE)
_NONE_M = int(lib.AS_MAP_RETURN_NONE)
_COUNT_L, _COUNT_M = int(lib.AS_LIST_RETURN_COUNT), int(lib.AS_MAP_RETURN_COUNT)

_SPEC: Dict[str, Tuple[str, Callable[[Any], List[Any]]]] = {
    "as_exp_unknown": ("", lambda a: [_h("UNKNOWN", 1)]),
    "as_exp_key_exist": ("", lambda a: [_h("KEY_EXIST", 1)]),
    "as_exp_bin_type": ("s:bin_name", lambda a: [_h("BIN_TYPE", 2), _raw(a.bin_name)]),
    "as_exp_digest_modulo": ("i:mod", lambda a: [_h("DIGEST_MODULO", 2), _i(a.mod)]),
    "as_exp_in_list": ("e:left e:list", lambda a: [_h("IN_LIST", 3), a.left, a.list]),
    "as_exp_map_keys_in": ("e:map", lambda a: [_h("MAP_KEYS_IN", 2), a.map]),
    "as_exp_map_keys": ("e:map", lambda a: [_h("MAP_KEYS_IN", 2), a.map]),
    "as_exp_map_values_in": ("e:map", lambda a: [_h("MAP_VALUES_IN", 2), a.map]),
    "as_exp_map_values": ("e:map", lambda a: [_h("MAP_VALUES_IN", 2), a.map]),
    "as_exp_cmp_regex": ("i:options s:regex_str e:cmp_str", lambda a: [
        _h("CMP_REGEX", 4), _i(a.options), _raw(a.regex_str), a.cmp_str]),
    "as_exp_not": ("e:expr", lambda a: [_h("NOT", 2), a.expr]),
    "as_exp_pow": ("e:base e:exponent", lambda a: [_h("POW", 3), a.base, a.exponent]),
    "as_exp_log": ("e:num e:base", lambda a: [_h("LOG", 3), a.num, a.base]),
    "as_exp_mod": ("e:numerator e:denominator", lambda a: [
        _h("MOD", 3), a.numerator, a.denominator]),
    "as_exp_abs": ("e:value", lambda a: [_h("ABS", 2), a.value]),
    "as_exp_int_not": ("e:expr", lambda a: [_h("INT_NOT", 2), a.expr]),
    "as_exp_int_count": ("e:expr", lambda a: [_h("INT_COUNT", 2), a.expr]),
    "as_exp_int_lscan": ("e:value e:search", lambda a: [_h("INT_LSCAN", 3), a.value, a.search]),
    "as_exp_int_rscan": ("e:value e:search", lambda a: [_h("INT_RSCAN", 3), a.value, a.search]),
    "as_exp_var": ("s:var_name", lambda a: [_h("VAR", 2), _raw(a.var_name)]),
    "as_exp_to_string": ("e:bin", lambda a: [_h("TO_STRING", 2), a.bin]),
    "as_exp_expr": ("x:e", lambda a: [_Entry(_code("MERGE"), 0, "expr", a.e)]),
    "as_exp_bin_exists": ("s:bin_name", lambda a: [
        _h("CMP_NE", 3), _h("BIN_TYPE", 2), _raw(a.bin_name), _i(int(lib.AS_BYTES_UNDEF))]),
    # CDT select/apply by path (server 8.1)
    "as_exp_select_by_path": ("C:ctx t:rtype i:flags e:bin", lambda a: [
        _h("CALL", 5), _rt(a.rtype), _i(_CDT), _vop(3), _i(_CONTEXT_SELECT),
        _Entry(_code("CTX"), 0, "ctx", a.ctx), _i(a.flags), a.bin]),
    "as_exp_modify_by_path": ("C:ctx t:rtype x:mod_exp i:flags e:bin", lambda a: [
        _h("CALL", 5), _rt(a.rtype), _i(_CDT | _MODIFY), _vop(4), _i(_CONTEXT_SELECT),
        _Entry(_code("CTX"), 0, "ctx", a.ctx), _i(a.flags | 4),
        _Entry(_code("MERGE"), 0, "expr", a.mod_exp), a.bin]),
    "as_exp_list_sort": ("c:ctx t:order e:bin", lambda a: [
        *_cdt_mod(a.ctx, None, "LIST", _list_op("SORT"), 1, 0), _i(a.order), a.bin]),
    "as_exp_list_join": ("c:ctx e:bin", lambda a: [
        _h("CALL", 5), _rt(_T["STR"]), _i(_CDT), _vop(1, a.ctx),
        _i(_list_op("STRING_LIST_JOIN")), a.bin]),
    "as_exp_list_join_separator": ("c:ctx s:separator e:bin", lambda a: [
        _h("CALL", 5), _rt(_T["STR"]), _i(_CDT), _vop(2, a.ctx),
        _i(_list_op("STRING_LIST_JOIN")), _s(a.separator), a.bin]),
    # bit
    "as_exp_bit_resize": ("B:policy e:byte_size i:flags e:bin", lambda a: [
        *_call(_T["BLOB"], _BITS | _MODIFY, _BIT_OPS["RESIZE"], 3), a.byte_size,
        _u(_pol_flags(a.policy)), _u(a.flags), a.bin]),
    "as_exp_bit_insert": ("B:policy e:byte_offset e:value e:bin", lambda a: [
        *_call(_T["BLOB"], _BITS | _MODIFY, _BIT_OPS["INSERT"], 3), a.byte_offset, a.value,
        _u(_pol_flags(a.policy)), a.bin]),
    "as_exp_bit_remove": ("B:policy e:byte_offset e:byte_size e:bin", lambda a: [
        *_call(_T["BLOB"], _BITS | _MODIFY, _BIT_OPS["REMOVE"], 3), a.byte_offset, a.byte_size,
        _u(_pol_flags(a.policy)), a.bin]),
    "as_exp_bit_not": ("B:policy e:bit_offset e:bit_size e:bin", lambda a: [
        *_call(_T["BLOB"], _BITS | _MODIFY, _BIT_OPS["NOT"], 3), a.bit_offset, a.bit_size,
        _u(_pol_flags(a.policy)), a.bin]),
    "as_exp_bit_get_int": ("e:bit_offset e:bit_size b:sign e:bin", lambda a: [
        *_call(_T["INT"], _BITS, _BIT_OPS["GET_INT"], 3), a.bit_offset, a.bit_size,
        _i(1 if a.sign else 0), a.bin]),
    "as_exp_bit_b64_encode": ("e:bin", lambda a: [
        *_call(_T["STR"], _BITS, _BIT_OPS["B64_ENCODE"], 0), a.bin]),
    "as_exp_bit_b64_encode_from": ("e:byte_offset e:bin", lambda a: [
        *_call(_T["STR"], _BITS, _BIT_OPS["B64_ENCODE"], 1), a.byte_offset, a.bin]),
    "as_exp_bit_b64_encode_range": ("e:byte_offset e:byte_size b:invert_size e:bin", lambda a: [
        *_call(_T["STR"], _BITS, _BIT_OPS["B64_ENCODE"], 3), a.byte_offset, a.byte_size,
        _i(1 if a.invert_size else 0), a.bin]),
    # hll
    "as_exp_hll_init_mh": ("H:policy i:index_bit_count i:mh_bit_count e:bin", lambda a: [
        *_call(_T["HLL"], _HLL | _MODIFY, _HLL_OPS["INIT"], 3), _i(a.index_bit_count),
        _i(a.mh_bit_count), _i(_pol_flags(a.policy)), a.bin]),
    "as_exp_hll_init": ("H:policy i:index_bit_count e:bin", lambda a: [
        *_call(_T["HLL"], _HLL | _MODIFY, _HLL_OPS["INIT"], 2), _i(a.index_bit_count),
        _i(_pol_flags(a.policy)), a.bin]),
    "as_exp_hll_add_mh": ("H:policy e:list i:index_bit_count i:mh_bit_count e:bin", lambda a: [
        *_call(_T["HLL"], _HLL | _MODIFY, _HLL_OPS["ADD"], 4), a.list, _i(a.index_bit_count),
        _i(a.mh_bit_count), _i(_pol_flags(a.policy)), a.bin]),
    "as_exp_hll_add": ("H:policy e:list i:index_bit_count e:bin", lambda a: [
        *_call(_T["HLL"], _HLL | _MODIFY, _HLL_OPS["ADD"], 4), a.list, _i(a.index_bit_count),
        _i(-1), _i(_pol_flags(a.policy)), a.bin]),
    "as_exp_hll_update": ("H:policy e:list e:bin", lambda a: [
        *_call(_T["HLL"], _HLL | _MODIFY, _HLL_OPS["ADD"], 4), a.list, _i(-1), _i(-1),
        _i(_pol_flags(a.policy)), a.bin]),
    # string
    "as_exp_string_concat": ("S:policy s:value e:bin", lambda a: [
        *_call(_T["STR"], _STRING | _MODIFY, _STRING_OPS["CONCAT"], 2), _h("QUOTE", 2), _vop(1),
        _s(a.value), _u(_pol_flags(a.policy)), a.bin]),
    "as_exp_string_concat_list": ("S:policy e:values e:bin", lambda a: [
        *_call(_T["STR"], _STRING | _MODIFY, _STRING_OPS["CONCAT"], 2), a.values,
        _u(_pol_flags(a.policy)), a.bin]),
    "as_exp_string_snip_start": ("S:policy i:start e:bin", lambda a: [
        *_call(_T["STR"], _STRING | _MODIFY, _STRING_OPS["SNIP"], 1), _i(a.start), a.bin]),
    "as_exp_string_regex_replace": ("S:policy s:pattern s:replacement i:flags e:bin", lambda a: [
        *_call(_T["STR"], _STRING | _MODIFY, _STRING_OPS["REGEX_REPLACE"], 3), _h("QUOTE", 2),
        _vop(2), _s(a.pattern), _s(a.replacement), _u(a.flags), _u(_pol_flags(a.policy)),
        a.bin]),
}

def _add(name: str, params: str, template: Callable[..., List[Any]]) -> None:
    _SPEC[name] = (params, template)


# Families: one table line per macro, the entries made by the family's shape.
for _type in ("bool", "int", "float", "str", "blob", "geo", "list", "map", "hll"):
    _add(f"as_exp_bin_{_type}", "s:bin_name", lambda a, t=_type: [
        _h("BIN", 3), _i(_T[{"blob": "BLOB", "geo": "GEOJSON"}.get(t, t.upper())]),
        _raw(a.bin_name)])
for _type in ("int", "str", "blob"):
    _add(f"as_exp_key_{_type}", "", lambda a, t=_type: [_h("KEY", 2), _i(_T[t.upper()])])
for _name in ("set_name", "record_size", "device_size", "last_update", "since_update",
              "void_time", "ttl", "is_tombstone", "memory_size", "remove_result"):
    _add(f"as_exp_{_name}", "", lambda a, n=_name: [_h(n.upper(), 1)])
_SPEC["as_exp_result_remove"] = _SPEC["as_exp_remove_result"]
for _name in ("eq", "ne", "gt", "ge", "lt", "le", "geo"):
    _add(f"as_exp_cmp_{_name}", "e:left e:right", lambda a, n=_name: [
        _h(f"CMP_{n.upper()}", 3), a.left, a.right])
for _name in ("floor", "ceil", "to_int", "to_float"):
    _add(f"as_exp_{_name}", "e:num", lambda a, n=_name: [_h(n.upper(), 2), a.num])
for _name in ("lshift", "rshift", "arshift"):
    _add(f"as_exp_int_{_name}", "e:value e:shift", lambda a, n=_name: [
        _h(f"INT_{n.upper()}", 3), a.value, a.shift])
for _type in ("map", "list", "str", "int", "float", "blob", "bool", "nil", "geojson", "hll"):
    _add(f"as_exp_loopvar_{_type}", "i:var_id", lambda a, t=_type: [
        _h("LOOPVAR", 3), _i(_T[t.upper()]), _i(a.var_id)])

# list/map clear, size, and the removes that return nothing
for _kind, _opf, _read, _none, _count in (("list", _list_op, _list_read, _NONE_L, _COUNT_L),
                                           ("map", _map_op, _map_read, _NONE_M, _COUNT_M)):
    _add(f"as_exp_{_kind}_clear", "c:ctx e:bin", lambda a, k=_kind, op=_opf("CLEAR"): [
        *_cdt_mod(a.ctx, None, k.upper(), op, 0, 0), a.bin])
    _add(f"as_exp_{_kind}_size", "c:ctx e:bin", lambda a, rd=_read, c=_count, op=_opf("SIZE"): [
        *rd(_T["AUTO"], c, False), _vop(1, a.ctx), _i(op), a.bin])
    for _name in ("index", "rank") + (("key",) if _kind == "map" else ()):
        _arg = "idx" if _name == "index" else _name
        _add(f"as_exp_{_kind}_remove_by_{_name}", f"c:ctx e:{_arg} e:bin",
             lambda a, k=_kind, op=_opf(f"REMOVE_BY_{_name.upper()}"), n=_none, q=_arg: [
                 *_cdt_mod(a.ctx, None, k.upper(), op, 2, 0), _i(n), getattr(a, q), a.bin])

# list/map modify with a policy: (name, op, params before bin, param, extra, crmod?)
for _kind, _ops in (("list", (
        ("append", "APPEND", "e:val", 1, 2, True), ("append_items", "APPEND_ITEMS", "e:val", 1, 2, True),
        ("insert", "INSERT", "e:idx e:val", 2, 1, False),
        ("insert_items", "INSERT_ITEMS", "e:idx e:val", 2, 1, False),
        ("increment", "INCREMENT", "e:idx e:val", 2, 2, True), ("set", "SET", "e:idx e:val", 2, 1, False))),
        ("map", (("put", "PUT", "e:key e:val", 2, 2, True), ("put_items", "PUT_ITEMS", "e:map", 1, 2, True),
                 ("increment", "INCREMENT", "e:key e:val", 2, 1, False)))):
    for _name, _op, _params, _param, _extra, _crmod in _ops:
        _pol = "L" if _kind == "list" else "M"
        _member = "list_pol" if _kind == "list" else "map_pol"
        _last = f"CDT_{_kind.upper()}_{'CRMOD' if _crmod else 'MOD'}"
        _add(f"as_exp_{_kind}_{_name}", 
            f"c:ctx {_pol}:pol {_params} e:bin",
            lambda a, k=_kind, op=_op, ps=_params, p=_param, x=_extra, m=_member, last=_last: [
                *_cdt_mod(a.ctx, a.pol, k.upper(), (_list_op if k == "list" else _map_op)(op), p, x),
                *(getattr(a, q.split(":")[1]) for q in ps.split()),
                _Entry(_code(last), 0, m, a.pol), a.bin])

# list/map remove and get by rtype: (name, op, params after rtype, multi)
_BY = (("value", "ALL_BY_VALUE", "e:val", True), ("value_list", "BY_VALUE_LIST", "e:values", True),
       ("value_range", "BY_VALUE_INTERVAL", "e:begin e:end", True),
       ("index_range_to_end", "BY_INDEX_RANGE", "e:idx", True),
       ("index_range", "BY_INDEX_RANGE", "e:idx e:count", True),
       ("rank_range_to_end", "BY_RANK_RANGE", "e:rank", True),
       ("rank_range", "BY_RANK_RANGE", "e:rank e:count", True))
_LIST_BY = _BY + (("rel_rank_range_to_end", "BY_VALUE_REL_RANK_RANGE", "e:val e:rank", True),
                  ("rel_rank_range", "BY_VALUE_REL_RANK_RANGE", "e:val e:rank e:count", True))
_MAP_BY = _BY + (("value_rel_rank_range_to_end", "BY_VALUE_REL_RANK_RANGE", "e:val e:rank", True),
                 ("value_rel_rank_range", "BY_VALUE_REL_RANK_RANGE", "e:val e:rank e:count", True),
                 ("key_list", "BY_KEY_LIST", "e:keys", True),
                 ("key_range", "BY_KEY_INTERVAL", "e:begin e:end", True),
                 ("key_rel_index_range_to_end", "BY_KEY_REL_INDEX_RANGE", "e:key e:idx", True),
                 ("key_rel_index_range", "BY_KEY_REL_INDEX_RANGE", "e:key e:idx e:count", True))


def _params_of(a: Any, params: str) -> List[Any]:
    return [getattr(a, q.split(":")[1]) for q in params.split()]


for _kind, _by_table in (("list", _LIST_BY), ("map", _MAP_BY)):
    _opf = _list_op if _kind == "list" else _map_op
    _read = _list_read if _kind == "list" else _map_read
    _single = (("index", "BY_INDEX", "e:idx"), ("rank", "BY_RANK", "e:rank")) + (
        (("key", "BY_KEY", "e:key"),) if _kind == "map" else ())
    for _name, _op, _params, _multi in _by_table:
        _remove_op = "REMOVE_ALL_BY_VALUE" if _op == "ALL_BY_VALUE" else f"REMOVE_{_op}"
        _get_op = "GET_ALL_BY_VALUE" if _op == "ALL_BY_VALUE" else f"GET_{_op}"
        _n = 1 + len(_params.split())
        _add(f"as_exp_{_kind}_remove_by_{_name}", 
            f"c:ctx t:rtype {_params} e:bin",
            lambda a, k=_kind, op=_opf(_remove_op), ps=_params, n=_n: [
                *_cdt_mod(a.ctx, None, k.upper(), op, n, 0), _i(a.rtype), *_params_of(a, ps), a.bin])
        _get_params = "e:val" if (_kind, _name) == ("list", "value_list") else _params  # C's name
        _add(f"as_exp_{_kind}_get_by_{_name}", 
            f"c:ctx t:rtype {_get_params} e:bin",
            lambda a, rd=_read, op=_opf(_get_op), ps=_get_params, n=_n: [
                *rd(_T["AUTO"], a.rtype, True), _vop(1 + n, a.ctx), _i(op), _i(a.rtype),
                *_params_of(a, ps), a.bin])
    for _name, _op, _params in _single:
        _add(f"as_exp_{_kind}_get_by_{_name}", 
            f"c:ctx t:rtype t:vtype {_params} e:bin",
            lambda a, rd=_read, op=_opf(f"GET_{_op}"), ps=_params: [
                *rd(a.vtype, a.rtype, False), _vop(3, a.ctx), _i(op), _i(a.rtype),
                *_params_of(a, ps), a.bin])

# bit modify: (name, op, params after policy, action kind)
for _name, _op, _params in (
        ("set", "SET", "e:bit_offset e:bit_size e:value"), ("or", "OR", "e:bit_offset e:bit_size e:value"),
        ("xor", "XOR", "e:bit_offset e:bit_size e:value"), ("and", "AND", "e:bit_offset e:bit_size e:value"),
        ("lshift", "LSHIFT", "e:bit_offset e:bit_size e:shift"),
        ("rshift", "RSHIFT", "e:bit_offset e:bit_size e:shift"),
        ("set_int", "SET_INT", "e:bit_offset e:bit_size e:value")):
    _add(f"as_exp_bit_{_name}", f"B:policy {_params} e:bin", lambda a, op=_BIT_OPS[_op], ps=_params: [
        *_call(_T["BLOB"], _BITS | _MODIFY, op, 4), *_params_of(a, ps), _u(_pol_flags(a.policy)),
        a.bin])
for _name, _op in (("add", "ADD"), ("subtract", "SUBTRACT")):
    _add(f"as_exp_bit_{_name}", 
        "B:policy e:bit_offset e:bit_size e:value i:action e:bin", lambda a, op=_BIT_OPS[_op]: [
            *_call(_T["BLOB"], _BITS | _MODIFY, op, 5), a.bit_offset, a.bit_size, a.value,
            _u(_pol_flags(a.policy)), _u(a.action), a.bin])
    _add(f"as_exp_bit_{_name}_signed", 
        "B:policy e:bit_offset e:bit_size e:value b:signed i:action e:bin",
        lambda a, op=_BIT_OPS[_op]: [
            *_call(_T["BLOB"], _BITS | _MODIFY, op, 5), a.bit_offset, a.bit_size, a.value,
            _u(_pol_flags(a.policy)), _u(a.action | 1 if a.signed else a.action), a.bin])
# bit read: (name, rtype, op, params)
for _name, _rtype, _op, _params in (
        ("get", "BLOB", "GET", "e:bit_offset e:bit_size"), ("count", "INT", "COUNT", "e:bit_offset e:bit_size"),
        ("lscan", "INT", "LSCAN", "e:bit_offset e:bit_size e:value"),
        ("rscan", "INT", "RSCAN", "e:bit_offset e:bit_size e:value")):
    _add(f"as_exp_bit_{_name}", f"{_params} e:bin", lambda a, rt=_T[_rtype], op=_BIT_OPS[_op], ps=_params: [
        *_call(rt, _BITS, op, len(ps.split())), *_params_of(a, ps), a.bin])
# hll read: (name, rtype, op, takes a list)
for _name, _rtype, _op, _list in (
        ("get_count", "INT", "COUNT", False), ("get_union", "HLL", "GET_UNION", True),
        ("get_union_count", "INT", "UNION_COUNT", True),
        ("get_intersect_count", "INT", "INTERSECT_COUNT", True),
        ("get_similarity", "FLOAT", "SIMILARITY", True), ("describe", "LIST", "DESCRIBE", False),
        ("may_contain", "INT", "MAY_CONTAIN", True)):
    _add(f"as_exp_hll_{_name}", "e:list e:bin" if _list else "e:bin", lambda a, rt=_T[_rtype], op=_HLL_OPS[_op], ls=_list: [
        *_call(rt, _HLL, op, 1 if ls else 0), *([a.list] if ls else []), a.bin])
# string read: (name, rtype, op, params: i = as_exp_int, s = as_exp_str)
for _name, _rtype, _op, _params in (
        ("strlen", "INT", "STRLEN", ""), ("substr", "STR", "SUBSTR", "i:start"),
        ("substr_range", "STR", "SUBSTR", "i:start i:end"), ("char_at", "STR", "CHAR_AT", "i:index"),
        ("find", "INT", "FIND", "s:needle"), ("find_occurrence", "INT", "FIND", "s:needle i:occurrence"),
        ("contains", "BOOL", "CONTAINS", "s:needle"), ("starts_with", "BOOL", "STARTS_WITH", "s:prefix"),
        ("ends_with", "BOOL", "ENDS_WITH", "s:suffix"), ("to_integer", "INT", "TO_INTEGER", ""),
        ("to_double", "FLOAT", "TO_DOUBLE", ""), ("byte_length", "INT", "BYTE_LENGTH", ""),
        ("is_numeric", "BOOL", "IS_NUMERIC", ""),
        ("is_numeric_type", "BOOL", "IS_NUMERIC", "i:numeric_type"),
        ("is_upper", "BOOL", "IS_UPPER", ""), ("is_lower", "BOOL", "IS_LOWER", ""),
        ("to_blob", "BLOB", "TO_BLOB", ""), ("split", "LIST", "SPLIT", ""),
        ("split_separator", "LIST", "SPLIT", "s:separator"), ("b64_decode", "BLOB", "B64_DECODE", ""),
        ("regex_compare", "BOOL", "REGEX_COMPARE", "s:pattern"),
        ("regex_compare_flags", "BOOL", "REGEX_COMPARE", "s:pattern i:flags")):
    _add(f"as_exp_string_{_name}", f"{_params} e:bin".strip(), lambda a, rt=_T[_rtype], op=_STRING_OPS[_op], ps=_params: [
        *_call(rt, _STRING, op, len(ps.split())),
        *((_i if q[0] == "i" else _s)(getattr(a, q[2:])) for q in ps.split()), a.bin])
# string modify: (name, op, params; the policy's flags last unless noted)
for _name, _op, _params in (
        ("insert", "INSERT", "i:index s:value"), ("overwrite", "OVERWRITE", "i:index s:value"),
        ("append", "APPEND", "s:value"), ("prepend", "PREPEND", "s:value"),
        ("snip", "SNIP", "i:start i:end"), ("upper", "UPPER", ""), ("lower", "LOWER", ""),
        ("case_fold", "CASE_FOLD", ""), ("normalize_nfc", "NORMALIZE_NFC", ""),
        ("trim_start", "TRIM_START", ""), ("trim_end", "TRIM_END", ""), ("trim", "TRIM", ""),
        ("pad_start", "PAD_START", "i:target_length s:pad_string"),
        ("pad_end", "PAD_END", "i:target_length s:pad_string"), ("repeat", "REPEAT", "i:count")):
    _add(f"as_exp_string_{_name}", f"S:policy {_params} e:bin", lambda a, op=_STRING_OPS[_op], ps=_params: [
        *_call(_T["STR"], _STRING | _MODIFY, op, len(ps.split()) + 1),
        *((_i if q[0] == "i" else _s)(getattr(a, q[2:])) for q in ps.split()),
        _u(_pol_flags(a.policy)), a.bin])
for _name, _op in (("replace", "REPLACE"), ("replace_all", "REPLACE_ALL")):
    _add(f"as_exp_string_{_name}", "S:policy s:needle s:replacement e:bin", lambda a, op=_STRING_OPS[_op]: [
        *_call(_T["STR"], _STRING | _MODIFY, op, 2), _h("QUOTE", 2), _vop(2), _s(a.needle),
        _s(a.replacement), _u(_pol_flags(a.policy)), a.bin])

_BUILDERS = {name: _builder(name, params, template) for name, (params, template) in _SPEC.items()}
globals().update(_BUILDERS)
__all__ += sorted(_BUILDERS)


# -- written out: literals, variadic builders, let/def -------------------------------------------
def as_exp_bool(val: bool) -> as_exp_entries:
    """as_exp_bool(val): a boolean literal."""
    return as_exp_entries([_Entry(_code("VAL_BOOL"), 0, "bool_val", _check_bool(val, "as_exp_bool: val"))])


def as_exp_int(val: int) -> as_exp_entries:
    """as_exp_int(val): an int64 literal."""
    return as_exp_entries([_i(_check_int(val, "as_exp_int: val"))])


def as_exp_uint(val: int) -> as_exp_entries:
    """as_exp_uint(val): a uint64 literal."""
    return as_exp_entries([_u(_check_uint(val, "as_exp_uint: val"))])


def as_exp_float(val: float) -> as_exp_entries:
    """as_exp_float(val): a double literal."""
    if isinstance(val, bool) or not isinstance(val, (float, int)):
        raise TypeError(f"as_exp_float: val must be a float, not {type(val).__name__}")
    return as_exp_entries([_Entry(_code("VAL_FLOAT"), 0, "float_val", float(val))])


def as_exp_str(val: str) -> as_exp_entries:
    """as_exp_str(val): a string literal."""
    return as_exp_entries([_s(_check_str(val, "as_exp_str: val"))])


def as_exp_bytes(val: bytes, size: int) -> as_exp_entries:
    """as_exp_bytes(val, size): a blob literal of the first size bytes of val."""
    if not isinstance(val, (bytes, bytearray, memoryview)):
        raise TypeError(f"as_exp_bytes: val must be bytes, not {type(val).__name__}")
    data = bytes(val)
    _check_int(size, "as_exp_bytes: size", 0, len(data))
    return as_exp_entries([_Entry(_code("VAL_BYTES"), 0, "bytes_val", data[:size])])


def as_exp_geo(val: str) -> as_exp_entries:
    """as_exp_geo(val): a GeoJSON literal (a GeoJSON string)."""
    _check_str(val, "as_exp_geo: val")
    return as_exp_entries([_Entry(_code("VAL_GEO"), 0, "geo", GeoJSON(val))])


def as_exp_val(val: Any) -> as_exp_entries:
    """as_exp_val(val): any value (a list, a map ...) as a literal; a list is quoted by C."""
    val_to_c_check = val_to_c(val, "as_exp_val: val")  # checks the value now
    lib.as_val_val_destroy(val_to_c_check)
    return as_exp_entries([_Entry(_code("AS_VAL"), 0, "val", val)])


def as_exp_nil() -> as_exp_entries:
    """as_exp_nil(): the nil literal."""
    return as_exp_val(None)


def as_exp_inf() -> as_exp_entries:
    """as_exp_inf(): the CDT infinity value (range ends)."""
    return as_exp_val(as_cmp_inf)


def as_exp_wildcard() -> as_exp_entries:
    """as_exp_wildcard(): the CDT wildcard value."""
    return as_exp_val(as_cmp_wildcard)


def _variadic(name: str, code: str) -> Callable[..., as_exp_entries]:
    def build(*exprs: as_exp_entries) -> as_exp_entries:
        if not exprs:
            raise TypeError(f"{name}(...) takes at least one expression")
        entries: List[_Entry] = [_h(code)]
        for i, expr in enumerate(exprs):
            entries.extend(_check_exp(expr, f"{name}: argument {i + 1}"))
        entries.append(_Entry(_END))
        return as_exp_entries(entries)

    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"{name}(...): the C macro's entries, for any number of expressions."
    build.exp_variadic = True  # type: ignore[attr-defined]
    return build


_VARIADIC = {f"as_exp_{n}": _variadic(f"as_exp_{n}", c) for n, c in (
    ("and", "AND"), ("or", "OR"), ("exclusive", "EXCLUSIVE"), ("add", "ADD"), ("sub", "SUB"),
    ("mul", "MUL"), ("div", "DIV"), ("int_and", "INT_AND"), ("int_or", "INT_OR"),
    ("int_xor", "INT_XOR"), ("min", "MIN"), ("max", "MAX"), ("cond", "COND"))}
globals().update(_VARIADIC)


def as_exp_def(var_name: str, expr: as_exp_entries) -> as_exp_entries:
    """as_exp_def(var_name, expr): a variable of as_exp_let()."""
    name = _check_str(var_name, "as_exp_def: var_name")
    return _as_exp_def([_raw(name), *_check_exp(expr, "as_exp_def: expr")])


def as_exp_let(*defs_and_expr: as_exp_entries) -> as_exp_entries:
    """as_exp_let(def, ..., expr): the expr with the variables of the as_exp_def()s."""
    if len(defs_and_expr) < 2:
        raise TypeError("as_exp_let(...) takes one or more as_exp_def() and an expression")
    entries: List[_Entry] = [_h("LET")]
    for i, item in enumerate(defs_and_expr[:-1]):
        if not isinstance(item, _as_exp_def):
            raise TypeError(f"as_exp_let: argument {i + 1} must be an as_exp_def(), "
                            f"not {type(item).__name__}")
        entries.extend(item)
    entries.extend(_check_exp(defs_and_expr[-1], f"as_exp_let: argument {len(defs_and_expr)}"))
    entries.append(_Entry(_END))
    return as_exp_entries(entries)


__all__ += sorted(_VARIADIC) + [
    "as_exp_bool", "as_exp_int", "as_exp_uint", "as_exp_float", "as_exp_str", "as_exp_bytes",
    "as_exp_geo", "as_exp_val", "as_exp_nil", "as_exp_inf", "as_exp_wildcard", "as_exp_def",
    "as_exp_let"]


# -- compiling ----------------------------------------------------------------------------------------
#: The union member each op's entry sets (as the builders set it), and the value's type; an
#: op not listed sets none. C reads the pointer members unchecked (strlen, ->packed_sz ...).
_MEMBERS: Dict[int, Tuple[str, Tuple[type, ...]]] = {
    _VAL_INT: ("int_val", (int,)), _VAL_RTYPE: ("int_val", (int,)), _VAL_UINT: ("uint_val", (int,)),
    _code("VAL_FLOAT"): ("float_val", (float,)), _code("VAL_BOOL"): ("bool_val", (bool,)),
    _VAL_STR: ("str_val", (bytes,)), _VAL_RAWSTR: ("str_val", (bytes,)),
    _code("VAL_BYTES"): ("bytes_val", (bytes,)), _code("AS_VAL"): ("val", (object,)),
    _code("VAL_GEO"): ("geo", (GeoJSON,)), _code("MERGE"): ("expr", (as_exp,)),
    _code("CTX"): ("ctx", (as_cdt_ctx,)), _VOP_START: ("ctx", (as_cdt_ctx, type(None))),
    **{_code(f"CDT_LIST_{n}"): ("list_pol", (CStruct, type(None))) for n in ("CRMOD", "MOD")},
    **{_code(f"CDT_MAP_{n}"): ("map_pol", (CStruct, type(None))) for n in ("CRMOD", "CR", "MOD")},
}


def _check_entry(entry: Any, what: str) -> None:
    """TypeError/ValueError for an entry no builder makes (one built or altered by hand)."""
    if not isinstance(entry, _Entry):
        raise TypeError(f"{what}: an entry must be what an as_exp_* builder returns, "
                        f"not {type(entry).__name__}")
    _check_int(entry.op, f"{what}: entry op", 0, (1 << 31) - 1)
    _check_int(entry.n, f"{what}: entry count", 0, (1 << 32) - 1)
    member, types = _MEMBERS.get(entry.op, (None, (type(None),)))
    if entry.member != member or not isinstance(entry.value, types) or (
            member in ("int_val", "uint_val") and isinstance(entry.value, bool)):
        raise TypeError(f"{what}: an entry of op {entry.op} sets {member} "
                        f"({'/'.join(t.__name__ for t in types)}), not {entry.member} "
                        f"({type(entry.value).__name__})")
    if member in ("list_pol", "map_pol") and entry.value is not None:
        _policy_check(f"as_{member[:-4]}_policy")(entry.value, what)


def _table(entries: Sequence[_Entry], what: str) -> Tuple[Any, List[Any], List[Any]]:
    """The as_exp_entry[] of `entries`, what it points at, and the geo values C destroys."""
    table = ffi.new("as_exp_entry[]", max(len(entries), 1))
    keep: List[Any] = []
    geos: List[Any] = []
    try:
        for i, entry in enumerate(entries):
            c_entry = table[i]
            c_entry.op = entry.op
            c_entry.count = entry.n
            member, value = entry.member, entry.value
            if member is None:
                continue
            if member == "str_val":
                buffer = ffi.new("char[]", value)
                keep.append(buffer)
                c_entry.v.str_val = buffer
            elif member == "bytes_val":
                buffer = ffi.new("uint8_t[]", max(len(value), 1))
                ffi.memmove(buffer, value, len(value))
                keep.append(buffer)
                c_entry.v.bytes_val = buffer
                c_entry.sz = len(value)
            elif member == "val":
                val = ffi.gc(val_to_c(value, what), lib.as_val_val_destroy)
                keep.append(val)
                c_entry.v.val = val
            elif member == "geo":  # as_exp_compile destroys it (as_geojson_new in the macro)
                val = val_to_c(value, what)
                geos.append(val)
                c_entry.v.val = val
            elif member == "ctx":
                if value is None and entry.op != _VOP_START:  # C packs a CTX entry's unchecked
                    raise ParamError(as_status.AEROSPIKE_ERR_PARAM, f"{what}: a path without ctx")
                c_entry.v.ctx = ffi.NULL if value is None else struct_ptr(value, "as_cdt_ctx", what)
            elif member in ("list_pol", "map_pol"):
                setattr(c_entry.v, member, ffi.NULL if value is None else value._ptr)
                if value is not None:
                    struct_ptr(value, ffi.typeof(value._ptr).cname, what)
            elif member == "expr":
                c_entry.v.expr = struct_ptr(value, "as_exp", what)
            else:
                setattr(c_entry.v, member, value)
    except BaseException:
        for val in geos:
            lib.as_val_val_destroy(val)
        raise
    return table, keep, geos


_VA_STARTS = frozenset(_code(name) for name in (
    "COND", "LET", "AND", "OR", "EXCLUSIVE", "ADD", "SUB", "MUL", "DIV", "INT_AND", "INT_OR",
    "INT_XOR", "MIN", "MAX"))


def _check_balanced(entries: Sequence[_Entry], what: str) -> None:
    """Every variadic start closed by its end marker (as_exp_compile sizes a start's list
    header at its end marker: one never closed would be packed past the buffer)."""
    depth = 0
    for entry in entries:
        if entry.op in _VA_STARTS:
            depth += 1
        elif entry.op == _END:
            depth -= 1
            if depth < 0:
                break
    if depth:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"{what}: a variadic expression without its end (or an end without one)")


def _compile(entries: Sequence[Any], what: str) -> as_exp:
    flat: List[_Entry] = []
    for item in entries:
        if isinstance(item, _Entry):
            flat.append(item)
        else:
            flat.extend(_check_exp(item, f"{what}: entries") if not isinstance(item, _as_exp_def)
                        else item)
    if not flat:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM, f"{what}: no entries")
    for entry in flat:
        _check_entry(entry, what)
    _check_balanced(flat, what)
    table, keep, geos = _table(flat, what)
    ptr = lib.as_exp_compile(table, len(flat))
    if ptr == ffi.NULL:
        for val in geos:  # C returns NULL before it packs (and destroys) any geo value
            lib.as_val_val_destroy(val)
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"{what}: the C client refused the expression (an empty context, "
                         "a return type that cannot be read, or an unpackable value)")
    del keep
    return as_exp(ptr)


def as_exp_build(expression: as_exp_entries) -> as_exp:
    """as_exp_build(exp, ...): the compiled expression (C: the macro declares `exp`)."""
    return _compile([_check_exp(expression, "as_exp_build: expression")], "as_exp_build")


def as_exp_build_b64(expression: as_exp_entries) -> str:
    """as_exp_build_b64(b64, ...): the compiled expression as base64 text."""
    exp = _compile([_check_exp(expression, "as_exp_build_b64: expression")], "as_exp_build_b64")
    try:
        return as_exp_compile_b64(exp)
    finally:
        exp._release()


def as_exp_compile(table: Sequence[Any], n: int) -> as_exp:
    """as_exp_compile(table, n): compile n entries (a builder's result, or a list of them)."""
    if isinstance(table, as_exp_entries):
        items: List[Any] = list(table)
    elif isinstance(table, Sequence) and not isinstance(table, (str, bytes)):
        items = [e for part in table for e in _check_exp(part, "as_exp_compile: table")]
    else:
        raise TypeError(f"as_exp_compile: table must be as_exp_entries, not {type(table).__name__}")
    if _check_int(n, "as_exp_compile: n", 0, len(items)) != len(items):
        raise ValueError(f"as_exp_compile: n must be the number of entries ({len(items)}), got {n}")
    return _compile(items, "as_exp_compile")


def _exp(exp: Any, what: str) -> Any:
    if not isinstance(exp, as_exp):
        raise TypeError(f"{what} takes an as_exp, not {type(exp).__name__}")
    return struct_ptr(exp, "as_exp", what)


def as_exp_compile_b64(exp: as_exp) -> str:
    """as_exp_compile_b64(exp): the packed expression as base64 text."""
    text = lib.as_exp_compile_b64(_exp(exp, "as_exp_compile_b64"))
    try:
        return ffi.string(text).decode("ascii")
    finally:
        lib.as_exp_destroy_b64(text)


def as_exp_to_base64(exp: as_exp) -> str:
    """as_exp_to_base64(exp): the packed expression as base64 text."""
    text = lib.as_exp_to_base64(_exp(exp, "as_exp_to_base64"))
    try:
        return ffi.string(text).decode("ascii")
    finally:
        lib.as_exp_destroy_base64(text)


def as_exp_from_base64(base64: str) -> as_exp:
    """as_exp_from_base64(base64): an expression from as_exp_to_base64() text; ParamError
    for text that is not base64 (C would decode it unchecked)."""
    if not isinstance(base64, str):
        raise TypeError(f"as_exp_from_base64: base64 must be a str, not {type(base64).__name__}")
    try:
        data = base64.encode("ascii")
        if not b64.b64decode(data, validate=True):
            raise binascii.Error("empty")
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"as_exp_from_base64: not base64 ({exc})") from None
    return as_exp(lib.as_exp_from_base64(data))


def as_exp_destroy(exp: as_exp) -> None:
    """as_exp_destroy(exp): any later use raises LifecycleError; the C memory goes when the
    last holder does (a policy whose filter_exp it is may be in a running command)."""
    _exp(exp, "as_exp_destroy")
    exp._retire()


def as_exp_destroy_b64(b64: str) -> None:  # noqa: ARG001 - C name and argument
    """as_exp_destroy_b64(b64): the text is a Python str already; nothing is left to free."""
    if not isinstance(b64, str):
        raise TypeError(f"as_exp_destroy_b64: b64 must be a str, not {type(b64).__name__}")


def as_exp_destroy_base64(base64: str) -> None:
    """as_exp_destroy_base64(base64): as as_exp_destroy_b64()."""
    as_exp_destroy_b64(base64)


def as_exp_get_ctx_type(ctx: Optional[as_cdt_ctx], default_type: int) -> int:
    """as_exp_get_ctx_type(ctx, default_type): the type a CDT modify expression returns."""
    _check_enum(default_type, "as_exp_get_ctx_type: default_type", "as_exp_type")
    return int(lib.as_exp_get_ctx_type(_ctx_ptr(_check_ctx(ctx, "as_exp_get_ctx_type: ctx")),
                                       default_type))


def as_exp_get_list_type(default_type: int, rtype: int, is_multi: bool) -> int:
    """as_exp_get_list_type(): the type a list read expression returns (AS_EXP_TYPE_ERROR: none)."""
    return int(lib.as_exp_get_list_type(_check_enum(default_type, "default_type", "as_exp_type"),
                                        _check_enum(rtype, "rtype", "as_list_return_type"),
                                        _check_bool(is_multi, "is_multi")))


def as_exp_get_map_type(type: int, rtype: int, is_multi: bool) -> int:  # noqa: A002 - C name
    """as_exp_get_map_type(): the type a map read expression returns (AS_EXP_TYPE_ERROR: none)."""
    return int(lib.as_exp_get_map_type(_check_enum(type, "type", "as_exp_type"),
                                       _check_enum(rtype, "rtype", "as_map_return_type"),
                                       _check_bool(is_multi, "is_multi")))


def exp_arg(exp: Any, what: str) -> Any:
    """The `as_exp*` of an expression argument (for the other bindings)."""
    return _exp(exp, what)
