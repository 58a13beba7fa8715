"""The C suite runner's own logic: reading the binary's output and the ledger rules."""

from __future__ import annotations

from pathlib import Path

import c_suite
from c_suite import LedgerEntry, CaseResult

OUTPUT = """
[+] demo[3] :: demo suite
    [+] demo[first] :: first
    [+] demo[second] :: second
        [✘] assertion failed: rc == 2, when 0 was expected. [at demo.c:10]
    [+] demo[third] :: third
"""


def test_a_started_test_passes_unless_a_failure_line_follows():
    results = c_suite.parse_output(OUTPUT, "1", "demo", "ok", ["first", "second", "third"])
    assert [(r.test, r.passed) for r in results] == [
        ("first", True), ("second", False), ("third", True)]
    assert results[1].message.startswith("assertion failed: rc == 2")


def test_a_crash_fails_the_running_test_and_the_ones_never_reached():
    crashed = OUTPUT.replace("[3]", "[5]")
    results = c_suite.parse_output(crashed, "3", "demo", "crashed: signal 11 (SIGSEGV)",
                                   ["first", "second", "third", "fourth", "fifth"])
    assert [(r.test, r.passed, r.message) for r in results[2:]] == [
        ("third", False, "crashed: signal 11 (SIGSEGV)"),
        ("fourth", False, "crashed: signal 11 (SIGSEGV)"),
        ("fifth", False, "crashed: signal 11 (SIGSEGV)")]


def test_a_failed_suite_set_up_fails_every_declared_test():
    results = c_suite.parse_output("[+] demo[2] :: demo suite\n", "1", "demo", "ok",
                                   ["first", "second"], "        ERROR: cannot register\n")
    assert [(r.test, r.passed) for r in results] == [("first", False), ("second", False)]
    assert "suite set-up failed" in results[0].message


def test_a_version_skip_runs_no_test():
    assert c_suite.parse_output("[+] demo[2] :: demo suite\n", "1", "demo", "ok",
                                ["first", "second"], skipped=True) == []
    assert c_suite.suite_skipped("string", (8, 1, 2, 0)) is not None
    assert c_suite.suite_skipped("string", (8, 2, 0, 0)) is None
    assert c_suite.suite_skipped("key_basics", (8, 1, 2, 0)) is None


def test_the_ledger_catches_new_failures_and_fixed_entries():
    results = [CaseResult("1", "demo", "first", True), CaseResult("1", "demo", "second", False, "x"),
               CaseResult("1", "demo", "third", False, "y"), CaseResult("1", "demo", "fourth", True)]
    ledger = {entry.key: entry for entry in [
        LedgerEntry("1", "demo", "second", "known"),
        LedgerEntry("1", "demo", "first", "was broken"),
        LedgerEntry("1", "demo", "fourth", "timing", flaky=True)]}
    comparison = c_suite.compare(results, ledger)
    assert not comparison.ok
    assert [r.test for r in comparison.unexpected] == ["third"]
    assert [e.test for e in comparison.fixed] == ["first"]
    assert (comparison.passed, comparison.failed) == (2, 2)


def test_update_keeps_reasons_and_flaky_marks(tmp_path: Path):
    ledger = tmp_path / "ledger.txt"
    ledger.write_text("# header\n1 demo second  # known cause\n1 demo fourth flaky  # timing\n")
    results = [CaseResult("1", "demo", "second", False, "x"), CaseResult("1", "demo", "third", False, "y"),
               CaseResult("1", "demo", "fourth", True)]
    assert c_suite.write_ledger(results, ledger) == 3
    assert ledger.read_text().splitlines() == [
        "# header", "1 demo fourth flaky  # timing", "1 demo second  # known cause",
        "1 demo third  # NEW: y"]
    assert c_suite.compare(results, c_suite.read_ledger(ledger)).ok


def test_the_newer_suites_run_on_a_cluster_that_reports_a_build_they_accept():
    from aerospike_c.testing.server.config import build_version

    for suite in c_suite.MIN_SERVER_VERSION:
        assert c_suite.suite_skipped(suite, build_version(c_suite.NEWER_BUILD)) is None
