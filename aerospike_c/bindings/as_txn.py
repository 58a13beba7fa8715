"""as_txn.h (and as_txn_monitor.h): a multi-record transaction.

    txn = as_txn_init()                        # as_txn txn; as_txn_init(&txn);
    pw = as_policy_write_init()
    pw.base.txn = txn                          # pw.base.txn = &txn;
    aerospike_key_put(as_, pw, key, rec)       # a write in the transaction
    aerospike_commit(as_, txn)                 # aerospike_commit(&as, &err, &txn, &status)
    pw.base.txn = None                         # nothing may point at it when it goes:
    as_txn_destroy(txn)                        # as_txn_destroy(&txn);

`as_txn_init()` / `as_txn_init_capacity()` give a transaction in Python memory,
`as_txn_create()` / `as_txn_create_capacity()` one the C client allocates (as for async
commands); both are freed by as_txn_destroy() or when collected. Fields by C name: `id`,
`ns`, `timeout`, `deadline`, `state` (as_txn_state), `in_doubt`, `write_in_doubt` (`ns`,
`free` and the key sets `reads`/`writes` are read-only: the C client keeps them).

Lifecycle: a policy's `txn` field (every policy's `base.txn`, also the config's) holds the
transaction: as_txn_destroy() raises LifecycleError while one still points at it, or while
aerospike_commit/aerospike_abort, or a batch command started with such a policy (C copies
the pointer), run on it (set the field to None, or drop the policy, first); a destroyed
transaction is refused everywhere.

The key sets as the C API shows them: as_txn_reads_size/as_txn_writes_size, and
as_txn_iter_reads/as_txn_iter_writes + as_txn_iter_next (or iterate the iterator), which
yield `as_txn_key(digest, set, version)` from a copy taken under the set's lock.
"""
from __future__ import annotations

import functools
import gc
import threading
import weakref
from typing import Any, Callable, Iterator, List, NamedTuple, Optional, Tuple

from .._aerospike import ffi, lib
from ._calls import UsedStruct, c_uint, owned_arg
from ._cstruct import CStruct, register_field
from ._owned import WeakRegistry
from .as_error import check, lifecycle_error, new_error
from .as_key import as_key, key_arg

__all__ = [
    "as_txn", "as_txn_key", "as_txn_iter", "as_txn_init", "as_txn_init_capacity",
    "as_txn_create", "as_txn_create_capacity", "as_txn_destroy", "as_txn_set_timeout",
    "as_txn_reads_size", "as_txn_writes_size", "as_txn_get_read_version",
    "as_txn_writes_contain", "as_txn_verify_command", "as_txn_close_monitor",
    "as_txn_monitor_exists", "as_txn_iter_reads", "as_txn_iter_writes", "as_txn_iter_next",
    "as_txn_monitor_init_key",
]

#: Every live as_txn by the address of its C struct (what a policy's txn field holds).
_LIVE: "WeakRegistry[as_txn]" = WeakRegistry()


class as_txn(UsedStruct):  # noqa: N801 - the C type's name
    """`as_txn`: a transaction; fields by C name (the key sets are the C client's)."""

    __slots__ = ("_holders", "_ending", "_async_end", "__weakref__")
    ctype = "as_txn"
    _c_destroy = lib.as_txn_destroy
    _destroy_in_c = True  # its key sets are C's

    def __init__(self, c_init: Any = None, ptr: Any = None) -> None:
        object.__setattr__(self, "_holders", [])  # (weakref to an owner, address of its field)
        # Held by aerospike_commit/aerospike_abort: C checks and changes txn->state unlocked.
        object.__setattr__(self, "_ending", threading.Lock())
        # The token of the async commit/abort C runs on it (aerospike_txn._EndHold), or None.
        object.__setattr__(self, "_async_end", None)
        super().__init__(c_init, ptr)
        _LIVE[_address(self._ptr)] = self

    def _hold(self, owner: Any, field_ptr: Any) -> None:
        """A struct of `owner` now points at this transaction from `field_ptr`."""
        ref: Callable[[], Any]
        try:
            ref = weakref.ref(owner)
        except TypeError:  # an owner without weak references lives as long as we do
            ref = functools.partial(_same, owner)
        holders: List[Tuple[Any, int]] = self._holders
        holders[:] = [(r, a) for r, a in holders if r() is not None]
        holders.append((ref, _address(field_ptr)))

    def _held_by(self) -> int:
        """How many live structs still point at this transaction."""
        mine = _address(self._ptr)
        held = 0
        for ref, address in self._holders:
            owner = ref()
            if owner is None:
                continue
            kept = _kept_by(owner)
            if kept is not None:  # a config or instance: it keeps what its fields point at
                held += any(obj is self for obj in kept)
            elif not getattr(owner, "_released", False):
                held += _address(ffi.cast("as_txn**", address)[0]) == mine
        return held

    def _destroy(self, what: str) -> None:
        with self._lock:
            self._check_writable(what)
            held = self._held_by()
            if held:  # a dropped policy is a reference cycle (its views' owner is itself)
                gc.collect()
                held = self._held_by()
            if held:
                raise lifecycle_error(
                    f"{what}: {held} policy txn field(s) still point at the as_txn, or did "
                    "on an instance that is still connected (it keeps a replaced value until "
                    "aerospike_close(), as a running command may read it); set them to None "
                    "or drop those policies first, and close that instance")
        super()._destroy(what)

    def __repr__(self) -> str:
        if self._released:
            return "<as_txn destroyed>"
        state = c_enum_name("as_txn_state", self._ptr.state)
        return f"<as_txn id={self._ptr.id} state={state}>"


