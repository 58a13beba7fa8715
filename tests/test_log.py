"""The C client's log reaches Python: the C-faithful callback and the logging bridge."""
from __future__ import annotations

import logging
import socket

import pytest

import aerospike_c as asc
import aerospike_c.log


def failing_connect() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    client = asc.Client(hosts=[("127.0.0.1", port)], conn_timeout_ms=200)
    try:
        with pytest.raises(asc.AerospikeConnectionError):
            client.connect()
    finally:
        client.destroy()


@pytest.fixture(autouse=True)
def restore_log():
    yield
    asc.as_log_set_callback(None)
    asc.as_log_set_level(asc.AS_LOG_LEVEL_INFO)


def test_c_faithful_callback_gets_level_function_file_line_and_text():
    seen = []
    asc.as_log_set_level(asc.AS_LOG_LEVEL_DEBUG)
    asc.as_log_set_callback(lambda *record: seen.append(record) or True)
    failing_connect()
    warnings = [r for r in seen if r[0] == asc.AS_LOG_LEVEL_WARN]
    assert warnings, seen
    level, func, file, line, message = warnings[0]
    assert func and file.endswith(".c") and line > 0
    assert "127.0.0.1" in message and "%" not in message  # formatted in C


def test_exceptions_in_the_callback_never_reach_c(monkeypatch):
    reported = []
    monkeypatch.setattr("sys.unraisablehook", reported.append)
    asc.as_log_set_callback(lambda *record: 1 / 0)
    failing_connect()  # still raises the connection error, not ZeroDivisionError
    assert reported and isinstance(reported[0].exc_value, ZeroDivisionError)


def test_bridge_maps_levels_and_filters_in_c(caplog):
    logger = logging.getLogger(aerospike_c.log.LOGGER_NAME)
    with caplog.at_level(logging.WARNING, logger=aerospike_c.log.LOGGER_NAME):
        aerospike_c.log.enable(logger)
        assert asc.as_log_get_level() == asc.AS_LOG_LEVEL_WARN
        failing_connect()
    records = [r for r in caplog.records if r.name == aerospike_c.log.LOGGER_NAME]
    assert records and all(r.levelno >= logging.WARNING for r in records)
    assert records[0].pathname.endswith(".c") and records[0].funcName and records[0].lineno > 0


@pytest.mark.parametrize("python_level, c_level", [
    (logging.ERROR, asc.AS_LOG_LEVEL_ERROR), (logging.WARNING, asc.AS_LOG_LEVEL_WARN),
    (logging.INFO, asc.AS_LOG_LEVEL_INFO), (logging.DEBUG, asc.AS_LOG_LEVEL_DEBUG),
    (aerospike_c.log.TRACE, asc.AS_LOG_LEVEL_TRACE), (logging.CRITICAL, asc.AS_LOG_LEVEL_ERROR),
])
def test_levels_map_both_ways(python_level, c_level):
    assert aerospike_c.log.c_level_for(python_level) == c_level
    if python_level != logging.CRITICAL:
        assert aerospike_c.log.python_level_for(c_level) == python_level


def test_bad_levels_and_callbacks():
    with pytest.raises(ValueError):
        asc.as_log_set_level(9)
    with pytest.raises(TypeError):
        asc.as_log_set_level("DEBUG")
    with pytest.raises(TypeError):
        asc.as_log_set_callback("print")
    assert asc.as_log_level_tostring(asc.AS_LOG_LEVEL_TRACE) == "TRACE"
