"""aerospike_key.h: single-record commands, synchronous (the GIL is released during each).

    aerospike_key_put(as_, None, key, rec)            # policy None: C's NULL (config default)
    rec = aerospike_key_get(as_, None, key)           # an as_record (C-allocated, ours)
    rec = aerospike_key_select(as_, None, key, ["a", "b"])
    rec = aerospike_key_exists(as_, None, key)        # metadata only (gen, ttl)
    aerospike_key_remove(as_, None, key)
    rec = aerospike_key_operate(as_, None, key, ops)  # None when no operation returns bins
    value = aerospike_key_apply(as_, None, key, "module", "function", [args])

Keys are `as_key` (or a tuple (ns, set, user_key[, digest])); records to write are
`as_record` (or a dict of bins). Status codes other than AEROSPIKE_OK raise the
AerospikeError subclass of `aerospike_c.exceptions` with the C error's code, message,
file, line and in_doubt (record not found: RecordNotFoundError ...). Calls on an
instance that is not connected raise LifecycleError (C would crash).

For the Client there are lean variants working on Python values directly, without the
as_key/as_record objects: put_bins, get_record, exists_meta, remove_key, operate_record,
apply_udf.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any, Callable, Dict, List, Literal, Optional, Sequence, Tuple, Union, overload,
)

from .._aerospike import ffi, lib
from .aerospike import _instance
from .as_config import c_str
from .as_error import error_from_c, lifecycle_error, new_error
from .as_key import (
    KeyTuple, as_key, fill_key, fill_key_digest, key_arg, key_to_python, match_digest,
)
from .as_operations import ops_arg
from ._calls import policy_arg
from ._cstruct import c_ttl
from .as_record import (
    Record, as_record, bin_count, bin_name, bins_to_pairs, record_arg, record_to_python, set_bins,
)
from .as_val import val_from_c, val_to_c
from . import _async as _async_queue
from .as_event import loop_ptr

__all__ = [
    "aerospike_key_put", "aerospike_key_get", "aerospike_key_select", "aerospike_key_exists",
    "aerospike_key_remove", "aerospike_key_operate", "aerospike_key_apply",
]

_NULL = ffi.NULL
_NOT_FOUND = lib.AEROSPIKE_ERR_RECORD_NOT_FOUND


def _status(as_: Any, what: str, function: Callable[..., int], *args: Any) -> Tuple[int, Any]:
    """function(as, err, *args) on a connected instance, counted in: (status, err)."""
    instance = _instance(as_)
    err = new_error()
    token = object()
    try:
        ptr = instance._enter(what, token)
        if ptr.cluster == _NULL:
            raise lifecycle_error(f"{what}: the aerospike instance is not connected")
        status = function(ptr, err, *args)
    finally:
        calls = instance._calls  # inline: a Python call could be interrupted before it counts out
        if token in calls:
            calls.remove(token)
    return status, err


def _run(as_: Any, what: str, function: Callable[..., int], *args: Any) -> None:
    """_status(), raising the error C reports."""
    status, err = _status(as_, what, function, *args)
    if status:
        raise error_from_c(err, status)


def _take_record(out: Any) -> Optional[as_record]:
    return None if out[0] == _NULL else as_record(out[0])


# -- C-faithful -----------------------------------------------------------------------------------
def aerospike_key_put(as_: Any, policy: Any, key: Any, rec: Any) -> None:
    """aerospike_key_put(): write the record's bins (rec.ttl, rec.gen as metadata)."""
    c_key, c_rec = key_arg(key), record_arg(rec)
    with c_rec._use("aerospike_key_put") as rec_ptr:
        _run(as_, "aerospike_key_put", lib.aerospike_key_put,
             policy_arg(policy, "as_policy_write"), c_key._ptr, rec_ptr)


def aerospike_key_get(as_: Any, policy: Any, key: Any) -> as_record:
    """aerospike_key_get(): read every bin; RecordNotFoundError when there is no record."""
    c_key, out = key_arg(key), ffi.new("as_record**")
    _run(as_, "aerospike_key_get", lib.aerospike_key_get,
         policy_arg(policy, "as_policy_read"), c_key._ptr, out)
    return _take_record(out)  # type: ignore[return-value]


