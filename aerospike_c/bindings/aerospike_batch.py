"""aerospike_batch.h: batch reads by key list, and batch records (read/write/apply/remove).

Key-list calls report through a listener, called once with every result:

    def listener(results, n, udata):            # bool listener(const as_batch_result*, uint32_t, void*)
        for r in results:                       # as_batch_result: key, record, result, ...
            ...
    aerospike_batch_get(as_, None, batch, listener, udata)
    aerospike_batch_get_bins(as_, None, batch, ["a", "b"], listener, udata)   # C also takes n_bins
    aerospike_batch_exists(as_, None, batch, listener, udata)
    aerospike_batch_get_ops / _operate / _apply / _remove (C argument order)

Batch records carry a request and, afterwards, its own result:

    records = as_batch_records_init(2)         # as_batch_records records; as_batch_records_inita(&records, 2);
    r = as_batch_read_reserve(records)         # a view of the as_batch_read_record
    r.key = ("test", "demo", 1)                # as_key_init_int64(&r->key, ...); or an as_key
    r.read_all_bins = True                     # or r.bin_names = ["a"]; or r.ops = as_operations
    w = as_batch_write_reserve(records); w.key = ...; w.ops = ops
    a = as_batch_apply_reserve(records); a.module = "m"; a.function = "f"; a.arglist = [1]
    d = as_batch_remove_reserve(records); d.key = ...
    aerospike_batch_write(as_, None, records)  # (aerospike_batch_read for reads only)
    r.result, r.record, r.in_doubt, r.message  # per record; as_batch_records_destroy(records)

The listener runs once in the calling thread; an exception it raises is re-raised after
C returns. When some records failed, C returns AEROSPIKE_BATCH_FAILED: it is raised
(BatchFailedError) after the listener ran and after every record got its own result.
A reserved record is reached by index, so views stay valid when the C vector grows.
The records keep alive what their fields point to (bin names, operations, policies, UDF
names and arguments) until as_batch_records_destroy().
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from .._aerospike import ffi, lib
from ._owned import check_vector_room, struct_ptr, vector_capacity
from ._calls import (CallbackContext, UsedStruct, from_udata, keep_escaped, owned_arg,
                     policy_arg)
from ._cstruct import CStruct, register_field
from .aerospike import _instance, aerospike, using
from ..exceptions import BatchFailedError
from .as_batch import as_batch_result, batch_arg, fill_key_slot, status_of
from .as_config import c_str
from .as_error import check, lifecycle_error, new_error
from .as_event import loop_ptr
from ._async import Hold, in_async_use, listen, policy_txn_hold, policy_txn_in_use
from .as_key import key_to_python
from .as_record import bin_name, record_to_python
from .as_scan import owned_arglist
from .as_val import val_from_c
from .asc_batch import new_record, rows_from_c

__all__ = ["as_batch_records", "as_batch_records_init", "as_batch_records_create",
           "as_batch_records_inita", "as_batch_read_inita", "as_batch_read_create",
           "as_batch_read_init", "as_batch_read_reserve", "as_batch_write_reserve",
           "as_batch_apply_reserve", "as_batch_remove_reserve", "as_batch_records_destroy",
           "as_batch_read_destroy", "aerospike_batch_read", "aerospike_batch_write",
           "aerospike_batch_get", "aerospike_batch_get_bins", "aerospike_batch_get_ops",
           "aerospike_batch_exists", "aerospike_batch_operate", "aerospike_batch_apply",
           "aerospike_batch_remove", "aerospike_batch_read_async", "aerospike_batch_write_async"]
# Also for the Client: batch_outcomes(records), batch_rows(...).

BatchListener = Callable[[List[as_batch_result], int, Any], Any]
AsyncBatchListener = Callable[[Optional[Exception], "as_batch_records", Any, Any], Any]

_RECORD_TYPES = {
    lib.AS_BATCH_READ: "as_batch_read_record",
    lib.AS_BATCH_WRITE: "as_batch_write_record",
    lib.AS_BATCH_APPLY: "as_batch_apply_record",
    lib.AS_BATCH_REMOVE: "as_batch_remove_record",
}
_POLICY_TYPES = {
    "as_batch_read_record": "as_policy_batch_read",
    "as_batch_write_record": "as_policy_batch_write",
    "as_batch_apply_record": "as_policy_batch_apply",
    "as_batch_remove_record": "as_policy_batch_remove",
}


class as_batch_records(UsedStruct):  # noqa: N801 - the C type's name
    """`as_batch_records`: a growable list of batch records; `len()` and `records[i]`."""

    __slots__ = ()
    ctype = "as_batch_records"
    _c_destroy = lib.as_batch_records_destroy

    def _check_writable(self, what: str) -> None:
        super()._check_writable(what)
        if self._users and in_async_use(self):  # usually empty: one length check
            raise lifecycle_error(f"{what}: the as_batch_records is in use by an async batch "
                                  f"command (read it in its listener)")

    def __len__(self) -> int:
        self._check_writable("as_batch_records")
        return self._ptr.list.size

    def __getitem__(self, index: int) -> "batch_record":
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"a record index is an int, not {type(index).__name__}")
        if not 0 <= index < len(self):
            raise IndexError(f"record index {index} out of range [0, {len(self)})")
        kind = ffi.cast("as_batch_base_record*", self._slot(index)).type
        return batch_record(self, index, _RECORD_TYPES[kind])

    def _slot(self, index: int) -> Any:
        vector = self._ptr.list
        return ffi.cast("char*", vector.list) + index * vector.item_size


class batch_record:  # noqa: N801 - stands for the C record types
    """A view of one reserved record (as_batch_read_record …): fields by C name, located by
    index on every access."""

    __slots__ = ("_records", "_index", "_ctype")

    def __init__(self, records: as_batch_records, index: int, ctype: str) -> None:
        object.__setattr__(self, "_records", records)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_ctype", ctype)

    def _struct(self) -> CStruct:
        records = self._records
        records._check_writable(self._ctype)
        ptr = ffi.cast(f"{self._ctype}*", records._slot(self._index))
        return CStruct(ptr, records, self._ctype)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._struct(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._struct(), name, value)

    def __dir__(self) -> List[str]:
        return dir(self._struct())

    def __repr__(self) -> str:
        return f"<{self._ctype} #{self._index}>"


# -- fields that C points into Python memory ---------------------------------------------------
def _get_key(view: CStruct) -> Any:
    key = ffi.addressof(view._ptr[0], "key")
    return key_to_python(key) if key.ns[0] != b"\0" else None


def _set_key(view: CStruct, key: Any) -> None:
    slot = ffi.addressof(view._ptr[0], "key")
    lib.as_key_destroy(slot)
    view._owner._keep(fill_key_slot(slot, key))


def _get_record(view: CStruct) -> Any:
    return record_to_python(ffi.addressof(view._ptr[0], "record"), _get_key(view))


def _get_message(view: CStruct) -> Optional[str]:
    message = view._ptr.message
    return None if message == ffi.NULL else ffi.string(message).decode("utf-8", "replace")


def _set_policy(view: CStruct, policy: Any) -> None:
    view._ptr.policy = policy_arg(policy, _POLICY_TYPES[view._path])
    view._owner._keep(policy)


def _set_ops(view: CStruct, ops: Any) -> None:
    ptr = ffi.NULL if ops is None else struct_ptr(ops, "as_operations", f"{view._path}.ops")
    records = view._owner
    vector = records._ptr.list
    index = (int(ffi.cast("uintptr_t", view._ptr)) -
             int(ffi.cast("uintptr_t", vector.list))) // vector.item_size
    view._ptr.ops = ptr
    records._depend(f"record {index} ({view._path}) ops", ops)


def _get_bin_names(view: CStruct) -> Optional[List[str]]:
    names = view._ptr.bin_names
    if names == ffi.NULL:
        return None
    return [ffi.string(names[i]).decode("utf-8") for i in range(view._ptr.n_bin_names)]


def _set_bin_names(view: CStruct, names: Optional[Sequence[str]]) -> None:
    if names is None:
        view._ptr.bin_names, view._ptr.n_bin_names = ffi.NULL, 0
        return
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise TypeError(f"bin_names must be a list of str, not {type(names).__name__}")
    buffers = [ffi.new("char[]", bin_name(name)) for name in names]
    array = ffi.new("char*[]", buffers or 1)
    view._owner._keep((buffers, array))
    view._ptr.bin_names, view._ptr.n_bin_names = array, len(buffers)


def _text_field(field: str) -> Any:
    def get(view: CStruct) -> Optional[str]:
        ptr = getattr(view._ptr, field)
        return None if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8")

    def set_(view: CStruct, value: str) -> None:
        buffer = ffi.new("char[]", c_str(field, value))
        view._owner._keep(buffer)
        setattr(view._ptr, field, buffer)
    return get, set_


def _get_arglist(view: CStruct) -> Any:
    arglist = view._ptr.arglist
    return None if arglist == ffi.NULL else val_from_c(ffi.cast("as_val*", arglist))


def _set_arglist(view: CStruct, arglist: Any) -> None:
    keep, c_list = owned_arglist(arglist)  # as_batch_records_destroy() does not free it
    view._owner._keep(keep)
    view._ptr.arglist = c_list


def _get_opaque(view: CStruct) -> None:
    raise AttributeError(f"{view._path}: this field can be set, not read back")


for _ctype in ("as_batch_base_record",) + tuple(_RECORD_TYPES.values()):
    register_field(_ctype, "key", _get_key, _set_key)
    register_field(_ctype, "record", _get_record)
    register_field(_ctype, "message", _get_message)
for _ctype in _POLICY_TYPES:
    register_field(_ctype, "policy", _get_opaque, _set_policy)
for _ctype in ("as_batch_read_record", "as_batch_write_record"):
    register_field(_ctype, "ops", _get_opaque, _set_ops)
register_field("as_batch_read_record", "bin_names", _get_bin_names, _set_bin_names)
register_field("as_batch_apply_record", "module", *_text_field("module"))
register_field("as_batch_apply_record", "function", *_text_field("function"))
register_field("as_batch_apply_record", "arglist", _get_arglist, _set_arglist)
del _ctype


# -- batch records -------------------------------------------------------------------------------
def _records(records: Any, what: str) -> as_batch_records:
    return owned_arg(records, as_batch_records, what)


def as_batch_records_init(capacity: int) -> as_batch_records:
    """as_batch_records_init(&records, capacity) / _inita: an empty list (grows as needed)."""
    capacity = vector_capacity("as_batch_records_init", capacity, _RECORD_SIZE)
    return as_batch_records(lambda p: lib.as_batch_records_init(p, capacity))


_RECORD_SIZE = ffi.sizeof("as_batch_record")  # the item size of as_batch_records' list


as_batch_records_create = as_batch_records_init
as_batch_read_init = as_batch_records_init
as_batch_records_inita = as_batch_read_inita = as_batch_read_create = as_batch_records_init


def _reserve(records: Any, function: str, ctype: str) -> batch_record:
    records = _records(records, function)
    with records._use(function) as ptr:
        check_vector_room(function, ptr.list)
        before = ptr.list.list
        getattr(lib, function)(ptr)
        if ptr.list.list != before:
            _repair_keys(records)
    return batch_record(records, len(records) - 1, ctype)


def _repair_keys(records: as_batch_records) -> None:
    """A key with a user value points at its own `value` (key->valuep = &key->value); when
    the vector grows, the records move: point each key at its new self again."""
    for index in range(len(records) - 1):
        key = ffi.cast("as_batch_base_record*", records._slot(index)).key
        if key.valuep != ffi.NULL:
            key.valuep = ffi.addressof(key, "value")


def as_batch_read_reserve(records: as_batch_records) -> batch_record:
    """as_batch_read_reserve(): a new read record (set key, then read_all_bins, bin_names or ops)."""
    return _reserve(records, "as_batch_read_reserve", "as_batch_read_record")


def as_batch_write_reserve(records: as_batch_records) -> batch_record:
    """as_batch_write_reserve(): a new write record (set key and ops)."""
    return _reserve(records, "as_batch_write_reserve", "as_batch_write_record")


def as_batch_apply_reserve(records: as_batch_records) -> batch_record:
    """as_batch_apply_reserve(): a new UDF record (set key, module, function, arglist)."""
    return _reserve(records, "as_batch_apply_reserve", "as_batch_apply_record")


def as_batch_remove_reserve(records: as_batch_records) -> batch_record:
    """as_batch_remove_reserve(): a new remove record (set key)."""
    return _reserve(records, "as_batch_remove_reserve", "as_batch_remove_record")


def as_batch_records_destroy(records: as_batch_records) -> None:
    """as_batch_records_destroy(): free every record's key, results and the list."""
    _records(records, "as_batch_records_destroy")._destroy("as_batch_records_destroy")


