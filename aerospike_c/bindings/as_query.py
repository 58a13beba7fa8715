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
from .as_cdt_ctx import as_cdt_ctx, check_packed_items, ctx_arg, ctx_copy
from .as_exp import exp_arg
from .as_partition_filter import partitions_status_field
from .as_scan import (
    Operated, Serialized, _get_ops, _set_ops, compare, from_bytes, names_arg, param_error,
    select_bin, select_init, set_partitions, set_udf_call, succeeded, to_bytes,
)
from .as_val import check_int64

__all__ = ["as_query", "as_query_init", "as_query_new", "as_query_destroy",
           "as_query_select_init", "as_query_select", "as_query_where_init", "as_query_where",
           "as_query_apply", "as_query_set_paginate", "as_query_is_done",
           "as_query_select_inita", "as_query_where_inita", "as_query_set_partitions",
           "as_query_to_bytes", "as_query_from_bytes", "as_query_from_bytes_new", "as_query_compare", "as_query_where_with_ctx", "as_query_where_with_exp",
           "as_query_where_with_index_name", "as_blob_contains",
           "as_string_equals", "as_integer_equals", "as_integer_range", "as_blob_equals",
           "as_geo_within", "as_geo_contains", "as_equals", "as_range", "as_contains"]


class as_query(Operated):  # noqa: N801 - the C type's name
    """`as_query`: ns, set, select, where, apply, ops, max_records, records_per_second, ttl,
    paginate, no_bins."""

    __slots__ = ()
    ctype = "as_query"
    _c_destroy = lib.as_query_destroy


register_field("as_query", "ops", _get_ops, _set_ops)
register_field("as_query", "parts_all", partitions_status_field)


def _query(query: Any, what: str) -> as_query:
    return owned_arg(query, as_query, what)


def as_query_init(ns: str, set: Optional[str]) -> as_query:  # noqa: A002 - C name
    """as_query_init(&query, ns, set): a query of a set (None: the whole namespace)."""
    c_ns, c_set = names_arg(ns, set)
    return as_query(lambda p: lib.as_query_init(p, c_ns, c_set))


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


as_query_select_inita = as_query_select_init


def as_query_where_init(query: as_query, n: int) -> bool:
    """as_query_where_init(): room for `n` predicates (once per query)."""
    return select_init(lib.as_query_where_init, _query(query, "as_query_where_init")._ptr, n,
                       "as_query_where_init")


# -- predicate macros ------------------------------------------------------------------------
as_query_where_inita = as_query_where_init


def as_string_equals(value: str) -> Tuple[int, int, int, str]:
    return lib.AS_PREDICATE_EQUAL, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_STRING, value


def as_integer_equals(value: int) -> Tuple[int, int, int, int]:
    return lib.AS_PREDICATE_EQUAL, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_INTEGER, value


def as_integer_range(low: int, high: int) -> Tuple[int, int, int, int, int]:
    return lib.AS_PREDICATE_RANGE, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_INTEGER, low, high


def as_blob_equals(value: bytes) -> Tuple[int, int, int, bytes]:
    return lib.AS_PREDICATE_EQUAL, lib.AS_INDEX_TYPE_DEFAULT, lib.AS_INDEX_BLOB, value


def as_blob_contains(itype: int, value: bytes) -> Tuple[int, int, int, bytes]:
    """as_blob_contains(LIST/MAPKEYS/MAPVALUES, value, size, free): a blob in a collection
    (itype: AS_INDEX_TYPE_LIST ...)."""
    return lib.AS_PREDICATE_EQUAL, itype, lib.AS_INDEX_BLOB, value


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


