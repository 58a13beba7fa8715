"""Field-by-field access to C structs by their C names, checked.

`CStruct` wraps a pointer to a struct declared in cdefs/ and exposes every declared field
as an attribute: ints are range-checked against the C type, bools must be bools, enums
must be one of their values, `char[N]` takes a str that fits, `char*` is replaced with
the C client's own strdup (so the C side may free it), nested structs are views.
Fields that need a C function (host lists, callbacks, expressions) have handlers
registered per struct type; any other pointer field is read-only.

Where the C client can use only part of a field's C range (it divides by the field,
allocates from it, shifts by it, pins a thread with it), `FIELD_LIMITS` narrows the range:
a value outside raises ValueError naming the field, the range and why. Limits that depend
on another field or on the machine are checked where C first uses them (aerospike_init,
aerospike_connect: `as_config.check_config`).

The C client's bookkeeping is never writable from Python (a wrong size or capacity is a
crash in the next C call): fields whose name starts with `_` (`_free`), every field of a
container struct (one with a `capacity` or an `entries`/`list` pointer: as_bins, as_binops,
a batch's keys, as_vector, scan/query select and where lists ...), the value union and
digest of a key, and everything reached through such a field or a pointer (read-only views).

Everything is derived from cffi's view of the declarations: nothing here repeats a
field list by hand.
"""
from __future__ import annotations

import contextlib
import difflib
import enum
import functools
from typing import Any, Callable, ContextManager, Dict, Iterator, Mapping, Optional, Tuple, cast

from .._aerospike import ffi, lib

__all__ = ["CStruct", "FieldHandler", "FIELD_LIMITS", "c_enum", "check_limits", "field_offset",
           "field_range", "int_range", "plain_setting", "register_field", "Owner", "SelfOwned", "set_fields", "c_ttl"]


class Owner:
    """What keeps a struct's memory alive and says whether it may still be used."""

    __slots__ = ()

    def _check_writable(self, what: str) -> None:  # pragma: no cover - overridden
        pass

    def _keep(self, obj: Any) -> None:  # pragma: no cover - overridden
        pass

    def _keep_field(self, field_ptr: Any, obj: Any) -> None:
        """Keep `obj` alive as what the field at `field_ptr` points at. Owners that know no C
        call still reads the previous value release it (as_config; an aerospike instance,
        once closed); this default keeps both."""
        self._keep(obj)

    def _changing_c_state(self, what: str) -> ContextManager[None]:
        """Held while a field the C client reads from its own threads (strings, callbacks,
        ip_map) is replaced; an owner whose cluster is running refuses (LifecycleError)."""
        return contextlib.nullcontext()


def field_offset(base: Any, field_ptr: Any) -> int:
    """Byte offset of `field_ptr` inside the struct at `base`: the key of `_keep_field`
    (aerospike_init copies an as_config whole, so offsets survive the hand-over)."""
    return int(ffi.cast("uintptr_t", field_ptr)) - int(ffi.cast("uintptr_t", base))


FieldHandler = Tuple[Callable[["CStruct"], Any], Optional[Callable[["CStruct", Any], None]]]
_HANDLERS: Dict[Tuple[str, str], FieldHandler] = {}


def register_field(struct: str, field: str, getter: Callable[["CStruct"], Any],
                   setter: Optional[Callable[["CStruct", Any], None]] = None) -> None:
    """Give field `field` of C struct `struct` its own getter/setter."""
    _HANDLERS[(ffi.typeof(struct).cname, field)] = (getter, setter)
    _plain_int_range.cache_clear()  # the field is no longer set as it is
    _plain_bool.cache_clear()


@functools.lru_cache(maxsize=None)
def c_enum(name: str) -> type[enum.IntEnum]:
    """An IntEnum named after the C enum typedef `name`, members from the compiled values.

    Every one is importable from aerospike_c.bindings.enums under its C name (for pickle)."""
    ctype = ffi.typeof(name)
    members = {label: value for value, label in sorted(ctype.elements.items())}
    # Aliases (two names, one value) keep the first name as the member, the rest as aliases.
    for label, value in ctype.relements.items():
        members.setdefault(label, value)
    # mypy types only enums whose name is a literal; this one's comes from the cdefs.
    enum_type = enum.IntEnum(name, members, module=_ENUM_MODULE)  # type: ignore[misc]
    # str() and format() give the number on every Python, as on 3.11+, so that
    # f"err({err.code})" reads like the C printf("err(%d)") before 3.11 too.
    enum_type.__str__ = int.__repr__  # type: ignore[method-assign]
    enum_type.__format__ = int.__format__  # type: ignore[method-assign]
    return enum_type


