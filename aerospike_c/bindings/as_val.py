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

Strings nested in lists and maps that come from the server are read by the C client's msgpack
unpacker with strndup: what follows a NUL is lost there (string bins keep it; writes keep it).
A map the server returns with its "preserve order" flag arrives from the C client as a flat
[k1, v1, k2, v2, ...] list (C semantics, kept). Anything else raises TypeError naming
`where` (e.g. "bin 'b'").

API used by the other bindings (stable):

    val_to_c(obj, where="value") -> as_val*   a new value on the C heap; the caller owns one
                                              reference: hand it to a C function that consumes
                                              it (as_operations_*, as_record_set, ...) or
                                              as_val_destroy() it.
    new_val(obj, where="value")  -> as_val*   the same, owned by Python (destroyed when the
                                              cdata is collected); pass `as_val_reserve(v)` to a
                                              C function that consumes a reference.
    val_from_c(as_val*) -> object             a Python copy; does not take ownership (NULL -> None).
    bin_value_from_c(as_bin_value*) -> object the same for a bin's value (no cast needed).
    encode_str(value, where) -> bytes         str as the C client stores it (UTF-8).
    sized_bytes(value, size, where) -> bytes  a C (value, size) pair as bytes, checked.
    check_int64(value, where) -> int          OverflowError unless it fits int64_t.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Callable, Dict, Union

from .._aerospike import ffi, lib

__all__ = [
    "GeoJSON", "as_cmp_wildcard", "as_cmp_inf", "as_val_destroy", "as_val_reserve",
    "as_val_tostring",
]

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
_SIZE_MAX = (1 << (8 * ffi.sizeof("size_t"))) - 1  # as_string.len before as_string_len()
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

_AS_NIL = ffi.addressof(lib, "as_nil")
_AS_TRUE = ffi.cast("as_val*", ffi.addressof(lib, "as_true"))
_AS_FALSE = ffi.cast("as_val*", ffi.addressof(lib, "as_false"))
_AS_CMP_WILDCARD = ffi.addressof(lib, "as_cmp_wildcard")
_AS_CMP_INF = ffi.addressof(lib, "as_cmp_inf")
_STATIC_VALS = {id(as_cmp_wildcard): _AS_CMP_WILDCARD, id(as_cmp_inf): _AS_CMP_INF}


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


def _nil_to_c(obj: Any, where: str) -> Any:
    return _AS_NIL


def _bool_to_c(obj: Any, where: str) -> Any:
    return _AS_TRUE if obj else _AS_FALSE


def _int_to_c(obj: Any, where: str) -> Any:
    return ffi.cast("as_val*", lib.as_integer_new(check_int64(obj, where)))


def _float_to_c(obj: Any, where: str) -> Any:
    return ffi.cast("as_val*", lib.as_double_new(obj))


def _str_to_c(obj: Any, where: str) -> Any:
    data = encode_str(obj, where)
    return _allocated(lib.asc_string_new_copy(data, len(data)), where)


def _bytes_to_c(obj: Any, where: str) -> Any:
    data = bytes(obj) if not isinstance(obj, bytes) else obj
    if len(data) > 0xFFFFFFFF:
        raise OverflowError(f"{where}: bytes longer than 4 GiB cannot be sent")
    return _allocated(lib.asc_bytes_new_copy(data, len(data), lib.AS_BYTES_BLOB), where)


def _geojson_to_c(obj: Any, where: str) -> Any:
    data = encode_str(obj.value, where)
    return _allocated(lib.asc_geojson_new_copy(data, len(data)), where)


def _list_to_c(obj: Any, where: str) -> Any:
    items = lib.as_arraylist_new(len(obj), 0)
    as_list = ffi.cast("as_val*", _allocated(items, where))
    try:
        for item in obj:
            conv = _TO_C.get(type(item)) or _converter(item, where)
            lib.as_arraylist_append(items, conv(item, where))
    except BaseException:
        lib.as_val_val_destroy(as_list)
        raise
    return as_list


def _dict_to_c(obj: Any, where: str) -> Any:
    entries = lib.as_orderedmap_new(len(obj))
    as_map = ffi.cast("as_val*", _allocated(entries, where))
    try:
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (int, str, bytes)):
                raise TypeError(f"{where}: a map key must be an int, str or bytes, "
                                f"not {type(key).__name__}")
            c_key = val_to_c(key, where)
            try:
                c_value = val_to_c(value, where)
            except BaseException:
                lib.as_val_val_destroy(c_key)
                raise
            if lib.as_orderedmap_set(entries, c_key, c_value) != 0:  # pragma: no cover - C refuses
                lib.as_val_val_destroy(c_key)
                lib.as_val_val_destroy(c_value)
                raise TypeError(f"{where}: the C client refused map key {key!r}")
    except BaseException:
        lib.as_val_val_destroy(as_map)
        raise
    return as_map


def _cmp_to_c(obj: Any, where: str) -> Any:
    return _STATIC_VALS[id(obj)]


