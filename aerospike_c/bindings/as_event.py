"""as_event.h: the C client's event loops, on which its async commands run (libev, compiled in).

    as_event_create_loops(1)                    # before aerospike_connect(), as in C
    policy = as_policy_event_init()
    policy.max_commands_in_process = 100        # the rest wait in C's delay queue
    loops = as_create_event_loops(policy, 2)    # or: a list of as_event_loop
    loop = as_event_loop_get()                  # round robin, as in C
    as_event_loop_size()                        # the C global as_event_loop_size
    as_event_close_loops()                      # after the instances that use them are closed

The loops are the C client's, process-wide, each on its own C thread. As in C they are made
before any instance connects: as_create_event_loops() refuses (LifecycleError) while one is
connected (its tend thread would crash on them). An instance connected while there were none
(or after as_event_close_loops) runs only sync commands: its async ones raise LifecycleError. The loops do not survive fork():
in a child every function here and every async command raise LifecycleError.
as_event_close_loops() refuses (LifecycleError) while an instance that ran async commands is
still connected (close it first: C's order; it cannot close while its commands are in flight),
and when the loop is aerospike_c.aio's external one (loop_mode "asyncio"), which C cannot close.
"""
from __future__ import annotations

import os
import threading
import weakref
from typing import Any, Dict, List, Optional

from .._aerospike import ffi, lib
from ._owned import OwnedStruct
from .aerospike import _live_instances, reap_dropped
from .as_error import error_from_c, lifecycle_error, new_error

__all__ = [
    "as_policy_event", "as_policy_event_init", "as_event_loop", "as_event_create_loops",
    "as_create_event_loops", "as_event_close_loops", "as_event_loop_get",
    "as_event_loop_get_by_index", "as_event_loop_size", "as_event_loop_get_process_size",
    "as_event_loop_get_queue_size",
]


