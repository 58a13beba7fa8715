"""as_config.h cluster events: node added, node removed, cluster disconnected.

    def on_event(event):          # an as_cluster_event: type, node_name, node_address, udata
        print(event.type.name, event.node_name, event.node_address)

    as_config_set_cluster_event_callback(config, on_event, udata)
    # or as a field: config.event_callback = on_event  (udata None)

The C client calls back on the thread that changes the node list: the thread inside
aerospike_connect() for the seed and its peers, the tend thread afterwards. The callback
runs there with the GIL held, so it must be quick: the tender waits for it. The event is a
frozen copy (C's strings live only during the call). An exception raised by the callback
never reaches C: cffi hands it to `sys.unraisablehook` and the next event is delivered as
usual. C copies the callback into the cluster when it connects: setting it while the
instance is connected raises LifecycleError (the cluster holds the callback it copied); set it
before aerospike_connect() or after aerospike_close(). Closing the instance from inside the
callback raises LifecycleError (close joins the tend thread, which would wait for itself).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import IntEnum
from types import TracebackType
from typing import Any, Callable, List, Optional

from .._aerospike import ffi, lib
from ._cstruct import CStruct, c_enum, register_field
from .as_config import config_ptr

as_cluster_event_type = c_enum("as_cluster_event_type")

__all__ = ["as_cluster_event", "as_config_set_cluster_event_callback", "ClusterEventCallback"]


@dataclass(frozen=True)
class as_cluster_event:  # noqa: N801 - the C type's name
    """`as_cluster_event`: what happened, to which node ("" for AS_CLUSTER_DISCONNECTED)."""

    node_name: str
    node_address: str
    udata: Any
    type: IntEnum  # an as_cluster_event_type member


ClusterEventCallback = Callable[[as_cluster_event], object]


class _Target:
    """What the C `event_callback_udata` points at: the Python callback and the user's udata."""

    __slots__ = ("callback", "udata", "handle")

    def __init__(self, callback: ClusterEventCallback, udata: Any) -> None:
        self.callback = callback
        self.udata = udata
        self.handle = ffi.new_handle(self)


def _text(ptr: Any) -> str:
    return "" if ptr == ffi.NULL else ffi.string(ptr).decode("utf-8", "replace")


class _Escapes(threading.local):
    """This thread is inside a C call that runs Python callbacks on it: aerospike_connect
    (its first tend calls the event callback, and the metrics enable listener of a config
    that enables metrics), aerospike_close (the metrics disable listener). A KeyboardInterrupt
    (a signal's lands between any two bytecodes) or SystemExit escaping a callback here is
    kept for that call to raise once C returned, instead of being lost in cffi. An Exception
    is the callback's bug: reported, the call goes on."""

    active = False
    escaped: Optional[BaseException] = None

    def keep(self, exc: BaseException) -> bool:
        """Keep `exc` for the call to raise: True when this thread is in one and it is an
        interrupt (the first one kept wins)."""
        if not self.active or isinstance(exc, Exception):
            return False
        if self.escaped is None:
            self.escaped = exc
        return True


ESCAPES = _Escapes()
#: Not empty once Python metrics listeners were made (as_metrics): only then can C's
#: aerospike_close run Python (their disable listener) on the closing thread.
METRICS_LISTENERS: List[bool] = []


def _escaped(exc_type: "type[BaseException]", exc: BaseException, tb: Optional[TracebackType]) -> None:
    if ESCAPES.keep(exc):
        return
    from ._calls import report_unraisable  # _calls imports aerospike, which imports this

    report_unraisable(exc, asc_cluster_event_to_python, "Exception in a cluster event callback")


@ffi.def_extern(onerror=_escaped)
def asc_cluster_event_to_python(event: Any) -> None:
    """The C callback: copy the event and call the Python callback (errors: unraisablehook,
    or raised by aerospike_connect on the thread that connects)."""
    target: _Target = ffi.from_handle(event.udata)
    target.callback(as_cluster_event(_text(event.node_name), _text(event.node_address),
                                     target.udata, as_cluster_event_type(event.type)))


def as_config_set_cluster_event_callback(config: Any, callback: Optional[ClusterEventCallback],
                                         udata: Any = None) -> None:
    """as_config_set_cluster_event_callback(): callback(event) on node changes; None removes it.

    `config` is an as_config or an instance's `.config` (the callback object is kept alive
    by whichever owns that memory)."""
    ptr = config_ptr(config)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, not {type(callback).__name__}")
    target = None if callback is None else _Target(callback, udata)
    # The cluster calls the callback it copied at connect: no change while connected, and the
    # previous callback is released when replaced (not kept until destroy).
    with config._owner._changing_c_state("as_config_set_cluster_event_callback"):
        if target is None:
            lib.as_config_set_cluster_event_callback(ptr, ffi.NULL, ffi.NULL)
        else:
            lib.as_config_set_cluster_event_callback(ptr, lib.asc_cluster_event_to_python,
                                                     target.handle)
        config._owner._keep_field(ffi.addressof(ptr[0], "event_callback_udata"), target)


def _target(view: CStruct) -> Optional[_Target]:
    ptr = view._ptr
    if ptr.event_callback != lib.asc_cluster_event_to_python or ptr.event_callback_udata == ffi.NULL:
        return None
    return ffi.from_handle(ptr.event_callback_udata)


def _get_callback(view: CStruct) -> Optional[ClusterEventCallback]:
    target = _target(view)
    return None if target is None else target.callback


def _get_udata(view: CStruct) -> Any:
    target = _target(view)
    return None if target is None else target.udata


register_field("as_config", "event_callback", _get_callback,
               lambda view, value: as_config_set_cluster_event_callback(view, value, _get_udata(view)))
register_field("as_config", "event_callback_udata", _get_udata)
