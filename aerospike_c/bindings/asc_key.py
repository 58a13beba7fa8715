"""csrc/asc_key.h: the Client's single-record commands, one C call each (CPython functions).

    record = get(as_, None, ("test", "demo", 1))        # Record, or None: take the general path
    done = put(as_, None, key, {"a": 1}, ttl, gen)      # True, or None: the general path
    meta = exists(as_, None, key)                       # {"gen", "ttl"}, False (none), None
    done = remove(as_, None, key)                       # True, or None
    record = operate(as_, None, key, [Operation, ...], ttl, gen, ordered)   # None: general path

Between two round trips every Python step is paid cold, so each command is one call of a
CPython function in the cffi module (csrc/asc_key.h) that reads the key tuple in place, runs the
command with the GIL released (counted in and out of the instance in C) and builds the
result; bins to write and operations are read in C from the dict and the list. These take tuple keys
(ns, set, int | str | bytes) or (ns, set, None, digest), bins as a dict and the simple
operations (write, read, incr, append, prepend, touch, delete). For anything else (an
as_key, other types, a bin name or value C refuses, CDT operations) they answer "general
path" before sending anything, and the callers use the lean functions of aerospike_key.py,
which name the offending part. Errors are the C `as_error` as everywhere.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional

from .._aerospike import ffi, lib
from ._calls import policy_arg
from .aerospike import aerospike
from .as_error import error_from_c, lifecycle_error
from .as_operations import _OPERATIONS
from .as_record import Record
from .as_val import GeoJSON, as_cmp_inf, as_cmp_wildcard

__all__: List[str] = []

_BAD_OUTPUT = lib.ASC_BAD_OUTPUT
_NOT_CONNECTED = lib.ASC_NOT_CONNECTED
_BUSY, _DEAD = lib.ASC_BUSY, lib.ASC_DEAD


def _failure(as_: Any, what: str, status: int, err_address: int) -> Exception:
    """The exception for a failed command (csrc/asc_key.h calls it with its as_error's address)."""
    if status == _BUSY or status == _DEAD:
        return as_._unusable(what)
    if status == _NOT_CONNECTED:
        return lifecycle_error(f"{what}: the aerospike instance is not connected")
    if status == _BAD_OUTPUT:
        return TypeError("the record holds a value that has no Python value")
    return error_from_c(ffi.cast("as_error*", err_address), status)


def _policy_address(policy: Any, ctype: str) -> int:
    """The address of a policy argument that is not None (csrc/asc_key.h calls it)."""
    return int(ffi.cast("uintptr_t", policy_arg(policy, ctype)))



_py_get: Callable[..., Optional[Record]]
_py_put: Callable[..., Optional[bool]]
_py_exists: Callable[..., Any]
_py_remove: Callable[..., Optional[bool]]
_py_operate: Callable[..., Any]
_py_setup: Callable[..., None]
_py_operation_class: Callable[[type], None]
_py_operation_factory: Callable[..., Callable[..., Any]]
if lib.asc_key_export(__name__.encode()) != 0:  # pragma: no cover - out of memory
    raise ImportError("asc_key_export: the CPython functions of csrc/asc_key.h")
#: The operations operate() reads in C: their function -> the ASC_OP_* code.
_OP_CODES = {
    _OPERATIONS["as_operations_add_write"]: lib.ASC_OP_WRITE,
    _OPERATIONS["as_operations_add_read"]: lib.ASC_OP_READ,
    _OPERATIONS["as_operations_add_read_all"]: lib.ASC_OP_READ_ALL,
    _OPERATIONS["as_operations_add_incr"]: lib.ASC_OP_INCR,
    _OPERATIONS["as_operations_add_incr_double"]: lib.ASC_OP_INCR_DOUBLE,
    _OPERATIONS["as_operations_add_append_str"]: lib.ASC_OP_APPEND_STR,
    _OPERATIONS["as_operations_add_append_raw"]: lib.ASC_OP_APPEND_RAW,
    _OPERATIONS["as_operations_add_prepend_str"]: lib.ASC_OP_PREPEND_STR,
    _OPERATIONS["as_operations_add_prepend_raw"]: lib.ASC_OP_PREPEND_RAW,
    _OPERATIONS["as_operations_add_touch"]: lib.ASC_OP_TOUCH,
    _OPERATIONS["as_operations_add_delete"]: lib.ASC_OP_DELETE,
}
_py_setup(_failure, _policy_address, Record, GeoJSON, as_cmp_wildcard, as_cmp_inf, aerospike,
          _OP_CODES)

#: get(as_, policy, key) -> Record, or None: the general path (aerospike_key_get()).
get = _py_get
#: put(as_, policy, key, bins, ttl, gen) -> True, or None: the general path (nothing was
#: sent; aerospike_key_put() of a dict of bins).
put = _py_put
#: exists(as_, policy, key) -> {"gen", "ttl"}, False when there is no record, or None: the
#: general path (aerospike_key_exists()).
exists = _py_exists
#: remove(as_, policy, key) -> True, or None: the general path (aerospike_key_remove()).
remove = _py_remove
#: operate(as_, policy, key, operations, ttl, gen, ordered) -> a Record, or with ordered
#: (key, meta, [(bin, value), ...]); None: the general path (aerospike_key_operate() of a
#: list of the Client's Operations, each one of the simple ones: write, read, incr, append,
#: prepend, touch, delete).
operate = _py_operate
#: operation_class(cls): the Client's Operation type, the only items operate() reads.
operation_class = _py_operation_class
#: operation_factory(Operation, python_factory, code, function, other) -> factory: ops.write
#: (code ASC_OP_WRITE), ops.read (ASC_OP_READ; other: read_all) and ops.incr (ASC_OP_INCR;
#: other: incr_double) building the Operation in C; other arguments go to python_factory.
operation_factory = _py_operation_factory
OP_WRITE, OP_READ, OP_INCR = lib.ASC_OP_WRITE, lib.ASC_OP_READ, lib.ASC_OP_INCR

