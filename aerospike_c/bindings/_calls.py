"""Per-call plumbing shared by the multi-record bindings (info, batch, scan, query, UDF).

* `CallbackContext`: the `void* udata` of one C call that calls back into Python. It
  holds the user's callback, serializes it (concurrent scans call back from several C
  threads at once), turns "the callback returned a false value" and "the callback
  raised" into the C `false` that stops the C call, and keeps the exception to re-raise
  once the C call has returned: nothing raised in a callback is lost or crosses into C.
  Its `handle` (ffi.new_handle) lives exactly as long as the context, which the binding
  keeps referenced for the whole C call.
* `UsedStruct`: an OwnedStruct (as_scan, as_query, as_batch, as_batch_records) that is
  never destroyed while a C call is using it.
* `c_call()`: run one C function on a connected `aerospike` instance (counted in, so it
  cannot be closed under the call) and raise its `as_error`.
* `taken_string()`: a `char*` the C client allocated for us, decoded and freed.
* `policy_arg()`: a policy view (or None for the config default) as the C pointer.
* `keep_escaped`: the `onerror` of every extern "Python" callback whose udata is a
  CallbackContext. An exception can escape the callback's own try (a KeyboardInterrupt
  from a signal lands between any two bytecodes); cffi would print it, return false and
  C would stop as if the callback had asked to: the caller would get a silently short
  result. It is kept on the context instead, and raised after the C call.
* `report_unraisable()`: hand an exception C cannot take to sys.unraisablehook.
"""
from __future__ import annotations

import sys
import threading
import traceback
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Callable, Iterator, Optional, Tuple

from .._aerospike import ffi, lib
from ._cstruct import CStruct, c_enum, int_range
from ._owned import OwnedStruct, struct_ptr
from .aerospike import using
from .as_error import check, lifecycle_error, new_error

__all__ = ["UsedStruct", "owned_arg", "CallbackContext", "from_udata", "keep_escaped",
           "report_unraisable", "c_call", "taken_string", "policy_arg", "c_uint", "c_int", "enum_arg"]


class UsedStruct(OwnedStruct):
    """An OwnedStruct that C calls read for a while (as_scan, as_query, as_batch,
    as_batch_records): `_use(what)` brackets such a call, and destroying the struct
    meanwhile raises LifecycleError instead of freeing memory C is reading.

    Subclasses set `ctype` and `_c_destroy` (the C `*_destroy` function).
    """

    __slots__ = ("_users", "_lock")
    ctype = ""

    def __init__(self, c_init: Optional[Callable[[Any], Any]] = None, ptr: Any = None) -> None:
        """A zeroed `ctype` made whole by the one call c_init(ptr) (see OwnedStruct), or `ptr`,
        a struct the C client allocated for us."""
        object.__setattr__(self, "_users", [])  # a token per running call (list ops are atomic)
        object.__setattr__(self, "_lock", threading.Lock())
        super().__init__(ffi.new(f"{self.ctype}*") if ptr is None else ptr, self.ctype, c_init)

    @contextmanager
    def _use(self, what: str) -> Iterator[Any]:
        """The struct's pointer for the duration of a C call (refused once it, or a struct
        it points at, was destroyed). An asynchronous exception anywhere in here never
        leaves the struct counted as in use: the token is added inside the try."""
        token = object()
        try:
            with self._lock:
                self._check_live(what)
                self._users.append(token)
            yield self._ptr
        finally:
            try:
                self._users.remove(token)
            except ValueError:
                pass

    def _destroy(self, what: str) -> None:
        """The C destroy function, once; refused while a call uses the struct."""
        with self._lock:
            self._check_writable(what)
            if self._users:
                raise lifecycle_error(f"{what}: the {self.ctype} is in use by a running call")
            self._release()

    def _release(self) -> None:
        if not self._released:
            self._before_destroy()
        super()._release()

    def discard(self) -> None:
        """Destroy a temporary the caller owns, never raising: now when no call uses it, else
        when it is collected (a call still running in another thread, or one an asynchronous
        exception interrupted, whose frame the traceback keeps)."""
        with self._lock:
            if not self._users:
                self._release()

    def _before_destroy(self) -> None:
        """Detach what C must not free (memory Python owns); subclasses override."""

    def __repr__(self) -> str:
        return f"<{self.ctype}{' destroyed' if self._released else ''}>"


def owned_arg(obj: Any, cls: "type[UsedStruct]", what: str) -> Any:
    """`obj` checked to be a live `cls` (an OwnedStruct subclass)."""
    if not isinstance(obj, cls):
        raise TypeError(f"{what}: expected an {cls.ctype}, not {type(obj).__name__}")
    obj._check_writable(what)
    return obj


def _stops(result: Any) -> bool:
    """C semantics for a Python return value: a false value stops; None (no return) continues."""
    return result is not None and not result


