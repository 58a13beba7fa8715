"""`OwnedStruct`: a CStruct that owns its C memory and what that memory points to.

The base of the policies, as_cdt_ctx and (through _calls.UsedStruct, which also refuses to
destroy a struct a running C call reads) as_record, as_operations, as_scan ...: `_keepalive` holds the
Python buffers and objects the C struct points at, and `_release()` runs the C destroy
function once (explicitly, or when the object is collected); any use afterwards raises
LifecycleError instead of touching freed memory.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from ._cstruct import CStruct, Owner
from .as_error import lifecycle_error


class OwnedStruct(CStruct, Owner):
    """A struct view that is its own owner; subclasses set `_c_destroy` (None: nothing to free)."""

    __slots__ = ("_keepalive", "_released")
    _c_destroy: Optional[Callable[[Any], None]] = None

    def __init__(self, ptr: Any, path: str) -> None:
        super().__init__(ptr, self, path)
        object.__setattr__(self, "_keepalive", [])
        object.__setattr__(self, "_released", False)

    def _check_writable(self, what: str) -> None:
        if self._released:
            raise lifecycle_error(f"{what}: the {self._path} was destroyed")

    def _keep(self, obj: Any) -> None:
        self._keepalive.append(obj)

    def _release(self) -> None:
        """Run the C destroy function (once) and drop what the struct pointed at."""
        if not self._released:
            object.__setattr__(self, "_released", True)
            destroy = type(self)._c_destroy
            if destroy is not None:
                destroy(self._ptr)
            self._keepalive.clear()

    @property
    def destroyed(self) -> bool:
        return self._released

    def __del__(self) -> None:
        if not getattr(self, "_released", True):
            self._release()
