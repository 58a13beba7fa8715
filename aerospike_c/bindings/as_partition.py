"""as_partition.h: which partition a key's digest falls into.

    part_id = as_partition_getid(key.digest.value, 4096)   # C: as_partition_getid(digest, n)

The partition tables themselves are the tend thread's (internal).
"""
from __future__ import annotations

from typing import Any

from .._aerospike import ffi
from ._calls import c_uint

__all__ = ["as_partition_getid"]

_DIGEST_SIZE = 20
_DIGEST_TYPE = ffi.typeof("uint8_t[20]")


def as_partition_getid(digest: Any, n_partitions: int) -> int:
    """as_partition_getid(): the digest's first two bytes (little-endian, as on every platform
    the C client runs on) masked to n_partitions, a power of two (4096 on every server).
    digest: 20 bytes, or a key's digest.value (the C uint8_t[20])."""
    if isinstance(digest, ffi.CData) and ffi.typeof(digest) is _DIGEST_TYPE:
        digest = bytes(ffi.buffer(digest))
    if not isinstance(digest, (bytes, bytearray, memoryview)) or len(digest) != _DIGEST_SIZE:
        raise TypeError(f"digest must be {_DIGEST_SIZE} bytes or an as_digest's value")
    n = c_uint("n_partitions", n_partitions, 32)
    if n == 0 or n & (n - 1):  # C would mask with n - 1 all the same
        raise ValueError(f"n_partitions must be a power of two, not {n}")
    return int.from_bytes(bytes(digest[:2]), "little") & (n - 1)