_TO_C: Dict[type, Callable[[Any, str], Any]] = {
    type(None): _nil_to_c, bool: _bool_to_c, int: _int_to_c, float: _float_to_c,
    str: _str_to_c, bytes: _bytes_to_c, bytearray: _bytes_to_c, memoryview: _bytes_to_c,
    list: _list_to_c, tuple: _list_to_c, dict: _dict_to_c, GeoJSON: _geojson_to_c,
    _CmpExt: _cmp_to_c,
}


def _converter(obj: Any, where: str) -> Callable[[Any, str], Any]:
    """The converter for a subclass of a supported type (IntEnum, OrderedDict ...)."""
    for base in (bool, int, float, str, bytes, bytearray, memoryview, list, tuple, dict, GeoJSON):
        if isinstance(obj, base):
            return _TO_C[base]
    if isinstance(obj, Mapping):
        return _dict_to_c
    raise TypeError(f"{where}: values of type {type(obj).__name__} cannot be stored "
                    "(use None, bool, int, float, str, bytes, list, dict or GeoJSON)")


def _allocated(ptr: Any, where: str) -> Any:
    if ptr == ffi.NULL:  # pragma: no cover - out of memory
        raise MemoryError(where)
    return ptr


def val_to_c(obj: Any, where: str = "value") -> Any:
    """A new C-heap `as_val*` for `obj`; the caller owns its one reference."""
    conv = _TO_C.get(type(obj)) or _converter(obj, where)
    return conv(obj, where)


def new_val(obj: Any, where: str = "value") -> Any:
    """An `as_val*` for `obj` owned by Python: as_val_destroy()ed when the cdata is collected."""
    return ffi.gc(val_to_c(obj, where), lib.as_val_val_destroy)


# -- C -> Python ----------------------------------------------------------------------------------
def _text(ptr: Any, length: int) -> str:
    return ffi.unpack(ptr, length).decode("utf-8", _STR_ERRORS) if length else ""


def bin_value_from_c(bv: Any) -> Any:
    """The Python value of an `as_bin_value*` (any as_val* cast to it); NULL -> None."""
    if bv == ffi.NULL:
        return None
    kind = bv.nil.type
    if kind == _INTEGER:
        return bv.integer.value
    if kind == _STRING:
        s = bv.string
        length = s.len
        if length == _SIZE_MAX:
            length = lib.as_string_len(ffi.addressof(s))
        return _text(s.value, length)
    if kind == _DOUBLE:
        return bv.dbl.value
    if kind == _BYTES:
        b = bv.bytes
        size = b.size
        return ffi.unpack(ffi.cast("char*", b.value), size) if size else b""
    if kind == _LIST:
        items = ffi.cast("as_arraylist*", bv)
        elements = items.elements
        return [val_from_c(elements[i]) for i in range(items.size)]
    if kind == _MAP:
        return _map_from_c(ffi.cast("as_orderedmap*", bv))
    if kind == _BOOLEAN:
        return bool(bv.boolean.value)
    if kind == _NIL:
        return None
    if kind == _GEOJSON:
        geo = ffi.cast("as_geojson*", bv)
        length = geo.len
        if length == _SIZE_MAX:
            length = lib.as_geojson_len(geo)
        return GeoJSON(_text(geo.value, length))
    if kind == _CMP_WILDCARD:
        return as_cmp_wildcard
    if kind == _CMP_INF:
        return as_cmp_inf
    raise TypeError(f"as_val of type {kind} has no Python value")


def _map_from_c(entries: Any) -> Dict[Any, Any]:
    if entries.hold_count:
        # Entries inserted out of order wait in a side table until an iterator merges them.
        lib.as_orderedmap_iterator_init(ffi.new("as_orderedmap_iterator*"), entries)
    table = entries.table
    out: Dict[Any, Any] = {}
    for i in range(entries.count):
        entry = table[i]
        out[val_from_c(entry.key)] = val_from_c(entry.value)
    return out


def val_from_c(val: Any) -> Any:
    """The Python value of an `as_val*` (a copy; ownership stays with the caller)."""
    if val == ffi.NULL:
        return None
    return bin_value_from_c(ffi.cast("as_bin_value*", val))


_NIL, _BOOLEAN, _INTEGER, _STRING = lib.AS_NIL, lib.AS_BOOLEAN, lib.AS_INTEGER, lib.AS_STRING
_LIST, _MAP, _BYTES, _DOUBLE = lib.AS_LIST, lib.AS_MAP, lib.AS_BYTES, lib.AS_DOUBLE
_GEOJSON, _CMP_WILDCARD, _CMP_INF = lib.AS_GEOJSON, lib.AS_CMP_WILDCARD, lib.AS_CMP_INF


# -- the C functions ------------------------------------------------------------------------------
def _as_val(val: Any, what: str) -> Any:
    if not isinstance(val, ffi.CData):
        raise TypeError(f"{what} takes an as_val* cdata, not {type(val).__name__}")
    return ffi.cast("as_val*", val)


def as_val_destroy(val: Any) -> None:
    """as_val_destroy(): release one reference (the value is freed with the last one)."""
    lib.as_val_val_destroy(_as_val(val, "as_val_destroy"))


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

