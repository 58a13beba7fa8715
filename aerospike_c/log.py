"""The C client's log in Python `logging`, under the logger "aerospike_c.c_client".

    import logging, aerospike_c.log
    logging.basicConfig(level=logging.INFO)
    aerospike_c.log.enable()          # C level follows the logger's effective level

Levels map both ways: ERROR, WARN->WARNING, INFO, DEBUG, and TRACE -> 5 (named "TRACE").
`enable()` sets the C level from the logger, so messages the logger would drop are not
even formatted in C; call it again after changing the logger's level. Records carry the C
function, file and line. Built on `as_log_set_level` / `as_log_set_callback`.
"""
from __future__ import annotations

import logging
from typing import Optional

from .bindings import as_log as c_log
from .bindings.enums import as_log_level

__all__ = ["LOGGER_NAME", "TRACE", "enable", "disable", "c_level_for", "python_level_for"]

LOGGER_NAME = "aerospike_c.c_client"
TRACE = 5
logging.addLevelName(TRACE, "TRACE")

_PYTHON_LEVELS = {
    as_log_level.AS_LOG_LEVEL_ERROR: logging.ERROR,
    as_log_level.AS_LOG_LEVEL_WARN: logging.WARNING,
    as_log_level.AS_LOG_LEVEL_INFO: logging.INFO,
    as_log_level.AS_LOG_LEVEL_DEBUG: logging.DEBUG,
    as_log_level.AS_LOG_LEVEL_TRACE: TRACE,
}


def python_level_for(level: int) -> int:
    """The `logging` level of a C as_log_level."""
    return _PYTHON_LEVELS[as_log_level(level)]


def c_level_for(python_level: int) -> as_log_level:
    """The most detailed C level whose messages a logger at `python_level` keeps."""
    kept = [c for c, py in _PYTHON_LEVELS.items() if py >= python_level]
    return max(kept) if kept else as_log_level.AS_LOG_LEVEL_ERROR


def enable(logger: Optional[logging.Logger] = None, level: Optional[int] = None) -> None:
    """Send the C client's log to `logger` (default "aerospike_c.c_client")."""
    target = logger or logging.getLogger(LOGGER_NAME)
    python_level = level if level is not None else target.getEffectiveLevel()

    def emit(c_level: as_log_level, func: str, file: str, line: int, message: str) -> None:
        py_level = _PYTHON_LEVELS[c_level]
        if target.isEnabledFor(py_level):
            target.handle(target.makeRecord(target.name, py_level, file, line, message, (), None, func))

    c_log.as_log_set_level(c_level_for(python_level))
    c_log.as_log_set_callback(emit)


def disable() -> None:
    """Stop delivering the C client's log."""
    c_log.as_log_set_callback(None)
