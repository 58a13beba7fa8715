"""Configuration info commands: `get-config`, `set-config`, `release`, `logs` and `help`.

`get-config:context=service|network|namespace;namespace=NS` answers the field set an
Aerospike 8.1 server answers (names and order), with values true to the embedded cluster:
its ports, cluster name, node id and each namespace's spec. Fields the embedded cluster has no
notion of (threads, benchmarks, storage tuning) carry a server's defaults. `set-config` changes
the namespace settings the embedded cluster honours (default-ttl, nsup-period,
max-record-size, background-query-max-rps; a set's default-ttl); any other parameter is refused, never silently accepted.
"""

from __future__ import annotations

import platform
import re
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from .results import (INFO_INVALID_CONFIG_CONTEXT, INFO_INVALID_CONFIG_NAMESPACE,
                      INFO_INVALID_CONFIG_PARAMETER, INFO_NAMESPACE_NOT_FOUND, INFO_SET_CONFIG_REFUSED)
from .records import SET_NAME_SIZE
from .store import MAX_TTL, TTL_NEVER_EXPIRE

if TYPE_CHECKING:
    from .node import Node
    from .store import Store

Fields = List[Tuple[str, object]]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _service_fields(node: "Node") -> Fields:
    cluster = node.cluster
    return [
        ("advertise-ipv6", "false"), ("auto-pin", "none"), ("batch-index-threads", 2),
        ("batch-max-buffers-per-queue", 255), ("batch-max-requests", 5000),
        ("batch-max-unused-buffers", 256), ("cluster-name", cluster.cluster_name or "null"),
        ("debug-allocations", "none"), ("disable-udf-execution", "false"),
        ("downgrading", "false"), ("enable-benchmarks-fabric", "false"),
        ("enable-health-check", "false"), ("enable-hist-info", "false"),
        ("enforce-best-practices", "false"), ("indent-allocations", "false"),
        ("info-max-ms", 10000), ("info-threads", 16), ("keep-caps-ssd-health", "false"),
        ("log-local-time", "false"), ("log-millis", "false"),
        ("microsecond-histograms", "false"), ("migrate-fill-delay", 0),
        ("migrate-max-num-incoming", 4), ("migrate-threads", 1), ("min-cluster-size", 1),
        ("node-id", node.name), ("node-id-interface", "null"), ("os-group-perms", "false"),
        ("pidfile", "null"), ("proto-fd-idle-ms", 0), ("proto-fd-max", 15000),
        ("query-max-done", 100), ("query-threads-limit", 128), ("run-as-daemon", "false"),
        ("salt-allocations", "false"), ("service-threads", 2), ("sindex-builder-threads", 4),
        ("sindex-gc-period", 10), ("stay-quiesced", "false"), ("ticker-interval", 10),
        ("transaction-max-ms", 1000), ("transaction-retry-ms", 1002), ("vault-ca", "null"),
        ("vault-path", "null"), ("vault-token-file", "null"), ("vault-url", "null"),
        ("work-directory", "null"),
    ]


def _network_fields(node: "Node") -> Fields:
    cluster = node.cluster
    tls = cluster.tls_enabled
    port, tls_port = (0, node.port) if tls else (node.port, 0)
    return [
        ("service.access-port", 0), ("service.address", node.host),
        ("service.alternate-access-port", 0), ("service.port", port),
        ("service.tls-port", tls_port), ("service.tls-access-port", 0),
        ("service.tls-alternate-access-port", 0),
        ("service.tls-name", cluster.tls_name if tls else "null"),
        ("service.disable-localhost", "false"),
        ("heartbeat.mode", "mesh"), ("heartbeat.interval", 150), ("heartbeat.timeout", 10),
        ("heartbeat.mtu", 1500), ("heartbeat.protocol", "v3"), ("heartbeat.port", 0),
        ("fabric.channel-bulk-fds", 2), ("fabric.channel-bulk-recv-threads", 4),
        ("fabric.channel-ctrl-fds", 1), ("fabric.channel-ctrl-recv-threads", 4),
        ("fabric.channel-meta-fds", 1), ("fabric.channel-meta-recv-threads", 4),
        ("fabric.channel-rw-fds", 8), ("fabric.channel-rw-recv-pools", 1),
        ("fabric.channel-rw-recv-threads", 16), ("fabric.keepalive-enabled", "true"),
        ("fabric.keepalive-intvl", 1), ("fabric.keepalive-probes", 10),
        ("fabric.keepalive-time", 1), ("fabric.latency-max-ms", 5), ("fabric.port", 0),
        ("fabric.recv-rearm-threshold", 1024), ("fabric.send-threads", 8),
        ("fabric.tls-port", 0),
    ]