as_batch_read_destroy = as_batch_records_destroy


def batch_outcomes(records: as_batch_records) -> List[as_batch_result]:
    """Every record's outcome at once, as as_batch_result (key, record when OK, result,
    subcode, message, in_doubt): one pass over the C records for the Client."""
    records = _records(records, "batch_outcomes")
    with records._use("batch_outcomes") as ptr:
        return _outcomes(rows_from_c(lib.asc_batch_records_to_msgpack, ptr))


def _check_pointers(function: str, records: as_batch_records, index: int) -> None:
    """TypeError for a write record without ops, or a UDF record without module or function:
    C reads them unchecked (ops->binops.size, strlen(module)) and would read NULL."""
    slot = records._slot(index)
    kind = ffi.cast("as_batch_base_record*", slot).type
    if kind == lib.AS_BATCH_WRITE:
        if ffi.cast("as_batch_write_record*", slot).ops == ffi.NULL:
            raise TypeError(f"{function}: record {index} (a write record) has no ops")
    elif kind == lib.AS_BATCH_APPLY:
        apply = ffi.cast("as_batch_apply_record*", slot)
        if apply.module == ffi.NULL or apply.function == ffi.NULL:
            raise TypeError(f"{function}: record {index} (a UDF record) has no module or function")


def _checked_records(function: str, records: Any) -> as_batch_records:
    """The records of a batch call, each with a key and the pointers C reads (sync and async:
    the async calls read them the same way, on an event loop thread)."""
    records = _records(records, function)
    for index in range(len(records)):
        if records[index].key is None:
            raise TypeError(f"{function}: record {index} has no key")
        _check_pointers(function, records, index)
    return records


