"""as_bit_operations.h: bit operations on blob bins, and as_bit_policy.

Every `as_operations_bit_*` function of the header and the generic `as_bit_write/shift/math/
byte_math/read/scan` it builds them from, generated from the C prototypes like as_operations:
arguments in the C order, `ctx` None or an as_cdt_ctx (the server refuses bit operations on
nested blobs, as the header says: pass None), `policy` None or an as_bit_policy. A buffer comes
after its size, as in C (`value_byte_size, value`); the size may not exceed the buffer.

    p = as_bit_policy_init()
    as_bit_policy_set_write_flags(p, AS_BIT_WRITE_UPDATE_ONLY)
    as_operations_bit_set(ops, "bits", None, p, 13, 3, 1, b"\\xe0")
    as_operations_bit_count(ops, "bits", None, 0, 40)
"""
from __future__ import annotations

from .as_operations import c_operation_wrappers
from .as_policy import _write_flags_policy

as_bit_policy, as_bit_policy_init, as_bit_policy_set_write_flags = _write_flags_policy(
    "bit", "AS_BIT_WRITE_")

_BIT_OPERATIONS = c_operation_wrappers(
    r"as_operations_bit_\w+|as_bit_(write|shift|math|byte_math|read|scan)", size_first=True)
globals().update(_BIT_OPERATIONS)
__all__ = ["as_bit_policy", "as_bit_policy_init", "as_bit_policy_set_write_flags"] + sorted(
    _BIT_OPERATIONS)
