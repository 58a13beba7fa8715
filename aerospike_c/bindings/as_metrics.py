"""as_metrics.h: the C client's periodic metrics: its own files, or Python listeners.

    policy = as_metrics_policy_init()          # report_dir ".", interval 30 (tend intervals) …
    policy.report_dir = "/var/log/app"
    policy.interval = 10
    aerospike_enable_metrics(as_, policy)      # the tend thread writes metrics-<time>.log there
    aerospike_disable_metrics(as_)

The files hold per-node connection and latency figures in the C client's format.
Both functions take the lock the tend thread holds while it writes (and logs): on a tend
thread (a cluster-event or log callback) they raise LifecycleError instead of waiting.
Labels (name, value) go into every snapshot: as_metrics_policy_add_label(policy, name, value);
`policy.labels` reads them as a list of (name, value) tuples. The functions take an
as_metrics_policy or the instance's own, `as_.config.policies.metrics`.

Listeners instead of the file writer, with C's signatures (udata is any Python object):

    def enable(err, udata): ...                    # inside aerospike_enable_metrics
    def snapshot(err, cluster, udata):             # on the tend thread, every `interval` tends
        for node in cluster.nodes:                 # as_cluster / as_node: read-only views
            print(node.name, node.address, aerospike_node_stats(node).error_count,
                  [(m.ns, m.latency["read"]) for m in node.metrics])
    def node_close(err, node, udata): ...          # on the tend thread, a node is dropped
    def disable(err, cluster, udata): ...          # inside aerospike_disable_metrics/_close
    as_metrics_policy_set_listeners(policy, enable, disable, node_close, snapshot, udata)
    # or policy.metrics_listeners = as_metrics_listeners(enable, snapshot, node_close, disable)

A listener returns an as_status (None: AEROSPIKE_OK), after as_error_update(err, ...) for
a message. As in C: enable None means the file writer (the other listeners are ignored);
enable given and another None fails aerospike_enable_metrics with AEROSPIKE_ERR_PARAM; an
enable error fails aerospike_enable_metrics, a disable error aerospike_disable_metrics (C
logs it at aerospike_close), a snapshot or node_close error is logged by C as a warning and
tending goes on. A listener that raises gives AEROSPIKE_ERR_CLIENT with the exception's text;
in enable/disable the AerospikeError raised by aerospike_enable/disable_metrics has the
exception as its __cause__ (a KeyboardInterrupt or other BaseException is raised as it is,
after the C call returned, also by aerospike_close and aerospike_connect, which run the
disable and a config's enable listener); on the tend thread it goes to sys.unraisablehook.

Threads and locks: every listener runs with the GIL and holds the cluster's metrics lock,
which every command may take: any call on that instance from inside a listener raises
LifecycleError (C would deadlock on itself), as does closing from the tend thread. An
enable listener that C runs without saying for which cluster (metrics enabled by the config,
`policies.metrics.enable`, inside aerospike_connect) refuses calls on every instance. The
snapshot and node_close listeners hold up the tend thread (as in C): keep them quick.
The views are valid only during the call they were passed to: any read afterwards raises
LifecycleError (the nodes a view read are reserved until the listener returns).
The C accessors a C listener calls take them: as_cluster_get_command_count(cluster) (and
_retry_count, _delay_queue_timeout_count), as_node_get_address_string(node),
as_node_get_sync_conns_opened/closed/recovered/aborted(node), aerospike_node_stats(node),
aerospike_cluster_stats(cluster); as_node_get_error_count(metrics) (and _timeout_count,
_key_busy_count, _bytes_in, _bytes_out) read an as_ns_metrics copy of node.metrics;
as_latency_type_to_string(type) names the keys of its `latency`.
"""
from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from .._aerospike import ffi, lib
from ._calls import report_unraisable
from ._cstruct import CStruct, register_field
from ._owned import OwnedStruct, WeakRegistry, struct_ptr
from .as_config import c_str
from .aerospike import using
from .as_cluster_event import ESCAPES, METRICS_LISTENERS
from .as_error import as_error, error_from_c, lifecycle_error, new_error

