"""as_admin.h: users, roles, privileges, whitelists and quotas (security administration).

    aerospike_create_role(as_, None, "reader", [as_privilege(AS_PRIVILEGE_READ, "test")])
    aerospike_create_user(as_, None, "bob", "bob-password", ["reader"])
    user = aerospike_query_user(as_, None, "bob")   # as_user: name, roles, conns_in_use ...
    as_user_destroy(user)
    roles = aerospike_query_roles(as_, None)         # [as_role, ...]
    as_roles_destroy(roles)

As everywhere in the bindings, an array argument is a Python list and C's `*_size` is its
length. `as_privilege(code, ns, set)` is the C struct (fields ns, set, code, checked).
`as_user` and `as_role` are the structs the C client allocated, read-only, each freed by its
destroy function (or when collected); a destroyed one raises LifecycleError. The lists
aerospike_query_users/roles return are C's arrays: as_users_destroy/as_roles_destroy free
them with every element.

Passwords are sent as C sends them (bcrypt with the C client's fixed salt) and never appear
in an exception message. The C client writes each request into a 16 KiB stack buffer with
1-byte lengths for role names and counts, and checks no size: a request that would not fit
(more than 255 roles or privileges, a name longer than 255 bytes, lists that add up to more
than the buffer) raises ParamError here instead of overflowing it.
"""
from __future__ import annotations

import builtins
import threading
from typing import Any, List, Optional, Sequence, Tuple

from .._aerospike import ffi, lib
from ..exceptions import ParamError
from ._calls import c_call, policy_arg
from ._owned import OwnedStruct, struct_ptr
from .aerospike import aerospike
from .as_config import c_str
from .as_error import lifecycle_error
from .as_status import as_status

__all__ = [
    "as_privilege", "as_user", "as_role",
    "aerospike_create_user", "aerospike_create_pki_user", "aerospike_drop_user",
    "aerospike_set_password", "aerospike_change_password", "aerospike_grant_roles",
    "aerospike_revoke_roles", "aerospike_create_role", "aerospike_create_role_whitelist",
    "aerospike_create_role_quotas", "aerospike_drop_role", "aerospike_grant_privileges",
    "aerospike_revoke_privileges", "aerospike_set_whitelist", "aerospike_set_quotas",
    "aerospike_query_user", "as_user_destroy", "aerospike_query_users", "as_users_destroy",
    "aerospike_query_role", "as_role_destroy", "aerospike_query_roles", "as_roles_destroy",
]

#: The C client's admin request buffer (AS_STACK_BUF_SIZE in as_command.h).
REQUEST_BUFFER_SIZE = 16 * 1024
#: proto header + admin header; each field adds its 5-byte header.
_REQUEST_HEADER = 8 + 16
_FIELD_HEADER = 5
#: The bcrypt hash C sends for a password.
_HASH_SIZE = 60
_INT = ffi.sizeof("int") * 8


def _param_error(message: str) -> ParamError:
    return ParamError(as_status.AEROSPIKE_ERR_PARAM, message)


def _fits(what: str, *field_sizes: int) -> None:
    """ParamError unless a request with fields of these sizes fits the C client's buffer."""
    size = _REQUEST_HEADER + sum(_FIELD_HEADER + n for n in field_sizes)
    if size > REQUEST_BUFFER_SIZE:
        raise _param_error(f"{what}: the request needs {size} bytes, more than the C client's "
                           f"{REQUEST_BUFFER_SIZE}-byte admin buffer")


def _c_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not -(1 << (_INT - 1)) <= value < (1 << (_INT - 1)):
        raise ValueError(f"{name} must fit a C int, got {value}")
    return value


def _quota(name: str, value: Any) -> int:
    """A create_role_quotas quota: records per second, 0 for none. C leaves a negative one out
    of the request, so the role was made without that limit and the call succeeded (set_quotas
    sends it: the server refuses it, AEROSPIKE_INVALID_QUOTA)."""
    value = _c_int(name, value)
    if value < 0:
        raise ValueError(f"{name} is records per second (0: no limit), got {value}")
    return value


