"""aerospike.h: the client instance and its lifecycle.

    as_ = aerospike_init(config)     # aerospike as; aerospike_init(&as, &config);
    aerospike_connect(as_)           # raises AerospikeError where C returns != AEROSPIKE_OK
    aerospike_close(as_)
    aerospike_destroy(as_)

C semantics are kept where C is safe: connecting a connected instance, closing a closed
(or never connected) one are no-ops that succeed, and an instance may be connected again
after aerospike_close(). What would crash or leak in C raises `LifecycleError` instead:
any call after aerospike_destroy(), destroying a connected instance (C would leak its
cluster and tend thread), closing or destroying while another thread is inside a call on
it, and reading stats or nodes of an unconnected instance. Every blocking call releases
the GIL (cffi does so for every C call).

An instance garbage collected without aerospike_destroy() is closed and destroyed, with a
ResourceWarning.

Fork: the C client's tend and pool threads do not survive fork(). In a forked child every
call on an instance made in the parent (close and destroy included) raises
`LifecycleError`; the child makes its own instance. The parent is unaffected.
"""
from __future__ import annotations

import contextlib
import os
import threading
import warnings
import weakref
from typing import Any, Dict, Iterator, List

from .._aerospike import ffi, lib
from ._cstruct import CStruct, Owner, field_offset
from .as_config import as_config, check_config, check_config_file, config_ptr
from .as_error import check, lifecycle_error, new_error

__all__ = [
    "aerospike", "aerospike_init", "aerospike_new", "aerospike_connect", "aerospike_close",
    "aerospike_destroy", "aerospike_cluster_is_connected", "as_cluster_get_node_names",
]


class aerospike(Owner):  # noqa: N801 - the C type's name
    """An `aerospike` instance, made by aerospike_init() or aerospike_new()."""

    __slots__ = ("_ptr", "_lock", "_calls", "_destroyed", "_forked", "_keepalive",
                 "_kept_fields", "__weakref__")

    def __init__(self, config: as_config, heap: bool) -> None:
        self._lock = threading.Lock()
        self._calls = 0
        self._destroyed = False
        self._forked = False
        self._keepalive: List[Any] = []
        self._kept_fields: Dict[int, Any] = {}
        if not isinstance(config, as_config):
            config_ptr(config)  # a TypeError, or LifecycleError for another instance's .config
            raise TypeError("aerospike_init takes an as_config made by as_config_init(), not "
                            "another instance's .config")
        config_ptr(config)  # refuses a spent config before anything is handed over
        check_config_file(config._ptr, "aerospike_init")  # C reads the file inside aerospike_init
        c_config = config._hand_over(self)
        if heap:
            ptr = lib.aerospike_new(c_config)
            if ptr == ffi.NULL:  # pragma: no cover - out of memory
                raise MemoryError("aerospike_new")
            self._ptr = ptr
        else:
            self._ptr = ffi.new("aerospike*")
            lib.aerospike_init(self._ptr, c_config)
        _LIVE.add(self)

    # -- Owner: the .config view and memory it references -----------------------------------
    def _check_writable(self, what: str) -> None:
        if self._destroyed or self._forked:
            raise self._unusable(what)

    def _unusable(self, what: str) -> Exception:
        if self._forked:
            return lifecycle_error(f"{what}: this aerospike instance was made before fork(); "
                                   "its C threads do not exist in this process; make a new one")
        return lifecycle_error(f"{what}: the aerospike instance was destroyed")

    def _keep(self, obj: Any) -> None:
        self._keepalive.append(obj)

    def _keep_field(self, field_ptr: Any, obj: Any) -> None:
        offset = field_offset(ffi.addressof(self._ptr[0], "config"), field_ptr)
        if self._ptr.cluster != ffi.NULL or self._calls:
            # A running command may still read what the field pointed at (a policy's
            # filter_exp): keep that too, until destroy.
            self._keepalive.append(self._kept_fields.get(offset))
        self._kept_fields[offset] = obj

    @contextlib.contextmanager
    def _changing_c_state(self, what: str) -> Iterator[None]:
        """Refuse while connected (or while a call, such as aerospike_connect, is inside):
        the cluster and its tend thread read these fields' memory, and replacing frees it."""
        with self._lock:
            if self._destroyed or self._forked:
                raise self._unusable(what)
            if self._ptr.cluster != ffi.NULL or self._calls:
                raise lifecycle_error(
                    f"{what}: the C client reads this while the instance is connected; set it "
                    "before aerospike_connect() or after aerospike_close()")
            yield

    @property
    def config(self) -> CStruct:
        """`as->config`: the configuration this instance owns (set fields before connecting)."""
        self._check_writable("aerospike.config")
        return CStruct(ffi.addressof(self._ptr[0], "config"), self, "aerospike.config")

    # -- calls ------------------------------------------------------------------------------
    def _enter(self, what: str) -> Any:
        """Count a call in; raise if destroyed. Pair with _exit()."""
        with self._lock:
            if self._destroyed or self._forked:
                raise self._unusable(what)
            self._calls += 1
        return self._ptr

    def _exit(self) -> None:
        with self._lock:
            self._calls -= 1

    def _enter_exclusive(self, what: str) -> Any:
        """For close/destroy: no other call may be inside. Pair with _exit_exclusive()."""
        self._lock.acquire()
        if self._destroyed or self._forked:
            self._lock.release()
            raise self._unusable(what)
        if self._calls:
            calls = self._calls
            self._lock.release()
            raise lifecycle_error(f"{what}: {calls} call(s) on this instance are still running")
        return self._ptr

    def _exit_exclusive(self) -> None:
        self._lock.release()

    @property
    def destroyed(self) -> bool:
        return self._destroyed

    @property
    def forked(self) -> bool:
        """True in a child process forked after this instance was made."""
        return self._forked

    @property
    def connected(self) -> bool:
        """True while a cluster exists (between aerospike_connect and aerospike_close)."""
        return not (self._destroyed or self._forked) and self._ptr.cluster != ffi.NULL

    def __repr__(self) -> str:
        state = ("destroyed" if self._destroyed else "forked" if self._forked
                 else "connected" if self.connected else "initialized")
        return f"<aerospike {state}>"

    def __del__(self) -> None:
        if getattr(self, "_destroyed", True) or getattr(self, "_ptr", None) is None:
            return
        if self._forked:
            return  # the parent's C state: closing it here would wait on threads that do not exist
        warnings.warn("aerospike instance dropped without aerospike_destroy(); closing it",
                      ResourceWarning, stacklevel=2)
        try:
            if self._ptr.cluster != ffi.NULL:
                lib.aerospike_close(self._ptr, new_error())
            lib.aerospike_destroy(self._ptr)
        finally:
            self._destroyed = True


