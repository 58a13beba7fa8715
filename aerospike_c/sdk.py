"""Connection management in the shape of the Aerospike Developer SDK, built on `Client`.

    from aerospike_c.sdk import ClusterDefinition, Host

    definition = ClusterDefinition(
        hosts=[Host.of("127.0.0.1", 3000), Host.of("127.0.0.1", 3001)],  # several seeds
        min_conns_per_node=4, max_conns_per_node=64, max_socket_idle=55)
    with definition.connect() as cluster:               # one Cluster for the application
        fast = cluster.create_session(read={"base": {"total_timeout": 50}})
        print(cluster.get_stats().active_nodes, cluster.ping())
                                                        # closed on exit

One `ClusterDefinition` describes a cluster and the client's connection options (each one
an `as_config` field, checked when the definition is made). `connect()` makes one C client
instance: its tend thread discovers every node from the seeds, keeps a pool of
connections per node and drops or re-adds nodes as they fail and return. A `Cluster` is
that instance; `Session`s are light views over it with their own default policies, all
sharing its pools. See docs/CONNECTIONS.md.

Against the SDK (`aerospike-sdk`), on purpose: options are keyword arguments by their C
names, checked at once, not its builder chain (`with_native_credentials`, `preferring_racks`,
`with_tls_config` ...); sessions take policies by C name, not a `Behavior`; a session's
commands are the `Client`'s (tuple keys, `Record(key, meta, bins)` with C's ttl, `info()`
the response's value, `exists()` meta or None), not its builders (`upsert(key).bin(..)`,
`query(..).execute()`, `Key`/`DataSet`); errors are aerospike_c's (`code`, not
`result_code`; a closed cluster raises LifecycleError, a RuntimeError); `session.txn` is its
`current_transaction`, commit/abort return C's statuses. A port may be left out (3000);
`Host.parse_hosts` reads C's "host:tls_name:port". `close()` refuses (LifecycleError) while
a command runs, a scan iterator left unfinished and not closed included (C would free what
it uses); the SDK closes. A cluster of another name fails connect with C's
AEROSPIKE_ERR_CLIENT (a ClientError, not a ConnectionError). Not here: `nodes()`,
`cluster_name`, `server_version()`, metrics exporters, UDF and index calls on the cluster
(`cluster.client` has them).
"""
from __future__ import annotations

import atexit
import collections
import inspect
import re
import threading
import time
import weakref
from dataclasses import asdict, dataclass
from typing import (
    TYPE_CHECKING, Any, Callable, Deque, Dict, Iterable, Iterator, List, Mapping, Optional,
    Sequence, Tuple, Union,
)

from . import bindings as c
from .bindings.as_cluster_event import ESCAPES, as_cluster_event
from .bindings.as_config import parse_hosts
from .bindings.as_error import lifecycle_error
from .bindings.as_policy import _KINDS as _POLICY_CLASSES, policy_from_config, policy_with
from .bindings.as_record import Record
from .bindings._cstruct import c_enum
from .bindings._calls import report_unraisable
from .bindings.aerospike import refuse_on_tend_thread
from .bindings.aerospike_info import aerospike_info_any, aerospike_info_node
from ._txn import Transaction
from .client import Client, Config, HostSpec

__all__ = ["Host", "ClusterDefinition", "Cluster", "Session", "ClusterStats", "NodeStats",
           "ClusterEvent", "ClusterEventListener", "BoolCheck"]

#: A cluster event as the C client reports it (type, node_name, node_address).
ClusterEvent = as_cluster_event
ClusterEventListener = Callable[[ClusterEvent], object]

#: Policies that read from a replica: rack preference applies to them.
_READ_POLICIES = ("read", "operate", "batch", "query", "scan")
#: Policy kinds a session may set (the as_config.policies fields).
_POLICY_KINDS = tuple(_POLICY_CLASSES)
_PREFER_RACK = c_enum("as_policy_replica")["AS_POLICY_REPLICA_PREFER_RACK"]
#: How many recent cluster events a Cluster keeps for `recent_events()`.
_EVENT_HISTORY = 256