def _enum_typedef(ctype: Any) -> str:
    """The typedef name users know for an enum ctype (`as_policy_key`, not `enum as_policy_key_e`)."""
    return _ENUM_TYPEDEFS.get(ctype.cname, ctype.cname)


_ENUM_MODULE = "aerospike_c.bindings.enums"
_ENUM_TYPEDEFS: Dict[str, str] = {}
for _name in ffi.list_types()[0]:
    _t = ffi.typeof(_name)
    if _t.kind == "enum":
        _ENUM_TYPEDEFS.setdefault(_t.cname, _name)


#: C's TTL sentinels as C users write them: as_record.h's AS_RECORD_NO_EXPIRE_TTL (0xFFFFFFFF),
#: AS_RECORD_NO_CHANGE_TTL (0xFFFFFFFE) and AS_RECORD_CLIENT_DEFAULT_TTL (0xFFFFFFFD) are -1, -2
#: and -3 in a uint32_t.
_TTL_SENTINELS = {-1: lib.AS_RECORD_NO_EXPIRE_TTL, -2: lib.AS_RECORD_NO_CHANGE_TTL,
                  -3: lib.AS_RECORD_CLIENT_DEFAULT_TTL}


def c_ttl(where: str, value: Any) -> int:
    """A record TTL for C's uint32_t ttl fields: seconds, or -1 never expire, -2 no change,
    -3 the client default (C's AS_RECORD_*_TTL values, which C users write as -1, -2, -3)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where} must be an int, not {type(value).__name__}")
    ttl = _TTL_SENTINELS.get(value, value)
    if not 0 <= ttl <= 0xFFFFFFFF:
        raise ValueError(f"{where} must be seconds in [0, 4294967295], or -1 (never expire), "
                         f"-2 (no change), -3 (client default); got {value}")
    return ttl


@functools.lru_cache(maxsize=None)
def int_range(cname: str) -> Tuple[int, int]:
    """(low, high) of a C integer type (an int type, an enum, _Bool) as cffi converts it: an
    enum without negative values is unsigned; outside it cffi raises OverflowError."""
    ctype = ffi.typeof(cname)
    if ctype.cname == "_Bool":
        return 0, 1
    bits = ffi.sizeof(ctype) * 8
    try:
        ffi.new(ffi.getctype(ctype, "*"), -1)
    except OverflowError:
        return 0, (1 << bits) - 1
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


# as_queue_init() allocates capacity * item_size in 32-bit arithmetic: a larger pool wraps
# around to a small buffer that the pool then overruns.
_UINT32_MAX = (1 << 32) - 1
_SYNC_POOL_ITEM = 40   # sizeof(as_socket): one slot per allowed sync connection
_ASYNC_POOL_ITEM = 8   # sizeof(as_event_connection*)
_CPU_SETSIZE = 1024    # glibc cpu_set_t: the CPUs a thread can be pinned to

#: (struct typedef, field) -> (low, high, why): where the C client can use less than the
#: field's C type allows. For char[N] fields the limits are on the UTF-8 length.
FIELD_LIMITS: Dict[Tuple[str, str], Tuple[int, int, str]] = {
    ("as_policy_event", "queue_initial_capacity"): (
        1, _UINT32_MAX // 8, "the delay queue (as_queue of pointers) grows by doubling its "
        "capacity, so 0 never grows"),
    ("as_config", "conn_pools_per_node"): (
        1, _CPU_SETSIZE, "as_node.c divides min/max_conns_per_node by it and allocates one "
        "pool each; one pool per CPU core at most"),
    ("as_config", "min_conns_per_node"): (
        0, _UINT32_MAX // _SYNC_POOL_ITEM, "sync pool slots are 40-byte as_socket entries "
        "sized in 32 bits"),
    ("as_config", "max_conns_per_node"): (
        0, _UINT32_MAX // _SYNC_POOL_ITEM, "sync pool slots are 40-byte as_socket entries "
        "sized in 32 bits"),
    ("as_config", "async_min_conns_per_node"): (
        0, _UINT32_MAX // _ASYNC_POOL_ITEM, "async pool slots are pointers sized in 32 bits"),
    ("as_config", "async_max_conns_per_node"): (
        0, _UINT32_MAX // _ASYNC_POOL_ITEM, "async pool slots are pointers sized in 32 bits"),
    ("as_config", "pipe_max_conns_per_node"): (
        0, _UINT32_MAX // _ASYNC_POOL_ITEM, "pipeline pool slots are pointers sized in 32 bits"),
    ("as_config", "thread_pool_size"): (
        0, _CPU_SETSIZE, "aerospike_connect starts every thread (and callocs their ids "
        "unchecked) before it can fail"),
    ("as_config", "tend_thread_cpu"): (
        -(1 << 31), _CPU_SETSIZE - 1, "a CPU number for pthread_attr_setaffinity_np, or "
        "negative for no affinity"),
    ("as_config", "max_socket_idle"): (0, 86400, "aerospike_connect refuses more than a day"),
    ("as_config", "tender_interval"): (
        250, _UINT32_MAX, "AS_TEND_INTERVAL_MIN; the tender also divides by it"),
    ("as_config", "shm_max_nodes"): (
        1, (_UINT32_MAX - 56 - 65576) // 432, "the shared memory size (432 bytes per node "
        "plus 65576 per namespace) is computed in 32 bits"),
    ("as_config", "shm_max_namespaces"): (
        1, (_UINT32_MAX - 56 - 432) // 65576, "the shared memory size (432 bytes per node "
        "plus 65576 per namespace) is computed in 32 bits"),
    ("as_config", "shm_takeover_threshold_sec"): (
        0, _UINT32_MAX // 1000, "as_shm_cluster.c multiplies it by 1000 in 32 bits"),
    ("as_metrics_policy", "interval"): (
        1, _UINT32_MAX, "the tender runs metrics when tend_count % interval == 0"),
    ("as_metrics_policy", "latency_columns"): (
        1, 255, "as_node.c indexes bucket latency_columns - 1"),
    ("as_metrics_policy", "latency_shift"): (
        0, 63, "the bucket limit is a uint64 shifted left by it"),
    ("as_metrics_policy", "report_dir"): (
        1, 255, "the metrics writer reads report_dir[strlen(report_dir) - 1]"),
    ("as_policy_read", "read_touch_ttl_percent"): (
        -1, 100, "-1 never reset, 0 server default, 1..100 percent of the TTL"),
    ("as_policy_operate", "read_touch_ttl_percent"): (
        -1, 100, "-1 never reset, 0 server default, 1..100 percent of the TTL"),
    ("as_policy_batch", "read_touch_ttl_percent"): (
        -1, 100, "-1 never reset, 0 server default, 1..100 percent of the TTL"),
    ("as_policy_batch_read", "read_touch_ttl_percent"): (
        -1, 100, "-1 never reset, 0 server default, 1..100 percent of the TTL"),
}
_LIMITS: Dict[Tuple[str, str], Tuple[int, int, str]] = {
    (ffi.typeof(struct).cname, field): limits for (struct, field), limits in FIELD_LIMITS.items()}


def field_range(struct_cname: str, name: str, ctype: Any) -> Tuple[int, int, str]:
    """(low, high, why) an integer field accepts: FIELD_LIMITS, else its C type's range."""
    limits = _LIMITS.get((struct_cname, name))
    if limits is not None:
        return limits
    low, high = int_range(ctype.cname)
    return low, high, ctype.cname


