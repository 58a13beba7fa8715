"""Run an embedded cluster until interrupted:

    python -m aerospike_c.testing --nodes 3 --port 3000

Prints `hosts: 127.0.0.1:3000,127.0.0.1:3001,...` once the nodes accept connections. With
`--control`, reads one command per line on stdin (see CONTROL_COMMANDS), answers `ok ...` or
`error ...` on stdout, and exits when stdin closes.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Callable, Dict, Optional, Sequence

from .server.cluster import DEFAULT_BUILD, DEFAULT_NAMESPACE, EmbeddedCluster, NodeKey
from .server.info import format_host
from .server.security import UserSpec

CONTROL_COMMANDS = ("stop-node", "kill-node", "restart-node", "hang-node", "resume-node",
                    "add-node", "rebalance", "hosts", "nodes", "quit")


def build_parser() -> argparse.ArgumentParser:
    """Command-line options of the standalone cluster."""
    parser = argparse.ArgumentParser(
        prog="python -m aerospike_c.testing",
        description="Run an embedded Aerospike test cluster on loopback until interrupted.")
    parser.add_argument("--nodes", type=int, default=3, help="number of nodes (default 3)")
    parser.add_argument("--port", type=int, default=3000,
                        help="port of the first node, the others follow; 0 picks free ports")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--namespace", action="append", dest="namespaces",
                        help=f"namespace name (repeatable, default {DEFAULT_NAMESPACE})")
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--user", action="append", default=[], metavar="USER:PASSWORD[:ROLES]",
                        help="turn on security with this user (repeatable); ROLES is a comma "
                             "list of roles (default: every predefined role)")
    parser.add_argument("--enable-quotas", action="store_true",
                        help="with --user: enforce the roles' read/write quotas")
    parser.add_argument("--cluster-name")
    parser.add_argument("--tls-cert", help="PEM certificate: nodes speak TLS only")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--tls-name", default="localhost", help="TLS name advertised in peers")
    parser.add_argument("--build", default=DEFAULT_BUILD, help="server version to report")
    parser.add_argument("--racks", type=lambda text: [int(item) for item in text.split(",")],
                        metavar="R1,R2,...", help="rack id of each node (default 0)")
    parser.add_argument("--control", action="store_true",
                        help="accept control commands on stdin; exit when stdin closes")
    return parser


def cluster_from_args(args: argparse.Namespace) -> EmbeddedCluster:
    """An (unstarted) cluster configured from parsed options."""
    users: Dict[str, UserSpec] = {}
    for item in args.user:
        user, sep, rest = item.partition(":")
        if not sep or not user:
            raise SystemExit(f"--user expects USER:PASSWORD[:ROLE,...], got {item!r}")
        password, sep, roles = rest.partition(":")
        users[user] = (password, [r for r in roles.split(",") if r]) if sep else password
    return EmbeddedCluster(
        args.nodes, args.port, host=args.host, namespaces=args.namespaces,
        replication_factor=args.replication_factor, users=users, enable_quotas=args.enable_quotas,
        cluster_name=args.cluster_name, tls_certfile=args.tls_cert, tls_keyfile=args.tls_key,
        tls_name=args.tls_name, build=args.build, racks=args.racks)


def hosts_line(cluster: EmbeddedCluster) -> str:
    """`host:port,host:port,...` of the running nodes."""
    return ",".join(format_host(host, port) for host, port in cluster.hosts)


def run_control_command(cluster: EmbeddedCluster, line: str) -> str:
    """Execute one control command line and return the reply line."""
    words = line.split()
    if not words:
        return "error empty command"
    command, args = words[0], words[1:]
    node_actions: Dict[str, Callable[[NodeKey], object]] = {
        "stop-node": cluster.stop_node,
        "kill-node": cluster.kill_node,
        "restart-node": cluster.restart_node,
        "hang-node": cluster.hang_node,
        "resume-node": cluster.resume_node,
    }
    try:
        if command in node_actions:
            if len(args) != 1:
                return f"error {command} expects a node name or index"
            key: NodeKey = int(args[0]) if args[0].isdigit() else args[0]
            node_actions[command](key)
            return f"ok {cluster.node(key).name}"
        if command == "add-node":
            node = cluster.add_node()
            return f"ok {node.name} {format_host(*node.address)}"
        if command == "rebalance":
            cluster.rebalance()
            return "ok"
        if command == "hosts":
            return f"ok {hosts_line(cluster)}"
        if command == "nodes":
            return "ok " + ",".join(cluster.node_names)
    except (KeyError, IndexError, ValueError, RuntimeError, OSError) as exc:
        return f"error {exc}"
    return f"error unknown command {command!r}; known: {' '.join(CONTROL_COMMANDS)}"


def _serve_control(cluster: EmbeddedCluster, done: threading.Event) -> None:
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        print(run_control_command(cluster, line), flush=True)
    done.set()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of `python -m aerospike_c.testing`."""
    args = build_parser().parse_args(argv)
    try:
        cluster = cluster_from_args(args)
        cluster.start()
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    try:
        print(f"aerospike_c.testing: {len(cluster.member_names)} nodes ready "
              f"(namespaces {', '.join(cluster.namespace_names)})", flush=True)
        print(f"hosts: {hosts_line(cluster)}", flush=True)
        if args.control:
            threading.Thread(target=_serve_control, args=(cluster, done), daemon=True).start()
        while not done.wait(0.5):
            pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
