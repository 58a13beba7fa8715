"""List (CDT) operations: commands 0-63 of a CDT operation, applied to a list in place."""

from __future__ import annotations

from typing import Any, List, Sequence

from . import error_detail, particles
from .cdt_select import (NO_RESULT, RANK_SELECTORS, RT_INVERTED, RT_RANK, RT_REVERSE_RANK, VALUE_SELECTORS, arg,
                         int_arg, inverted, opt_count, range_bounds, select, selection_result, single_index)
from .particles import CdtList, order_key, values_equal
from .results import (ERR_ELEMENT_EXISTS, ERR_OP_NOT_APPLICABLE, ERR_PARAMETER,
                      ERR_RECORD_TOO_BIG, ERR_UNSUPPORTED_FEATURE, CommandError)

MAX_PADDING = 1024 * 1024  # nil elements (1 byte each) that still fit a 1 MiB record

# List write flags.
LIST_ADD_UNIQUE = 1
LIST_INSERT_BOUNDED = 2
LIST_NO_FAIL = 4
LIST_PARTIAL = 8
LIST_SORT_DROP_DUPLICATES = 2


def pad(lst: List[Any], length: int) -> None:
    """Grow a list with nils to `length` elements (an index past the end pads the list)."""
    if length - len(lst) > MAX_PADDING:
        raise CommandError(ERR_RECORD_TOO_BIG, "padding would exceed the record size limit")
    lst.extend([None] * (length - len(lst)))


def insert_sorted(lst: CdtList, value: Any) -> None:
    """Insert into an ordered list at the value's place (after equal values)."""
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
            raise CommandError(ERR_ELEMENT_EXISTS)
        accepted.append(value)
    for value in accepted:
        if lst.flags & particles.LIST_ORDERED:
            insert_sorted(lst, value)
        else:
            lst.append(value)


def _out_of_bounds(what: str, position: int) -> CommandError:
    """An insert or set out of the list (before its start, or past the end of a bounded insert),
    with the server 8.2 error-details subcode of each."""
    if position < 0:
        return error_detail.fail(ERR_OP_NOT_APPLICABLE, f"{what} index out of bounds",
                                 error_detail.SUB_OPNOT_CDT_INDEX_OUT_OF_BOUNDS)
    return error_detail.fail(ERR_OP_NOT_APPLICABLE, f"{what} past the end of a bounded list",
                             error_detail.SUB_OPNOT_CDT_BOUNDED_LIST_OVERFLOW)


def _list_insert(lst: CdtList, index: int, items: List[Any], flags: int) -> bool:
    if lst.flags & particles.LIST_ORDERED:
        raise CommandError(ERR_OP_NOT_APPLICABLE, "insert on an ordered list")
    size = len(lst)
    position = index + size if index < 0 else index
    if position < 0 or (position > size and flags & LIST_INSERT_BOUNDED):
        if flags & LIST_NO_FAIL:
            return False
        raise _out_of_bounds("insert", position)
    if flags & LIST_ADD_UNIQUE:
        fresh: List[Any] = []
        for value in items:
            if any(values_equal(value, v) for v in lst) or any(values_equal(value, v)
                                                               for v in fresh):
                if flags & LIST_NO_FAIL:
                    if flags & LIST_PARTIAL:
                        continue
                    return False
                raise CommandError(ERR_ELEMENT_EXISTS)
            fresh.append(value)
        items = fresh
    if position > size:
        pad(lst, position)
    lst[position:position] = items
    return True


def _may_set(lst: CdtList, what: str, position: int, value: Any, flags: int) -> bool:
    """Whether a list set (or the set of an increment's new value) at `position` may go on
    under its write flags: False when no-fail skips it, an error without no-fail (an index
    before the start, or past the end of a bounded list; a value an add-unique list holds
    elsewhere)."""
    if position < 0 or (position >= len(lst) and flags & LIST_INSERT_BOUNDED):
        if flags & LIST_NO_FAIL:
            return False
        raise _out_of_bounds(what, position)
    if flags & LIST_ADD_UNIQUE and any(values_equal(value, v)
                                       for i, v in enumerate(lst) if i != position):
        if flags & LIST_NO_FAIL:
            return False
        raise CommandError(ERR_ELEMENT_EXISTS)
    return True


