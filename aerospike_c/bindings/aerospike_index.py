"""aerospike_index.h: create a secondary index, wait for it to be built, remove it.

    task = aerospike_index_create(as_, None, "test", "demo", "age", "demo_age", AS_INDEX_NUMERIC)
    aerospike_index_create_wait(task, 0)        # polls sindex-stat until built (C: 30 s limit)
    aerospike_index_remove(as_, None, "test", "demo_age")

The `as_index_task` C fills in is returned (C's out-param), as a checked view of the
struct: `task.done`, `task.name`, `task.socket_timeout`, `task.total_timeout` (set these
before waiting, as in C). It refers to its `aerospike` instance and is usable while that
instance lives. The C client translates AS_INDEX_NUMERIC/AS_INDEX_INTEGER to what the
server version understands.
"""
from __future__ import annotations

from typing import Any, Optional

from .._aerospike import ffi, lib
from ._calls import c_call, c_uint, enum_arg, policy_arg
from ._cstruct import CStruct
from .aerospike import _instance, aerospike, using
from .as_cdt_ctx import ctx_arg
from .as_exp import exp_arg
from .as_config import info_str
from .as_error import check, new_error

__all__ = ["aerospike_index_create", "aerospike_index_create_complex",
           "aerospike_index_create_wait", "aerospike_index_remove", "aerospike_index_create_ctx",
           "aerospike_index_create_exp",
           "aerospike_index_integer_create", "aerospike_index_string_create"]


def aerospike_index_create_complex(as_: aerospike, policy: Any, ns: str, set: Optional[str],
                                   bin_name: str, index_name: str, itype: int,
                                   dtype: int) -> CStruct:
    """aerospike_index_create_complex(): start building an index of type `itype` over `dtype`
    values; returns the as_index_task to wait on."""
    task = ffi.new("as_index_task*")
    c_call(as_, "aerospike_index_create_complex", task, policy_arg(policy, "as_policy_info"),
           info_str("ns", ns), info_str("set", set, allow_none=True),
           info_str("bin_name", bin_name),
           info_str("index_name", index_name), enum_arg("itype", itype, "as_index_type"),
           enum_arg("dtype", dtype, "as_index_datatype"))
    return CStruct(task, _instance(as_), "as_index_task")


def aerospike_index_create(as_: aerospike, policy: Any, ns: str, set: Optional[str],
                           bin_name: str, index_name: str, dtype: int) -> CStruct:
    """aerospike_index_create(): a default (scalar) index; returns the as_index_task."""
    return aerospike_index_create_complex(as_, policy, ns, set, bin_name, index_name,
                                          lib.AS_INDEX_TYPE_DEFAULT, dtype)


def aerospike_index_create_ctx(as_: aerospike, policy: Any, ns: str, set: Optional[str],
                               bin_name: str, index_name: str, itype: int, dtype: int,
                               ctx: Any) -> CStruct:
    """aerospike_index_create_ctx(): an index over the values at `ctx` (an as_cdt_ctx, None:
    the bin itself) inside the bin; returns the as_index_task."""
    task = ffi.new("as_index_task*")
    c_call(as_, "aerospike_index_create_ctx", task, policy_arg(policy, "as_policy_info"),
           info_str("ns", ns), info_str("set", set, allow_none=True),
           info_str("bin_name", bin_name),
           info_str("index_name", index_name), enum_arg("itype", itype, "as_index_type"),
           enum_arg("dtype", dtype, "as_index_datatype"), ctx_arg(ctx))
    return CStruct(task, _instance(as_), "as_index_task")


def aerospike_index_create_exp(as_: aerospike, policy: Any, ns: str, set: Optional[str],
                               index_name: str, itype: int, dtype: int, exp: Any) -> CStruct:
    """aerospike_index_create_exp(): an index over the value of `exp` (an as_exp) for each
    record of the set; queries name it with as_query_where_with_exp (or its index name).
    Returns the as_index_task."""
    task = ffi.new("as_index_task*")
    c_exp = exp_arg(exp, "aerospike_index_create_exp")
    c_call(as_, "aerospike_index_create_exp", task, policy_arg(policy, "as_policy_info"),
           info_str("ns", ns), info_str("set", set, allow_none=True),
           info_str("index_name", index_name),
           enum_arg("itype", itype, "as_index_type"),
           enum_arg("dtype", dtype, "as_index_datatype"), c_exp)
    return CStruct(task, _instance(as_), "as_index_task")


def aerospike_index_integer_create(as_: aerospike, policy: Any, ns: str, set: Optional[str],
                                   bin: str, name: str) -> None:  # noqa: A002 - C names
    """aerospike_index_integer_create(): start building an integer index (no task, as in C)."""
    aerospike_index_create_complex(as_, policy, ns, set, bin, name, lib.AS_INDEX_TYPE_DEFAULT,
                                   lib.AS_INDEX_INTEGER)


def aerospike_index_string_create(as_: aerospike, policy: Any, ns: str, set: Optional[str],
                                  bin: str, name: str) -> None:  # noqa: A002 - C names
    """aerospike_index_string_create(): start building a string index (no task, as in C)."""
    aerospike_index_create_complex(as_, policy, ns, set, bin, name, lib.AS_INDEX_TYPE_DEFAULT,
                                   lib.AS_INDEX_STRING)


def aerospike_index_create_wait(task: CStruct, interval_ms: int) -> None:
    """aerospike_index_create_wait(): poll every `interval_ms` (0: 1000) until the index is
    built on every node; AerospikeTimeoutError after task.total_timeout ms."""
    ptr = getattr(task, "_ptr", None)
    if ptr is None or ffi.typeof(ptr) is not ffi.typeof("as_index_task*"):
        raise TypeError(f"task must be the as_index_task of aerospike_index_create, "
                        f"not {type(task).__name__}")
    c_interval = c_uint("interval_ms", interval_ms)
    err = new_error()
    # C reaches the cluster through task->as: keep that instance counted in meanwhile.
    with using(task._owner, "aerospike_index_create_wait", connected=True):
        status = lib.aerospike_index_create_wait(err, ptr, c_interval)
    check(status, err)


def aerospike_index_remove(as_: aerospike, policy: Any, ns: str, index_name: str) -> None:
    """aerospike_index_remove(): drop index `index_name` of namespace `ns`."""
    c_call(as_, "aerospike_index_remove", policy_arg(policy, "as_policy_info"), info_str("ns", ns),
           info_str("index_name", index_name))
