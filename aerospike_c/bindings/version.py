"""version.h: the C client's version, read from the compiled library."""
from __future__ import annotations

from .._aerospike import ffi, lib

C_CLIENT_VERSION: str = ffi.string(lib.asc_client_version()).decode()

__all__ = ["C_CLIENT_VERSION"]