def _where(c_function: Any, what: str, query: as_query, target: Any, c_ctx: Any, type: int,  # noqa: A002
           itype: int, dtype: int, values: Tuple[Any, ...]) -> bool:
    c_type = enum_arg("type", type, "as_predicate_type")
    c_itype = enum_arg("itype", itype, "as_index_type")
    c_dtype = enum_arg("dtype", dtype, "as_index_datatype")
    args = _variadic(query, c_type, c_dtype, values)
    head = [query._ptr, target] + ([] if c_ctx is None else [c_ctx])
    return succeeded(c_function(*head, c_type, c_itype, c_dtype, *args),
                     f"{what}: the name is too long or no room is left (as_query_where_init)")


def as_query_where_with_ctx(query: as_query, bin: str, ctx: Any, type: int,  # noqa: A002
                            itype: int, dtype: int, *values: Any) -> bool:
    """as_query_where_with_ctx(): a predicate on the values at `ctx` (an as_cdt_ctx) inside
    `bin`; the query keeps its own copy of the context."""
    query = _query(query, "as_query_where_with_ctx")
    if not isinstance(ctx, as_cdt_ctx):
        raise TypeError(f"ctx must be an as_cdt_ctx, not {ctx.__class__.__name__}")
    # The predicate points at the context until the query is destroyed: give it a copy.
    own = ctx_copy(ctx)
    query._keep(own)
    c_ctx = ctx_arg(own)
    return _where(lib.as_query_where_with_ctx, "as_query_where_with_ctx", query,
                  c_str("bin", bin), c_ctx, type, itype, dtype, values)


def as_query_where_with_exp(query: as_query, exp: Any, type: int, itype: int,  # noqa: A002
                            dtype: int, *values: Any) -> bool:
    """as_query_where_with_exp(): a predicate on the values of `exp` (an as_exp), answered by
    the expression index built on it (aerospike_index_create_exp); the query keeps its own
    copy of the expression."""
    query = _query(query, "as_query_where_with_exp")
    ptr = exp_arg(exp, "as_query_where_with_exp")
    # The predicate points at the expression until the query is destroyed: give it a copy
    # (as_exp is {uint32_t packed_sz; uint8_t packed[];}).
    size = 4 + ffi.cast("uint32_t*", ptr)[0]
    own = ffi.new("uint8_t[]", size)
    ffi.memmove(own, ffi.cast("uint8_t*", ptr), size)
    query._keep(own)
    return _where(lib.as_query_where_with_exp, "as_query_where_with_exp", query,
                  ffi.cast("struct as_exp*", own), None, type, itype, dtype, values)


def as_query_where_with_index_name(query: as_query, index_name: str, type: int,  # noqa: A002
                                   itype: int, dtype: int, *values: Any) -> bool:
    """as_query_where_with_index_name(): a predicate on the index named `index_name` (server 8.1+)."""
    query = _query(query, "as_query_where_with_index_name")
    return _where(lib.as_query_where_with_index_name, "as_query_where_with_index_name", query,
                  c_str("index_name", index_name), None, type, itype, dtype, values)


def as_query_set_partitions(query: as_query, parts_all: Any) -> None:
    """as_query_set_partitions(): resume from another paginated query's parts_all."""
    set_partitions(lib.as_query_set_partitions, _query(query, "as_query_set_partitions")._ptr,
                   parts_all)


def as_query_to_bytes(query: as_query) -> bytes:
    """as_query_to_bytes(query, &bytes, &size): the query serialized by the C client."""
    with _query(query, "as_query_to_bytes")._use("as_query_to_bytes") as ptr:
        return to_bytes(lib.as_query_to_bytes, ptr, "as_query_to_bytes")


_STRING_MAX = 4096  # the longest string or blob predicate value C reads back (exclusive for strings)


