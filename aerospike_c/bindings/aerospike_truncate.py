"""aerospike_truncate() (declared in aerospike.h): remove every record of a set or namespace.

    aerospike_truncate(as_, None, "test", "demo", 0)     # everything written until now
    aerospike_truncate(as_, None, "test", None, before)  # whole namespace, last-update < before

`before_nanos` is nanoseconds since the Unix epoch (0: now). The server applies it on
every node; records written afterwards are kept.
"""
from __future__ import annotations

from typing import Any, Optional

from ._calls import c_call, c_uint, policy_arg
from .aerospike import aerospike
from .as_config import info_str

__all__ = ["aerospike_truncate"]


def aerospike_truncate(as_: aerospike, policy: Any, ns: str, set: Optional[str],
                       before_nanos: int) -> None:
    """aerospike_truncate(): drop records of `ns` (and `set`, None: every set) last updated
    before `before_nanos` (0: now)."""
    c_call(as_, "aerospike_truncate", policy_arg(policy, "as_policy_info"), info_str("ns", ns),
           info_str("set", set, allow_none=True), c_uint("before_nanos", before_nanos, 64))
