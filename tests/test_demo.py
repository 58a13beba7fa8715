"""The README's main command: `python -m aerospike_c demo`."""
from __future__ import annotations

import os
import re
import subprocess
import sys


def run_demo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aerospike_c", "demo", *args],
                          capture_output=True, text=True, timeout=120)


def test_demo_discovers_the_cluster_from_one_seed_and_round_trips_a_record():
    hosts = os.environ.get("AEROSPIKE_HOSTS")
    result = run_demo(*(["--hosts", hosts] if hosts else []))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    discovered = int(re.search(r"nodes discovered: (\d+)", out).group(1))
    if not hosts:
        assert discovered == 3
        assert len(re.findall(r"^  \S+ at 127\.0\.0\.1:\d+: connections", out, re.M)) == 3
    assert discovered >= 1
    assert "read it back: greeting='hello, world' count=1" in out
    assert out.rstrip().endswith("closed and destroyed")


def test_demo_against_an_unreachable_host_reports_the_c_error():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    result = run_demo("--hosts", f"127.0.0.1:{port}")
    assert result.returncode == 1
    assert re.search(r"err\(-10\) .+ at \[src/main/aerospike/\S+\.c:\d+\]", result.stdout), result.stdout
