"""List and map (CDT) operations.

An operation's value is msgpack: [command, args...], or [0xff, context, [command, args...]]
when it targets a nested list/map. Commands 0-63 are list operations, 64-127 map operations.
Indexes of map operations count in key order; ranks count in value order.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _particles as particles
from ._particles import INFINITY, WILDCARD, CdtList, CdtMap, order_key, values_equal

NO_RESULT = object()  # an operation that returns nothing

ERR_PARAMETER = 4
ERR_INCOMPATIBLE_TYPE = 12
ERR_RECORD_TOO_BIG = 13
ERR_UNSUPPORTED_FEATURE = 16
ERR_ELEMENT_NOT_FOUND = 23
ERR_ELEMENT_EXISTS = 24
ERR_OP_NOT_APPLICABLE = 26

CONTEXT_MARKER = 0xFF
MAX_PADDING = 1024 * 1024  # nil elements (1 byte each) that still fit a 1 MiB record
MAP_PRESERVE_ORDER = 0x08

# Return types.
RT_NONE = 0
RT_INDEX = 1
RT_REVERSE_INDEX = 2
RT_RANK = 3
RT_REVERSE_RANK = 4
RT_COUNT = 5
RT_KEY = 6
RT_VALUE = 7
RT_KEY_VALUE = 8
RT_EXISTS = 13
RT_UNORDERED_MAP = 16
RT_ORDERED_MAP = 17
RT_INVERTED = 0x10000

# List write flags.
LIST_ADD_UNIQUE = 1
LIST_INSERT_BOUNDED = 2
LIST_NO_FAIL = 4
LIST_PARTIAL = 8
LIST_SORT_DROP_DUPLICATES = 2

# Map write flags.
MAP_CREATE_ONLY = 1
MAP_UPDATE_ONLY = 2
MAP_NO_FAIL = 4
MAP_PARTIAL = 8

# Context item types.
CTX_LIST_INDEX = 0x10
CTX_LIST_RANK = 0x11
CTX_LIST_VALUE = 0x13
CTX_MAP_INDEX = 0x20
CTX_MAP_RANK = 0x21
CTX_MAP_KEY = 0x22
CTX_MAP_VALUE = 0x23
CTX_CREATE_MASK = 0xC0


class CdtError(Exception):
    """A CDT operation that fails with a result code."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message or f"result code {code}")
        self.code = code


def _int_arg(args: Sequence[Any], i: int, default: Optional[int] = None) -> int:
    if i >= len(args):
        if default is None:
            raise CdtError(ERR_PARAMETER, "missing argument")
        return default
    value = args[i]
    if type(value) is not int:
        raise CdtError(ERR_PARAMETER, "integer argument expected")
    return value


def _arg(args: Sequence[Any], i: int) -> Any:
    if i >= len(args):
        raise CdtError(ERR_PARAMETER, "missing argument")
    return args[i]


def _opt_count(args: Sequence[Any], i: int) -> Optional[int]:
    return _int_arg(args, i) if i < len(args) else None


# ---------------------------------------------------------------------------
# Selection helpers (work on a sequence of values in "index order")
# ---------------------------------------------------------------------------

def _ranks(values: Sequence[Any]) -> List[int]:
    """Index positions sorted by value (rank order)."""
    return sorted(range(len(values)), key=lambda i: (order_key(values[i]), i))


def _range(start: int, count: Optional[int], size: int) -> Tuple[int, int]:
    if start < 0:
        start += size
    end = size if count is None else start + max(count, 0)
    return max(start, 0), min(max(end, 0), size)


def _single_index(index: int, size: int) -> int:
    position = index + size if index < 0 else index
    if not 0 <= position < size:
        raise CdtError(ERR_OP_NOT_APPLICABLE, "index out of bounds")
    return position


def _in_interval(value: Any, begin: Any, end: Any) -> bool:
    key = order_key(value)
    if begin is not None and key < order_key(begin):
        return False
    if end is INFINITY or end is _OPEN_END:
        return True
    return key < order_key(end)


