"""The pytest plugin: embedded cluster by default, a real one via AEROSPIKE_HOSTS (with
fault-injection tests skipped)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from aerospike_c.testing._subprocess import _PACKAGE_ROOT

SAMPLE_TESTS = textwrap.dedent('''
    import os
    import pytest
    from aerospike_c.testing import request_info

    def test_hosts(aerospike_hosts):
        expected = os.environ.get("EXPECTED_HOSTS")
        if expected:
            assert aerospike_hosts == [("127.0.0.1", int(port)) for port in expected.split(",")]
        else:
            assert len(aerospike_hosts) == 3
            names = {request_info(host, "node")["node"] for host in aerospike_hosts}
            assert len(names) == 3

    @pytest.mark.fault_injection
    def test_fault(aerospike_cluster):
        aerospike_cluster.kill_node(0)
        assert len(aerospike_cluster.member_names) == 2

    @pytest.mark.fault_injection(reason="needs a one-node cluster")
    def test_one_node(aerospike_cluster_factory):
        assert len(aerospike_cluster_factory(nodes=1).member_names) == 1
''')


def run_pytest(tmp_path, **env_overrides):
    (tmp_path / "test_sample.py").write_text(SAMPLE_TESTS)
    env = {key: value for key, value in os.environ.items() if key != "AEROSPIKE_HOSTS"}
    env.update(env_overrides)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "aerospike_c.testing.pytest_plugin", "-rs",
         "-p", "no:cacheprovider", "--strict-markers", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)


def test_without_aerospike_hosts_the_embedded_cluster_is_used(tmp_path):
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_with_aerospike_hosts_fault_injection_is_skipped(tmp_path):
    result = run_pytest(tmp_path, AEROSPIKE_HOSTS="127.0.0.1:3000,127.0.0.1:3001",
                        EXPECTED_HOSTS="3000,3001")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 2 skipped" in result.stdout
    assert "AEROSPIKE_HOSTS is set: fault injection needs" in result.stdout
    assert "AEROSPIKE_HOSTS is set: needs a one-node cluster" in result.stdout