def _bin_names(bins: Sequence[str]) -> List[Any]:
    if isinstance(bins, (str, bytes)):
        raise TypeError("bins must be a list of bin names, not a single str")
    return [ffi.new("char[]", bin_name(name)) for name in bins]


def _select(as_: Any, policy: Any, key_ptr: Any, bins: Sequence[str]) -> Any:
    names = _bin_names(bins)
    array = ffi.new("char*[]", names + [_NULL])
    out = ffi.new("as_record**")
    _run(as_, "aerospike_key_select", lib.aerospike_key_select,
         policy_arg(policy, "as_policy_read"), key_ptr, array, out)
    return out


def aerospike_key_select(as_: Any, policy: Any, key: Any, bins: Sequence[str]) -> as_record:
    """aerospike_key_select(): read the named bins only (C's NULL-terminated list as a list)."""
    c_key = key_arg(key)  # referenced until the call returns: it keeps the key's buffer
    return _take_record(_select(as_, policy, c_key._ptr, bins))  # type: ignore[return-value]


def aerospike_key_exists(as_: Any, policy: Any, key: Any) -> as_record:
    """aerospike_key_exists(): the record's metadata (gen, ttl) without bins;
    RecordNotFoundError when there is no record (as C returns AEROSPIKE_ERR_RECORD_NOT_FOUND)."""
    c_key, out = key_arg(key), ffi.new("as_record**")
    _run(as_, "aerospike_key_exists", lib.aerospike_key_exists,
         policy_arg(policy, "as_policy_read"), c_key._ptr, out)
    return _take_record(out)  # type: ignore[return-value]


def aerospike_key_remove(as_: Any, policy: Any, key: Any) -> None:
    """aerospike_key_remove(): delete the record; RecordNotFoundError when there is none."""
    c_key = key_arg(key)
    _run(as_, "aerospike_key_remove", lib.aerospike_key_remove,
         policy_arg(policy, "as_policy_remove"), c_key._ptr)


def aerospike_key_operate(as_: Any, policy: Any, key: Any, ops: Any) -> Optional[as_record]:
    """aerospike_key_operate(): run the operations atomically; the record holds what the
    read operations returned (None when C returned no record)."""
    c_key, c_ops, out = key_arg(key), ops_arg(ops), ffi.new("as_record**")
    with c_ops._use("aerospike_key_operate") as ops_ptr:
        _run(as_, "aerospike_key_operate", lib.aerospike_key_operate,
             policy_arg(policy, "as_policy_operate"), c_key._ptr, ops_ptr, out)
    return _take_record(out)


def _apply(as_: Any, policy: Any, key_ptr: Any, module: str, function: str,
           arglist: Optional[Sequence[Any]]) -> Any:
    c_module, c_function = c_str("module", module), c_str("function", function)
    if arglist is not None and not isinstance(arglist, (list, tuple)):
        raise TypeError(f"arglist must be a list or None, not {type(arglist).__name__}")
    args = ffi.cast("as_list*", val_to_c(arglist, "arglist")) if arglist is not None else _NULL
    out = ffi.new("as_val**")
    try:
        _run(as_, "aerospike_key_apply", lib.aerospike_key_apply,
             policy_arg(policy, "as_policy_apply"), key_ptr, c_module, c_function, args, out)
    finally:
        if args != _NULL:
            lib.as_val_val_destroy(ffi.cast("as_val*", args))
    try:
        return val_from_c(out[0])
    finally:
        lib.as_val_val_destroy(out[0])


def aerospike_key_apply(as_: Any, policy: Any, key: Any, module: str, function: str,
                        arglist: Optional[Sequence[Any]]) -> Any:
    """aerospike_key_apply(): run a record UDF; returns its result as a Python value."""
    c_key = key_arg(key)  # referenced until the call returns: it keeps the key's buffer
    return _apply(as_, policy, c_key._ptr, module, function, arglist)


