"""The C client's own test suite (vendored src/test, unchanged) against the embedded cluster.

Every suite runs on 1 and on 3 embedded nodes; failures must match ledger.txt exactly (a new
failure fails, and so does a ledger entry that now passes). With AEROSPIKE_HOSTS set, the
suite runs once against that real cluster and must pass completely. See README.md here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import c_suite

pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def build() -> Path:
    # The suite's libev is the pinned vendor/libev (c_suite.libev_archive), no system one.
    # A checkout without the C client's sources (the wheels workflow tests an installed
    # wheel from one) cannot build the suite: the sdist's tests, run by cibuildwheel, can.
    try:
        c_suite.c_client_source()
    except RuntimeError as exc:
        if os.environ.get("AEROSPIKE_C_CLIENT_DIR"):
            raise  # a folder named on purpose: a mistake to report
        pytest.skip(f"{exc}: the C suite runs where the C client's sources are")
    return c_suite.build_test_binary()


def test_c_client_suite(build: Path) -> None:
    hosts = os.environ.get("AEROSPIKE_HOSTS", "").strip()
    if hosts:
        suites = c_suite.plan_suites(build)
        results = [r for run in c_suite.run_all(build, hosts, "real", suites) for r in run.results]
        c_suite.SUMMARY_LINES.append(c_suite.summary_line(results, f"cluster {hosts}"))
        failures = [f"{r.suite} {r.test}: {r.message}" for r in results if not r.passed]
        assert not failures, "\n".join(failures)
        return
    results = c_suite.run_embedded(build, c_suite.NODE_COUNTS)
    c_suite.SUMMARY_LINES.append(c_suite.summary_line(results))
    comparison = c_suite.compare(results, c_suite.read_ledger())
    assert comparison.ok, (
        c_suite.report(comparison)
        + "\n(python tests/c_suite/c_suite.py --update-ledger rewrites the ledger; see README.md)")