_LIVE: "weakref.WeakSet[aerospike]" = weakref.WeakSet()


def _mark_forked() -> None:
    for instance in list(_LIVE):
        instance._forked = True
        instance._lock = threading.Lock()  # a lock held by another parent thread stays held


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_mark_forked)


def _instance(as_: Any) -> aerospike:
    if not isinstance(as_, aerospike):
        raise TypeError(f"expected an aerospike instance, got {type(as_).__name__}")
    return as_


def aerospike_init(config: as_config) -> aerospike:
    """aerospike_init(&as, &config): a new instance that takes over `config`."""
    return aerospike(config, heap=False)


def aerospike_new(config: as_config) -> aerospike:
    """aerospike_new(&config): like aerospike_init, the instance allocated by the C client."""
    return aerospike(config, heap=True)


class using:  # noqa: N801 - reads as a statement: `with using(as_, "aerospike_x") as ptr:`
    """One call on an instance: type-checked, counted in, refused after destroy or fork.

    `with using(as_, what) as ptr:` gives the `aerospike*`; connected=True also refuses an
    unconnected instance (C would dereference its NULL cluster); exclusive=True (close,
    destroy) refuses while any other call is inside.
    """

    __slots__ = ("_instance", "_what", "_connected", "_exclusive")

    def __init__(self, as_: Any, what: str, *, connected: bool = False, exclusive: bool = False) -> None:
        self._instance = _instance(as_)
        self._what = what
        self._connected = connected
        self._exclusive = exclusive

    def __enter__(self) -> Any:
        instance = self._instance
        if self._exclusive:
            return instance._enter_exclusive(self._what)
        ptr = instance._enter(self._what)
        if self._connected and ptr.cluster == ffi.NULL:
            instance._exit()
            raise lifecycle_error(f"{self._what}: the aerospike instance is not connected")
        return ptr

    def __exit__(self, *exc_info: Any) -> None:
        if self._exclusive:
            self._instance._exit_exclusive()
        else:
            self._instance._exit()


def aerospike_connect(as_: aerospike) -> None:
    """aerospike_connect(): seed, discover and start tending the cluster (blocks, GIL released)."""
    err = new_error()
    with using(as_, "aerospike_connect") as ptr:
        if ptr.cluster == ffi.NULL:  # connecting a connected instance is a no-op in C
            check_config(ffi.addressof(ptr[0], "config"), "aerospike_connect")
        status = lib.aerospike_connect(ptr, err)
    check(status, err)


def aerospike_close(as_: aerospike) -> None:
    """aerospike_close(): stop tending and close every connection (a no-op when not connected)."""
    err = new_error()
    with using(as_, "aerospike_close", exclusive=True) as ptr:
        status = lib.aerospike_close(ptr, err)
    check(status, err)


def aerospike_destroy(as_: aerospike) -> None:
    """aerospike_destroy(): free the instance and the config it owns. Close it first."""
    with using(as_, "aerospike_destroy", exclusive=True) as ptr:
        if ptr.cluster != ffi.NULL:
            raise lifecycle_error("aerospike_destroy: the instance is still connected; "
                                  "call aerospike_close() first")
        lib.aerospike_destroy(ptr)
        as_._destroyed = True
        as_._keepalive.clear()
        as_._kept_fields.clear()


def aerospike_cluster_is_connected(as_: aerospike) -> bool:
    """aerospike_cluster_is_connected(): True when at least one node is active and responding."""
    with using(as_, "aerospike_cluster_is_connected") as ptr:
        return bool(lib.aerospike_cluster_is_connected(ptr))


def connected_cluster(instance: aerospike, what: str) -> Any:
    """as->cluster of an instance inside _enter(); raise when not connected (C would crash)."""
    cluster = instance._ptr.cluster
    if cluster == ffi.NULL:
        raise lifecycle_error(f"{what}: the aerospike instance is not connected")
    return cluster


def as_cluster_get_node_names(as_: aerospike) -> List[str]:
    """as_cluster_get_node_names(as->cluster, &n, &names): the names of the cluster's nodes."""
    count = ffi.new("int*")
    names = ffi.new("char**")
    with using(as_, "as_cluster_get_node_names", connected=True) as ptr:
        lib.as_cluster_get_node_names(ptr.cluster, count, names)
    if names[0] == ffi.NULL:
        return []
    try:
        size = lib.AS_NODE_NAME_SIZE
        return [ffi.string(names[0] + i * size).decode() for i in range(count[0])]
    finally:
        lib.free(names[0])
