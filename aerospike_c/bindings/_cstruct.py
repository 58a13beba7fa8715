"""Field-by-field access to C structs by their C names, checked.

`CStruct` wraps a pointer to a struct declared in cdefs/ and exposes every declared field
as an attribute: ints are range-checked against the C type, bools must be bools, enums
must be one of their values, `char[N]` takes a str that fits, `char*` is replaced with
the C client's own strdup (so the C side may free it), nested structs are views.
Fields that need a C function (host lists, callbacks, expressions) have handlers
registered per struct type; any other pointer field is read-only.

Everything is derived from cffi's view of the declarations: nothing here repeats a
field list by hand.
"""
from __future__ import annotations

import enum
import functools
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple

from .._aerospike import ffi, lib

__all__ = ["CStruct", "FieldHandler", "c_enum", "register_field", "Owner", "set_fields"]


class Owner:
    """What keeps a struct's memory alive and says whether it may still be used."""

    __slots__ = ()

    def _check_writable(self, what: str) -> None:  # pragma: no cover - overridden
        pass

    def _keep(self, obj: Any) -> None:  # pragma: no cover - overridden
        pass


FieldHandler = Tuple[Callable[["CStruct"], Any], Optional[Callable[["CStruct", Any], None]]]
_HANDLERS: Dict[Tuple[str, str], FieldHandler] = {}


def register_field(struct: str, field: str, getter: Callable[["CStruct"], Any],
                   setter: Optional[Callable[["CStruct", Any], None]] = None) -> None:
    """Give field `field` of C struct `struct` its own getter/setter."""
    _HANDLERS[(ffi.typeof(struct).cname, field)] = (getter, setter)


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


def _int_range(ctype: Any) -> Tuple[int, int]:
    bits = ffi.sizeof(ctype) * 8
    if ctype.cname.startswith(("uint", "unsigned")):
        return 0, (1 << bits) - 1
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


@functools.lru_cache(maxsize=None)
def _fields(cname: str) -> Dict[str, Any]:
    return {name: field.type for name, field in ffi.typeof(cname).fields}


class CStruct:
    """A checked view of one C struct (`ptr` is a `T*` cdata), fields by C name."""

    __slots__ = ("_ptr", "_owner", "_path")

    def __init__(self, ptr: Any, owner: Owner, path: str) -> None:
        object.__setattr__(self, "_ptr", ptr)
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_path", path)

    @property
    def _cname(self) -> str:
        return ffi.typeof(self._ptr).item.cname

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
        if ctype.kind == "struct":
            return CStruct(ffi.addressof(self._ptr[0], name), self._owner, f"{self._path}.{name}")
        if ctype.kind == "enum":
            enum_type = c_enum(_enum_typedef(ctype))
            try:
                return enum_type(value)
            except ValueError:
                return value
        if ctype.kind == "array" and ctype.item.cname == "char":
            return ffi.string(value).decode("utf-8", "replace")
        if ctype.kind == "pointer":
            if ctype.item.cname == "char":
                return None if value == ffi.NULL else ffi.string(value).decode("utf-8", "replace")
            return None if value == ffi.NULL else value
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        ctype = self._field_type(name)
        where = f"{self._path}.{name}"
        self._owner._check_writable(where)
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
        elif kind == "primitive":
            self._set_int(where, name, ctype, value)
        elif kind == "array" and ctype.item.cname == "char":
            encoded = _encode(where, value)
            if len(encoded) >= ctype.length:
                raise ValueError(f"{where} takes at most {ctype.length - 1} bytes, got {len(encoded)}")
            setattr(self._ptr, name, encoded)
        elif kind == "pointer" and ctype.item.cname == "char":
            text = None if value is None else _encode(where, value)
            lib.as_config_set_string(ffi.addressof(self._ptr[0], name), text or ffi.NULL)
        else:
            raise AttributeError(f"{where} cannot be set from Python")

    def _set_int(self, where: str, name: str, ctype: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} must be an int, not {type(value).__name__}")
        low, high = _int_range(ctype)
        if not low <= value <= high:
            raise ValueError(f"{where} must be in [{low}, {high}] ({ctype.cname}), got {value}")
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
    """
    names = set(view)
    for name, value in fields.items():
        target = view
        if shortcut is not None and name not in names and shortcut in names:
            nested_view = getattr(view, shortcut)
            if name in set(nested_view):
                target = nested_view
        if isinstance(value, Mapping):
            nested = getattr(target, name)
            if not isinstance(nested, CStruct):
                raise TypeError(f"{target._path}.{name} is not a struct; it takes a value, not a dict")
            set_fields(nested, value, shortcut)
        else:
            setattr(target, name, value)
    return view
