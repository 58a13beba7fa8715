"""as_query.h: what a secondary-index query reads: bins, predicates, UDF, limits.

    query = as_query_init("test", "demo")          # as_query query; as_query_init(&query, ...)
    as_query_where_init(query, 1)
    as_query_where(query, "age", *as_integer_range(18, 65))   # C: as_integer_range(18, 65)
    as_query_where(query, "name", *as_string_equals("Bob"))
    as_query_select_init(query, 1); as_query_select(query, "name")
    query.max_records = 100                        # fields by C name, checked
    ...
    as_query_destroy(query)                        # or let it be collected

The predicate macros of as_query.h are functions here returning the argument tuple
that follows the bin name: as_string_equals(s), as_integer_equals(n),
as_integer_range(lo, hi), as_blob_equals(b), as_geo_within(geojson),
as_geo_contains(geojson), as_equals(dtype, v), as_range(itype, dtype, lo, hi),
as_contains(itype, dtype, v). The query keeps the values C points to (strings, blobs)
alive. Where C returns false (no room left, bin name too long, a value that does not
fit the predicate) this raises ParamError.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from .._aerospike import ffi, lib
from ._calls import enum_arg, owned_arg
from ._cstruct import register_field
from .as_config import c_str
from .as_scan import (
    Operated, _get_ops, _set_ops, names_arg, param_error, select_bin, select_init, set_udf_call,
    succeeded,
)
from .as_val import check_int64

__all__ = ["as_query", "as_query_init", "as_query_new", "as_query_destroy",
           "as_query_select_init", "as_query_select", "as_query_where_init", "as_query_where",
           "as_query_apply", "as_query_set_paginate", "as_query_is_done",
           "as_string_equals", "as_integer_equals", "as_integer_range", "as_blob_equals",
           "as_geo_within", "as_geo_contains", "as_equals", "as_range", "as_contains"]


class as_query(Operated):  # noqa: N801 - the C type's name
    """`as_query`: ns, set, select, where, apply, ops, max_records, records_per_second, ttl,
    paginate, no_bins."""

    __slots__ = ()
    ctype = "as_query"
    _c_destroy = lib.as_query_destroy


register_field("as_query", "ops", _get_ops, _set_ops)


def _query(query: Any, what: str) -> as_query:
    return owned_arg(query, as_query, what)


def as_query_init(ns: str, set: Optional[str]) -> as_query:  # noqa: A002 - C name
    """as_query_init(&query, ns, set): a query of a set (None: the whole namespace)."""
    c_ns, c_set = names_arg(ns, set)
    query = as_query()
    lib.as_query_init(query._ptr, c_ns, c_set)
    return query


as_query_new = as_query_init


def as_query_destroy(query: as_query) -> None:
    """as_query_destroy(): free what the query holds (refused while a call is running it)."""
    _query(query, "as_query_destroy")._destroy("as_query_destroy")


def as_query_select_init(query: as_query, n: int) -> bool:
    """as_query_select_init(): room for `n` bin names (once per query)."""
    return select_init(lib.as_query_select_init, _query(query, "as_query_select_init")._ptr, n,
                       "as_query_select_init")


def as_query_select(query: as_query, bin: str) -> bool:  # noqa: A002 - C name
    """as_query_select(): read bin `bin` (after as_query_select_init)."""
    return select_bin(lib.as_query_select, _query(query, "as_query_select")._ptr, bin,
                      "as_query_select")


def as_query_where_init(query: as_query, n: int) -> bool:
    """as_query_where_init(): room for `n` predicates (once per query)."""
    return select_init(lib.as_query_where_init, _query(query, "as_query_where_init")._ptr, n,
                       "as_query_where_init")


# -- predicate macros ------------------------------------------------------------------------
def as_string_equals(value: str) -> Tuple[int, int, int, str]:
    return lib.AS_PREDICATE_EQUAL, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_STRING, value


def as_integer_equals(value: int) -> Tuple[int, int, int, int]:
    return lib.AS_PREDICATE_EQUAL, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_INTEGER, value


def as_integer_range(low: int, high: int) -> Tuple[int, int, int, int, int]:
    return lib.AS_PREDICATE_RANGE, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_INTEGER, low, high


def as_blob_equals(value: bytes) -> Tuple[int, int, int, bytes]:
    return lib.AS_PREDICATE_EQUAL, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_BLOB, value


def as_geo_within(geojson: str) -> Tuple[int, int, int, str]:
    return lib.AS_PREDICATE_RANGE, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_GEO2DSPHERE, geojson


as_geo_contains = as_geo_within


def as_equals(dtype: int, value: Any) -> Tuple[Any, ...]:
    return lib.AS_PREDICATE_EQUAL, lib.AS_INDEX_TYPE_DEFAULT, dtype, value


def as_range(itype: int, dtype: int, low: Any, high: Any) -> Tuple[Any, ...]:
    return (lib.AS_PREDICATE_RANGE, itype, dtype, low, high)


def as_contains(itype: int, dtype: int, value: Any) -> Tuple[Any, ...]:
    return lib.AS_PREDICATE_EQUAL, itype, dtype, value


def _int64(value: Any, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where} must be an int, not {type(value).__name__}")
    return ffi.cast("int64_t", check_int64(value, where))


def _variadic(query: as_query, ptype: int, dtype: int, values: Tuple[Any, ...]) -> List[Any]:
    """The C variadic arguments for one predicate; C-heap-free buffers kept by the query."""
    integer = dtype in (lib.AS_INDEX_INTEGER, lib.AS_INDEX_NUMERIC)
    shape: Tuple[str, ...]
    if ptype == lib.AS_PREDICATE_RANGE and integer:
        shape = ("low", "high")
    elif ptype == lib.AS_PREDICATE_EQUAL and dtype in (lib.AS_INDEX_STRING, lib.AS_INDEX_BLOB) \
            or integer or (ptype == lib.AS_PREDICATE_RANGE and dtype == lib.AS_INDEX_GEO2DSPHERE):
        shape = ("value",)
    else:
        raise param_error("as_query_where: this predicate type does not take this data type")
    if len(values) != len(shape):
        raise TypeError(f"as_query_where takes {len(shape)} value(s) here ({', '.join(shape)}), "
                        f"got {len(values)}")
    if integer:
        return [_int64(value, name) for value, name in zip(values, shape)]
    value = values[0]
    if dtype == lib.AS_INDEX_BLOB:
        if not isinstance(value, (bytes, bytearray)):
            raise TypeError(f"a blob predicate value must be bytes, not {type(value).__name__}")
        buffer = ffi.new("uint8_t[]", bytes(value) or b"\0")
        query._keep(buffer)
        return [ffi.cast("uint8_t*", buffer), ffi.cast("uint32_t", len(value)),
                ffi.cast("uint32_t", 0)]
    buffer = ffi.new("char[]", c_str("value", value))
    query._keep(buffer)
    return [ffi.cast("char*", buffer)]


def as_query_where(query: as_query, bin: str, type: int, itype: int, dtype: int,  # noqa: A002
                   *values: Any) -> bool:
    """as_query_where(): add a predicate on `bin`; `values` as the C macro would pass them."""
    query = _query(query, "as_query_where")
    c_bin = c_str("bin", bin)
    c_type = enum_arg("type", type, "as_predicate_type")
    c_itype = enum_arg("itype", itype, "as_index_type")
    c_dtype = enum_arg("dtype", dtype, "as_index_datatype")
    args = _variadic(query, c_type, c_dtype, values)
    return succeeded(lib.as_query_where(query._ptr, c_bin, c_type, c_itype, c_dtype, *args),
                     f"as_query_where: bin {bin!r} is too long or no room is left "
                     "(as_query_where_init)")


def as_query_apply(query: as_query, module: str, function: str, arglist: Any) -> bool:
    """as_query_apply(): the UDF module.function(record, *arglist) of a background query
    (or aggregation). The query owns the converted arguments."""
    ptr = _query(query, "as_query_apply")._ptr
    return set_udf_call(lib.as_query_apply, ptr, ptr.apply, module, function, arglist,
                        "as_query_apply")


def as_query_set_paginate(query: as_query, paginate: bool) -> None:
    """as_query_set_paginate(): keep the query's progress so it can resume (max_records)."""
    if not isinstance(paginate, bool):
        raise TypeError(f"paginate must be a bool, not {type(paginate).__name__}")
    lib.as_query_set_paginate(_query(query, "as_query_set_paginate")._ptr, paginate)


def as_query_is_done(query: as_query) -> bool:
    """as_query_is_done(): a paginated query has read every partition."""
    return bool(lib.as_query_is_done(_query(query, "as_query_is_done")._ptr))
