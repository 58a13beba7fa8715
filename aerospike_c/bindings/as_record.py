"""as_record.h: a record's bins and metadata (gen, ttl), to write or as read.

    rec = as_record_init(2)                      # as_record rec; as_record_inita(&rec, 2);
    as_record_set_int64(rec, "test-bin-1", 1234)
    as_record_set_str(rec, "test-bin-2", "test-bin-2-data")
    rec.ttl = 60                                 # fields by C name: gen, ttl, key, bins
    ...
    as_record_get_int64(rec, "test-bin-1", 0)    # typed getters as in C (fallback / None)
    as_record_destroy(rec)                       # or let it be collected

`as_record` holds C copies of its values and destroys the C record (bins, values) once:
explicitly with
as_record_destroy() or when collected. Records returned by aerospike_key_get() & co. are
the same class. Where C's setters return false (bin name over 15 bytes, no room left)
this raises ParamError; values Python cannot send raise TypeError naming the bin.

API for the other bindings (stable):

    Record(key, meta, bins)          a NamedTuple: key (ns, set, user_key, digest) or None,
                                     meta {"gen": int, "ttl": int}, bins {name: value}
    record_to_python(as_record*, key=None) -> Record     (key: use this key tuple instead
                                     of the record's own, which single-record reads leave empty)
    bins_to_python(as_record*) -> dict
    meta_to_python(as_record*) -> dict
    bin_name(name) -> bytes          a checked bin name for C
    set_bins(as_record*, bins: Mapping) -> None
                                     set every bin of a dict on an initialized record (one C
                                     call; the record owns copies of every value)
    record_arg(obj) -> as_record     an as_record, or a dict of bins turned into a new one
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._calls import UsedStruct, free_flag
from .as_key import KeyTuple, key_to_python, remember
from .as_status import as_status
from .as_val import (
    GeoJSON, _pack, bin_value_from_c, check_value, sized_bytes, unpack_c, val_from_c, val_to_c,
)

__all__ = [
    "Record", "as_record", "as_record_init", "as_record_new", "as_record_destroy",
    "as_record_numbins", "as_record_set", "as_record_set_bool", "as_record_set_int64",
    "as_record_set_double", "as_record_set_str", "as_record_set_geojson_str",
    "as_record_set_raw", "as_record_set_list", "as_record_set_map",
    "as_record_set_nil", "as_record_get", "as_record_get_bool", "as_record_get_int64",
    "as_record_get_double", "as_record_get_str", "as_record_get_geojson_str",
    "as_record_get_bytes", "as_record_get_list", "as_record_get_map",
    "as_record_get_udf_result", "as_record_get_udf_error",
    "as_record_inita", "as_record_get_integer", "as_record_get_as_double", "as_record_get_string",
    "as_record_get_geojson", "as_record_set_integer", "as_record_set_as_double",
    "as_record_set_string", "as_record_set_bytes", "as_record_set_geojson", "as_record_set_strp",
    "as_record_set_geojson_strp", "as_record_set_rawp", "as_record_foreach",
]

_NAME_MAX = lib.AS_BIN_NAME_MAX_LEN
_NAMES: Dict[str, bytes] = {}  # bin name -> checked UTF-8 (bounded cache)


class Record(NamedTuple):
    """A record as Python values: key tuple (or None), meta {"gen", "ttl"}, bins dict."""

    key: Optional[KeyTuple]
    meta: Dict[str, int]
    bins: Dict[str, Any]


class as_record(UsedStruct):  # noqa: N801 - the C type's name
    """`as_record`: fields gen, ttl, key, bins by C name; destroyed once, never while a
    command reads it. `ptr`: a record the C client allocated for us (else Python's)."""

    __slots__ = ()
    ctype = "as_record"
    _c_destroy = lib.as_record_destroy

    def __init__(self, ptr: Any = None, nbins: int = 0) -> None:
        if ptr is not None:
            super().__init__(ptr=ptr)
        else:
            super().__init__(lambda p: lib.as_record_init(p, nbins))

    def to_python(self, key: Optional[KeyTuple] = None) -> Record:
        """The record as a `Record` (key, meta, bins) of Python values."""
        self._check_writable("as_record.to_python")
        return record_to_python(self._ptr, key)

    def __repr__(self) -> str:
        if self._released:
            return "<as_record destroyed>"
        return f"<as_record gen={self._ptr.gen} ttl={self._ptr.ttl} bins={bins_to_python(self._ptr)!r}>"


# -- bin names and values -------------------------------------------------------------------------
def bin_name(name: Any) -> bytes:
    """A bin name checked for C: a str of at most 15 UTF-8 bytes without NUL."""
    encoded = _NAMES.get(name) if type(name) is str else None
    if encoded is not None:
        return encoded
    if not isinstance(name, str):
        raise TypeError(f"a bin name must be a str, not {type(name).__name__}")
    encoded = name.encode("utf-8")
    if b"\0" in encoded:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM, f"bin name {name!r} contains NUL")
    if len(encoded) > _NAME_MAX:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"bin name {name!r} is longer than {_NAME_MAX} bytes")
    return remember(_NAMES, name, encoded)


