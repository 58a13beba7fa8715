"""as_error.h: the one place where a C status becomes a Python exception.

Every binding that calls a C function taking `as_error*` allocates it with `new_error()`
and passes the returned status through `check(status, err)`: the bound C calls raise
instead of filling an `as_error` out-parameter.

For C code that passes an `as_error` between its own functions, `as_error` is also a
struct of its own, with the header's functions:

    err = as_error()                          # as_error err;
    as_error_init(err)                        # as_error_init(&err);
    try:
        aerospike_key_get(as_, None, key)
    except AerospikeError as e:
        as_error_copy(err, e)                 # the raised error, as the C call fills it
    if err.code != AEROSPIKE_OK: ...
    as_error_update(err, AEROSPIKE_ERR_PARAM, "bad bin %s", name)   # func/file/line: the caller's
"""
from __future__ import annotations

import sys
from typing import Any, NoReturn, Optional, Union

from .._aerospike import ffi, lib
from ..exceptions import AerospikeError, LifecycleError, error_class
from .as_status import as_status

__all__ = ["new_error", "check", "raise_error", "error_from_c", "as_error_string", "lifecycle_error",
           "as_error", "as_error_init", "as_error_reset", "as_error_copy", "as_error_append",
           "as_error_update", "as_error_set_message", "as_error_set_in_doubt"]


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


def _status_value(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (an as_status), not {type(value).__name__}")
    if not -(1 << 31) <= value < (1 << 31):
        raise ValueError(f"{name} {value} is not an as_status value")
    return int(value)


def _uint32(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value < (1 << 32):
        raise ValueError(f"{name} must be in [0, 2**32), got {value}")
    return int(value)


def _c_text(name: str, value: Any) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    data = value.encode("utf-8")
    if b"\0" in data:
        raise ValueError(f"{name} must not contain NUL characters")
    return data


class as_error:  # noqa: N801 - the C type's name
    """`as_error`: code, subcode, message, func, file, line, in_doubt (as_error_init'ed).

    `code`, `subcode`, `line` and `in_doubt` are settable as in C; the message, func and
    file are set through as_error_update()/as_error_set_message()/as_error_copy(), which
    keep the strings func and file point at alive as long as this struct."""

    __slots__ = ("_ptr", "_strings")

    def __init__(self) -> None:
        self._ptr = ffi.new("as_error*")  # owns the memory: keep this cdata, not a copy of it
        lib.as_error_init(self._ptr)
        self._strings: tuple[Any, ...] = ()  # the char[] that func and file point at

    code = property(lambda self: int(self._ptr.code),
                    lambda self, v: setattr(self._ptr, "code", _status_value("code", v)))
    subcode = property(lambda self: int(self._ptr.subcode),
                       lambda self, v: setattr(self._ptr, "subcode", _uint32("subcode", v)))
    line = property(lambda self: int(self._ptr.line),
                    lambda self, v: setattr(self._ptr, "line", _uint32("line", v)))

    @property
    def in_doubt(self) -> bool:
        return bool(self._ptr.in_doubt)

    @in_doubt.setter
    def in_doubt(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"in_doubt must be a bool, not {type(value).__name__}")
        self._ptr.in_doubt = value

    @property
    def message(self) -> str:
        return ffi.string(self._ptr.message).decode("utf-8", "replace")

    @property
    def func(self) -> Optional[str]:
        return _text(self._ptr.func)

    @property
    def file(self) -> Optional[str]:
        return _text(self._ptr.file)

    def _set_origin(self, func: Optional[str], file: Optional[str]) -> tuple[Any, Any]:
        c_func = ffi.NULL if func is None else ffi.new("char[]", _c_text("func", func))
        c_file = ffi.NULL if file is None else ffi.new("char[]", _c_text("file", file))
        self._strings = (c_func, c_file)
        return c_func, c_file

    def __repr__(self) -> str:
        return (f"<as_error {as_error_string(self.code)} ({self.code}) {self.message!r}"
                f"{' in_doubt' if self.in_doubt else ''}>")


def _error_arg(err: Any, name: str = "err") -> as_error:
    if not isinstance(err, as_error):
        raise TypeError(f"{name} must be an as_error, not {type(err).__name__}")
    return err


def as_error_init(err: as_error) -> as_error:
    """as_error_init(): reset every field (AEROSPIKE_OK, empty message, no origin); returns err."""
    lib.as_error_init(_error_arg(err)._ptr)
    err._strings = ()
    return err


def as_error_reset(err: as_error) -> int:
    """as_error_reset(): as as_error_init(), returning AEROSPIKE_OK."""
    status = int(lib.as_error_reset(_error_arg(err)._ptr))
    err._strings = ()
    return status


def as_error_copy(trg: as_error, src: Union[as_error, AerospikeError]) -> None:
    """as_error_copy(): copy every field of src into trg. `src` may also be a raised
    AerospikeError: trg then holds what the C call would have filled its as_error with."""
    _error_arg(trg, "trg")
    if isinstance(src, as_error):
        lib.as_error_copy(trg._ptr, src._ptr)
        trg._strings = src._strings
        return
    if not isinstance(src, AerospikeError):
        raise TypeError(f"src must be an as_error or an AerospikeError, not {type(src).__name__}")
    code, line = _status_value("code", src.code), _uint32("line", src.line or 0)
    subcode = _uint32("subcode", src.subcode or 0)
    if not isinstance(src.message, str):
        raise TypeError(f"src.message must be a str, not {type(src.message).__name__}")
    message = src.message.encode("utf-8", "replace").replace(b"\0", b"?")
    c_func, c_file = trg._set_origin(src.func, src.file)
    lib.as_error_setall(trg._ptr, code, message, c_func, c_file, line)
    trg._ptr.subcode = subcode
    trg._ptr.in_doubt = bool(src.in_doubt)


def as_error_append(err: as_error, str: str) -> None:  # noqa: A002 - the C argument's name
    """as_error_append(): append to the message, truncated to the C buffer."""
    lib.as_error_append(_error_arg(err)._ptr, _c_text("str", str))


def _set(err: as_error, code: Any, message: bytes, depth: int) -> int:
    status = _status_value("code", code)
    caller = sys._getframe(depth)
    c_func, c_file = err._set_origin(caller.f_code.co_name, caller.f_code.co_filename)
    return int(lib.as_error_setall(err._ptr, status, message, c_func, c_file, caller.f_lineno))


def as_error_update(err: as_error, code: int, fmt: str, *args: Any) -> int:
    """as_error_update(): set code and message (`fmt % args`, printf-style as in C), the
    caller's function, file and line, in_doubt false; returns code. The message is
    truncated to the C buffer as vsnprintf truncates it."""
    _error_arg(err)
    text = fmt % args if args else fmt
    return _set(err, code, _c_text("fmt", text), 2)


def as_error_set_message(err: as_error, code: int, msg: str) -> int:
    """as_error_set_message(): as as_error_update() with a message that is not a format."""
    _error_arg(err)
    return _set(err, code, _c_text("msg", msg), 2)


def as_error_set_in_doubt(err: as_error, is_read: bool, command_sent_counter: int) -> None:
    """as_error_set_in_doubt(): a write is in doubt when it was sent more than once, or once
    and then failed by timeout or a client error."""
    _error_arg(err)
    if not isinstance(is_read, bool):
        raise TypeError(f"is_read must be a bool, not {type(is_read).__name__}")
    lib.as_error_set_in_doubt(err._ptr, is_read, _uint32("command_sent_counter",
                                                         command_sent_counter))
