"""The record store shared by all nodes of an embedded cluster, and its info commands.

Records live per namespace in 4096 partitions (dicts keyed by the 20-byte digest). Bin values
are kept as they travel on the wire: (particle type, bytes), so reads and scans copy bytes
instead of re-encoding values. One lock guards the whole store.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Protocol, Tuple

from ._info import parse_params

N_PARTITIONS = 4096
CITRUSLEAF_EPOCH = 1262304000  # 2010-01-01, the server's clock epoch
MAX_TTL = 10 * 365 * 24 * 3600  # the server's default max-ttl (10 years)
MAX_GENERATION = 0xFFFF

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


def clock_seconds() -> int:
    """Seconds since the server's epoch (2010-01-01)."""
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
        """True once the record's void time has passed."""
        return self.void_time != 0 and self.void_time <= now

    def size(self) -> int:
        """Approximate stored size in bytes (what the record-too-big check uses)."""
        return 64 + sum(len(name) + len(value[1]) + 8 for name, value in self.bins.items())


@dataclass
class SecondaryIndex:
    """A secondary index definition (queries evaluate it by scanning the partitions)."""

    namespace: str
    name: str
    set_name: str
    bin_name: str
    bin_type: str  # NUMERIC / INTEGER / STRING / BLOB / GEO2DSPHERE
    index_type: str = "DEFAULT"  # DEFAULT / LIST / MAPKEYS / MAPVALUES
    context: str = ""  # base64 packed CDT context, as sent by the client

    def same_definition(self, other: "SecondaryIndex") -> bool:
        """True when both index the same data the same way."""
        return (self.set_name, self.bin_name, _canonical_type(self.bin_type), self.index_type,
                self.context) == (other.set_name, other.bin_name, _canonical_type(other.bin_type),
                                  other.index_type, other.context)


def _canonical_type(bin_type: str) -> str:
    return "NUMERIC" if bin_type in ("NUMERIC", "INTEGER") else bin_type


@dataclass
class Job:
    """A finished background scan/query job as `query-show` reports it."""

    job_id: int
    namespace: str
    set_name: str
    records: int
    module: str


