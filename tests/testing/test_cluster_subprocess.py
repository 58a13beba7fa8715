"""The cluster in a child process: `python -m aerospike_c.testing` and SubprocessCluster."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from cluster_helpers import connect, peer_closed

from aerospike_c.testing import SubprocessCluster, request_info
from aerospike_c.testing._subprocess import _PACKAGE_ROOT, parse_hosts
from aerospike_c.testing.server.wire import TYPE_INFO, frame


def _child_env():
    """Environment in which a child imports the same aerospike_c as this process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    return env


def test_parse_hosts():
    assert parse_hosts("127.0.0.1:3000,[::1]:3001, 127.0.0.1:4000") == [
        ("127.0.0.1", 3000), ("::1", 3001), ("127.0.0.1", 4000)]


@pytest.mark.fault_injection
def test_subprocess_cluster_serves_and_takes_node_commands():
    with SubprocessCluster(nodes=2, args=["--replication-factor", "2"]) as cluster:
        assert len(cluster.hosts) == 2
        names = [request_info(address, "node")["node"] for address in cluster.hosts]
        assert names == cluster.node_names()
        replicas = request_info(cluster.hosts[0], "replicas")["replicas"]
        assert replicas.startswith("test:0,2,")
        with connect(cluster.hosts[1]) as sock:
            assert cluster.kill_node(1) == names[1]
            assert peer_closed(sock) == "reset"
        assert cluster.restart_node(names[1]) == names[1]
        cluster.hang_node(0)
        with connect(cluster.hosts[0], timeout=0.3) as sock:
            sock.sendall(frame(TYPE_INFO, b"node\n"))
            with pytest.raises(socket.timeout):
                sock.recv(100)
        assert cluster.resume_node(0) == names[0]
        assert request_info(cluster.hosts[0], "node")["node"] == names[0]
        assert request_info(cluster.hosts[1], "node")["node"] == names[1]
        name, address = cluster.add_node()
        assert request_info(address, "node")["node"] == name
        with pytest.raises(RuntimeError, match="no node"):
            cluster.stop_node("NOPE")
    assert cluster.stop() is None  # already stopped by the context manager


def test_standalone_run_prints_hosts_and_exits_cleanly_on_interrupt():
    process = subprocess.Popen(
        [sys.executable, "-m", "aerospike_c.testing", "--nodes", "2", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_child_env())
    try:
        hosts = None
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while hosts is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith("hosts: "):
                hosts = parse_hosts(line[len("hosts: "):])
        assert hosts is not None and len(hosts) == 2
        peers = request_info(hosts[0], "peers-clear-std")["peers-clear-std"]
        assert f"{hosts[1][0]}:{hosts[1][1]}" in peers
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_standalone_refuses_a_non_loopback_host():
    result = subprocess.run(
        [sys.executable, "-m", "aerospike_c.testing", "--host", "192.0.2.1", "--port", "0"],
        capture_output=True, text=True, timeout=60, env=_child_env())
    assert result.returncode == 1
    assert "loopback" in result.stderr


def test_subprocess_cluster_reports_a_failed_start():
    cluster = SubprocessCluster(nodes=1, args=["--host", "192.0.2.1"], startup_timeout=30)
    with pytest.raises(RuntimeError, match="loopback"):
        cluster.start()
