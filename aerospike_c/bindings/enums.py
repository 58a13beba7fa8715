"""Every C enum the cdefs declare, as an IntEnum named after its C typedef.

`as_status`, `as_policy_key`, `as_policy_exists`, `as_log_level` … generated from the
compiled module, so names and values are the C ones. Their members are also plain
module-level constants in `aerospike_c.bindings.constants` (AS_POLICY_KEY_SEND …).
"""
from __future__ import annotations

from ._cstruct import _ENUM_TYPEDEFS, c_enum

_ENUMS = {name: c_enum(name) for name in sorted(set(_ENUM_TYPEDEFS.values()))}
globals().update(_ENUMS)
__all__ = sorted(_ENUMS)
