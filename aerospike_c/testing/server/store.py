"""The record store shared by all nodes of an embedded cluster, and the info commands that
report what it holds (namespaces, sets, bins).

Records live per namespace in 4096 partitions (dicts keyed by the 20-byte digest). Bin values
are kept as they travel on the wire: (particle type, bytes), so reads and scans copy bytes
instead of re-encoding values. One lock guards the whole store.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Protocol, Tuple

if TYPE_CHECKING:
    from .background import Job
    from .security import Access
    from .sindex import SecondaryIndex

N_PARTITIONS = 4096
CITRUSLEAF_EPOCH = 1262304000  # 2010-01-01, the server's clock epoch
MAX_TTL = 10 * 365 * 24 * 3600  # the server's default max-ttl (10 years)
MAX_GENERATION = 0xFFFF
#: A set's default-ttl meaning "never expire" (a set's 0 means "the namespace's").
TTL_NEVER_EXPIRE = 0xFFFFFFFF

BinValue = Tuple[int, bytes]  # (particle type, wire bytes)


class NodeView(Protocol):
    """What the store needs to know about the node a request arrived on."""

    name: str

    def owns_partition(self, namespace: str, partition_id: int) -> bool:
        """True when this node is the partition's master for the namespace."""


@dataclass
class NamespaceSpec:
    """Configuration of one namespace."""

    replication_factor: int = 1
    default_ttl: int = 0  # seconds; 0 = records never expire
    nsup_period: int = 120  # 0 forbids records with a TTL, as on a real server
    max_record_size: int = 1024 * 1024
    #: Strong consistency (`strong-consistency true`): transactions, durable deletes only.
    strong_consistency: bool = False
    #: Seconds a transaction lives when its client sets no timeout (`mrt-duration`).
    mrt_duration: int = 10
    #: The records-per-second of a background scan/query that sends none, and the most
    #: one may send (`background-query-max-rps`).
    background_query_max_rps: int = 10000


def clock_seconds() -> int:
    """Seconds since the server's epoch (2010-01-01), truncated: cf_clepoch_seconds(), the
    `now` of expiry checks, and now_ms / 1000 of a write's void time (now + ttl)."""
    return int(time.time()) - CITRUSLEAF_EPOCH


def holds_partition(node: NodeView, namespace: str, pid: int) -> bool:
    """True when the node keeps a copy (master or replica) of the partition.

    Nodes that can tell their replicas (the embedded cluster's nodes) count them too; any other
    NodeView counts only the partitions it masters.
    """
    replicas = getattr(getattr(node, "cluster", None), "partition_replicas", None)
    if replicas is None:
        return node.owns_partition(namespace, pid)
    return node.name in replicas(namespace, pid)


def partition_id(digest: bytes) -> int:
    """Partition of a digest (the C client's as_partition_getid)."""
    return int.from_bytes(digest[0:2], "little") & (N_PARTITIONS - 1)


class Record:
    """One record: bins in wire form plus metadata."""

    __slots__ = ("bins", "generation", "void_time", "last_update_ns", "set_name", "key",
                 "encoded_bins")

    def __init__(self, set_name: bytes) -> None:
        self.bins: Dict[bytes, BinValue] = {}
        self.generation = 0
        self.void_time = 0  # server clock seconds; 0 = never expires
        self.last_update_ns = 0
        self.set_name = set_name
        self.key: Optional[BinValue] = None  # stored user key (particle type, bytes)
        self.encoded_bins: Optional[bytes] = None  # cache of all bins in response form

    def expired(self, now: int) -> bool:
        """True once the record's void time has passed: a server's as_record_is_expired(),
        void_time < now in whole seconds, so a record lives through its void-time second (a
        write at second S with ttl T lives until S + T + 1)."""
        return self.void_time != 0 and self.void_time < now

    def size(self) -> int:
        """Approximate stored size in bytes (what the record-too-big check uses)."""
        return 64 + sum(len(name) + len(value[1]) + 8 for name, value in self.bins.items())


