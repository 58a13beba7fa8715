"""Truncation: the truncate and truncate-namespace info commands."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Dict, Optional

from .results import INFO_INVALID_LUT, INFO_LUT_IN_FUTURE, INFO_MISSING_SET, INFO_NAMESPACE_NOT_FOUND

if TYPE_CHECKING:
    from .store import Namespace, NodeView, Store


def truncate(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`truncate:namespace=...;set=...[;lut=...]`"""
    ns = store.namespaces.get(params.get("namespace", ""))
    if ns is None:
        return INFO_NAMESPACE_NOT_FOUND
    set_name = params.get("set", "")
    if not set_name:
        return INFO_MISSING_SET
    return _truncate_records(store, ns, set_name, params.get("lut"))


def truncate_namespace(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`truncate-namespace:namespace=...[;lut=...]`"""
    ns = store.namespaces.get(params.get("namespace", ""))
    if ns is None:
        return INFO_NAMESPACE_NOT_FOUND
    return _truncate_records(store, ns, None, params.get("lut"))


def _truncate_records(store: "Store", ns: "Namespace", set_name: Optional[str],
                      lut: Optional[str]) -> str:
    now_ns = time.time_ns()
    if lut is None:
        cutoff = now_ns
    else:
        try:
            cutoff = int(lut)
        except ValueError:
            return INFO_INVALID_LUT
        if cutoff > now_ns:
            return INFO_LUT_IN_FUTURE
    wanted = set_name.encode() if set_name is not None else None
    with store.lock:
        for part in ns.partitions:
            doomed = [d for d, r in part.items()
                      if (wanted is None or r.set_name == wanted) and r.last_update_ns < cutoff]
            for digest in doomed:
                del part[digest]
        ns.truncate_lut[set_name or ""] = cutoff
    return "ok"
