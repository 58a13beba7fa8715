"""Info protocol (proto type 1): the cluster-level info commands, and the table that routes
the commands about data to the modules of their features.

A request is a list of commands separated by newlines; the reply repeats each command followed
by a tab, its value and a newline. Commands about data (namespaces, sets, sindexes, truncate,
UDFs, jobs) go to the record store; an unknown command gets the error a server returns.
"""

from __future__ import annotations

import base64
import socket
import ssl
import time
from typing import TYPE_CHECKING, Callable, Dict, Optional, Tuple

from . import background, config, sindex, truncate, udf
from .results import (ERR_NOT_AUTHENTICATED, INFO_BAD_SIZE, INFO_CLUSTER_NOT_SPECIFIED_SIZE, INFO_ENTERPRISE_ONLY,
                      INFO_NOT_AUTHENTICATED, INFO_ROLE_VIOLATION, INFO_UNKNOWN_NAMESPACE, INFO_UNRECOGNIZED, OK,
                      InfoError)
from .store import NodeView, Store
from .wire import TYPE_INFO, ProtocolError, frame, read_frame

if TYPE_CHECKING:
    from .node import Node
    from .security import Access

#: Capabilities an Aerospike 8.x server advertises with the `features` command.
FEATURES = (
    "batch-any", "batch-index", "blob-bits", "cdt-list", "cdt-map", "cluster-stable", "float",
    "geo", "sindex-exists", "peers", "pipelining", "pquery", "pscans", "query-show",
    "relaxed-sc", "replicas", "replicas-all", "replicas-master", "truncate-namespace", "udf",
    "user-agent",
)

#: Commands answered when a request names none (a server answers its default set).
DEFAULT_COMMANDS = ("build", "edition", "node", "version")


def answer(payload: bytes, node: "Node", access: Optional["Access"] = None) -> bytes:
    """Answer one info request payload (without proto header); `access` checks each
    command's permission when security is on."""
    text = payload.decode("utf-8", "replace")
    commands = [command for command in text.split("\n") if command]
    if not commands:
        commands = list(DEFAULT_COMMANDS)
    lines = []
    for command in commands:
        refused = _refused(command, access)
        value = command_value(command, node) if refused is None else refused
        lines.append(f"{command}\t{value}\n")
    return "".join(lines).encode()


def _refused(command: str, access: Optional["Access"]) -> Optional[str]:
    """The error answer of a command this connection may not run, else None."""
    if access is None:
        return None
    name, _, params = command.partition(":")
    code = access.info(name, parse_params(params))
    if code == OK:
        return None
    return INFO_NOT_AUTHENTICATED if code == ERR_NOT_AUTHENTICATED else INFO_ROLE_VIOLATION


def command_value(command: str, node: "Node") -> str:
    """The value of one info command as `node` reports it."""
    name, _, params = command.partition(":")
    handler = _HANDLERS.get(name)
    if handler is not None:
        return handler(node, params)
    value = node.cluster.store.info(command, node)
    return INFO_UNRECOGNIZED if value is None else value