def _namespace_fields(node: "Node", namespace: str) -> Fields:
    spec = node.cluster.store.namespaces[namespace].spec
    return [
        ("active-rack", 0), ("allow-ttl-without-nsup", "false"), ("auto-revive", "false"),
        ("background-query-max-rps", spec.background_query_max_rps), ("conflict-resolution-policy", "generation"),
        ("conflict-resolve-writes", "false"), ("default-read-touch-ttl-pct", 0),
        ("default-ttl", spec.default_ttl), ("disable-cold-start-eviction", "false"),
        ("disable-mrt-writes", "false"), ("disable-write-dup-res", "false"),
        ("disallow-expunge", "false"), ("disallow-null-setname", "false"),
        ("enable-benchmarks-batch-sub", "false"), ("enable-benchmarks-ops-sub", "false"),
        ("enable-benchmarks-read", "false"), ("enable-benchmarks-udf", "false"),
        ("enable-benchmarks-udf-sub", "false"), ("enable-benchmarks-write", "false"),
        ("enable-hist-proxy", "false"), ("evict-hist-buckets", 10000),
        ("evict-indexes-memory-pct", 0), ("evict-tenths-pct", 5),
        ("force-long-queries", "false"), ("ignore-migrate-fill-delay", "false"),
        ("index-stage-size", 1073741824), ("indexes-memory-budget", 0),
        ("inline-short-queries", "false"), ("max-record-size", spec.max_record_size),
        ("migrate-order", 5), ("migrate-retransmit-ms", 5000), ("migrate-sleep", 1),
        ("mrt-duration", spec.mrt_duration), ("nsup-hist-period", 3600), ("nsup-period", spec.nsup_period),
        ("nsup-threads", 1), ("partition-tree-sprigs", 256), ("prefer-uniform-balance", "true"),
        ("rack-id", node.rack_id), ("read-consistency-level-override", "off"),
        ("reject-non-xdr-writes", "false"), ("reject-xdr-writes", "false"),
        ("replication-factor", spec.replication_factor), ("sindex-stage-size", 1073741824),
        ("single-query-threads", 4), ("stop-writes-sys-memory-pct", 90),
        ("strong-consistency", str(spec.strong_consistency).lower()),
        ("strong-consistency-allow-expunge", "false"),
        ("tomb-raider-eligible-age", 86400), ("tomb-raider-period", 86400),
        ("transaction-pending-limit", 20), ("truncate-threads", 4),
        ("write-commit-level-override", "off"), ("xdr-bin-tombstone-ttl", 86400),
        ("xdr-tomb-raider-period", 120), ("xdr-tomb-raider-threads", 1),
        ("geo2dsphere-within.strict", "true"), ("geo2dsphere-within.min-level", 1),
        ("geo2dsphere-within.max-level", 20), ("geo2dsphere-within.max-cells", 12),
        ("geo2dsphere-within.level-mod", 1),
        ("geo2dsphere-within.earth-radius-meters", 6371000), ("index-type", "shmem"),
        ("sindex-type", "shmem"), ("storage-engine", "memory"),
        ("storage-engine.data-size", 4294967296), ("storage-engine.evict-used-pct", 0),
        ("storage-engine.stop-writes-avail-pct", 5), ("storage-engine.stop-writes-used-pct", 70),
    ]


def _security_fields(node: "Node") -> Fields:
    # A Community Edition server answers nothing; with users configured the embedded
    # cluster behaves as a server with security enabled.
    if not node.cluster.security.enabled:
        return []
    quotas = "true" if node.cluster.security.quotas_enabled else "false"
    return [("enable-quotas", quotas), ("enable-security", "true"), ("privilege-refresh-period", 300),
            ("session-ttl", 86400), ("tps-weight", 2)]


def _format(fields: Fields) -> str:
    return ";".join(f"{name}={value}" for name, value in fields)


def _namespace_param(params: Dict[str, str]) -> Optional[str]:
    # 8.x takes namespace=; id= is the deprecated spelling, still accepted.
    return params.get("namespace", params.get("id"))


def get_config(node: "Node", params: Dict[str, str]) -> str:
    """`get-config[:context=...]`: the node's configuration, one context or all of them."""
    context = params.get("context")
    if context is None:
        if params:
            return INFO_INVALID_CONFIG_PARAMETER
        return _format(_service_fields(node) + _network_fields(node) + _security_fields(node))
    if context == "service":
        return _format(_service_fields(node))
    if context == "network":
        return _format(_network_fields(node))
    if context == "security":
        return _format(_security_fields(node))
    if context == "namespace":
        namespace = _namespace_param(params)
        if namespace is None:
            return INFO_INVALID_CONFIG_NAMESPACE
        if namespace not in node.cluster.namespace_names:
            return INFO_NAMESPACE_NOT_FOUND
        return _format(_namespace_fields(node, namespace))
    return INFO_INVALID_CONFIG_CONTEXT


