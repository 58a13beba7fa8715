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

The async forms run on the C client's event loops (as_event.py) and return at once:

    def listener(err, record, udata, event_loop):   # as_async_scan_listener
        if err is not None or record is None:       # C's last call: failed, or complete
            return False
        return True                                 # a false value (not None) stops the scan

    aerospike_scan_async(as_, None, scan, None, listener, udata)     # scan_id: ignored (NULL)
    aerospike_scan_partitions_async(as_, None, scan, pf, listener, udata)
    aerospike_scan_node_async(as_, None, scan, None, node_name, listener, udata)

The listener runs on the async dispatcher thread (bindings/_async.py), one call at a time:
per record a `Record`, then once with record None (or with the error), as in C; after it
returned a false value it is not called again. Records cross from C in chunks of up to 256
(csrc/asc_async_scan.h). Backpressure as in C: while 4096 records (or 16 MiB of them) wait
for a slow listener, the scan's event loop waits (a slow C listener holds up its loop the
same way), so memory stays bounded. For a paginated scan (as_scan_set_paginate), whose progress is what its
listener accepted, each record waits for the Python listener's answer instead (one at a
time: C's exact semantics, the record a listener stopped at is read again on resume).
A listener that raises is reported (logger `aerospike_c.async`) and the scan
stops as if it had returned False; nothing crosses into C.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple

from .._aerospike import ffi, lib
from . import _async
from ._calls import c_call, c_uint, policy_arg
from ._cstruct import c_enum
from .aerospike import _instance, aerospike, c_loop_submit, using
from .as_config import c_str
from .as_error import check, new_error
from .as_event import loop_ptr, used_by
from .as_partition_filter import filter_arg
from .as_scan import _scan
from .asc_batch import SCAN_CHUNK, _py_scan_each, run_chunked

__all__ = ["as_scan_info", "aerospike_scan_foreach", "aerospike_scan_partitions",
           "aerospike_scan_node", "aerospike_scan_background", "aerospike_scan_wait",
           "aerospike_scan_info", "aerospike_scan_async", "aerospike_scan_partitions_async",
           "aerospike_scan_node_async"]

ScanCallback = Callable[[Any, Any], Any]
#: as_async_scan_listener / as_async_query_record_listener: (err, record, udata, event_loop).
AsyncScanListener = Callable[[Optional[Exception], Any, Any, Any], Any]
#: Records (or bytes of them) handed to the dispatcher and not yet through the listener
#: before C's loop waits.
ASYNC_SCAN_RECORDS = 4096
ASYNC_SCAN_BYTES = 16 << 20


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


# -- async ------------------------------------------------------------------------------------
def run_async(kind: int, what: str, as_: aerospike, policy: Any, policy_type: str, target: Any,
              pf: Any, node_name: Any, listener: AsyncScanListener, udata: Any,
              event_loop: Any) -> None:
    """Start an async scan/query (csrc/asc_async_scan.h, kind ASC_ASYNC_*) whose completions
    the dispatcher thread turns into listener calls; a C error on submission raises (the
    listener is then never called, as in C)."""
    if not callable(listener):
        raise TypeError(f"{what}: listener must be callable, not {type(listener).__name__}")
    instance = _instance(as_)
    loop = loop_ptr(event_loop, what)
    c_policy = policy_arg(policy, policy_type)
    dispatcher = _async.dispatch()
    queue = dispatcher.queue
    command_id = queue.next_id()
    out = ffi.new("asc_async_scan**")
    stopped = False
    current_loop: Any = None

    def each(record: Any) -> Any:
        return listener(None, record, udata, current_loop)

    def handler(item: Any) -> None:
        nonlocal stopped, current_loop
        scan_state, kind_ = out[0], item.ttl
        if kind_ == lib.ASC_SCAN_RECORDS:
            dispatcher.handlers[command_id] = handler  # more completions to come
            if not stopped:
                current_loop = _async.event_loop_of(item)
                try:
                    stopped = _py_scan_each(int(ffi.cast("uintptr_t", item.data)), item.size, each)
                except BaseException as exc:  # noqa: BLE001 - never into C: reported, scan stopped
                    _async.report(exc, what)
                    stopped = True
                if stopped:
                    lib.asc_async_scan_stop(scan_state)
            lib.asc_async_scan_consumed(scan_state, item.gen, item.size)
            return
        try:
            if not stopped and kind_ != lib.ASC_SCAN_STOPPED:
                error = None if kind_ == lib.ASC_SCAN_END else _async.completion_error(item)
                listener(error, None, udata, _async.event_loop_of(item))
        except BaseException as exc:  # noqa: BLE001 - never into C
            _async.report(exc, what)
        finally:
            lib.asc_async_scan_release(scan_state)

    dispatcher.handlers[command_id] = handler
    err = new_error()
    with target._use(what) as target_ptr, c_loop_submit():
        status = lib.asc_async_scan_start(
            instance._guard, queue.c_queue, command_id, err, kind, c_policy, target_ptr,
            ffi.NULL if pf is None else pf, ffi.NULL if node_name is None else node_name,
            lib.ASC_SCAN_SYNC if target_ptr.paginate else lib.ASC_SCAN_BLOCK,
            ASYNC_SCAN_RECORDS, ASYNC_SCAN_BYTES, SCAN_CHUNK, loop, out)
    if status:
        dispatcher.handlers.pop(command_id, None)
        raise _async.submit_error(instance, what, status, err)
    used_by(instance)


def aerospike_scan_async(as_: aerospike, policy: Any, scan: Any, scan_id: Optional[int],
                         listener: AsyncScanListener, udata: Any = None,
                         event_loop: Any = None) -> None:
    """aerospike_scan_async(): scan every node; listener(err, record, udata, event_loop) per
    record, then (None, None, ...) at the end or (error, None, ...). scan_id: ignored, as C
    ignores it (pass None). event_loop None: the C client picks one (round robin)."""
    if scan_id is not None:
        c_uint("scan_id", scan_id, 64)
    run_async(lib.ASC_ASYNC_SCAN, "aerospike_scan_async", as_, policy, "as_policy_scan",
              _scan(scan, "aerospike_scan_async"), None, None, listener, udata, event_loop)


def aerospike_scan_partitions_async(as_: aerospike, policy: Any, scan: Any, pf: Any,
                                    listener: AsyncScanListener, udata: Any = None,
                                    event_loop: Any = None) -> None:
    """aerospike_scan_partitions_async(): scan the partitions of filter `pf`; listener as
    aerospike_scan_async."""
    run_async(lib.ASC_ASYNC_SCAN_PARTITIONS, "aerospike_scan_partitions_async", as_, policy,
              "as_policy_scan", _scan(scan, "aerospike_scan_partitions_async"), filter_arg(pf),
              None, listener, udata, event_loop)


def aerospike_scan_node_async(as_: aerospike, policy: Any, scan: Any, scan_id: Optional[int],
                              node_name: str, listener: AsyncScanListener, udata: Any = None,
                              event_loop: Any = None) -> None:
    """aerospike_scan_node_async(): scan the partitions node `node_name` holds (ParamError
    "Invalid node name" from C when there is none); listener as aerospike_scan_async."""
    if scan_id is not None:
        c_uint("scan_id", scan_id, 64)
    run_async(lib.ASC_ASYNC_SCAN_NODE, "aerospike_scan_node_async", as_, policy,
              "as_policy_scan", _scan(scan, "aerospike_scan_node_async"), None,
              c_str("node_name", node_name), listener, udata, event_loop)