def list_op(lst: CdtList, command: int, args: Sequence[Any]) -> Any:
    """Apply list command `command` to `lst` in place; returns the result."""
    size = len(lst)
    if command == 0:  # set type
        order = int_arg(args, 0)
        lst.flags = order & particles.LIST_ORDERED
        if lst.flags:
            lst.sort(key=order_key)
        return NO_RESULT
    if command in (1, 2):  # append, append items
        items = [arg(args, 0)] if command == 1 else arg(args, 0)
        if not isinstance(items, list):
            raise CommandError(ERR_PARAMETER, "list expected")
        flags = int_arg(args, 2, 0)
        _list_append_items(lst, items, flags)
        return len(lst)
    if command in (3, 4):  # insert, insert items
        items = [arg(args, 1)] if command == 3 else arg(args, 1)
        if not isinstance(items, list):
            raise CommandError(ERR_PARAMETER, "list expected")
        _list_insert(lst, int_arg(args, 0), list(items), int_arg(args, 2, 0))
        return len(lst)
    if command == 5:  # pop
        position = single_index(int_arg(args, 0), size)
        return lst.pop(position)
    if command in (6, 8):  # pop range, remove range
        start, end = range_bounds(int_arg(args, 0), opt_count(args, 1), size)
        removed = lst[start:end]
        del lst[start:end]
        return CdtList(removed) if command == 6 else len(removed)
    if command == 7:  # remove
        position = single_index(int_arg(args, 0), size)
        del lst[position]
        return 1
    if command == 9:  # set
        if lst.flags & particles.LIST_ORDERED:
            raise CommandError(ERR_OP_NOT_APPLICABLE, "set on an ordered list")
        index = int_arg(args, 0)
        value = arg(args, 1)
        flags = int_arg(args, 2, 0)
        position = index + size if index < 0 else index
        if not _may_set(lst, "set", position, value, flags):
            return NO_RESULT
        if position >= size:
            pad(lst, position + 1)
        lst[position] = value
        return NO_RESULT
    if command == 10:  # trim
        int_arg(args, 1)  # the count is required
        start, end = range_bounds(int_arg(args, 0), opt_count(args, 1), size)
        kept = lst[start:end]
        lst[:] = kept
        return size - len(kept)
    if command == 11:  # clear
        lst.clear()
        return NO_RESULT
    if command == 12:  # increment
        index = int_arg(args, 0)
        delta = args[1] if len(args) > 1 else 1
        if type(delta) not in (int, float):
            raise CommandError(ERR_PARAMETER, "increment must be numeric")
        position = index + size if index < 0 else index
        if position < 0:
            raise CommandError(ERR_OP_NOT_APPLICABLE, "index out of bounds")
        current = lst[position] if position < size else None
        if current is None:
            current = 0
        if type(current) not in (int, float):
            raise CommandError(ERR_PARAMETER, "element is not numeric")  # as a server answers
        new = current + delta
        new = particles.to_int64(new) if type(new) is int else float(new)
        # The new value is then set as list set does it, under the policy's write flags
        # (list_increment() -> list_set()): a bounded list refuses an index past its end, an
        # add-unique one a value another element holds; no-fail skips the change (the
        # operation still answers the new value, as a server's does).
        flags = int_arg(args, 3, 0)
        if lst.flags & particles.LIST_ORDERED:
            flags &= ~LIST_INSERT_BOUNDED  # an ordered list replaces in order, unbounded
        if not _may_set(lst, "increment", position, new, flags):
            return new
        if position >= size:
            pad(lst, position + 1)
        if lst.flags & particles.LIST_ORDERED:
            del lst[position]
            insert_sorted(lst, new)
        else:
            lst[position] = new
        return new
    if command == 13:  # sort
        flags = int_arg(args, 0, 0)
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
        return lst[single_index(int_arg(args, 0), size)]
    if command == 18:  # get range
        start, end = range_bounds(int_arg(args, 0), opt_count(args, 1), size)
        return CdtList(lst[start:end])
    if command == 28:
        raise CommandError(ERR_UNSUPPORTED_FEATURE, "string list join")
    selector = _LIST_SELECTORS.get(command if command < 32 else command - 13)
    if selector is None:
        raise CommandError(ERR_PARAMETER, f"unknown list operation {command}")
    # A value list selects in its own order on an ordered list, and for ranks on any list.
    list_order = selector == "value_list" and (
        bool(lst.flags & particles.LIST_ORDERED)
        or int_arg(args, 0) & ~RT_INVERTED in (RT_RANK, RT_REVERSE_RANK))
    chosen, single = select(selector, args, lst, list_order=list_order)
    result = selection_result(int_arg(args, 0), chosen, single, lst,
                              ordered_rank=selector in RANK_SELECTORS or list_order,
                              by_value=selector in VALUE_SELECTORS)
    if command >= 32:
        dropped = set(inverted(chosen, len(lst), int_arg(args, 0)))
        lst[:] = [v for i, v in enumerate(lst) if i not in dropped]
    return result


# get-by command -> selector; remove commands map onto the same table (command - 13).
_LIST_SELECTORS = {19: "index", 21: "rank", 22: "value", 23: "value_list", 24: "index_range",
                   25: "value_interval", 26: "rank_range", 27: "value_rel_rank"}