@dataclass
class Namespace:
    """Records and metadata of one namespace."""

    name: str
    spec: NamespaceSpec
    partitions: List[Dict[bytes, Record]] = field(
        default_factory=lambda: [dict() for _ in range(N_PARTITIONS)])
    sindexes: Dict[str, SecondaryIndex] = field(default_factory=dict)
    truncate_lut: Dict[str, int] = field(default_factory=dict)  # set ("" = all) -> ns time
    #: Set -> its own default-ttl (set-config ...;set=<set>;default-ttl=): 0 uses the
    #: namespace's, TTL_NEVER_EXPIRE never expires. A set configured exists, records or not.
    set_default_ttls: Dict[bytes, int] = field(default_factory=dict)
    #: The sets the namespace knows, in the order it came to know them (a server's set ids,
    #: as_namespace_get_create_set_w_len): one a record was written to, configured or
    #: indexed is known for good, records or not (keys only: an ordered set).
    set_names: Dict[bytes, None] = field(default_factory=dict)

    def default_ttl(self, set_name: bytes) -> int:
        """The ttl of a write to `set_name` that asks for the default (rw_utils.h,
        effective_default_ttl): the set's own default-ttl, else the namespace's."""
        ttl = self.set_default_ttls.get(set_name, 0)
        if ttl == 0:
            return self.spec.default_ttl
        return 0 if ttl == TTL_NEVER_EXPIRE else ttl

    def know_set(self, set_name: bytes) -> None:
        """Give the set its id, if it has none yet."""
        self.set_names.setdefault(set_name, None)

    def get(self, digest: bytes, now: int) -> Optional[Record]:
        """The live record with this digest (expired records are dropped)."""
        part = self.partitions[partition_id(digest)]
        record = part.get(digest)
        if record is not None and record.expired(now):
            del part[digest]
            return None
        return record

    def put(self, digest: bytes, record: Record) -> None:
        """Store (or replace) a record."""
        self.partitions[partition_id(digest)][digest] = record
        if record.set_name:
            self.know_set(record.set_name)

    def remove(self, digest: bytes) -> None:
        """Delete a record if present."""
        self.partitions[partition_id(digest)].pop(digest, None)

    def live_records(self, now: int) -> Iterator[Tuple[int, bytes, Record]]:
        """(partition id, digest, record) of every live record."""
        for pid, part in enumerate(self.partitions):
            for digest, record in part.items():
                if not record.expired(now):
                    yield pid, digest, record


