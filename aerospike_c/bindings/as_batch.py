"""as_batch.h: the key list of the batch calls, and the result of one key.

    batch = as_batch_init(3)                    # as_batch batch; as_batch_inita(&batch, 3);
    batch[0] = ("test", "demo", 1)              # as_key_init_int64(as_batch_keyat(&batch, 0), ...)
    batch[1] = as_key_init_str("test", "demo", "k")   # or an as_key (copied)
    batch[2] = ("test", "demo", None, digest)   # by digest
    as_batch_keyat(batch, 0)  ->  ("test", "demo", 1, None)
    as_batch_destroy(batch)                     # or let it be collected

Every key must be set before the batch is used (C would read uninitialized memory);
a batch call with an unset key raises ParamError. `as_batch_result` is a frozen copy
of a C result: key tuple, record (`Record`, or None when `result` is not AEROSPIKE_OK),
result (as_status), subcode, message, in_doubt.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence

from .._aerospike import ffi, lib
from ._calls import UsedStruct, c_uint, owned_arg
from .as_key import KeyTuple, as_key, fill_key, fill_key_digest, key_to_python, match_digest
from .as_record import Record
from .as_scan import param_error
from .as_status import as_status
from .asc_batch import pack_keys

__all__ = ["as_batch", "as_batch_init", "as_batch_new", "as_batch_inita", "as_batch_destroy", "as_batch_keyat",
           "as_batch_result"]


def fill_key_slot(ptr: Any, key: Any) -> Any:
    """Initialize the `as_key*` ptr from an as_key or (ns, set, user_key[, digest]); returns
    what must stay alive while the key is used."""
    if isinstance(key, as_key):
        ns, set_name, value, digest = key.to_tuple()
    elif isinstance(key, tuple) and len(key) in (3, 4):
        ns, set_name, value = key[:3]
        digest = key[3] if len(key) == 4 else None
    else:
        raise TypeError("a key is an as_key or a tuple (namespace, set, user_key[, digest]), "
                        f"not {type(key).__name__}")
    if value is not None:
        keep = fill_key(ptr, ns, set_name, value)
        if digest is not None:
            match_digest(ptr, digest)
        return keep
    if digest is None:
        raise ValueError("a key needs a user key or a digest")
    fill_key_digest(ptr, ns, set_name, digest)
    return None


class as_batch(UsedStruct):  # noqa: N801 - the C type's name
    """`as_batch`: `keys.size` keys, set with batch[i] = key."""

    __slots__ = ("_set",)
    ctype = "as_batch"
    _c_destroy = lib.as_batch_destroy

    def __init__(self, size: int) -> None:
        # The indexes of the keys set, not of those unset: a set of `size` ints was built
        # before C was asked for the keys (as_batch_init(2**32 - 1) took minutes and tens of
        # GB, then C had no memory for them and the batch was empty).
        object.__setattr__(self, "_set", set())
        allocated = []
        super().__init__(lambda p: allocated.append(lib.asc_batch_init(p, size)))
        if not allocated[0]:
            raise MemoryError(f"as_batch_init: no memory for {size} keys")

    def __len__(self) -> int:
        self._check_writable("as_batch")
        return self._ptr.keys.size

    def _entry(self, index: int) -> Any:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"a batch index is an int, not {type(index).__name__}")
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range [0, {len(self)})")
        return self._ptr.keys.entries + index

    def __setitem__(self, index: int, key: Any) -> None:
        with self._use("as_batch key"):
            entry = self._entry(index)
            lib.as_key_destroy(entry)
            self._keep(fill_key_slot(entry, key))
            self._set.add(index)

    def set_keys(self, keys: Sequence[Any]) -> None:
        """batch[i] = keys[i] for every key: plain tuples in one C call (asc_batch_set_keys),
        from the first key C does not take on one by one (which raises its error)."""
        if len(keys) != len(self):
            raise ValueError(f"{len(keys)} keys for a batch of {len(self)}")
        data = pack_keys(keys)
        done = 0
        if data is not None:
            with self._use("as_batch key") as ptr:
                done = lib.asc_batch_set_keys(ptr, data, len(data))
            self._set.update(range(done))
        for index in range(done, len(keys)):
            self[index] = keys[index]

    def __getitem__(self, index: int) -> Optional[KeyTuple]:
        self._check_writable("as_batch key")
        entry = self._entry(index)
        if index not in self._set:
            return None
        return key_to_python(entry)

    def _check_keys(self, what: str) -> None:
        if len(self._set) < len(self):
            unset = next(i for i in range(len(self)) if i not in self._set)
            raise param_error(f"{what}: batch key {unset} is not set")


def batch_arg(batch: Any, what: str) -> as_batch:
    """A live, fully keyed as_batch."""
    batch = owned_arg(batch, as_batch, what)
    batch._check_keys(what)
    return batch


def as_batch_init(size: int) -> as_batch:
    """as_batch_init(&batch, size) / as_batch_inita(): room for `size` keys."""
    return as_batch(c_uint("size", size))


as_batch_new = as_batch_init
as_batch_inita = as_batch_init


def as_batch_destroy(batch: as_batch) -> None:
    """as_batch_destroy(): free the keys (refused while a batch call is using them)."""
    owned_arg(batch, as_batch, "as_batch_destroy")._destroy("as_batch_destroy")


def as_batch_keyat(batch: as_batch, i: int) -> Optional[KeyTuple]:
    """as_batch_keyat(): key i as (ns, set, user_key, digest); None when out of range or unset."""
    batch = owned_arg(batch, as_batch, "as_batch_keyat")
    if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(batch):
        return None
    return batch[i]


_STATUS_MEMBERS: Dict[int, int] = {int(member): member for member in as_status}


def status_of(code: int) -> int:
    """A result code as its as_status member (the plain int for a code C does not name);
    a dict lookup, as it runs once per batch record."""
    return _STATUS_MEMBERS.get(code, code)


@dataclass(frozen=True)
class as_batch_result:  # noqa: N801 - the C type's name
    """`as_batch_result`: key, record (None unless result is AEROSPIKE_OK), result,
    subcode, message, in_doubt."""

    key: KeyTuple
    record: Optional[Record]
    result: int
    subcode: int
    message: Optional[str]
    in_doubt: bool