@functools.lru_cache(maxsize=None)
def _plain_int_range(cname: str, name: str) -> Optional[Tuple[int, int]]:
    """(low, high) of an integer field CStruct.__setattr__ sets as it is given (no handler,
    not read-only, not a bool, an enum or a ttl): its fast path. None for any other."""
    ctype = _fields(cname).get(name)
    if (ctype is None or ctype.kind != "primitive" or ctype.cname in ("_Bool", "float", "double")
            or (name == "ttl" and ctype.cname == "uint32_t") or read_only(cname, name)
            or (cname, name) in _HANDLERS):
        return None
    low, high, _ = field_range(cname, name, ctype)
    return low, high


@functools.lru_cache(maxsize=None)
def _plain_bool(cname: str, name: str) -> bool:
    """Is `name` a _Bool field CStruct.__setattr__ sets as it is given (a bool)?"""
    ctype = _fields(cname).get(name)
    return (ctype is not None and ctype.kind == "primitive" and ctype.cname == "_Bool"
            and not read_only(cname, name) and (cname, name) not in _HANDLERS)


def plain_setting(cname: str, name: str, value: Any) -> bool:
    """Would CStruct.__setattr__ store `value` in field `name` of struct `cname` as it is
    given, with no handler (an int within the field's range, a bool for a _Bool)? Such a
    setting may go straight to the cdata (Config's plain recipe: client.py)."""
    if type(value) is int:
        limits = _plain_int_range(cname, name)
        return limits is not None and limits[0] <= value <= limits[1]
    return type(value) is bool and _plain_bool(cname, name)