@dataclass(frozen=True)
class Host:
    """A seed host: name (or IP address), port and, for TLS, the name its certificate carries."""

    name: str
    port: int = 3000
    tls_name: Optional[str] = None

    @classmethod
    def of(cls, name: str, port: int = 3000) -> "Host":
        """A host without a TLS name."""
        return cls(name, port)

    @classmethod
    def parse_hosts(cls, host_string: str, default_port: int = 3000) -> List["Host"]:
        """Hosts from "host[:tls_name][:port],...", as the C client parses a host string
        (ParamError, a ValueError, names a bad part)."""
        if not isinstance(host_string, str):
            raise TypeError(f"host_string must be a str, not {type(host_string).__name__}")
        items = ",".join(item.strip() for item in host_string.split(","))
        return [cls(name, port, tls_name) for name, port, tls_name in parse_hosts(items, default_port)]

    def __str__(self) -> str:
        name = f"[{self.name}]" if ":" in self.name else self.name
        return f"{name}:{self.tls_name}:{self.port}" if self.tls_name else f"{name}:{self.port}"


SeedSpec = Union[Host, str, Tuple[str, int], Tuple[str, int, Optional[str]]]


def _seed_list(seeds: Sequence[Any], hosts: Optional[Iterable[SeedSpec]]) -> List[SeedSpec]:
    """Seeds from positional arguments ("name", port | Host, ... | "h:p,...") and hosts=."""
    if seeds and hosts is not None:
        raise TypeError("give the seeds either positionally or as hosts=, not both")
    if hosts is not None:
        if isinstance(hosts, (str, Host)):
            hosts = [hosts]
        return list(hosts)
    if len(seeds) == 2 and isinstance(seeds[0], str) and isinstance(seeds[1], int) \
            and not isinstance(seeds[1], bool):
        return [Host(seeds[0], seeds[1])]          # ClusterDefinition("localhost", 3000)
    if len(seeds) == 2 and isinstance(seeds[1], str) and seeds[1].strip().isdigit():
        # ClusterDefinition("localhost", "3000") would seed a host named "3000"
        raise TypeError(f"port must be an int, not str ({seeds[1]!r})")
    return list(seeds)


def _config_host(seed: SeedSpec) -> HostSpec:
    if isinstance(seed, Host):
        return (seed.name, seed.port, seed.tls_name)
    return seed  # a "host[:tls_name][:port]" string or a tuple: Config checks it


