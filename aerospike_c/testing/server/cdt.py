"""CDT operations (wire op types CDT_READ/CDT_MODIFY): decoding one, finding its target through
its context, and running it on the list or map there.

An operation's value is msgpack: [command, args...], or [0xff, context, [command, args...]]
when it targets a nested list/map. Commands 0-63 are list operations, 64-127 map operations,
0xfe select/apply by path (cdt_path.py).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import cdt_path, particles
from .cdt_ctx import CTX_CREATE_MASK, NoTarget, context_items, navigate, new_container
from .cdt_list import list_op
from .cdt_map import map_op
from .cdt_select import NO_RESULT
from .particles import CdtList, CdtMap, order_key
from .results import ERR_INCOMPATIBLE_TYPE, ERR_OP_NOT_APPLICABLE, ERR_PARAMETER, CommandError

CONTEXT_MARKER = 0xFF
#: Commands that make a missing list/map (and missing context levels under create items);
#: the others (removals, clear, trim, sort, reads) leave a missing target alone.
LIST_CREATING = frozenset({0, 1, 2, 3, 4, 9, 12})  # set type, append(s), insert(s), set, incr
MAP_CREATING = frozenset({64, 65, 66, 67, 68, 69, 70, 73, 74})  # set type, puts, incr/decr

OperateResult = Tuple[Optional[Tuple[int, bytes]], Any]


def operate(current: Optional[Tuple[int, bytes]], payload: bytes,
            modify: bool, bins: Optional[Dict[bytes, Any]] = None) -> OperateResult:
    """Apply a CDT operation to a bin value (particle type, bytes).

    Returns (new bin value, result); the bin value is unchanged for reads. `bins` (the
    record's) are what the expressions of a select/apply by path may read.
    """
    try:
        decoded = particles.unpack(payload)
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, "bad CDT operation") from None
    return operate_decoded(current, decoded, modify, bins)


def operate_decoded(current: Optional[Tuple[int, bytes]], decoded: Any,
                    modify: bool, bins: Optional[Dict[bytes, Any]] = None) -> OperateResult:
    """operate() on an operation already decoded (an expression's CDT call)."""
    if not isinstance(decoded, list) or not decoded or type(decoded[0]) is not int:
        raise CommandError(ERR_PARAMETER, "bad CDT operation")
    if decoded[0] == cdt_path.SELECT_BY_PATH:
        return _by_path(current, decoded[1:], modify, bins)
    ctx = None
    if decoded[0] == CONTEXT_MARKER:
        if len(decoded) != 3 or not isinstance(decoded[2], list) or not decoded[2]:
            raise CommandError(ERR_PARAMETER, "bad CDT context operation")
        ctx, decoded = decoded[1], decoded[2]
    command = decoded[0]
    if type(command) is not int:
        raise CommandError(ERR_PARAMETER, "bad CDT command")
    args = decoded[1:]
    is_map = 64 <= command < 128
    if not 0 <= command < 128:
        raise CommandError(ERR_PARAMETER, f"unknown CDT command {command}")
    wanted_type = particles.MAP if is_map else particles.LIST
    creates = command in (MAP_CREATING if is_map else LIST_CREATING)
    items = None if ctx is None else context_items(ctx)
    if current is None:
        if not modify:
            return current, None
        if items is None:
            top: Any = _new_top(command, args, is_map)
        elif items[0][0] & CTX_CREATE_MASK:
            if not creates:
                return current, NO_RESULT
            top = new_container(items[0][0])
        else:
            top = CdtMap() if items[0][0] & 0x30 == 0x20 else CdtList()
    else:
        if ctx is None and current[0] != wanted_type:
            raise CommandError(ERR_INCOMPATIBLE_TYPE, "bin holds another type")
        if ctx is not None and current[0] not in (particles.LIST, particles.MAP):
            raise CommandError(ERR_INCOMPATIBLE_TYPE, "bin holds another type")
        try:
            top = particles.decode_particle(current[0], current[1])
        except particles.ParticleError:
            raise CommandError(ERR_PARAMETER, "stored CDT is invalid") from None
    target = top
    path: List[Any] = []
    if ctx is not None:
        make_last = partial(_new_top, command, args, is_map) if modify and creates else None
        try:
            target, path = navigate(top, ctx, make_last)
        except NoTarget:
            return current, NO_RESULT
    if is_map and not isinstance(target, CdtMap) or not is_map and not isinstance(target, CdtList):
        # The codes a server answers (Python client's test_nested_cdt_ctx): a list read on an
        # element of another type through a context INCOMPATIBLE_TYPE, any other CDT
        # operation PARAMETER; a top-level bin of another type INCOMPATIBLE_TYPE.
        wrong_element = ctx is not None and (modify or is_map)
        raise CommandError(ERR_PARAMETER if wrong_element else ERR_INCOMPATIBLE_TYPE,
                           "operation does not fit the element type")
    if isinstance(target, CdtMap):
        result = map_op(target, command, args)
    else:
        result = list_op(target, command, args)
    if not modify:
        return current, result
    for container in path:  # a changed element moves within its ordered parents
        if isinstance(container, CdtList) and container.flags & particles.LIST_ORDERED:
            container.sort(key=order_key)
    return particles.encode_particle(top), result


def _by_path(current: Optional[Tuple[int, bytes]], args: List[Any], modify: bool,
             bins: Optional[Dict[bytes, Any]]) -> OperateResult:
    """A select or apply by path (cdt_path.py); a missing bin selects nothing."""
    if current is None:
        return current, NO_RESULT if modify else None
    if current[0] not in (particles.LIST, particles.MAP):
        raise CommandError(ERR_OP_NOT_APPLICABLE, "path operations need a list or map bin")
    try:
        top = particles.decode_particle(current[0], current[1])
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, "stored CDT is invalid") from None
    result = cdt_path.operate(top, args, modify, bins)
    if not modify:
        return current, result
    return particles.encode_particle(top), NO_RESULT


def _new_top(command: int, args: Sequence[Any], is_map: bool) -> Any:
    if is_map:
        attr_position = {64: 0, 65: 2, 67: 2, 66: 1, 68: 1, 73: 2, 74: 2}.get(command)
        attr = args[attr_position] if attr_position is not None and attr_position < len(
            args) and type(args[attr_position]) is int else 0
        return CdtMap(flags=attr & particles.MAP_KEY_VALUE_ORDERED)
    order_position = {1: 1, 2: 1, 12: 2}.get(command)
    order = args[order_position] if order_position is not None and order_position < len(
        args) and type(args[order_position]) is int else 0
    if command == 0 and args and type(args[0]) is int:
        order = args[0]
    return CdtList(flags=order & particles.LIST_ORDERED)