def _run_records(function: str, as_: aerospike, policy: Any, records: Any) -> None:
    records = _checked_records(function, records)
    c_policy = policy_arg(policy, "as_policy_batch")
    err = new_error()
    with records._use(function) as records_ptr, policy_txn_in_use(c_policy, function), \
            using(as_, function, connected=True) as ptr:
        status = getattr(lib, function)(ptr, err, c_policy, records_ptr)
    check(status, err)


def aerospike_batch_read(as_: aerospike, policy: Any, records: as_batch_records) -> None:
    """aerospike_batch_read(): run read records; each gets its result and record."""
    _run_records("aerospike_batch_read", as_, policy, records)


def aerospike_batch_write(as_: aerospike, policy: Any, records: as_batch_records) -> None:
    """aerospike_batch_write(): run read/write/apply/remove records; each gets its result."""
    _run_records("aerospike_batch_write", as_, policy, records)


# -- batch records on an event loop (as_event.py; completions: _async.py) -----------------------
#: What C returns before sending any sub-command ("Batch failed": no key maps to a node).
_UNSENT = frozenset((lib.AEROSPIKE_BATCH_FAILED,))

def _run_records_async(function: str, write: bool, as_: aerospike, policy: Any, records: Any,
                       listener: AsyncBatchListener, udata: Any, event_loop: Any) -> None:
    records = _checked_records(function, records)
    c_policy = policy_arg(policy, "as_policy_batch")
    instance = _instance(as_)
    c_loop = loop_ptr(event_loop, function)
    hold = Hold(records, function)
    listen(instance, function, listener, udata, c_loop, lambda item, failed: records,
           lib.asc_async_batch, write, c_policy, hold.ptr,
           holds=[hold, *policy_txn_hold(c_policy, function)], unsent=_UNSENT)