class ClusterDefinition:
    """How to reach a cluster: seed hosts and the connection options, checked now.

    Seeds: `ClusterDefinition("localhost", 3000)`, `ClusterDefinition(Host.of(a, 3000),
    Host.of(b, 3000))` or `ClusterDefinition(hosts=[...])` (a `Host`, "host:port" or
    (host, port[, tls_name]) each). Every option is the `as_config` field of the same name;
    None keeps the C default:

    user, password          credentials (internal authentication)
    cluster_name            refuse nodes of another cluster
    tls                     True, or a dict of `as_config.tls` fields ({"cafile": ...});
                            TLS names go on the hosts
    use_services_alternate  use the nodes' alternate addresses
    rack_ids                preferred racks in order; turns on rack_aware and the
                            AS_POLICY_REPLICA_PREFER_RACK replica for reads
    fail_if_not_connected   False: connect() succeeds with no reachable seed and the
                            tender keeps trying
    min_conns_per_node, max_conns_per_node, max_socket_idle (s), conn_timeout_ms,
    tender_interval (ms), login_timeout_ms, max_error_rate, error_rate_window
    policies                default policies by C name: {"read": {"base": {...}}, ...}
    on_cluster_event        listener(event) for node added/removed/disconnected; more can
                            be added with `Cluster.add_event_listener`
    config_fields           any other `as_config` field by C name
    """

    def __init__(self, *seeds: Any, hosts: Optional[Iterable[SeedSpec]] = None,
                 user: Optional[str] = None, password: Optional[str] = None,
                 cluster_name: Optional[str] = None,
                 tls: Union[None, bool, Mapping[str, Any]] = None,
                 use_services_alternate: Optional[bool] = None,
                 rack_ids: Optional[Sequence[int]] = None,
                 fail_if_not_connected: Optional[bool] = None,
                 min_conns_per_node: Optional[int] = None,
                 max_conns_per_node: Optional[int] = None,
                 max_socket_idle: Optional[int] = None,
                 conn_timeout_ms: Optional[int] = None,
                 tender_interval: Optional[int] = None,
                 login_timeout_ms: Optional[int] = None,
                 max_error_rate: Optional[int] = None,
                 error_rate_window: Optional[int] = None,
                 policies: Optional[Mapping[str, Any]] = None,
                 on_cluster_event: Optional[ClusterEventListener] = None,
                 **config_fields: Any) -> None:
        self.hosts = [_config_host(seed) for seed in _seed_list(seeds, hosts)]
        if not self.hosts:
            raise ValueError("a cluster definition needs at least one seed host")
        if on_cluster_event is not None and not callable(on_cluster_event):
            raise TypeError("on_cluster_event must be callable")
        options = {
            "cluster_name": cluster_name, "use_services_alternate": use_services_alternate,
            "fail_if_not_connected": fail_if_not_connected,
            "min_conns_per_node": min_conns_per_node, "max_conns_per_node": max_conns_per_node,
            "max_socket_idle": max_socket_idle, "conn_timeout_ms": conn_timeout_ms,
            "tender_interval": tender_interval, "login_timeout_ms": login_timeout_ms,
            "max_error_rate": max_error_rate, "error_rate_window": error_rate_window,
        }
        fields: Dict[str, Any] = {k: v for k, v in options.items() if v is not None}
        fields.update(config_fields)
        policies = _with_base_level(policies or {})
        if tls is not None:
            if not isinstance(tls, (bool, Mapping)):
                raise TypeError(f"tls must be True, False or a dict of as_config.tls fields, "
                                f"not {type(tls).__name__}")
            fields["tls"] = {"enable": tls} if isinstance(tls, bool) else {"enable": True, **tls}
        if rack_ids is not None:
            fields["rack_aware"] = True
            fields["rack_ids"] = list(rack_ids)
            for name in _READ_POLICIES:
                policies.setdefault(name, {}).setdefault("replica", _PREFER_RACK)
        if policies:
            fields["policies"] = policies
        self.user = user
        self.password = password
        self.fields = fields
        self.on_cluster_event = on_cluster_event
        self.config = self._config(None)  # checks every setting now
        _check_pool_ranges(fields)

    def _config(self, event_callback: Optional[ClusterEventListener]) -> Config:
        fields = dict(self.fields)
        if event_callback is not None:
            fields["event_callback"] = event_callback
        return Config(self.hosts, user=self.user, password=self.password, **fields)

    @property
    def max_conns_per_node(self) -> int:
        """The per-node pool limit the cluster will have."""
        return int(self.config.to_as_config().max_conns_per_node)

    def connect(self) -> "Cluster":
        """Seed, discover every node and start tending: a connected `Cluster`."""
        events = _EventHub(self.on_cluster_event)
        client = Client(self._config(events))
        try:
            client.connect()
        except BaseException:
            client.destroy()
            raise
        return Cluster(client, events)

    def __repr__(self) -> str:
        return f"ClusterDefinition(hosts={self.hosts!r}, fields={self.fields!r})"


def _check_pool_ranges(fields: Mapping[str, Any]) -> None:
    """min <= max for both pools, now rather than at connect (aerospike_connect checks it)."""
    for low, high in (("min_conns_per_node", "max_conns_per_node"),
                      ("async_min_conns_per_node", "async_max_conns_per_node")):
        if low in fields or high in fields:
            defaults = c.as_config_init()
            least, most = fields.get(low, getattr(defaults, low)), fields.get(high, getattr(defaults, high))
            if least > most:
                raise ValueError(f"{low} ({least}) must be <= {high} ({most})")


