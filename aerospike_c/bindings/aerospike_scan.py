"""aerospike_scan.h: scans with a callback per record, by node, by partition, in the background.

    def callback(record, udata):                # bool callback(const as_val* val, void* udata)
        if record is None:                      # C's final call: the scan is complete
            return True
        print(record.key, record.bins)
        return True                             # a false value (not None) stops the scan

    aerospike_scan_foreach(as_, None, scan, callback, udata)
    aerospike_scan_partitions(as_, None, scan, pf, callback, udata)
    aerospike_scan_node(as_, None, scan, node_name, callback, udata)
    scan_id = aerospike_scan_background(as_, None, scan)
    aerospike_scan_wait(as_, None, scan_id, 0); aerospike_scan_info(as_, None, scan_id)

A record reaches the callback as a `Record` (key, meta, bins) copied from C, since C frees
it when the callback returns: C packs each record as msgpack on its own thread and hands
Python up to 256 records (or 1 MiB) at once, then the callback is called per record. The callback runs on the calling thread, or, for a
concurrent scan (`scan.concurrent = True`), on the C client's node threads: calls are
serialized (one at a time) so the callback needs no locking of its own. When it returns
a false value other than None, C stops the scan and the call returns normally, as in C.
When it raises, the scan is stopped the same way and the exception is re-raised once C
has returned. The GIL is released while C waits on the network.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple

from .._aerospike import ffi, lib
from ._calls import c_call, c_uint, policy_arg
from ._cstruct import c_enum
from .aerospike import aerospike, using
from .as_config import c_str
from .as_error import check, new_error
from .as_partition_filter import filter_arg
from .as_scan import _scan
from .asc_batch import SCAN_CHUNK, run_chunked

__all__ = ["as_scan_info", "aerospike_scan_foreach", "aerospike_scan_partitions",
           "aerospike_scan_node", "aerospike_scan_background", "aerospike_scan_wait",
           "aerospike_scan_info"]

ScanCallback = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class as_scan_info:  # noqa: N801 - the C type's name
    """`as_scan_info`: status (an as_scan_status), progress_pct, records_scanned."""

    status: int
    progress_pct: int
    records_scanned: int


def run_foreach(function: str, as_: aerospike, policy: Any, policy_type: str, target: Any,
                extra: Tuple[Any, ...], callback: ScanCallback, udata: Any) -> None:
    """Run a scan/query foreach function: `function(as, err, policy, target, *extra, cb, ctx)`,
    with C's chunking callback (records reach Python in chunks: asc_batch.run_chunked)."""
    c_policy = policy_arg(policy, policy_type)
    err = new_error()

    def call(c_callback: Any, c_udata: Any) -> int:
        with target._use(function) as target_ptr, using(as_, function, connected=True) as ptr:
            status: int = getattr(lib, function)(ptr, err, c_policy, target_ptr, *extra,
                                                 c_callback, c_udata)
        return status

    # C marks a record done in the partitions' status once its callback returned true: for a
    # scan/query that can be resumed (paginated, or a filter holding another's parts_all)
    # Python answers each record before C marks it, so one the callback refused is read again
    # on resume, as in C. Others go in chunks.
    resumable = bool(target._ptr.paginate) or any(
        isinstance(arg, ffi.CData) and ffi.typeof(arg) is _FILTER_PTR and
        arg.parts_all != ffi.NULL for arg in extra)
    check(run_chunked(call, callback, udata, 1 if resumable else SCAN_CHUNK), err)


_FILTER_PTR = ffi.typeof("as_partition_filter*")


def aerospike_scan_foreach(as_: aerospike, policy: Any, scan: Any, callback: ScanCallback,
                           udata: Optional[Any] = None) -> None:
    """aerospike_scan_foreach(): scan every node, `callback(record, udata)` per record."""
    run_foreach("aerospike_scan_foreach", as_, policy, "as_policy_scan",
                _scan(scan, "aerospike_scan_foreach"), (), callback, udata)


def aerospike_scan_partitions(as_: aerospike, policy: Any, scan: Any, pf: Any,
                              callback: ScanCallback, udata: Optional[Any] = None) -> None:
    """aerospike_scan_partitions(): scan the partitions of filter `pf`."""
    run_foreach("aerospike_scan_partitions", as_, policy, "as_policy_scan",
                _scan(scan, "aerospike_scan_partitions"), (filter_arg(pf),), callback, udata)


def aerospike_scan_node(as_: aerospike, policy: Any, scan: Any, node_name: str,
                        callback: ScanCallback, udata: Optional[Any] = None) -> None:
    """aerospike_scan_node(): scan the partitions node `node_name` holds."""
    run_foreach("aerospike_scan_node", as_, policy, "as_policy_scan",
                _scan(scan, "aerospike_scan_node"), (c_str("node_name", node_name),), callback,
                udata)


def run_background(function: str, as_: aerospike, policy: Any, policy_type: str, target: Any,
                   job_id: int) -> int:
    """Start a background scan/query: `function(as, err, policy, target, &job_id)`."""
    c_policy = policy_arg(policy, policy_type)
    c_id = ffi.new("uint64_t*", c_uint("job id", job_id, 64))
    err = new_error()
    with target._use(function) as target_ptr, using(as_, function, connected=True) as ptr:
        status = getattr(lib, function)(ptr, err, c_policy, target_ptr, c_id)
    check(status, err)
    return int(c_id[0])


def aerospike_scan_background(as_: aerospike, policy: Any, scan: Any, scan_id: int = 0) -> int:
    """aerospike_scan_background(): start the scan's UDF or operations on the server; the
    job id (`scan_id`, or a random one when 0) for aerospike_scan_wait/aerospike_job_wait."""
    return run_background("aerospike_scan_background", as_, policy, "as_policy_scan",
                          _scan(scan, "aerospike_scan_background"), scan_id)


def aerospike_scan_wait(as_: aerospike, policy: Any, scan_id: int, interval_ms: int) -> None:
    """aerospike_scan_wait(): poll every `interval_ms` (0: 1000) until the job is done."""
    c_call(as_, "aerospike_scan_wait", policy_arg(policy, "as_policy_info"),
           c_uint("scan_id", scan_id, 64), c_uint("interval_ms", interval_ms))


def aerospike_scan_info(as_: aerospike, policy: Any, scan_id: int) -> as_scan_info:
    """aerospike_scan_info(): status, progress and records scanned of background job scan_id."""
    info = ffi.new("as_scan_info*")
    c_call(as_, "aerospike_scan_info", policy_arg(policy, "as_policy_info"),
           c_uint("scan_id", scan_id, 64), info)
    return as_scan_info(c_enum("as_scan_status")(info.status), info.progress_pct,
                        info.records_scanned)