@functools.lru_cache(maxsize=None)
def _limited_paths(cname: str) -> Tuple[Tuple[Tuple[str, ...], Tuple[int, int, str]], ...]:
    """Every (field path, limits) of FIELD_LIMITS inside struct `cname`, nested structs too."""
    found = []
    for name, ctype in _fields(cname).items():
        if ctype.kind == "struct":
            found += [((name, *path), limits) for path, limits in _limited_paths(ctype.cname)]
        elif (cname, name) in _LIMITS:
            found.append(((name,), _LIMITS[(cname, name)]))
    return tuple(found)


def check_limits(ptr: Any, path: str) -> None:
    """Raise ValueError for any field of the struct at `ptr` outside FIELD_LIMITS (for memory
    C filled itself, e.g. from the dynamic config file)."""
    for names, (low, high, why) in _limited_paths(ffi.typeof(ptr).item.cname):
        value = ptr
        for name in names:
            value = getattr(value, name)
        if isinstance(value, ffi.CData):  # char[N]: the limits are on its length
            value = len(ffi.string(value))
        if not low <= value <= high:
            raise ValueError(f"{path}.{'.'.join(names)} must be in [{low}, {high}], got {value} ({why})")


@functools.lru_cache(maxsize=None)
def _fields(cname: str) -> Dict[str, Any]:
    ctype = ffi.typeof(cname)
    ffi.sizeof(ctype)  # completes a lazily built struct before its field list is read
    return {name: field.type for name, field in ctype.fields}


@functools.lru_cache(maxsize=None)
def _complete(ctype: Any) -> bool:
    """Does cffi know the layout of this struct/union (not an opaque declaration)?"""
    try:
        ffi.sizeof(ctype)
    except ffi.error:
        return False
    return ctype.fields is not None


#: Fields only the C functions set: a key's value and digest (as_key_init_* fill them); a
#: batch record's type (as_batch_*_reserve sets it; C reads the record as the struct it names,
#: so a read record typed AS_BATCH_APPLY had its ops pointer read as a module name) and a read
#: record's bin name count (C reads that many names from bin_names, which sets both).
_C_ONLY = {("struct as_key_s", "value"), ("struct as_key_s", "digest"),
           ("struct as_bin_s", "value"), ("struct as_batch_read_record_s", "n_bin_names"),
           *((f"struct as_batch_{kind}_record_s", "type")
             for kind in ("base", "read", "write", "apply", "remove"))}


@functools.lru_cache(maxsize=None)
def _item_cname(ptr_type: Any) -> str:
    """The C name of what a pointer type points at (cffi builds the str anew on each read)."""
    return str(ptr_type.item.cname)


@functools.lru_cache(maxsize=None)
def read_only(cname: str, name: str) -> bool:
    """Is field `name` of struct `cname` the C client's bookkeeping (never set from Python)?"""
    if name.startswith("_") or (cname, name) in _C_ONLY:
        return True
    fields = _fields(cname)
    return "capacity" in fields or any(
        fields.get(ptr) is not None and fields[ptr].kind == "pointer" for ptr in ("entries", "list"))


_UNION = "union"  # CStruct._frozen of a view inside a C union: its pointers are not followed


