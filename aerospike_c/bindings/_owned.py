"""`OwnedStruct`: a CStruct that owns its C memory and what that memory points to.

The base of the policies, as_cdt_ctx and (through _calls.UsedStruct, which also refuses to
destroy a struct a running C call reads) as_record, as_operations, as_scan ...: `_keepalive` holds the
Python buffers and objects the C struct points at, and `_release()` runs the C destroy
function once (explicitly, or when the object is collected); any use afterwards raises
LifecycleError instead of touching freed memory.

Lifecycle rules every subclass follows:

* Construction is atomic with respect to asynchronous exceptions (a KeyboardInterrupt from a
  signal lands between any two bytecodes): `OwnedStruct.__init__(ptr, path, c_init)` runs the
  one C call `c_init(ptr)` that makes the struct consistent, and only then arms the destroy
  function. Interrupted before, nothing is destroyed (the struct is zeroed memory from
  ffi.new); interrupted after, at worst what C allocated leaks: never a destroy of half-built
  state, never twice.
* A destroyed struct refuses every use, also as an argument of another function:
  `struct_ptr(value, ctype, what)` is the one check the bindings run on each struct argument.
* A struct that keeps pointing at another one's C memory (a scan's or batch record's `ops`)
  records it with `_depend(field, other)`; a C call using the struct (`_check_live`) refuses
  while any of them was destroyed.
* Finalizers run as little Python code as they can: Python code in a finalizer can swallow a
  KeyboardInterrupt (a signal's exception raised inside one goes to sys.unraisablehook).
  Structs with nothing to free (the policies) have none. A subclass whose destroy function
  reads only memory C allocated (`_destroy_in_c`: as_txn, as_exp) has cffi call it (ffi.gc), no
  Python code at all. The others keep a __del__: their C memory may point at Python's
  (`_keepalive`), and a garbage-collection pass runs every finalizer of the garbage before it
  clears any of it, but a cffi destructor only once its own object is freed, which may be
  after that Python memory; or they detach Python's memory first (`_before_destroy`).
"""
from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Dict, Generic, Optional, TypeVar

from .._aerospike import ffi
from ._cstruct import CStruct, SelfOwned
from .as_error import lifecycle_error

__all__ = ["OwnedStruct", "struct_ptr", "WeakRegistry"]


class OwnedStruct(SelfOwned):
    """A struct view that is its own owner; subclasses set `_c_destroy` (None: nothing to free)."""

    __slots__ = ("_keepalive", "_released", "_armed", "_deps", "_collected")
    _c_destroy: Optional[Callable[[Any], None]] = None
    _destroy_in_c = False  # _c_destroy reads only C's memory: run by cffi (see the module)

    def __init__(self, ptr: Any, path: str, c_init: Optional[Callable[[Any], Any]] = None) -> None:
        super().__init__(ptr, self, path)
        object.__setattr__(self, "_keepalive", [])
        object.__setattr__(self, "_deps", None)
        object.__setattr__(self, "_armed", False)  # no destroy until the C state is whole
        object.__setattr__(self, "_released", True)  # unusable until then, too
        object.__setattr__(self, "_collected", None)  # ffi.gc(ptr, _c_destroy) when _destroy_in_c
        if c_init is not None:
            c_init(ptr)
        if self._destroy_in_c:
            object.__setattr__(self, "_collected", ffi.gc(ptr, type(self)._c_destroy))
        object.__setattr__(self, "_released", False)
        object.__setattr__(self, "_armed", True)

    def _check_writable(self, what: str) -> None:
        if self._released:
            raise lifecycle_error(f"{what}: the {self._path} was destroyed")

    def _check_live(self, what: str) -> None:
        """_check_writable(), and no struct it points at was destroyed (before a C call)."""
        if self._released:
            raise lifecycle_error(f"{what}: the {self._path} was destroyed")
        if self._deps:
            for field, other in self._deps.items():
                if other._released:
                    raise lifecycle_error(f"{what}: {field} is an {other._path} that was destroyed")

    def _keep(self, obj: Any) -> None:
        self._keepalive.append(obj)

    def _depend(self, field: str, other: Any) -> None:
        """The C struct's `field` now points at `other`'s C memory (None: at nothing)."""
        deps: Optional[Dict[str, OwnedStruct]] = self._deps
        if other is None or not isinstance(other, OwnedStruct):
            if deps:
                deps.pop(field, None)
            return
        if deps is None:
            deps = {}
            object.__setattr__(self, "_deps", deps)
        deps[field] = other
        self._keep(other)

    def _release(self) -> None:
        """Run the C destroy function (once) and drop what the struct pointed at."""
        if not self._released:
            object.__setattr__(self, "_released", True)
            armed = self._armed
            object.__setattr__(self, "_armed", False)
            destroy = type(self)._c_destroy
            collected = getattr(self, "_collected", None)  # (a half-made struct has none)
            if collected is not None:
                ffi.release(collected)  # cffi calls the destroy function now, once
            elif destroy is not None and armed:
                destroy(self._ptr)
            self._keepalive.clear()

    @property
    def destroyed(self) -> bool:
        return self._released

    def _finalize(self) -> None:
        """The __del__ of subclasses with a C destroy function."""
        if getattr(self, "_armed", False):
            self._release()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._c_destroy is not None and not cls._destroy_in_c and "__del__" not in cls.__dict__:
            cls.__del__ = OwnedStruct._finalize  # type: ignore[attr-defined]


