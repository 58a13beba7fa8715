"""CDT select and apply by path (server 8.1's CDT command 0xfe): as_operations_select_by_path /
as_operations_modify_by_path and the as_exp_select_by_path / as_exp_modify_by_path calls.

The operation is [0xfe, context, flags] (select) or [0xfe, context, flags | 4, expression]
(apply). Its context walks from the bin down, level by level, keeping a set of elements:
a plain item (list index, map key, ...) picks one child of each element, an expression item
(as_cdt_ctx_add_all_children[_with_filter]) every child its filter accepts, an AND item
(as_cdt_ctx_add_and_filter) narrows the elements the item before it picked, and a map
keys-in item the children with those keys. Filters see the child through the loop variables
(AS_EXP_LOOPVAR_KEY: map key, VALUE, INDEX: list index or map position).

A select returns the tree from the bin down with only the elements kept (MATCHING_TREE), or
the values, map keys, or [key, value, ...] of the last level's elements. An apply replaces
each last-level element with its expression's value (as_exp_remove_result() removes it) and
writes the bin back; ordered lists on the way re-sort. Without NO_FAIL, a filter or an
expression that meets a value of another type fails the operation (PARAMETER), as does an
item that needs a list or map where the element is a scalar (OP_NOT_APPLICABLE); with
NO_FAIL such elements are skipped.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from . import expressions, particles
from .cdt_ctx import (CTX_CREATE_MASK, CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE,
                      CTX_MAP_INDEX, CTX_MAP_KEY, CTX_MAP_RANK, CTX_MAP_VALUE, navigate)
from .cdt_map import map_keep_order
from .cdt_select import ranks
from .particles import CdtList, CdtMap, order_key, values_equal
from .results import ERR_OP_NOT_APPLICABLE, ERR_PARAMETER, CommandError

SELECT_BY_PATH = 0xFE
#: as_exp_path_select_flags / as_exp_path_modify_flags.
SELECT_MATCHING_TREE = 0
SELECT_VALUE = 1
SELECT_MAP_KEY = 2
FLAG_APPLY = 4
FLAG_NO_FAIL = 0x10
#: Context item types this module adds to cdt_ctx's.
CTX_EXP = 0x04
CTX_AND_EXP = 0x204
CTX_MAP_KEYS_IN = 0x2A
LOOPVAR_KEY, LOOPVAR_VALUE, LOOPVAR_INDEX = 0, 1, 2

#: A kept element: its path from the bin (list indexes / map keys) and its value.
Element = Tuple[Tuple[Any, ...], Any]


class _Walk:
    """One select/apply: the bins filters may read and the NO_FAIL flag."""

    def __init__(self, bins: Dict[bytes, Any], no_fail: bool) -> None:
        self.bins = bins
        self.no_fail = no_fail

    def mismatch(self, message: str, code: int = ERR_PARAMETER) -> None:
        """A value of the wrong type: skipped under NO_FAIL, else the operation fails."""
        if not self.no_fail:
            raise CommandError(code, message)

    def evaluate(self, expression: Any, key: Any, value: Any, index: int) -> Any:
        loop = {LOOPVAR_VALUE: value, LOOPVAR_INDEX: index}
        if key is not _NO_KEY:
            loop[LOOPVAR_KEY] = key
        return expressions.evaluate_loop(expression, self.bins, loop)

    def accepts(self, expression: Any, key: Any, value: Any, index: int) -> bool:
        result = self.evaluate(expression, key, value, index)
        if result is True or result is False:
            return result
        self.mismatch("path filter is not boolean for this element")
        return False


_NO_KEY = object()  # a list element has no map key


def _children(value: Any) -> List[Tuple[Any, Any, int]]:
    """(slot, key, index) of each child: a list's in index order, a map's in key order."""
    if isinstance(value, CdtList):
        return [(i, _NO_KEY, i) for i in range(len(value))]
    keys = sorted(value, key=order_key)
    return [(k, k, i) for i, k in enumerate(keys)]


def _step(walk: _Walk, elements: List[Element], ctype: int, cvalue: Any) -> List[Element]:
    """The elements one context item keeps below (or, for an AND item, among) `elements`."""
    kept: List[Element] = []
    if ctype == CTX_AND_EXP:
        raise CommandError(ERR_PARAMETER, "an AND filter must follow a plain context item")
    for path, value in elements:
        if ctype in (CTX_EXP, CTX_MAP_KEYS_IN):
            if not isinstance(value, (CdtList, CdtMap)):
                walk.mismatch("context expects a list or map", ERR_OP_NOT_APPLICABLE)
                continue
            if ctype == CTX_MAP_KEYS_IN:
                if not isinstance(value, CdtMap):
                    walk.mismatch("context expects a map", ERR_OP_NOT_APPLICABLE)
                    continue
                if not isinstance(cvalue, list):
                    raise CommandError(ERR_PARAMETER, "keys-in context needs a list of keys")
                wanted = {order_key(k) for k in cvalue}
                kept.extend((path + (k,), value[k]) for k in sorted(value, key=order_key)
                            if order_key(k) in wanted)
                continue
            for slot, key, index in _children(value):
                child = value[slot]
                if walk.accepts(cvalue, key, child, index):
                    kept.append((path + (slot,), child))
            continue
        if not isinstance(value, (CdtList, CdtMap)):
            walk.mismatch("context expects a list or map", ERR_OP_NOT_APPLICABLE)
            continue
        slot = _pick(walk, value, ctype, cvalue)
        if slot is not _MISSING:
            kept.append((path + (slot,), value[slot]))
    return kept


_MISSING = object()


def _pick(walk: _Walk, container: Any, ctype: int, cvalue: Any) -> Any:
    """The list index or map key a plain context item names in `container` (_MISSING when
    there is no such child, or under NO_FAIL when the item does not fit the container)."""
    if ctype & ~0xFF or ctype & CTX_CREATE_MASK:
        raise CommandError(ERR_PARAMETER, f"context type {ctype:#x} in a path")
    if ctype in (CTX_LIST_INDEX, CTX_LIST_RANK, CTX_MAP_INDEX, CTX_MAP_RANK) and type(
            cvalue) is not int:
        raise CommandError(ERR_PARAMETER, "context index must be an integer")
    is_list_item = ctype in (CTX_LIST_INDEX, CTX_LIST_RANK, CTX_LIST_VALUE)
    if not is_list_item and ctype not in (CTX_MAP_INDEX, CTX_MAP_RANK, CTX_MAP_KEY,
                                          CTX_MAP_VALUE):
        raise CommandError(ERR_PARAMETER, f"unsupported context type {ctype:#x}")
    if is_list_item != isinstance(container, CdtList):
        walk.mismatch("context item does not fit the element type", ERR_OP_NOT_APPLICABLE)
        return _MISSING
    if is_list_item:
        slots: List[Any] = list(range(len(container)))
    else:
        slots = sorted(container, key=order_key)
    values = [container[s] for s in slots]
    size = len(slots)
    if ctype in (CTX_LIST_INDEX, CTX_MAP_INDEX):
        position = cvalue + size if cvalue < 0 else cvalue
        return slots[position] if 0 <= position < size else _MISSING
    if ctype in (CTX_LIST_RANK, CTX_MAP_RANK):
        position = cvalue + size if cvalue < 0 else cvalue
        return slots[ranks(values)[position]] if 0 <= position < size else _MISSING
    if ctype == CTX_MAP_KEY:
        return next((s for s in slots if values_equal(cvalue, s)), _MISSING)
    return next((s for s, v in zip(slots, values) if values_equal(cvalue, v)), _MISSING)


def _and_filter(walk: _Walk, elements: List[Element], expression: Any,
                top: Any) -> List[Element]:
    kept = []
    for path, value in elements:
        _, slot, key, index = _position(top, path)
        if walk.accepts(expression, key, value, index):
            kept.append((path, value))
    return kept


def _position(top: Any, path: Tuple[Any, ...]) -> Tuple[Any, Any, Any, int]:
    """The parent of the element at `path`, its slot there, and its loop variables KEY (a
    list element has none) and INDEX (a map entry's position in key order)."""
    parent = _at(top, path[:-1])
    slot = path[-1]
    if isinstance(parent, CdtMap):
        return parent, slot, slot, sorted(parent, key=order_key).index(slot)
    return parent, slot, _NO_KEY, slot


def _at(top: Any, path: Sequence[Any]) -> Any:
    value = top
    for slot in path:
        value = value[slot]
    return value


def _select_levels(walk: _Walk, top: Any, ctx: Any) -> List[List[Element]]:
    """The elements kept at each level of the context (level 0: the bin itself)."""
    if not isinstance(ctx, list) or not ctx or len(ctx) % 2:
        raise CommandError(ERR_PARAMETER, "bad path context")
    levels: List[List[Element]] = [[((), top)]]
    for i in range(0, len(ctx), 2):
        ctype, cvalue = ctx[i], ctx[i + 1]
        if type(ctype) is not int:
            raise CommandError(ERR_PARAMETER, "bad path context type")
        if ctype in (CTX_EXP, CTX_AND_EXP):
            expressions.compile_expression(cvalue)
        if ctype == CTX_AND_EXP:
            if i == 0 or ctx[i - 2] in (CTX_EXP, CTX_AND_EXP):
                raise CommandError(ERR_PARAMETER, "an AND filter must follow a plain context item")
            levels[-1] = _and_filter(walk, levels[-1], cvalue, top)
            continue
        levels.append(_step(walk, levels[-1], ctype, cvalue))
    return levels


def _tree(value: Any, path: Tuple[Any, ...], levels: List[Set[Tuple[Any, ...]]],
          depth: int) -> Any:
    """`value` with, below it, only the elements kept on the way to the last level."""
    if depth + 1 >= len(levels) or not isinstance(value, (CdtList, CdtMap)):
        return value
    wanted = levels[depth + 1]
    if isinstance(value, CdtList):
        return CdtList((_tree(v, path + (i,), levels, depth + 1) for i, v in enumerate(value)
                        if path + (i,) in wanted), value.flags)
    return CdtMap(((k, _tree(v, path + (k,), levels, depth + 1)) for k, v in value.items()
                   if path + (k,) in wanted), value.flags)


def select(top: Any, ctx: Any, flags: int, bins: Dict[bytes, Any]) -> Any:
    """The result of a select by path on a bin's list/map."""
    walk = _Walk(bins, bool(flags & FLAG_NO_FAIL))
    levels = _select_levels(walk, top, ctx)
    mode = flags & (SELECT_VALUE | SELECT_MAP_KEY)
    if mode == SELECT_MATCHING_TREE:
        return _tree(top, (), [{path for path, _ in level} for level in levels], 0)
    out = CdtList()
    for path, value in levels[-1]:
        parent_is_map = len(path) > 0 and isinstance(_at(top, path[:-1]), CdtMap)
        if mode & SELECT_MAP_KEY:
            if not parent_is_map:
                walk.mismatch("map key selected from a list element", ERR_OP_NOT_APPLICABLE)
                continue
            out.append(path[-1])
        if mode & SELECT_VALUE:
            out.append(value)
    return out


def apply(top: Any, ctx: Any, flags: int, expression: Any, bins: Dict[bytes, Any]) -> None:
    """Run a modify by path on a bin's list/map in place."""
    walk = _Walk(bins, bool(flags & FLAG_NO_FAIL))
    expressions.compile_expression(expression)
    levels = _select_levels(walk, top, ctx)
    removals: List[Tuple[Any, Any]] = []
    touched: List[Tuple[Any, ...]] = []
    for path, value in levels[-1]:
        if not path:
            raise CommandError(ERR_PARAMETER, "a path apply needs a context")
        parent, slot, key, index = _position(top, path)
        result = walk.evaluate(expression, key, value, index)
        if result is expressions.UNKNOWN:
            walk.mismatch("path apply expression failed for this element")
            continue
        if result is expressions.REMOVE_RESULT:
            removals.append((parent, slot))
        else:
            parent[slot] = result
        touched.append(path[:-1])
    for parent, slot in sorted(removals, key=lambda r: _removal_order(r[1]), reverse=True):
        del parent[slot]
    _reorder(top, touched)


def _removal_order(slot: Any) -> Any:
    """List positions go last-first so earlier removals do not shift later ones."""
    return (0, slot) if type(slot) is int else (1, 0)


def _reorder(top: Any, touched: List[Tuple[Any, ...]]) -> None:
    """Re-sort the ordered lists and key-ordered maps from each changed element up."""
    seen = set()
    for path in touched:
        for depth in range(len(path), -1, -1):
            key = path[:depth]
            if key in seen:
                continue
            seen.add(key)
            container = _at(top, path[:depth])
            if isinstance(container, CdtList) and container.flags & particles.LIST_ORDERED:
                container.sort(key=order_key)
            elif isinstance(container, CdtMap):
                map_keep_order(container)


def path_expressions(decoded: Any) -> List[Any]:
    """The expressions a decoded CDT operation carries when it is a select/apply by path
    ([0xfe, ctx, flags(, apply)]: its filter contexts and its apply expression); [] else."""
    if not isinstance(decoded, list) or len(decoded) < 3 or decoded[0] != SELECT_BY_PATH:
        return []
    ctx = decoded[1] if isinstance(decoded[1], list) else []
    found = [cvalue for ctype, cvalue in zip(ctx[::2], ctx[1::2])
             if ctype in (CTX_EXP, CTX_AND_EXP)]
    return found + list(decoded[3:4])


def operate(top: Any, args: Sequence[Any], modify: bool,
            bins: Optional[Dict[bytes, Any]]) -> Any:
    """Run [ctx, flags(, expression)] on the bin's decoded list/map; a select's result, or
    None after an apply (which changed `top` in place)."""
    if len(args) < 2 or type(args[1]) is not int:
        raise CommandError(ERR_PARAMETER, "bad select-by-path operation")
    ctx, flags = args[0], args[1]
    if not isinstance(top, (CdtList, CdtMap)):
        raise CommandError(ERR_OP_NOT_APPLICABLE, "path operations need a list or map bin")
    if flags & FLAG_APPLY:
        if not modify or len(args) != 3:
            raise CommandError(ERR_PARAMETER, "bad apply-by-path operation")
        apply(top, ctx, flags, args[2], bins or {})
        return None
    if len(args) != 2:
        raise CommandError(ERR_PARAMETER, "bad select-by-path operation")
    return select(top, ctx, flags, bins or {})


def context_values(top: Any, packed_context: bytes, bins: Dict[bytes, Any]) -> List[Any]:
    """The values a context index covers in a bin's value: the one element a plain context
    points at, or every element a path context (all children, filters) selects, skipping
    elements a filter cannot judge. CommandError when a plain context finds no element."""
    try:
        ctx = particles.unpack(packed_context)
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, "bad context") from None
    if not isinstance(ctx, list) or not any(t in (CTX_EXP, CTX_AND_EXP, CTX_MAP_KEYS_IN)
                                            for t in ctx[::2]):
        return [navigate(top, ctx)[0]]
    if not isinstance(top, (CdtList, CdtMap)):
        return []
    walk = _Walk(bins, no_fail=True)
    return [value for _, value in _select_levels(walk, top, ctx)[-1]]