@dataclass
class Namespace:
    """Records and metadata of one namespace."""

    name: str
    spec: NamespaceSpec
    partitions: List[Dict[bytes, Record]] = field(
        default_factory=lambda: [dict() for _ in range(N_PARTITIONS)])
    sindexes: Dict[str, SecondaryIndex] = field(default_factory=dict)
    truncate_lut: Dict[str, int] = field(default_factory=dict)  # set ("" = all) -> ns time

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
        self.udfs: Dict[str, bytes] = {}
        self.jobs: Dict[Tuple[str, int], Job] = {}  # (node name, job id) -> job

    # -- messages ---------------------------------------------------------------------------

    def handle_message(self, payload: bytes, node: NodeView) -> Iterator[bytes]:
        """Answer one AS_MSG payload; yields response payloads (the last one ends the reply)."""
        from ._message import handle_message

        return handle_message(self, payload, node)

    # -- info commands ----------------------------------------------------------------------

    def info(self, command: str, node: NodeView) -> Optional[str]:
        """Value of a data-related info command, or None when the command is not ours."""
        name, _, params = command.partition(":")
        if name.startswith("namespace/"):
            return self._namespace_info(name[len("namespace/"):], node)
        if name.startswith("sets"):
            return self._sets_info(name, node)
        if name.startswith("bins"):
            return self._bins_info(name)
        if name.startswith("sindex/"):
            parts = name.split("/")
            return self._sindex_stat(parts[1] if len(parts) > 1 else "",
                                     parts[2] if len(parts) > 2 else "")
        handler = _INFO_HANDLERS.get(name)
        if handler is None:
            return None
        return handler(self, parse_params(params), node)

    def _namespace_info(self, ns_name: str, node: NodeView) -> str:
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
            "max-record-size": spec.max_record_size, "strong-consistency": "false",
            "storage-engine": "memory", "stop_writes": "false", "sindex_count": len(ns.sindexes),
        }
        return ";".join(f"{k}={v}" for k, v in stats.items())

    def _selected_namespaces(self, only_ns: Optional[str]) -> List[Namespace]:
        return [ns for ns in self.namespaces.values() if only_ns is None or ns.name == only_ns]

    def _sets_info(self, name: str, node: NodeView) -> str:
        only_ns, only_set = _path_parts(name)
        now = clock_seconds()
        entries = []
        with self.lock:
            for ns in self._selected_namespaces(only_ns):
                counts: Dict[bytes, int] = {}
                for pid, _, record in ns.live_records(now):
                    if holds_partition(node, ns.name, pid):
                        counts[record.set_name] = counts.get(record.set_name, 0) + 1
                for set_name, count in sorted(counts.items()):
                    text = set_name.decode("utf-8", "replace")
                    if not text or (only_set is not None and text != only_set):
                        continue
                    n_sindex = sum(1 for s in ns.sindexes.values() if s.set_name == text)
                    entries.append(
                        f"ns={ns.name}:set={text}:objects={count}:tombstones=0:"
                        f"data_used_bytes=0:truncate_lut={ns.truncate_lut.get(text, 0) // 1000000}:"
                        f"sindexes={n_sindex}:index_populating=false:disable-eviction=false:"
                        f"enable-index=false:stop-writes-count=0:stop-writes-size=0")
        return "".join(e + ";" for e in entries)

    def _bins_info(self, name: str) -> str:
        only_ns, _ = _path_parts(name)
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

    # secondary indexes

    def _sindex_create(self, params: Dict[str, str], node: NodeView) -> str:
        ns_name = params.get("namespace", params.get("ns", ""))
        ns = self.namespaces.get(ns_name)
        if ns is None:
            return "ERROR:20:namespace not found"
        index_name = params.get("indexname", "")
        if not index_name or len(index_name) > 255:
            return "ERROR:4:invalid index name"
        if "exp" in params:
            return "ERROR:16:expression indexes are not supported by the embedded server"
        index_type = params.get("indextype", "DEFAULT").upper()
        if "bin" in params:
            bin_name, bin_type = params["bin"], params.get("type", "")
        else:
            bin_name, _, bin_type = params.get("indexdata", "").partition(",")
        bin_type = bin_type.upper()
        if index_type == "SET":
            bin_name, bin_type = "", "SET"
        elif not bin_name or bin_type not in ("NUMERIC", "INTEGER", "STRING", "BLOB",
                                              "GEO2DSPHERE"):
            return "ERROR:4:invalid index definition"
        if len(bin_name.encode()) > 15:
            return "ERROR:21:bin name too long"
        if index_type not in ("DEFAULT", "LIST", "MAPKEYS", "MAPVALUES", "SET"):
            return "ERROR:4:invalid index type"
        index = SecondaryIndex(ns_name, index_name, params.get("set", ""), bin_name, bin_type,
                               index_type, params.get("context", ""))
        with self.lock:
            existing = ns.sindexes.get(index_name)
            if existing is not None:
                if existing.same_definition(index):
                    return "OK"
                return "ERROR:200:index with the same name already exists"
            if any(s.same_definition(index) for s in ns.sindexes.values()):
                return "ERROR:200:an index with the same definition already exists"
            ns.sindexes[index_name] = index
        return "OK"

    def _sindex_delete(self, params: Dict[str, str], node: NodeView) -> str:
        ns = self.namespaces.get(params.get("namespace", params.get("ns", "")))
        if ns is None:
            return "ERROR:20:namespace not found"
        with self.lock:
            ns.sindexes.pop(params.get("indexname", ""), None)
        return "OK"

    def _sindex_list(self, params: Dict[str, str], node: NodeView) -> str:
        only_ns = params.get("namespace", params.get("ns"))
        entries = []
        with self.lock:
            for ns in self.namespaces.values():
                if only_ns and ns.name != only_ns:
                    continue
                for s in ns.sindexes.values():
                    entries.append(
                        f"ns={s.namespace}:indexname={s.name}:set={s.set_name or 'NULL'}:"
                        f"bin={s.bin_name or 'NULL'}:type={s.bin_type.lower()}:"
                        f"indextype={s.index_type.lower()}:context={s.context or 'NULL'}:"
                        f"exp=NULL:state=RW")
        return "".join(e + ";" for e in entries)

    def _sindex_stat_params(self, params: Dict[str, str], node: NodeView) -> str:
        return self._sindex_stat(params.get("namespace", params.get("ns", "")),
                                 params.get("indexname", ""))

    def _sindex_stat(self, ns_name: str, index_name: str) -> str:
        ns = self.namespaces.get(ns_name)
        if ns is None:
            return "ERROR:20:namespace not found"
        with self.lock:
            if index_name not in ns.sindexes:
                return "ERROR:201:no index"
        return "keys=0;entries=0;memory_used=0;load_pct=100;loadtime=0;stat_gc_recs=0"

    def _sindex_exists(self, params: Dict[str, str], node: NodeView) -> str:
        ns = self.namespaces.get(params.get("namespace", params.get("ns", "")))
        with self.lock:
            return "true" if ns is not None and params.get("indexname") in ns.sindexes else "false"

    # truncate

    def _truncate(self, params: Dict[str, str], node: NodeView) -> str:
        ns = self.namespaces.get(params.get("namespace", ""))
        if ns is None:
            return "ERROR:20:namespace not found"
        set_name = params.get("set", "")
        if not set_name:
            return "ERROR:4:missing set"
        return self._truncate_records(ns, set_name, params.get("lut"))

    def _truncate_namespace(self, params: Dict[str, str], node: NodeView) -> str:
        ns = self.namespaces.get(params.get("namespace", ""))
        if ns is None:
            return "ERROR:20:namespace not found"
        return self._truncate_records(ns, None, params.get("lut"))

    def _truncate_records(self, ns: Namespace, set_name: Optional[str], lut: Optional[str]) -> str:
        now_ns = time.time_ns()
        if lut is None:
            cutoff = now_ns
        else:
            try:
                cutoff = int(lut)
            except ValueError:
                return "ERROR:4:invalid lut"
            if cutoff > now_ns:
                return "ERROR:4:lut is in the future"
        wanted = set_name.encode() if set_name is not None else None
        with self.lock:
            for part in ns.partitions:
                doomed = [d for d, r in part.items()
                          if (wanted is None or r.set_name == wanted) and r.last_update_ns < cutoff]
                for digest in doomed:
                    del part[digest]
            ns.truncate_lut[set_name or ""] = cutoff
        return "ok"

    # UDF modules (stored and listed; executing them is not supported)

    def _udf_put(self, params: Dict[str, str], node: NodeView) -> str:
        filename = params.get("filename", "")
        if not filename:
            return "error=invalid_filename"
        try:
            content = base64.b64decode(params.get("content", ""), validate=True)
        except ValueError:
            return "error=invalid_base64_content"
        with self.lock:
            self.udfs[filename] = content
        return "ok"

    def _udf_list(self, params: Dict[str, str], node: NodeView) -> str:
        with self.lock:
            items = sorted(self.udfs.items())
        return "".join(f"filename={name},hash={hashlib.sha1(content).hexdigest()},type=LUA;"
                       for name, content in items)

    def _udf_get(self, params: Dict[str, str], node: NodeView) -> str:
        with self.lock:
            content = self.udfs.get(params.get("filename", ""))
        if content is None:
            return "error=not_found"
        return f"gen=1;type=LUA;content={base64.b64encode(content).decode()};"

    def _udf_remove(self, params: Dict[str, str], node: NodeView) -> str:
        with self.lock:
            if self.udfs.pop(params.get("filename", ""), None) is None:
                return "error=file_not_found"
        return "ok"

    # background jobs

    def record_job(self, node: NodeView, job: Job) -> None:
        """Remember a finished background job for `query-show`."""
        with self.lock:
            self.jobs[(node.name, job.job_id)] = job
            if len(self.jobs) > 1000:
                self.jobs.pop(next(iter(self.jobs)))

    def _job_show(self, params: Dict[str, str], node: NodeView) -> str:
        raw_id = params.get("id", params.get("trid", ""))
        try:
            job_id = int(raw_id)
        except ValueError:
            return "ERROR:4:invalid job id"
        with self.lock:
            job = self.jobs.get((node.name, job_id))
        if job is None:
            return "ERROR:2:job not found"
        return (f"trid={job.job_id}:job-type={job.module}:ns={job.namespace}:set={job.set_name}:"
                f"status=done(ok):job-progress=100:recs-throttled={job.records}:"
                f"recs-filtered-meta=0:recs-filtered-bins=0:recs-succeeded={job.records}:"
                f"recs-failed=0:net-io-bytes=0")

    def _jobs(self, params: Dict[str, str], node: NodeView) -> str:
        return self._job_show(params, node)


def _path_parts(name: str) -> Tuple[Optional[str], Optional[str]]:
    """Namespace and set of an info command like `sets/<ns>/<set>` (None when absent)."""
    parts = name.split("/")
    only_ns = parts[1] if len(parts) > 1 and parts[1] else None
    only_set = parts[2] if len(parts) > 2 and parts[2] else None
    return only_ns, only_set


_INFO_HANDLERS: Dict[str, Callable[[Store, Dict[str, str], NodeView], str]] = {
    "namespaces": lambda store, params, node: ";".join(store.namespaces),
    "sindex-create": Store._sindex_create,
    "sindex-delete": Store._sindex_delete,
    "sindex-list": Store._sindex_list,
    "sindex": Store._sindex_list,
    "sindex-stat": Store._sindex_stat_params,
    "sindex-exists": Store._sindex_exists,
    "truncate": Store._truncate,
    "truncate-namespace": Store._truncate_namespace,
    "udf-put": Store._udf_put,
    "udf-list": Store._udf_list,
    "udf-get": Store._udf_get,
    "udf-remove": Store._udf_remove,
    "query-show": Store._job_show,
    "scan-show": Store._job_show,
    "jobs": Store._jobs,
}
