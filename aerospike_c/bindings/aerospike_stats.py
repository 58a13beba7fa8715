"""aerospike_stats.h: cluster and per-node connection figures as plain Python objects.

`aerospike_stats(as_)` fills an `as_cluster_stats` in C, copies it into the dataclasses
below and calls `aerospike_stats_destroy()` before returning, so nothing needs freeing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional

from .._aerospike import ffi, lib
from ..exceptions import InvalidNodeError
from .aerospike import aerospike, using
from .as_event import loop_arg
from .as_status import as_status

__all__ = ["as_conn_stats", "as_node_stats", "as_cluster_stats", "as_event_loop_stats",
           "aerospike_event_loop_stats", "aerospike_stats",
           "aerospike_stats_to_string", "aerospike_cluster_stats", "aerospike_node_stats"]


@dataclass(frozen=True)
class as_conn_stats:  # noqa: N801 - the C type's name
    """One connection pool's figures: in_pool, in_use, opened, closed, recovered, aborted."""

    in_pool: int
    in_use: int
    opened: int
    closed: int
    recovered: int
    aborted: int

    @classmethod
    def _from_c(cls, c: Any) -> "as_conn_stats":
        return cls(*(getattr(c, f.name) for f in fields(cls)))


@dataclass(frozen=True)
class as_node_stats:  # noqa: N801
    """A node's name and address, its sync/async/pipeline pools and error counters."""

    name: str
    address: str
    sync: as_conn_stats
    async_: as_conn_stats
    pipeline: as_conn_stats
    error_count: int
    timeout_count: int
    key_busy_count: int


@dataclass(frozen=True)
class as_cluster_stats:  # noqa: N801
    """`as_cluster_stats`: every node's figures and the cluster-wide counters."""

    nodes: List[as_node_stats]
    retry_count: int
    thread_pool_queued_tasks: int
    recover_queue_size: int

    @property
    def nodes_size(self) -> int:
        return len(self.nodes)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _text(ptr: Any) -> str:
    return "" if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8", "replace")


@contextmanager
def _filled(ctype: str, fill: Any, source: Any, destroy: Any) -> Iterator[Any]:
    """A `ctype*` filled by fill(source, stats), destroyed by destroy(stats) on exit."""
    c_stats = ffi.new(ctype)
    fill(source, c_stats)
    try:
        yield c_stats
    finally:
        destroy(c_stats)


@contextmanager
def _filled_stats(as_: aerospike, what: str) -> Iterator[Any]:
    """An as_cluster_stats* filled by aerospike_stats(), destroyed on exit."""
    with using(as_, what, connected=True) as ptr:
        with _filled("as_cluster_stats*", lib.aerospike_stats, ptr, lib.aerospike_stats_destroy) as c_stats:
            yield c_stats


def _node_stats(node: Any) -> as_node_stats:
    return as_node_stats(
        name=_text(lib.asc_node_name(node.node)),
        address=_text(lib.as_node_get_address_string(node.node)),
        sync=as_conn_stats._from_c(node.sync),
        async_=as_conn_stats._from_c(getattr(node, "async")),
        pipeline=as_conn_stats._from_c(node.pipeline),
        error_count=node.error_count,
        timeout_count=node.timeout_count,
        key_busy_count=node.key_busy_count,
    )


def aerospike_stats(as_: aerospike) -> as_cluster_stats:
    """aerospike_stats(): a snapshot of the cluster's connection figures."""
    with _filled_stats(as_, "aerospike_stats") as c_stats:
        return _cluster_stats(c_stats)


def _cluster_stats(c_stats: Any) -> as_cluster_stats:
    return as_cluster_stats(
        nodes=[_node_stats(c_stats.nodes[i]) for i in range(c_stats.nodes_size)],
        retry_count=c_stats.retry_count,
        thread_pool_queued_tasks=c_stats.thread_pool_queued_tasks,
        recover_queue_size=c_stats.recover_queue_size,
    )


def aerospike_cluster_stats(cluster: Any) -> as_cluster_stats:
    """aerospike_cluster_stats(cluster, &stats): the figures of an as_cluster view (a metrics
    listener's), or of an instance's cluster (aerospike_stats() of the instance)."""
    from .as_metrics import as_cluster
    if not isinstance(cluster, as_cluster):
        return aerospike_stats(cluster)
    with cluster._reading("aerospike_cluster_stats") as ptr, _filled(
            "as_cluster_stats*", lib.aerospike_cluster_stats, ptr, lib.aerospike_stats_destroy) as c_stats:
        return _cluster_stats(c_stats)


def _one_node_stats(c_node: Any) -> as_node_stats:
    with _filled("as_node_stats*", lib.aerospike_node_stats, c_node,
                 lib.aerospike_node_stats_destroy) as c_node_stats:
        return _node_stats(c_node_stats)


def aerospike_node_stats(as_: Any, node: Optional[str] = None) -> as_node_stats:
    """aerospike_node_stats(node, &stats): the figures of an as_node view (a metrics
    listener's: `aerospike_node_stats(node)`), or of the node named `node` of instance `as_`
    (Python names nodes, as aerospike_info_node() does); an unknown name raises
    InvalidNodeError."""
    from .as_metrics import as_node as node_view
    if isinstance(as_, node_view):
        if node is not None:
            raise TypeError("aerospike_node_stats(node) takes one as_node view")
        with as_._reading("aerospike_node_stats") as c_node:
            return _one_node_stats(c_node)
    if not isinstance(node, str):
        raise TypeError(f"node must be a node name (str), not {type(node).__name__}")
    # The snapshot holds a reference on every node while it is open.
    with _filled_stats(as_, "aerospike_node_stats") as c_stats:
        for i in range(c_stats.nodes_size):
            c_node = c_stats.nodes[i].node
            if _text(lib.asc_node_name(c_node)) == node:
                return _one_node_stats(c_node)
    raise InvalidNodeError(as_status.AEROSPIKE_ERR_INVALID_NODE, f"Node not found: {node}")


def aerospike_stats_to_string(as_: aerospike) -> str:
    """aerospike_stats_to_string(): the C client's own text rendering of aerospike_stats()."""
    with _filled_stats(as_, "aerospike_stats_to_string") as c_stats:
        text = lib.aerospike_stats_to_string(c_stats)
        try:
            return _text(text)
        finally:
            lib.free(text)


@dataclass(frozen=True)
class as_event_loop_stats:  # noqa: N801
    """`as_event_loop_stats`: commands an event loop runs (process_size) and holds in its delay
    queue (queue_size)."""

    process_size: int
    queue_size: int


def aerospike_event_loop_stats(event_loop: Any) -> as_event_loop_stats:
    """aerospike_event_loop_stats(): the loop's figures (an as_event_loop of as_event.py)."""
    stats = ffi.new("as_event_loop_stats*")
    lib.aerospike_event_loop_stats(loop_arg(event_loop, "aerospike_event_loop_stats"), stats)
    return as_event_loop_stats(int(stats.process_size), int(stats.queue_size))