_OPEN_END = object()


def _rel_rank_selection(values: Sequence[Any], pivot: Any, rank: int,
                        count: Optional[int]) -> List[int]:
    order = _ranks(values)
    pivot_key = order_key(pivot)
    base = sum(1 for i in order if order_key(values[i]) < pivot_key)
    start, end = _range(base + rank, count, len(values)) if base + rank >= 0 else \
        _range(0, None if count is None else count + base + rank, len(values))
    return order[start:end]


def _select(command: str, args: Sequence[Any], values: Sequence[Any],
            keys: Optional[Sequence[Any]] = None) -> Tuple[List[int], bool]:
    """Positions chosen by a selector and whether the selector picks a single element."""
    size = len(values)
    if command == "index":
        return [_single_index(_int_arg(args, 1), size)], True
    if command == "rank":
        order = _ranks(values)
        return [order[_single_index(_int_arg(args, 1), size)]], True
    if command == "index_range":
        start, end = _range(_int_arg(args, 1), _opt_count(args, 2), size)
        return list(range(start, end)), False
    if command == "rank_range":
        order = _ranks(values)
        start, end = _range(_int_arg(args, 1), _opt_count(args, 2), size)
        return order[start:end], False
    if command == "value":
        pattern = _arg(args, 1)
        return [i for i, v in enumerate(values) if values_equal(pattern, v)], False
    if command == "value_list":
        patterns = _arg(args, 1)
        if not isinstance(patterns, list):
            raise CdtError(ERR_PARAMETER, "value list expected")
        return [i for i, v in enumerate(values)
                if any(values_equal(p, v) for p in patterns)], False
    if command == "value_interval":
        begin = _arg(args, 1)
        end_value = args[2] if len(args) > 2 else _OPEN_END
        return [i for i, v in enumerate(values) if _in_interval(v, begin, end_value)], False
    if command == "value_rel_rank":
        return _rel_rank_selection(values, _arg(args, 1), _int_arg(args, 2),
                                   _opt_count(args, 3)), False
    assert keys is not None
    if command == "key":
        wanted = _arg(args, 1)
        return [i for i, k in enumerate(keys) if values_equal(wanted, k)], True
    if command == "key_list":
        wanted = _arg(args, 1)
        if not isinstance(wanted, list):
            raise CdtError(ERR_PARAMETER, "key list expected")
        return [i for i, k in enumerate(keys) if any(values_equal(w, k) for w in wanted)], False
    if command == "key_interval":
        begin = _arg(args, 1)
        end_key = args[2] if len(args) > 2 else _OPEN_END
        return [i for i, k in enumerate(keys) if _in_interval(k, begin, end_key)], False
    if command == "key_rel_index":
        pivot_key = order_key(_arg(args, 1))
        base = sum(1 for k in keys if order_key(k) < pivot_key)
        index = base + _int_arg(args, 2)
        count = _opt_count(args, 3)
        if index < 0:
            count = None if count is None else count + index
            index = 0
        start, end = _range(index, count, size)
        return list(range(start, end)), False
    raise CdtError(ERR_PARAMETER, f"unknown selector {command}")


