"""as_operations.h: the operations of one aerospike_key_operate() call.

    ops = as_operations_init(3)                  # as_operations ops; as_operations_inita(&ops, 3);
    as_operations_add_incr(ops, "count", 1)
    as_operations_add_append_str(ops, "log", "x")
    as_operations_add_read(ops, "count")
    ops.ttl = 120                                # fields ttl, gen by C name
    rec = aerospike_key_operate(as_, None, key, ops)
    as_operations_destroy(ops)                   # or let it be collected

Every `as_operations_add_*` function of the C header is here with the C arguments in the C
order (`as_operations_add_write(ops, name, value)` takes any Python value; `_raw` ones take
bytes and a size). The list and map CDT operations are in as_list_operations and
as_map_operations, built the same way. A C `false` (bin name over 15 bytes, no room left:
nops is fixed as in C) raises ParamError; values are checked as for bins (TypeError).

The wrappers are generated from the C prototypes (cffi knows every argument's type), so they
cannot drift from the header. `c_operation_wrappers(pattern)` is that generator, shared with
the CDT modules; each wrapper's `c_args` lists its C argument types after `ops`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Callable, Dict, List, Optional, Tuple

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._calls import UsedStruct, free_flag
from ._owned import struct_ptr
from .as_cdt_ctx import as_cdt_ctx, ctx_arg
from .as_exp import exp_arg
from .as_error import check, new_error
from .as_record import bin_name
from .as_status import as_status
from ._cstruct import c_enum, int_range
from .as_val import bin_value_from_c, encode_str, val_to_c

_OPERATOR = c_enum("as_operator")

__all__ = ["as_operations", "as_operations_init", "as_operations_new", "as_operations_inita", "as_operations_destroy",
           "as_operations_has_write", "as_operations_consists_of_all_writes",
           "as_operations_select_by_path", "as_operations_modify_by_path"]


class as_operations(UsedStruct):  # noqa: N801 - the C type's name
    """`as_operations`: room for nops operations; fields ttl, gen (and binops) by C name.
    Destroyed once, never while a C call reads it."""

    __slots__ = ()
    ctype = "as_operations"
    _c_destroy = lib.as_operations_destroy

    def __init__(self, nops: int) -> None:
        if isinstance(nops, bool) or not isinstance(nops, int):
            raise TypeError(f"nops must be an int, not {type(nops).__name__}")
        if not 0 <= nops <= 0xFFFF:
            raise ValueError(f"nops must be in [0, 65535], got {nops}")
        super().__init__(lambda p: lib.as_operations_init(p, nops))

    def __len__(self) -> int:
        self._check_writable("as_operations")
        return self._ptr.binops.size

    def entries(self) -> List[Tuple[Any, str, Any]]:
        """ops->binops.entries as [(as_operator, bin name, value)] (CDT operations hold their
        packed request as bytes; operations without a value hold None)."""
        self._check_writable("as_operations")
        binops = self._ptr.binops
        out = []
        for i in range(binops.size):
            entry = binops.entries[i]
            value = entry.bin.valuep
            out.append((_OPERATOR(entry.op), ffi.string(entry.bin.name).decode("utf-8", "replace"),
                        None if value == ffi.NULL else bin_value_from_c(value)))
        return out

    def __repr__(self) -> str:
        if self._released:
            return "<as_operations destroyed>"
        binops = self._ptr.binops
        return f"<as_operations {binops.size}/{binops.capacity} ttl={self._ptr.ttl} gen={self._ptr.gen}>"


def ops_arg(ops: Any) -> as_operations:
    """An usable as_operations (TypeError / LifecycleError otherwise)."""
    if not isinstance(ops, as_operations):
        raise TypeError(f"expected an as_operations, got {type(ops).__name__}")
    ops._check_writable("as_operations")
    return ops


def as_operations_init(nops: int) -> as_operations:
    """as_operations_init(&ops, nops) / as_operations_inita(): room for nops operations."""
    return as_operations(nops)


as_operations_new = as_operations_init
as_operations_inita = as_operations_init


def as_operations_destroy(ops: as_operations) -> None:
    """as_operations_destroy(): free the operations and the values they hold."""
    ops_arg(ops)._destroy("as_operations_destroy")


def as_operations_has_write(ops: as_operations) -> bool:
    """as_operations_has_write(): does any operation write."""
    return bool(lib.as_operations_has_write(ops_arg(ops)._ptr))


def as_operations_consists_of_all_writes(ops: as_operations) -> bool:
    """as_operations_consists_of_all_writes(): does every operation write."""
    return bool(lib.as_operations_consists_of_all_writes(ops_arg(ops)._ptr))


# -- generated wrappers -------------------------------------------------------------------------
def _pointer(kind: str, required: bool = False) -> Callable[[Any, str, as_operations], Any]:
    """A converter for a struct argument (ctx, list/map policy): None -> NULL unless required."""
    def convert(value: Any, where: str, ops: as_operations) -> Any:
        if value is None and not required:
            return ffi.NULL
        if value is None:
            raise TypeError(f"{where}: the {kind.rstrip(' *')} may not be None (C dereferences it)")
        return struct_ptr(value, kind, where)  # C packs it into the operation at once
    return convert


def _value(cast: Optional[str], types: Tuple[type, ...] = ()) -> Callable[..., Any]:
    """A converter for a value the C function consumes (as_val*, as_list*, as_map*), to be
    stored `depth` levels down its bin."""
    def convert(value: Any, where: str, ops: as_operations, depth: int = 0) -> Any:
        if types and (not isinstance(value, types) or isinstance(value, (str, bytes))):
            raise TypeError(f"{where} must be a {types[0].__name__}, not {type(value).__name__}")
        val = val_to_c(value, where, depth, stored=True)
        return ffi.cast(cast, val) if cast else val
    return convert


def _text(value: Any, where: str, ops: as_operations) -> Any:
    if not isinstance(value, str):
        raise TypeError(f"{where} must be a str, not {type(value).__name__}")
    data = encode_str(value, where)
    if b"\0" in data:
        raise ValueError(f"{where} must not contain NUL characters (C reads it with strlen)")
    ops._keep(data)  # some operations point at it until aerospike_key_operate
    return data


def _raw(value: Any, where: str, ops: as_operations) -> Any:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{where} must be bytes, not {type(value).__name__}")
    data = bytes(value)
    ops._keep(data)
    return data


def _plain(value: Any, where: str, ops: as_operations) -> Any:
    return value


def _number(cname: str, position: int) -> Optional[Callable[[Any, str], Any]]:
    """A check of a number argument cffi would convert at the C call, for before any value is
    converted for C: cffi's OverflowError there left the values already converted (which C
    was to consume) to leak, and did not say which argument. None for other argument types."""
    ctype = ffi.typeof(cname)
    if ctype.kind not in ("primitive", "enum") or ctype.cname in ("char", "void"):
        return None
    what = f"argument {position} ({cname})"
    if ctype.cname in ("float", "double"):
        def real(value: Any, where: str) -> Any:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{where}: {what} must be a number, not {type(value).__name__}")
            return value
        return real
    low, high = int_range(ctype.cname)

    def integer(value: Any, where: str) -> Any:
        if not isinstance(value, int):
            raise TypeError(f"{where}: {what} must be an int, not {type(value).__name__}")
        if not low <= value <= high:
            raise ValueError(f"{where}: {what} must be in [{low}, {high}], got {value}")
        return value
    return integer


_CONVERTERS: Dict[str, Callable[..., Any]] = {
    "struct as_cdt_ctx *": _pointer("struct as_cdt_ctx *"),
    "struct as_list_policy_s *": _pointer("struct as_list_policy_s *"),
    "struct as_map_policy_s *": _pointer("struct as_map_policy_s *"),
    "struct as_bit_policy_s *": _pointer("struct as_bit_policy_s *"),
    "struct as_hll_policy_s *": _pointer("struct as_hll_policy_s *"),
    "struct as_string_policy_s *": _pointer("struct as_string_policy_s *"),
    "struct as_val_s *": _value(None),
    "union as_bin_value_s *": _value("as_bin_value*"),
    "struct as_list_s *": _value("as_list*", (list, tuple)),
    "struct as_map_s *": _value("as_map*", (Mapping,)),
    "char *": _text,
    "uint8_t *": _raw,
    "unsigned char *": _raw,
}
_MAP_POLICY = "struct as_map_policy_s *"
_CTX = "struct as_cdt_ctx *"
_REQUIRED_POLICY = _pointer(_MAP_POLICY, required=True)
_CONSUMED = ("struct as_val_s *", "union as_bin_value_s *", "struct as_list_s *", "struct as_map_s *")


def _wrapper(name: str, requires_policy: bool, size_first: bool) -> Callable[..., bool]:
    function = getattr(lib, name)
    ctype = ffi.typeof(function)
    args = [a.cname for a in ctype.args]
    if args[:2] != ["struct as_operations_s *", "char *"] and args != ["struct as_operations_s *"]:
        raise RuntimeError(f"{name}: not an (ops, name, ...) operation")  # pragma: no cover
    rest = args[2:]
    converters: List[Callable[..., Any]] = [
        _REQUIRED_POLICY if requires_policy and a == _MAP_POLICY else _CONVERTERS.get(a, _plain)
        for a in rest]
    # (buffer, size) pairs: where the size is, after the buffer (C's _raw) or before it (bit ops)
    step = -1 if size_first else 1
    raw_sizes = [(i, i + step) for i, a in enumerate(rest)
                 if a in ("uint8_t *", "unsigned char *") and 0 <= i + step < len(rest)]
    prototype = f"{name}(ops{', name' if len(args) > 1 else ''}{''.join(', ' + a for a in rest)})"
    # A CDT operation's values go inside the bin's list or map (one level), under its context.
    cdt = name.startswith(("as_operations_list_", "as_operations_map_", "as_operations_add_list_",
                           "as_operations_add_map_", "as_operations_string_"))
    ctx_at = rest.index(_CTX) if _CTX in rest else None
    numbers = [(i, check) for i, check in ((i, _number(a, i + 3)) for i, a in enumerate(rest)
                                           if _CONVERTERS.get(a, _plain) is _plain)
               if check is not None]

    def operation(ops: Any, *values: Any) -> bool:
        ops = ops_arg(ops)
        expected = len(args) - 1
        if len(values) != expected:
            raise TypeError(f"{prototype} takes {expected + 1} arguments, got {len(values) + 1}")
        binops = ops._ptr.binops
        if binops.size >= binops.capacity:
            raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                             f"{name}: the as_operations is full ({binops.capacity} operations)")
        c_args: List[Any] = []
        if expected:
            c_args.append(bin_name(values[0]))
            where = f"{name}: bin {values[0]!r}"
            depth = 0
            if cdt:
                ctx = values[1 + ctx_at] if ctx_at is not None else None
                if isinstance(ctx, as_cdt_ctx):
                    depth = 1 + struct_ptr(ctx, "as_cdt_ctx", where).list.size
                else:
                    depth = 1
            for i, check in numbers:  # before any value C consumes is made
                check(values[i + 1], where)
            for i, size_at in raw_sizes:  # C reads `size` bytes of the buffer
                size, buffer = values[size_at + 1], values[i + 1]
                if (isinstance(buffer, (bytes, bytearray, memoryview)) and
                        not 0 <= size <= len(buffer)):
                    raise ValueError(f"{where}: size must be in [0, {len(buffer)}]")
            try:
                for kind, convert, value in zip(rest, converters, values[1:]):
                    c_args.append(convert(value, where, ops, depth) if kind in _CONSUMED
                                  else convert(value, where, ops))
            except BaseException:
                for kind, arg in zip(rest, c_args[1:]):
                    if kind in _CONSUMED:
                        lib.as_val_val_destroy(ffi.cast("as_val*", arg))
                raise
        with ops._use(name) as ptr:
            ok = function(ptr, *c_args)
        if not ok:
            raise ParamError(as_status.AEROSPIKE_ERR_PARAM, f"{name} failed")
        return True

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = f"{prototype}: the C function; raises ParamError where C returns false."
    operation.c_args = tuple(rest)  # type: ignore[attr-defined]
    return operation


def c_operation_wrappers(pattern: str, requires_policy: Tuple[str, ...] = (),
                         size_first: bool = False) -> Dict[str, Callable[..., bool]]:
    """A wrapper for every declared C function whose name matches `pattern` (re.fullmatch);
    those named in `requires_policy` refuse a None map policy (C would dereference NULL).
    A buffer argument's size comes after it (`_raw(value, size)`), or before it with
    `size_first` (the bit operations' `value_byte_size, value`)."""
    regex = re.compile(pattern)
    return {name: _wrapper(name, name in requires_policy, size_first) for name in sorted(dir(lib))
            if regex.fullmatch(name) and callable(getattr(lib, name))}


def pointer_variant(wrappers: Dict[str, Callable[..., bool]], base_name: str) -> Callable[..., bool]:
    """C's `..._strp`/`..._rawp` form of a `_str`/`_raw` wrapper: the same arguments and a
    trailing `free` flag, which is checked and moot (the operation holds its own copy)."""
    base = wrappers[base_name]
    name = base_name + "p"

    def variant(ops: Any, *args: Any) -> bool:
        if not args:
            raise TypeError(f"{name} takes a trailing free argument")
        free_flag(args[-1], name)
        return base(ops, *args[:-1])

    variant.__name__ = variant.__qualname__ = name
    variant.__doc__ = f"{name}(..., free): {base_name}() with C's free flag (copied either way)."
    return variant


_OPERATIONS = c_operation_wrappers(
    r"as_operations_add_(write|read|incr|prepend|append|touch|delete)\w*")
_OPERATIONS.pop("as_operations_add_read_all_called", None)
globals().update(_OPERATIONS)
__all__ += sorted(_OPERATIONS)

as_operations_add_write_strp = pointer_variant(_OPERATIONS, "as_operations_add_write_str")
as_operations_add_write_geojson_strp = pointer_variant(_OPERATIONS,
                                                       "as_operations_add_write_geojson_str")
as_operations_add_write_rawp = pointer_variant(_OPERATIONS, "as_operations_add_write_raw")
as_operations_add_append_strp = pointer_variant(_OPERATIONS, "as_operations_add_append_str")
as_operations_add_append_rawp = pointer_variant(_OPERATIONS, "as_operations_add_append_raw")
as_operations_add_prepend_strp = pointer_variant(_OPERATIONS, "as_operations_add_prepend_str")
as_operations_add_prepend_rawp = pointer_variant(_OPERATIONS, "as_operations_add_prepend_raw")
__all__ += [
    "as_operations_add_write_strp", "as_operations_add_write_geojson_strp",
    "as_operations_add_write_rawp", "as_operations_add_append_strp",
    "as_operations_add_append_rawp", "as_operations_add_prepend_strp",
    "as_operations_add_prepend_rawp",
]


def as_operations_add_read_all_called(ops: as_operations) -> bool:
    """as_operations_add_read_all_called(): was as_operations_add_read_all() added."""
    return bool(lib.as_operations_add_read_all_called(ops_arg(ops)._ptr))


__all__.append("as_operations_add_read_all_called")


# -- select / modify by path (server 8.1) --------------------------------------------------------
def as_operations_select_by_path(ops: as_operations, name: str, ctx: Any, flags: int) -> None:
    """as_operations_select_by_path(): read what `ctx` (an as_cdt_ctx; C refuses None or an
    empty one with ParamError) selects in bin `name`, shaped by `flags`
    (AS_EXP_PATH_SELECT_*)."""
    ops = ops_arg(ops)
    c_name = bin_name(name)
    c_ctx = ctx_arg(ctx)
    c_flags = _flags(flags, "as_exp_path_select_flags", "as_operations_select_by_path")
    err = new_error()
    with ops._use("as_operations_select_by_path") as ptr:
        status = lib.as_operations_select_by_path(err, ptr, c_name, c_ctx, c_flags)
    check(status, err)


def as_operations_modify_by_path(ops: as_operations, name: str, ctx: Any, mod_exp: Any,
                                 flags: int) -> None:
    """as_operations_modify_by_path(): replace each element `ctx` selects in bin `name` by the
    value of `mod_exp` (an as_exp reading it through as_exp_loopvar_*;
    as_exp_remove_result() removes it); `flags` AS_EXP_PATH_MODIFY_*."""
    ops = ops_arg(ops)
    c_name = bin_name(name)
    c_ctx = ctx_arg(ctx)
    c_exp = exp_arg(mod_exp, "as_operations_modify_by_path")
    c_flags = _flags(flags, "as_exp_path_modify_flags", "as_operations_modify_by_path")
    err = new_error()
    with ops._use("as_operations_modify_by_path") as ptr:
        status = lib.as_operations_modify_by_path(err, ptr, c_name, c_ctx, c_exp, c_flags)
    check(status, err)


#: The bits each flags type defines (C masks off the apply bit 4 itself).
_FLAG_BITS = {"as_exp_path_select_flags": 0x17, "as_exp_path_modify_flags": 0x14}


def _flags(flags: Any, ctype: str, where: str) -> int:
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise TypeError(f"{where}: flags must be an int ({ctype}), not {type(flags).__name__}")
    if flags & ~_FLAG_BITS[ctype]:
        raise ValueError(f"{where}: flags {flags:#x} has bits no {ctype} value has")
    return flags
