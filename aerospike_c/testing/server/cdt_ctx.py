"""CDT contexts: the path ([type, value, ...]) from a bin's list/map down to the nested element
an operation (or an index) targets, creating missing levels when the context says so."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, List, Optional, Tuple

from . import particles
from .cdt_list import insert_sorted, pad
from .cdt_map import map_keep_order, map_key
from .cdt_select import ranks, single_index
from .particles import CdtList, CdtMap, order_key, values_equal
from .results import ERR_OP_NOT_APPLICABLE, ERR_PARAMETER, CommandError

# Context item types.
CTX_LIST_INDEX = 0x10
CTX_LIST_RANK = 0x11
CTX_LIST_VALUE = 0x13
CTX_MAP_INDEX = 0x20
CTX_MAP_RANK = 0x21
CTX_MAP_KEY = 0x22
CTX_MAP_VALUE = 0x23
CTX_CREATE_MASK = 0xC0
CTX_CREATE_LIST_PAD = 0x80  # padded list (on a map item: key-ordered map)
CTX_CREATE_ORDERED = 0xC0  # ordered list (on a map item: key/value-ordered map)


class NoTarget(CommandError):
    """A create context names a missing element for an operation that never creates (a
    removal, clear, trim or sort): the operation is a no-op and creates nothing."""

    def __init__(self) -> None:
        super().__init__(ERR_OP_NOT_APPLICABLE, "no element to operate on")


def _ctx_step(container: Any, ctype: int, cvalue: Any,
              make_missing: Optional[Callable[[], Any]]) -> Any:
    """The element of `container` one context item selects.

    A missing element under a create item is made by `make_missing` (None: the operation does
    not create). Any failure to find the element answers OP_NOT_APPLICABLE, as a server does.
    """
    base = ctype & ~CTX_CREATE_MASK & 0xFF
    create = ctype & CTX_CREATE_MASK
    if base in (CTX_LIST_INDEX, CTX_LIST_RANK, CTX_MAP_INDEX, CTX_MAP_RANK) and type(
            cvalue) is not int:
        raise CommandError(ERR_PARAMETER, "context index must be an integer")
    if base in (CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE):
        if not isinstance(container, CdtList):
            raise CommandError(ERR_OP_NOT_APPLICABLE, "context expects a list")
        if base == CTX_LIST_INDEX:
            size = len(container)
            position = cvalue + size if cvalue < 0 else cvalue
            if create and position >= size:
                return _create_in_list(container, position, create, make_missing)
            return container[single_index(cvalue, size)]
        if base == CTX_LIST_RANK:
            return container[ranks(container)[single_index(cvalue, len(container), rank=True)]]
        for item in container:
            if values_equal(cvalue, item):
                return item
        raise CommandError(ERR_OP_NOT_APPLICABLE, "context value not found")
    if base in (CTX_MAP_INDEX, CTX_MAP_RANK, CTX_MAP_KEY, CTX_MAP_VALUE):
        if not isinstance(container, CdtMap):
            raise CommandError(ERR_OP_NOT_APPLICABLE, "context expects a map")
        if base == CTX_MAP_KEY:
            if map_key(cvalue) not in container:
                if not create:
                    raise CommandError(ERR_OP_NOT_APPLICABLE, "context key not found")
                if make_missing is None:
                    raise NoTarget()
                container[cvalue] = make_missing()
                map_keep_order(container)
            return container[cvalue]
        items = sorted(container.items(), key=lambda kv: order_key(kv[0]))
        if base == CTX_MAP_INDEX:
            return items[single_index(cvalue, len(items))][1]
        values = [v for _, v in items]
        if base == CTX_MAP_RANK:
            return values[ranks(values)[single_index(cvalue, len(values), rank=True)]]
        for value in values:
            if values_equal(cvalue, value):
                return value
        raise CommandError(ERR_OP_NOT_APPLICABLE, "context value not found")
    raise CommandError(ERR_PARAMETER, f"unsupported context type {ctype:#x}")


def _create_in_list(lst: CdtList, position: int, create: int,
                    make_missing: Optional[Callable[[], Any]]) -> Any:
    """A new element past the end of a list: an ordered list takes it at its sorted place, an
    unordered one at `position` (nil-padded only when the item allows padding)."""
    if make_missing is None:
        raise NoTarget()
    new = make_missing()
    if lst.flags & particles.LIST_ORDERED:
        insert_sorted(lst, new)
    elif position == len(lst) or create == CTX_CREATE_LIST_PAD:
        pad(lst, position)
        lst.append(new)
    else:
        raise CommandError(ERR_OP_NOT_APPLICABLE, "context index past the end without padding")
    return new


def new_container(ctype: int) -> Any:
    """The list or map a context item with create flags says to make for its level: 0x40
    unordered, 0x80 padded list or key-ordered map, 0xc0 ordered list or key/value-ordered map.
    """
    create = ctype & CTX_CREATE_MASK
    if ctype & 0x30 == 0x10:
        return CdtList(flags=particles.LIST_ORDERED if create == CTX_CREATE_ORDERED else 0)
    return CdtMap(flags={CTX_CREATE_LIST_PAD: particles.MAP_KEY_ORDERED,
                         CTX_CREATE_ORDERED: particles.MAP_KEY_VALUE_ORDERED}.get(create, 0))


def context_items(ctx: Any) -> List[Tuple[int, Any]]:
    """A decoded context as (type, value) pairs."""
    if not isinstance(ctx, list) or len(ctx) % 2 or not ctx:
        raise CommandError(ERR_PARAMETER, "bad context")
    items = [(ctx[i], ctx[i + 1]) for i in range(0, len(ctx), 2)]
    if any(type(ctype) is not int or ctype & ~0xFF for ctype, _ in items):
        # (0x100 would be a persist-index flag: only a top-level list/map may carry one)
        raise CommandError(ERR_PARAMETER, "bad context type")
    return items


def navigate(value: Any, ctx: Any, make_last: Optional[Callable[[], Any]] = None
             ) -> Tuple[Any, List[Any]]:
    """The element a decoded context points at, and the containers on the way (top first).

    With `make_last` (an operation that creates), missing elements under create items are
    made: each level as the next item says, the last one by `make_last`.
    """
    items = context_items(ctx)
    path: List[Any] = []
    for i, (ctype, cvalue) in enumerate(items):
        path.append(value)
        make: Optional[Callable[[], Any]] = make_last
        if make_last is not None and i + 1 < len(items):
            make = partial(new_container, items[i + 1][0])
        value = _ctx_step(value, ctype, cvalue, make)
    return value, path