__all__ = ["as_metrics_policy", "as_metrics_policy_init", "aerospike_enable_metrics",
           "aerospike_disable_metrics", "as_metrics_policy_destroy", "as_metrics_policy_add_label",
           "as_metrics_policy_destroy_labels", "as_metrics_policy_set_labels",
           "as_metrics_policy_copy_labels", "as_metrics_policy_set_report_dir",
           "as_metrics_policy_set_listeners", "as_metrics_listeners", "as_cluster", "as_node",
           "as_ns_metrics", "AS_LATENCY_TYPES", "as_cluster_get_command_count",
           "as_cluster_get_retry_count", "as_cluster_get_delay_queue_timeout_count",
           "as_node_get_address_string", "as_node_get_sync_conns_opened",
           "as_node_get_sync_conns_closed", "as_node_get_sync_conns_recovered",
           "as_node_get_sync_conns_aborted", "as_node_get_error_count", "as_node_get_timeout_count",
           "as_node_get_key_busy_count", "as_node_get_bytes_in", "as_node_get_bytes_out",
           "as_latency_type_to_string"]


class as_metrics_policy(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_metrics_policy`: report_dir, report_size_limit, interval, latency_columns,
    latency_shift, enable."""

    __slots__ = ()
    _c_destroy = lib.as_metrics_policy_destroy

    def __init__(self) -> None:
        super().__init__(ffi.new("as_metrics_policy*"), "as_metrics_policy",
                         lib.as_metrics_policy_init)


def as_metrics_policy_init() -> as_metrics_policy:
    """as_metrics_policy_init(&policy): the C defaults."""
    return as_metrics_policy()


def aerospike_enable_metrics(as_: Any, policy: Optional[as_metrics_policy] = None) -> None:
    """aerospike_enable_metrics(): start the metrics listeners (the file writer unless the
    policy has Python listeners; None: the config's policy). The enable listener runs here."""
    if policy is not None and not (isinstance(policy, CStruct) and ffi.typeof(policy._ptr)
                                   is ffi.typeof("as_metrics_policy*")):
        raise TypeError(f"policy must be an as_metrics_policy (or the config's "
                        f"policies.metrics) or None, not {type(policy).__name__}")
    c_policy = ffi.NULL if policy is None else struct_ptr(policy, "as_metrics_policy",
                                                          "aerospike_enable_metrics")
    err = new_error()
    with using(as_, "aerospike_enable_metrics", connected=True, off_tend=True) as ptr, \
            as_.metrics_enabling():
        listeners = _listeners_of(ptr.config.policies.metrics if policy is None else c_policy[0])
        # C copies the listeners (and the writer the labels; nothing else of the policy
        # outlives the call): the cluster calls those of its last successful enable. A failed
        # one leaves the cluster's as they were, or metrics disabled (none called). Both are
        # kept until C said which (an interrupt right after the call leaves both). The lock
        # is the instance's, not one for all: an enable listener may wait for another
        # cluster's metrics lock while that cluster's disable listener enables a third one.
        previous = as_._metrics_listeners
        as_._metrics_listeners = (previous, listeners)
        with _collecting() as raised:
            status = lib.asc_enable_metrics(ptr, err, c_policy)
        as_._metrics_listeners = listeners if status == lib.AEROSPIKE_OK else previous
    _check_listened(status, err, raised)


def aerospike_disable_metrics(as_: Any) -> None:
    """aerospike_disable_metrics(): stop the listeners (the disable listener runs here; the
    file writer closes its file)."""
    err = new_error()
    with using(as_, "aerospike_disable_metrics", connected=True, off_tend=True) as ptr:
        with _collecting() as raised:
            status = lib.aerospike_disable_metrics(ptr, err)
    _check_listened(status, err, raised)


def _check_listened(status: int, err: Any, raised: List[BaseException]) -> None:
    """check() after a C call that ran listeners on this thread: an interrupt they caught is
    raised again; an exception that failed the call is the cause of its error; the others
    (a disable before a re-enable, whose error C only logs) go to sys.unraisablehook."""
    for exc in raised:
        if not isinstance(exc, Exception):
            raise exc
    cause = raised[-1] if raised and status != 0 else None
    for exc in raised:
        if exc is not cause:
            report_unraisable(exc, None, "Exception in a metrics listener")
    if status != 0:
        raise error_from_c(err, status) from cause


# -- Python listeners ---------------------------------------------------------------------
EnableListener = Callable[[as_error, Any], Optional[int]]
ClusterListener = Callable[[as_error, "as_cluster", Any], Optional[int]]
NodeCloseListener = Callable[[as_error, "as_node", Any], Optional[int]]


@dataclass(frozen=True)
class as_metrics_listeners:  # noqa: N801 - the C type's name
    """`as_metrics_listeners`: the four Python listeners (None: none) and their udata."""

    enable_listener: Optional[EnableListener] = None
    snapshot_listener: Optional[ClusterListener] = None
    node_close_listener: Optional[NodeCloseListener] = None
    disable_listener: Optional[ClusterListener] = None
    udata: Any = None
    _key: int = field(default=0, repr=False, compare=False)


#: C's udata of Python listeners is this key (never reused), not a pointer: listeners the
#: policy and instances no longer keep are simply not found (an error status, not a crash).
_LISTENERS: "WeakRegistry[as_metrics_listeners]" = WeakRegistry()
_KEYS = itertools.count(1)
_NAMES = ("enable", "snapshot", "node_close", "disable")


def _address(ptr: Any) -> int:
    return int(ffi.cast("uintptr_t", ptr))


_TRAMPOLINES = {name: _address(ffi.addressof(lib, f"asc_metrics_{name}_trampoline"))
                for name in _NAMES}


def _listener_arg(name: str, value: Any) -> Any:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, not {type(value).__name__}")
    return value


def as_metrics_policy_set_listeners(policy: Any, enable: Optional[EnableListener],
                                    disable: Optional[ClusterListener],
                                    node_close: Optional[NodeCloseListener],
                                    snapshot: Optional[ClusterListener], udata: Any = None) -> None:
    """as_metrics_policy_set_listeners(): Python callables as the metrics listeners (C's
    signatures; None: no listener, as C's NULL). All None (and udata None): the file writer."""
    ptr = _policy(policy, "as_metrics_policy_set_listeners")
    given = [_listener_arg(name, value) for name, value in
             (("enable", enable), ("disable", disable), ("node_close", node_close),
              ("snapshot", snapshot))]
    listeners = None
    if any(value is not None for value in given) or udata is not None:
        listeners = as_metrics_listeners(enable, snapshot, node_close, disable, udata,
                                         next(_KEYS))
        _LISTENERS[listeners._key] = listeners
        METRICS_LISTENERS[:] = [True]

    def trampoline(value: Any, function: Any) -> Any:
        return ffi.NULL if value is None else function

    with policy._owner._changing_c_state("as_metrics_policy_set_listeners"):
        lib.as_metrics_policy_set_listeners(
            ptr, trampoline(enable, lib.asc_metrics_enable_trampoline),
            trampoline(disable, lib.asc_metrics_disable_trampoline),
            trampoline(node_close, lib.asc_metrics_node_close_trampoline),
            trampoline(snapshot, lib.asc_metrics_snapshot_trampoline),
            ffi.NULL if listeners is None else ffi.cast("void*", listeners._key))
        policy._owner._keep_field(ffi.addressof(ptr[0], "metrics_listeners"), listeners)


def _listeners_of(c_policy: Any) -> Optional[as_metrics_listeners]:
    """The Python listeners a C as_metrics_policy holds (None: C's own, or none)."""
    c_listeners = c_policy.metrics_listeners
    if c_listeners.udata == ffi.NULL or not any(
            _address(getattr(c_listeners, f"{name}_listener")) == _TRAMPOLINES[name]
            for name in _NAMES):
        return None
    return _LISTENERS.get(int(ffi.cast("uintptr_t", c_listeners.udata)))


def _get_listeners(view: CStruct) -> as_metrics_listeners:
    listeners = _listeners_of(view._ptr[0])
    return as_metrics_listeners() if listeners is None else listeners


def _put_listeners(view: CStruct, value: Any) -> None:
    if value is None:
        value = as_metrics_listeners()
    if not isinstance(value, as_metrics_listeners):
        raise TypeError(f"metrics_listeners must be an as_metrics_listeners or None, "
                        f"not {type(value).__name__}")
    as_metrics_policy_set_listeners(view, value.enable_listener, value.disable_listener,
                                    value.node_close_listener, value.snapshot_listener,
                                    value.udata)


_RAISED = threading.local()  # .collect: the exceptions listeners raised on this thread


@contextmanager
def _collecting() -> Iterator[List[BaseException]]:
    """Around a C call that runs listeners on this thread: what they raised, to raise after."""
    previous = getattr(_RAISED, "collect", None)
    raised: List[BaseException] = []
    _RAISED.collect = raised
    try:
        yield raised
    finally:
        _RAISED.collect = previous


def _set_c_error(err: Any, status: int, message: str) -> None:
    text = message.encode("utf-8", "replace").replace(b"\0", b"?")
    lib.as_error_setall(err, status, text, ffi.NULL, ffi.NULL, 0)


def _status_of(result: Any, py_err: as_error, err: Any, what: str) -> int:
    """A listener's return value as C's as_status, its err copied into C's when it failed."""
    if result is None:
        return 0
    if isinstance(result, bool) or not isinstance(result, int) or not -0x80000000 <= result < 0x80000000:
        _set_c_error(err, lib.AEROSPIKE_ERR_CLIENT,
                     f"metrics {what} listener returned {result!r}, not an as_status")
        return int(lib.AEROSPIKE_ERR_CLIENT)
    if result != 0 and (py_err.code != 0 or py_err.message):
        _set_c_error(err, result, py_err.message)
        err.subcode = py_err.subcode
        err.in_doubt = py_err.in_doubt
    return result


def _escaped(exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
    """onerror: an exception that escaped the listener's own try (an interrupt landing
    between two bytecodes): C gets AEROSPIKE_ERR_CLIENT, the exception is not lost."""
    if exc is not None:
        _raised(exc)


def _raised(exc: BaseException) -> None:
    collect = getattr(_RAISED, "collect", None)
    if collect is not None:
        collect.append(exc)
    elif not ESCAPES.keep(exc):  # an interrupt in aerospike_close/_connect: raised by it
        report_unraisable(exc, None, "Exception in a metrics listener")


@ffi.def_extern(error=-1, onerror=_escaped)
def asc_metrics_to_python(kind: int, err: Any, cluster: Any, node: Any, udata: Any) -> int:
    """The four C trampolines' call: run the Python listener with fresh views."""
    what = _NAMES[kind]
    listeners = _LISTENERS.get(int(ffi.cast("uintptr_t", udata)))
    listener = None if listeners is None else getattr(listeners, f"{what}_listener")
    if listeners is None or listener is None:
        _set_c_error(err, lib.AEROSPIKE_ERR_CLIENT,
                     f"the Python metrics {what} listener was released")
        return int(lib.AEROSPIKE_ERR_CLIENT)
    scope = _Scope()
    py_err = as_error()
    try:
        if kind == lib.ASC_METRICS_ENABLE:
            result = listener(py_err, listeners.udata)
        elif kind == lib.ASC_METRICS_NODE_CLOSE:
            result = listener(py_err, as_node(node, scope), listeners.udata)
        else:
            result = listener(py_err, as_cluster(cluster, scope), listeners.udata)
        return _status_of(result, py_err, err, what)
    except BaseException as exc:  # never into C: an error status, and the exception kept
        _set_c_error(err, lib.AEROSPIKE_ERR_CLIENT,
                     f"metrics {what} listener raised {type(exc).__name__}: {exc}")
        _raised(exc)
        return int(lib.AEROSPIKE_ERR_CLIENT)
    finally:
        scope.close()


# -- what a listener reads ----------------------------------------------------------------
def _text(ptr: Any) -> str:
    return "" if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8", "replace")


#: as_latency_type_to_string() of each latency type, in as_latency_type order.
AS_LATENCY_TYPES: Tuple[str, ...] = ("conn", "write", "read", "batch", "query")
assert len(AS_LATENCY_TYPES) == lib.ASC_LATENCY_TYPES


class _Scope:
    """The lifetime of the views one listener call hands out: reads hold the lock, and the
    listener's return closes the scope (and releases the nodes the views reserved)."""

    __slots__ = ("_lock", "_open", "_reserved")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = True
        self._reserved: List[Any] = []

    @contextmanager
    def reading(self, what: str) -> Iterator[None]:
        with self._lock:
            if not self._open:
                raise lifecycle_error(f"{what}: the view is valid only during the metrics "
                                      "listener call it was passed to; copy what you need")
            yield

    def close(self) -> None:
        with self._lock:
            self._open = False
            reserved, self._reserved = self._reserved, []
        for node in reserved:
            lib.asc_node_release(node)


@dataclass(frozen=True)
class as_ns_metrics:  # noqa: N801 - the C type's name
    """`as_ns_metrics`: a node's figures for one namespace ("" for commands without one),
    cumulative since the node was added (latency buckets: since metrics were enabled)."""

    ns: str
    bytes_in: int
    bytes_out: int
    error_count: int
    timeout_count: int
    key_busy_count: int
    latency: Dict[str, Tuple[int, ...]]  # latency type ("conn", "write", "read", ...) -> buckets


class as_node:  # noqa: N801 - the C type's name
    """A read-only view of the `as_node` a metrics listener was given or read."""

    __slots__ = ("_ptr", "_scope")

    def __init__(self, ptr: Any, scope: _Scope) -> None:
        self._ptr = ptr
        self._scope = scope

    def _figures(self, what: str) -> Any:
        figures = ffi.new("asc_node_figures*")
        with self._scope.reading(f"as_node.{what}"):
            lib.asc_node_figures_get(self._ptr, figures)
        return figures

    @property
    def name(self) -> str:
        return _text(self._figures("name").name)

    @property
    def address(self) -> str:
        """The primary address as the metrics writer reports it (no port)."""
        return _text(self._figures("address").address)

    @property
    def port(self) -> int:
        return int(self._figures("port").port)

    @property
    def metrics(self) -> List[as_ns_metrics]:
        """node->metrics: per namespace, what the metrics writer reports."""
        out: List[as_ns_metrics] = []
        c = ffi.new("asc_ns_figures*")
        with self._scope.reading("as_node.metrics"):
            count = lib.asc_node_ns_count(self._ptr)
            for i in range(count):
                lib.asc_node_ns_figures(self._ptr, i, c)
                out.append(as_ns_metrics(
                    ns=_text(c.ns), bytes_in=c.bytes_in, bytes_out=c.bytes_out,
                    error_count=c.error_count, timeout_count=c.timeout_count,
                    key_busy_count=c.key_busy_count,
                    latency={name: tuple(c.buckets[t][0:min(c.latency_size[t],
                                                            lib.ASC_LATENCY_COLUMNS)])
                             for t, name in enumerate(AS_LATENCY_TYPES)}))
        return out

    @contextmanager
    def _reading(self, what: str) -> Iterator[Any]:
        with self._scope.reading(what):
            yield self._ptr

    def __repr__(self) -> str:
        try:
            return f"<as_node {self.name}>"
        except Exception:
            return "<as_node (listener returned)>"


class as_cluster:  # noqa: N801 - the C type's name
    """A read-only view of the `as_cluster` a metrics listener was given."""

    __slots__ = ("_ptr", "_scope", "_nodes")

    def __init__(self, ptr: Any, scope: _Scope) -> None:
        self._ptr = ptr
        self._scope = scope
        self._nodes: Optional[List[as_node]] = None

    @property
    def nodes(self) -> List[as_node]:
        """The cluster's nodes (as_nodes_reserve) when first read in this listener call, each
        reserved until the listener returns."""
        with self._scope.reading("as_cluster.nodes"):
            if self._nodes is None:
                size = 8
                while True:
                    array = ffi.new("as_node*[]", size)
                    count = lib.asc_cluster_nodes(self._ptr, array, size)
                    self._scope._reserved.extend(array[i] for i in range(min(count, size)))
                    if count <= size:
                        break
                    size = count  # grew meanwhile: the reserved ones are released at the end
                self._nodes = [as_node(array[i], self._scope) for i in range(count)]
            return list(self._nodes)

    def _figures(self, what: str) -> Any:
        figures = ffi.new("asc_cluster_figures*")
        with self._scope.reading(f"as_cluster.{what}"):
            lib.asc_cluster_figures_get(self._ptr, figures)
            return figures, _text(figures.cluster_name), _text(figures.app_id)

    cluster_name = property(lambda self: self._figures("cluster_name")[1],
                            doc="as_config.cluster_name (\"\" when unset)")
    app_id = property(lambda self: self._figures("app_id")[2])
    invalid_node_count = property(lambda self: int(self._figures("invalid_node_count")[0].invalid_node_count))
    command_count = property(lambda self: int(self._figures("command_count")[0].command_count),
                             doc="as_cluster_get_command_count(): commands since connect")
    retry_count = property(lambda self: int(self._figures("retry_count")[0].retry_count))
    delay_queue_timeout_count = property(
        lambda self: int(self._figures("delay_queue_timeout_count")[0].delay_queue_timeout_count))
    latency_columns = property(lambda self: int(self._figures("latency_columns")[0].latency_columns))
    latency_shift = property(lambda self: int(self._figures("latency_shift")[0].latency_shift))

    @contextmanager
    def _reading(self, what: str) -> Iterator[Any]:
        with self._scope.reading(what):
            yield self._ptr

    def __repr__(self) -> str:
        return "<as_cluster view>"


def _policy(policy: Any, what: str) -> Any:
    """The `as_metrics_policy*` of a policy argument (checked to be usable)."""
    ptr = getattr(policy, "_ptr", None)
    if not isinstance(policy, CStruct) or ffi.typeof(ptr) is not ffi.typeof("as_metrics_policy*"):
        raise TypeError(f"{what}: policy must be an as_metrics_policy, not {type(policy).__name__}")
    policy._owner._check_writable(what)
    return ptr


def as_metrics_policy_destroy(policy: as_metrics_policy) -> None:
    """as_metrics_policy_destroy(): free the labels; the policy is unusable afterwards."""
    if not isinstance(policy, as_metrics_policy):
        raise TypeError(f"expected an as_metrics_policy, got {type(policy).__name__}")
    policy._check_writable("as_metrics_policy_destroy")
    policy._release()


def as_metrics_policy_add_label(policy: Any, name: str, value: str) -> None:
    """as_metrics_policy_add_label(): one more (name, value) label (copied)."""
    ptr = _policy(policy, "as_metrics_policy_add_label")
    lib.as_metrics_policy_add_label(ptr, c_str("name", name), c_str("value", value))


def as_metrics_policy_destroy_labels(policy: Any) -> None:
    """as_metrics_policy_destroy_labels(): remove every label."""
    lib.as_metrics_policy_destroy_labels(_policy(policy, "as_metrics_policy_destroy_labels"))


def _set_labels(policy: Any, labels: Any, what: str) -> None:
    ptr = _policy(policy, what)
    pairs = [(c_str("label name", name), c_str("label value", value)) for name, value in
             _label_pairs(labels, what)]
    lib.as_metrics_policy_destroy_labels(ptr)
    for name, value in pairs:
        lib.as_metrics_policy_add_label(ptr, name, value)


def _label_pairs(labels: Any, what: str) -> Any:
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
        raise TypeError(f"{what}: labels must be a list of (name, value) pairs")
    pairs = list(labels.items() if isinstance(labels, dict) else labels)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"{what}: labels must be (name, value) pairs, got {pair!r}")
    return pairs


def as_metrics_policy_set_labels(policy: Any, labels: Any) -> None:
    """as_metrics_policy_set_labels(): replace the labels with `labels` ((name, value) pairs;
    C takes an as_vector it then owns, Python copies)."""
    _set_labels(policy, labels, "as_metrics_policy_set_labels")


def as_metrics_policy_copy_labels(policy: Any, labels: Any) -> None:
    """as_metrics_policy_copy_labels(): replace the labels with copies of `labels`."""
    _set_labels(policy, labels, "as_metrics_policy_copy_labels")


def as_metrics_policy_set_report_dir(policy: Any, report_dir: str) -> None:
    """as_metrics_policy_set_report_dir(): the directory of the metrics files, set as the
    checked field `policy.report_dir` is (C truncates a longer path; here it raises)."""
    _policy(policy, "as_metrics_policy_set_report_dir")
    policy.report_dir = report_dir


def _get_labels(view: CStruct) -> List[Tuple[str, str]]:
    labels = view._ptr.labels
    if labels == ffi.NULL:
        return []
    entries = ffi.cast("as_metrics_label*", labels.list)
    return [(ffi.string(entries[i].name).decode("utf-8", "replace"),
             ffi.string(entries[i].value).decode("utf-8", "replace")) for i in range(labels.size)]


def _put_labels(view: CStruct, labels: Any) -> None:
    _set_labels(view, labels, "as_metrics_policy.labels")


register_field("as_metrics_policy", "labels", _get_labels, _put_labels)

# -- the C accessors a C listener calls, on the views ----------------------------------------
def _view(value: Any, cls: type, what: str) -> Any:
    if not isinstance(value, cls):
        raise TypeError(f"{what}: expected an {cls.__name__} view (a metrics listener's), "
                        f"not {type(value).__name__}")
    return value


def _view_count(function: Any, cls: type, what: str) -> Callable[[Any], int]:
    """The bound C accessor `function`(view): a counter of an as_cluster / as_node view."""
    name = function.__name__

    def get(view: Any) -> int:
        with _view(view, cls, name)._reading(name) as ptr:
            return int(function(ptr))
    get.__name__ = get.__qualname__ = name
    get.__doc__ = f"{name}({cls.__name__[3:]}): the {what} (cumulative) of an {cls.__name__} view."
    return get


def _ns_count(attribute: str, name: str) -> Callable[[as_ns_metrics], int]:
    def get(metrics: as_ns_metrics) -> int:
        return int(getattr(_view(metrics, as_ns_metrics, name), attribute))
    get.__name__ = get.__qualname__ = name
    get.__doc__ = f"{name}(metrics): `metrics.{attribute}` of an as_ns_metrics (a copy: no atomics)."
    return get


as_cluster_get_command_count = _view_count(lib.as_cluster_get_command_count, as_cluster, "counter")
as_cluster_get_retry_count = _view_count(lib.as_cluster_get_retry_count, as_cluster, "counter")
as_cluster_get_delay_queue_timeout_count = _view_count(
    lib.as_cluster_get_delay_queue_timeout_count, as_cluster, "counter")
as_node_get_sync_conns_opened = _view_count(lib.as_node_get_sync_conns_opened, as_node,
                                            "sync connection counter")
as_node_get_sync_conns_closed = _view_count(lib.as_node_get_sync_conns_closed, as_node,
                                            "sync connection counter")
as_node_get_sync_conns_recovered = _view_count(lib.as_node_get_sync_conns_recovered, as_node,
                                               "sync connection counter")
as_node_get_sync_conns_aborted = _view_count(lib.as_node_get_sync_conns_aborted, as_node,
                                             "sync connection counter")
as_node_get_error_count = _ns_count("error_count", "as_node_get_error_count")
as_node_get_timeout_count = _ns_count("timeout_count", "as_node_get_timeout_count")
as_node_get_key_busy_count = _ns_count("key_busy_count", "as_node_get_key_busy_count")
as_node_get_bytes_in = _ns_count("bytes_in", "as_node_get_bytes_in")
as_node_get_bytes_out = _ns_count("bytes_out", "as_node_get_bytes_out")


def as_node_get_address_string(node: as_node) -> str:
    """as_node_get_address_string(node): the node's primary address, "host:port"."""
    with _view(node, as_node, "as_node_get_address_string")._reading(
            "as_node_get_address_string") as ptr:
        return _text(lib.as_node_get_address_string(ptr))


def as_latency_type_to_string(type: int) -> str:  # noqa: A002 - the C argument's name
    """as_latency_type_to_string(): "conn", "write", "read", "batch", "query" ("none" else)."""
    if isinstance(type, bool) or not isinstance(type, int):
        raise TypeError(f"type must be an as_latency_type (int), not {type.__class__.__name__}")
    if not 0 <= type <= 0xFF:
        raise ValueError(f"type must be an as_latency_type (0..255), got {type}")
    return _text(lib.as_latency_type_to_string(type))


register_field("as_metrics_policy", "metrics_listeners", _get_listeners, _put_listeners)
