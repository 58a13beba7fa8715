"""What list and map operations share: argument checks, selecting elements (by index, rank,
value, key, interval, relative rank/index) and shaping the result by its return type.

Selections work on a sequence of values in "index order" (a map's in key order); ranks count
in value order.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from . import error_detail, particles
from .particles import INFINITY, CdtList, CdtMap, order_key, values_equal
from .results import ERR_OP_NOT_APPLICABLE, ERR_PARAMETER, CommandError

NO_RESULT = object()  # an operation that returns nothing
MAP_PRESERVE_ORDER = 0x08
#: Selectors whose results come in rank order.
RANK_SELECTORS = frozenset({"rank", "rank_range", "value_rel_rank"})
#: Selectors that choose by value or rank (not by index or key).
VALUE_SELECTORS = RANK_SELECTORS | {"value", "value_list", "value_interval"}

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


def int_arg(args: Sequence[Any], i: int, default: Optional[int] = None) -> int:
    """Argument `i`, which must be an integer (or `default` when absent)."""
    if i >= len(args):
        if default is None:
            raise CommandError(ERR_PARAMETER, "missing argument")
        return default
    value = args[i]
    if type(value) is not int:
        raise CommandError(ERR_PARAMETER, "integer argument expected")
    return value


def arg(args: Sequence[Any], i: int) -> Any:
    """Argument `i`, which must be present."""
    if i >= len(args):
        raise CommandError(ERR_PARAMETER, "missing argument")
    return args[i]


def opt_count(args: Sequence[Any], i: int) -> Optional[int]:
    """An optional count argument (None: to the end).

    A server reads counts as unsigned: a negative one counts to the end too.
    """
    count = int_arg(args, i) if i < len(args) else None
    return None if count is None or count < 0 else count


def ranks(values: Sequence[Any]) -> List[int]:
    """Index positions sorted by value (rank order)."""
    return sorted(range(len(values)), key=lambda i: (order_key(values[i]), i))


def range_bounds(start: int, count: Optional[int], size: int) -> Tuple[int, int]:
    """[begin, end) of `count` elements from `start` (negative: from the end), clipped."""
    if start < 0:
        start += size
    end = size if count is None else start + max(count, 0)
    return max(start, 0), min(max(end, 0), size)


def single_index(index: int, size: int, rank: bool = False) -> int:
    """The position of one element by index or `rank` (negative: from the end); out of bounds
    fails (with the server 8.2 error-details subcode of each)."""
    position = index + size if index < 0 else index
    if not 0 <= position < size:
        if rank:
            raise error_detail.fail(ERR_OP_NOT_APPLICABLE, "rank out of bounds",
                                    error_detail.SUB_OPNOT_CDT_RANK_OUT_OF_BOUNDS)
        raise error_detail.fail(ERR_OP_NOT_APPLICABLE, "index out of bounds",
                                error_detail.SUB_OPNOT_CDT_INDEX_OUT_OF_BOUNDS)
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
    order = ranks(values)
    pivot_key = order_key(pivot)
    base = sum(1 for i in order if order_key(values[i]) < pivot_key)
    start, end = range_bounds(base + rank, count, len(values)) if base + rank >= 0 else \
        range_bounds(0, None if count is None else count + base + rank, len(values))
    return order[start:end]


def select(command: str, args: Sequence[Any], values: Sequence[Any],
           keys: Optional[Sequence[Any]] = None, list_order: bool = False) -> Tuple[List[int], bool]:
    """Positions chosen by a selector and whether the selector picks a single element.

    With `list_order` a value list selects in its own order (else in index order).
    """
    size = len(values)
    if command == "index":
        return [single_index(int_arg(args, 1), size)], True
    if command == "rank":
        order = ranks(values)
        return [order[single_index(int_arg(args, 1), size, rank=True)]], True
    if command == "index_range":
        start, end = range_bounds(int_arg(args, 1), opt_count(args, 2), size)
        return list(range(start, end)), False
    if command == "rank_range":
        order = ranks(values)
        start, end = range_bounds(int_arg(args, 1), opt_count(args, 2), size)
        return order[start:end], False
    if command == "value":
        pattern = arg(args, 1)
        return [i for i, v in enumerate(values) if values_equal(pattern, v)], False
    if command == "value_list":
        patterns = arg(args, 1)
        if not isinstance(patterns, list):
            raise CommandError(ERR_PARAMETER, "value list expected")
        if list_order:
            found: List[int] = []
            for p in patterns:
                found.extend(i for i, v in enumerate(values) if values_equal(p, v) and i not in found)
            return found, False
        return [i for i, v in enumerate(values)
                if any(values_equal(p, v) for p in patterns)], False
    if command == "value_interval":
        begin = arg(args, 1)
        end_value = args[2] if len(args) > 2 else _OPEN_END
        return [i for i, v in enumerate(values) if _in_interval(v, begin, end_value)], False
    if command == "value_rel_rank":
        return _rel_rank_selection(values, arg(args, 1), int_arg(args, 2),
                                   opt_count(args, 3)), False
    assert keys is not None
    if command == "key":
        wanted = arg(args, 1)
        return [i for i, k in enumerate(keys) if values_equal(wanted, k)], True
    if command == "key_list":
        wanted = arg(args, 1)
        if not isinstance(wanted, list):
            raise CommandError(ERR_PARAMETER, "key list expected")
        return [i for i, k in enumerate(keys) if any(values_equal(w, k) for w in wanted)], False
    if command == "key_interval":
        begin = arg(args, 1)
        end_key = args[2] if len(args) > 2 else _OPEN_END
        return [i for i, k in enumerate(keys) if _in_interval(k, begin, end_key)], False
    if command == "key_rel_index":
        pivot_key = order_key(arg(args, 1))
        base = sum(1 for k in keys if order_key(k) < pivot_key)
        index = base + int_arg(args, 2)
        count = opt_count(args, 3)
        if index < 0:
            count = None if count is None else count + index
            index = 0
        start, end = range_bounds(index, count, size)
        return list(range(start, end)), False
    raise CommandError(ERR_PARAMETER, f"unknown selector {command}")


def selection_result(return_type: int, chosen: List[int], single: bool, values: Sequence[Any],
                     keys: Optional[Sequence[Any]] = None, ordered_rank: bool = False,
                     by_value: bool = False) -> Any:
    """Shape the chosen positions as the return type asks (count, values, keys, a map...).

    Results come in index order unless `ordered_rank` says the selection's own order counts
    (rank selectors, a value list in its own order). The rest of an INVERTED selection comes
    in index order, except the ranks of the rest of a selection by value or rank
    (`by_value`), which come in rank order.
    """
    inverted = bool(return_type & RT_INVERTED)
    rtype = return_type & ~RT_INVERTED
    size = len(values)
    if inverted:
        chosen_set = set(chosen)
        in_rank_order = by_value and rtype in (RT_RANK, RT_REVERSE_RANK)
        order = ranks(values) if in_rank_order else range(size)
        chosen = [i for i in order if i not in chosen_set]
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
        rank_of = {pos: r for r, pos in enumerate(ranks(values))}
        out = [rank_of[i] if rtype == RT_RANK else size - 1 - rank_of[i] for i in chosen]
    elif rtype == RT_VALUE:
        out = [values[i] for i in chosen]
    elif keys is not None and rtype == RT_KEY:
        out = [keys[i] for i in chosen]
    elif keys is not None and rtype == RT_KEY_VALUE:
        # A map with the preserve-order flag, whatever the selection: the C client returns
        # it as a flat [key, value, ...] list in result order.
        return CdtMap(((keys[i], values[i]) for i in chosen), MAP_PRESERVE_ORDER)
    elif keys is not None and rtype in (RT_UNORDERED_MAP, RT_ORDERED_MAP):
        result = CdtMap(((keys[i], values[i]) for i in chosen))
        return particles.sorted_map(result, 1) if rtype == RT_ORDERED_MAP else result
    else:
        raise CommandError(ERR_OP_NOT_APPLICABLE, f"bad return type {rtype}")  # as a server
    if single:
        return out[0] if out else None
    return CdtList(out)


def inverted(chosen: List[int], size: int, return_type: int) -> List[int]:
    """The positions an INVERTED return type means: all but the chosen ones."""
    if return_type & RT_INVERTED:
        chosen_set = set(chosen)
        return [i for i in range(size) if i not in chosen_set]
    return chosen