class _Strings:
    """A `const char**` argument from a list of str (kept alive with the array)."""

    __slots__ = ("encoded", "buffers", "array")

    def __init__(self, what: str, values: Any, short: bool) -> None:
        if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
            raise TypeError(f"{what} must be a list of str, not {type(values).__name__}")
        self.encoded = [c_str(f"{what}[{i}]", value) for i, value in enumerate(values)]
        if short:  # written with a 1-byte count and 1-byte lengths
            if len(self.encoded) > 255:
                raise _param_error(f"{what}: at most 255 names, got {len(self.encoded)}")
            for i, value in enumerate(self.encoded):
                if len(value) > 255:
                    raise _param_error(f"{what}[{i}] is longer than 255 bytes")
        self.buffers = [ffi.new("char[]", value) for value in self.encoded]  # NUL-terminated
        self.array = ffi.new("char*[]", self.buffers)

    @property
    def size(self) -> int:
        return len(self.encoded)

    def roles_field(self) -> int:
        """Bytes of the ROLES field these names make."""
        return 1 + sum(1 + len(v) for v in self.encoded)

    def list_field(self) -> int:
        """Bytes of the comma-separated WHITELIST field these addresses make."""
        return max(0, sum(len(v) for v in self.encoded) + len(self.encoded) - 1)


def _name(what: str, value: Any) -> bytes:
    """A user or role name (written as a field of its own, unchecked by C)."""
    encoded: bytes = c_str(what, value)
    return encoded