# -- lean variants for the Client (Python values in and out) --------------------------------------
class _Key:
    """An `as_key` filled from a Python key for one call (no as_key object)."""

    __slots__ = ("ptr", "keep", "tuple")
    ptr: Any  # the as_key* C reads
    keep: object  # what must stay alive while C reads ptr (an as_key, a user key's buffer)
    tuple: Optional[KeyTuple]  # the key as given, None for an as_key

    def __init__(self, key: Any) -> None:
        if isinstance(key, as_key):
            key._check_writable("key")
            self.ptr, self.keep, self.tuple = key._ptr, key, None
            return
        if type(key) is not tuple or len(key) not in (3, 4):
            key_arg(key)  # raises the TypeError
        self.ptr = ffi.new("as_key*")
        self.tuple = key
        if key[2] is not None:
            self.keep = fill_key(self.ptr, key[0], key[1], key[2])
            if len(key) == 4 and key[3] is not None:
                match_digest(self.ptr, key[3])
        elif len(key) == 4 and key[3] is not None:
            self.keep = None
            fill_key_digest(self.ptr, key[0], key[1], key[3])
        else:
            raise ValueError("a key needs a user key or a digest")

    def to_python(self) -> KeyTuple:
        """(ns, set, user_key, digest): the key as given, with the digest C computed."""
        ptr = self.ptr
        digest = bytes(ffi.buffer(ptr.digest.value)) if ptr.digest.init else None
        if self.tuple is None:
            return key_to_python(ptr)
        return (self.tuple[0], self.tuple[1], self.tuple[2], digest)


def put_bins(as_: Any, policy: Any, key: Any, bins: Mapping[str, Any], ttl: Optional[int] = None,
             gen: Optional[int] = None) -> None:
    """aerospike_key_put() of a dict of bins (ttl/gen: the record's metadata when given)."""
    nbins = bin_count(bins)
    c_key = _Key(key)
    rec = ffi.new("as_record*")
    lib.as_record_init(rec, nbins)
    try:
        set_bins(rec, bins)
        if ttl is not None:
            rec.ttl = c_ttl("ttl", ttl)
        if gen is not None:
            rec.gen = gen
        _run(as_, "aerospike_key_put", lib.aerospike_key_put,
             policy_arg(policy, "as_policy_write"), c_key.ptr, rec)
    finally:
        lib.as_record_destroy(rec)


def _record_out(out: Any, key: _Key) -> Record:
    try:
        return record_to_python(out[0], key.to_python())
    finally:
        lib.as_record_destroy(out[0])


def get_record(as_: Any, policy: Any, key: Any, bins: Optional[Sequence[str]] = None) -> Record:
    """aerospike_key_get() (or _select() when bins are named) as a Record."""
    c_key = _Key(key)
    if bins is not None:
        return _record_out(_select(as_, policy, c_key.ptr, bins), c_key)
    out = ffi.new("as_record**")
    _run(as_, "aerospike_key_get", lib.aerospike_key_get,
         policy_arg(policy, "as_policy_read"), c_key.ptr, out)
    return _record_out(out, c_key)


def exists_meta(as_: Any, policy: Any, key: Any) -> Optional[Dict[str, int]]:
    """aerospike_key_exists(): {"gen", "ttl"}, or None when there is no record."""
    c_key, out = _Key(key), ffi.new("as_record**")
    status, err = _status(as_, "aerospike_key_exists", lib.aerospike_key_exists,
                          policy_arg(policy, "as_policy_read"), c_key.ptr, out)
    if status == _NOT_FOUND:
        return None
    if status:
        raise error_from_c(err, status)
    try:
        return {"gen": out[0].gen, "ttl": out[0].ttl}
    finally:
        lib.as_record_destroy(out[0])


def remove_key(as_: Any, policy: Any, key: Any) -> None:
    """aerospike_key_remove() of a Python key."""
    c_key = _Key(key)  # keeps the user key's buffer alive through the call
    _run(as_, "aerospike_key_remove", lib.aerospike_key_remove,
         policy_arg(policy, "as_policy_remove"), c_key.ptr)


OrderedResult = Tuple[Optional[KeyTuple], Dict[str, int], List[Tuple[str, Any]]]


@overload
def operate_record(as_: Any, policy: Any, key: Any, ops: Any,
                   ordered: Literal[False] = False) -> Record: ...
@overload
def operate_record(as_: Any, policy: Any, key: Any, ops: Any,
                   ordered: Literal[True]) -> OrderedResult: ...