def format_host(host: str, port: int) -> str:
    """host:port, with brackets around IPv6 addresses."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_params(params: str) -> Dict[str, str]:
    """Parse `a=1;b=2` info parameters."""
    result = {}
    for item in params.split(";"):
        key, sep, value = item.partition("=")
        if sep:
            result[key.strip()] = value.strip()
    return result


def _peers(node: "Node", tls: bool) -> str:
    cluster = node.cluster
    peers = cluster.peers_of(node.name)
    generation = cluster.peers_generation
    if tls != cluster.tls_enabled:
        peers = []
    tls_name = cluster.tls_name if tls else ""
    entries = ",".join(
        f"[{peer.name},{tls_name},[{format_host(peer.host, peer.port)}]]" for peer in peers)
    return f"{generation},{node.port},[{entries}]"


def _service(node: "Node", tls: bool) -> str:
    if tls != node.cluster.tls_enabled:
        return ""
    return format_host(node.host, node.port)


def _replicas(node: "Node", params: str) -> str:
    parts = []
    for namespace, replica_count, bitmaps in node.cluster.replica_bitmaps(node.name):
        encoded = ",".join(base64.b64encode(bitmap).decode() for bitmap in bitmaps)
        regime = 1 if node.cluster.strong_consistency(namespace) else 0  # nonzero: SC
        parts.append(f"{namespace}:{regime},{replica_count},{encoded}")
    return ";".join(parts)


def _rack_ids(node: "Node", params: str) -> str:
    return ";".join(f"{namespace}:{node.rack_id}" for namespace in node.cluster.namespace_names)


def _statistics(node: "Node", params: str) -> str:
    cluster = node.cluster
    stats = {
        "cluster_size": len(cluster.member_names),
        "cluster_key": cluster.cluster_key,
        "cluster_generation": cluster.peers_generation,
        "cluster_principal": max(cluster.member_names, default=node.name),
        "cluster_integrity": "true",
        "cluster_is_member": "true",
        "uptime": int(time.monotonic() - cluster.start_time),
        "client_connections": node.connection_count,
        "migrate_allowed": "true",
        "migrate_partitions_remaining": 0,
    }
    return ";".join(f"{key}={value}" for key, value in stats.items())


def _cluster_stable(node: "Node", params: str) -> str:
    cluster = node.cluster
    values = parse_params(params)
    namespace = values.get("namespace")
    if namespace is not None and namespace not in cluster.namespace_names:
        return INFO_UNKNOWN_NAMESPACE
    wanted = values.get("size")
    if wanted is not None:
        try:
            expected = int(wanted)
        except ValueError:
            return INFO_BAD_SIZE
        if expected != len(cluster.member_names):
            return INFO_CLUSTER_NOT_SPECIFIED_SIZE
    return cluster.cluster_key


def _services(node: "Node", params: str) -> str:
    return ";".join(format_host(peer.host, peer.port) for peer in node.cluster.peers_of(node.name))


def _constant(value: Callable[["Node"], object]) -> Callable[["Node", str], str]:
    return lambda node, params: str(value(node))


#: What a community server reports as its edition; it answers the enterprise-only commands
#: (rack-ids, the TLS peer and service lists, ...) with AEROSPIKE_ERR_ENTERPRISE_ONLY.
COMMUNITY_EDITION = "Aerospike Community Edition"


def _enterprise(handler: Callable[["Node", str], str]) -> Callable[["Node", str], str]:
    def answer(node: "Node", params: str) -> str:
        if node.cluster.edition == COMMUNITY_EDITION:
            return INFO_ENTERPRISE_ONLY
        return handler(node, params)
    return answer


_HANDLERS: Dict[str, Callable[["Node", str], str]] = {
    "node": _constant(lambda node: node.name),
    "name": _constant(lambda node: node.name),
    "digests": _constant(lambda node: "RIPEMD160"),
    "STATUS": _constant(lambda node: "OK"),
    "build": _constant(lambda node: node.cluster.build),
    "edition": _constant(lambda node: node.cluster.edition),
    "version": _constant(lambda node: f"{node.cluster.edition} build {node.cluster.build}"),
    "status": _constant(lambda node: "ok"),
    "partitions": _constant(lambda node: node.cluster.n_partitions),
    "cluster-name": _constant(lambda node: node.cluster.cluster_name or "null"),
    "partition-generation": _constant(lambda node: node.cluster.partition_generation),
    "rebalance-generation": _constant(lambda node: node.cluster.rebalance_generation),
    "peers-generation": _constant(lambda node: node.cluster.peers_generation),
    "peers-clear-std": lambda node, params: _peers(node, tls=False),
    "peers-clear-alt": lambda node, params: _peers(node, tls=False),
    "peers-tls-std": _enterprise(lambda node, params: _peers(node, tls=True)),
    "peers-tls-alt": _enterprise(lambda node, params: _peers(node, tls=True)),
    "service-clear-std": lambda node, params: _service(node, tls=False),
    "service-clear-alt": lambda node, params: _service(node, tls=False),
    "service-tls-std": _enterprise(lambda node, params: _service(node, tls=True)),
    "service-tls-alt": _enterprise(lambda node, params: _service(node, tls=True)),
    "services": _services,
    "replicas": _replicas,
    "rack-ids": _enterprise(_rack_ids),
    "features": _constant(lambda node: ";".join(FEATURES)),
    "statistics": _statistics,
    "cluster-stable": _cluster_stable,
    "user-agent-set": _constant(lambda node: "ok"),
    "get-config": lambda node, params: config.get_config(node, parse_params(params)),
    "set-config": lambda node, params: config.set_config(node, parse_params(params)),
    "release": lambda node, params: config.release(node, parse_params(params)) or INFO_UNRECOGNIZED,
    "logs": lambda node, params: config.logs(node, parse_params(params)),
}


def store_command_value(store: Store, command: str, node: NodeView) -> Optional[str]:
    """Value of a data-related info command, or None when the command is not one."""
    name, _, params = command.partition(":")
    if name.startswith("namespace/"):
        return store.namespace_info(name[len("namespace/"):], node)
    if name.startswith("sets"):
        return store.sets_info(name, node)
    if name.startswith("bins"):
        return store.bins_info(name)
    if name.startswith("sindex/"):
        parts = name.split("/")
        return sindex.sindex_stat(store, parts[1] if len(parts) > 1 else "",
                                  parts[2] if len(parts) > 2 else "")
    handler = _STORE_HANDLERS.get(name)
    if handler is None:
        return None
    try:
        return handler(store, parse_params(params), node)
    except InfoError as error:
        return error.answer


_STORE_HANDLERS: Dict[str, Callable[[Store, Dict[str, str], NodeView], str]] = {
    "namespaces": lambda store, params, node: ";".join(store.namespaces),
    "sindex-create": sindex.sindex_create,
    "sindex-delete": sindex.sindex_delete,
    "sindex-list": sindex.sindex_list,
    "sindex": sindex.sindex_list,
    "sindex-stat": sindex.sindex_stat_params,
    "sindex-exists": sindex.sindex_exists,
    "truncate": truncate.truncate,
    "truncate-namespace": truncate.truncate_namespace,
    "udf-put": udf.udf_put,
    "udf-list": udf.udf_list,
    "udf-get": udf.udf_get,
    "udf-remove": udf.udf_remove,
    "query-show": background.job_show,
    "scan-show": background.job_show,
    "jobs": background.job_show,
}


def _help(node: "Node", params: str) -> str:
    names = [*_HANDLERS, *_STORE_HANDLERS, "namespace/", "sets", "bins", "sindex/"]
    return ";".join(sorted(names))


_HANDLERS["help"] = _help


def parse_response(response: bytes) -> Dict[str, str]:
    """Split an info response into {command: value}."""
    values = {}
    for line in response.decode("utf-8", "replace").split("\n"):
        if line:
            command, _, value = line.partition("\t")
            values[command] = value
    return values


def request_info(address: Tuple[str, int], *commands: str, timeout: float = 5.0,
                 tls_context: Optional[ssl.SSLContext] = None,
                 tls_name: Optional[str] = None) -> Dict[str, str]:
    """Send one info request to a node (any Aerospike server) and return {command: value}."""
    payload = "".join(f"{command}\n" for command in commands).encode()
    with socket.create_connection(address, timeout=timeout) as raw:
        sock = raw
        if tls_context is not None:
            sock = tls_context.wrap_socket(raw, server_hostname=tls_name or address[0])
        sock.sendall(frame(TYPE_INFO, payload))
        deadline = time.monotonic() + timeout
        frame_type, response = read_frame(sock, lambda: time.monotonic() > deadline)
        if frame_type != TYPE_INFO:
            raise ProtocolError(f"expected an info reply, got proto type {frame_type}")
        return parse_response(response)
