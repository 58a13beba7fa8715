"""as_val.h and the common-module value types: Python values <-> `as_val`.

Mapping (the same both ways unless noted):

    None                          <-> as_nil (AS_NIL; as a bin value it deletes the bin)
    bool                          <-> as_boolean (the static as_true / as_false)
    int (int64 range)             <-> as_integer      (out of range: OverflowError, never truncated)
    float                         <-> as_double
    str (UTF-8, may hold NUL)     <-> as_string       (bytes that are not UTF-8 read back as
                                                        surrogate escapes and write back unchanged)
    bytes, bytearray, memoryview   -> as_bytes (AS_BYTES_BLOB) -> bytes
    list, tuple                    -> as_arraylist -> list
    dict (keys int, str, bytes)    -> as_orderedmap -> dict, in the C map's order (sorted by
                                      key, as the C client keeps every map it builds or reads)
    GeoJSON                       <-> as_geojson
    as_cmp_wildcard, as_cmp_inf   <-> the CDT range wildcard / infinity values
    as_bytes of another type (HLL, other languages' blobs) -> bytes

The C client compares str map keys with strcmp: keys that differ only after a NUL are one.
Strings nested in lists and maps that come from the server are read by the C client's msgpack
unpacker with strndup: what follows a NUL is lost there (string bins keep it; writes keep it).
A map the server returns with its "preserve order" flag arrives from the C client as a flat
[k1, v1, k2, v2, ...] list (C semantics, kept). Anything else raises TypeError naming
`where` (e.g. "bin 'b'").
Lists and maps nest at most MAX_DEPTH (64) levels, the C client's msgpack reader limit: a
deeper value, or one that contains itself, raises ValueError naming `where` (check_value
walks iteratively: never a RecursionError).

A value crosses the cffi boundary in one call each way, as plain msgpack: Python's msgpack
packs it and C builds the as_val tree (asc_val_from_msgpack), C walks an as_val tree into
msgpack that Python's msgpack decodes (asc_val_to_msgpack); see csrc/aerospike_c.h.

API used by the other bindings (stable):

    val_to_c(obj, where="value", depth=0) -> as_val*   a new value on the C heap (to be
                                              stored `depth` levels down a bin); the caller owns one
                                              reference: hand it to a C function that consumes
                                              it (as_operations_*, as_record_set, ...) or
                                              as_val_destroy() it.
    new_val(obj, where="value")  -> as_val*   the same, owned by Python (destroyed when the
                                              cdata is collected); pass `as_val_reserve(v)` to a
                                              C function that consumes a reference.
    val_from_c(as_val*) -> object             a Python copy; does not take ownership (NULL -> None).
    bin_value_from_c(as_bin_value*) -> object the same for a bin's value.
    unpack_c(helper, source, what) -> object  decode an asc_*_to_msgpack helper's output.
    pack_value(obj, where) -> bytes           obj as the plain msgpack the C readers take.
    new_packer() -> msgpack.Packer           the same as a reusable Packer (not thread-safe).
    new_unpacker() -> msgpack.Unpacker       a reusable Unpacker for unpack_c's input (the same).
    check_value(obj, where) -> None           raise why obj cannot be sent (nothing if it can).
    encode_str(value, where) -> bytes         str as the C client stores it (UTF-8).
    sized_bytes(value, size, where) -> bytes  a C (value, size) pair as bytes, checked.
    check_int64(value, where) -> int          OverflowError unless it fits int64_t.
"""
from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from typing import Any, Callable, Dict, Union

import msgpack

from .._aerospike import ffi, lib
from .as_error import lifecycle_error

__all__ = [
    "GeoJSON", "as_cmp_wildcard", "as_cmp_inf", "as_val_destroy", "as_val_reserve",
    "as_val_tostring",
]

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
_STR_ERRORS = "surrogateescape"


