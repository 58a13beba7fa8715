"""as_list_operations.h: list CDT operations, and as_list_policy.

Every `as_operations_list_*` (with ctx and policy arguments) and `as_operations_add_list_*`
(the C shortcuts without them) function of the header, generated from the C prototypes like
as_operations: arguments in the C order, values as Python values (C consumes them), `ctx`
None or an as_cdt_ctx, `policy` None or an as_list_policy.

    p = as_list_policy_init()
    as_list_policy_set(p, AS_LIST_ORDERED, AS_LIST_WRITE_ADD_UNIQUE)
    as_operations_list_append(ops, "bin", None, p, 42)
    as_operations_add_list_pop(ops, "bin", -1)
"""
from __future__ import annotations

from typing import Any

from .._aerospike import lib
from ._cstruct import register_flags_field
from .as_operations import c_operation_wrappers, pointer_variant
from .as_policy import _policy_class

as_list_policy = _policy_class("as_list_policy")


def as_list_policy_init() -> Any:
    """as_list_policy_init(&p): unordered, default write flags."""
    policy = as_list_policy()
    lib.as_list_policy_init(policy._ptr)
    return policy


def as_list_policy_set(policy: Any, order: int, flags: int) -> None:
    """as_list_policy_set(): the list order and write flags (AS_LIST_WRITE_* or'ed)."""
    if not isinstance(policy, as_list_policy):
        raise TypeError(f"expected an as_list_policy, got {type(policy).__name__}")
    policy.order = order
    policy.flags = flags


register_flags_field("as_list_policy", "flags", "as_list_write_flags", "AS_LIST_WRITE_*")


_LIST_OPERATIONS = c_operation_wrappers(r"as_operations_(add_)?list_\w+")
globals().update(_LIST_OPERATIONS)
__all__ = ["as_list_policy", "as_list_policy_init", "as_list_policy_set"] + sorted(_LIST_OPERATIONS)

as_operations_add_list_append_strp = pointer_variant(_LIST_OPERATIONS,
                                                     "as_operations_add_list_append_str")
as_operations_add_list_append_rawp = pointer_variant(_LIST_OPERATIONS,
                                                     "as_operations_add_list_append_raw")
as_operations_add_list_insert_strp = pointer_variant(_LIST_OPERATIONS,
                                                     "as_operations_add_list_insert_str")
as_operations_add_list_insert_rawp = pointer_variant(_LIST_OPERATIONS,
                                                     "as_operations_add_list_insert_raw")
as_operations_add_list_set_strp = pointer_variant(_LIST_OPERATIONS,
                                                  "as_operations_add_list_set_str")
as_operations_add_list_set_rawp = pointer_variant(_LIST_OPERATIONS,
                                                  "as_operations_add_list_set_raw")
__all__ += [
    "as_operations_add_list_append_strp", "as_operations_add_list_append_rawp",
    "as_operations_add_list_insert_strp", "as_operations_add_list_insert_rawp",
    "as_operations_add_list_set_strp", "as_operations_add_list_set_rawp",
]