def c_enum_name(enum_name: str, value: int) -> str:
    from ._cstruct import c_enum

    try:
        return c_enum(enum_name)(value).name
    except ValueError:
        return str(value)


def _same(owner: Any) -> Any:
    return owner


def _kept_by(owner: Any) -> Optional[List[Any]]:
    """What an as_config (or the instance it was handed to) or an aerospike instance keeps
    for its fields, including values replaced while commands ran (None: another owner)."""
    if not hasattr(owner, "_kept_fields"):
        return None
    spent = getattr(owner, "_spent_by", None)
    if spent is not None and hasattr(spent, "_kept_fields"):
        owner = spent
    return list(owner._kept_fields.values()) + list(getattr(owner, "_retired", None) or ())


def _address(ptr: Any) -> int:
    return int(ffi.cast("uintptr_t", ptr))


def hold_txn(owner: Any, policy_ptr: Any) -> None:
    """A copied policy `owner` (at `policy_ptr`): if its base.txn points at a live as_txn,
    that transaction is now held by `owner` too (policies without a base have no txn)."""
    if not hasattr(policy_ptr, "base"):
        return
    base_ptr = policy_ptr.base
    txn = _LIVE.get(_address(base_ptr.txn)) if base_ptr.txn != ffi.NULL else None
    if txn is not None:
        txn._hold(owner, ffi.addressof(base_ptr, "txn"))


def _txn_field_set(view: CStruct, value: Any) -> None:
    """policy.base.txn = an as_txn or None (the txn field of every policy)."""
    if value is not None:
        txn = owned_arg(value, as_txn, f"{view._path}.txn")
        ptr = txn._ptr
    else:
        ptr = ffi.NULL
    view._ptr.txn = ptr
    view._owner._keep_field(ffi.addressof(view._ptr[0], "txn"), value)
    if value is not None:
        value._hold(view._owner, ffi.addressof(view._ptr[0], "txn"))


def _txn_field_get(view: CStruct) -> Any:
    ptr = view._ptr.txn
    if ptr == ffi.NULL:
        return None
    txn = _LIVE.get(_address(ptr))
    return txn if txn is not None else ptr


def txn_field() -> Tuple[Any, Any]:
    """The getter and setter of as_policy_base.txn (as_policy.py registers them)."""
    return _txn_field_get, _txn_field_set


def _read_only_field(view: CStruct, field: str) -> Any:
    value = getattr(view._ptr, field)
    if field == "ns":
        return ffi.string(value).decode("utf-8", "replace")
    if field == "free":
        return bool(value)
    return CStruct(ffi.addressof(view._ptr[0], field), view._owner, f"{view._path}.{field}", True)


for _field in ("ns", "reads", "writes", "free"):  # the C client's bookkeeping
    register_field("as_txn", _field, functools.partial(_read_only_field, field=_field))


class as_txn_key(NamedTuple):
    """One key of a transaction's read or write set (as_txn_key): digest, set, version."""

    digest: bytes
    set: str
    version: int


class as_txn_iter:  # noqa: N801 - the C type's name
    """`as_txn_iter`: the keys of one set, copied when the iterator was made."""

    __slots__ = ("_keys",)

    def __init__(self, keys: List[as_txn_key]) -> None:
        self._keys = keys

    def __iter__(self) -> Iterator[as_txn_key]:
        while self._keys:
            yield self._keys.pop(0)

    def __len__(self) -> int:
        return len(self._keys)


def _txn(txn: Any, what: str) -> as_txn:
    return owned_arg(txn, as_txn, what)


def _capacities(reads_capacity: Any, writes_capacity: Any) -> Tuple[int, int]:
    """The key set capacities, checked (C allocates twice as many hash rows up front)."""
    reads = c_uint("reads_capacity", reads_capacity)
    writes = c_uint("writes_capacity", writes_capacity)
    if max(reads, writes) > 1 << 24:
        raise ValueError("a transaction's key set capacity is at most 16777216 "
                         "(the server takes 4096 writes)")
    return reads, writes


def as_txn_init() -> as_txn:
    """as_txn_init(&txn): a new transaction (random id, default key set capacities)."""
    return as_txn(lib.as_txn_init)


def as_txn_init_capacity(reads_capacity: int, writes_capacity: int) -> as_txn:
    """as_txn_init_capacity(&txn, reads, writes): capacities are the expected key counts
    (at least 16)."""
    reads, writes = _capacities(reads_capacity, writes_capacity)
    return as_txn(lambda ptr: lib.as_txn_init_capacity(ptr, reads, writes))