def set_bins(ptr: Any, bins: Mapping[str, Any]) -> None:
    """Set every bin of `bins` on an `as_record*` with room for them, in one C call."""
    names = [bin_name(name) for name in bins]
    try:
        data = _pack(bins if type(bins) is dict else dict(bins))
    except (TypeError, ValueError, OverflowError, RecursionError):
        _check_bins(bins)  # names the bin
        raise
    if not lib.asc_record_set_msgpack(ptr, data, len(data)):
        _check_bins(bins)
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"the record has no room for {len(names)} more bins "
                         f"(capacity {ptr.bins.capacity})")


def _check_bins(bins: Mapping[str, Any]) -> None:
    """Raise the error of the first bin whose value cannot be sent."""
    for name, value in bins.items():
        check_value(value, f"bin {name!r}", stored=True)


def set_bin(ptr: Any, name: Any, value: Any) -> None:
    """Set one bin of the `as_record*` ptr from a Python value (ParamError if C refuses)."""
    c_name = bin_name(name)
    val = val_to_c(value, f"bin {name!r}", stored=True)
    if not lib.as_record_set(ptr, c_name, ffi.cast("as_bin_value*", val)):
        lib.as_val_val_destroy(val)
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"bin {name!r}: the record has no room for another bin "
                         f"(capacity {ptr.bins.capacity})")


def bin_count(bins: Mapping[str, Any]) -> int:
    """How many bins a dict of bins has: TypeError unless a dict, ValueError past as_record's
    16-bit bin count."""
    if not isinstance(bins, Mapping):
        raise TypeError(f"bins must be a dict, not {type(bins).__name__}")
    if len(bins) > 0xFFFF:
        raise ValueError(f"a record holds at most 65535 bins (as_record counts them in 16 bits), "
                         f"got {len(bins)}")
    return len(bins)


def new_record_from(bins: Mapping[str, Any]) -> as_record:
    """A new as_record holding the bins of a dict."""
    rec = as_record_init(bin_count(bins))
    set_bins(rec._ptr, bins)
    return rec


def record_arg(obj: Any) -> as_record:
    """An as_record, or a dict of bins as a new as_record."""
    if isinstance(obj, as_record):
        obj._check_writable("as_record")
        return obj
    return new_record_from(obj)


def bins_to_python(ptr: Any) -> Dict[str, Any]:
    """The bins of an `as_record*` as {name: value} (a repeated name: the last value)."""
    flat = unpack_c(lib.asc_bins_to_msgpack, ptr, "the record")
    pairs = iter(flat)
    return dict(zip(pairs, pairs))


