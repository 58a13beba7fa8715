"""as_map_operations.h: map CDT operations, and as_map_policy.

Every `as_operations_map_*` (with ctx) and `as_operations_add_map_*` (the C shortcuts)
function of the header, generated from the C prototypes like as_operations: arguments in
the C order, keys and values as Python values (C consumes them), `ctx` None or an
as_cdt_ctx, `policy` None or an as_map_policy (set_policy, increment and decrement need
one: C reads it unchecked, so None is a TypeError there).

    p = as_map_policy_init()
    as_map_policy_set(p, AS_MAP_KEY_ORDERED, AS_MAP_UPDATE)
    as_operations_add_map_put(ops, "bin", p, "key", 1)
    as_operations_map_get_by_key(ops, "bin", None, "key", AS_MAP_RETURN_VALUE)
"""
from __future__ import annotations

from typing import Any

from .._aerospike import lib
from ._owned import struct_ptr
from .as_operations import c_operation_wrappers
from .as_policy import _policy_class

as_map_policy = _policy_class("as_map_policy")


def _map_policy(policy: Any) -> Any:
    if not isinstance(policy, as_map_policy):
        raise TypeError(f"expected an as_map_policy, got {type(policy).__name__}")
    return struct_ptr(policy, "as_map_policy", "as_map_policy")


def as_map_policy_init() -> Any:
    """as_map_policy_init(&p): unordered map, default write mode."""
    policy = as_map_policy()
    lib.as_map_policy_init(policy._ptr)
    return policy


def as_map_policy_set(policy: Any, order: int, mode: int) -> None:
    """as_map_policy_set(): order and as_map_write_mode."""
    lib.as_map_policy_set(_map_policy(policy), order, mode)


def as_map_policy_set_flags(policy: Any, order: int, flags: int) -> None:
    """as_map_policy_set_flags(): order and as_map_write_flags."""
    lib.as_map_policy_set_flags(_map_policy(policy), order, flags)


def as_map_policy_set_all(policy: Any, order: int, flags: int, persist_index: bool) -> None:
    """as_map_policy_set_all(): order, write flags and persist_index."""
    lib.as_map_policy_set_all(_map_policy(policy), order, flags, persist_index)


# These read the policy without checking it for NULL in C.
_POLICY_REQUIRED = tuple(f"as_operations_{form}map_{name}" for form in ("", "add_")
                         for name in ("set_policy", "increment", "decrement"))
_MAP_OPERATIONS = c_operation_wrappers(r"as_operations_(add_)?map_\w+", _POLICY_REQUIRED)
globals().update(_MAP_OPERATIONS)
__all__ = (["as_map_policy", "as_map_policy_init", "as_map_policy_set", "as_map_policy_set_flags",
            "as_map_policy_set_all"] + sorted(_MAP_OPERATIONS))
