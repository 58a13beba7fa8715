"""The benchmark harness (benchmarks/run.py) still runs end to end: aerospike_c only, tiny
counts, one run. It checks that the harness works, not how fast anything is."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.mark.timeout(240)
def test_harness_reports_every_case_for_aerospike_c(tmp_path: Path) -> None:
    command = [sys.executable, str(RUN), "--clients", "aerospike_c", "--runs", "1",
               "--scale", "0.01", "--keys", "200", "--scan-records", "300",
               "--memory-ops", "300", "--output", str(tmp_path), "--no-chart"]
    hosts = os.environ.get("AEROSPIKE_HOSTS", "").strip()
    if hosts:
        command += ["--hosts", hosts]
    done = subprocess.run(command, capture_output=True, text=True, timeout=230)
    assert done.returncode == 0, done.stderr[-3000:]

    saved = json.loads((tmp_path / "latest.json").read_text())
    summary = saved["summary"]
    assert sorted(summary) == sorted(saved["case_order"])
    for case, by_client in summary.items():
        figures = by_client["aerospike_c"]
        assert figures["status"] == "ok", (case, figures)
        assert figures["throughput"] > 0 and figures["cpu_us"] > 0, (case, figures)
        assert 0 < figures["p50_us"] <= figures["p99_us"], (case, figures)
        assert figures["maxrss_mib"] > 0, (case, figures)
    # every preloaded record was found by the reads (a batch of 1000 over 200 keys reads
    # each key 5 times; the scan reads the whole scan set, which a real server may hold
    # more of from earlier runs)
    assert summary["batch_1000"]["aerospike_c"]["records_per_run"] == 2 * 1000
    assert summary["scan"]["aerospike_c"]["records_per_run"] >= 300
    # the console table names every case
    table_lines = [line for line in done.stdout.splitlines() if "aerospike_c" in line]
    assert {line.split()[0] for line in table_lines} == set(summary)