def bins_to_pairs(ptr: Any) -> List[Tuple[str, Any]]:
    """The bins of an `as_record*` as [(name, value)] in wire order (names may repeat)."""
    flat = unpack_c(lib.asc_bins_to_msgpack, ptr, "the record")
    pairs = iter(flat)
    return list(zip(pairs, pairs))


def meta_to_python(ptr: Any) -> Dict[str, int]:
    """{"gen": generation, "ttl": seconds to live (AS_RECORD_NO_EXPIRE_TTL: never)}."""
    return {"gen": ptr.gen, "ttl": ptr.ttl}


def record_to_python(ptr: Any, key: Optional[KeyTuple] = None) -> Record:
    """A `Record` from an `as_record*`; `key` replaces the record's own key when given."""
    if key is None and ptr.key.ns[0] != b"\0":
        key = key_to_python(ffi.addressof(ptr, "key"))
    return Record(key, {"gen": ptr.gen, "ttl": ptr.ttl}, bins_to_python(ptr))


# -- the C functions ------------------------------------------------------------------------------
def _record(rec: Any) -> as_record:
    if not isinstance(rec, as_record):
        raise TypeError(f"expected an as_record, got {type(rec).__name__}")
    rec._check_writable("as_record")
    return rec


def _nbins(nbins: Any) -> int:
    if isinstance(nbins, bool) or not isinstance(nbins, int):
        raise TypeError(f"nbins must be an int, not {type(nbins).__name__}")
    if not 0 <= nbins <= 0xFFFF:
        raise ValueError(f"nbins must be in [0, 65535], got {nbins}")
    return nbins


def as_record_init(nbins: int) -> as_record:
    """as_record_init(&rec, nbins) / as_record_inita(): a record with room for nbins bins."""
    return as_record(nbins=_nbins(nbins))


as_record_new = as_record_init


def as_record_destroy(rec: as_record) -> None:
    """as_record_destroy(): free the bins and values (the record object is then unusable)."""
    _record(rec)._destroy("as_record_destroy")


def as_record_numbins(rec: as_record) -> int:
    """as_record_numbins(): how many bins the record holds."""
    return lib.as_record_numbins(_record(rec)._ptr)


def as_record_set(rec: as_record, name: str, value: Any) -> bool:
    """as_record_set(): set a bin to any Python value (None: as_nil, deletes the bin on write)."""
    set_bin(_record(rec)._ptr, name, value)
    return True


def _set_typed(rec: as_record, name: str, value: Any, types: Tuple[type, ...], what: str) -> bool:
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        raise TypeError(f"bin {name!r}: {what} takes {' or '.join(t.__name__ for t in types)}, "
                        f"not {type(value).__name__}")
    return as_record_set(rec, name, value)


def as_record_set_bool(rec: as_record, name: str, value: bool) -> bool:
    """as_record_set_bool()."""
    return _set_typed(rec, name, value, (bool,), "as_record_set_bool")


def as_record_set_int64(rec: as_record, name: str, value: int) -> bool:
    """as_record_set_int64()."""
    return _set_typed(rec, name, value, (int,), "as_record_set_int64")


def as_record_set_double(rec: as_record, name: str, value: float) -> bool:
    """as_record_set_double()."""
    return _set_typed(rec, name, float(value) if type(value) is int else value, (float,),
                      "as_record_set_double")


def as_record_set_str(rec: as_record, name: str, value: str) -> bool:
    """as_record_set_str()."""
    return _set_typed(rec, name, value, (str,), "as_record_set_str")


def as_record_set_geojson_str(rec: as_record, name: str, value: str) -> bool:
    """as_record_set_geojson_str(): a GeoJSON text."""
    if not isinstance(value, str):
        raise TypeError(f"bin {name!r}: as_record_set_geojson_str takes str, "
                        f"not {type(value).__name__}")
    return as_record_set(rec, name, GeoJSON(value))