def as_txn_create() -> as_txn:
    """as_txn_create(): a new transaction on the C heap."""
    return as_txn(ptr=lib.as_txn_create())


def as_txn_create_capacity(reads_capacity: int, writes_capacity: int) -> as_txn:
    """as_txn_create_capacity(reads, writes): as_txn_create() with key set capacities."""
    reads, writes = _capacities(reads_capacity, writes_capacity)
    return as_txn(ptr=lib.as_txn_create_capacity(reads, writes))


def as_txn_destroy(txn: as_txn) -> None:
    """as_txn_destroy(txn): free it (refused while a policy points at it or a commit/abort
    runs on it)."""
    _txn(txn, "as_txn_destroy")._destroy("as_txn_destroy")


def as_txn_set_timeout(txn: as_txn, timeout: int) -> None:
    """as_txn_set_timeout(txn, seconds): 0 is the server's mrt-duration."""
    lib.as_txn_set_timeout(_txn(txn, "as_txn_set_timeout")._ptr, c_uint("timeout", timeout))


def as_txn_reads_size(txn: as_txn) -> int:
    """as_txn_reads_size(txn): keys read in the transaction (to verify at commit)."""
    return int(lib.as_txn_reads_size(_txn(txn, "as_txn_reads_size")._ptr))


def as_txn_writes_size(txn: as_txn) -> int:
    """as_txn_writes_size(txn): keys written in the transaction (to roll at commit/abort)."""
    return int(lib.as_txn_writes_size(_txn(txn, "as_txn_writes_size")._ptr))


def as_txn_get_read_version(txn: as_txn, digest: bytes) -> int:
    """as_txn_get_read_version(txn, digest): the version read for that key (0: none)."""
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != 20:
        raise TypeError("digest must be 20 bytes")
    return int(lib.as_txn_get_read_version(_txn(txn, "as_txn_get_read_version")._ptr,
                                           bytes(digest)))


def as_txn_writes_contain(txn: as_txn, key: Any) -> bool:
    """as_txn_writes_contain(txn, key): was the key written in the transaction?"""
    checked = _txn(txn, "as_txn_writes_contain")
    k: as_key = key_arg(key)
    err = new_error()
    check(lib.as_key_set_digest(err, k._ptr), err)
    return bool(lib.as_txn_writes_contain(checked._ptr, k._ptr))


def as_txn_verify_command(txn: as_txn) -> None:
    """as_txn_verify_command(txn, &err): raises ParamError unless commands may still run in
    the transaction (its state is OPEN)."""
    err = new_error()
    check(lib.as_txn_verify_command(_txn(txn, "as_txn_verify_command")._ptr, err), err)


def as_txn_close_monitor(txn: as_txn) -> bool:
    """as_txn_close_monitor(txn): should commit/abort remove the monitor record?"""
    return bool(lib.as_txn_close_monitor(_txn(txn, "as_txn_close_monitor")._ptr))


def as_txn_monitor_exists(txn: as_txn) -> bool:
    """as_txn_monitor_exists(txn): has the server made the monitor record (a deadline)?"""
    return bool(lib.as_txn_monitor_exists(_txn(txn, "as_txn_monitor_exists")._ptr))


def _keys(txn: as_txn, writes: bool, what: str) -> as_txn_iter:
    checked = _txn(txn, what)
    with checked._use(what) as ptr:
        capacity = 64
        while True:
            out = ffi.new("as_txn_key[]", capacity)
            count = int(lib.asc_txn_keys(ptr, writes, out, capacity))
            if count <= capacity:
                break
            capacity = count + 64
    keys = [as_txn_key(bytes(ffi.buffer(out[i].digest)),
                       ffi.string(out[i].set).decode("utf-8", "replace"), int(out[i].version))
            for i in range(count)]
    return as_txn_iter(keys)


def as_txn_iter_reads(txn: as_txn) -> as_txn_iter:
    """as_txn_iter_reads(&iter, txn): an iterator over the read keys."""
    return _keys(txn, False, "as_txn_iter_reads")


def as_txn_iter_writes(txn: as_txn) -> as_txn_iter:
    """as_txn_iter_writes(&iter, txn): an iterator over the written keys."""
    return _keys(txn, True, "as_txn_iter_writes")


def as_txn_iter_next(it: as_txn_iter) -> Optional[as_txn_key]:
    """as_txn_iter_next(&iter): the next key, or None when there are no more."""
    if not isinstance(it, as_txn_iter):
        raise TypeError(f"expected an as_txn_iter, not {type(it).__name__}")
    return it._keys.pop(0) if it._keys else None


def as_txn_monitor_init_key(txn: as_txn) -> as_key:
    """as_txn_monitor_init_key(txn, &key): the key of the transaction's monitor record."""
    key = as_key()
    lib.as_txn_monitor_init_key(_txn(txn, "as_txn_monitor_init_key")._ptr, key._ptr)
    return key
