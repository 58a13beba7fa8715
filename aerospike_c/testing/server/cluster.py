"""The embedded cluster: N nodes on loopback sharing one record store, a partition map
(4096 partitions, replication factor 1 or more per namespace), peers lists and the
generations a client's tender watches."""

from __future__ import annotations

import ipaddress
import os
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from .config import build_version
from .node import STOPPED, Node
from .security import Security, UserSpec
from .store import N_PARTITIONS, NamespaceSpec, Store

DEFAULT_BUILD = "8.1.2.0"
DEFAULT_EDITION = "Aerospike Enterprise Edition"
DEFAULT_NAMESPACE = "test"

NodeKey = Union[str, int]


@dataclass(frozen=True)
class Peer:
    """A node as listed in another node's peers."""

    name: str
    host: str
    port: int


def loopback_host(host: str) -> str:
    """Return `host` as a loopback IP address; refuse anything that is not loopback."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"the embedded cluster only listens on loopback addresses, not {host!r}")


class EmbeddedCluster:
    """An in-process Aerospike cluster speaking the wire protocol on 127.0.0.1.

    `port=0` picks free ports; `port=3000` uses 3000, 3001, ... `namespaces` is a list of
    names (each gets `replication_factor`) or a mapping of name to the store's NamespaceSpec.
    `users` turns on security: {user: password} (the user holds every predefined role) or
    {user: (password, [role, ...])}; `enable_quotas` turns on the roles' read/write quotas
    (the server's enable-quotas). `tls_certfile`/`tls_keyfile` turn on TLS (the
    nodes then only speak TLS and advertise `tls_name` in their peers lists). `racks` gives
    the rack id of each initial node (default 0) for rack-aware clients.
    """

    n_partitions: int = N_PARTITIONS

    def __init__(
        self,
        nodes: int = 3,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        namespaces: Union[None, Iterable[str], Mapping[str, Any]] = None,
        replication_factor: int = 1,
        strong_consistency: bool = False,
        users: Optional[Mapping[str, UserSpec]] = None,
        enable_quotas: bool = False,
        cluster_name: Optional[str] = None,
        tls_certfile: Optional[str] = None,
        tls_keyfile: Optional[str] = None,
        tls_name: str = "localhost",
        build: str = DEFAULT_BUILD,
        racks: Optional[Sequence[int]] = None,
        store: Any = None,
    ) -> None:
        if nodes < 1:
            raise ValueError("a cluster needs at least one node")
        if replication_factor < 1:
            raise ValueError("replication_factor must be at least 1")
        if not 0 <= port <= 65535 - nodes:
            raise ValueError(f"invalid base port {port}")
        self.host: str = loopback_host(host)
        self.base_port: int = port
        self.cluster_name: Optional[str] = cluster_name
        self.build: str = build
        self.edition: str = DEFAULT_EDITION
        self.tls_name: str = tls_name
        self.security = Security(dict(users or {}), quotas=enable_quotas)
        self.tls_context = _server_tls_context(tls_certfile, tls_keyfile)
        self.store = store
        self._namespace_specs, self._replication = _namespace_config(namespaces, replication_factor)
        self._strong_consistency = strong_consistency
        self._initial_nodes = nodes
        self._initial_racks = list(racks or [])
        if len(self._initial_racks) > nodes:
            raise ValueError("more rack ids than nodes")
        self._cluster_id = int.from_bytes(os.urandom(3), "big")
        self._lock = threading.RLock()
        self._nodes: Dict[str, Node] = {}
        self._members: Tuple[str, ...] = ()
        self._replicas: Dict[str, List[Tuple[str, ...]]] = {}
        self.peers_generation: int = 1
        self.partition_generation: int = 1
        self.rebalance_generation: int = 1
        self.cluster_key: str = "0"
        self.start_time: float = time.monotonic()
        self._started = False

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> "EmbeddedCluster":
        """Create the store (unless one was given), start every node and form the cluster.

        After stop(), start() brings the same nodes back on their ports (the store is kept).
        """
        with self._lock:
            if self._started:
                return self
            if self.store is None:
                specs = {name: spec if spec is not None else NamespaceSpec(
                    replication_factor=self._replication[name],
                    strong_consistency=self._strong_consistency)
                    for name, spec in self._namespace_specs.items()}
                self.store = Store(specs)
            self.store.version = build_version(self.build)
            self.start_time = time.monotonic()
            self._started = True
            try:
                if not self._nodes:
                    for index in range(self._initial_nodes):
                        node = self._create_node()
                        if index < len(self._initial_racks):
                            node.rack_id = self._initial_racks[index]
                for node in self._nodes.values():
                    node.start()
            except BaseException:
                self.stop()
                raise
            self._set_members(tuple(self._nodes))
        return self

    def stop(self) -> None:
        """Stop every node (clean close) and wait for their threads."""
        with self._lock:
            nodes = list(self._nodes.values())
            self._members = ()
            self._started = False
        for node in nodes:
            node.stop()

    def __enter__(self) -> "EmbeddedCluster":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"EmbeddedCluster(nodes={self.node_names!r}, members={list(self._members)!r})"

    # -- inspection -----------------------------------------------------------------------

    @property
    def tls_enabled(self) -> bool:
        """True when the nodes speak TLS."""
        return self.tls_context is not None

    @property
    def hosts(self) -> List[Tuple[str, int]]:
        """(host, port) of every node currently accepting connections."""
        with self._lock:
            return [node.address for node in self._nodes.values() if node.state != STOPPED]

    @property
    def seed(self) -> Tuple[str, int]:
        """(host, port) of the first node accepting connections."""
        hosts = self.hosts
        if not hosts:
            raise RuntimeError("no node is running")
        return hosts[0]

    @property
    def node_names(self) -> List[str]:
        """Names of all nodes ever started, running or not."""
        with self._lock:
            return list(self._nodes)

    @property
    def member_names(self) -> List[str]:
        """Names of the nodes that currently form the cluster."""
        return list(self._members)

    @property
    def namespace_names(self) -> List[str]:
        """The cluster's namespaces."""
        return list(self._replication)

    def node(self, key: NodeKey) -> Node:
        """A node by name or by index in start order."""
        with self._lock:
            if isinstance(key, int):
                return list(self._nodes.values())[key]
            try:
                return self._nodes[key]
            except KeyError:
                raise KeyError(f"no node named {key!r}") from None

    def replication_factor(self, namespace: str) -> int:
        """The effective replication factor: configured, capped by the cluster size."""
        return min(self._replication[namespace], len(self._members))

    def partition_replicas(self, namespace: str, partition_id: int) -> Tuple[str, ...]:
        """Node names holding `partition_id`, master first."""
        replicas = self._replicas.get(namespace)
        if replicas is None:
            raise KeyError(f"unknown namespace {namespace!r}")
        return replicas[partition_id]

    def partition_master(self, namespace: str, partition_id: int) -> Optional[str]:
        """The master node of a partition (None when no node is up)."""
        replicas = self._replicas.get(namespace)
        if not replicas or not 0 <= partition_id < N_PARTITIONS:
            return None
        owners = replicas[partition_id]
        return owners[0] if owners else None

    def peers_of(self, name: str) -> List[Peer]:
        """The other cluster members, as `name` lists them in its peers."""
        with self._lock:
            return [Peer(member, *self._nodes[member].address)
                    for member in self._members if member != name]

    def strong_consistency(self, namespace: str) -> bool:
        """True when the namespace is strong-consistency (its partitions' regime is nonzero)."""
        ns = getattr(self.store, "namespaces", {}).get(namespace)
        return bool(ns is not None and ns.spec.strong_consistency)

    def replica_bitmaps(self, name: str) -> List[Tuple[str, int, List[bytes]]]:
        """Per namespace: (namespace, replica count, one ownership bitmap per replica index)."""
        result = []
        with self._lock:
            for namespace, replicas in self._replicas.items():
                count = self.replication_factor(namespace)
                if count == 0:
                    continue
                bitmaps = [bytearray(N_PARTITIONS // 8) for _ in range(count)]
                for partition_id, owners in enumerate(replicas):
                    for index, owner in enumerate(owners[:count]):
                        if owner == name:
                            bitmaps[index][partition_id >> 3] |= 0x80 >> (partition_id & 7)
                result.append((namespace, count, [bytes(bitmap) for bitmap in bitmaps]))
        return result

    # -- fault injection and topology changes -----------------------------------------------

    def stop_node(self, key: NodeKey) -> Node:
        """Shut a node down cleanly; its partitions move to the remaining nodes."""
        node = self.node(key)
        node.stop(abrupt=False)
        self._leave(node.name)
        return node

    def kill_node(self, key: NodeKey) -> Node:
        """Kill a node: connections are reset, the port refuses; its partitions move."""
        node = self.node(key)
        node.stop(abrupt=True)
        self._leave(node.name)
        return node

    def restart_node(self, key: NodeKey) -> Node:
        """Start a stopped (or hung) node again on its port; it rejoins the cluster."""
        node = self.node(key)
        with self._lock:
            if node.state != STOPPED:
                node.resume()
            else:
                node.start()
            if node.name not in self._members:
                self._set_members(self._members + (node.name,))
        return node

    def hang_node(self, key: NodeKey, evict: bool = False) -> Node:
        """Make a node accept connections and read requests without ever answering.

        With `evict` the other nodes also drop it from their peers and partition maps (as a
        real cluster does once heartbeats stop); otherwise it stays a member.
        """
        node = self.node(key)
        node.hang()
        if evict:
            self._leave(node.name)
        return node

    def resume_node(self, key: NodeKey) -> Node:
        """Answer requests again after hang_node(); rejoins the cluster if it was evicted."""
        return self.restart_node(key)

    def add_node(self) -> Node:
        """Start a new node and add it to the cluster; partitions are rebalanced."""
        with self._lock:
            if not self._started:
                raise RuntimeError("the cluster is not started")
            node = self._create_node()
            node.start()
            self._set_members(self._members + (node.name,))
        return node

    def set_rack(self, key: NodeKey, rack_id: int) -> None:
        """Move a node to another rack; the rebalance generation is bumped."""
        with self._lock:
            self.node(key).rack_id = rack_id
            self.rebalance_generation += 1

    def rebalance(self) -> None:
        """Spread partitions evenly over the members again (undoes set_partition_replicas)."""
        with self._lock:
            self._rebalance()

    def set_partition_replicas(self, namespace: str, partition_id: int,
                               names: Sequence[str]) -> None:
        """Move one partition: `names` are its new owners, master first.

        The partition generation is bumped so clients reload the map.
        """
        with self._lock:
            if namespace not in self._replicas:
                raise KeyError(f"unknown namespace {namespace!r}")
            if not 0 <= partition_id < N_PARTITIONS:
                raise ValueError(f"partition id out of range: {partition_id}")
            owners = tuple(names)
            unknown = [name for name in owners if name not in self._members]
            if unknown or not owners or len(set(owners)) != len(owners):
                raise ValueError(f"owners must be distinct cluster members, got {owners!r}")
            if len(owners) > self.replication_factor(namespace):
                raise ValueError("more owners than the replication factor")
            self._replicas[namespace][partition_id] = owners
            self._bump_partition_generation()

    # -- internals ------------------------------------------------------------------------

    def _create_node(self) -> Node:
        index = len(self._nodes)
        name = f"BB9{self._cluster_id:06X}{index + 1:06X}"
        if self.base_port:
            used = [node.port for node in self._nodes.values()]
            port = max(used) + 1 if used else self.base_port
        else:
            port = 0
        node = Node(self, name, self.host, port)
        self._nodes[name] = node
        return node

    def _leave(self, name: str) -> None:
        with self._lock:
            if name in self._members:
                self._set_members(tuple(member for member in self._members if member != name))

    def _set_members(self, members: Tuple[str, ...]) -> None:
        self._members = members
        self.peers_generation += 1
        self.cluster_key = f"{int.from_bytes(os.urandom(6), 'big') | 1:X}"
        self._rebalance()

    def _rebalance(self) -> None:
        members = sorted(self._members)
        replicas: Dict[str, List[Tuple[str, ...]]] = {}
        for namespace in self._replication:
            count = self.replication_factor(namespace)
            size = len(members)
            replicas[namespace] = [
                tuple(members[(partition_id + offset) % size] for offset in range(count))
                for partition_id in range(N_PARTITIONS)
            ]
        self._replicas = replicas
        self._bump_partition_generation()

    def _bump_partition_generation(self) -> None:
        self.partition_generation += 1
        self.rebalance_generation += 1


def _namespace_config(namespaces: Union[None, Iterable[str], Mapping[str, Any]],
                      replication_factor: int) -> Tuple[Dict[str, Any], Dict[str, int]]:
    """({name: store spec or None}, {name: configured replication factor})."""
    if namespaces is None:
        namespaces = [DEFAULT_NAMESPACE]
    if isinstance(namespaces, Mapping):
        specs = dict(namespaces)
        replication = {name: int(getattr(spec, "replication_factor", replication_factor))
                       for name, spec in specs.items()}
    else:
        specs = {name: None for name in namespaces}
        replication = {name: replication_factor for name in specs}
    if not specs:
        raise ValueError("a cluster needs at least one namespace")
    for name, factor in replication.items():
        if not name or len(name) >= 32 or any(ch in name for ch in ":;,\t\n/"):
            raise ValueError(f"invalid namespace name {name!r}")
        if factor < 1:
            raise ValueError(f"invalid replication factor for {name!r}: {factor}")
    return specs, replication


def _server_tls_context(certfile: Optional[str], keyfile: Optional[str]) -> Optional[ssl.SSLContext]:
    if certfile is None:
        if keyfile is not None:
            raise ValueError("tls_keyfile given without tls_certfile")
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    return context
