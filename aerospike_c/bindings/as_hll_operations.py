"""as_hll_operations.h: HyperLogLog operations, and as_hll_policy.

Every `as_operations_hll_*` function of the header (with the generic `as_operations_hll_read`
and `_read_list` they are built from), generated from the C prototypes like as_operations:
arguments in the C order, element and HLL lists as Python lists (C packs and consumes them),
`ctx` None or an as_cdt_ctx (the server refuses HLL operations on nested values: pass None),
`policy` None or an as_hll_policy. Bit counts of -1 mean "unset" as in C (the bin's own, or
none for min-hash).

    p = as_hll_policy_init()
    as_hll_policy_set_write_flags(p, AS_HLL_WRITE_CREATE_ONLY)
    as_operations_hll_add(ops, "visitors", None, p, ["ann", "bob"], 12)
    as_operations_hll_get_count(ops, "visitors", None)
"""
from __future__ import annotations

from .as_operations import c_operation_wrappers
from .as_policy import _write_flags_policy

as_hll_policy, as_hll_policy_init, as_hll_policy_set_write_flags = _write_flags_policy(
    "hll", "AS_HLL_WRITE_")

_HLL_OPERATIONS = c_operation_wrappers(r"as_operations_hll_\w+")
globals().update(_HLL_OPERATIONS)
__all__ = ["as_hll_policy", "as_hll_policy_init", "as_hll_policy_set_write_flags"] + sorted(
    _HLL_OPERATIONS)
