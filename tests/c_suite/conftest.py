"""Print the C client suite's summary line in pytest's terminal summary (with or without -s)."""

from __future__ import annotations

import pytest

import c_suite


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in c_suite.SUMMARY_LINES:
        terminalreporter.write_line(line)
