"""as_status.h: `as_status`, every status code of the C client, as an IntEnum.

Members and values come from the compiled C client (cdefs/as_status.h declares the
names; the compiler supplies the values), so they cannot drift from C.
`AEROSPIKE_ERR` is the C alias of `AEROSPIKE_ERR_CLIENT` (-1).
"""
from __future__ import annotations

from .enums import as_status

__all__ = ["as_status"]