class CStruct:
    """A checked view of one C struct (`ptr` is a `T*` cdata), fields by C name."""

    __slots__ = ("_ptr", "_owner", "_path", "_frozen", "_cname")

    def __init__(self, ptr: Any, owner: Owner, path: str, frozen: Any = False) -> None:
        object.__setattr__(self, "_ptr", ptr)
        if owner is not cast(object, self):  # a SelfOwned struct is its owner without a reference to itself
            object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_frozen", frozen)  # a read-only view (bookkeeping)
        # the struct's C name, looked up once per view (every field read and set needs it)
        object.__setattr__(self, "_cname", _item_cname(ffi.typeof(ptr)))

    def _field_type(self, name: str) -> Any:
        try:
            return _fields(self._cname)[name]
        except KeyError:
            raise AttributeError(f"{self._path} has no field {name!r}") from None

    def __dir__(self) -> list[str]:
        return list(_fields(self._cname))

    def __iter__(self) -> Iterator[str]:
        return iter(_fields(self._cname))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        ctype = self._field_type(name)
        self._owner._check_writable(f"{self._path}.{name}")  # reading freed memory is as bad
        handler = _HANDLERS.get((self._cname, name))
        if handler is not None:
            return handler[0](self)
        value = getattr(self._ptr, name)
        if ctype.kind in ("struct", "union"):
            frozen = (_UNION if _UNION in (self._frozen, ctype.kind) else
                      self._frozen or read_only(self._cname, name))
            return CStruct(ffi.addressof(self._ptr[0], name), self._owner, f"{self._path}.{name}",
                           frozen)
        if ctype.kind == "enum":
            enum_type = c_enum(_enum_typedef(ctype))
            try:
                return enum_type(value)
            except ValueError:
                return value
        if ctype.kind == "array":
            if ctype.item.cname == "char":
                return ffi.string(value).decode("utf-8", "replace")
            return _array_copy(f"{self._path}.{name}", ctype, value)
        if ctype.kind == "pointer":
            if self._frozen == _UNION:
                raise AttributeError(f"{self._path}.{name} is inside a C union: which member "
                                     "holds the value is for the C functions to know")
            if ctype.item.cname == "char":
                return None if value == ffi.NULL else ffi.string(value).decode("utf-8", "replace")
            if value == ffi.NULL:
                return None
            if ctype.item.kind in ("struct", "union") and _complete(ctype.item):  # read-only
                return CStruct(value, self._owner, f"{self._path}.{name}[0]",
                               _UNION if ctype.item.kind == _UNION else True)
            # A raw cdata would point into memory the owner frees (no check of its own, no
            # bounds): reading or writing through it after a destroy is a crash.
            raise AttributeError(f"{self._path}.{name} is a {ctype.cname} the C client keeps; "
                                 "the C functions read it (not readable from Python)")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        limits = _plain_int_range(self._cname, name) if type(value) is int else None
        if limits is not None and limits[0] <= value <= limits[1] and not self._frozen:
            try:
                self._owner._check_writable(self._path)
            except Exception:  # noqa: BLE001 - the checks below raise it, naming the field
                pass
            else:
                setattr(self._ptr, name, value)  # what _set_int would do, checked the same
                return
        ctype = self._field_type(name)
        where = f"{self._path}.{name}"
        self._owner._check_writable(where)
        if self._frozen or read_only(self._cname, name):
            raise AttributeError(f"{where} is read-only (the C client keeps it)")
        handler = _HANDLERS.get((self._cname, name))
        if handler is not None:
            if handler[1] is None:
                raise AttributeError(f"{where} is read-only")
            handler[1](self, value)
            return
        kind = ctype.kind
        if kind == "struct":
            raise TypeError(f"{where} is a struct; set its fields one by one")
        if kind == "enum":
            self._set_enum(where, name, ctype, value)
        elif kind == "primitive" and ctype.cname == "_Bool":
            if not isinstance(value, bool):
                raise TypeError(f"{where} must be a bool, not {type(value).__name__}")
            setattr(self._ptr, name, value)
        elif kind == "primitive" and name == "ttl" and ctype.cname == "uint32_t":
            setattr(self._ptr, name, c_ttl(where, value))
        elif kind == "primitive":
            self._set_int(where, name, ctype, value)
        elif kind == "array" and ctype.item.cname == "char":
            encoded = _encode(where, value)
            low, high, why = _LIMITS.get((self._cname, name), (0, ctype.length - 1, ""))
            if not low <= len(encoded) <= high:
                raise ValueError(f"{where} takes {low} to {high} bytes, got {len(encoded)}"
                                 + (f" ({why})" if why else ""))
            setattr(self._ptr, name, encoded)
        elif kind == "pointer" and ctype.item.cname == "char":
            text = None if value is None else _encode(where, value)
            with self._owner._changing_c_state(where):
                lib.as_config_set_string(ffi.addressof(self._ptr[0], name), text or ffi.NULL)
        else:
            raise AttributeError(f"{where} cannot be set from Python")

    def _set_int(self, where: str, name: str, ctype: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} must be an int, not {type(value).__name__}")
        low, high, why = field_range(self._cname, name, ctype)
        if not low <= value <= high:
            raise ValueError(f"{where} must be in [{low}, {high}], got {value} ({why})")
        setattr(self._ptr, name, value)

    def _set_enum(self, where: str, name: str, ctype: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} must be a {_enum_typedef(ctype)} value, not {type(value).__name__}")
        if value not in ctype.elements:
            names = ", ".join(ctype.elements[v] for v in sorted(ctype.elements))
            raise ValueError(f"{where} must be one of {names}; got {value}")
        setattr(self._ptr, name, value)

    def to_dict(self) -> Dict[str, Any]:
        """Every field as a plain value (nested structs as dicts, enums as ints)."""
        out: Dict[str, Any] = {}
        for name in _fields(self._cname):
            value = getattr(self, name)
            out[name] = value.to_dict() if isinstance(value, CStruct) else value
        return out

    def __repr__(self) -> str:
        return f"<{self._cname} {self._path}>"