def _result(return_type: int, chosen: List[int], single: bool, values: Sequence[Any],
            keys: Optional[Sequence[Any]] = None, ordered_rank: bool = False) -> Any:
    inverted = bool(return_type & RT_INVERTED)
    rtype = return_type & ~RT_INVERTED
    size = len(values)
    if inverted:
        chosen_set = set(chosen)
        chosen = [i for i in range(size) if i not in chosen_set]
        single = False
    elif not ordered_rank:
        chosen = sorted(chosen)
    if rtype == RT_NONE:
        return NO_RESULT
    if rtype == RT_COUNT:
        return len(chosen)
    if rtype == RT_EXISTS:
        return bool(chosen)
    if rtype in (RT_INDEX, RT_REVERSE_INDEX):
        out = [i if rtype == RT_INDEX else size - 1 - i for i in chosen]
    elif rtype in (RT_RANK, RT_REVERSE_RANK):
        rank_of = {pos: r for r, pos in enumerate(_ranks(values))}
        out = [rank_of[i] if rtype == RT_RANK else size - 1 - rank_of[i] for i in chosen]
    elif rtype == RT_VALUE:
        out = [values[i] for i in chosen]
    elif keys is not None and rtype == RT_KEY:
        out = [keys[i] for i in chosen]
    elif keys is not None and rtype == RT_KEY_VALUE:
        # A map; results in value order carry the preserve-order flag (the C client then
        # returns them as a flat [key, value, ...] list).
        preserve = ordered_rank and not inverted and len(chosen) > 1
        return CdtMap(((keys[i], values[i]) for i in chosen),
                      MAP_PRESERVE_ORDER if preserve else 0)
    elif keys is not None and rtype in (RT_UNORDERED_MAP, RT_ORDERED_MAP):
        result = CdtMap(((keys[i], values[i]) for i in chosen))
        return particles.sorted_map(result, 1) if rtype == RT_ORDERED_MAP else result
    else:
        raise CdtError(ERR_PARAMETER, f"bad return type {rtype}")
    if single:
        return out[0] if out else None
    return CdtList(out)


# ---------------------------------------------------------------------------
# List operations
# ---------------------------------------------------------------------------

def _pad(lst: List[Any], length: int) -> None:
    """Grow a list with nils to `length` elements (an index past the end pads the list)."""
    if length - len(lst) > MAX_PADDING:
        raise CdtError(ERR_RECORD_TOO_BIG, "padding would exceed the record size limit")
    lst.extend([None] * (length - len(lst)))


def _list_insert_sorted(lst: CdtList, value: Any) -> None:
    key = order_key(value)
    position = len(lst)
    for i, item in enumerate(lst):
        if order_key(item) > key:
            position = i
            break
    lst.insert(position, value)


def _list_append_items(lst: CdtList, items: Sequence[Any], flags: int) -> None:
    accepted: List[Any] = []
    for value in items:
        if flags & LIST_ADD_UNIQUE and (any(values_equal(value, v) for v in lst)
                                        or any(values_equal(value, v) for v in accepted)):
            if flags & LIST_NO_FAIL:
                if flags & LIST_PARTIAL:
                    continue
                return
            raise CdtError(ERR_ELEMENT_EXISTS)
        accepted.append(value)
    for value in accepted:
        if lst.flags & particles.LIST_ORDERED:
            _list_insert_sorted(lst, value)
        else:
            lst.append(value)


def _list_insert(lst: CdtList, index: int, items: List[Any], flags: int) -> bool:
    if lst.flags & particles.LIST_ORDERED:
        raise CdtError(ERR_OP_NOT_APPLICABLE, "insert on an ordered list")
    size = len(lst)
    position = index + size if index < 0 else index
    if position < 0 or (position > size and flags & LIST_INSERT_BOUNDED):
        if flags & LIST_NO_FAIL:
            return False
        raise CdtError(ERR_OP_NOT_APPLICABLE, "insert index out of bounds")
    if flags & LIST_ADD_UNIQUE:
        fresh: List[Any] = []
        for value in items:
            if any(values_equal(value, v) for v in lst) or any(values_equal(value, v)
                                                               for v in fresh):
                if flags & LIST_NO_FAIL:
                    if flags & LIST_PARTIAL:
                        continue
                    return False
                raise CdtError(ERR_ELEMENT_EXISTS)
            fresh.append(value)
        items = fresh
    if position > size:
        _pad(lst, position)
    lst[position:position] = items
    return True


