"""as_error.h: the one place where a C status becomes a Python exception.

Every binding that calls a C function taking `as_error*` allocates it with `new_error()`
and passes the returned status through `check(status, err)`.
"""
from __future__ import annotations

from typing import Any, NoReturn, Optional

from .._aerospike import ffi, lib
from ..exceptions import AerospikeError, LifecycleError, error_class
from .as_status import as_status

__all__ = ["new_error", "check", "raise_error", "error_from_c", "as_error_string", "lifecycle_error"]


def new_error() -> Any:
    """A zeroed `as_error*` (as_error_init)."""
    return ffi.new("as_error*")


def _text(ptr: Any) -> Optional[str]:
    return None if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8", "replace")


def error_from_c(err: Any, status: Optional[int] = None) -> AerospikeError:
    """The exception for a filled `as_error*`; `status` wins when C returned a code but left err unset."""
    code = err.code if status is None or err.code != 0 else status
    message = ffi.string(err.message).decode("utf-8", "replace")
    if not message:
        message = as_error_string(code)
    return error_class(code)(
        code, message, subcode=err.subcode, func=_text(err.func), file=_text(err.file),
        line=err.line, in_doubt=bool(err.in_doubt),
    )


def raise_error(err: Any, status: Optional[int] = None) -> NoReturn:
    raise error_from_c(err, status)


def check(status: int, err: Any) -> None:
    """Raise the `as_error` when a C call returned anything but AEROSPIKE_OK."""
    if status != 0:
        raise error_from_c(err, status)


def as_error_string(status: int) -> str:
    """as_error_string(): the C client's name for a status code ("AEROSPIKE_ERR_TIMEOUT" style)."""
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"status must be an int, not {type(status).__name__}")
    if not -(1 << 31) <= status < (1 << 31):
        raise ValueError(f"status {status} is not an as_status value")
    return ffi.string(lib.as_error_string(status)).decode()


def lifecycle_error(message: str) -> LifecycleError:
    """A misuse the C client would crash on, reported with AEROSPIKE_ERR_CLIENT."""
    return LifecycleError(as_status.AEROSPIKE_ERR_CLIENT, message)
