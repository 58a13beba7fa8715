"""csrc/asc_key.h: the Client's single-record commands, one C call each.

    record = get(as_, None, ("test", "demo", 1))        # Record, or None: take the general path
    done = put(as_, None, key, {"a": 1}, ttl, gen)      # False: take the general path
    meta = exists(as_, None, key)                       # (found, {"gen", "ttl"} or None)
    done = remove(as_, None, key)
    record = operate(as_, None, key, [Operation, ...], ttl, gen, ordered)   # None: general path

Between two round trips every Python or cffi call is paid cold, so each command is one
msgpack pack of the key (C reads and checks it), one C call (command, result packed as
msgpack; the call counted in and out of the instance in C) and one msgpack decode.
These take tuple keys (ns, set, int | str | bytes) or (ns, set, None, digest), bins as a
dict and the simple operations (write, read, incr, append, prepend, touch, delete). For
anything else (an as_key, other types, a bin name or value C refuses, CDT operations) they
answer "general path" before sending anything, and the callers use the lean functions of
aerospike_key.py, which name the offending part. Errors are the C `as_error` as everywhere.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .._aerospike import ffi, lib
from ._calls import policy_arg
from ._cstruct import c_ttl
from .aerospike import _instance, aerospike
from .as_error import error_from_c, lifecycle_error
from .as_operations import _OPERATIONS
from .as_record import Record
from .as_val import _unpack, new_packer, new_unpacker

__all__: List[str] = []

_NULL = ffi.NULL
_NOT_FOUND = lib.AEROSPIKE_ERR_RECORD_NOT_FOUND
_BAD_INPUT = lib.ASC_BAD_INPUT
_BAD_OUTPUT = lib.ASC_BAD_OUTPUT
_NOT_CONNECTED = lib.ASC_NOT_CONNECTED
_BUSY, _DEAD = lib.ASC_BUSY, lib.ASC_DEAD
_GET, _PUT, _OPERATE = lib.asc_key_get, lib.asc_key_put, lib.asc_key_operate
_new_record = functools.partial(tuple.__new__, Record)  # Record(key, meta, bins) without a Python call

IO = Tuple[Any, memoryview, Any, Any]  # asc_key_io*, a view of its buf, msgpack Packer, Unpacker

# Scratch (asc_key_io: error and result buffer, a Packer, an Unpacker) reused between calls; a list
# pop/append is atomic, so each call has its own even when threads (or a log callback) call
# in meanwhile.
_POOL: List[IO] = []
_BUF_SIZE = len(ffi.new("asc_key_io*").buf)
_PACK_ERRORS = (TypeError, ValueError, OverflowError)
_OP_ERRORS = (KeyError, AttributeError, TypeError, ValueError, OverflowError)


def _new_io() -> IO:
    io = ffi.new("asc_key_io*")
    return io, memoryview(ffi.buffer(io.buf)), new_packer(), new_unpacker()


def _take() -> IO:
    try:
        return _POOL.pop()
    except IndexError:
        return _new_io()


def _settle(as_: Any, what: str, status: int, io: IO) -> int:
    """A command's status past the instance's answers: raise for an instance being closed,
    destroyed, forked or not connected and for any C error but not found. ASC_BAD_INPUT
    and not found are returned (the scratch stays taken)."""
    instance = as_ if type(as_) is aerospike else _instance(as_)
    if status == 0 or status == _NOT_FOUND or status == _BAD_INPUT:
        return status
    if status == _BUSY or status == _DEAD:
        _POOL.append(io)
        raise instance._unusable(what)
    if status == _NOT_CONNECTED:
        _POOL.append(io)
        raise lifecycle_error(f"{what}: the aerospike instance is not connected")
    _raise(status, io)
    return status  # unreachable: _raise raises


def _command(as_: Any, what: str, function: Any, io: IO, policy: Any, key: Any,
             *more: Any) -> int:
    """function(guard, io, policy, key as msgpack, its size, *more) on a connected instance
    (the C helper counts itself in): the status, with `io` still taken. ASC_BAD_INPUT: a key
    this path does not take (nothing was sent). Raises the C error for any status but OK,
    not found and ASC_BAD_INPUT."""
    if type(key) is not tuple:
        return _BAD_INPUT
    try:
        data = io[2].pack(key)
    except _PACK_ERRORS:
        return _BAD_INPUT
    guard = as_._guard if type(as_) is aerospike else _instance(as_)._guard
    status: int = function(guard, io[0], policy, data, len(data), *more)
    if status and status != _NOT_FOUND and status != _BAD_INPUT:
        status = _settle(as_, what, status, io)
    return status


def _raise(status: int, io: IO) -> None:
    if status == _BAD_OUTPUT:
        error: Exception = TypeError("the record holds a value that has no Python value")
    else:
        error = error_from_c(io[0].err, status)
    _POOL.append(io)
    raise error


def _decode(io: IO) -> Any:
    """The packed result of the command, then the scratch back to the pool."""
    c_io, view, _, unpacker = io
    size = c_io.size
    if size <= _BUF_SIZE:
        unpacker.feed(view[:size])
        result = unpacker.unpack()
    else:
        big = c_io.big
        try:
            result = _unpack(ffi.buffer(big, size))
        finally:
            lib.free(big)
    _POOL.append(io)
    return result


def get(as_: Any, policy: Any, key: Any) -> Optional[Record]:
    """aerospike_key_get() as a Record; None: the general path. The one-record command the
    Client makes most, so it is written out: one msgpack pack, one C call, one decode."""
    if type(key) is not tuple:
        return None
    try:
        io = _POOL.pop()
    except IndexError:
        io = _new_io()
    c_io, view, packer, unpacker = io
    try:
        data = packer.pack(key)
    except _PACK_ERRORS:
        _POOL.append(io)
        return None
    c_policy = _NULL if policy is None else policy_arg(policy, "as_policy_read")
    guard = as_._guard if type(as_) is aerospike else _instance(as_)._guard
    status = _GET(guard, c_io, c_policy, data, len(data))
    if status:
        status = _settle(as_, "aerospike_key_get", status, io)
        if status == _BAD_INPUT:
            _POOL.append(io)
            return None
        if status == _NOT_FOUND:
            _raise(status, io)
    size = c_io.size
    if size <= _BUF_SIZE:
        unpacker.feed(view[:size])
        gen, ttl, digest, bins = unpacker.unpack()
        _POOL.append(io)
    else:
        gen, ttl, digest, bins = _decode(io)
    return _new_record(((key[0], key[1], key[2], digest), {"gen": gen, "ttl": ttl}, bins))


def _found(status: int, io: IO) -> None:
    if status == _NOT_FOUND:
        _raise(status, io)


def put(as_: Any, policy: Any, key: Any, bins: Any, ttl: Optional[int], gen: Optional[int]) -> bool:
    """aerospike_key_put() of a dict of bins; False: the general path (nothing was sent)."""
    if type(bins) is not dict or type(key) is not tuple:
        return False
    io = _take()
    packer = io[2]
    try:
        data = packer.pack(key)
        packed = packer.pack(bins)
    except _PACK_ERRORS:
        _POOL.append(io)
        return False
    c_policy = _NULL if policy is None else policy_arg(policy, "as_policy_write")
    guard = as_._guard if type(as_) is aerospike else _instance(as_)._guard
    c_ttl_ = 0 if ttl is None else c_ttl("ttl", ttl)
    args = (c_policy, data, len(data), packed, len(packed), c_ttl_,
            0 if gen is None else gen)
    status = _PUT(guard, io[0], *args)
    if status:
        status = _settle(as_, "aerospike_key_put", status, io)
        if status == _NOT_FOUND:
            _raise(status, io)
    _POOL.append(io)
    return status == 0


def exists(as_: Any, policy: Any, key: Any) -> Tuple[bool, Optional[Dict[str, int]]]:
    """aerospike_key_exists(): (done, {"gen", "ttl"} or None when there is no record);
    done False: the general path."""
    io = _take()
    status = _command(as_, "aerospike_key_exists", lib.asc_key_exists, io,
                      _NULL if policy is None else policy_arg(policy, "as_policy_read"), key)
    c_io = io[0]
    meta = None if status else {"gen": c_io.gen, "ttl": c_io.ttl}
    _POOL.append(io)
    return status != _BAD_INPUT, meta


def remove(as_: Any, policy: Any, key: Any) -> bool:
    """aerospike_key_remove(); False: the general path."""
    io = _take()
    status = _command(as_, "aerospike_key_remove", lib.asc_key_remove, io,
                      _NULL if policy is None else policy_arg(policy, "as_policy_remove"), key)
    if status:
        _found(status, io)
    _POOL.append(io)
    return status != _BAD_INPUT


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


def operate(as_: Any, policy: Any, key: Any, operations: Any, ttl: Optional[int],
            gen: Optional[int], ordered: bool = False) -> Any:
    """aerospike_key_operate() of a list of (function, args) operations (the Client's
    Operation): a Record, or with ordered (key, meta, [(bin, value), ...]). None: the
    general path (nothing was sent), unless each is one of the simple ones C reads."""
    if type(operations) is not list or type(key) is not tuple:
        return None
    io = _take()
    packer = io[2]
    try:
        data = packer.pack(key)
        packed = packer.pack([(_OP_CODES[op.function], *op.args) for op in operations])
    except _OP_ERRORS:
        _POOL.append(io)
        return None
    c_policy = _NULL if policy is None else policy_arg(policy, "as_policy_operate")
    guard = as_._guard if type(as_) is aerospike else _instance(as_)._guard
    c_ttl_ = 0 if ttl is None else c_ttl("ttl", ttl)
    args = (c_policy, data, len(data), packed, len(packed), c_ttl_,
            0 if gen is None else gen, ordered)
    status = _OPERATE(guard, io[0], *args)
    if status:
        status = _settle(as_, "aerospike_key_operate", status, io)
        if status == _BAD_INPUT:
            _POOL.append(io)
            return None
        _found(status, io)
    result = _decode(io)
    if result is None:
        return _new_record(((key[0], key[1], key[2], None), {}, [] if ordered else {}))
    gen_, ttl_, digest, bins = result
    record_key = (key[0], key[1], key[2], digest)
    if not ordered:
        return _new_record((record_key, {"gen": gen_, "ttl": ttl_}, bins))
    pairs = iter(bins)
    return record_key, {"gen": gen_, "ttl": ttl_}, list(zip(pairs, pairs))