def aerospike_batch_read_async(as_: aerospike, policy: Any, records: as_batch_records,
                               listener: AsyncBatchListener, udata: Any = None,
                               event_loop: Any = None) -> None:
    """aerospike_batch_read_async(): run read records on an event loop (None: C picks one);
    listener(err, records, udata, event_loop) runs once on the dispatcher thread when all
    are done, each record with its result (err None, BatchFailedError when some records
    failed, or the error of the whole batch). Until then the records are the C client's:
    reading, changing or destroying them raises LifecycleError. When the call itself raises
    an error of C's, the listener never runs and the records stay in use until
    aerospike_close() (C may still be filling them from sub-commands queued before it)."""
    _run_records_async("aerospike_batch_read_async", False, as_, policy, records, listener,
                       udata, event_loop)


def aerospike_batch_write_async(as_: aerospike, policy: Any, records: as_batch_records,
                                listener: AsyncBatchListener, udata: Any = None,
                                event_loop: Any = None) -> None:
    """aerospike_batch_write_async(): run read/write/apply/remove records on an event loop;
    listener and records as aerospike_batch_read_async."""
    _run_records_async("aerospike_batch_write_async", True, as_, policy, records, listener,
                       udata, event_loop)


# -- key lists with a listener -------------------------------------------------------------------
class _Rows:
    """The listener of batch_rows(): keeps the rows of its one call."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: List[List[Any]] = []

    def __call__(self, rows: List[List[Any]]) -> None:
        self.rows = rows


def _outcomes(rows: List[List[Any]]) -> List[as_batch_result]:
    """as_batch_result objects from rows_from_c() rows."""
    converted = []
    for key, result, subcode, message, in_doubt, gen, ttl, bins in rows:
        key = tuple(key)
        record = new_record((key, {"gen": gen, "ttl": ttl}, bins)) if result == 0 else None
        converted.append(as_batch_result(key, record, status_of(result), subcode, message,
                                         in_doubt))
    return converted


#: For aio: as_batch_result objects from full rows.
batch_results = _outcomes
_PACK_RESULTS = lib.asc_batch_results_to_msgpack


@ffi.def_extern(onerror=keep_escaped)
def asc_batch_listener(results: Any, n: int, udata: Any) -> bool:
    """C calls this once with every result of a key-list batch call."""
    context = from_udata(udata)
    if type(context.callback) is _Rows:
        return context.invoke(lambda: (rows_from_c(_PACK_RESULTS, results, n),))
    return context.invoke(lambda: (_outcomes(rows_from_c(_PACK_RESULTS, results, n)), n,
                                   context.udata))


def _run_listener(function: str, as_: aerospike, batch: Any,
                  listener: Union[BatchListener, _Rows, None], udata: Any, *args: Any) -> None:
    """Call `function(as, err, *args, listener, udata)`; `args` are the C arguments between
    `err` and the listener, with None standing for the batch."""
    batch = batch_arg(batch, function)
    context = None if listener is None else CallbackContext(listener, udata)
    err = new_error()
    with batch._use(function) as batch_ptr, policy_txn_in_use(args[0], function), \
            using(as_, function, connected=True) as ptr:
        c_args = [batch_ptr if arg is None else arg for arg in args]
        if context is None:
            status = getattr(lib, function)(ptr, err, *c_args, ffi.NULL, ffi.NULL)
        else:
            status = getattr(lib, function)(ptr, err, *c_args, lib.asc_batch_listener,
                                            context.handle)
    if context is not None:
        context.reraise()
    check(status, err)


def aerospike_batch_get(as_: aerospike, policy: Any, batch: Any, listener: Optional[BatchListener],
                        udata: Optional[Any] = None) -> None:
    """aerospike_batch_get(): read every bin of every key."""
    _run_listener("aerospike_batch_get", as_, batch, listener, udata,
                  policy_arg(policy, "as_policy_batch"), None)


def aerospike_batch_get_bins(as_: aerospike, policy: Any, batch: Any, bins: Sequence[str],
                             listener: Optional[BatchListener], udata: Optional[Any] = None) -> None:
    """aerospike_batch_get_bins(): read bins `bins` of every key (C's n_bins is len(bins))."""
    array, keep = _bin_names(bins)
    _run_listener("aerospike_batch_get_bins", as_, batch, listener, udata,
                  policy_arg(policy, "as_policy_batch"), None, array, len(keep))


def _bin_names(bins: Sequence[str]) -> Tuple[Any, List[Any]]:
    """A `char**` of bin names, and the buffers it points to (keep them alive)."""
    if isinstance(bins, str) or not isinstance(bins, (list, tuple)):
        raise TypeError(f"bins must be a list of str, not {type(bins).__name__}")
    buffers = [ffi.new("char[]", bin_name(name)) for name in bins]
    return ffi.new("char*[]", buffers or 1), buffers


def batch_rows(function: str, as_: aerospike, policy: Any, batch: Any,
               bins: Optional[Sequence[str]] = None
               ) -> Tuple[List[List[Any]], Optional[BatchFailedError]]:
    """For the Client: run aerospike_batch_get, aerospike_batch_get_bins (`bins`) or
    aerospike_batch_exists and return each key's row, in key order, without per-record
    objects: [key list, result, subcode, message, in_doubt, gen, ttl, bins or None]; and
    C's BatchFailedError when some key failed (each row carries its own result)."""
    rows = _Rows()
    args: List[Any] = [policy_arg(policy, "as_policy_batch"), None]
    if function == "aerospike_batch_get_bins":
        array, keep = _bin_names(bins or [])
        args += [array, len(keep)]
    try:
        _run_listener(function, as_, batch, rows, None, *args)
    except BatchFailedError as error:
        if len(rows.rows) != len(batch):
            raise
        return rows.rows, error
    return rows.rows, None


def _ops(ops: Any) -> Any:
    ptr = getattr(ops, "_ptr", None)
    if ptr is None or ffi.typeof(ptr) is not ffi.typeof("as_operations*"):
        raise TypeError(f"ops must be an as_operations, not {type(ops).__name__}")
    ops._check_writable("ops")
    return ptr


def aerospike_batch_get_ops(as_: aerospike, policy: Any, batch: Any, ops: Any,
                            listener: Optional[BatchListener], udata: Optional[Any] = None) -> None:
    """aerospike_batch_get_ops(): run read operations `ops` on every key."""
    _run_listener("aerospike_batch_get_ops", as_, batch, listener, udata,
                  policy_arg(policy, "as_policy_batch"), None, _ops(ops))


def aerospike_batch_exists(as_: aerospike, policy: Any, batch: Any,
                           listener: Optional[BatchListener], udata: Optional[Any] = None) -> None:
    """aerospike_batch_exists(): metadata (gen, ttl) of every key, no bins."""
    _run_listener("aerospike_batch_exists", as_, batch, listener, udata,
                  policy_arg(policy, "as_policy_batch"), None)


def aerospike_batch_operate(as_: aerospike, policy: Any, policy_write: Any, batch: Any, ops: Any,
                            listener: Optional[BatchListener], udata: Optional[Any] = None) -> None:
    """aerospike_batch_operate(): run read/write operations `ops` on every key."""
    _run_listener("aerospike_batch_operate", as_, batch, listener, udata,
                  policy_arg(policy, "as_policy_batch"),
                  policy_arg(policy_write, "as_policy_batch_write"), None, _ops(ops))


def aerospike_batch_apply(as_: aerospike, policy: Any, policy_apply: Any, batch: Any, module: str,
                          function: str, arglist: Any, listener: Optional[BatchListener],
                          udata: Optional[Any] = None) -> None:
    """aerospike_batch_apply(): run UDF module.function(record, *arglist) on every key."""
    keep, c_args = owned_arglist(arglist)
    _run_listener("aerospike_batch_apply", as_, batch, listener, udata,
                  policy_arg(policy, "as_policy_batch"),
                  policy_arg(policy_apply, "as_policy_batch_apply"), None,
                  c_str("module", module), c_str("function", function), c_args)
    del keep  # the C call is over: the arguments may go


def aerospike_batch_remove(as_: aerospike, policy: Any, policy_remove: Any, batch: Any,
                           listener: Optional[BatchListener], udata: Optional[Any] = None) -> None:
    """aerospike_batch_remove(): remove every key."""
    _run_listener("aerospike_batch_remove", as_, batch, listener, udata,
                  policy_arg(policy, "as_policy_batch"),
                  policy_arg(policy_remove, "as_policy_batch_remove"), None)
