"""csrc/asc_udf.h: the embedded server runs record and stream UDFs with the C client's mod-lua.

    apply_record(record, bins, n_bins, module, source, function, args, time_limit_ms)
        -> UDFOutcome
    apply_stream(records, module, source, function, args, time_limit_ms) -> StreamOutcome
    stream_record(record, bins, n_bins) -> bytes      # one record of apply_stream's input

`record` is the store's view of the record (UDFRecordMeta); `bins` its bins in response
form, `args` the call's argument list as the client packed it; `source` None: no such module. The outcome says whether the
call failed, the SUCCESS/FAILURE reply bin in response form, and what the UDF did to the
record (nothing, write: the bins after it as write operations, or remove), plus its
record.set_ttl / drop_key. A stream UDF runs over records packed by stream_record (a
server runs one per partition); its outcome is the SUCCESS bins of the values the stream
wrote and, when the call failed, the FAILURE bin with the server's message. Compiled Lua
states are cached per module source (cache_idle, cache_clear). The C calls release the GIL.
"""
from __future__ import annotations

import struct
from typing import List, NamedTuple, Optional

from .._aerospike import ffi, lib

__all__: List[str] = []

NONE, WRITE, REMOVE = lib.ASC_UDF_NONE, lib.ASC_UDF_WRITE, lib.ASC_UDF_REMOVE


class UDFRecordMeta(NamedTuple):
    """The record as a UDF sees it (record.ttl, gen, last_update_time, setname, digest)."""
    exists: bool
    ttl: int
    gen: int
    last_update_time: int
    setname: bytes
    digest: bytes


class UDFOutcome(NamedTuple):
    failed: bool
    reply: bytes
    action: int
    bins: bytes
    n_bins: int
    new_ttl: Optional[int]
    drop_key: bool


def apply_record(record: UDFRecordMeta, bins: bytes, n_bins: int, module: str, source: Optional[bytes],
                 function: str, args: bytes, time_limit_ms: int) -> Optional[UDFOutcome]:
    """asc_udf_apply_record(); None when the input is not what C takes (no reply bin)."""
    meta = ffi.new("asc_udf_record*")
    meta.exists = record.exists
    meta.ttl = record.ttl
    meta.gen = record.gen
    meta.last_update_time = record.last_update_time
    meta.setname = record.setname[:63]
    meta.digest = record.digest
    c_source = ffi.NULL if source is None else source
    rc = lib.asc_udf_apply_record(meta, bins, len(bins), n_bins, module.encode(), c_source,
                                  len(source or b""), function.encode(), args, len(args),
                                  time_limit_ms)
    if rc < 0:
        return None
    try:
        reply = ffi.unpack(ffi.cast("char*", meta.reply), meta.reply_size)
        bins_after = ffi.unpack(ffi.cast("char*", meta.bins), meta.bins_size) if meta.bins else b""
        return UDFOutcome(rc == lib.ASC_UDF_FAILED, reply, meta.action, bins_after, meta.n_bins,
                          meta.new_ttl if meta.ttl_set else None, bool(meta.drop_key))
    finally:
        lib.asc_udf_record_free(meta)


class StreamOutcome(NamedTuple):
    values: List[bytes]
    failure: Optional[bytes]


_STREAM_HEADER = struct.Struct("<IHQ20sBIH")
assert _STREAM_HEADER.size == lib.ASC_UDF_STREAM_HEADER
_SIZE = struct.Struct("<I")


def stream_record(record: UDFRecordMeta, bins: bytes, n_bins: int) -> bytes:
    """One record of a stream UDF's input (csrc/asc_udf.h's layout)."""
    setname = record.setname[:63]
    return _STREAM_HEADER.pack(record.ttl, record.gen, record.last_update_time, record.digest,
                               len(setname), len(bins), n_bins) + setname + bins


def apply_stream(records: bytes, module: str, source: Optional[bytes], function: str,
                 args: bytes, time_limit_ms: int) -> Optional[StreamOutcome]:
    """asc_udf_apply_stream() over `records` (stream_record()s joined); None when the input
    is not what C takes."""
    st = ffi.new("asc_udf_stream*")
    c_source = ffi.NULL if source is None else source
    rc = lib.asc_udf_apply_stream(st, records, len(records), module.encode(), c_source,
                                  len(source or b""), function.encode(), args, len(args),
                                  time_limit_ms)
    if rc < 0:
        return None
    try:
        data = ffi.unpack(ffi.cast("char*", st.values), st.values_size) if st.values else b""
        values, pos = [], 0
        while pos < len(data):
            size = _SIZE.unpack_from(data, pos)[0]
            values.append(data[pos + 4:pos + 4 + size])
            pos += 4 + size
        failure = (ffi.unpack(ffi.cast("char*", st.failure), st.failure_size)
                   if rc == lib.ASC_UDF_FAILED else None)
        return StreamOutcome(values, failure)
    finally:
        lib.asc_udf_stream_free(st)


def cache_idle() -> int:
    """asc_udf_cache_idle(): how many compiled Lua states wait in the cache."""
    return int(lib.asc_udf_cache_idle())


def cache_clear() -> None:
    """asc_udf_cache_clear(): close every cached Lua state."""
    lib.asc_udf_cache_clear()