class as_privilege(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_privilege`: a privilege code (as_privilege_code) and its scope, `ns` and `set`
    ("" = every namespace / every set; only the data privileges, from AS_PRIVILEGE_READ on,
    may have a scope). The C struct zeroed, then these fields set."""

    __slots__ = ()

    def __init__(self, code: int = 0, ns: str = "", set: str = "") -> None:  # noqa: A002
        super().__init__(ffi.new("as_privilege*"), "as_privilege")
        self.code = code
        self.ns = ns
        self.set = set

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, as_privilege):
            return NotImplemented
        return (self.code, self.ns, self.set) == (other.code, other.ns, other.set)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the C struct

    def __repr__(self) -> str:
        return f"as_privilege(code={int(self.code)}, ns={self.ns!r}, set={self.set!r})"


class _Privileges:
    """An `as_privilege**` argument from a list of as_privilege."""

    __slots__ = ("items", "array", "field_size")

    def __init__(self, what: str, privileges: Any) -> None:
        if not isinstance(privileges, (list, tuple)):
            raise TypeError(f"{what} must be a list of as_privilege, not {type(privileges).__name__}")
        if len(privileges) > 255:
            raise _param_error(f"{what}: at most 255 privileges, got {len(privileges)}")
        ptrs = [struct_ptr(p, "as_privilege", f"{what}[{i}]") for i, p in enumerate(privileges)]
        self.items = list(privileges)
        self.array = ffi.new("as_privilege*[]", ptrs)
        self.field_size = 1 + sum(
            1 + (2 + len(ffi.string(p.ns)) + len(ffi.string(p.set)) if p.code >= 10 else 0)
            for p in ptrs)

    @property
    def size(self) -> int:
        return len(self.items)


# -- users ----------------------------------------------------------------------------------

def aerospike_create_user(as_: aerospike, policy: Any, user_name: str, password: str,
                          roles: Sequence[str]) -> None:
    """aerospike_create_user(): a user with `password` and `roles` (C's roles_size is len(roles))."""
    user, secret = _name("user_name", user_name), c_str("password", password)
    names = _Strings("roles", roles, short=True)
    _fits("aerospike_create_user", len(user), _HASH_SIZE, names.roles_field())
    c_call(as_, "aerospike_create_user", policy_arg(policy, "as_policy_admin"), user, secret,
           names.array, names.size)


def aerospike_create_pki_user(as_: aerospike, policy: Any, user_name: str,
                              roles: Sequence[str]) -> None:
    """aerospike_create_pki_user(): a user that authenticates with a TLS certificate (server 8.1+)."""
    user = _name("user_name", user_name)
    names = _Strings("roles", roles, short=True)
    _fits("aerospike_create_pki_user", len(user), _HASH_SIZE, names.roles_field())
    c_call(as_, "aerospike_create_pki_user", policy_arg(policy, "as_policy_admin"), user,
           names.array, names.size)


def aerospike_drop_user(as_: aerospike, policy: Any, user_name: str) -> None:
    """aerospike_drop_user(): remove a user."""
    user = _name("user_name", user_name)
    _fits("aerospike_drop_user", len(user))
    c_call(as_, "aerospike_drop_user", policy_arg(policy, "as_policy_admin"), user)


def _password_call(name: str, as_: aerospike, policy: Any, user_name: Optional[str],
                   password: str) -> None:
    user = c_str("user_name", user_name, allow_none=True)
    secret = c_str("password", password)
    if user == ffi.NULL and not as_.config.user:
        raise _param_error(f"{name}: user_name is None and the client has no user")
    c_call(as_, name, policy_arg(policy, "as_policy_admin"), user, secret)


def aerospike_set_password(as_: aerospike, policy: Any, user_name: Optional[str],
                           password: str) -> None:
    """aerospike_set_password(): set a user's password (user-admin); None is the client's own
    user, whose stored password the client then updates."""
    _password_call("aerospike_set_password", as_, policy, user_name, password)


def aerospike_change_password(as_: aerospike, policy: Any, user_name: Optional[str],
                              password: str) -> None:
    """aerospike_change_password(): change a user's password, proving the client's current one;
    None is the client's own user."""
    _password_call("aerospike_change_password", as_, policy, user_name, password)


def _user_roles_call(name: str, as_: aerospike, policy: Any, user_name: str,
                     roles: Sequence[str]) -> None:
    user = _name("user_name", user_name)
    names = _Strings("roles", roles, short=True)
    _fits(name, len(user), names.roles_field())
    c_call(as_, name, policy_arg(policy, "as_policy_admin"), user, names.array, names.size)


def aerospike_grant_roles(as_: aerospike, policy: Any, user_name: str, roles: Sequence[str]) -> None:
    """aerospike_grant_roles(): add roles to a user's."""
    _user_roles_call("aerospike_grant_roles", as_, policy, user_name, roles)


def aerospike_revoke_roles(as_: aerospike, policy: Any, user_name: str, roles: Sequence[str]) -> None:
    """aerospike_revoke_roles(): remove roles from a user's."""
    _user_roles_call("aerospike_revoke_roles", as_, policy, user_name, roles)


# -- roles ----------------------------------------------------------------------------------

def _role_call(name: str, as_: aerospike, policy: Any, role: str,
               privileges: Optional[Sequence[as_privilege]], *rest: Any) -> None:
    """A role command: the role name, its privileges (None: none sent), then `rest`:
    optional whitelist (_Strings) and ints."""
    role_name = _name("role", role)
    privs = _Privileges("privileges", privileges) if privileges is not None else None
    fields = [len(role_name)]
    args: List[Any] = [role_name]
    if privs is not None:
        fields.append(privs.field_size)
        args += [privs.array, privs.size]
    for item in rest:
        if isinstance(item, _Strings):
            fields.append(item.list_field())
            args += [item.array, item.size]
        else:
            fields.append(4)
            args.append(item)
    _fits(name, *fields)
    c_call(as_, name, policy_arg(policy, "as_policy_admin"), *args)


def aerospike_create_role(as_: aerospike, policy: Any, role: str,
                          privileges: Sequence[as_privilege]) -> None:
    """aerospike_create_role(): a role with privileges."""
    _role_call("aerospike_create_role", as_, policy, role, privileges)


def aerospike_create_role_whitelist(as_: aerospike, policy: Any, role: str,
                                    privileges: Sequence[as_privilege],
                                    whitelist: Sequence[str]) -> None:
    """aerospike_create_role_whitelist(): a role with privileges and the addresses (IP or
    CIDR) its users may connect from."""
    _role_call("aerospike_create_role_whitelist", as_, policy, role, privileges,
               _Strings("whitelist", whitelist, short=False))


def aerospike_create_role_quotas(as_: aerospike, policy: Any, role: str,
                                 privileges: Sequence[as_privilege], whitelist: Sequence[str],
                                 read_quota: int, write_quota: int) -> None:
    """aerospike_create_role_quotas(): a role with privileges, whitelist and read/write quotas
    (records per second; 0 = none; the server needs enable-quotas)."""
    _role_call("aerospike_create_role_quotas", as_, policy, role, privileges,
               _Strings("whitelist", whitelist, short=False), _quota("read_quota", read_quota),
               _quota("write_quota", write_quota))


def aerospike_drop_role(as_: aerospike, policy: Any, role: str) -> None:
    """aerospike_drop_role(): remove a role (and it from every user)."""
    _role_call("aerospike_drop_role", as_, policy, role, None)


def aerospike_grant_privileges(as_: aerospike, policy: Any, role: str,
                               privileges: Sequence[as_privilege]) -> None:
    """aerospike_grant_privileges(): add privileges to a role."""
    _role_call("aerospike_grant_privileges", as_, policy, role, privileges)


def aerospike_revoke_privileges(as_: aerospike, policy: Any, role: str,
                                privileges: Sequence[as_privilege]) -> None:
    """aerospike_revoke_privileges(): remove privileges from a role."""
    _role_call("aerospike_revoke_privileges", as_, policy, role, privileges)


def aerospike_set_whitelist(as_: aerospike, policy: Any, role: str, whitelist: Sequence[str]) -> None:
    """aerospike_set_whitelist(): replace a role's whitelist ([] removes it)."""
    _role_call("aerospike_set_whitelist", as_, policy, role, None,
               _Strings("whitelist", whitelist, short=False))


def aerospike_set_quotas(as_: aerospike, policy: Any, role: str, read_quota: int,
                         write_quota: int) -> None:
    """aerospike_set_quotas(): a role's read/write quotas (0 removes a limit)."""
    _role_call("aerospike_set_quotas", as_, policy, role, None, _c_int("read_quota", read_quota),
               _c_int("write_quota", write_quota))


# -- query results --------------------------------------------------------------------------

class _Result:
    """A struct the C client allocated for a query: read-only, freed once by `_free`."""

    __slots__ = ("_ptr", "_lock", "_array", "__weakref__")
    _ctype = ""
    _FIELDS: Tuple[str, ...] = ()

    def __init__(self, ptr: Any, array: Optional["_Array"] = None) -> None:
        self._ptr = ptr
        self._lock = threading.Lock()
        self._array = array  # the query's array this element belongs to, if any

    def _live(self, what: str) -> Any:
        if self._ptr is None:
            raise lifecycle_error(f"{what}: the {self._ctype} was destroyed")
        return self._ptr

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._FIELDS:
            with self._lock:
                return self._get(self._live(f"{self._ctype}.{name}"), name)
        raise AttributeError(f"{self._ctype} has no field {name!r}")

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(type(self)._FIELDS))

    def _get(self, ptr: Any, name: str) -> Any:  # pragma: no cover - overridden
        raise AttributeError(name)

    def _free(self, destroy: Any) -> None:
        """Run `destroy` on the struct once (LifecycleError the second time)."""
        with self._lock:
            ptr = self._live(f"{self._ctype}_destroy")
            self._ptr = None
        destroy(ptr)

    @property
    def destroyed(self) -> bool:
        return self._ptr is None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _Result.__slots__:
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f"{self._ctype}.{name} is read-only (the C client filled it)")

    def __del__(self) -> None:
        ptr = getattr(self, "_ptr", None)
        if ptr is not None and getattr(self, "_array", None) is None:
            self._ptr = None
            type(self)._destroy(ptr)

    @staticmethod
    def _destroy(ptr: Any) -> None:  # pragma: no cover - overridden
        pass


def _c_text(chars: Any) -> str:
    return str(ffi.string(chars).decode("utf-8", "replace"))


def _info(ptr: Any, size: int) -> Optional[List[int]]:
    return None if ptr == ffi.NULL else [int(ptr[i]) for i in range(size)]


class as_user(_Result):  # noqa: N801 - the C type's name
    """`as_user` as aerospike_query_user(s) filled it: name, roles (roles_size),
    read_info/write_info (lists of uint32 or None; *_size), conns_in_use."""

    __slots__ = ()
    _ctype = "as_user"
    _FIELDS = ("name", "roles", "roles_size", "read_info", "read_info_size", "write_info",
               "write_info_size", "conns_in_use")

    def _get(self, ptr: Any, name: str) -> Any:
        if name == "name":
            return _c_text(ptr.name)
        if name == "roles":
            return [_c_text(ptr.roles[i]) for i in range(ptr.roles_size)]
        if name == "read_info":
            return _info(ptr.read_info, ptr.read_info_size)
        if name == "write_info":
            return _info(ptr.write_info, ptr.write_info_size)
        return int(getattr(ptr, name))

    @staticmethod
    def _destroy(ptr: Any) -> None:
        lib.as_user_destroy(ptr)

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<as_user destroyed>"
        return f"<as_user name={self.name!r} roles={self.roles!r} conns_in_use={self.conns_in_use}>"


class as_role(_Result):  # noqa: N801 - the C type's name
    """`as_role` as aerospike_query_role(s) filled it: name, privileges (as_privilege copies;
    privileges_size), whitelist (list of str; whitelist_size), read_quota, write_quota."""

    __slots__ = ()
    _ctype = "as_role"
    _FIELDS = ("name", "privileges", "privileges_size", "whitelist", "whitelist_size",
               "read_quota", "write_quota")

    def _get(self, ptr: Any, name: str) -> Any:
        if name == "name":
            return _c_text(ptr.name)
        if name == "privileges":
            return [as_privilege(int(p.code), _c_text(p.ns), _c_text(p.set))
                    for p in (ptr.privileges[i] for i in range(ptr.privileges_size))]
        if name == "whitelist":
            return [_c_text(ptr.whitelist[i]) for i in range(ptr.whitelist_size)]
        return int(getattr(ptr, name))

    @staticmethod
    def _destroy(ptr: Any) -> None:
        lib.as_role_destroy(ptr)

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<as_role destroyed>"
        return f"<as_role name={self.name!r} privileges={self.privileges!r}>"


class _Array(list):  # type: ignore[type-arg]
    """The `as_user**`/`as_role**` array a query returned, as a list of its elements."""

    def __init__(self, ptr: Any, items: List[_Result], c_destroy: Any) -> None:
        super().__init__(items)
        self._ptr = ptr
        self._size = len(items)
        self._elements = list(items)
        self._c_destroy = c_destroy
        self._lock = threading.Lock()

    def _free(self, what: str) -> None:
        with self._lock:
            if self._ptr is None:
                raise lifecycle_error(f"{what}: the array was destroyed")
            ptr, self._ptr = self._ptr, None
        live = []
        for element in self._elements:
            with element._lock:  # waits for a read in progress; no element is freed twice
                if element._ptr is not None:
                    live.append((type(element), element._ptr))
                    element._ptr = None
        if len(live) == self._size:
            self._c_destroy(ptr, self._size)
            return
        for cls, element_ptr in live:  # some were destroyed one by one
            cls._destroy(element_ptr)
        lib.free(ptr)

    def __del__(self) -> None:
        if getattr(self, "_ptr", None) is not None:
            self._free("collect")


def _array(ptr: Any, size: int, cls: "type[_Result]", c_destroy: Any) -> _Array:
    if ptr == ffi.NULL:
        return _Array(None, [], c_destroy)
    array = _Array(ptr, [], c_destroy)
    items = [cls(ptr[i], array) for i in range(size)]
    list.extend(array, items)
    array._elements = items
    array._size = size
    return array


def _array_arg(value: Any, cls: "type[_Result]", what: str) -> _Array:
    if not isinstance(value, _Array) or any(not isinstance(e, cls) for e in value._elements):
        raise TypeError(f"{what} takes the list aerospike_query_{cls._ctype[3:]}s returned, "
                        f"not {builtins.type(value).__name__}")
    return value


def _query_one(name: str, as_: aerospike, policy: Any, arg: Any, cls: "type[_Result]") -> Any:
    out = ffi.new(f"{cls._ctype}**")
    c_call(as_, name, policy_arg(policy, "as_policy_admin"), arg, out)
    return None if out[0] == ffi.NULL else cls(out[0])


def _query_all(name: str, as_: aerospike, policy: Any, cls: "type[_Result]", c_destroy: Any) -> Any:
    out = ffi.new(f"{cls._ctype}***")
    size = ffi.new("int*")
    c_call(as_, name, policy_arg(policy, "as_policy_admin"), out, size)
    return _array(out[0], size[0], cls, c_destroy)


def _destroy_one(value: Any, cls: "type[_Result]", c_destroy: Any) -> None:
    if not isinstance(value, cls):
        raise TypeError(f"{cls._ctype}_destroy takes an {cls._ctype}, not {type(value).__name__}")
    value._free(c_destroy)


def aerospike_query_user(as_: aerospike, policy: Any, user_name: Optional[str]) -> Optional[as_user]:
    """aerospike_query_user(): one user (None: the client's own); None when the server lists none."""
    user = c_str("user_name", user_name, allow_none=True)
    if user != ffi.NULL:
        _fits("aerospike_query_user", len(user))
    found: Optional[as_user] = _query_one("aerospike_query_user", as_, policy, user, as_user)
    return found


def as_user_destroy(user: as_user) -> None:
    """as_user_destroy(): free an as_user (one of a query_users list: that element only)."""
    _destroy_one(user, as_user, lib.as_user_destroy)


def aerospike_query_users(as_: aerospike, policy: Any) -> List[as_user]:
    """aerospike_query_users(): every user (C's users_size is the list's length)."""
    users: List[as_user] = _query_all("aerospike_query_users", as_, policy, as_user, lib.as_users_destroy)
    return users


def as_users_destroy(users: List[as_user]) -> None:
    """as_users_destroy(): free the list aerospike_query_users returned and its users."""
    _array_arg(users, as_user, "as_users_destroy")._free("as_users_destroy")


def aerospike_query_role(as_: aerospike, policy: Any, role_name: str) -> Optional[as_role]:
    """aerospike_query_role(): one role; None when the server lists none."""
    role = _name("role_name", role_name)
    _fits("aerospike_query_role", len(role))
    found: Optional[as_role] = _query_one("aerospike_query_role", as_, policy, role, as_role)
    return found


def as_role_destroy(role: as_role) -> None:
    """as_role_destroy(): free an as_role (one of a query_roles list: that element only)."""
    _destroy_one(role, as_role, lib.as_role_destroy)


def aerospike_query_roles(as_: aerospike, policy: Any) -> List[as_role]:
    """aerospike_query_roles(): every role, predefined ones included."""
    roles: List[as_role] = _query_all("aerospike_query_roles", as_, policy, as_role, lib.as_roles_destroy)
    return roles


def as_roles_destroy(roles: List[as_role]) -> None:
    """as_roles_destroy(): free the list aerospike_query_roles returned and its roles."""
    _array_arg(roles, as_role, "as_roles_destroy")._free("as_roles_destroy")