class SelfOwned(CStruct, Owner):
    """A CStruct that owns its own memory (an as_config, an as_key, the policies ...).

    `_owner` is the struct itself, read through a property: a slot holding itself would make
    every such struct a reference cycle, freed (its C memory too) only when the garbage
    collector next runs instead of when the last reference goes, as C frees it."""

    __slots__ = ()

    @property
    def _owner(self) -> "SelfOwned":
        return self


def _array_copy(where: str, ctype: Any, value: Any) -> Any:
    """A copy of a fixed-size C array of numbers (bytes for a uint8_t[N], like a digest; a
    list otherwise): never the cdata, which points into the owner's memory without keeping
    it alive, so it would read (and write) freed memory once the owner is destroyed."""
    if ctype.length is None or ctype.item.kind != "primitive":
        raise AttributeError(f"{where} is a {ctype.cname} the C client keeps; the C "
                             "functions read it (not readable from Python)")
    if ctype.item.cname in ("uint8_t", "unsigned char"):
        return bytes(ffi.buffer(value))
    return list(value)


def _encode(where: str, value: Any) -> bytes:
    if isinstance(value, str):
        encoded = value.encode("utf-8")
    elif isinstance(value, bytes):
        encoded = value
    else:
        raise TypeError(f"{where} must be a str, not {type(value).__name__}")
    if b"\0" in encoded:
        raise ValueError(f"{where} must not contain NUL characters")
    return encoded


def set_fields(view: CStruct, fields: Mapping[str, Any], shortcut: Optional[str] = None) -> CStruct:
    """Set fields by C name; a Mapping value sets the fields of that nested struct.

    `shortcut` names a nested struct whose fields may also be given directly (a policy's
    "base": {"total_timeout": 50} means base.total_timeout). Returns the view.
    An unknown or read-only field raises TypeError naming it (as an unexpected keyword
    argument does); setting one as an attribute raises AttributeError.
    """
    names = _fields(view._cname)
    for name, value in fields.items():
        target, target_names = view, names
        if shortcut is not None and name not in names and shortcut in names:
            nested_view = getattr(view, shortcut)
            nested_names = _fields(nested_view._cname)
            if name in nested_names:
                target, target_names = nested_view, nested_names
        if not isinstance(name, str) or name not in target_names:
            # Like a function's unexpected keyword argument (obj.name = x stays AttributeError).
            close = difflib.get_close_matches(str(name), list(target), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise TypeError(f"{target._path} has no field {name!r}{hint}")
        if isinstance(value, dict) or (  # an ABC check only for what is neither (it is slow)
                not isinstance(value, (int, str)) and isinstance(value, Mapping)):
            nested = getattr(target, name)
            if not isinstance(nested, CStruct):
                raise TypeError(f"{target._path}.{name} is not a struct; it takes a value, not a dict")
            set_fields(nested, value, shortcut)
        else:
            try:
                setattr(target, name, value)
            except AttributeError as error:  # a read-only field, given as a keyword
                raise TypeError(str(error)) from None
    return view
