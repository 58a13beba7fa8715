"""Truncation: the truncate and truncate-namespace info commands.

A server broadcasts a truncate as cluster metadata without checking the namespace or set (each
node skips one it does not have), so an unknown one answers ok. The cut-off (`lut`, UTC
nanoseconds, decimal, hex or octal) becomes milliseconds since the Aerospike epoch
(2010-01-01): zero or less, or later than now, is refused; records last updated before it go.
Without a `lut` every record the set or namespace holds goes, whatever its last-update time (a
server's writes after a truncate get a later last-update time than its cut-off, so a record
written in the cut-off's own millisecond is one written before the truncate).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Dict, Optional

from .results import INFO_LUT_IN_FUTURE, INFO_TRUNCATE_TO_ZERO, INFO_UNEXPECTED_SET, info_param

if TYPE_CHECKING:
    from .store import NodeView, Store

#: Milliseconds from the Unix epoch to the Aerospike epoch, 2010-01-01 (CITRUSLEAF_EPOCH).
EPOCH_MS = 1262304000 * 1000
#: The server's buffers for the namespace, set and lut parameters.
NAMESPACE_SIZE, SET_SIZE, LUT_SIZE = 32, 64, 24


def truncate(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`truncate:namespace=...;set=...[;lut=...]`"""
    ns_name = info_param(params, "namespace", NAMESPACE_SIZE)
    set_name = info_param(params, "set", SET_SIZE)
    return _truncate(store, ns_name, set_name, info_param(params, "lut", LUT_SIZE, False))


def truncate_namespace(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`truncate-namespace:namespace=...[;lut=...]` (a `set` parameter is refused)."""
    ns_name = info_param(params, "namespace", NAMESPACE_SIZE)
    if "set" in params:
        return INFO_UNEXPECTED_SET
    return _truncate(store, ns_name, None, info_param(params, "lut", LUT_SIZE, False))


def _truncate(store: "Store", ns_name: Optional[str], set_name: Optional[str],
              lut: Optional[str]) -> str:
    now_ms = time.time_ns() // 1_000_000 - EPOCH_MS
    if lut is None:
        cutoff_ms = now_ms
    else:
        cutoff_ms = max(_c_integer(lut) // 1_000_000 - EPOCH_MS, 0)
        if cutoff_ms == 0:
            return INFO_TRUNCATE_TO_ZERO
        if cutoff_ms > now_ms:
            return INFO_LUT_IN_FUTURE
    ns = store.namespaces.get(ns_name or "")
    if ns is None:
        return "ok"
    cutoff_ns = (cutoff_ms + EPOCH_MS) * 1_000_000
    wanted = set_name.encode() if set_name is not None else None
    with store.lock:
        for part in ns.partitions:
            doomed = [d for d, r in part.items()
                      if (wanted is None or r.set_name == wanted)
                      and (lut is None or r.last_update_ns // 1_000_000 < cutoff_ns // 1_000_000)]
            for digest in doomed:
                del part[digest]
        ns.truncate_lut[set_name or ""] = cutoff_ns
    return "ok"


def _c_integer(text: str) -> int:
    """`text` read as strtoul(text, NULL, 0) does: decimal, 0x hex or 0 octal, up to the first
    character that is not a digit; 0 when none is."""
    text = text.strip()
    base, digits = 10, "0123456789"
    if text[:2].lower() == "0x":
        base, digits, text = 16, "0123456789abcdefABCDEF", text[2:]
    elif text[:1] == "0":
        base, digits = 8, "01234567"
    end = 0
    while end < len(text) and text[end] in digits:
        end += 1
    return int(text[:end], base) if end else 0
