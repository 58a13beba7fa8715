"""Every example in examples/ runs to completion against the test cluster (exit status 0,
its success line printed), and one runs on its own embedded cluster, as it does by default."""
from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from testing.cluster_helpers import OWN_TLS_CLUSTER, self_signed_certificate

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
TIMEOUT_S = 120

# One name per examples/<name>.py (append new examples here).
EXAMPLES = ["put", "get", "exists", "remove", "touch", "generation", "incr", "append", "list", "map",
            "batch_get", "scan_standard", "query_simple", "info", "connect", "expire", "query_projection", "udf", "scan_background",
            "scan_projection", "query_aggregate", "async_get", "async_delay_queue", "geo_simple",
            "geo_filter", "async_scan", "async_query", "async_batch_get"]

# The C examples that write records with a ttl (a server's default namespace refuses them).
TTL_EXAMPLES = {"exists", "touch", "expire"}

# The C program's success line, where it does not say the port's name.
C_SUCCESS = {"geo_filter": "filter query", "geo_simple": "simple query",
             "query_simple": "simple query", "query_aggregate": "aggregate query",
             "scan_background": "background scan", "scan_standard": "standard scan"}


def run_example(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(EXAMPLES_DIR / f"{name}.py"), *args],
                          capture_output=True, text=True, timeout=TIMEOUT_S, cwd=EXAMPLES_DIR)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_against_the_cluster(name: str, aerospike_hosts: List[Tuple[str, int]],
                                          aerospike_client: Any) -> None:
    if name in TTL_EXAMPLES:
        from multi_record_fixtures import skip_unless_ttl_allowed

        skip_unless_ttl_allowed(aerospike_client)
    hosts = ",".join(f"{host}:{port}" for host, port in aerospike_hosts)
    result = run_example(name, "--hosts", hosts, "--set", f"eg_{uuid.uuid4().hex[:12]}")
    assert result.returncode == 0, result.stdout + result.stderr
    # the C program's own success line ("query projection example ..." for query_projection)
    # ("standard scan examples successfully completed" for scan_standard)
    assert any(re.search(rf"^{label} examples? successfully completed$", result.stdout, re.M)
               for label in (name, name.replace("_", " "), C_SUCCESS.get(name)) if label), \
        result.stdout


def test_examples_start_an_embedded_cluster_without_hosts() -> None:
    result = run_example("put")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "embedded cluster" in result.stdout and "put example successfully completed" in result.stdout


def test_every_example_file_is_run_by_this_module() -> None:
    on_disk = {p.stem for p in EXAMPLES_DIR.glob("*.py") if not p.stem.startswith("_")}
    # each example is exercised by the test above, or (own command line) by one of its own
    assert on_disk == set(EXAMPLES) | {"probe_server_facts", "transaction", "async_transaction"} | set(STRING_EXAMPLES)


def test_transaction_example_on_a_strong_consistency_cluster() -> None:
    # Transactions need a strong-consistency namespace: the example starts its embedded
    # cluster that way (the session's cluster is AP, as the other examples expect).
    result = run_example("transaction")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Commit transaction" in result.stdout
    assert "transaction example successfully completed" in result.stdout


# The ports of basic_examples/string and string_expression: what both log (the expression
# reads give the operations' results; the modify expressions return what the modify operations
# write, on the same texts).
STRING_EXAMPLES = {"string_operations": "string example",
                   "string_expression": "string expression example"}
STRING_RESULTS = ['strlen("hello world") = 11', 'substr(6) = "world"', 'charAt(6) = "w"',
                  'find("ab", occurrence=2) on "ababab" = 2', 'toDouble("3.14") = 3.140000',
                  'byteLength("héllo") = 6 (5 codepoints, 6 UTF-8 bytes)',
                  'isNumeric("3.14", INT) = false', 'toBlob("hello") = [104, 101, 108, 108, 111]',
                  'split(",") = [one, two, three]', 'b64Decode("aGVsbG8=") = "hello"',
                  'regexCompare("hello", CASE_INSENSITIVE) = true',
                  'insert(5, " beautiful") -> "hello beautiful world"',
                  'concat([" ", "big", " world"]) -> "hello big world"',
                  'snip(5, 15) -> "hello world"', 'replaceAll("a", "x") -> "xxbxx"',
                  'trimStart() -> "hello  "', 'padStart(10, "*") -> "*****hello"',
                  'regexReplace("[0-9]+", "NUM", GLOBAL) -> "abcNUMdefNUM"']


@pytest.mark.parametrize("name", sorted(STRING_EXAMPLES))
def test_string_examples_on_a_server_with_string_operations(name: str) -> None:
    # They need a server 8.2 or later: by default the example starts an embedded cluster
    # reporting 8.2.0.0; against AEROSPIKE_HOSTS it runs when that server is 8.2 or later.
    from aerospike_c.testing.pytest_plugin import real_cluster_hosts

    hosts = real_cluster_hosts()
    args: List[str] = []
    if hosts is not None:
        from multi_record_fixtures import server_version
        import aerospike_c as asc

        with asc.Client(asc.Config(hosts=list(hosts))) as real:
            if server_version(real) < (8, 2):
                pytest.skip("the string examples need a server 8.2 or later")
        args = ["--hosts", ",".join(f"{host}:{port}" for host, port in hosts),
                "--set", f"eg_{uuid.uuid4().hex[:12]}"]
    result = run_example(name, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in STRING_RESULTS if line not in lines] == []
    assert 'normalizeNFC() -> "caf\u00e9"' in lines and lines[-1] == \
        f"{STRING_EXAMPLES[name]} successfully completed"


@pytest.mark.fault_injection(reason="runs the example on its own strong-consistency cluster")
def test_async_transaction_example_on_a_strong_consistency_cluster() -> None:
    # As the transaction example: its own strong-consistency embedded cluster.
    result = run_example("async_transaction")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "transaction committed" in result.stdout
    assert "async transaction example successfully completed" in result.stdout


@OWN_TLS_CLUSTER
def test_connect_example_over_tls(tmp_path: Path) -> None:
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