def operate_record(as_: Any, policy: Any, key: Any, ops: Any,
                   ordered: bool = False) -> Union[Record, OrderedResult]:
    """aerospike_key_operate() with an as_operations: a Record (bins as a dict), or with
    ordered=True (key, meta, [(bin, value), ...]) keeping every result of repeated bins."""
    c_key, c_ops, out = _Key(key), ops_arg(ops), ffi.new("as_record**")
    with c_ops._use("aerospike_key_operate") as ops_ptr:
        _run(as_, "aerospike_key_operate", lib.aerospike_key_operate,
             policy_arg(policy, "as_policy_operate"), c_key.ptr, ops_ptr, out)
    if out[0] == _NULL:
        return (c_key.to_python(), {}, []) if ordered else Record(c_key.to_python(), {}, {})
    if not ordered:
        return _record_out(out, c_key)
    try:
        return (c_key.to_python(), {"gen": out[0].gen, "ttl": out[0].ttl}, bins_to_pairs(out[0]))
    finally:
        lib.as_record_destroy(out[0])


def apply_udf(as_: Any, policy: Any, key: Any, module: str, function: str,
              args: Optional[Sequence[Any]] = None) -> Any:
    """aerospike_key_apply() of a Python key; the UDF's result as a Python value."""
    c_key = _Key(key)  # keeps the user key's buffer alive through the call
    return _apply(as_, policy, c_key.ptr, module, function, list(args or ()))


# -- async (the C client's event loops: as_event.py; completions: _async.py) ----------------------
AsyncRecordListener = Callable[[Optional[Exception], Optional[as_record], Any, Any], Any]
AsyncWriteListener = Callable[[Optional[Exception], Any, Any], Any]


def _take_async_record(item: Any) -> Optional[as_record]:
    return None if item.ptr == _NULL else as_record(ffi.cast("as_record*", item.ptr))


def _take_async_value(item: Any) -> Any:
    if item.ptr == _NULL:
        return None
    val = ffi.cast("as_val*", item.ptr)
    try:
        return val_from_c(val)
    finally:
        lib.as_val_val_destroy(val)


def _async(as_: Any, what: str, listener: Callable[..., Any], udata: Any, event_loop: Any,
           take: Optional[Callable[[Any], Any]], c_policy: Any, submit: Callable[..., int],
           *args: Any) -> None:
    """Register the listener, then submit(guard, queue, id, err, *args, loop) (_async.listen);
    a submit error raises (C returned it: the listener is never called). The transaction
    c_policy's base.txn points at is held until the listener runs (C reads it until then)."""
    if not callable(listener):
        raise TypeError(f"{what}: listener must be callable, not {type(listener).__name__}")
    instance = _instance(as_)
    loop = loop_ptr(event_loop, what)
    result = None if take is None else (lambda item, failed: None if failed else take(item))
    _async_queue.listen(instance, what, listener, udata, loop, result, submit, *args,
                        holds=_async_queue.policy_txn_hold(c_policy, what))


def _key_async(as_: Any, what: str, kind: int, policy: Any, key: Any, arg: Any, result: int,
               listener: Callable[..., Any], udata: Any, event_loop: Any) -> None:
    take = None if result == lib.ASC_RESULT_NONE else _take_async_record
    _async(as_, what, listener, udata, event_loop, take, policy,
           lib.asc_async_key, kind, policy, key, arg, result)


def aerospike_key_get_async(as_: Any, policy: Any, key: Any, listener: AsyncRecordListener,
                            udata: Any = None, event_loop: Any = None) -> None:
    """aerospike_key_get_async(): read every bin; listener(err, record, udata, event_loop)
    runs on the dispatcher thread once the command completes (err None, or the AerospikeError:
    RecordNotFoundError ...). event_loop None: the C client picks one (round robin)."""
    c_key = key_arg(key)
    _key_async(as_, "aerospike_key_get_async", lib.ASC_ASYNC_GET,
               policy_arg(policy, "as_policy_read"), c_key._ptr, _NULL, lib.ASC_RESULT_RECORD,
               listener, udata, event_loop)


def aerospike_key_select_async(as_: Any, policy: Any, key: Any, bins: Sequence[str],
                               listener: AsyncRecordListener, udata: Any = None,
                               event_loop: Any = None) -> None:
    """aerospike_key_select_async(): read the named bins; listener as aerospike_key_get_async."""
    c_key = key_arg(key)
    names = _bin_names(bins)
    array = ffi.new("char*[]", names + [_NULL])
    _key_async(as_, "aerospike_key_select_async", lib.ASC_ASYNC_SELECT,
               policy_arg(policy, "as_policy_read"), c_key._ptr, array, lib.ASC_RESULT_RECORD,
               listener, udata, event_loop)


