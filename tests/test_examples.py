"""Every example in examples/ runs to completion against the test cluster (exit status 0,
its success line printed), and one runs on its own embedded cluster, as it does by default."""
from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import List, Tuple

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
TIMEOUT_S = 120

# One name per examples/<name>.py (append new examples here).
EXAMPLES = ["put", "get", "exists", "remove", "touch", "generation", "incr", "append", "list", "map",
            "batch_get", "scan", "query", "info", "connect", "expire", "query_projection", "udf", "scan_background",
            "scan_projection", "aggregate_query", "async_get", "async_delay_queue", "geo_simple",
            "async_batch_get"]


def run_example(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(EXAMPLES_DIR / f"{name}.py"), *args],
                          capture_output=True, text=True, timeout=TIMEOUT_S, cwd=EXAMPLES_DIR)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_against_the_cluster(name: str, aerospike_hosts: List[Tuple[str, int]]) -> None:
    hosts = ",".join(f"{host}:{port}" for host, port in aerospike_hosts)
    result = run_example(name, "--hosts", hosts, "--set", f"eg_{uuid.uuid4().hex[:12]}")
    assert result.returncode == 0, result.stdout + result.stderr
    # the C program's own success line ("query projection example ..." for query_projection)
    assert any(f"{label} example successfully completed" in result.stdout
               for label in (name, name.replace("_", " "))), result.stdout


def test_examples_start_an_embedded_cluster_without_hosts() -> None:
    result = run_example("put")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "embedded cluster" in result.stdout and "put example successfully completed" in result.stdout


def test_every_example_file_is_run_by_this_module() -> None:
    on_disk = {p.stem for p in EXAMPLES_DIR.glob("*.py") if not p.stem.startswith("_")}
    # each example is exercised by the test above, or (own command line) by one of its own
    assert on_disk == set(EXAMPLES) | {"probe_server_facts", "transaction", "async_transaction"}


def test_transaction_example_on_a_strong_consistency_cluster() -> None:
    # Transactions need a strong-consistency namespace: the example starts its embedded
    # cluster that way (the session's cluster is AP, as the other examples expect).
    result = run_example("transaction")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Commit transaction" in result.stdout
    assert "transaction example successfully completed" in result.stdout


def test_async_transaction_example_on_a_strong_consistency_cluster() -> None:
    # As the transaction example: its own strong-consistency embedded cluster.
    result = run_example("async_transaction")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "transaction committed" in result.stdout
    assert "async transaction example successfully completed" in result.stdout


def test_connect_example_over_tls(tmp_path: Path) -> None:
    from testing.cluster_helpers import self_signed_certificate
    from aerospike_c.testing import EmbeddedCluster

    certfile, keyfile = self_signed_certificate(tmp_path)
    with EmbeddedCluster(nodes=1, tls_certfile=certfile, tls_keyfile=keyfile) as cluster:
        hosts = ",".join(f"{host}:{port}" for host, port in cluster.hosts)
        result = run_example("connect", "--hosts", hosts, "--ca-file", certfile,
                             "--tls-name", "localhost")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "using TLS" in result.stdout and "connect example successfully completed" in result.stdout


def test_probe_server_facts_reports_the_cluster(aerospike_hosts: List[Tuple[str, int]]) -> None:
    import aerospike_c as asc
    from aerospike_c.testing import request_info

    host, port = aerospike_hosts[0]
    result = run_example("probe_server_facts", "--host", host, "--port", str(port))
    assert result.returncode == 0, result.stdout + result.stderr
    facts = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert set(facts) == {"SERVER_VERSION", "SERVER_ENTERPRISE", "NAMESPACE_STRONG_CONSISTENCY",
                          "NAMESPACE_TTL_SUPPORT"}
    builds = {asc.as_version_to_string(asc.as_version_from_string(request_info(address, "build")["build"]))
              for address in aerospike_hosts}
    assert facts["SERVER_VERSION"] in builds
    assert {facts[k] for k in facts if k != "SERVER_VERSION"} <= {"true", "false"}


def test_probe_server_facts_fails_on_an_unknown_namespace() -> None:
    result = run_example("probe_server_facts", "--namespace", "no_such_namespace")
    assert result.returncode == 1
    assert "no_such_namespace" in result.stderr