class as_policy_event(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_policy_event`: max_commands_in_process (0: no limit, else >= 5), max_commands_in_queue
    (0: no limit), queue_initial_capacity."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(ffi.new("as_policy_event*"), "as_policy_event", lib.as_policy_event_init)

    def __repr__(self) -> str:
        return f"<as_policy_event {self.to_dict()!r}>"


def as_policy_event_init() -> as_policy_event:
    """as_policy_event_init(&p): the C defaults (no limits, delay queue of 256 to start)."""
    return as_policy_event()


class as_event_loop:  # noqa: N801 - the C type's name
    """One of the C client's event loops (a view: C owns it until as_event_close_loops)."""

    __slots__ = ("_ptr", "_generation", "__weakref__")

    def __init__(self, ptr: Any, generation: int) -> None:
        self._ptr = ptr
        self._generation = generation

    def _use(self, what: str) -> Any:
        if self._generation != _STATE.generation or _STATE.forked:
            raise lifecycle_error(f"{what}: this event loop was closed (as_event_close_loops) "
                                  f"or made before fork()")
        return self._ptr

    @property
    def index(self) -> int:
        return int(self._use("as_event_loop.index").index)

    @property
    def max_commands_in_process(self) -> int:
        return int(self._use("as_event_loop").max_commands_in_process)

    @property
    def max_commands_in_queue(self) -> int:
        return int(self._use("as_event_loop").max_commands_in_queue)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, as_event_loop) and other._ptr == self._ptr \
            and other._generation == self._generation

    def __hash__(self) -> int:
        return hash((int(ffi.cast("uintptr_t", self._ptr)), self._generation))

    def __repr__(self) -> str:
        live = self._generation == _STATE.generation and not _STATE.forked
        return f"<as_event_loop {self._ptr.index if live else 'closed'}>"


class _State:
    """The process's loops as Python sees them, and the instances that used them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation = 0
        self.loops: List[as_event_loop] = []
        self.forked = False
        #: The loop is an external one (aerospike_c.aio's "asyncio" loop mode).
        self.external = False
        #: Instances that ran async commands (close them before the loops).
        self.users: "weakref.WeakSet[Any]" = weakref.WeakSet()


_STATE = _State()


def _after_fork_in_child() -> None:
    _STATE.forked = True
    _STATE.lock = threading.Lock()
    lib.asc_event_forget_loops_in_child()  # an instance the child makes has no async state


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def check_usable(what: str) -> None:
    """LifecycleError in a forked child (the C loops' threads are the parent's)."""
    if _STATE.forked:
        raise lifecycle_error(f"{what}: the C client's event loops do not survive fork(); "
                              f"this process is a child of the one that created them")


def loop_of(ptr: Any) -> Optional[as_event_loop]:
    """The as_event_loop view of a C pointer (None for NULL)."""
    if ptr == ffi.NULL:
        return None
    index = int(ptr.index)
    loops = _STATE.loops
    if index < len(loops) and loops[index]._ptr == ptr:
        return loops[index]
    return as_event_loop(ptr, _STATE.generation)


def loop_ptr(event_loop: Optional[as_event_loop], what: str) -> Any:
    """The C pointer for an event_loop argument (None: NULL, the C client picks one)."""
    if event_loop is None:
        return ffi.NULL
    if not isinstance(event_loop, as_event_loop):
        raise TypeError(f"{what}: event_loop must be an as_event_loop or None, "
                        f"not {type(event_loop).__name__}")
    return event_loop._use(what)


def _created(capacity: int) -> List[as_event_loop]:
    _STATE.generation += 1
    _STATE.loops = [as_event_loop(lib.as_event_loop_get_by_index(i), _STATE.generation)
                    for i in range(capacity)]
    return list(_STATE.loops)


def _check_capacity(capacity: int) -> None:
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise TypeError(f"capacity must be an int, not {type(capacity).__name__}")
    if not 1 <= capacity <= 1024:
        raise ValueError(f"capacity must be 1..1024 event loops (one C thread each), got {capacity}")


def as_create_event_loops(policy: Optional[as_policy_event], capacity: int) -> List[as_event_loop]:
    """as_create_event_loops(): `capacity` loops (one thread each) with this policy (None: the
    defaults); the loops. AerospikeError when C refuses (loops exist, a bad policy)."""
    check_usable("as_create_event_loops")
    _check_capacity(capacity)
    if policy is not None and not isinstance(policy, as_policy_event):
        raise TypeError(f"policy must be an as_policy_event or None, not {type(policy).__name__}")
    with _STATE.lock:
        if lib.asc_event_loop_size():
            raise lifecycle_error("as_create_event_loops: the event loops exist already "
                                  "(as_event_close_loops first)")
        reap_dropped(5.0)  # instances dropped while connected: closed by the reaper first
        connected = [inst for inst in _live_instances() if inst.connected]
        if connected:
            # Their nodes have no async pools, and with loops their tend threads would use them.
            raise lifecycle_error(f"as_create_event_loops: {len(connected)} aerospike instance(s) "
                                  f"are connected; create the event loops before connecting any "
                                  f"(as C requires), or close those first")
        err = new_error()
        c_policy = ffi.NULL if policy is None else policy._ptr
        status = lib.as_create_event_loops(err, c_policy, capacity, ffi.NULL)
        if status:
            raise error_from_c(err, status)
        return _created(capacity)


def create_external_loop(policy: Optional[as_policy_event], ev_loop: Any) -> as_event_loop:
    """as_event_set_external_loop_capacity(1) and as_set_external_event_loop(): the C client's
    one event loop on `ev_loop` (a libev loop the calling thread runs: aerospike_c.aio's
    "asyncio" loop mode), with the same checks as as_create_event_loops()."""
    check_usable("as_set_external_event_loop")
    with _STATE.lock:
        if lib.asc_event_loop_size():
            raise lifecycle_error("as_set_external_event_loop: the event loops exist already")
        reap_dropped(5.0)
        connected = [inst for inst in _live_instances() if inst.connected]
        if connected:
            raise lifecycle_error(f"as_set_external_event_loop: {len(connected)} aerospike "
                                  f"instance(s) are connected; create the event loop before "
                                  f"connecting any (as C requires)")
        if not lib.as_event_set_external_loop_capacity(1):
            raise MemoryError("as_event_set_external_loop_capacity(1) failed")
        err = new_error()
        out = ffi.new("as_event_loop**")
        status = lib.as_set_external_event_loop(err, ffi.NULL if policy is None else policy._ptr,
                                                ev_loop, out)
        if status:
            lib.as_event_destroy_loops()
            raise error_from_c(err, status)
        _STATE.external = True
        return _created(1)[0]


def as_event_create_loops(capacity: int) -> as_event_loop:
    """as_event_create_loops(): `capacity` loops with the default policy; the first loop."""
    return as_create_event_loops(None, capacity)[0]


def as_event_loop_size() -> int:
    """The C global `as_event_loop_size`: how many loops exist (0: none)."""
    return 0 if _STATE.forked else int(lib.asc_event_loop_size())


def as_event_loop_get_by_index(index: int) -> Optional[as_event_loop]:
    """as_event_loop_get_by_index(): that loop, or None past the last (as C's NULL)."""
    check_usable("as_event_loop_get_by_index")
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"index must be an int, not {type(index).__name__}")
    loops = _STATE.loops
    return loops[index] if 0 <= index < len(loops) and as_event_loop_size() else None


def as_event_loop_get() -> as_event_loop:
    """as_event_loop_get(): the next loop, round robin (LifecycleError when there are none:
    C would divide by zero)."""
    check_usable("as_event_loop_get")
    if not as_event_loop_size():
        raise lifecycle_error("as_event_loop_get: no event loops (as_event_create_loops first)")
    loop = loop_of(lib.as_event_loop_get())
    assert loop is not None
    return loop


def loop_arg(event_loop: as_event_loop, what: str) -> Any:
    """The C pointer of a loop a C function reads (None is TypeError: C would read NULL)."""
    if event_loop is None:
        raise TypeError(f"{what}: event_loop must be an as_event_loop, not None")
    return loop_ptr(event_loop, what)


def as_event_loop_get_process_size(event_loop: as_event_loop) -> int:
    """as_event_loop_get_process_size(): commands the loop is running now."""
    return int(lib.as_event_loop_get_process_size(loop_arg(event_loop, "as_event_loop_get_process_size")))


def as_event_loop_get_queue_size(event_loop: as_event_loop) -> int:
    """as_event_loop_get_queue_size(): commands waiting in the loop's delay queue."""
    return int(lib.as_event_loop_get_queue_size(loop_arg(event_loop, "as_event_loop_get_queue_size")))


def as_event_close_loops() -> bool:
    """as_event_close_loops(): stop the loops and join their threads; False when there were
    none (as C). LifecycleError while an instance that ran async commands is still connected (close those first, as C requires)."""
    check_usable("as_event_close_loops")
    with _STATE.lock:
        connected = [inst for inst in list(_STATE.users) if inst.connected]
        if connected:
            raise lifecycle_error(f"as_event_close_loops: {len(connected)} aerospike instance(s) "
                                  f"that ran async commands are connected; aerospike_close them "
                                  f"first")
        if _STATE.external and lib.asc_event_loop_size():
            # C only signals an external loop to stop and leaves it allocated (the application
            # destroys it once its own thread returns from it): the loop stayed counted, a
            # later aio connect ran the closed loop (SIGSEGV), a second close signalled it again.
            raise lifecycle_error("as_event_close_loops: the event loop is aerospike_c.aio's "
                                  "external loop (loop_mode 'asyncio'), which stays for the "
                                  "process; C cannot close it (use loop_mode 'threads' for "
                                  "loops that close)")
        from . import _async
        _async.stop_dispatcher()
        closed = bool(lib.as_event_close_loops())
        if closed:
            _STATE.generation += 1
            _STATE.loops = []
        return closed


def used_by(instance: Any) -> None:
    """Note an aerospike instance that runs async commands (as_event_close_loops waits for it
    to be closed; while its commands are in flight, C's count on it keeps it connected)."""
    _STATE.users.add(instance)


def loop_limits() -> Dict[str, int]:
    """The first loop's policy figures (every loop has the same), {} when there are none."""
    if not as_event_loop_size() or not _STATE.loops:
        return {}
    loop = _STATE.loops[0]
    return {"max_commands_in_process": loop.max_commands_in_process,
            "max_commands_in_queue": loop.max_commands_in_queue}