def struct_ptr(value: Any, ctype: str, what: str) -> Any:
    """The `ctype*` of a struct argument: TypeError unless `value` is a view of a `ctype`,
    LifecycleError once what owns it was destroyed. The one check of every struct argument."""
    ptr = getattr(value, "_ptr", None) if isinstance(value, CStruct) else None
    if ptr is None or ffi.typeof(ptr) is not ffi.typeof(ctype if ctype.endswith("*") else f"{ctype}*"):
        raise TypeError(f"{what} takes an {ctype.replace('struct ', '').rstrip(' *')}, "
                        f"not {type(value).__name__}")
    owner = value._owner
    if isinstance(owner, OwnedStruct):
        owner._check_live(what)
    else:
        owner._check_writable(what)
    return ptr


_VECTOR_BYTES_MAX = (1 << 32) - 1


def vector_capacity(what: str, capacity: Any, item_size: int) -> int:
    """The capacity to give as_vector_init() for a list of `item_size`-byte items (an
    as_batch_records, an as_cdt_ctx): C allocates capacity * item_size in 32 bits, so a larger
    list wraps around to a small buffer that the appends then overrun (ValueError here); and
    it grows by doubling its capacity, so 0 never grows (the first append wrote past an empty
    buffer): 0 is given to C as 1."""
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise TypeError(f"{what}: capacity must be an int, not {type(capacity).__name__}")
    most = _VECTOR_BYTES_MAX // item_size
    if not 0 <= capacity <= most:
        raise ValueError(f"{what}: capacity must be in [0, {most}], got {capacity} (C sizes "
                         f"the list, {item_size} bytes an item, in 32 bits)")
    return max(capacity, 1)


def check_vector_room(what: str, vector: Any) -> None:
    """ValueError when one more item would make the as_vector grow past what C can size:
    as_vector_increase_capacity() doubles capacity * item_size in 32 bits (a wrapped size
    reallocates the list smaller than what it holds)."""
    if vector.size >= vector.capacity and vector.capacity * 2 * vector.item_size > _VECTOR_BYTES_MAX:
        raise ValueError(f"{what}: the list holds at most {vector.capacity} items here (C "
                         f"sizes it, {vector.item_size} bytes an item, in 32 bits)")


T = TypeVar("T")


class WeakRegistry(Generic[T]):
    """Objects by key, not kept alive: a WeakValueDictionary without its weakref callback,
    which is Python code run wherever an object dies (a KeyboardInterrupt landing there went
    to sys.unraisablehook). Dead entries are dropped as new ones come. The lock is reentrant:
    an allocation in here may run a garbage-collection pass whose finalizers add entries."""

    def __init__(self) -> None:
        self._refs: Dict[int, "weakref.ref[T]"] = {}
        self._lock = threading.RLock()
        self._prune_at = 64

    def __setitem__(self, key: int, obj: T) -> None:
        ref = weakref.ref(obj)
        with self._lock:
            self._refs[key] = ref
        if len(self._refs) >= self._prune_at:
            self._prune()

    def _prune(self) -> None:
        dead = [key for key, ref in list(self._refs.items()) if ref() is None]
        with self._lock:
            for key in dead:
                ref = self._refs.get(key)
                if ref is not None and ref() is None:  # not set again meanwhile
                    del self._refs[key]
            self._prune_at = max(64, 2 * len(self._refs))

    def get(self, key: int, default: Any = None) -> Any:
        ref = self._refs.get(key)
        obj = None if ref is None else ref()
        return default if obj is None else obj