class CallbackContext:
    """State of one C call with a Python callback; pass `handle` to C as udata."""

    __slots__ = ("callback", "udata", "lock", "error", "stopped", "handle", "__weakref__")

    def __init__(self, callback: Callable[..., Any], udata: Any = None) -> None:
        if not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        self.callback = callback
        self.udata = udata
        self.lock = threading.Lock()
        self.error: Optional[BaseException] = None
        self.stopped = False
        self.handle = ffi.new_handle(self)

    def invoke(self, make_args: Callable[[], Tuple[Any, ...]]) -> bool:
        """Run the callback (one at a time) with make_args(); False tells C to stop.

        `make_args` converts the C arguments; it runs under the lock too, so a conversion
        error is kept like a callback error. Once stopped, later calls return False at once.
        """
        with self.lock:
            if self.stopped:
                return False
            try:
                if _stops(self.callback(*make_args())):
                    self.stopped = True
            except BaseException as exc:  # noqa: BLE001 - kept and re-raised after the C call
                self.error = exc
                self.stopped = True
            return not self.stopped

    def reraise(self) -> None:
        """Raise what a callback raised. Call it once, after the C call returned: C calls
        back no more, so the handle goes too (it refers to this context, which refers to
        it: left in place, the pair and the callback with all it holds wait for the
        garbage collector)."""
        self.handle = None
        error = self.error
        if error is not None:
            self.error = None
            raise error


def from_udata(udata: Any) -> CallbackContext:
    """The context behind a `void* udata` handed back by C."""
    return ffi.from_handle(udata)


def keep_escaped(exc_type: "type[BaseException]", exc: BaseException,
                 tb: Optional[TracebackType]) -> None:
    """cffi's onerror for callbacks with a CallbackContext udata: keep what escaped the
    callback for reraise() and stop the C call (the callback then returns its `error`)."""
    udata = tb.tb_frame.f_locals.get("udata") if tb is not None else None
    if udata is None:
        report_unraisable(exc, None, "Exception escaped an aerospike_c callback")
        return
    context = from_udata(udata)
    if context.error is None:
        context.error = exc
    context.stopped = True


class _Unraisable:
    """The attributes of sys.UnraisableHookArgs, for a hook the application set."""

    def __init__(self, exc: BaseException, obj: object, message: str) -> None:
        self.exc_type, self.exc_value, self.exc_traceback = type(exc), exc, exc.__traceback__
        self.err_msg = message
        self.object = obj


def report_unraisable(exc: BaseException, obj: object, message: str) -> None:
    """sys.unraisablehook for an exception raised where C called Python (it cannot go to C).

    The default hook accepts only its own C type, so its report is printed the same way."""
    hook = sys.unraisablehook
    if hook is not sys.__unraisablehook__:
        hook(_Unraisable(exc, obj, message))  # type: ignore[arg-type]
    elif sys.stderr is not None:
        print(f"{message}: {obj!r}" if obj is not None else f"{message}:", file=sys.stderr)
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)


def c_call(as_: Any, name: str, *args: Any) -> None:
    """lib.<name>(as, err, *args) on a connected instance; raise the error C reports."""
    err = new_error()
    with using(as_, name, connected=True) as ptr:
        status = getattr(lib, name)(ptr, err, *args)
    check(status, err)


def taken_string(ptr: Any) -> Optional[str]:
    """Decode a `char*` the C client allocated for the caller, then free it (NULL -> None)."""
    if ptr == ffi.NULL:
        return None
    try:
        return ffi.string(ptr).decode("utf-8", "replace")
    finally:
        lib.free(ptr)


def policy_arg(policy: Any, ctype: str) -> Any:
    """A policy argument for C: None -> NULL (the config's default), else a view of `ctype`."""
    if policy is None:
        return ffi.NULL
    if not isinstance(policy, CStruct) or ffi.typeof(policy._ptr) is not ffi.typeof(f"{ctype}*"):
        raise TypeError(f"policy must be an {ctype} (from {ctype}_init()) or None, "
                        f"not {type(policy).__name__}")
    return struct_ptr(policy, ctype, ctype)


def c_uint(name: str, value: Any, bits: int = 32) -> int:
    """An unsigned C integer argument, checked (TypeError/ValueError like struct fields)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value < (1 << bits):
        raise ValueError(f"{name} must be in [0, {(1 << bits) - 1}], got {value}")
    return value


def c_int(where: str, name: str, cname: str, value: Any) -> int:
    """An integer argument of C type `cname` (an int type, an enum, bool), checked as cffi
    converts it, before the call: cffi's OverflowError came only at the call (after any value
    C was to consume had been made, which then leaked) and named no argument."""
    if not isinstance(value, int):
        raise TypeError(f"{where}: {name} must be an int, not {type(value).__name__}")
    low, high = int_range(cname)
    if not low <= value <= high:
        raise ValueError(f"{where}: {name} {value} does not fit C's {cname} [{low}, {high}]")
    return value


def enum_arg(name: str, value: Any, enum_name: str) -> int:
    """A C enum argument: one of the values of `enum_name` (TypeError/ValueError otherwise)."""
    enum_type = c_enum(enum_name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an {enum_name} value, not {type(value).__name__}")
    try:
        return int(enum_type(value))
    except ValueError:
        raise ValueError(f"{name} must be one of {', '.join(m.name for m in enum_type)}; "
                         f"got {value}") from None


def free_flag(free: Any, what: str) -> None:
    """The `free` argument of C's `p` setters: a bool, and moot (the C side gets a copy)."""
    if not isinstance(free, bool):
        raise TypeError(f"{what}: free must be a bool, not {type(free).__name__}")
