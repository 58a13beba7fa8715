"""CDT contexts: the path ([type, value, ...]) from a bin's list/map down to the nested element
an operation (or an index) targets, creating missing levels when the context says so."""

from __future__ import annotations

from typing import Any

from . import particles
from .cdt_list import pad
from .cdt_map import map_keep_order, map_key
from .cdt_select import ranks, single_index
from .particles import CdtList, CdtMap, order_key, values_equal
from .results import ERR_INCOMPATIBLE_TYPE, ERR_OP_NOT_APPLICABLE, ERR_PARAMETER, CommandError

# Context item types.
CTX_LIST_INDEX = 0x10
CTX_LIST_RANK = 0x11
CTX_LIST_VALUE = 0x13
CTX_MAP_INDEX = 0x20
CTX_MAP_RANK = 0x21
CTX_MAP_KEY = 0x22
CTX_MAP_VALUE = 0x23
CTX_CREATE_MASK = 0xC0


def _ctx_step(container: Any, ctype: int, cvalue: Any, create: bool) -> Any:
    base = ctype & ~CTX_CREATE_MASK & 0xFF
    if base in (CTX_LIST_INDEX, CTX_LIST_RANK, CTX_MAP_INDEX, CTX_MAP_RANK) and type(
            cvalue) is not int:
        raise CommandError(ERR_PARAMETER, "context index must be an integer")
    if base in (CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE):
        if not isinstance(container, list):
            raise CommandError(ERR_INCOMPATIBLE_TYPE, "context expects a list")
        if base == CTX_LIST_INDEX:
            size = len(container)
            position = cvalue + size if cvalue < 0 else cvalue
            if create and position >= size:
                pad(container, position)
                container.append(_new_container(ctype, list_level=True))
                return container[position]
            return container[single_index(cvalue, size)]
        if base == CTX_LIST_RANK:
            return container[ranks(container)[single_index(cvalue, len(container))]]
        for item in container:
            if values_equal(cvalue, item):
                return item
        raise CommandError(ERR_OP_NOT_APPLICABLE, "context value not found")
    if base in (CTX_MAP_INDEX, CTX_MAP_RANK, CTX_MAP_KEY, CTX_MAP_VALUE):
        if not isinstance(container, dict):
            raise CommandError(ERR_INCOMPATIBLE_TYPE, "context expects a map")
        if base == CTX_MAP_KEY:
            if map_key(cvalue) not in container:
                if not create:
                    raise CommandError(ERR_OP_NOT_APPLICABLE, "context key not found")
                container[cvalue] = _new_container(ctype, list_level=False)
                assert isinstance(container, CdtMap)  # maps are decoded and created as CdtMap
                map_keep_order(container)
            return container[cvalue]
        items = sorted(container.items(), key=lambda kv: order_key(kv[0]))
        if base == CTX_MAP_INDEX:
            return items[single_index(cvalue, len(items))][1]
        values = [v for _, v in items]
        if base == CTX_MAP_RANK:
            return values[ranks(values)[single_index(cvalue, len(values))]]
        for value in values:
            if values_equal(cvalue, value):
                return value
        raise CommandError(ERR_OP_NOT_APPLICABLE, "context value not found")
    raise CommandError(ERR_PARAMETER, f"unsupported context type {ctype:#x}")


def _new_container(ctype: int, list_level: bool) -> Any:
    create = ctype & CTX_CREATE_MASK
    # The create flag says what the new element is: 0x40 unordered, 0x80 padded list or
    # key-ordered map, 0xc0 ordered list or key/value-ordered map. A map-key context
    # creates a map unless the flags name a list order.
    if list_level:
        return CdtList(flags=1 if create == 0xC0 else 0)
    return CdtMap(flags={0x80: 1, 0xC0: 3}.get(create, 0))


def navigate(value: Any, ctx: Any, create: bool) -> Any:
    """The element a decoded context points at (creating missing levels when `create`)."""
    if not isinstance(ctx, list) or len(ctx) % 2:
        raise CommandError(ERR_PARAMETER, "bad context")
    for i in range(0, len(ctx), 2):
        ctype, cvalue = ctx[i], ctx[i + 1]
        if type(ctype) is not int:
            raise CommandError(ERR_PARAMETER, "bad context type")
        value = _ctx_step(value, ctype, cvalue, create and bool(ctype & CTX_CREATE_MASK))
    return value


def context_value(value: Any, packed_context: bytes) -> Any:
    """The element a packed context (as sent with index queries) points at."""
    try:
        ctx = particles.unpack(packed_context)
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, "bad context") from None
    return navigate(value, ctx, create=False)
