"""aerospike_query.h: secondary-index queries with a callback per result, and in the background.

    aerospike_query_foreach(as_, None, query, callback, udata)      # callback(record, udata)
    aerospike_query_partitions(as_, None, query, pf, callback, udata)
    query_id = aerospike_query_background(as_, None, query)         # policy: as_policy_write
    aerospike_query_wait(as_, None, query, query_id, 0)
    aerospike_query_info(as_, None, query, query_id)                 # as_job_info

Callbacks follow the rules of aerospike_scan: a `Record` per record (or the value of an
aggregation), None at the end; serialized across the C client's threads; a false return
(not None) stops the query; an exception stops it and is re-raised after C returns.
A query on a bin without an index raises IndexNotFoundError (from the server).

The async forms (aerospike_query_async, aerospike_query_partitions_async) follow
aerospike_scan_async: listener(err, record, udata, event_loop) on the dispatcher thread per
record, then once at the end; no aggregation or background queries (C refuses them).
"""
from __future__ import annotations

from typing import Any, Optional

from .._aerospike import ffi, lib
from ._calls import c_call, c_uint, policy_arg
from ._cstruct import c_enum
from .aerospike import aerospike
from .aerospike_scan import AsyncScanListener, ScanCallback, run_async, run_background, run_foreach
from .as_job import as_job_info
from .as_partition_filter import filter_arg
from .as_query import _query

__all__ = ["aerospike_query_foreach", "aerospike_query_partitions", "aerospike_query_background",
           "aerospike_query_wait", "aerospike_query_info", "aerospike_query_async",
           "aerospike_query_partitions_async"]


def aerospike_query_foreach(as_: aerospike, policy: Any, query: Any, callback: ScanCallback,
                            udata: Optional[Any] = None) -> None:
    """aerospike_query_foreach(): run the query on every node, `callback(record, udata)`."""
    run_foreach("aerospike_query_foreach", as_, policy, "as_policy_query",
                _query(query, "aerospike_query_foreach"), (), callback, udata)


def aerospike_query_partitions(as_: aerospike, policy: Any, query: Any, pf: Any,
                               callback: ScanCallback, udata: Optional[Any] = None) -> None:
    """aerospike_query_partitions(): run the query on the partitions of filter `pf`."""
    run_foreach("aerospike_query_partitions", as_, policy, "as_policy_query",
                _query(query, "aerospike_query_partitions"), (filter_arg(pf),), callback, udata)


def aerospike_query_background(as_: aerospike, policy: Any, query: Any, query_id: int = 0) -> int:
    """aerospike_query_background(): start the query's UDF or operations on the server (policy:
    as_policy_write); the job id (`query_id`, or a random one when 0)."""
    return run_background("aerospike_query_background", as_, policy, "as_policy_write",
                          _query(query, "aerospike_query_background"), query_id)


def aerospike_query_wait(as_: aerospike, policy: Any, query: Any, query_id: int,
                         interval_ms: int) -> None:
    """aerospike_query_wait(): poll every `interval_ms` (0: 1000) until the job is done."""
    query = _query(query, "aerospike_query_wait")
    with query._use("aerospike_query_wait") as query_ptr:
        c_call(as_, "aerospike_query_wait", policy_arg(policy, "as_policy_info"), query_ptr,
               c_uint("query_id", query_id, 64), c_uint("interval_ms", interval_ms))


def aerospike_query_info(as_: aerospike, policy: Any, query: Any, query_id: int) -> as_job_info:
    """aerospike_query_info(): status, progress and records read of background job query_id."""
    query = _query(query, "aerospike_query_info")
    info = ffi.new("as_job_info*")
    with query._use("aerospike_query_info") as query_ptr:
        c_call(as_, "aerospike_query_info", policy_arg(policy, "as_policy_info"), query_ptr,
               c_uint("query_id", query_id, 64), info)
    return as_job_info(c_enum("as_job_status")(info.status), info.progress_pct, info.records_read)


def aerospike_query_async(as_: aerospike, policy: Any, query: Any, listener: AsyncScanListener,
                          udata: Any = None, event_loop: Any = None) -> None:
    """aerospike_query_async(): run the query on every node; listener(err, record, udata,
    event_loop) per record, then once at the end (see aerospike_scan_async)."""
    run_async(lib.ASC_ASYNC_QUERY, "aerospike_query_async", as_, policy, "as_policy_query",
              _query(query, "aerospike_query_async"), None, None, listener, udata, event_loop)


def aerospike_query_partitions_async(as_: aerospike, policy: Any, query: Any, pf: Any,
                                     listener: AsyncScanListener, udata: Any = None,
                                     event_loop: Any = None) -> None:
    """aerospike_query_partitions_async(): run the query on the partitions of filter `pf`."""
    run_async(lib.ASC_ASYNC_QUERY_PARTITIONS, "aerospike_query_partitions_async", as_, policy,
              "as_policy_query", _query(query, "aerospike_query_partitions_async"),
              filter_arg(pf), None, listener, udata, event_loop)