def _predicate(stream: Serialized, i: int) -> None:
    """One where entry as as_query_to_bytes() writes it: only the type/datatype pairs C's own
    predicates have (C would read no value for others and use an uninitialized one)."""
    field = f"where {i}"
    stream.name(f"{field}'s index name", lib.AS_INDEX_NAME_MAX_SIZE)
    stream.name(f"{field}'s bin", lib.AS_BIN_NAME_MAX_SIZE)
    if stream.bool(f"{field}'s context flag"):
        check_packed_items(stream.value(f"{field}'s context"), f"as_query_from_bytes: {field}")
        stream.uint(f"{field}'s context size", 0xFFFFFFFF)  # checked against C's context below
    if stream.bool(f"{field}'s expression flag"):
        stream.blob(f"{field}'s expression", _STRING_MAX, 1)  # a type byte, then the packed exp
    c_type = stream.int64(f"{field}'s predicate type")
    dtype = stream.int64(f"{field}'s index datatype")
    itype = stream.int64(f"{field}'s index type")
    if not 0 <= itype <= lib.AS_INDEX_TYPE_MAPVALUES:
        raise stream.fail(f"{field}'s index type {itype} is not an as_index_type")
    integer = dtype in (lib.AS_INDEX_INTEGER, lib.AS_INDEX_NUMERIC)
    if c_type == lib.AS_PREDICATE_EQUAL and integer:
        stream.int64(f"{field}'s value")
    elif c_type == lib.AS_PREDICATE_EQUAL and dtype == lib.AS_INDEX_STRING:
        stream.blob(f"{field}'s value", _STRING_MAX - 1)
    elif c_type == lib.AS_PREDICATE_EQUAL and dtype == lib.AS_INDEX_BLOB:
        # to_bytes writes the blob after a type byte that C 7.6.1's from_bytes keeps: the
        # query read back would look for another value.
        raise stream.fail(f"{field}: a blob predicate does not read back as it was written "
                          f"(the C client keeps its type byte)")
    elif c_type == lib.AS_PREDICATE_RANGE and integer:
        stream.int64(f"{field}'s minimum")
        stream.int64(f"{field}'s maximum")
    elif c_type == lib.AS_PREDICATE_RANGE and dtype == lib.AS_INDEX_GEO2DSPHERE:
        stream.blob(f"{field}'s region", _STRING_MAX - 1)
    else:
        raise stream.fail(f"{field}: predicate type {c_type} with index datatype {dtype} is "
                          f"not one the C client writes")


def _check_contexts(ptr: Any) -> None:
    """A context's packed size as C computes it (what to_bytes wrote): C sizes the command
    buffer by ctx_size and would write past it were it smaller."""
    for i in range(ptr.where.size):
        pred = ptr.where.entries[i]
        if pred.ctx != ffi.NULL and pred.ctx_size != lib.as_cdt_ctx_byte_capacity(pred.ctx):
            raise param_error(f"as_query_from_bytes: where {i}'s context size {pred.ctx_size} "
                              f"is not its packed size")


def as_query_from_bytes(bytes: Any) -> as_query:  # noqa: A002 - C name
    """as_query_from_bytes(&query, bytes, size): a new query from as_query_to_bytes() output
    (resume a paginated query in another process). ParamError for bytes C did not write."""
    stream = Serialized(bytes, "as_query_from_bytes")
    stream.name("the namespace", lib.AS_NAMESPACE_MAX_SIZE)
    stream.name("the set", lib.AS_SET_MAX_SIZE)
    stream.names("select bin", lib.AS_BIN_NAME_MAX_SIZE)
    for i in range(stream.uint("the where count", 0xFFFF)):
        _predicate(stream, i)
    stream.udf_call("apply")
    stream.operations()
    stream.partitions()
    stream.uint("max_records")
    stream.uint("records_per_second", 0xFFFFFFFF)
    stream.uint("the ttl", 0xFFFFFFFF)
    stream.bool("paginate")
    stream.bool("no_bins")
    stream.end()
    return from_bytes(as_query, lib.as_query_from_bytes, stream, _check_contexts)


as_query_from_bytes_new = as_query_from_bytes


def as_query_compare(q1: as_query, q2: as_query) -> bool:
    """as_query_compare(): whether two queries have the same fields (as C compares them)."""
    return compare(lib.as_query_compare, _query(q1, "as_query_compare"),
                   _query(q2, "as_query_compare"), "as_query_compare")


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