# set-config:context=namespace parameters the embedded cluster honours -> NamespaceSpec field.
_DYNAMIC_NAMESPACE = {
    "background-query-max-rps": "background_query_max_rps",
    "default-ttl": "default_ttl",
    "nsup-period": "nsup_period",
    "max-record-size": "max_record_size",
}


def set_config(node: "Node", params: Dict[str, str]) -> str:
    """`set-config:context=namespace;namespace=NS;PARAM=VALUE`, for the settings we honour."""
    if params.get("context") != "namespace":
        return INFO_SET_CONFIG_REFUSED if "context" in params else INFO_INVALID_CONFIG_CONTEXT
    namespace = _namespace_param(params)
    if namespace is None or namespace not in node.cluster.namespace_names:
        return INFO_NAMESPACE_NOT_FOUND
    if "set" in params:
        return _set_config_set(node.cluster.store, namespace, params)
    changes = {key: value for key, value in params.items()
               if key not in ("context", "namespace", "id")}
    if not changes:
        return INFO_SET_CONFIG_REFUSED
    values: Dict[str, int] = {}
    for key, text in changes.items():
        attribute = _DYNAMIC_NAMESPACE.get(key)
        number = _seconds(text) if key in _IN_SECONDS else (int(text) if text.isdigit() else None)
        if attribute is None or number is None:
            return INFO_SET_CONFIG_REFUSED
        values[attribute] = number
    spec = node.cluster.store.namespaces[namespace].spec
    default_ttl = values.get("default_ttl", 0)
    # The server's checks (cfg_set_namespace): default-ttl at most max-ttl, and a non-zero one
    # only with nsup running (allow-ttl-without-nsup, false here, would allow it too).
    if default_ttl > MAX_TTL or (default_ttl and values.get("nsup_period", spec.nsup_period) == 0):
        return INFO_SET_CONFIG_REFUSED
    if not 1 <= values.get("background_query_max_rps", 1) <= 1000000:  # cfg_set_namespace's range
        return INFO_SET_CONFIG_REFUSED
    for attribute, number in values.items():
        setattr(spec, attribute, number)
    return "ok"


def _set_config_set(store: "Store", namespace: str, params: Dict[str, str]) -> str:
    """`set-config:context=namespace;namespace=NS;set=SET;default-ttl=SECONDS`: a set's own
    default-ttl (Aerospike 7.0+; 0 gives the namespace's back), creating the set as
    cfg_set_set does; its other parameters are refused, never silently accepted."""
    set_name = params["set"].encode()
    changes = {key: value for key, value in params.items()
               if key not in ("context", "namespace", "id", "set")}
    ttl = _seconds(changes.get("default-ttl", ""))
    if not 0 < len(set_name) < SET_NAME_SIZE or list(changes) != ["default-ttl"] or ttl is None:
        return INFO_SET_CONFIG_REFUSED
    if ttl > MAX_TTL and ttl != TTL_NEVER_EXPIRE:  # cfg_check_set_default_ttl's bound
        return INFO_SET_CONFIG_REFUSED
    with store.lock:
        store.namespaces[namespace].set_default_ttls[set_name] = ttl
        store.namespaces[namespace].know_set(set_name)
    return "ok"


#: The parameters a server reads as seconds with an optional unit (cf_str_atoi_seconds).
_IN_SECONDS = frozenset({"default-ttl", "nsup-period"})
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(text: str) -> Optional[int]:
    """`120`, `2m`, `1h`, `30d` in seconds; None for anything else."""
    match = re.fullmatch(r"(\d+)([smhd]?)", text.strip().lower())
    if match is None:
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


#: The first server version that answers `release`.
RELEASE_SINCE = (8, 1, 1)


def build_version(build: str) -> Tuple[int, ...]:
    """The numbers of a build string: "8.2.0.0" -> (8, 2, 0, 0)."""
    return tuple(int(part) for part in re.findall(r"\d+", build)[:4])


def release(node: "Node", params: Dict[str, str]) -> Optional[str]:
    """`release`: build facts as key=value; None (unknown command) before 8.1.1."""
    cluster = node.cluster
    if build_version(cluster.build)[:3] < RELEASE_SINCE:
        return None
    fields: Fields = [("arch", platform.machine() or "x86_64"), ("edition", cluster.edition),
                      ("os", "linux"), ("version", cluster.build)]
    return _format(fields)


def logs(node: "Node", params: Dict[str, str]) -> str:
    """`logs`: the log sinks, `id:path`; the embedded cluster logs to the console."""
    return "0:stderr"
