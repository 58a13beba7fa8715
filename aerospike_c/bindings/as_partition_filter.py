"""as_partition_filter.h: the partitions a scan or query reads.

    pf = as_partition_filter()              # as_partition_filter pf;
    as_partition_filter_set_range(pf, 0, 1024)
    aerospike_scan_partitions(as_, None, scan, pf, callback)

Fields by C name (`begin`, `count`, `digest`). A filter set with
as_partition_filter_set_after() resumes after a record's digest in its partition.
"""
from __future__ import annotations

from typing import Any

from .._aerospike import ffi, lib
from ._calls import c_uint
from ._cstruct import CStruct, Owner

__all__ = ["as_partition_filter", "as_partition_filter_set_all", "as_partition_filter_set_id",
           "as_partition_filter_set_range", "as_partition_filter_set_after"]

_DIGEST_SIZE = lib.AS_DIGEST_VALUE_SIZE


class as_partition_filter(CStruct, Owner):  # noqa: N801 - the C type's name
    """`as_partition_filter`: begin, count, digest; all partitions until set otherwise."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(ffi.new("as_partition_filter*"), self, "as_partition_filter")
        lib.as_partition_filter_set_all(self._ptr)

    def _check_writable(self, what: str) -> None:
        pass

    def __repr__(self) -> str:
        return f"<as_partition_filter begin={self._ptr.begin} count={self._ptr.count}>"


def filter_arg(pf: Any) -> Any:
    """The `as_partition_filter*` of a filter argument."""
    if not isinstance(pf, as_partition_filter):
        raise TypeError(f"pf must be an as_partition_filter, not {type(pf).__name__}")
    return pf._ptr


def _partition(name: str, value: Any) -> int:
    value = c_uint(name, value)
    if value >= 4096:
        raise ValueError(f"{name} must be a partition id in [0, 4095], got {value}")
    return value


def as_partition_filter_set_all(pf: as_partition_filter) -> None:
    """as_partition_filter_set_all(): every partition (0, 4096)."""
    lib.as_partition_filter_set_all(filter_arg(pf))


def as_partition_filter_set_id(pf: as_partition_filter, part_id: int) -> None:
    """as_partition_filter_set_id(): the one partition `part_id`."""
    lib.as_partition_filter_set_id(filter_arg(pf), _partition("part_id", part_id))


def as_partition_filter_set_range(pf: as_partition_filter, begin: int, count: int) -> None:
    """as_partition_filter_set_range(): partitions begin .. begin + count - 1."""
    ptr = filter_arg(pf)
    begin = _partition("begin", begin)
    if not 1 <= c_uint("count", count) <= 4096 - begin:
        raise ValueError(f"count must be in [1, {4096 - begin}] for begin={begin}, got {count}")
    lib.as_partition_filter_set_range(ptr, begin, count)


def as_partition_filter_set_after(pf: as_partition_filter, digest: bytes) -> None:
    """as_partition_filter_set_after(): the records after `digest` (20 bytes) in its partition."""
    ptr = filter_arg(pf)
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != _DIGEST_SIZE:
        raise TypeError(f"digest must be {_DIGEST_SIZE} bytes")
    c_digest = ffi.new("as_digest*")
    c_digest.init = True
    ffi.memmove(c_digest.value, bytes(digest), _DIGEST_SIZE)
    lib.as_partition_filter_set_after(ptr, c_digest)