def _list_op(lst: CdtList, command: int, args: Sequence[Any]) -> Any:
    """Apply list command `command` to `lst` in place; returns the result."""
    size = len(lst)
    if command == 0:  # set type
        order = _int_arg(args, 0)
        lst.flags = order & particles.LIST_ORDERED
        if lst.flags:
            lst.sort(key=order_key)
        return NO_RESULT
    if command in (1, 2):  # append, append items
        items = [_arg(args, 0)] if command == 1 else _arg(args, 0)
        if not isinstance(items, list):
            raise CdtError(ERR_PARAMETER, "list expected")
        flags = _int_arg(args, 2, 0)
        _list_append_items(lst, items, flags)
        return len(lst)
    if command in (3, 4):  # insert, insert items
        items = [_arg(args, 1)] if command == 3 else _arg(args, 1)
        if not isinstance(items, list):
            raise CdtError(ERR_PARAMETER, "list expected")
        _list_insert(lst, _int_arg(args, 0), list(items), _int_arg(args, 2, 0))
        return len(lst)
    if command == 5:  # pop
        position = _single_index(_int_arg(args, 0), size)
        return lst.pop(position)
    if command in (6, 8):  # pop range, remove range
        start, end = _range(_int_arg(args, 0), _opt_count(args, 1), size)
        removed = lst[start:end]
        del lst[start:end]
        return CdtList(removed) if command == 6 else len(removed)
    if command == 7:  # remove
        position = _single_index(_int_arg(args, 0), size)
        del lst[position]
        return 1
    if command == 9:  # set
        if lst.flags & particles.LIST_ORDERED:
            raise CdtError(ERR_OP_NOT_APPLICABLE, "set on an ordered list")
        index = _int_arg(args, 0)
        value = _arg(args, 1)
        flags = _int_arg(args, 2, 0)
        position = index + size if index < 0 else index
        if position < 0 or (position >= size and flags & LIST_INSERT_BOUNDED):
            if flags & LIST_NO_FAIL:
                return NO_RESULT
            raise CdtError(ERR_OP_NOT_APPLICABLE, "set index out of bounds")
        if flags & LIST_ADD_UNIQUE and any(values_equal(value, v)
                                           for i, v in enumerate(lst) if i != position):
            if flags & LIST_NO_FAIL:
                return NO_RESULT
            raise CdtError(ERR_ELEMENT_EXISTS)
        if position >= size:
            _pad(lst, position + 1)
        lst[position] = value
        return NO_RESULT
    if command == 10:  # trim
        start, end = _range(_int_arg(args, 0), _int_arg(args, 1), size)
        kept = lst[start:end]
        lst[:] = kept
        return size - len(kept)
    if command == 11:  # clear
        lst.clear()
        return NO_RESULT
    if command == 12:  # increment
        index = _int_arg(args, 0)
        delta = args[1] if len(args) > 1 else 1
        if type(delta) not in (int, float):
            raise CdtError(ERR_PARAMETER, "increment must be numeric")
        position = index + size if index < 0 else index
        if position < 0:
            raise CdtError(ERR_OP_NOT_APPLICABLE, "index out of bounds")
        current = lst[position] if position < size else None
        if current is None:
            current = 0
        if type(current) not in (int, float):
            raise CdtError(ERR_INCOMPATIBLE_TYPE, "element is not numeric")
        new = current + delta
        new = particles.to_int64(new) if type(new) is int else float(new)
        if position >= size:
            _pad(lst, position + 1)
        if lst.flags & particles.LIST_ORDERED:
            del lst[position]
            _list_insert_sorted(lst, new)
        else:
            lst[position] = new
        return new
    if command == 13:  # sort
        flags = _int_arg(args, 0, 0)
        items = sorted(lst, key=order_key)
        if flags & LIST_SORT_DROP_DUPLICATES:
            unique: List[Any] = []
            for value in items:
                if not unique or order_key(unique[-1]) != order_key(value):
                    unique.append(value)
            items = unique
        lst[:] = items
        return NO_RESULT
    if command == 16:
        return size
    if command == 17:  # get
        return lst[_single_index(_int_arg(args, 0), size)]
    if command == 18:  # get range
        start, end = _range(_int_arg(args, 0), _opt_count(args, 1), size)
        return CdtList(lst[start:end])
    if command == 28:
        raise CdtError(ERR_UNSUPPORTED_FEATURE, "string list join")
    selector = _LIST_SELECTORS.get(command if command < 32 else command - 13)
    if selector is None:
        raise CdtError(ERR_PARAMETER, f"unknown list operation {command}")
    chosen, single = _select(selector, args, lst)
    result = _result(_int_arg(args, 0), chosen, single, lst,
                     ordered_rank=selector in ("rank", "rank_range", "value_rel_rank"))
    if command >= 32:
        dropped = set(_inverted(chosen, len(lst), _int_arg(args, 0)))
        lst[:] = [v for i, v in enumerate(lst) if i not in dropped]
    return result