class GeoJSON:
    """A GeoJSON value (the server's geo particle): the JSON text, or a dict dumped to it."""

    __slots__ = ("value",)

    def __init__(self, value: Union[str, Mapping[str, Any]]) -> None:
        if isinstance(value, Mapping):
            value = json.dumps(value, separators=(",", ":"))
        elif not isinstance(value, str):
            raise TypeError(f"GeoJSON takes a str or a dict, not {type(value).__name__}")
        self.value: str = value

    def to_dict(self) -> Any:
        """The parsed JSON."""
        return json.loads(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GeoJSON) and other.value == self.value

    def __hash__(self) -> int:
        return hash((GeoJSON, self.value))

    def __repr__(self) -> str:
        return f"GeoJSON({self.value!r})"


class _CmpExt:
    """A CDT range bound the C client writes as a msgpack extension (wildcard, infinity)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __reduce__(self) -> str:
        return self._name


as_cmp_wildcard = _CmpExt("as_cmp_wildcard")
as_cmp_inf = _CmpExt("as_cmp_inf")



# -- Python -> C ----------------------------------------------------------------------------------
def encode_str(value: str, where: str) -> bytes:
    """A str as UTF-8 (surrogate escapes from a read go back as the bytes they stand for)."""
    try:
        return value.encode("utf-8", _STR_ERRORS)
    except UnicodeEncodeError as exc:
        raise ValueError(f"{where}: str is not encodable as UTF-8 ({exc.reason})") from None


def sized_bytes(value: Any, size: Any, where: str) -> bytes:
    """bytes(value), cut to `size` when given (C's value/size pair; size must fit)."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{where} takes bytes, not {type(value).__name__}")
    data = bytes(value)
    if size is None:
        return data
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= len(data):
        raise ValueError(f"{where}: size must be an int in [0, {len(data)}], got {size!r}")
    return data[:size]


def check_int64(value: int, where: str) -> int:
    """An int that fits as_integer (int64_t), else OverflowError naming `where`."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise OverflowError(f"{where}: {value} does not fit a 64-bit signed integer")
    return value


# C reads a whole value (or dict of bins) from plain msgpack in one call
# (asc_val_from_msgpack in csrc/aerospike_c.h). When msgpack or C refuses it, check_value()
# walks the value to say which part cannot be sent.
def _pack_default(obj: Any) -> Any:
    if isinstance(obj, GeoJSON):
        return msgpack.ExtType(lib.ASC_EXT_GEOJSON, obj.value.encode("utf-8", _STR_ERRORS))
    if obj is as_cmp_wildcard:
        return msgpack.ExtType(lib.ASC_EXT_WILDCARD, b"")
    if obj is as_cmp_inf:
        return msgpack.ExtType(lib.ASC_EXT_INF, b"")
    if isinstance(obj, Mapping):
        return dict(obj)
    raise TypeError(type(obj).__name__)


_pack = functools.partial(msgpack.packb, use_bin_type=True, unicode_errors=_STR_ERRORS,
                          default=_pack_default)


def new_packer() -> msgpack.Packer:
    """A Packer writing what pack_value() writes, for reuse by one thread at a time."""
    return msgpack.Packer(use_bin_type=True, unicode_errors=_STR_ERRORS, default=_pack_default)


_SCALARS = (type(None), bool, float, bytes, bytearray, memoryview, GeoJSON, _CmpExt)
#: The deepest nesting of lists and maps the C client reads back (csrc/aerospike_c.h says why).
MAX_DEPTH = lib.ASC_MAX_DEPTH


def check_value(obj: Any, where: str, max_depth: int = MAX_DEPTH, stored: bool = False) -> None:
    """Raise the error that says why `obj` cannot be sent (nothing if it can): a value of
    another type (TypeError), an int out of int64 range (OverflowError), a str that is not
    UTF-8, lists and maps nested more than `max_depth` levels or containing themselves
    (ValueError); stored (a bin's or an operation's value, MAX_DEPTH - max_depth levels down
    its bin): a str inside a list or map holding a NUL (ValueError: the C client reads such
    strings back cut at the NUL). Walks iteratively, so no value makes it raise
    RecursionError."""
    if max_depth < 0:
        raise ValueError(f"{where}: the value would be stored more than {MAX_DEPTH} levels "
                         "deep (the C client cannot read such a value back)")
    path: list[int] = []  # id() of each container being walked, outermost first
    stack: list[Any] = [iter((obj,))]
    while stack:
        try:
            item = next(stack[-1])
        except StopIteration:
            stack.pop()
            if path:
                path.pop()
            continue
        if isinstance(item, (list, tuple)):
            children: Any = iter(item)
        elif isinstance(item, Mapping):
            children = _map_items(item, where)
        else:
            _check_scalar(item, where)
            if stored and isinstance(item, str) and "\x00" in item and \
                    MAX_DEPTH - max_depth + len(path) > 0:
                raise ValueError(f"{where}: a str inside a list or map holds a NUL character; "
                                 "the C client would read it back cut short at the NUL")
            continue
        if id(item) in path:
            raise ValueError(f"{where}: the value contains itself (a list or map cannot be "
                             "stored inside itself)")
        if len(path) >= max_depth:
            raise ValueError(f"{where}: lists and maps nested more than {max_depth} levels "
                             "deep (the C client cannot read such a value back)")
        path.append(id(item))
        stack.append(children)


def _map_items(obj: Mapping[Any, Any], where: str) -> Any:
    for key, value in obj.items():
        if isinstance(key, bool) or not isinstance(key, (int, str, bytes)):
            raise TypeError(f"{where}: a map key must be an int, str or bytes, "
                            f"not {type(key).__name__}")
        yield key
        yield value


def _check_scalar(obj: Any, where: str) -> None:
    if isinstance(obj, int) and not isinstance(obj, bool):
        check_int64(obj, where)
    elif isinstance(obj, str):
        encode_str(obj, where)
    elif not isinstance(obj, _SCALARS):
        raise TypeError(f"{where}: values of type {type(obj).__name__} cannot be stored "
                        "(use None, bool, int, float, str, bytes, list, dict or GeoJSON)")


def pack_value(obj: Any, where: str) -> bytes:
    """`obj` as plain msgpack for the C readers (errors name `where`)."""
    try:
        return _pack(obj)
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        check_value(obj, where)
        if isinstance(exc, UnicodeEncodeError):  # a lone surrogate: not UTF-8, no server takes it
            raise ValueError(f"{where}: a str that is not valid UTF-8 ({exc.reason})") from exc
        raise


def val_to_c(obj: Any, where: str = "value", depth: int = 0, stored: bool = False) -> Any:
    """A new C-heap `as_val*` for `obj`; the caller owns its one reference. `depth`: how many
    levels down its bin the value will be stored (it may nest MAX_DEPTH - depth levels);
    stored: a bin's or an operation's value (see check_value), not an argument."""
    data = pack_value(obj, where)
    val = lib.asc_val_from_msgpack_at(data, len(data), depth, stored)
    if val == ffi.NULL:
        check_value(obj, where, MAX_DEPTH - depth, stored)
        raise TypeError(f"{where}: the C client refused this value")  # pragma: no cover
    return val


def new_val(obj: Any, where: str = "value") -> Any:
    """An `as_val*` for `obj` owned by Python: as_val_destroy()ed when the cdata is collected.
    Python holds its one reference: as_val_destroy() of that last one marks the value
    destroyed (later use raises LifecycleError) and leaves the freeing to the collection."""
    val = val_to_c(obj, where)
    if val.count:  # 0: a static value (as_nil, as_true ...), which C never frees
        with _OWNED_LOCK:
            _OWNED[_address(val)] = False
    return ffi.gc(val, _release_owned)


#: The values new_val() made and Python frees, by address: True once as_val_destroy() dropped
#: the reference Python holds (the memory stays until the cdata is collected, so no other
#: value gets the address meanwhile).
_OWNED: Dict[int, bool] = {}
_OWNED_LOCK = threading.RLock()  # a collection inside may release another value


def _address(val: Any) -> int:
    return int(ffi.cast("uintptr_t", val))


def _release_owned(val: Any) -> None:
    with _OWNED_LOCK:
        _OWNED.pop(_address(val), None)
    lib.as_val_val_destroy(val)


# -- C -> Python ----------------------------------------------------------------------------------
# C writes a value (or a record's bins) as plain msgpack in one call (asc_val_to_msgpack in
# csrc/aerospike_c.h); Python's msgpack decodes it in one call.
def _ext(code: int, data: bytes) -> Any:
    if code == lib.ASC_EXT_GEOJSON:
        return GeoJSON(data.decode("utf-8", _STR_ERRORS))
    if code == lib.ASC_EXT_WILDCARD:
        return as_cmp_wildcard
    if code == lib.ASC_EXT_INF:
        return as_cmp_inf
    raise ValueError(f"unknown msgpack extension {code}")  # pragma: no cover - C writes none


_UNPACK_OPTIONS: Dict[str, Any] = dict(raw=False, strict_map_key=False, use_list=True,
                                       unicode_errors=_STR_ERRORS, ext_hook=_ext)
_unpack = functools.partial(msgpack.unpackb, **_UNPACK_OPTIONS)


def new_unpacker() -> msgpack.Unpacker:
    """An Unpacker reading what unpack_c() reads, for reuse by one thread at a time (feed,
    then unpack: half the per-call cost of msgpack.unpackb with these options)."""
    return msgpack.Unpacker(**_UNPACK_OPTIONS)


def unpack_c(pack: Callable[[Any, Any], Any], source: Any, what: str) -> Any:
    """Decode what `pack(source, &size)` (an asc_*_to_msgpack helper) writes, then free it."""
    size = ffi.new("uint32_t*")
    buf = pack(source, size)
    if buf == ffi.NULL:
        raise TypeError(f"{what} holds a value that has no Python value")
    try:
        return _unpack(ffi.buffer(buf, size[0]))
    finally:
        lib.free(buf)


def val_from_c(val: Any) -> Any:
    """The Python value of an `as_val*` (a copy; ownership stays with the caller); NULL -> None."""
    if val == ffi.NULL:
        return None
    return unpack_c(lib.asc_val_to_msgpack, val, "as_val")


def bin_value_from_c(bv: Any) -> Any:
    """The Python value of an `as_bin_value*`; NULL -> None."""
    return None if bv == ffi.NULL else val_from_c(ffi.cast("as_val*", bv))


# -- the C functions ------------------------------------------------------------------------------
def _as_val(val: Any, what: str) -> Any:
    """The `as_val*` of a value argument; LifecycleError once as_val_destroy() released the
    last reference of a value Python owns (new_val)."""
    if not isinstance(val, ffi.CData):
        raise TypeError(f"{what} takes an as_val* cdata, not {type(val).__name__}")
    ptr = ffi.cast("as_val*", val)
    if _OWNED and _OWNED.get(_address(ptr)):
        raise lifecycle_error(f"{what}: the as_val was destroyed")
    return ptr


def as_val_destroy(val: Any) -> None:
    """as_val_destroy(): release one reference (the value is freed with the last one; for a
    value Python owns, when it is collected: any use after the last release raises
    LifecycleError, as a second as_val_destroy does)."""
    with _OWNED_LOCK:
        ptr = _as_val(val, "as_val_destroy")
        address = _address(ptr)
        if address in _OWNED and ptr.count <= 1:
            _OWNED[address] = True
            return
        lib.as_val_val_destroy(ptr)


def as_val_reserve(val: Any) -> Any:
    """as_val_reserve(): take one more reference; returns the value (as_val*)."""
    return lib.as_val_val_reserve(_as_val(val, "as_val_reserve"))


def as_val_tostring(val: Any) -> str:
    """as_val_tostring(): the C client's text for a value."""
    text = lib.as_val_val_tostring(_as_val(val, "as_val_tostring"))
    if text == ffi.NULL:
        return ""
    try:
        return ffi.string(text).decode("utf-8", _STR_ERRORS)
    finally:
        lib.free(text)