def aerospike_key_exists_async(as_: Any, policy: Any, key: Any, listener: AsyncRecordListener,
                               udata: Any = None, event_loop: Any = None) -> None:
    """aerospike_key_exists_async(): the record's metadata (gen, ttl) without bins;
    RecordNotFoundError as err when there is none."""
    c_key = key_arg(key)
    _key_async(as_, "aerospike_key_exists_async", lib.ASC_ASYNC_EXISTS,
               policy_arg(policy, "as_policy_read"), c_key._ptr, _NULL, lib.ASC_RESULT_RECORD,
               listener, udata, event_loop)


def aerospike_key_put_async(as_: Any, policy: Any, key: Any, rec: Any,
                            listener: AsyncWriteListener, udata: Any = None,
                            event_loop: Any = None) -> None:
    """aerospike_key_put_async(): write the record's bins; listener(err, udata, event_loop)."""
    c_key, c_rec = key_arg(key), record_arg(rec)
    with c_rec._use("aerospike_key_put_async") as rec_ptr:  # C copies it into the command
        _key_async(as_, "aerospike_key_put_async", lib.ASC_ASYNC_PUT,
                   policy_arg(policy, "as_policy_write"), c_key._ptr, rec_ptr,
                   lib.ASC_RESULT_NONE, listener, udata, event_loop)


def aerospike_key_remove_async(as_: Any, policy: Any, key: Any, listener: AsyncWriteListener,
                               udata: Any = None, event_loop: Any = None) -> None:
    """aerospike_key_remove_async(): delete the record; listener(err, udata, event_loop)."""
    c_key = key_arg(key)
    _key_async(as_, "aerospike_key_remove_async", lib.ASC_ASYNC_REMOVE,
               policy_arg(policy, "as_policy_remove"), c_key._ptr, _NULL, lib.ASC_RESULT_NONE,
               listener, udata, event_loop)


def aerospike_key_operate_async(as_: Any, policy: Any, key: Any, ops: Any,
                                listener: AsyncRecordListener, udata: Any = None,
                                event_loop: Any = None) -> None:
    """aerospike_key_operate_async(): run the operations atomically; the listener's record
    holds what the read operations returned."""
    c_key, c_ops = key_arg(key), ops_arg(ops)
    with c_ops._use("aerospike_key_operate_async") as ops_ptr:
        _key_async(as_, "aerospike_key_operate_async", lib.ASC_ASYNC_OPERATE,
                   policy_arg(policy, "as_policy_operate"), c_key._ptr, ops_ptr,
                   lib.ASC_RESULT_RECORD, listener, udata, event_loop)


def aerospike_key_apply_async(as_: Any, policy: Any, key: Any, module: str, function: str,
                              arglist: Optional[Sequence[Any]],
                              listener: Callable[[Optional[Exception], Any, Any, Any], Any],
                              udata: Any = None, event_loop: Any = None) -> None:
    """aerospike_key_apply_async(): run a record UDF; listener(err, value, udata, event_loop)
    with its result as a Python value."""
    c_key = key_arg(key)
    c_module, c_function = c_str("module", module), c_str("function", function)
    if arglist is not None and not isinstance(arglist, (list, tuple)):
        raise TypeError(f"arglist must be a list or None, not {type(arglist).__name__}")
    args = ffi.cast("as_list*", val_to_c(arglist, "arglist")) if arglist is not None else _NULL
    try:
        c_policy = policy_arg(policy, "as_policy_apply")
        _async(as_, "aerospike_key_apply_async", listener, udata, event_loop, _take_async_value,
               c_policy, lib.asc_async_apply, c_policy, c_key._ptr,
               c_module, c_function, args)
    finally:
        if args != _NULL:
            lib.as_val_val_destroy(ffi.cast("as_val*", args))


__all__ += [
    "aerospike_key_get_async", "aerospike_key_select_async", "aerospike_key_exists_async",
    "aerospike_key_put_async", "aerospike_key_remove_async", "aerospike_key_operate_async",
    "aerospike_key_apply_async",
]