def _inverted(chosen: List[int], size: int, return_type: int) -> List[int]:
    if return_type & RT_INVERTED:
        chosen_set = set(chosen)
        return [i for i in range(size) if i not in chosen_set]
    return chosen


# get-by command -> selector; remove commands map onto the same table (command - 13).
_LIST_SELECTORS = {19: "index", 21: "rank", 22: "value", 23: "value_list", 24: "index_range",
                   25: "value_interval", 26: "rank_range", 27: "value_rel_rank"}


# ---------------------------------------------------------------------------
# Map operations
# ---------------------------------------------------------------------------

def _map_key(key: Any) -> Any:
    """A value usable as a map key (scalars only)."""
    if key is None or isinstance(key, (list, dict)) or key is INFINITY or key is WILDCARD:
        raise CdtError(ERR_PARAMETER, "invalid map key")
    return key


def _map_put(mp: CdtMap, key: Any, value: Any, flags: int) -> bool:
    exists = _map_key(key) in mp
    if flags & MAP_CREATE_ONLY and exists:
        if flags & MAP_NO_FAIL:
            return False
        raise CdtError(ERR_ELEMENT_EXISTS)
    if flags & MAP_UPDATE_ONLY and not exists:
        if flags & MAP_NO_FAIL:
            return False
        raise CdtError(ERR_ELEMENT_NOT_FOUND)
    mp[key] = value
    return True


def _map_keep_order(mp: CdtMap) -> None:
    if mp.flags & particles.MAP_KEY_ORDERED:
        items = sorted(mp.items(), key=lambda kv: order_key(kv[0]))
        mp.clear()
        mp.update(items)


def _map_put_items(mp: CdtMap, items: Dict[Any, Any], flags: int) -> None:
    if not isinstance(items, dict):
        raise CdtError(ERR_PARAMETER, "map expected")
    staged = CdtMap(mp, mp.flags)
    for key, value in items.items():
        try:
            _map_put(staged, key, value, flags & ~MAP_NO_FAIL)
        except CdtError:
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


