"""csrc/asc_batch.h: multi-record results cross into Python in bulk.

A batch read's results, and a scan's or query's records, come from C as one msgpack
buffer (per batch; per chunk of up to SCAN_CHUNK records for a scan) that one
`msgpack.unpackb` decodes, instead of several cffi calls per record; a batch's keys go
into the `as_batch` in one C call. Used by aerospike_batch, as_batch and aerospike_scan.

    pack_keys(keys) -> bytes | None        the key tuples for asc_batch_set_keys()
    rows_from_c(pack, *args) -> list       [key list, result, subcode, message, in_doubt,
                                            gen, ttl, bins | None] per batch result/record
    new_record((key, meta, bins)) -> Record
    ChunkContext(callback, udata)          the udata of a scan/query run by C's
                                           asc_scan_chunk_callback; callback(record, udata)
                                           per record, then callback(None, udata)
    batch_read(as_, policy, keys, form)    the Client's batch read in one C call
                                           (batch_get of csrc/asc_batch.h), see there

For the Client's scan_foreach, C also decodes the buffer (CPython functions of
csrc/asc_batch.h: scan_each, batch_rows), straight into Records; its batch reads build
their Records from the C client's as_records directly (batch_get).
"""
from __future__ import annotations

import functools
from typing import Any, Callable, List, Optional, Sequence, Tuple, cast

import msgpack

from .._aerospike import ffi, lib
from ._calls import CallbackContext, keep_escaped
from ..exceptions import AerospikeError
from .as_record import Record
from . import asc_key  # noqa: F401 - its setup gives csrc/asc_batch.h's scan_each the Record type
from .as_val import _unpack

__all__: List[str] = []

#: Records a scan/query hands Python per call (fewer past 1 MiB, and the last chunk).
SCAN_CHUNK = 256
NO_PYTHON_VALUE = "the record holds a value that has no Python value"

_pack_keys = functools.partial(msgpack.packb, use_bin_type=True)

#: scan_each(buffer_address, size, function) -> stopped: function(Record) per record of a
#: chunk, decoded in C (csrc/asc_batch.h; set by asc_batch_export).
_py_scan_each: Callable[[int, int, Callable[[Record], Any]], bool]
#: batch_rows(buffer_address, size, keys, bins_only) -> [Record | bins | None]: lean rows
#: (ROWS_RECORDS / ROWS_BINS), none failed, decoded in C (csrc/asc_batch.h).
_py_batch_rows: Callable[[int, int, List[Any], bool], List[Any]]
#: batch_get(as_, policy, keys, bins_only) -> (rows, error, failed) | None: see batch_read.
_py_batch_get: Callable[[Any, Any, Sequence[Any], bool],
                        Optional[Tuple[List[Any], Optional[AerospikeError], int]]]
if lib.asc_batch_export(__name__.encode()) != 0:  # pragma: no cover - out of memory
    raise ImportError("asc_batch_export: the CPython functions of csrc/asc_batch.h")
#: new_record((key, meta, bins)): a Record without the Python-level __new__ NamedTuple adds.
new_record = cast(Callable[[Tuple[Any, Any, Any]], Record],
                  functools.partial(tuple.__new__, Record))


def pack_keys(keys: Sequence[Any]) -> Optional[bytes]:
    """Key tuples as one msgpack array; None when some key is not plain data (an as_key …)."""
    try:
        return _pack_keys(keys if type(keys) is list else list(keys))
    except (TypeError, ValueError, OverflowError):
        return None


def rows_from_c(pack: Callable[..., Any], *args: Any) -> List[List[Any]]:
    """The rows `pack(*args, &size)` writes: asc_batch_results_to_msgpack (every
    `as_batch_result` of results[0:n]) or asc_batch_records_to_msgpack (every record)."""
    size = ffi.new("uint32_t*")
    buf = pack(*args, size)
    if buf == ffi.NULL:
        raise TypeError(NO_PYTHON_VALUE)
    try:
        rows: List[List[Any]] = _unpack(ffi.buffer(buf, size[0]))
        return rows
    finally:
        lib.free(buf)


