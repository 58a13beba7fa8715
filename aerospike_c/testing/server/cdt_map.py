"""Map (CDT) operations: commands 64-127 of a CDT operation, applied to a map in place.

Indexes of map operations count in key order; ranks count in value order.
"""

from __future__ import annotations

from typing import Any, Dict, Sequence

from . import particles
from .cdt_select import (NO_RESULT, RANK_SELECTORS, VALUE_SELECTORS, arg, int_arg, inverted, select,
                         selection_result)
from .particles import INFINITY, WILDCARD, CdtMap, order_key
from .results import ERR_ELEMENT_EXISTS, ERR_ELEMENT_NOT_FOUND, ERR_PARAMETER, CommandError

# Map write flags.
MAP_CREATE_ONLY = 1
MAP_UPDATE_ONLY = 2
MAP_NO_FAIL = 4
MAP_PARTIAL = 8


def map_key(key: Any) -> Any:
    """A value usable as a map key (scalars only)."""
    if key is None or isinstance(key, (list, dict)) or key is INFINITY or key is WILDCARD:
        raise CommandError(ERR_PARAMETER, "invalid map key")
    return key


def _map_put(mp: CdtMap, key: Any, value: Any, flags: int) -> bool:
    exists = map_key(key) in mp
    if flags & MAP_CREATE_ONLY and exists:
        if flags & MAP_NO_FAIL:
            return False
        raise CommandError(ERR_ELEMENT_EXISTS)
    if flags & MAP_UPDATE_ONLY and not exists:
        if flags & MAP_NO_FAIL:
            return False
        raise CommandError(ERR_ELEMENT_NOT_FOUND)
    mp[key] = value
    return True


def map_keep_order(mp: CdtMap) -> None:
    """Re-sort a key-ordered map after a change."""
    if mp.flags & particles.MAP_KEY_ORDERED:
        items = sorted(mp.items(), key=lambda kv: order_key(kv[0]))
        mp.clear()
        mp.update(items)


def _map_put_items(mp: CdtMap, items: Dict[Any, Any], flags: int) -> None:
    if not isinstance(items, dict):
        raise CommandError(ERR_PARAMETER, "map expected")
    staged = CdtMap(mp, mp.flags)
    for key, value in items.items():
        try:
            _map_put(staged, key, value, flags & ~MAP_NO_FAIL)
        except CommandError:
            if not flags & MAP_NO_FAIL:
                raise
            if not flags & MAP_PARTIAL:
                return
    mp.clear()
    mp.update(staged)


_MAP_ITEM_FLAGS = {65: MAP_CREATE_ONLY, 66: MAP_CREATE_ONLY, 69: MAP_UPDATE_ONLY,
                   70: MAP_UPDATE_ONLY}
_MAP_SELECTORS = {97: "key", 98: "index", 100: "rank", 102: "value", 103: "key_interval",
                  104: "index_range", 105: "value_interval", 106: "rank_range",
                  107: "key_list", 108: "value_list", 109: "key_rel_index",
                  110: "value_rel_rank"}
# remove command -> the get command with the same selector
_MAP_REMOVE_TO_GET = {76: 97, 77: 98, 79: 100, 81: 107, 82: 102, 83: 108, 84: 103, 85: 104,
                      86: 105, 87: 106, 88: 109, 89: 110}


def map_op(mp: CdtMap, command: int, args: Sequence[Any]) -> Any:
    """Apply map command `command` to `mp` in place; returns the result."""
    if command == 64:  # set type
        order = int_arg(args, 0)
        mp.flags = order & particles.MAP_KEY_VALUE_ORDERED
        map_keep_order(mp)
        return NO_RESULT
    if command in (65, 67, 69):  # add, put, replace
        flags = _MAP_ITEM_FLAGS.get(command, 0) | int_arg(args, 3, 0)
        _map_put(mp, arg(args, 0), arg(args, 1), flags)
        map_keep_order(mp)
        return len(mp)
    if command in (66, 68, 70):  # add items, put items, replace items
        flags = _MAP_ITEM_FLAGS.get(command, 0) | int_arg(args, 2, 0)
        _map_put_items(mp, arg(args, 0), flags)
        map_keep_order(mp)
        return len(mp)
    if command in (73, 74):  # increment, decrement
        key = map_key(arg(args, 0))
        delta = args[1] if len(args) > 1 and args[1] is not None else 1
        if type(delta) not in (int, float):
            raise CommandError(ERR_PARAMETER, "increment must be numeric")
        current = mp.get(key, 0)
        if type(current) not in (int, float):
            raise CommandError(ERR_PARAMETER, "value is not numeric")  # as a server answers
        new = current + delta if command == 73 else current - delta
        new = particles.to_int64(new) if type(new) is int else float(new)
        _map_put(mp, key, new, 0)
        map_keep_order(mp)
        return new
    if command == 75:
        mp.clear()
        return NO_RESULT
    if command == 96:
        return len(mp)
    get_command = _MAP_REMOVE_TO_GET.get(command, command)
    selector = _MAP_SELECTORS.get(get_command)
    if selector is None:
        raise CommandError(ERR_PARAMETER, f"unknown map operation {command}")
    items = sorted(mp.items(), key=lambda kv: order_key(kv[0]))
    keys = [k for k, _ in items]
    values = [v for _, v in items]
    chosen, single = select(selector, args, values, keys)
    return_type = int_arg(args, 0)
    result = selection_result(return_type, chosen, single, values, keys,
                              ordered_rank=selector in RANK_SELECTORS,
                              by_value=selector in VALUE_SELECTORS)
    if command != get_command:
        doomed = {order_key(keys[i]) for i in inverted(chosen, len(keys), return_type)}
        kept = [(k, v) for k, v in mp.items() if order_key(k) not in doomed]
        mp.clear()
        mp.update(kept)
    return result