def as_record_set_raw(rec: as_record, name: str, value: bytes, size: Optional[int] = None) -> bool:
    """as_record_set_raw(rec, name, value, size): a bytes bin (size defaults to len(value))."""
    return as_record_set(rec, name, sized_bytes(value, size, f"bin {name!r}: as_record_set_raw"))


def as_record_set_list(rec: as_record, name: str, value: Any) -> bool:
    """as_record_set_list(): a list bin."""
    return _set_typed(rec, name, value, (list, tuple), "as_record_set_list")


def as_record_set_map(rec: as_record, name: str, value: Any) -> bool:
    """as_record_set_map(): a map bin."""
    return _set_typed(rec, name, value, (dict, Mapping), "as_record_set_map")


def as_record_set_nil(rec: as_record, name: str) -> bool:
    """as_record_set_nil(): a nil bin (a write deletes the bin)."""
    return as_record_set(rec, name, None)


def _bin_value(rec: as_record, name: str) -> Any:
    return lib.as_record_get(_record(rec)._ptr, bin_name(name))


def _typed(rec: as_record, name: str, c_type: int) -> Any:
    bv = _bin_value(rec, name)
    if bv == ffi.NULL or bv.nil.type != c_type:
        return None
    return bin_value_from_c(bv)


def as_record_get(rec: as_record, name: str) -> Any:
    """as_record_get(): the bin's value (None when the bin is absent, like C's NULL)."""
    return bin_value_from_c(_bin_value(rec, name))


def as_record_get_bool(rec: as_record, name: str) -> bool:
    """as_record_get_bool(): the bin's boolean (False when absent or not a boolean)."""
    return bool(_typed(rec, name, lib.AS_BOOLEAN))


def as_record_get_int64(rec: as_record, name: str, fallback: int) -> int:
    """as_record_get_int64(): the bin's integer, else fallback."""
    value = _typed(rec, name, lib.AS_INTEGER)
    return fallback if value is None else value


def as_record_get_double(rec: as_record, name: str, fallback: float) -> float:
    """as_record_get_double(): the bin's double, else fallback."""
    value = _typed(rec, name, lib.AS_DOUBLE)
    return fallback if value is None else value


def as_record_get_str(rec: as_record, name: str) -> Optional[str]:
    """as_record_get_str(): the bin's string, else None."""
    return _typed(rec, name, lib.AS_STRING)


def as_record_get_geojson_str(rec: as_record, name: str) -> Optional[str]:
    """as_record_get_geojson_str(): the bin's GeoJSON text, else None."""
    value = _typed(rec, name, lib.AS_GEOJSON)
    return None if value is None else value.value


def as_record_get_bytes(rec: as_record, name: str) -> Optional[bytes]:
    """as_record_get_bytes(): the bin's bytes, else None."""
    return _typed(rec, name, lib.AS_BYTES)


def as_record_get_list(rec: as_record, name: str) -> Optional[List[Any]]:
    """as_record_get_list(): the bin's list, else None."""
    return _typed(rec, name, lib.AS_LIST)


def as_record_get_map(rec: as_record, name: str) -> Optional[Dict[Any, Any]]:
    """as_record_get_map(): the bin's map, else None."""
    return _typed(rec, name, lib.AS_MAP)


def as_record_get_udf_result(rec: Any) -> Any:
    """as_record_get_udf_result(): the value a UDF returned (its SUCCESS bin; None when there
    is none) of an as_record, or of a `Record` as batch apply results give them."""
    if isinstance(rec, Record):
        return rec.bins.get("SUCCESS")
    return val_from_c(lib.as_record_get_udf_result(_record(rec)._ptr))


def as_record_get_udf_error(rec: Any) -> Optional[str]:
    """as_record_get_udf_error(): the error a UDF raised (its FAILURE bin's string), None
    when it did not fail; of an as_record or a `Record`."""
    if isinstance(rec, Record):
        error = rec.bins.get("FAILURE")
        return error if isinstance(error, str) else None
    text = lib.as_record_get_udf_error(_record(rec)._ptr)
    return None if text == ffi.NULL else ffi.string(text).decode("utf-8", "replace")