class RecordCallback:
    """A one-argument callback(record) for run_chunked(): called without the udata and
    without a wrapper per record (the Client's scan_foreach)."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __call__(self, record: Any, udata: Any) -> Any:
        return self.function(record)


class ChunkContext(CallbackContext):
    """State of one scan/query run through asc_scan_chunk_callback; pass `handle` to
    asc_scan_chunker_new(). C serializes the calls (its mutex), so `lock` goes unused.
    A false return (not None) or an exception stops the scan after that record; the
    exception is re-raised by reraise() once the C call has returned."""

    __slots__ = ()

    def deliver(self, buffer: Any, size: int, status: int) -> bool:
        """Call back with each record of a chunk (status 1: then with None, the end;
        2: a value had no Python value); False tells C to stop."""
        if self.stopped:
            return False
        callback, udata = self.callback, self.udata
        try:
            if size and type(callback) is RecordCallback:  # records only: a scan
                if _py_scan_each(int(ffi.cast("uintptr_t", buffer)), size, callback.function):
                    self.stopped = True
                    return False
            elif size:
                for item in _unpack(ffi.buffer(buffer, size)):
                    if len(item) == 4:
                        key = item[0]
                        value = new_record((None if key is None else tuple(key),
                                            {"gen": item[1], "ttl": item[2]}, item[3]))
                    else:
                        value = item[0]
                    result = callback(value, udata)
                    if result is not None and not result:
                        self.stopped = True
                        return False
            if status == 2:
                raise TypeError(NO_PYTHON_VALUE)
            if status == 1:
                result = callback(None, udata)
                if result is not None and not result:
                    self.stopped = True
        except BaseException as exc:  # noqa: BLE001 - kept and re-raised after the C call
            self.error = exc
            self.stopped = True
        return not self.stopped


@ffi.def_extern(onerror=keep_escaped)
def asc_scan_chunk_to_python(udata: Any, buffer: Any, size: int, count: int, status: int) -> bool:
    """C hands over a chunk of a scan's/query's records (csrc/asc_batch.h)."""
    context: ChunkContext = ffi.from_handle(udata)
    return context.deliver(buffer, size, status)


def run_chunked(call: Callable[[Any, Any], int], callback: Callable[..., Any],
                udata: Any, chunk: int = SCAN_CHUNK) -> int:
    """Run `call(c_callback, c_udata)` (a scan/query foreach C call) with the chunking
    callback (`chunk` records at a time); returns C's status after every buffered record was
    delivered, then raises what the callback raised."""
    context = ChunkContext(callback, udata)
    chunker = lib.asc_scan_chunker_new(context.handle, chunk)
    if chunker == ffi.NULL:
        raise MemoryError("asc_scan_chunker_new")
    try:
        status = call(_CHUNK_CALLBACK, chunker)
        lib.asc_scan_chunker_finish(chunker)
    finally:
        lib.asc_scan_chunker_free(chunker)
    context.reraise()
    return status


_CHUNK_CALLBACK = ffi.addressof(lib, "asc_scan_chunk_callback")


#: Lean row forms (of the async batch reads): [gen, ttl, digest, bins] per record, or the bins.
ROWS_RECORDS, ROWS_BINS = lib.ASC_ROWS_RECORDS, lib.ASC_ROWS_BINS


def batch_read(as_: Any, policy: Any, keys: Sequence[Any], form: int
               ) -> Optional[Tuple[List[Any], Optional[AerospikeError], int]]:
    """aerospike_batch_get() of key tuples in one C call (csrc/asc_batch.h batch_get):
    (rows, C's BatchFailedError or None, how many rows failed other than by not found), a
    row per key in order, built in C from the as_records: Record((ns, set, user key,
    digest), meta, bins) (ROWS_RECORDS) or the bins (ROWS_BINS), None where not found,
    [code, subcode, message, in_doubt, None] for another failure.
    None: a key this path does not take (nothing was sent): use the general path."""
    return _py_batch_get(as_, policy, keys if type(keys) is list or type(keys) is tuple
                         else list(keys), form == ROWS_BINS)
