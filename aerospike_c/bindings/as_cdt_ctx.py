"""as_cdt_ctx.h: the path to a list or map nested inside a bin, for CDT operations.

    ctx = as_cdt_ctx_init(2)                    # as_cdt_ctx ctx; as_cdt_ctx_inita(&ctx, 2);
    as_cdt_ctx_add_map_key(ctx, "scores")       # values are any Python value (C consumes them)
    as_cdt_ctx_add_list_index(ctx, -1)
    as_operations_list_append(ops, "bin", ctx, None, 10)
    as_cdt_ctx_destroy(ctx)                     # or let it be collected

An operation that uses a context packs it when the operation is added, so the context may
be destroyed once the operations are built.
"""
from __future__ import annotations

import base64 as b64
import binascii
import builtins
from collections.abc import Sequence
from typing import Any

import msgpack

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._calls import c_int
from ._owned import OwnedStruct, vector_capacity
from .as_status import as_status
from .as_val import val_to_c

__all__ = [
    "as_cdt_ctx", "as_cdt_ctx_init", "as_cdt_ctx_create", "as_cdt_ctx_destroy",
    "as_cdt_ctx_add_list_index", "as_cdt_ctx_add_list_index_create", "as_cdt_ctx_add_list_rank",
    "as_cdt_ctx_add_list_value", "as_cdt_ctx_add_map_index", "as_cdt_ctx_add_map_rank",
    "as_cdt_ctx_add_map_key", "as_cdt_ctx_add_map_key_create", "as_cdt_ctx_add_map_value",
    "as_cdt_ctx_add_map_keys_in", "as_cdt_ctx_add_all_children",
    "as_cdt_ctx_add_all_children_with_filter", "as_cdt_ctx_add_and_filter", "as_cdt_ctx_inita",
    "as_cdt_ctx_byte_capacity", "as_cdt_ctx_to_bytes", "as_cdt_ctx_from_bytes",
    "as_cdt_ctx_base64_capacity", "as_cdt_ctx_to_base64", "as_cdt_ctx_from_base64",
]


