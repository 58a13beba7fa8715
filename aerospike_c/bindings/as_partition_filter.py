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
from ._cstruct import CStruct, SelfOwned, register_field

__all__ = ["as_partition_filter", "as_partition_filter_set_all", "as_partition_filter_set_id",
           "as_partition_filter_set_range", "as_partition_filter_set_after",
           "as_partitions_status", "as_partition_filter_set_partitions"]

_DIGEST_SIZE = lib.AS_DIGEST_VALUE_SIZE


class as_partitions_status:  # noqa: N801 - the C type's name
    """`as_partitions_status`: the progress of a paginated scan or query (read from its
    `parts_all` field), to resume it with as_scan_set_partitions() /
    as_partition_filter_set_partitions(). Holds one C reference, released when collected;
    part_begin, part_count and done are read-only."""

    __slots__ = ("_ptr",)

    def __init__(self, ptr: Any) -> None:
        self._ptr = lib.as_partitions_status_reserve(ptr)

    def __del__(self) -> None:
        ptr = getattr(self, "_ptr", None)
        if ptr is not None:
            lib.as_partitions_status_release(ptr)

    @property
    def part_begin(self) -> int:
        return int(self._ptr.part_begin)

    @property
    def part_count(self) -> int:
        return int(self._ptr.part_count)

    @property
    def done(self) -> bool:
        return bool(self._ptr.done)

    def __repr__(self) -> str:
        return (f"<as_partitions_status begin={self.part_begin} count={self.part_count}"
                f"{' done' if self.done else ''}>")


def partitions_status_field(view: CStruct) -> Any:
    """The getter of a scan's/query's `parts_all` field: None or an as_partitions_status."""
    ptr = view._ptr.parts_all
    return None if ptr == ffi.NULL else as_partitions_status(ptr)


def partitions_status_arg(parts_all: Any) -> Any:
    """The `as_partitions_status*` of a parts_all argument."""
    if not isinstance(parts_all, as_partitions_status):
        raise TypeError(f"parts_all must be an as_partitions_status (a paginated scan's or "
                        f"query's parts_all), not {type(parts_all).__name__}")
    return parts_all._ptr


class as_partition_filter(SelfOwned):  # noqa: N801 - the C type's name
    """`as_partition_filter`: begin, count, digest; all partitions until set otherwise."""

    __slots__ = ("_parts_all",)

    def __init__(self) -> None:
        super().__init__(ffi.new("as_partition_filter*"), self, "as_partition_filter")
        object.__setattr__(self, "_parts_all", None)  # what pf->parts_all points at
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


def as_partition_filter_set_partitions(pf: as_partition_filter,
                                       parts_all: as_partitions_status) -> None:
    """as_partition_filter_set_partitions(): resume where a paginated scan or query stopped
    (its begin and count; the filter keeps parts_all alive)."""
    ptr = filter_arg(pf)
    c_parts = partitions_status_arg(parts_all)
    lib.as_partition_filter_set_partitions(ptr, c_parts)
    object.__setattr__(pf, "_parts_all", parts_all)


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


register_field("as_partition_filter", "parts_all", partitions_status_field)
