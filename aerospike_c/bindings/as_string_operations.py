"""as_string_operations.h: string operations (server 8.2), and as_string_policy.

Every `as_operations_string_*` function of the header and `as_operations_to_string`,
generated from the C prototypes like as_list_operations: arguments in the C order, strings
as str (no NUL: C reads them with strlen), `ctx` None or an as_cdt_ctx, `policy` None or an
as_string_policy. A server older than 8.2 refuses them as an unknown operation.

    p = as_string_policy_init()
    as_string_policy_set(p, AS_STRING_WRITE_FLAGS_UPDATE_ONLY)
    as_operations_string_upper(ops, "name", None, p)
    as_operations_string_strlen(ops, "name", None)
"""
from __future__ import annotations

from typing import Any

from .._aerospike import lib
from .as_operations import c_operation_wrappers
from .as_policy import _flags_field, _policy_class

as_string_policy = _policy_class("as_string_policy")


def as_string_policy_init() -> Any:
    """as_string_policy_init(&p): default write flags (AS_STRING_WRITE_FLAGS_DEFAULT)."""
    policy = as_string_policy()
    lib.as_string_policy_init(policy._ptr)
    return policy


def as_string_policy_set(policy: Any, flags: int) -> None:
    """as_string_policy_set(): the write flags (AS_STRING_WRITE_FLAGS_* or'ed)."""
    if not isinstance(policy, as_string_policy):
        raise TypeError(f"expected an as_string_policy, got {type(policy).__name__}")
    policy.flags = flags


_flags_field("as_string_policy", "flags", "as_string_write_flags", "AS_STRING_WRITE_FLAGS_")


_STRING_OPERATIONS = c_operation_wrappers(r"as_operations_string_\w+|as_operations_to_string")
globals().update(_STRING_OPERATIONS)
__all__ = ["as_string_policy", "as_string_policy_init", "as_string_policy_set"] + sorted(
    _STRING_OPERATIONS)