class as_cdt_ctx(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_cdt_ctx`: a growable list of path items (list index/rank/value, map index/rank/key/value)."""

    __slots__ = ()
    _c_destroy = lib.as_cdt_ctx_destroy

    def __init__(self, capacity: int) -> None:
        capacity = vector_capacity("as_cdt_ctx_init", capacity, _ITEM_SIZE)
        super().__init__(ffi.new("as_cdt_ctx*"), "as_cdt_ctx",
                         lambda p: lib.as_cdt_ctx_init(p, capacity))

    def __len__(self) -> int:
        self._check_writable("as_cdt_ctx")
        return self._ptr.list.size

    def __repr__(self) -> str:
        return "<as_cdt_ctx destroyed>" if self._released else f"<as_cdt_ctx {len(self)} items>"


_ITEM_SIZE = ffi.sizeof("as_cdt_ctx_item")


def _ctx(ctx: Any) -> Any:
    if not isinstance(ctx, as_cdt_ctx):
        raise TypeError(f"expected an as_cdt_ctx, got {type(ctx).__name__}")
    ctx._check_writable("as_cdt_ctx")
    return ctx._ptr


def ctx_arg(ctx: Any) -> Any:
    """The `as_cdt_ctx*` of a context argument; None is NULL (no context)."""
    return ffi.NULL if ctx is None else _ctx(ctx)


def as_cdt_ctx_init(capacity: int) -> as_cdt_ctx:
    """as_cdt_ctx_init(&ctx, capacity) / as_cdt_ctx_inita(): an empty context."""
    return as_cdt_ctx(capacity)


as_cdt_ctx_create = as_cdt_ctx_init
as_cdt_ctx_inita = as_cdt_ctx_init


def as_cdt_ctx_destroy(ctx: as_cdt_ctx) -> None:
    """as_cdt_ctx_destroy(): free the context and the values it holds."""
    _ctx(ctx)
    ctx._release()


def as_cdt_ctx_add_list_index(ctx: as_cdt_ctx, index: int) -> None:
    """as_cdt_ctx_add_list_index(): the list element at index (negative: from the end)."""
    lib.as_cdt_ctx_add_list_index(_ctx(ctx), c_int("as_cdt_ctx_add_list_index", "index", "int", index))


def as_cdt_ctx_add_list_index_create(ctx: as_cdt_ctx, index: int, order: int, pad: bool) -> None:
    """as_cdt_ctx_add_list_index_create(): the element at index, created as a list if missing."""
    what = "as_cdt_ctx_add_list_index_create"
    lib.as_cdt_ctx_add_list_index_create(
        _ctx(ctx), c_int(what, "index", "int", index),
        c_int(what, "order", "as_list_order", order), c_int(what, "pad", "bool", pad))


def as_cdt_ctx_add_list_rank(ctx: as_cdt_ctx, rank: int) -> None:
    """as_cdt_ctx_add_list_rank(): the list element of that value rank."""
    lib.as_cdt_ctx_add_list_rank(_ctx(ctx), c_int("as_cdt_ctx_add_list_rank", "rank", "int", rank))


def as_cdt_ctx_add_list_value(ctx: as_cdt_ctx, value: Any) -> None:
    """as_cdt_ctx_add_list_value(): the list element equal to value."""
    lib.as_cdt_ctx_add_list_value(_ctx(ctx), val_to_c(value, "as_cdt_ctx_add_list_value"))


def as_cdt_ctx_add_map_index(ctx: as_cdt_ctx, index: int) -> None:
    """as_cdt_ctx_add_map_index(): the map entry at index (key order)."""
    lib.as_cdt_ctx_add_map_index(_ctx(ctx), c_int("as_cdt_ctx_add_map_index", "index", "int", index))


def as_cdt_ctx_add_map_rank(ctx: as_cdt_ctx, rank: int) -> None:
    """as_cdt_ctx_add_map_rank(): the map entry of that value rank."""
    lib.as_cdt_ctx_add_map_rank(_ctx(ctx), c_int("as_cdt_ctx_add_map_rank", "rank", "int", rank))


def as_cdt_ctx_add_map_key(ctx: as_cdt_ctx, key: Any) -> None:
    """as_cdt_ctx_add_map_key(): the map entry with this key."""
    lib.as_cdt_ctx_add_map_key(_ctx(ctx), val_to_c(key, "as_cdt_ctx_add_map_key"))


def as_cdt_ctx_add_map_key_create(ctx: as_cdt_ctx, key: Any, order: int) -> None:
    """as_cdt_ctx_add_map_key_create(): the entry with this key, created as a map if missing."""
    c_ctx = _ctx(ctx)
    c_order = c_int("as_cdt_ctx_add_map_key_create", "order", "as_map_order", order)
    lib.as_cdt_ctx_add_map_key_create(c_ctx, val_to_c(key, "as_cdt_ctx_add_map_key_create"),
                                      c_order)


def as_cdt_ctx_add_map_value(ctx: as_cdt_ctx, value: Any) -> None:
    """as_cdt_ctx_add_map_value(): the map entry whose value equals value."""
    lib.as_cdt_ctx_add_map_value(_ctx(ctx), val_to_c(value, "as_cdt_ctx_add_map_value"))


def as_cdt_ctx_add_map_keys_in(ctx: as_cdt_ctx, keys: Sequence[Any]) -> None:
    """as_cdt_ctx_add_map_keys_in(): the map entries whose keys are in the list."""
    if isinstance(keys, (str, bytes)) or not isinstance(keys, Sequence):
        raise TypeError(f"keys must be a list, not {type(keys).__name__}")
    lib.as_cdt_ctx_add_map_keys_in(
        _ctx(ctx), ffi.cast("as_list*", val_to_c(list(keys), "as_cdt_ctx_add_map_keys_in")))


def as_cdt_ctx_add_all_children(ctx: as_cdt_ctx) -> None:
    """as_cdt_ctx_add_all_children(): every child of the current level."""
    lib.as_cdt_ctx_add_all_children(_ctx(ctx))


def _exp(exp: Any, what: str) -> Any:
    from .as_exp import exp_arg  # as_exp.h includes as_cdt_ctx.h: imported when first used
    return exp_arg(exp, what)


def as_cdt_ctx_add_all_children_with_filter(ctx: as_cdt_ctx, exp: Any) -> None:
    """as_cdt_ctx_add_all_children_with_filter(): the children of the current level that the
    boolean `exp` (an as_exp) accepts (it reads each through as_exp_loopvar_*); the context
    keeps a copy."""
    c_ctx = _ctx(ctx)
    lib.as_cdt_ctx_add_all_children_with_filter(
        c_ctx, _exp(exp, "as_cdt_ctx_add_all_children_with_filter"))


def as_cdt_ctx_add_and_filter(ctx: as_cdt_ctx, exp: Any) -> None:
    """as_cdt_ctx_add_and_filter(): narrow what the item before selected to what the boolean
    `exp` (an as_exp) accepts; the context keeps a copy."""
    c_ctx = _ctx(ctx)
    lib.as_cdt_ctx_add_and_filter(c_ctx, _exp(exp, "as_cdt_ctx_add_and_filter"))


def ctx_copy(ctx: as_cdt_ctx) -> as_cdt_ctx:
    """A new context with the same items, for a C struct that keeps pointing at its context
    (a query predicate): values are shared (reserved), expressions copied."""
    source = _ctx(ctx)
    items = ffi.cast("as_cdt_ctx_item*", source.list.list)
    copy = as_cdt_ctx(source.list.size)
    for i in range(source.list.size):
        item = items[i]
        if (item.type & ~_CTX_AND) == lib.AS_CDT_CTX_EXP:
            add = (lib.as_cdt_ctx_add_and_filter if item.type & _CTX_AND
                   else lib.as_cdt_ctx_add_all_children_with_filter)
            add(copy._ptr, item.val.exp)  # C copies the expression
            continue
        new = ffi.new("as_cdt_ctx_item*")
        new.type = item.type
        if item.type & _CTX_VALUE:
            new.val.pval = lib.as_val_val_reserve(item.val.pval)
        else:
            new.val.ival = item.val.ival
        lib.as_vector_append(ffi.addressof(copy._ptr, "list"), new)
    return copy


# -- serialization: bytes (msgpack) and base64 ----------------------------------------------------
def as_cdt_ctx_byte_capacity(ctx: as_cdt_ctx) -> int:
    """as_cdt_ctx_byte_capacity(): the bytes as_cdt_ctx_to_bytes() needs (0: cannot pack)."""
    return int(lib.as_cdt_ctx_byte_capacity(_ctx(ctx)))


def as_cdt_ctx_to_bytes(ctx: as_cdt_ctx) -> bytes:
    """as_cdt_ctx_to_bytes(): the context packed as msgpack (C: into a buffer of
    as_cdt_ctx_byte_capacity() bytes); ParamError where C packs nothing."""
    ptr = _ctx(ctx)
    capacity = lib.as_cdt_ctx_byte_capacity(ptr)
    buffer = ffi.new("uint8_t[]", max(capacity, 1))
    size = lib.as_cdt_ctx_to_bytes(ptr, buffer, capacity) if capacity else 0
    if not size:
        raise _param_error("as_cdt_ctx_to_bytes: the context cannot be packed")
    return bytes(ffi.buffer(buffer, size))


def as_cdt_ctx_base64_capacity(ctx: as_cdt_ctx) -> int:
    """as_cdt_ctx_base64_capacity(): the chars as_cdt_ctx_to_base64() needs, NUL included."""
    return int(lib.as_cdt_ctx_base64_capacity(_ctx(ctx)))


def as_cdt_ctx_to_base64(ctx: as_cdt_ctx) -> str:
    """as_cdt_ctx_to_base64(): the packed context as base64 text."""
    ptr = _ctx(ctx)
    capacity = lib.as_cdt_ctx_base64_capacity(ptr)
    buffer = ffi.new("char[]", max(capacity, 1))
    if not capacity or not lib.as_cdt_ctx_to_base64(ptr, buffer, capacity):
        raise _param_error("as_cdt_ctx_to_base64: the context cannot be packed")
    return ffi.string(buffer).decode("ascii")


def as_cdt_ctx_from_bytes(bytes: bytes) -> as_cdt_ctx:  # noqa: A002 - C name
    """as_cdt_ctx_from_bytes(&ctx, bytes, size): a new context from as_cdt_ctx_to_bytes()
    output; ParamError where C returns false. Items C would read as an expression pointer
    (only a live context holds one), and boolean item values (which C 7.6.1 frees while the
    context still holds them), are refused before C sees them."""
    if not isinstance(bytes, (builtins.bytes, bytearray, memoryview)):
        raise TypeError(f"bytes must be bytes, not {type(bytes).__name__}")
    data = builtins.bytes(bytes)
    _check_packed(data)
    ctx = as_cdt_ctx(0)
    lib.as_cdt_ctx_destroy(ctx._ptr)  # C initializes the context anew
    if not lib.as_cdt_ctx_from_bytes(ctx._ptr, data, len(data)):
        object.__setattr__(ctx, "_released", True)  # C freed it, or never initialized it
        raise _param_error("as_cdt_ctx_from_bytes: not a packed context")
    return ctx


def as_cdt_ctx_from_base64(base64: str) -> as_cdt_ctx:
    """as_cdt_ctx_from_base64(&ctx, base64): a new context from as_cdt_ctx_to_base64() text."""
    if not isinstance(base64, str):
        raise TypeError(f"base64 must be a str, not {type(base64).__name__}")
    try:
        data = b64.b64decode(base64.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise _param_error(f"as_cdt_ctx_from_base64: not base64 ({exc})") from None
    return as_cdt_ctx_from_bytes(data)


def _check_packed(data: builtins.bytes) -> None:
    """Refuse what is not [type, value, ...] with integer types, or holds an expression item."""
    unpacker = msgpack.Unpacker(raw=True, strict_map_key=False)
    unpacker.feed(data)
    try:
        items = next(unpacker)
    except Exception:  # noqa: BLE001 - any malformed msgpack
        raise _param_error("as_cdt_ctx_from_bytes: not msgpack") from None
    check_packed_items(items, "as_cdt_ctx_from_bytes")


def check_packed_items(items: Any, what: str) -> None:
    """Refuse a decoded packed context C would misread (also as_query_from_bytes' contexts)."""
    if not isinstance(items, list) or len(items) % 2:
        raise _param_error(f"{what}: not a list of (type, value) pairs")
    for c_type, value in zip(items[::2], items[1::2]):
        if isinstance(c_type, bool) or not isinstance(c_type, int):
            raise _param_error(f"{what}: an item type is not an integer")
        if (c_type & 0xFFFFFFFF & ~_CTX_AND) == lib.AS_CDT_CTX_EXP:
            raise _param_error(f"{what}: expression items cannot be read back")
        if c_type & _CTX_VALUE and isinstance(value, bool):
            # C 7.6.1 frees a boolean item value while the context still holds it.
            raise _param_error(f"{what}: a boolean item value cannot be read back")
        if not c_type & _CTX_VALUE and (isinstance(value, bool) or not isinstance(value, int)):
            raise _param_error(f"{what}: an index or rank item holds no integer")


_CTX_AND = 0x200  # AS_CDT_CTX_AND: an item combined with the one before
_CTX_VALUE = 0x2  # AS_CDT_CTX_VALUE: the item holds an as_val


def _param_error(message: str) -> ParamError:
    return ParamError(as_status.AEROSPIKE_ERR_PARAM, message)