def _map_op(mp: CdtMap, command: int, args: Sequence[Any]) -> Any:
    """Apply map command `command` to `mp` in place; returns the result."""
    if command == 64:  # set type
        order = _int_arg(args, 0)
        mp.flags = order & particles.MAP_KEY_VALUE_ORDERED
        _map_keep_order(mp)
        return NO_RESULT
    if command in (65, 67, 69):  # add, put, replace
        flags = _MAP_ITEM_FLAGS.get(command, 0) | _int_arg(args, 3, 0)
        _map_put(mp, _arg(args, 0), _arg(args, 1), flags)
        _map_keep_order(mp)
        return len(mp)
    if command in (66, 68, 70):  # add items, put items, replace items
        flags = _MAP_ITEM_FLAGS.get(command, 0) | _int_arg(args, 2, 0)
        _map_put_items(mp, _arg(args, 0), flags)
        _map_keep_order(mp)
        return len(mp)
    if command in (73, 74):  # increment, decrement
        key = _map_key(_arg(args, 0))
        delta = args[1] if len(args) > 1 and args[1] is not None else 1
        if type(delta) not in (int, float):
            raise CdtError(ERR_PARAMETER, "increment must be numeric")
        current = mp.get(key, 0)
        if type(current) not in (int, float):
            raise CdtError(ERR_INCOMPATIBLE_TYPE, "value is not numeric")
        new = current + delta if command == 73 else current - delta
        new = particles.to_int64(new) if type(new) is int else float(new)
        _map_put(mp, key, new, 0)
        _map_keep_order(mp)
        return new
    if command == 75:
        mp.clear()
        return NO_RESULT
    if command == 96:
        return len(mp)
    get_command = _MAP_REMOVE_TO_GET.get(command, command)
    selector = _MAP_SELECTORS.get(get_command)
    if selector is None:
        raise CdtError(ERR_PARAMETER, f"unknown map operation {command}")
    items = sorted(mp.items(), key=lambda kv: order_key(kv[0]))
    keys = [k for k, _ in items]
    values = [v for _, v in items]
    chosen, single = _select(selector, args, values, keys)
    return_type = _int_arg(args, 0)
    result = _result(return_type, chosen, single, values, keys,
                     ordered_rank=selector in ("rank", "rank_range", "value_rel_rank"))
    if command != get_command:
        doomed = {order_key(keys[i]) for i in _inverted(chosen, len(keys), return_type)}
        kept = [(k, v) for k, v in mp.items() if order_key(k) not in doomed]
        mp.clear()
        mp.update(kept)
    return result


# ---------------------------------------------------------------------------
# Context navigation and entry point
# ---------------------------------------------------------------------------

def _ctx_step(container: Any, ctype: int, cvalue: Any, create: bool) -> Any:
    base = ctype & ~CTX_CREATE_MASK & 0xFF
    if base in (CTX_LIST_INDEX, CTX_LIST_RANK, CTX_MAP_INDEX, CTX_MAP_RANK) and type(
            cvalue) is not int:
        raise CdtError(ERR_PARAMETER, "context index must be an integer")
    if base in (CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE):
        if not isinstance(container, list):
            raise CdtError(ERR_INCOMPATIBLE_TYPE, "context expects a list")
        if base == CTX_LIST_INDEX:
            size = len(container)
            position = cvalue + size if cvalue < 0 else cvalue
            if create and position >= size:
                _pad(container, position)
                container.append(_new_container(ctype, list_level=True))
                return container[position]
            return container[_single_index(cvalue, size)]
        if base == CTX_LIST_RANK:
            return container[_ranks(container)[_single_index(cvalue, len(container))]]
        for item in container:
            if values_equal(cvalue, item):
                return item
        raise CdtError(ERR_OP_NOT_APPLICABLE, "context value not found")
    if base in (CTX_MAP_INDEX, CTX_MAP_RANK, CTX_MAP_KEY, CTX_MAP_VALUE):
        if not isinstance(container, dict):
            raise CdtError(ERR_INCOMPATIBLE_TYPE, "context expects a map")
        if base == CTX_MAP_KEY:
            if _map_key(cvalue) not in container:
                if not create:
                    raise CdtError(ERR_OP_NOT_APPLICABLE, "context key not found")
                container[cvalue] = _new_container(ctype, list_level=False)
                assert isinstance(container, CdtMap)  # maps are decoded and created as CdtMap
                _map_keep_order(container)
            return container[cvalue]
        items = sorted(container.items(), key=lambda kv: order_key(kv[0]))
        if base == CTX_MAP_INDEX:
            return items[_single_index(cvalue, len(items))][1]
        values = [v for _, v in items]
        if base == CTX_MAP_RANK:
            return values[_ranks(values)[_single_index(cvalue, len(values))]]
        for value in values:
            if values_equal(cvalue, value):
                return value
        raise CdtError(ERR_OP_NOT_APPLICABLE, "context value not found")
    raise CdtError(ERR_PARAMETER, f"unsupported context type {ctype:#x}")


