"""csrc/asc_key.h: the Client's single-record commands, one C call each.

    record = get(as_, None, ("test", "demo", 1))        # Record, or None: take the general path
    done = put(as_, None, key, {"a": 1}, ttl, gen)      # False: take the general path
    meta = exists(as_, None, key)                       # (found, {"gen", "ttl"} or None)
    done = remove(as_, None, key)
    record = operate(as_, None, key, [Operation, ...], ttl, gen, ordered)   # None: general path

Between two round trips every Python or cffi call is paid cold, so each command is one
C call (key from its parts, command, result packed as msgpack) and one msgpack decode.
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
from .aerospike import _instance, aerospike
from .as_error import error_from_c, lifecycle_error
from .as_operations import _OPERATIONS
from .as_key import _NAMES, _NS_MAX, _SET_MAX, _name
from .as_record import Record
from .as_val import (
    INT64_MAX, INT64_MIN, _unpack, check_int64, encode_str, new_packer, new_unpacker,
)

__all__: List[str] = []

_NULL = ffi.NULL
_NOT_FOUND = lib.AEROSPIKE_ERR_RECORD_NOT_FOUND
_BAD_INPUT = lib.ASC_BAD_INPUT
_BAD_OUTPUT = lib.ASC_BAD_OUTPUT
_NOT_CONNECTED = lib.ASC_NOT_CONNECTED
_BUSY, _DEAD = lib.ASC_BUSY, lib.ASC_DEAD
_INT, _STR, _BYTES, _DIGEST = lib.ASC_KEY_INT, lib.ASC_KEY_STR, lib.ASC_KEY_BYTES, lib.ASC_KEY_DIGEST
_DIGEST_SIZE = lib.AS_DIGEST_VALUE_SIZE
_new_record = functools.partial(tuple.__new__, Record)  # Record(key, meta, bins) without a Python call

IO = Tuple[Any, memoryview, Any, Any]  # asc_key_io*, a view of its buf, msgpack Packer, Unpacker

# Scratch (asc_key_io: error and result buffer, a Packer, an Unpacker) reused between calls; a list
# pop/append is atomic, so each call has its own even when threads (or a log callback) call
# in meanwhile.
_POOL: List[IO] = []
_BUF_SIZE = len(ffi.new("asc_key_io*").buf)


def _new_io() -> IO:
    io = ffi.new("asc_key_io*")
    return io, memoryview(ffi.buffer(io.buf)), new_packer(), new_unpacker()


def _take() -> IO:
    try:
        return _POOL.pop()
    except IndexError:
        return _new_io()


def _command(as_: Any, what: str, function: Any, io: Optional[IO], policy: Any, key: Any,
             *more: Any) -> Tuple[int, IO]:
    """function(as, io, policy, ns, set, kind, int value, data, length, *more) on a
    connected instance, the key from a tuple: (status, io), with the given scratch or one
    from the pool. ASC_BAD_INPUT: a key this path does not take (nothing was sent). Raises
    the C error for any status but OK, not found and ASC_BAD_INPUT."""
    if type(key) is not tuple or not 3 <= len(key) <= 4:
        return _BAD_INPUT, io  # type: ignore[return-value]
    ns, set_, user_key = key[0], key[1], key[2]
    c_ns = _NAMES.get(ns) if type(ns) is str else None
    if c_ns is None:
        c_ns = _name(ns, "namespace", _NS_MAX, False)
    if set_ is None:
        c_set = _NULL
    else:
        c_set = _NAMES.get(set_) if type(set_) is str else None
        if c_set is None:
            c_set = _name(set_, "set", _SET_MAX, True)
    kind = type(user_key)
    ival, data = 0, _NULL
    if kind is int:
        if not INT64_MIN <= user_key <= INT64_MAX:
            check_int64(user_key, "user key")
        c_kind, ival = _INT, user_key
    elif kind is str:
        c_kind, data = _STR, encode_str(user_key, "user key")
    elif kind is bytes:
        c_kind, data = _BYTES, user_key
    elif user_key is None and len(key) == 4 and type(key[3]) is bytes and len(key[3]) == _DIGEST_SIZE:
        c_kind, data = _DIGEST, key[3]
    else:
        return _BAD_INPUT, io  # type: ignore[return-value]
    instance = as_ if type(as_) is aerospike else _instance(as_)
    if io is None:
        try:
            io = _POOL.pop()
        except IndexError:
            io = _new_io()
    # the C helper counts itself in and out of the instance (asc_enter/asc_exit)
    status = function(instance._guard, io[0], policy, c_ns, c_set, c_kind, ival, data,
                      0 if data is _NULL else len(data), *more)
    if status and status != _NOT_FOUND and status != _BAD_INPUT:
        if status == _BUSY or status == _DEAD:  # being closed, destroyed or forked
            _POOL.append(io)
            raise instance._unusable(what)
        if status == _NOT_CONNECTED:
            _POOL.append(io)
            raise lifecycle_error(f"{what}: the aerospike instance is not connected")
        if status and status != _NOT_FOUND and status != _BAD_INPUT:
            _raise(status, io)
    return status, io


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


def _found(status: int, io: IO) -> None:
    if status == _NOT_FOUND:
        _raise(status, io)


def get(as_: Any, policy: Any, key: Any) -> Optional[Record]:
    """aerospike_key_get() as a Record; None: the general path."""
    status, io = _command(as_, "aerospike_key_get", lib.asc_key_get, None,
                          _NULL if policy is None else policy_arg(policy, "as_policy_read"), key)
    if status:
        if status == _BAD_INPUT:
            return None
        _found(status, io)
    gen, ttl, digest, bins = _decode(io)
    return _new_record(((key[0], key[1], key[2], digest), {"gen": gen, "ttl": ttl}, bins))


def put(as_: Any, policy: Any, key: Any, bins: Any, ttl: Optional[int], gen: Optional[int]) -> bool:
    """aerospike_key_put() of a dict of bins; False: the general path (nothing was sent)."""
    if type(bins) is not dict:
        return False
    io = _take()
    try:
        data = io[2].pack(bins)
    except (TypeError, ValueError, OverflowError):
        return False
    status, io = _command(as_, "aerospike_key_put", lib.asc_key_put, io,
                          _NULL if policy is None else policy_arg(policy, "as_policy_write"),
                          key, data, len(data), 0 if ttl is None else ttl, 0 if gen is None else gen)
    if status:
        _found(status, io)
    _POOL.append(io)
    return status == 0


def exists(as_: Any, policy: Any, key: Any) -> Tuple[bool, Optional[Dict[str, int]]]:
    """aerospike_key_exists(): (done, {"gen", "ttl"} or None when there is no record);
    done False: the general path."""
    status, io = _command(as_, "aerospike_key_exists", lib.asc_key_exists, None,
                          _NULL if policy is None else policy_arg(policy, "as_policy_read"), key)
    if status == _BAD_INPUT:
        return False, None
    c_io = io[0]
    meta = None if status else {"gen": c_io.gen, "ttl": c_io.ttl}
    _POOL.append(io)
    return True, meta


def remove(as_: Any, policy: Any, key: Any) -> bool:
    """aerospike_key_remove(); False: the general path."""
    status, io = _command(as_, "aerospike_key_remove", lib.asc_key_remove, None,
                          _NULL if policy is None else policy_arg(policy, "as_policy_remove"), key)
    if status:
        _found(status, io)
    if io is not None:
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
    if type(operations) is not list:
        return None
    io = _take()
    try:
        packed = io[2].pack([(_OP_CODES[op.function], *op.args) for op in operations])
    except (KeyError, AttributeError, TypeError, ValueError, OverflowError):
        return None
    status, io = _command(as_, "aerospike_key_operate", lib.asc_key_operate, io,
                          _NULL if policy is None else policy_arg(policy, "as_policy_operate"),
                          key, packed, len(packed), 0 if ttl is None else ttl,
                          0 if gen is None else gen, ordered)
    if status:
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
