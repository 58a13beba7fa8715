"""Run the embedded cluster in a child process (`python -m aerospike_c.testing --control`)
and drive it from the parent: wait for readiness, read its hosts, send node controls."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
from typing import IO, List, Optional, Sequence, Tuple, Union

from .server.cluster import NodeKey

_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_hosts(text: str) -> List[Tuple[str, int]]:
    """Parse `host:port,[::1]:port,...` into (host, port) pairs."""
    hosts = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        host, _, port = item.rpartition(":")
        hosts.append((host.strip("[]"), int(port)))
    return hosts


class SubprocessCluster:
    """An embedded cluster in a child Python process.

    `args` are extra command-line options (e.g. `["--replication-factor", "2"]`).
    """

    def __init__(self, nodes: int = 3, port: int = 0, args: Sequence[str] = (),
                 startup_timeout: float = 30.0, command_timeout: float = 10.0) -> None:
        self.nodes = nodes
        self.port = port
        self.args = list(args)
        self.startup_timeout = startup_timeout
        self.command_timeout = command_timeout
        self.hosts: List[Tuple[str, int]] = []
        self._process: "Optional[subprocess.Popen[str]]" = None
        self._lines: "queue.Queue[Optional[str]]" = queue.Queue()
        self._stderr: Optional[IO[str]] = None
        self._lock = threading.Lock()

    def start(self) -> "SubprocessCluster":
        """Start the child and wait until it prints its hosts."""
        command = [sys.executable, "-m", "aerospike_c.testing", "--nodes", str(self.nodes),
                   "--port", str(self.port), "--control", *self.args]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        self._stderr = tempfile.TemporaryFile("w+")
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, bufsize=1, env=env)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        try:
            while True:
                line = self._next_line(self.startup_timeout)
                if line.startswith("hosts: "):
                    self.hosts = parse_hosts(line[len("hosts: "):])
                    return self
        except RuntimeError:
            self.stop()
            raise

    def command(self, line: str) -> str:
        """Send one control command; return the reply after `ok` (RuntimeError on `error`)."""
        process = self._require_process()
        with self._lock:
            assert process.stdin is not None
            try:
                process.stdin.write(line + "\n")
                process.stdin.flush()
            except OSError as exc:
                raise RuntimeError(f"cluster process is gone: {exc}") from None
            reply = self._next_line(self.command_timeout)
        status, _, rest = reply.partition(" ")
        if status != "ok":
            raise RuntimeError(f"{line!r} failed: {rest}")
        return rest

    def stop_node(self, key: NodeKey) -> str:
        """Stop a node cleanly; returns its name."""
        return self.command(f"stop-node {key}")

    def kill_node(self, key: NodeKey) -> str:
        """Kill a node (connections reset); returns its name."""
        return self.command(f"kill-node {key}")

    def restart_node(self, key: NodeKey) -> str:
        """Restart a stopped or hung node; returns its name."""
        return self.command(f"restart-node {key}")

    def hang_node(self, key: NodeKey) -> str:
        """Make a node stop answering; returns its name."""
        return self.command(f"hang-node {key}")

    def resume_node(self, key: NodeKey) -> str:
        """Make a hung node answer again; returns its name."""
        return self.command(f"resume-node {key}")

    def add_node(self) -> Tuple[str, Tuple[str, int]]:
        """Add a node; returns (name, (host, port))."""
        name, _, address = self.command("add-node").partition(" ")
        return name, parse_hosts(address)[0]

    def node_names(self) -> List[str]:
        """Names of all nodes of the child cluster."""
        return self.command("nodes").split(",")

    def stop(self, timeout: float = 10.0) -> Union[int, None]:
        """Ask the child to quit (terminate, then kill, if it does not); return its exit code."""
        process = self._process
        if process is None:
            return None
        try:
            if process.poll() is None and process.stdin is not None:
                process.stdin.write("quit\n")
                process.stdin.flush()
        except OSError:
            pass
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                code = process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait(timeout)
        for stream in (process.stdin, process.stdout, self._stderr):
            if stream is not None:
                stream.close()
        self._process = None
        return code

    def __enter__(self) -> "SubprocessCluster":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _require_process(self) -> "subprocess.Popen[str]":
        if self._process is None:
            raise RuntimeError("the cluster process is not running")
        return self._process

    def _read_stdout(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        try:
            for line in process.stdout:
                self._lines.put(line.rstrip("\n"))
        except (OSError, ValueError):
            pass
        self._lines.put(None)

    def _next_line(self, timeout: float) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"no answer from the cluster process within {timeout}s") from None
        if line is None:
            self._lines.put(None)
            raise RuntimeError(f"cluster process exited: {self._stderr_text()}")
        return line

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        try:
            if self._process is not None:
                self._process.wait(5)
            self._stderr.seek(0)
            return self._stderr.read()[-2000:]
        except (OSError, ValueError, subprocess.TimeoutExpired):
            return ""
