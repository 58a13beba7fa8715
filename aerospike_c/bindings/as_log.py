"""as_log.h: the C client's log, delivered to a Python callable.

    as_log_set_level(AS_LOG_LEVEL_DEBUG)
    as_log_set_callback(lambda level, func, file, line, message: print(message) or True)

The C callback is variadic, so a C trampoline (csrc/aerospike_c.h) formats each message
and passes the finished text here. The callable runs on whichever C thread logged (the
tend thread, mostly) with the GIL held; an exception inside it never reaches C: it goes to
`sys.unraisablehook` and logging continues. C filters by level before formatting debug and
trace messages, so a level below them costs nothing.
"""
from __future__ import annotations

from typing import Callable, Optional

from .._aerospike import ffi, lib
from ._calls import report_unraisable
from .enums import as_log_level

__all__ = ["as_log_set_level", "as_log_set_callback", "as_log_level_tostring", "as_log_get_level",
           "LogCallback"]

LogCallback = Callable[[as_log_level, str, str, int, str], object]
_callback: Optional[LogCallback] = None


def _text(ptr: object) -> str:
    return "" if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8", "replace")


@ffi.def_extern()
def asc_log_to_python(level: int, func: object, file: object, line: int, message: object) -> bool:
    callback = _callback
    if callback is None or level > lib.g_as_log.level:
        return True
    try:
        callback(as_log_level(level), _text(func), _text(file), line, _text(message))
    except BaseException as exc:  # never let a Python error cross into C
        report_unraisable(exc, callback, "Exception in the as_log callback")
    return True


def _level(level: int) -> int:
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError(f"level must be an as_log_level, not {type(level).__name__}")
    if level not in ffi.typeof("as_log_level").elements:
        raise ValueError(f"level must be one of AS_LOG_LEVEL_ERROR..AS_LOG_LEVEL_TRACE, got {level}")
    return level


def as_log_set_level(level: int) -> None:
    """as_log_set_level(): the most detailed level the C client reports."""
    lib.as_log_set_level(_level(level))


def as_log_get_level() -> as_log_level:
    """g_as_log.level."""
    return as_log_level(lib.g_as_log.level)


def as_log_set_callback(callback: Optional[LogCallback]) -> None:
    """as_log_set_callback(): callback(level, func, file, line, message); None stops logging."""
    global _callback
    if callback is None:
        lib.as_log_set_callback(ffi.NULL)
        _callback = None
        return
    if not callable(callback):
        raise TypeError("callback must be callable or None")
    _callback = callback
    lib.asc_log_enable(lib.g_as_log.level)


def as_log_level_tostring(level: int) -> str:
    """as_log_level_tostring(): "ERROR", "WARN", "INFO", "DEBUG" or "TRACE"."""
    return ffi.string(lib.as_log_level_tostring(_level(level))).decode()
