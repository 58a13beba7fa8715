"""as_bin.h: one bin of a record, as a record iterator hands it out.

    it = as_record_iterator_new(rec)
    while as_record_iterator_has_next(it):
        bin = as_record_iterator_next(it)
        as_bin_get_name(bin), as_bin_get_value(bin), as_bin_get_type(bin)

An `as_bin` here is a snapshot of the C bin (name, Python value, as_val_t type): reading it
never touches the record again.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .._aerospike import ffi, lib
from .as_val import bin_value_from_c

__all__ = ["as_bin", "as_bin_get_name", "as_bin_get_value", "as_bin_get_type"]


class as_bin(NamedTuple):  # noqa: N801 - the C type's name
    """`as_bin`: the bin's name, its value as a Python value, its as_val_t type code."""

    name: str
    value: Any
    type: int


def bin_from_c(ptr: Any) -> as_bin:
    """An `as_bin` from an `as_bin*` (valuep NULL: an AS_NIL bin)."""
    valuep = ptr.valuep
    c_type = lib.AS_NIL if valuep == ffi.NULL else valuep.nil.type
    return as_bin(ffi.string(ptr.name).decode("utf-8", "replace"), bin_value_from_c(valuep), c_type)


def _bin(bin: Any) -> as_bin:  # noqa: A002 - C name
    if not isinstance(bin, as_bin):
        raise TypeError(f"expected an as_bin, got {type(bin).__name__}")
    return bin


def as_bin_get_name(bin: as_bin) -> str:  # noqa: A002 - C name
    """as_bin_get_name(): the bin's name."""
    return _bin(bin).name


def as_bin_get_value(bin: as_bin) -> Any:  # noqa: A002 - C name
    """as_bin_get_value(): the bin's value (None for a nil bin)."""
    return _bin(bin).value


def as_bin_get_type(bin: as_bin) -> int:  # noqa: A002 - C name
    """as_bin_get_type(): the value's as_val_t (AS_INTEGER, AS_STRING ...)."""
    return _bin(bin).type