def _new_container(ctype: int, list_level: bool) -> Any:
    create = ctype & CTX_CREATE_MASK
    # The create flag says what the new element is: 0x40 unordered, 0x80 padded list or
    # key-ordered map, 0xc0 ordered list or key/value-ordered map. A map-key context
    # creates a map unless the flags name a list order.
    if list_level:
        return CdtList(flags=1 if create == 0xC0 else 0)
    return CdtMap(flags={0x80: 1, 0xC0: 3}.get(create, 0))


def _navigate(value: Any, ctx: Any, create: bool) -> Any:
    if not isinstance(ctx, list) or len(ctx) % 2:
        raise CdtError(ERR_PARAMETER, "bad context")
    for i in range(0, len(ctx), 2):
        ctype, cvalue = ctx[i], ctx[i + 1]
        if type(ctype) is not int:
            raise CdtError(ERR_PARAMETER, "bad context type")
        value = _ctx_step(value, ctype, cvalue, create and bool(ctype & CTX_CREATE_MASK))
    return value


def context_value(value: Any, packed_context: bytes) -> Any:
    """The element a packed context (as sent with index queries) points at."""
    try:
        ctx = particles.unpack(packed_context)
    except particles.ParticleError:
        raise CdtError(ERR_PARAMETER, "bad context") from None
    return _navigate(value, ctx, create=False)


OperateResult = Tuple[Optional[Tuple[int, bytes]], Any]


def operate(current: Optional[Tuple[int, bytes]], payload: bytes,
            modify: bool) -> OperateResult:
    """Apply a CDT operation to a bin value (particle type, bytes).

    Returns (new bin value, result); the bin value is unchanged for reads.
    """
    try:
        decoded = particles.unpack(payload)
    except particles.ParticleError:
        raise CdtError(ERR_PARAMETER, "bad CDT operation") from None
    if not isinstance(decoded, list) or not decoded or type(decoded[0]) is not int:
        raise CdtError(ERR_PARAMETER, "bad CDT operation")
    ctx = None
    if decoded[0] == CONTEXT_MARKER:
        if len(decoded) != 3 or not isinstance(decoded[2], list) or not decoded[2]:
            raise CdtError(ERR_PARAMETER, "bad CDT context operation")
        ctx, decoded = decoded[1], decoded[2]
    command = decoded[0]
    if type(command) is not int:
        raise CdtError(ERR_PARAMETER, "bad CDT command")
    args = decoded[1:]
    is_map = 64 <= command < 128
    if not 0 <= command < 128:
        raise CdtError(ERR_PARAMETER, f"unknown CDT command {command}")
    wanted_type = particles.MAP if is_map else particles.LIST
    if current is None:
        if not modify:
            return current, None
        top: Any = _new_top(command, args, is_map) if ctx is None else (
            CdtMap() if _ctx_starts_with_map(ctx) else CdtList())
    else:
        if ctx is None and current[0] != wanted_type:
            raise CdtError(ERR_INCOMPATIBLE_TYPE, "bin holds another type")
        if ctx is not None and current[0] not in (particles.LIST, particles.MAP):
            raise CdtError(ERR_INCOMPATIBLE_TYPE, "bin holds another type")
        try:
            top = particles.decode_particle(current[0], current[1])
        except particles.ParticleError:
            raise CdtError(ERR_PARAMETER, "stored CDT is invalid") from None
    target = top if ctx is None else _navigate(top, ctx, create=modify)
    if is_map and not isinstance(target, dict) or not is_map and not isinstance(target, list):
        raise CdtError(ERR_INCOMPATIBLE_TYPE, "operation does not fit the element type")
    if not isinstance(target, (CdtList, CdtMap)):
        raise CdtError(ERR_PARAMETER, "bad element")
    # Checked above: a CdtMap exactly when is_map.
    if isinstance(target, CdtMap):
        result = _map_op(target, command, args)
    else:
        result = _list_op(target, command, args)
    if not modify:
        return current, result
    return particles.encode_particle(top), result


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


def _ctx_starts_with_map(ctx: Any) -> bool:
    return isinstance(ctx, list) and bool(ctx) and type(ctx[0]) is int and (
        ctx[0] & 0x30) == 0x20
