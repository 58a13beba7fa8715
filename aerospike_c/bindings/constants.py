"""Every integer constant the cdefs declare (enum members and #defines), under its C name.

Generated from the compiled module, so `AS_POLICY_KEY_SEND`, `AEROSPIKE_ERR_TIMEOUT`,
`AS_LOG_LEVEL_DEBUG`, `AS_USER_SIZE` … are exactly the C values. The `ASC_` constants of
our own C helpers (csrc/) are internal and left out.
"""
from __future__ import annotations

from .._aerospike import lib

_CONSTANTS = {
    name: getattr(lib, name)
    for name in dir(lib)
    if name[:1].isupper() and not name.startswith("ASC_") and isinstance(getattr(lib, name), int)
}
globals().update(_CONSTANTS)
__all__ = sorted(_CONSTANTS)
