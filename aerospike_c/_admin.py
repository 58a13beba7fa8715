"""`Client.admin`: security administration (users, roles, privileges), on the as_admin.h bindings.

    admin = client.admin
    admin.create_role("reader", [Privilege(AS_PRIVILEGE_READ, "test", "demo")])
    admin.create_user("bob", "bob-password", ["reader"])
    admin.query_user("bob")          # User(name='bob', roles=['reader'], conns_in_use=0, ...)
    admin.grant_privileges("reader", [Privilege(AS_PRIVILEGE_WRITE, "test")])
    admin.set_whitelist("reader", ["10.0.0.0/8"])
    admin.drop_user("bob"); admin.drop_role("reader")

Users and roles come back as frozen copies (`User`, `Role`); the C structs are freed before a
method returns. A `policy` is None (the client's default), an `as_policy_admin` or a dict of
its fields. Passwords go to C only: they appear in no repr, log or exception message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, List, Mapping, Optional, Sequence, TypeVar

from . import bindings as c
from .bindings._cstruct import CStruct
from .bindings.as_policy import policy_from_config, policy_with

__all__ = ["Admin", "Privilege", "User", "Role"]


@dataclass(frozen=True)
class Privilege:
    """A privilege: an as_privilege_code and its scope ("" = every namespace / every set)."""

    code: int
    ns: str = ""
    set: str = ""

    def to_c(self) -> "c.as_privilege":
        return c.as_privilege(self.code, self.ns, self.set)


@dataclass(frozen=True)
class User:
    """A user as the server lists it (as_user): roles, connections open, and with quotas
    enabled read_info/write_info ([quota, TPS, scan/query RPS, limitless scans/queries])."""

    name: str
    roles: List[str] = field(default_factory=list)
    read_info: Optional[List[int]] = None
    write_info: Optional[List[int]] = None
    conns_in_use: int = 0


@dataclass(frozen=True)
class Role:
    """A role as the server lists it (as_role)."""

    name: str
    privileges: List[Privilege] = field(default_factory=list)
    whitelist: List[str] = field(default_factory=list)
    read_quota: int = 0
    write_quota: int = 0


def _user(user: "c.as_user") -> User:
    return User(user.name, user.roles, user.read_info, user.write_info, user.conns_in_use)


def _role(role: "c.as_role") -> Role:
    return Role(role.name, [Privilege(int(p.code), p.ns, p.set) for p in role.privileges],
                role.whitelist, role.read_quota, role.write_quota)


T = TypeVar("T")


def _copied(found: Any, copy: Callable[[Any], T], destroy: Callable[[Any], None]) -> Optional[T]:
    """A Python copy of a struct C allocated (None stays None), the struct freed."""
    if found is None:
        return None
    try:
        return copy(found)
    finally:
        destroy(found)


def _copied_all(found: Any, copy: Callable[[Any], T], destroy: Callable[[Any], None]) -> List[T]:
    """Python copies of a C array of structs, the array freed."""
    try:
        return [copy(item) for item in found]
    finally:
        destroy(found)


def _privileges(privileges: Sequence[Any]) -> List["c.as_privilege"]:
    if isinstance(privileges, (str, bytes)) or not isinstance(privileges, (list, tuple)):
        raise TypeError(f"privileges must be a list of Privilege, not {type(privileges).__name__}")
    out = []
    for i, privilege in enumerate(privileges):
        if isinstance(privilege, Privilege):
            out.append(privilege.to_c())
        elif isinstance(privilege, c.as_privilege):
            out.append(privilege)
        else:
            raise TypeError(f"privileges[{i}] must be a Privilege, not {type(privilege).__name__}")
    return out


class Admin:
    """Security administration for one client (the aerospike_* functions of as_admin.h)."""

    __slots__ = ("_as",)

    def __init__(self, as_: "c.aerospike") -> None:
        self._as = as_

    def _policy(self, policy: Any) -> Any:
        if policy is None or isinstance(policy, CStruct):
            return policy
        if isinstance(policy, Mapping):
            return policy_with(policy_from_config(self._as, "admin"), policy)
        raise TypeError(f"policy must be None, an as_policy_admin or a dict of its fields, "
                        f"not {type(policy).__name__}")

    # -- users ------------------------------------------------------------------------------
    def create_user(self, user: str, password: str, roles: Sequence[str] = (), *,
                    policy: Any = None) -> None:
        """aerospike_create_user()."""
        c.aerospike_create_user(self._as, self._policy(policy), user, password, list(roles))

    def create_pki_user(self, user: str, roles: Sequence[str] = (), *, policy: Any = None) -> None:
        """aerospike_create_pki_user(): a user that logs in with a TLS client certificate."""
        c.aerospike_create_pki_user(self._as, self._policy(policy), user, list(roles))

    def drop_user(self, user: str, *, policy: Any = None) -> None:
        """aerospike_drop_user()."""
        c.aerospike_drop_user(self._as, self._policy(policy), user)

    def set_password(self, user: Optional[str], password: str, *, policy: Any = None) -> None:
        """aerospike_set_password() (user-admin); None is this client's user."""
        c.aerospike_set_password(self._as, self._policy(policy), user, password)

    def change_password(self, password: str, user: Optional[str] = None, *,
                        policy: Any = None) -> None:
        """aerospike_change_password(): this client's user (or `user`), proving the current one."""
        c.aerospike_change_password(self._as, self._policy(policy), user, password)

    def grant_roles(self, user: str, roles: Sequence[str], *, policy: Any = None) -> None:
        """aerospike_grant_roles()."""
        c.aerospike_grant_roles(self._as, self._policy(policy), user, list(roles))

    def revoke_roles(self, user: str, roles: Sequence[str], *, policy: Any = None) -> None:
        """aerospike_revoke_roles()."""
        c.aerospike_revoke_roles(self._as, self._policy(policy), user, list(roles))

    def query_user(self, user: Optional[str] = None, *, policy: Any = None) -> Optional[User]:
        """aerospike_query_user(): one user (None: this client's); None when none is listed."""
        found = c.aerospike_query_user(self._as, self._policy(policy), user)
        return _copied(found, _user, c.as_user_destroy)

    def query_users(self, *, policy: Any = None) -> List[User]:
        """aerospike_query_users(): every user."""
        users = c.aerospike_query_users(self._as, self._policy(policy))
        return _copied_all(users, _user, c.as_users_destroy)

    # -- roles ------------------------------------------------------------------------------
    def create_role(self, role: str, privileges: Sequence[Any] = (), *,
                    whitelist: Sequence[str] = (), read_quota: int = 0, write_quota: int = 0,
                    policy: Any = None) -> None:
        """aerospike_create_role(), or _whitelist / _quotas when those are given."""
        privs, policy = _privileges(list(privileges)), self._policy(policy)
        if read_quota or write_quota:
            c.aerospike_create_role_quotas(self._as, policy, role, privs, list(whitelist),
                                           read_quota, write_quota)
        elif whitelist:
            c.aerospike_create_role_whitelist(self._as, policy, role, privs, list(whitelist))
        else:
            c.aerospike_create_role(self._as, policy, role, privs)

    def drop_role(self, role: str, *, policy: Any = None) -> None:
        """aerospike_drop_role()."""
        c.aerospike_drop_role(self._as, self._policy(policy), role)

    def grant_privileges(self, role: str, privileges: Sequence[Any], *, policy: Any = None) -> None:
        """aerospike_grant_privileges()."""
        c.aerospike_grant_privileges(self._as, self._policy(policy), role,
                                     _privileges(list(privileges)))

    def revoke_privileges(self, role: str, privileges: Sequence[Any], *, policy: Any = None) -> None:
        """aerospike_revoke_privileges()."""
        c.aerospike_revoke_privileges(self._as, self._policy(policy), role,
                                      _privileges(list(privileges)))

    def set_whitelist(self, role: str, whitelist: Sequence[str], *, policy: Any = None) -> None:
        """aerospike_set_whitelist(): [] removes the role's whitelist."""
        c.aerospike_set_whitelist(self._as, self._policy(policy), role, list(whitelist))

    def set_quotas(self, role: str, read_quota: int, write_quota: int, *, policy: Any = None) -> None:
        """aerospike_set_quotas(): 0 removes a limit."""
        c.aerospike_set_quotas(self._as, self._policy(policy), role, read_quota, write_quota)

    def query_role(self, role: str, *, policy: Any = None) -> Optional[Role]:
        """aerospike_query_role(); None when none is listed."""
        found = c.aerospike_query_role(self._as, self._policy(policy), role)
        return _copied(found, _role, c.as_role_destroy)

    def query_roles(self, *, policy: Any = None) -> List[Role]:
        """aerospike_query_roles(): every role, predefined ones included."""
        roles = c.aerospike_query_roles(self._as, self._policy(policy))
        return _copied_all(roles, _role, c.as_roles_destroy)

    def __repr__(self) -> str:
        return f"<Admin of {self._as!r}>"