def _with_base_level(policies: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Policies by kind with fields of `base` given at the top moved under "base" (the
    shortcut sessions allow: {"read": {"total_timeout": 50}})."""
    if not isinstance(policies, Mapping):
        raise TypeError(f"policies must be a dict of policies by kind, not {type(policies).__name__}")
    unknown = sorted(map(repr, set(policies) - set(_POLICY_KINDS)))
    if unknown:
        raise ValueError(f"unknown policy kind(s) {', '.join(unknown)}; one of: {', '.join(_POLICY_KINDS)}")
    defaults = c.as_config_init().policies
    out: Dict[str, Dict[str, Any]] = {}
    for kind, fields in policies.items():
        if not isinstance(fields, Mapping):
            raise TypeError(f"policies[{kind!r}] must be a dict of fields, not {type(fields).__name__}")
        view = getattr(defaults, kind)
        own, base_fields = set(view), set(view.base) if "base" in set(view) else set()
        moved: Dict[str, Any] = {}
        for name, value in fields.items():
            if name not in own and name in base_fields:
                moved.setdefault("base", {})[name] = value
            elif name == "base" and isinstance(value, Mapping):
                moved.setdefault("base", {}).update(value)
            else:
                moved[name] = value
        out[kind] = moved
    return out


class _EventHub:
    """The cluster's one C event callback: records each event and fans it out to listeners.

    Runs on the thread that changes the node list (the tend thread; during connect() the
    connecting thread), so it only copies a reference and calls the listeners; a listener's
    exception goes to sys.unraisablehook and never stops the others, but a KeyboardInterrupt
    or SystemExit during connect() (on the connecting thread) stops them: connect() raises it."""

    def __init__(self, first: Optional[ClusterEventListener]) -> None:
        self._lock = threading.Lock()
        self._listeners: Tuple[ClusterEventListener, ...] = (first,) if first else ()
        self.history: Deque[ClusterEvent] = collections.deque(maxlen=_EVENT_HISTORY)

    def add(self, listener: ClusterEventListener) -> None:
        if not callable(listener):
            raise TypeError("a cluster event listener must be callable")
        with self._lock:
            self._listeners += (listener,)

    def remove(self, listener: ClusterEventListener) -> None:
        with self._lock:
            listeners = list(self._listeners)
            listeners.remove(listener)  # ValueError when it was not added, like list.remove
            self._listeners = tuple(listeners)

    def __call__(self, event: ClusterEvent) -> None:
        self.history.append(event)
        for listener in self._listeners:
            try:
                listener(event)
            except BaseException as exc:  # noqa: BLE001 - reported, the tender goes on
                if ESCAPES.active and not isinstance(exc, Exception):
                    raise  # a Ctrl-C during connect() or close(): that call raises it
                report_unraisable(exc, listener, "Exception in a cluster event listener")


@dataclass(frozen=True)
class NodeStats:
    """One node: its sync connection pool and error counters (from aerospike_stats).

    in_pool: idle connections ready for reuse; in_use: connections inside a command;
    opened/closed: connections ever opened/closed (the tender's own info connection
    counts in `opened`); errors/timeouts/key_busy: commands that failed on this node."""

    name: str
    address: str
    in_pool: int
    in_use: int
    opened: int
    closed: int
    errors: int
    timeouts: int
    key_busy: int

    @property
    def connections(self) -> int:
        """Pooled connections open now (in_pool + in_use)."""
        return self.in_pool + self.in_use


#: Per-node counters in the Prometheus export: (metric name, NodeStats field, help).
_NODE_COUNTERS = (
    ("connections_opened_total", "opened", "Connections opened (the tender's included)."),
    ("connections_closed_total", "closed", "Connections closed."),
    ("command_errors_total", "errors", "Commands that failed on the node."),
    ("command_timeouts_total", "timeouts", "Commands that timed out on the node."),
    ("key_busy_total", "key_busy", "Commands refused because the record was busy."),
)


_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\"", '\\"').replace("\n", "\\n")


@dataclass(frozen=True)
class ClusterStats:
    """A health snapshot: the active nodes and their pools."""

    nodes: Tuple[NodeStats, ...]
    retry_count: int

    @property
    def active_nodes(self) -> int:
        """Nodes the client currently uses."""
        return len(self.nodes)

    @property
    def total_connections(self) -> int:
        """Pooled connections open now, over every node."""
        return sum(node.connections for node in self.nodes)

    @property
    def node_names(self) -> List[str]:
        return [node.name for node in self.nodes]

    @property
    def node_addresses(self) -> List[str]:
        return [node.address for node in self.nodes]

    def node(self, name: str) -> NodeStats:
        """The figures of the node named `name` (KeyError when it is not active)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def to_dict(self) -> Dict[str, Any]:
        out = asdict(self)
        out.update(active_nodes=self.active_nodes, total_connections=self.total_connections)
        return out

    def to_prometheus(self, prefix: str = "aerospike_c") -> str:
        """These figures in the Prometheus text exposition format (version 0.0.4)."""
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, not {type(prefix).__name__}")
        if not _METRIC_NAME.fullmatch(prefix):
            raise ValueError(f"prefix {prefix!r} is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
        lines: List[str] = []

        def family(name: str, kind: str, help_text: str, samples: Iterable[Tuple[str, int]]) -> None:
            lines.append(f"# HELP {prefix}_{name} {help_text}")
            lines.append(f"# TYPE {prefix}_{name} {kind}")
            lines.extend(f"{prefix}_{name}{labels} {value}" for labels, value in samples)

        def labels(node: NodeStats, **extra: str) -> str:
            pairs = {"node": node.name, "address": node.address, **extra}
            return "{" + ",".join(f'{k}="{_label_value(v)}"' for k, v in pairs.items()) + "}"

        family("active_nodes", "gauge", "Nodes the client currently uses.", [("", self.active_nodes)])
        family("connections", "gauge", "Pooled connections open now, by state.",
               [(labels(n, state=state), getattr(n, state))
                for n in self.nodes for state in ("in_pool", "in_use")])
        for name, attr, help_text in _NODE_COUNTERS:
            family(name, "counter", help_text, [(labels(n), getattr(n, attr)) for n in self.nodes])
        family("retries_total", "counter", "Command retries, all nodes.", [("", self.retry_count)])
        return "\n".join(lines) + "\n"

    @classmethod
    def _from_c(cls, stats: "c.as_cluster_stats") -> "ClusterStats":
        return cls(tuple(NodeStats(
            name=node.name, address=node.address, in_pool=node.sync.in_pool,
            in_use=node.sync.in_use, opened=node.sync.opened, closed=node.sync.closed,
            errors=node.error_count, timeouts=node.timeout_count,
            key_busy=node.key_busy_count) for node in stats.nodes), stats.retry_count)


class BoolCheck:
    """A yes/no check that reads as a bool too: `bool(check)` and `check()` both ask now.

    `Cluster.is_connected` is a property in the SDK (`if cluster.is_connected:`) and a method
    here (`wait_until(cluster.is_connected)`); a plain method would always be true read as
    the property. `==` compares the answer (`is True` does not hold: it is not a bool)."""

    __slots__ = ("_check",)
    __hash__ = None  # type: ignore[assignment]  # its answer changes

    def __init__(self, check: Callable[[], bool]) -> None:
        self._check = check

    def __call__(self) -> bool:
        return self._check()

    def __bool__(self) -> bool:
        return self._check()

    def __eq__(self, other: object) -> bool:
        return self._check() == other

    def __repr__(self) -> str:
        return repr(self._check())


class Cluster:
    """A connected cluster: one C client instance, its tend thread and connection pools.

    Share one per application (it is thread-safe) and close it when done (`with` does).
    `close()` is idempotent. In a process forked from the one that connected, the C
    client's threads do not exist: `is_connected()` is False there, data calls raise
    `LifecycleError`, `close()` only marks this object closed; connect a new Cluster.
    Clusters still open at interpreter exit are closed by an atexit hook.
    """

    def __init__(self, client: Client, events: _EventHub) -> None:
        self._client = client
        self._events = events
        self._close_lock = threading.Lock()
        self._closed = False
        _OPEN_CLUSTERS.add(self)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def client(self) -> Client:
        """The idiomatic `Client` (its `.aerospike` is the C-faithful instance)."""
        self._check_open("client")
        return self._client

    @property
    def closed(self) -> bool:
        """True after close(), also one an interrupt cut short after the C client was freed."""
        return self._closed or self._client._as.destroyed

    def _check_open(self, what: str) -> None:
        if self.closed:
            raise lifecycle_error(f"Cluster.{what}: the cluster was closed")

    def close(self) -> None:
        """Stop tending and close every connection (aerospike_close + aerospike_destroy).

        Raises LifecycleError, leaving the cluster open, while commands are still running
        (a scan iterator not finished or closed is one) and on a tend thread (from an event
        listener), which closing waits for."""
        refuse_on_tend_thread(self._client._as, "Cluster.close")  # before waiting for the lock
        with self._close_lock:
            if self._closed:
                return
            instance = self._client._as  # destroyed: a KeyboardInterrupt cut the last close short
            if not (instance.destroyed or instance.forked):
                self._client.destroy()
            self._closed = True
        _OPEN_CLUSTERS.discard(self)

    def __enter__(self) -> "Cluster":
        self._check_open("__enter__")
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "connected" if self.is_connected() else "disconnected"
        return f"<Cluster {state}>"

    # -- health ------------------------------------------------------------------------------
    @property
    def is_connected(self) -> BoolCheck:
        """True while at least one node is active and answering the tender; never raises.
        Read it as the SDK's property or call it (a `BoolCheck`)."""
        return BoolCheck(self._is_connected)

    def _is_connected(self) -> bool:
        if self.closed or self._client._as.forked:
            return False
        return self._client.is_connected()

    def get_stats(self) -> ClusterStats:
        """Active nodes, total connections and each node's pool and error figures."""
        self._check_open("get_stats")
        return ClusterStats._from_c(self._client.stats())

    def node_names(self) -> List[str]:
        """Names of the active nodes."""
        self._check_open("node_names")
        return self._client.node_names()

    def ping(self, node: Optional[str] = None) -> float:
        """A real round trip: an info request to `node` (default: the first node that
        answers) over a pooled connection. Returns the seconds it took; raises the
        AerospikeError when no node answers within the info policy's timeout."""
        self._check_open("ping")
        started = time.perf_counter()
        if node is None:
            aerospike_info_any(self._client.aerospike, None, "node")
        else:
            aerospike_info_node(self._client.aerospike, None, node, "node")
        return time.perf_counter() - started

    # -- events ------------------------------------------------------------------------------
    def add_event_listener(self, listener: ClusterEventListener) -> None:
        """Call listener(event) for each node added/removed and on disconnection.

        It runs on the tend thread: keep it quick; closing the cluster from it raises
        LifecycleError (closing waits for the tend thread)."""
        self._events.add(listener)

    def remove_event_listener(self, listener: ClusterEventListener) -> None:
        self._events.remove(listener)

    def recent_events(self) -> List[ClusterEvent]:
        """The last cluster events (up to 256), oldest first, from connect() on."""
        return list(self._events.history)

    # -- sessions ----------------------------------------------------------------------------
    def create_session(self, behavior: None = None, **policies: Mapping[str, Any]) -> "Session":
        """A session whose commands use these default policies (by C name, e.g.
        read={"base": {"total_timeout": 50}}) over the cluster's own defaults. The SDK's
        `Behavior` has no equivalent here: `behavior` may only be None (its default)."""
        if behavior is not None:
            raise TypeError("create_session takes default policies by C name "
                            "(read={'total_timeout': 50}, ...), not a Behavior; "
                            f"got {type(behavior).__name__}")
        self._check_open("create_session")
        return Session(self, policies)

    def transaction(self, timeout: Optional[int] = None) -> "Session":
        """A session with the cluster's default policies bound to a new multi-record
        transaction (create_session().transaction(timeout)), as the SDK's
        `cluster.transaction()`: `with` commits on success and aborts on an exception."""
        return self.create_session().transaction(timeout)


class Session:
    """A lightweight view over a `Cluster` with its own default policies.

    Any number of sessions share the cluster's nodes and pools; a session opens nothing.
    Policies are given by kind (`read`, `write`, `operate`, `remove`, `apply`, `info` ...)
    as fields by C name; a field of `base` may skip the "base" level:
    `read={"total_timeout": 50}`. They are set on a copy of the cluster's default for that
    kind (as_config.policies.<kind>) and checked when the session is made.

    The commands are the `Client`'s (see COMMANDS: put, get, operate, info ...), same
    arguments; without `policy=` they run with the session's policy for their kind, and a
    `policy=` dict is applied over the session's policy for that call only.
    """

    #: Each command of a session and the policy kind it uses (aerospike_c.aio makes each
    #: one awaitable).
    COMMANDS: Dict[str, str] = {
        "put": "write", "get": "read", "select": "read", "exists": "read",
        "remove": "remove", "operate": "operate", "operate_ordered": "operate",
        "touch": "operate", "increment": "operate", "append": "operate", "prepend": "operate",
        "apply": "apply", "info": "info",
        "batch_get": "batch", "batch_exists": "batch", "batch_remove": "batch",
        "batch_records": "batch", "scan_foreach": "scan", "scan_background": "scan",
        "query_foreach": "query", "query_background": "write",
        "aggregate_foreach": "query",
    }
    #: Commands that return an iterator of records (aerospike_c.aio: async iterators).
    STREAMS: Dict[str, str] = {"scan": "scan", "query": "query", "aggregate": "query"}

    if TYPE_CHECKING:  # the commands are generated below from COMMANDS and STREAMS
        put: Callable[..., None]
        get: Callable[..., Record]
        select: Callable[..., Record]
        exists: Callable[..., Optional[Dict[str, int]]]
        remove: Callable[..., None]
        operate: Callable[..., Record]
        operate_ordered: Callable[..., Any]
        touch: Callable[..., Dict[str, int]]
        increment: Callable[..., Any]
        append: Callable[..., None]
        prepend: Callable[..., None]
        apply: Callable[..., Any]
        info: Callable[..., str]
        batch_get: Callable[..., List[Optional[Record]]]
        batch_exists: Callable[..., Any]
        batch_remove: Callable[..., Any]
        batch_records: Callable[..., Any]
        scan_foreach: Callable[..., None]
        scan_background: Callable[..., int]
        query_foreach: Callable[..., None]
        query_background: Callable[..., int]
        aggregate_foreach: Callable[..., None]
        scan: Callable[..., Iterator[Record]]
        query: Callable[..., Iterator[Record]]
        aggregate: Callable[..., Iterator[Any]]

    #: The commands that run in a session's transaction (Session.transaction()).
    TXN_COMMANDS = frozenset({"put", "get", "select", "exists", "remove", "operate",
                              "operate_ordered", "touch", "increment", "append", "prepend",
                              "apply", "batch_get", "batch_exists", "batch_remove",
                              "batch_records"})

    def __init__(self, cluster: Cluster, policies: Mapping[str, Mapping[str, Any]]) -> None:
        self._txn: Optional[Transaction] = None
        unknown = sorted(set(policies) - set(_POLICY_KINDS))
        if unknown:
            raise ValueError(f"unknown policy kind(s) {unknown}; one of: {', '.join(_POLICY_KINDS)}")
        self._cluster = cluster
        self._fields: Dict[str, Mapping[str, Any]] = {}
        self._own: Dict[str, Any] = {}
        for kind, fields in policies.items():
            if not isinstance(fields, Mapping):
                raise TypeError(f"the {kind} policy must be a dict of fields, not {type(fields).__name__}")
            self._fields[kind] = fields
            self._own[kind] = self._build(kind, fields)

    def _build(self, kind: str, *layers: Mapping[str, Any]) -> Any:
        policy = policy_from_config(self._cluster.client.aerospike, kind)
        for fields in layers:
            policy_with(policy, fields)
        return policy

    @property
    def cluster(self) -> Cluster:
        return self._cluster

    def policy(self, kind: str) -> Any:
        """The policy a command of `kind` runs with (a copy of the cluster default when
        this session sets none)."""
        if kind not in _POLICY_KINDS:
            raise ValueError(f"unknown policy kind {kind!r}; one of: {', '.join(_POLICY_KINDS)}")
        own = self._own.get(kind)
        return own if own is not None else self._build(kind)

    def _policy_for(self, kind: str, given: Any) -> Any:
        """The policy argument for one command: the session's (None: the cluster default,
        C's NULL), a dict over the session's, or the caller's policy view as it is."""
        if given is None:
            return self._own.get(kind)
        if isinstance(given, Mapping):
            return self._build(kind, self._fields.get(kind, {}), given)
        return given

    # -- transactions ----------------------------------------------------------------------
    def transaction(self, timeout: Optional[int] = None) -> "Session":
        """A session with these policies bound to a new multi-record transaction: its record
        and batch commands run in it (txn=). As a context manager it commits on success and
        aborts on an exception (aerospike_c._txn.Transaction: commit_status, abort_status)."""
        bound = Session.__new__(Session)
        bound._cluster = self._cluster
        bound._fields = self._fields
        bound._own = self._own
        bound._txn = Transaction(self._cluster.client, timeout)
        return bound

    @property
    def txn(self) -> Optional[Transaction]:
        """The transaction this session's commands run in (None: none)."""
        return self._txn

    def _bound(self, what: str) -> Transaction:
        if self._txn is None:
            raise TypeError(f"Session.{what}: this session is not bound to a transaction "
                            "(use session.transaction())")
        return self._txn

    def commit(self) -> Any:
        """Commit the session's transaction (aerospike_commit): the as_commit_status."""
        return self._bound("commit").commit()

    def abort(self) -> Any:
        """Abort the session's transaction (aerospike_abort): the as_abort_status."""
        return self._bound("abort").abort()

    def __enter__(self) -> "Session":
        self._bound("__enter__")
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._bound("__exit__").__exit__(*exc_info)

    def __repr__(self) -> str:
        txn = "" if self._txn is None else f" in {self._txn!r}"
        return f"<Session policies={sorted(self._own)}{txn} over {self._cluster!r}>"


def _session_command(name: str, kind: str) -> Callable[..., Any]:
    client_method = getattr(Client, name)

    in_txn = name in Session.TXN_COMMANDS

    def command(self: Session, *args: Any, policy: Any = None, **kwargs: Any) -> Any:
        client = self._cluster.client
        if in_txn and self._txn is not None:
            kwargs.setdefault("txn", self._txn)
        return getattr(client, name)(*args, policy=self._policy_for(kind, policy), **kwargs)

    command.__name__ = command.__qualname__ = name
    command.__doc__ = f"Client.{name} with this session's {kind} policy. {client_method.__doc__ or ''}"
    command.__signature__ = inspect.signature(client_method)  # type: ignore[attr-defined]
    return command


for _name, _kind in {**Session.COMMANDS, **Session.STREAMS}.items():
    setattr(Session, _name, _session_command(_name, _kind))


_OPEN_CLUSTERS: "weakref.WeakSet[Cluster]" = weakref.WeakSet()


@atexit.register
def _close_open_clusters() -> None:
    """Close what the application left open, while the interpreter can still run callbacks."""
    for cluster in list(_OPEN_CLUSTERS):
        try:
            cluster.close()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