class Store:
    """All data of an embedded cluster; nodes pass their requests here."""

    def __init__(self, namespaces: Optional[Dict[str, NamespaceSpec]] = None) -> None:
        specs = namespaces if namespaces is not None else {"test": NamespaceSpec()}
        self.namespaces: Dict[str, Namespace] = {
            name: Namespace(name, spec) for name, spec in specs.items()}
        self.lock = threading.RLock()
        self.udfs: Dict[str, str] = {}  # module file name -> its metadata JSON (udf.py)
        self.jobs: Dict[Tuple[str, int], Job] = {}  # (node name, job id) -> job
        from .txn import Transactions

        self.txns = Transactions()  # txn.py: monitors and provisional writes
        #: The server version the cluster reports (its `build`): features follow it (strings.py).
        self.version: Tuple[int, ...] = (8, 1, 2, 0)

    # -- messages ---------------------------------------------------------------------------

    def handle_message(self, payload: bytes, node: NodeView, access: Optional["Access"] = None
                       ) -> Iterator[bytes]:
        """Answer one AS_MSG payload; yields response payloads (the last one ends the reply).
        `access` checks each command's permission when security is on (else None)."""
        from .dispatch import handle_message

        return handle_message(self, payload, node, access)

    # -- info commands ----------------------------------------------------------------------

    def info(self, command: str, node: NodeView) -> Optional[str]:
        """Value of a data-related info command, or None when the command is not ours."""
        from .info import store_command_value

        return store_command_value(self, command, node)

    def namespace_info(self, ns_name: str, node: NodeView) -> str:
        """`namespace/<ns>`: the namespace's configuration and object counts on `node`."""
        ns = self.namespaces.get(ns_name)
        if ns is None:
            return "type=unknown"
        now = clock_seconds()
        master = prole = 0
        with self.lock:
            for pid, part in enumerate(ns.partitions):
                if not part or not holds_partition(node, ns_name, pid):
                    continue
                count = sum(1 for r in part.values() if not r.expired(now))
                if node.owns_partition(ns_name, pid):
                    master += count
                else:
                    prole += count
        spec = ns.spec
        stats = {
            "ns_cluster_size": "1", "effective_replication_factor": spec.replication_factor,
            "objects": master + prole, "tombstones": 0, "master_objects": master,
            "prole_objects": prole,
            "non_replica_objects": 0, "replication-factor": spec.replication_factor,
            "default-ttl": spec.default_ttl, "max-ttl": MAX_TTL, "nsup-period": spec.nsup_period,
            "max-record-size": spec.max_record_size, "mrt-duration": spec.mrt_duration,
            "strong-consistency": str(spec.strong_consistency).lower(),
            "storage-engine": "memory", "stop_writes": "false", "sindex_count": len(ns.sindexes),
        }
        return ";".join(f"{k}={v}" for k, v in stats.items())

    def _selected_namespaces(self, only_ns: Optional[str]) -> List[Namespace]:
        return [ns for ns in self.namespaces.values() if only_ns is None or ns.name == only_ns]

    def sets_info(self, name: str, node: NodeView) -> str:
        """`sets[/<ns>[/<set>]]`: each set's objects on `node`. Every set the namespace knows
        is listed in the order of their ids, one emptied of its records, configured or
        indexed with objects=0 (namespace.c, as_namespace_get_set_info walks the set ids,
        not the records)."""
        only_ns, only_set = path_parts(name)
        now = clock_seconds()
        entries = []
        with self.lock:
            for ns in self._selected_namespaces(only_ns):
                counts: Dict[bytes, int] = dict.fromkeys(ns.set_names, 0)
                for pid, _, record in ns.live_records(now):
                    if holds_partition(node, ns.name, pid):
                        counts[record.set_name] = counts.get(record.set_name, 0) + 1
                for set_name, count in counts.items():
                    text = set_name.decode("utf-8", "replace")
                    if not text or (only_set is not None and text != only_set):
                        continue
                    n_sindex = sum(1 for s in ns.sindexes.values() if s.set_name == text)
                    entries.append(
                        f"ns={ns.name}:set={text}:objects={count}:tombstones=0:"
                        f"data_used_bytes=0:truncate_lut={ns.truncate_lut.get(text, 0) // 1000000}:"
                        f"sindexes={n_sindex}:index_populating=false:truncating=false:"
                        f"default-read-touch-ttl-pct=0:"
                        f"default-ttl={ns.set_default_ttls.get(set_name, 0)}:"
                        f"disable-eviction=false:enable-index=false:stop-writes-count=0:"
                        f"stop-writes-size=0")
        return "".join(e + ";" for e in entries)

    def bins_info(self, name: str) -> str:
        """`bins[/<ns>]`: the bin names in use."""
        only_ns, _ = path_parts(name)
        now = clock_seconds()
        entries = []
        with self.lock:
            for ns in self._selected_namespaces(only_ns):
                names: set[bytes] = set()
                for _, _, record in ns.live_records(now):
                    names.update(record.bins)
                text = ",".join(sorted(n.decode("utf-8", "replace") for n in names))
                value = f"bin_names={len(names)},bin_names_quota=65535"
                value += "," + text if text else ""
                entries.append(value if only_ns else f"{ns.name}:{value}")
        return ";".join(entries)


def path_parts(name: str) -> Tuple[Optional[str], Optional[str]]:
    """Namespace and set of an info command like `sets/<ns>/<set>` (None when absent)."""
    parts = name.split("/")
    only_ns = parts[1] if len(parts) > 1 and parts[1] else None
    only_set = parts[2] if len(parts) > 2 and parts[2] else None
    return only_ns, only_set