# -- the value-object getters and setters: Python values stand for as_integer, as_string ... -------
def as_record_inita(nbins: int) -> as_record:
    """as_record_inita(&rec, nbins): a record with room for nbins bins (as as_record_init)."""
    return as_record_init(nbins)


def as_record_get_integer(rec: as_record, name: str) -> Optional[int]:
    """as_record_get_integer(): the bin's as_integer as an int, else None (C's NULL)."""
    return _typed(rec, name, lib.AS_INTEGER)


def as_record_get_as_double(rec: as_record, name: str) -> Optional[float]:
    """as_record_get_as_double(): the bin's as_double as a float, else None."""
    return _typed(rec, name, lib.AS_DOUBLE)


def as_record_get_string(rec: as_record, name: str) -> Optional[str]:
    """as_record_get_string(): the bin's as_string as a str, else None."""
    return _typed(rec, name, lib.AS_STRING)


def as_record_get_geojson(rec: as_record, name: str) -> Optional[GeoJSON]:
    """as_record_get_geojson(): the bin's as_geojson as a GeoJSON, else None."""
    return _typed(rec, name, lib.AS_GEOJSON)


def as_record_set_integer(rec: as_record, name: str, value: int) -> bool:
    """as_record_set_integer(): an integer bin (C: an as_integer*)."""
    return _set_typed(rec, name, value, (int,), "as_record_set_integer")


def as_record_set_as_double(rec: as_record, name: str, value: float) -> bool:
    """as_record_set_as_double(): a double bin (C: an as_double*)."""
    return _set_typed(rec, name, float(value) if type(value) is int else value, (float,),
                      "as_record_set_as_double")


def as_record_set_string(rec: as_record, name: str, value: str) -> bool:
    """as_record_set_string(): a string bin (C: an as_string*)."""
    return _set_typed(rec, name, value, (str,), "as_record_set_string")


def as_record_set_bytes(rec: as_record, name: str, value: bytes) -> bool:
    """as_record_set_bytes(): a bytes bin (C: an as_bytes*)."""
    return as_record_set(rec, name, sized_bytes(value, None, f"bin {name!r}: as_record_set_bytes"))


def as_record_set_geojson(rec: as_record, name: str, value: GeoJSON) -> bool:
    """as_record_set_geojson(): a GeoJSON bin (C: an as_geojson*)."""
    return _set_typed(rec, name, value, (GeoJSON,), "as_record_set_geojson")


def as_record_set_strp(rec: as_record, name: str, value: str, free: bool) -> bool:
    """as_record_set_strp(): a string bin; the record keeps its own copy whatever `free` says."""
    free_flag(free, "as_record_set_strp")
    return as_record_set_str(rec, name, value)


def as_record_set_geojson_strp(rec: as_record, name: str, value: str, free: bool) -> bool:
    """as_record_set_geojson_strp(): a GeoJSON bin (copied, whatever `free` says)."""
    free_flag(free, "as_record_set_geojson_strp")
    return as_record_set_geojson_str(rec, name, value)


def as_record_set_rawp(rec: as_record, name: str, value: bytes, size: int, free: bool) -> bool:
    """as_record_set_rawp(): a bytes bin of value[:size] (copied, whatever `free` says)."""
    free_flag(free, "as_record_set_rawp")
    return as_record_set_raw(rec, name, value, size)


def as_record_foreach(rec: as_record, callback: Any, udata: Any = None) -> bool:
    """as_record_foreach(): callback(name, value, udata) for each bin in order; a false return
    (not None) stops it, and then this returns False, as C does. Bins are read first, so the
    callback may change the record."""
    if not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    for name, value in bins_to_pairs(_record(rec)._ptr):
        result = callback(name, value, udata)
        if result is not None and not result:
            return False
    return True
