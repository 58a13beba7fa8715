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

from collections.abc import Sequence
from typing import Any

from .._aerospike import ffi, lib
from ._owned import OwnedStruct
from .as_val import val_to_c

__all__ = [
    "as_cdt_ctx", "as_cdt_ctx_init", "as_cdt_ctx_create", "as_cdt_ctx_destroy",
    "as_cdt_ctx_add_list_index", "as_cdt_ctx_add_list_index_create", "as_cdt_ctx_add_list_rank",
    "as_cdt_ctx_add_list_value", "as_cdt_ctx_add_map_index", "as_cdt_ctx_add_map_rank",
    "as_cdt_ctx_add_map_key", "as_cdt_ctx_add_map_key_create", "as_cdt_ctx_add_map_value",
    "as_cdt_ctx_add_map_keys_in", "as_cdt_ctx_add_all_children",
]


class as_cdt_ctx(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_cdt_ctx`: a growable list of path items (list index/rank/value, map index/rank/key/value)."""

    __slots__ = ()
    _c_destroy = lib.as_cdt_ctx_destroy

    def __init__(self, capacity: int) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity < 1 << 32:
            raise ValueError(f"capacity must be an int in [0, 2**32), got {capacity!r}")
        ptr = ffi.new("as_cdt_ctx*")
        lib.as_cdt_ctx_init(ptr, capacity)
        super().__init__(ptr, "as_cdt_ctx")

    def __len__(self) -> int:
        self._check_writable("as_cdt_ctx")
        return self._ptr.list.size

    def __repr__(self) -> str:
        return "<as_cdt_ctx destroyed>" if self._released else f"<as_cdt_ctx {len(self)} items>"


def _ctx(ctx: Any) -> Any:
    if not isinstance(ctx, as_cdt_ctx):
        raise TypeError(f"expected an as_cdt_ctx, got {type(ctx).__name__}")
    ctx._check_writable("as_cdt_ctx")
    return ctx._ptr


def as_cdt_ctx_init(capacity: int) -> as_cdt_ctx:
    """as_cdt_ctx_init(&ctx, capacity) / as_cdt_ctx_inita(): an empty context."""
    return as_cdt_ctx(capacity)


as_cdt_ctx_create = as_cdt_ctx_init


def as_cdt_ctx_destroy(ctx: as_cdt_ctx) -> None:
    """as_cdt_ctx_destroy(): free the context and the values it holds."""
    _ctx(ctx)
    ctx._release()


def as_cdt_ctx_add_list_index(ctx: as_cdt_ctx, index: int) -> None:
    """as_cdt_ctx_add_list_index(): the list element at index (negative: from the end)."""
    lib.as_cdt_ctx_add_list_index(_ctx(ctx), index)


def as_cdt_ctx_add_list_index_create(ctx: as_cdt_ctx, index: int, order: int, pad: bool) -> None:
    """as_cdt_ctx_add_list_index_create(): the element at index, created as a list if missing."""
    lib.as_cdt_ctx_add_list_index_create(_ctx(ctx), index, order, pad)


def as_cdt_ctx_add_list_rank(ctx: as_cdt_ctx, rank: int) -> None:
    """as_cdt_ctx_add_list_rank(): the list element of that value rank."""
    lib.as_cdt_ctx_add_list_rank(_ctx(ctx), rank)


def as_cdt_ctx_add_list_value(ctx: as_cdt_ctx, value: Any) -> None:
    """as_cdt_ctx_add_list_value(): the list element equal to value."""
    lib.as_cdt_ctx_add_list_value(_ctx(ctx), val_to_c(value, "as_cdt_ctx_add_list_value"))


def as_cdt_ctx_add_map_index(ctx: as_cdt_ctx, index: int) -> None:
    """as_cdt_ctx_add_map_index(): the map entry at index (key order)."""
    lib.as_cdt_ctx_add_map_index(_ctx(ctx), index)


def as_cdt_ctx_add_map_rank(ctx: as_cdt_ctx, rank: int) -> None:
    """as_cdt_ctx_add_map_rank(): the map entry of that value rank."""
    lib.as_cdt_ctx_add_map_rank(_ctx(ctx), rank)


def as_cdt_ctx_add_map_key(ctx: as_cdt_ctx, key: Any) -> None:
    """as_cdt_ctx_add_map_key(): the map entry with this key."""
    lib.as_cdt_ctx_add_map_key(_ctx(ctx), val_to_c(key, "as_cdt_ctx_add_map_key"))


def as_cdt_ctx_add_map_key_create(ctx: as_cdt_ctx, key: Any, order: int) -> None:
    """as_cdt_ctx_add_map_key_create(): the entry with this key, created as a map if missing."""
    lib.as_cdt_ctx_add_map_key_create(_ctx(ctx), val_to_c(key, "as_cdt_ctx_add_map_key_create"),
                                      order)


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
