"""as_record_iterator.h: the bins of a record, one at a time, in the record's order.

    it = as_record_iterator_new(rec)           # as_record_iterator it; as_record_iterator_init(&it, rec)
    while as_record_iterator_has_next(it):
        bin = as_record_iterator_next(it)      # an as_bin: name, value, type
    as_record_iterator_destroy(it)

The iterator keeps its record alive; once the record is destroyed (as_record_destroy) the
iterator raises LifecycleError instead of reading freed bins.
"""
from __future__ import annotations

from typing import Any, Optional

from .._aerospike import ffi, lib
from ._calls import UsedStruct
from .as_bin import as_bin, bin_from_c
from .as_record import as_record

__all__ = ["as_record_iterator", "as_record_iterator_new", "as_record_iterator_init",
           "as_record_iterator_has_next", "as_record_iterator_next", "as_record_iterator_destroy"]


class as_record_iterator(UsedStruct):  # noqa: N801 - the C type's name
    """`as_record_iterator`: over the bins of one as_record (kept alive by the iterator)."""

    __slots__ = ("_record",)
    ctype = "as_record_iterator"
    _c_destroy = lib.as_record_iterator_destroy

    def __init__(self, rec: as_record) -> None:
        if not isinstance(rec, as_record):
            raise TypeError(f"expected an as_record, got {type(rec).__name__}")
        rec._check_writable("as_record_iterator_init")
        object.__setattr__(self, "_record", rec)
        super().__init__(lambda p: lib.as_record_iterator_init(p, rec._ptr))

    def _live(self, what: str) -> None:
        """Refuse an iterator that was destroyed, or whose record was."""
        self._check_writable(what)
        self._record._check_writable(what)


def _iterator(it: Any, what: str) -> as_record_iterator:
    if not isinstance(it, as_record_iterator):
        raise TypeError(f"expected an as_record_iterator, got {type(it).__name__}")
    return it


def _live(it: Any, what: str) -> Any:
    iterator = _iterator(it, what)
    iterator._live(what)
    return iterator._ptr


def as_record_iterator_new(rec: as_record) -> as_record_iterator:
    """as_record_iterator_new(rec): an iterator over the record's bins."""
    return as_record_iterator(rec)


as_record_iterator_init = as_record_iterator_new


def as_record_iterator_has_next(it: as_record_iterator) -> bool:
    """as_record_iterator_has_next(): whether another bin follows."""
    return bool(lib.as_record_iterator_has_next(_live(it, "as_record_iterator_has_next")))


def as_record_iterator_next(it: as_record_iterator) -> Optional[as_bin]:
    """as_record_iterator_next(): the next bin, or None past the last (C's NULL)."""
    ptr = lib.as_record_iterator_next(_live(it, "as_record_iterator_next"))
    return None if ptr == ffi.NULL else bin_from_c(ptr)


def as_record_iterator_destroy(it: as_record_iterator) -> None:
    """as_record_iterator_destroy(): the iterator is unusable afterwards."""
    _iterator(it, "as_record_iterator_destroy")._destroy("as_record_iterator_destroy")

