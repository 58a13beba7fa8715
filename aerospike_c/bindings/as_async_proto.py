"""as_async_proto.h: the async commands and connections of a cluster, as C counts them.

    as_async_get_pending(as_)        # async commands of this instance not yet completed
    as_async_get_connections(as_)    # its async connections (pools of every event loop)

C takes the instance's `as_cluster*`; here the instance (LifecycleError when not connected).
"""
from __future__ import annotations

from typing import Any

from .._aerospike import lib
from .aerospike import using

__all__ = ["as_async_get_pending", "as_async_get_connections"]


def _count(as_: Any, what: str, connections: bool) -> int:
    with using(as_, what, connected=True) as ptr:
        return int(lib.asc_async_pending(ptr, connections))


def as_async_get_pending(as_: Any) -> int:
    """as_async_get_pending(as->cluster): async commands in flight on every event loop."""
    return _count(as_, "as_async_get_pending", False)


def as_async_get_connections(as_: Any) -> int:
    """as_async_get_connections(as->cluster): async connections open on every event loop."""
    return _count(as_, "as_async_get_connections", True)
