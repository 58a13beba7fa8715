"""Security (proto type 2, the admin protocol): login, sessions, users, roles, privileges,
whitelists and quotas, and the permission check every command passes when security is on.

Request payload: a 16-byte header (byte 2 = command, byte 3 = field count) followed by fields,
each a 4-byte big-endian length (id byte included), a 1-byte field id and the data.
Responses use the same layout; byte 1 of the header carries the result code. A user or role
listing answers one such block per user/role and ends with a block whose result is QUERY_END.

The C client never sends a clear password for internal authentication: it sends the bcrypt
hash of the password with a fixed salt (as_password_get_constant_hash). The server therefore
compares that hashed form, which is what this module keeps per user. A PKI user is created
with the hash of the keyword "nopassword": it can never log in with a password.

Permissions, as the server's privilege table gives them: each privilege code grants a set
of permissions (PRIVILEGE_PERMISSIONS); data privileges (code >= 10) are scoped to all
namespaces, one namespace, or one set of one namespace; the others are global. Predefined
roles (user-admin, sys-admin, data-admin, udf-admin, sindex-admin, read, read-write,
read-write-udf, write, truncate) hold the global privilege of the same name and cannot be
created, changed or dropped. Every AS_MSG command (each batch row on its own) and the info
commands that manage indexes, UDFs, truncation, configuration and jobs need their
permission; a user without it gets ROLE_VIOLATION. A role's whitelist limits the addresses
its users may log in from (NOT_WHITELISTED); with quotas enabled, a role's read/write quota
limits its users' single-record reads/writes per second on each node (QUOTA_EXCEEDED) and the
rps of their scans and queries.
"""

from __future__ import annotations

import enum
import ipaddress
import secrets
import struct
import threading
import time
import warnings
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from .msg import (FIELD_NAMESPACE, FIELD_RPS, FIELD_SETNAME, FIELD_UDF_FUNCTION, FIELD_UDF_PACKAGE_NAME,
                  INFO2_DELETE, INFO2_WRITE, Message)
from .results import (ERR_FORBIDDEN_PASSWORD, ERR_INVALID_COMMAND, ERR_INVALID_CREDENTIAL, ERR_INVALID_FIELD,
                      ERR_INVALID_PASSWORD, ERR_INVALID_PRIVILEGE, ERR_INVALID_QUOTA, ERR_INVALID_ROLE,
                      ERR_INVALID_USER, ERR_INVALID_WHITELIST, ERR_NOT_AUTHENTICATED, ERR_NOT_WHITELISTED,
                      ERR_QUOTA_EXCEEDED, ERR_QUOTAS_NOT_ENABLED, ERR_ROLE_ALREADY_EXISTS, ERR_ROLE_VIOLATION,
                      ERR_SECURITY_NOT_ENABLED, ERR_UNSUPPORTED_FEATURE, ERR_USER_ALREADY_EXISTS, OK, QUERY_END)

# Commands
AUTHENTICATE = 0
CREATE_USER = 1
DROP_USER = 2
SET_PASSWORD = 3
CHANGE_PASSWORD = 4
GRANT_ROLES = 5
REVOKE_ROLES = 6
QUERY_USERS = 9
CREATE_ROLE = 10
DROP_ROLE = 11
GRANT_PRIVILEGES = 12
REVOKE_PRIVILEGES = 13
SET_WHITELIST = 14
SET_QUOTAS = 15
QUERY_ROLES = 16
LOGIN = 20

# Field ids
FIELD_USER = 0
FIELD_PASSWORD = 1
FIELD_OLD_PASSWORD = 2
FIELD_CREDENTIAL = 3
FIELD_CLEAR_PASSWORD = 4
FIELD_SESSION_TOKEN = 5
FIELD_SESSION_TTL = 6
FIELD_ROLES = 10
FIELD_ROLE = 11
FIELD_PRIVILEGES = 12
FIELD_WHITELIST = 13
FIELD_READ_QUOTA = 14
FIELD_WRITE_QUOTA = 15
FIELD_READ_INFO = 16
FIELD_WRITE_INFO = 17
FIELD_CONNECTIONS = 18

ADMIN_HEADER_SIZE = 16
SESSION_TTL_SECONDS = 24 * 60 * 60
#: Longest user and role name (the C client's AS_USER_SIZE and AS_ROLE_SIZE, minus the NUL).
MAX_NAME_SIZE = 63

#: Salt the C client uses for the credential it sends (constant so the hash is repeatable).
CLIENT_BCRYPT_SALT = "$2a$10$7EqJtq98hPqEX7fNZaFWoO"
#: The password a PKI user is created with: the server then refuses password logins.
PKI_PASSWORD = "nopassword"


class Perm(enum.IntFlag):
    """The server's permissions (what one command needs)."""

    READ = 0x0001
    SCAN = 0x0002
    QUERY = 0x0004
    WRITE = 0x0008
    DELETE = 0x0010
    UDF_APPLY = 0x0020
    UDF_SCAN = 0x0040
    UDF_QUERY = 0x0080
    OPS_SCAN = 0x0100
    OPS_QUERY = 0x0200
    INDEX_MANAGE = 0x00010000
    UDF_MANAGE = 0x00020000
    SCAN_MANAGE = 0x00040000
    QUERY_MANAGE = 0x00080000
    JOB_MONITOR = 0x00100000
    TRUNCATE = 0x00200000
    EVICT_MANAGE = 0x00400000
    SET_CONFIG = 0x01000000
    LOGGING_CTRL = 0x02000000
    SERVICE_CTRL = 0x04000000
    XDR_SET_FILTER = 0x08000000
    USER_ADMIN = 0x100000000000


# Privilege codes (as_privilege_code).
PRIV_USER_ADMIN = 0
PRIV_SYS_ADMIN = 1
PRIV_DATA_ADMIN = 2
PRIV_UDF_ADMIN = 3
PRIV_SINDEX_ADMIN = 4
PRIV_READ = 10
PRIV_READ_WRITE = 11
PRIV_READ_WRITE_UDF = 12
PRIV_WRITE = 13
PRIV_TRUNCATE = 14

_READ = Perm.READ | Perm.SCAN | Perm.QUERY | Perm.JOB_MONITOR
_WRITE = Perm.WRITE | Perm.DELETE
_DATA_ADMIN = (Perm.INDEX_MANAGE | Perm.UDF_MANAGE | Perm.SCAN_MANAGE | Perm.QUERY_MANAGE
               | Perm.JOB_MONITOR | Perm.TRUNCATE | Perm.EVICT_MANAGE)

#: What each privilege code permits.
PRIVILEGE_PERMISSIONS: Dict[int, Perm] = {
    PRIV_USER_ADMIN: Perm.USER_ADMIN,
    PRIV_SYS_ADMIN: _DATA_ADMIN | Perm.SET_CONFIG | Perm.LOGGING_CTRL | Perm.SERVICE_CTRL
    | Perm.XDR_SET_FILTER,
    PRIV_DATA_ADMIN: _DATA_ADMIN,
    PRIV_UDF_ADMIN: Perm.UDF_MANAGE,
    PRIV_SINDEX_ADMIN: Perm.INDEX_MANAGE,
    PRIV_READ: _READ,
    PRIV_READ_WRITE: _READ | _WRITE | Perm.OPS_SCAN | Perm.OPS_QUERY,
    PRIV_READ_WRITE_UDF: _READ | _WRITE | Perm.OPS_SCAN | Perm.OPS_QUERY | Perm.UDF_APPLY
    | Perm.UDF_SCAN | Perm.UDF_QUERY,
    PRIV_WRITE: _WRITE,
    PRIV_TRUNCATE: Perm.TRUNCATE,
}
#: Codes below this are global only; from it on a privilege may name a namespace and set.
FIRST_DATA_PRIVILEGE = PRIV_READ

#: The predefined roles and the (global) privilege each holds.
PREDEFINED_ROLES: Dict[str, int] = {
    "user-admin": PRIV_USER_ADMIN, "sys-admin": PRIV_SYS_ADMIN, "data-admin": PRIV_DATA_ADMIN,
    "udf-admin": PRIV_UDF_ADMIN, "sindex-admin": PRIV_SINDEX_ADMIN, "read": PRIV_READ,
    "read-write": PRIV_READ_WRITE, "read-write-udf": PRIV_READ_WRITE_UDF, "write": PRIV_WRITE,
    "truncate": PRIV_TRUNCATE,
}

#: Info commands that need a permission (the rest only need a logged-in user).
INFO_PERMISSIONS: Dict[str, Perm] = {
    "sindex-create": Perm.INDEX_MANAGE, "sindex-delete": Perm.INDEX_MANAGE,
    "udf-put": Perm.UDF_MANAGE, "udf-remove": Perm.UDF_MANAGE,
    "truncate": Perm.TRUNCATE, "truncate-namespace": Perm.TRUNCATE,
    "truncate-undo": Perm.TRUNCATE, "truncate-namespace-undo": Perm.TRUNCATE,
    "set-config": Perm.SET_CONFIG, "log-set": Perm.LOGGING_CTRL,
    "query-abort": Perm.QUERY_MANAGE, "query-abort-all": Perm.QUERY_MANAGE,
    "scan-abort": Perm.SCAN_MANAGE, "scan-abort-all": Perm.SCAN_MANAGE,
    "query-show": Perm.JOB_MONITOR, "scan-show": Perm.JOB_MONITOR, "jobs": Perm.JOB_MONITOR,
    "recluster": Perm.SERVICE_CTRL, "quiesce": Perm.SERVICE_CTRL, "quiesce-undo": Perm.SERVICE_CTRL,
}

#: Permissions a role's read quota counts, and its write quota.
READ_PERMS = Perm.READ
WRITE_PERMS = Perm.WRITE | Perm.DELETE | Perm.UDF_APPLY


@lru_cache(maxsize=64)
def client_password_hash(password: str) -> str:
    """Return the credential the C client sends for `password` (bcrypt, fixed salt, cost 10).

    Uses the `bcrypt` package when installed, else the system crypt(3) (libxcrypt supports
    bcrypt); raises RuntimeError when neither can compute it.
    """
    try:
        import bcrypt  # type: ignore[import-not-found,unused-ignore]  # optional dependency
    except ImportError:
        pass
    else:
        # bcrypt only uses the first 72 bytes; newer versions of the package refuse more.
        return str(bcrypt.hashpw(password.encode()[:72], CLIENT_BCRYPT_SALT.encode()).decode())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt
        hashed = crypt.crypt(password, CLIENT_BCRYPT_SALT)
    except (ImportError, OSError):
        hashed = None
    if not hashed or not hashed.startswith(CLIENT_BCRYPT_SALT):
        raise RuntimeError("logins need bcrypt: install the 'bcrypt' package")
    return hashed


@dataclass(eq=False)
class ConnectionAuth:
    """Authentication state of one client connection (and the address it comes from)."""

    user: Optional[str] = None
    address: str = "127.0.0.1"
    node: str = ""  # the node the connection is to (quotas count per node, as on a server)

    def __repr__(self) -> str:
        return f"ConnectionAuth(user={self.user!r}, address={self.address!r}, node={self.node!r})"


@dataclass(frozen=True)
class Privilege:
    """One privilege of a role: a code and its scope ("" = every namespace / set)."""

    code: int
    ns: str = ""
    set: str = ""

    def covers(self, ns: str, set_name: str) -> bool:
        return (not self.ns or self.ns == ns) and (not self.set or self.set == set_name)


@dataclass
class Role:
    """A role: privileges, the addresses its users may come from, per-second quotas."""

    privileges: List[Privilege] = field(default_factory=list)
    whitelist: List[str] = field(default_factory=list)
    read_quota: int = 0
    write_quota: int = 0
    predefined: bool = False


@dataclass
class User:
    """A user: the credential the client sends (never the password), roles, PKI or not."""

    credential: str
    roles: List[str] = field(default_factory=list)
    clear: Optional[str] = None  # the clear password, for external-style (LDAP) logins
    pki: bool = False

    def __repr__(self) -> str:  # never the credential
        return f"User(roles={self.roles!r}, pki={self.pki})"


@dataclass
class _Rate:
    """Commands of one kind a user ran in the current second and the one before."""

    second: int = 0
    count: int = 0
    previous: int = 0
    limitless: int = 0

    def add(self, now: int) -> int:
        if now != self.second:
            self.previous = self.count if now == self.second + 1 else 0
            self.second, self.count = now, 0
        self.count += 1
        return self.count

    def tps(self, now: int) -> int:
        if now == self.second:
            return self.previous
        return self.count if now == self.second + 1 else 0


class AdminRequestError(Exception):
    """A malformed admin request."""


def parse_admin_request(payload: bytes) -> Tuple[int, Dict[int, bytes]]:
    """Split an admin request into (command, {field id: data})."""
    if len(payload) < ADMIN_HEADER_SIZE:
        raise AdminRequestError("admin header too short")
    command = payload[2]
    field_count = payload[3]
    fields: Dict[int, bytes] = {}
    offset = ADMIN_HEADER_SIZE
    for _ in range(field_count):
        if offset + 5 > len(payload):
            raise AdminRequestError("truncated admin field")
        length = struct.unpack_from(">I", payload, offset)[0]
        if length < 1 or offset + 4 + length > len(payload):
            raise AdminRequestError("invalid admin field length")
        field_id = payload[offset + 4]
        fields[field_id] = payload[offset + 5:offset + 4 + length]
        offset += 4 + length
    return command, fields


def build_admin_response(result: int, fields: Optional[List[Tuple[int, bytes]]] = None) -> bytes:
    """Build an admin response payload (without the proto header)."""
    fields = fields or []
    header = bytearray(ADMIN_HEADER_SIZE)
    header[1] = result
    header[3] = len(fields)
    body = b"".join(struct.pack(">IB", len(data) + 1, field_id) + data for field_id, data in fields)
    return bytes(header) + body


# -- field codecs ---------------------------------------------------------------------------

def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _short_strings(data: bytes, pos: int, count: int) -> Tuple[List[str], int]:
    """`count` strings of a 1-byte length each, from `pos`."""
    items = []
    for _ in range(count):
        if pos >= len(data) or pos + 1 + data[pos] > len(data):
            raise AdminRequestError("truncated string list")
        items.append(_text(data[pos + 1:pos + 1 + data[pos]]))
        pos += 1 + data[pos]
    return items, pos


def parse_roles_field(data: bytes) -> List[str]:
    """The ROLES field: a count byte, then each name with a 1-byte length."""
    if not data:
        raise AdminRequestError("empty roles field")
    return _short_strings(data, 1, data[0])[0]


def parse_privileges_field(data: bytes) -> List[Privilege]:
    """The PRIVILEGES field: a count byte, then per privilege a code byte and, for data
    privileges, the namespace and set with a 1-byte length each."""
    if not data:
        raise AdminRequestError("empty privileges field")
    privileges = []
    pos = 1
    for _ in range(data[0]):
        if pos >= len(data):
            raise AdminRequestError("truncated privileges field")
        code = data[pos]
        pos += 1
        ns = set_name = ""
        if code >= FIRST_DATA_PRIVILEGE:
            (ns, set_name), pos = _short_strings(data, pos, 2)
        privileges.append(Privilege(code, ns, set_name))
    return privileges


def _short(value: str) -> bytes:
    raw = value.encode()
    return bytes([len(raw)]) + raw


def _roles_field(roles: Sequence[str]) -> bytes:
    return bytes([len(roles)]) + b"".join(_short(role) for role in roles)


def _privileges_field(privileges: Sequence[Privilege]) -> bytes:
    out = bytearray([len(privileges)])
    for privilege in privileges:
        out.append(privilege.code)
        if privilege.code >= FIRST_DATA_PRIVILEGE:
            out += _short(privilege.ns) + _short(privilege.set)
    return bytes(out)


def _info_field(values: Sequence[int]) -> bytes:
    return bytes([len(values)]) + b"".join(struct.pack(">I", v) for v in values)


def _u32_field(data: bytes) -> int:
    if len(data) != 4:
        raise AdminRequestError("a quota is 4 bytes")
    return int(struct.unpack(">i", data)[0])


def _address_matches(address: str, whitelist: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in whitelist:
        network = ipaddress.ip_network(entry, strict=False)
        if ip.version == network.version and ip in network:
            return True
    return False


UserSpec = Union[str, Tuple[str, Sequence[str]]]


class Security:
    """Users, roles, session tokens and the permission check, shared by every node.

    `users` maps a name to its password (the user then holds every predefined role) or to
    (password, roles). `quotas` turns on the server's enable-quotas.
    """

    def __init__(self, users: Optional[Mapping[str, UserSpec]] = None, quotas: bool = False) -> None:
        self.enabled = bool(users)
        self.quotas_enabled = quotas
        self._lock = threading.Lock()
        self._roles: Dict[str, Role] = {
            name: Role([Privilege(code)], predefined=True) for name, code in PREDEFINED_ROLES.items()}
        self._users: Dict[str, User] = {}
        for name, spec in (users or {}).items():
            password, roles = (spec, list(PREDEFINED_ROLES)) if isinstance(spec, str) else spec
            unknown = [role for role in roles if role not in self._roles]
            if unknown:
                raise ValueError(f"user {name!r}: unknown roles {unknown}")
            self._users[name] = User(client_password_hash(password), list(roles), clear=password)
        self._sessions: Dict[bytes, str] = {}
        self._connections: "weakref.WeakSet[ConnectionAuth]" = weakref.WeakSet()
        self._rates: Dict[Tuple[str, str, str], _Rate] = {}  # (node, user, read/write)

    def __repr__(self) -> str:
        return f"<Security enabled={self.enabled} users={sorted(self._users)}>"

    # -- connections ------------------------------------------------------------------------

    def connection(self, address: str, node: str = "") -> ConnectionAuth:
        """The authentication state of a new connection from `address` to `node`."""
        auth = ConnectionAuth(address=address, node=node)
        with self._lock:
            self._connections.add(auth)
        return auth

    def disconnected(self, auth: ConnectionAuth) -> None:
        """A connection closed: it no longer counts as the user's."""
        with self._lock:
            self._connections.discard(auth)

    # -- admin protocol ---------------------------------------------------------------------

    def handle(self, payload: bytes, auth: ConnectionAuth) -> bytes:
        """Answer one admin request; updates `auth` on a successful login/authenticate."""
        try:
            command, fields = parse_admin_request(payload)
        except AdminRequestError:
            return build_admin_response(ERR_INVALID_FIELD)
        if not self.enabled:
            return build_admin_response(ERR_SECURITY_NOT_ENABLED)
        try:
            if command == LOGIN:
                return self._login(fields, auth)
            if command == AUTHENTICATE:
                return self._authenticate(fields, auth)
            if auth.user is None:
                return build_admin_response(ERR_NOT_AUTHENTICATED)
            with self._lock:
                if auth.user not in self._users:  # dropped while connected
                    return build_admin_response(ERR_NOT_AUTHENTICATED)
                if command == QUERY_USERS:
                    return self._query_users(fields, auth)
                if command == QUERY_ROLES:
                    return self._query_roles(fields, auth.user)
                return build_admin_response(self._manage(command, fields, auth.user))
        except AdminRequestError:
            return build_admin_response(ERR_INVALID_FIELD)

    def _login(self, fields: Dict[int, bytes], auth: ConnectionAuth) -> bytes:
        if FIELD_USER not in fields:
            # PKI login: the user is the client certificate's subject; the embedded cluster
            # does not verify client certificates.
            return build_admin_response(ERR_UNSUPPORTED_FEATURE)
        name = _text(fields[FIELD_USER])
        with self._lock:
            user = self._users.get(name)
            if user is None:
                return build_admin_response(ERR_INVALID_USER)
            if FIELD_CREDENTIAL in fields:
                valid = secrets.compare_digest(fields[FIELD_CREDENTIAL], user.credential.encode())
            elif FIELD_CLEAR_PASSWORD in fields and user.clear is not None:
                valid = secrets.compare_digest(fields[FIELD_CLEAR_PASSWORD], user.clear.encode())
            else:
                valid = False
            if not valid or user.pki:
                return build_admin_response(ERR_INVALID_CREDENTIAL)
            if not self._whitelisted(user, auth.address):
                return build_admin_response(ERR_NOT_WHITELISTED)
            token = secrets.token_bytes(32)
            self._sessions[token] = name
        auth.user = name
        return build_admin_response(OK, [
            (FIELD_SESSION_TOKEN, token),
            (FIELD_SESSION_TTL, struct.pack(">I", SESSION_TTL_SECONDS)),
        ])

    def _authenticate(self, fields: Dict[int, bytes], auth: ConnectionAuth) -> bytes:
        token = fields.get(FIELD_SESSION_TOKEN, b"")
        with self._lock:
            name = self._sessions.get(token)
            claimed = fields.get(FIELD_USER)
            if name is None or (claimed is not None and _text(claimed) != name):
                return build_admin_response(ERR_INVALID_CREDENTIAL)
            if not self._whitelisted(self._users[name], auth.address):
                return build_admin_response(ERR_NOT_WHITELISTED)
        auth.user = name
        return build_admin_response(OK)

    def _whitelisted(self, user: User, address: str) -> bool:
        """True unless the user's roles have whitelists and none lists `address`."""
        lists = [self._roles[r].whitelist for r in user.roles if r in self._roles]
        entries = [entry for whitelist in lists for entry in whitelist]
        return not entries or _address_matches(address, entries)

    def _manage(self, command: int, fields: Dict[int, bytes], caller: str) -> int:
        """A user/role command that answers a code only; the lock is held."""
        name = _text(fields.get(FIELD_USER, b""))
        if command == CHANGE_PASSWORD and name == caller:
            return self._change_password(fields, name)
        if not self._permitted(caller, Perm.USER_ADMIN, "", ""):
            return ERR_ROLE_VIOLATION
        if command == CREATE_USER:
            return self._create_user(fields, name)
        if command in (DROP_USER, SET_PASSWORD, CHANGE_PASSWORD, GRANT_ROLES, REVOKE_ROLES):
            user = self._users.get(name)
            if user is None:
                return ERR_INVALID_USER
            if command == DROP_USER:
                del self._users[name]
                self._sessions = {t: u for t, u in self._sessions.items() if u != name}
                return OK
            if command in (SET_PASSWORD, CHANGE_PASSWORD):
                return self._change_password(fields, name, check_old=command == CHANGE_PASSWORD)
            roles = parse_roles_field(fields.get(FIELD_ROLES, b""))
            if any(role not in self._roles for role in roles):
                return ERR_INVALID_ROLE
            user.roles = _granted(user.roles, roles, command == GRANT_ROLES)
            return OK
        return self._manage_role(command, fields)

    def _create_user(self, fields: Dict[int, bytes], name: str) -> int:
        if not name or len(name.encode()) > MAX_NAME_SIZE:
            return ERR_INVALID_USER
        if name in self._users:
            return ERR_USER_ALREADY_EXISTS
        credential = _text(fields.get(FIELD_PASSWORD, b""))
        if not credential:
            return ERR_INVALID_PASSWORD
        roles = parse_roles_field(fields[FIELD_ROLES]) if FIELD_ROLES in fields else []
        if any(role not in self._roles for role in roles):
            return ERR_INVALID_ROLE
        pki = credential == client_password_hash(PKI_PASSWORD)
        self._users[name] = User(credential, list(dict.fromkeys(roles)), pki=pki)
        return OK

    def _change_password(self, fields: Dict[int, bytes], name: str, check_old: bool = True) -> int:
        user = self._users.get(name)
        if user is None:
            return ERR_INVALID_USER
        if user.pki:
            return ERR_FORBIDDEN_PASSWORD
        if check_old and _text(fields.get(FIELD_OLD_PASSWORD, b"")) != user.credential:
            return ERR_INVALID_PASSWORD
        credential = _text(fields.get(FIELD_PASSWORD, b""))
        if not credential:
            return ERR_INVALID_PASSWORD
        user.credential, user.clear = credential, None
        return OK

    def _manage_role(self, command: int, fields: Dict[int, bytes]) -> int:
        name = _text(fields.get(FIELD_ROLE, b""))
        if command == CREATE_ROLE:
            if not name or len(name.encode()) > MAX_NAME_SIZE:
                return ERR_INVALID_ROLE
            if name in self._roles:
                return ERR_ROLE_ALREADY_EXISTS
            created = Role()
            code = self._set_role_fields(created, fields)
            if code == OK:
                self._roles[name] = created
            return code
        if command not in (DROP_ROLE, GRANT_PRIVILEGES, REVOKE_PRIVILEGES, SET_WHITELIST, SET_QUOTAS):
            return ERR_INVALID_COMMAND
        role = self._roles.get(name)
        if role is None or role.predefined:
            return ERR_INVALID_ROLE
        if command == DROP_ROLE:
            del self._roles[name]
            for user in self._users.values():
                user.roles = [r for r in user.roles if r != name]
            return OK
        if command in (GRANT_PRIVILEGES, REVOKE_PRIVILEGES):
            privileges = parse_privileges_field(fields.get(FIELD_PRIVILEGES, b""))
            code = _check_privileges(privileges)
            if code != OK:
                return code
            role.privileges = _granted(role.privileges, privileges, command == GRANT_PRIVILEGES)
            return OK
        if command == SET_WHITELIST:
            whitelist = _parse_whitelist(fields.get(FIELD_WHITELIST, b""))
            if whitelist is None:
                return ERR_INVALID_WHITELIST
            role.whitelist = whitelist
            return OK
        return self._set_quotas(role, fields)

    def _set_role_fields(self, role: Role, fields: Dict[int, bytes]) -> int:
        if FIELD_PRIVILEGES in fields:
            privileges = parse_privileges_field(fields[FIELD_PRIVILEGES])
            code = _check_privileges(privileges)
            if code != OK:
                return code
            role.privileges = list(dict.fromkeys(privileges))
        if FIELD_WHITELIST in fields:
            whitelist = _parse_whitelist(fields[FIELD_WHITELIST])
            if whitelist is None:
                return ERR_INVALID_WHITELIST
            role.whitelist = whitelist
        if FIELD_READ_QUOTA in fields or FIELD_WRITE_QUOTA in fields:
            return self._set_quotas(role, fields)
        return OK

    def _set_quotas(self, role: Role, fields: Dict[int, bytes]) -> int:
        read = _u32_field(fields[FIELD_READ_QUOTA]) if FIELD_READ_QUOTA in fields else role.read_quota
        write = _u32_field(fields[FIELD_WRITE_QUOTA]) if FIELD_WRITE_QUOTA in fields else role.write_quota
        if not self.quotas_enabled:
            return ERR_QUOTAS_NOT_ENABLED
        if read < 0 or write < 0:
            return ERR_INVALID_QUOTA
        role.read_quota, role.write_quota = read, write
        return OK

    # -- listings ---------------------------------------------------------------------------

    def _query_users(self, fields: Dict[int, bytes], auth: ConnectionAuth) -> bytes:
        caller = str(auth.user)
        if FIELD_USER in fields:
            names = [_text(fields[FIELD_USER])]
            if names[0] != caller and not self._permitted(caller, Perm.USER_ADMIN, "", ""):
                return build_admin_response(ERR_ROLE_VIOLATION)
            if names[0] not in self._users:
                return build_admin_response(ERR_INVALID_USER)
        elif self._permitted(caller, Perm.USER_ADMIN, "", ""):
            names = sorted(self._users)
        else:
            return build_admin_response(ERR_ROLE_VIOLATION)
        now = int(time.monotonic())
        blocks = []
        for name in names:
            user = self._users[name]
            entry = [(FIELD_USER, name.encode()), (FIELD_ROLES, _roles_field(user.roles))]
            if self.quotas_enabled:
                entry += [(FIELD_READ_INFO, _info_field(self._usage(auth.node, name, "read", now))),
                          (FIELD_WRITE_INFO, _info_field(self._usage(auth.node, name, "write", now)))]
            connections = sum(1 for auth in self._connections if auth.user == name)
            entry.append((FIELD_CONNECTIONS, struct.pack(">I", connections)))
            blocks.append(build_admin_response(OK, entry))
        return b"".join(blocks) + build_admin_response(QUERY_END)

    def _usage(self, node: str, name: str, kind: str, now: int) -> List[int]:
        """read_info/write_info on `node`: quota, single-record TPS, scan/query RPS, limitless
        scans."""
        rate = self._rates.get((node, name, kind), _Rate())
        return [self._quota(name, kind), rate.tps(now), 0, rate.limitless]

    def _query_roles(self, fields: Dict[int, bytes], caller: str) -> bytes:
        admin = self._permitted(caller, Perm.USER_ADMIN, "", "")
        if FIELD_ROLE in fields:
            names = [_text(fields[FIELD_ROLE])]
            if not admin and names[0] not in self._users[caller].roles:
                return build_admin_response(ERR_ROLE_VIOLATION)
            if names[0] not in self._roles:
                return build_admin_response(ERR_INVALID_ROLE)
        elif admin:
            names = sorted(self._roles)
        else:
            return build_admin_response(ERR_ROLE_VIOLATION)
        blocks = []
        for name in names:
            role = self._roles[name]
            entry = [(FIELD_ROLE, name.encode()), (FIELD_PRIVILEGES, _privileges_field(role.privileges))]
            if role.whitelist:
                entry.append((FIELD_WHITELIST, ",".join(role.whitelist).encode()))
            if role.read_quota:
                entry.append((FIELD_READ_QUOTA, struct.pack(">I", role.read_quota)))
            if role.write_quota:
                entry.append((FIELD_WRITE_QUOTA, struct.pack(">I", role.write_quota)))
            blocks.append(build_admin_response(OK, entry))
        return b"".join(blocks) + build_admin_response(QUERY_END)

    # -- permission checks ------------------------------------------------------------------

    def _permitted(self, name: str, perm: Perm, ns: str, set_name: str) -> bool:
        """True when one privilege of the user's roles grants `perm` for ns/set (lock held)."""
        user = self._users.get(name)
        if user is None:
            return False
        for role_name in user.roles:
            role = self._roles.get(role_name)
            for privilege in role.privileges if role is not None else ():
                granted = PRIVILEGE_PERMISSIONS.get(privilege.code, Perm(0))
                if (perm & granted) == perm and privilege.covers(ns, set_name):
                    return True
        return False

    def _quota(self, name: str, kind: str) -> int:
        """The user's read or write quota: the highest its roles set (0: no limit)."""
        roles = [self._roles[r] for r in self._users[name].roles if r in self._roles]
        return max((role.read_quota if kind == "read" else role.write_quota for role in roles), default=0)

    def check(self, auth: ConnectionAuth, perm: Perm, ns: str = "", set_name: str = "",
              rps: Optional[int] = None) -> int:
        """The result code of a command that needs `perm` on ns/set: OK, NOT_AUTHENTICATED,
        ROLE_VIOLATION or QUOTA_EXCEEDED (counted against the user's quotas when OK).
        `rps` is a scan's or query's records-per-second limit (0: none)."""
        if not self.enabled:
            return OK
        with self._lock:
            code = self._permission(auth, perm, ns, set_name)
            if code != OK or not self.quotas_enabled:
                return code
            name = auth.user
            assert name is not None
            kind = "read" if perm & (READ_PERMS | Perm.SCAN | Perm.QUERY) else "write"
            quota = self._quota(name, kind)
            rate = self._rates.setdefault((auth.node, name, kind), _Rate())
            if rps is not None:
                if quota and rps > quota:
                    return ERR_QUOTA_EXCEEDED
                if quota and rps == 0:
                    rate.limitless += 1
                return OK
            if perm & (READ_PERMS | WRITE_PERMS) and rate.add(int(time.monotonic())) > quota > 0:
                return ERR_QUOTA_EXCEEDED
            return OK

    def _permission(self, auth: ConnectionAuth, perm: Perm, ns: str, set_name: str) -> int:
        """OK, NOT_AUTHENTICATED or ROLE_VIOLATION for `perm` on ns/set (lock held)."""
        name = auth.user
        if name is None or name not in self._users:
            return ERR_NOT_AUTHENTICATED
        if not self._permitted(name, perm, ns, set_name):
            return ERR_ROLE_VIOLATION
        return OK

    def check_scan_permission(self, auth: ConnectionAuth, msg: Message) -> int:
        """The permission a scan or query needs, no quota counted: OK, NOT_AUTHENTICATED or
        ROLE_VIOLATION (thr_tsvc.c, as_tsvc_process_transaction: as_security_check_data_op
        with query_perm, before as_query reads the set or index; the records-per-second
        quota is as_security_check_rps, in the job's start: check_message)."""
        if not self.enabled:
            return OK
        perm, ns, set_name = _message_permission(msg, scan=True)
        with self._lock:
            return self._permission(auth, perm, ns, set_name)

    def permits(self, auth: ConnectionAuth, perm: Perm, ns: str = "", set_name: str = "") -> bool:
        """True when `auth` holds `perm` on ns/set (no quota counted, unlike check())."""
        if not self.enabled:
            return True
        with self._lock:
            name = auth.user
            return name is not None and name in self._users and \
                self._permitted(name, perm, ns, set_name)

    def check_message(self, auth: ConnectionAuth, msg: Message, scan: bool = False) -> int:
        """`check()` for one AS_MSG command or batch row (`scan`: a scan or query)."""
        perm, ns, set_name = _message_permission(msg, scan)
        if scan:
            raw_rps = msg.fields.get(FIELD_RPS, b"")
            rps = struct.unpack(">I", raw_rps)[0] if len(raw_rps) == 4 else 0
            return self.check(auth, perm, ns, set_name, rps=rps)
        return self.check(auth, perm, ns, set_name)

    def check_info(self, auth: ConnectionAuth, command: str, params: Mapping[str, str]) -> int:
        """`check()` for one info command (OK for those that need no permission)."""
        if not self.enabled:
            return OK
        perm = INFO_PERMISSIONS.get(command)
        if perm is None:
            return OK if auth.user is not None else ERR_NOT_AUTHENTICATED
        ns = params.get("namespace", params.get("ns", "")) if perm == Perm.TRUNCATE else ""
        return self.check(auth, perm, ns, params.get("set", "") if ns else "")


def _message_permission(msg: Message, scan: bool) -> Tuple[Perm, str, str]:
    """(permission, namespace, set) of one AS_MSG command or batch row (`scan`: a scan or
    query, thr_tsvc.c's query_perm)."""
    ns = _text(msg.fields.get(FIELD_NAMESPACE, b""))
    set_name = _text(msg.fields.get(FIELD_SETNAME, b""))
    udf = FIELD_UDF_FUNCTION in msg.fields or FIELD_UDF_PACKAGE_NAME in msg.fields
    if scan:
        perm = Perm.UDF_QUERY if udf else Perm.OPS_QUERY if msg.info2 & INFO2_WRITE else Perm.QUERY
    elif udf:
        perm = Perm.UDF_APPLY
    elif msg.info2 & INFO2_WRITE:
        perm = Perm.DELETE if msg.info2 & INFO2_DELETE else Perm.WRITE
    else:
        perm = Perm.READ
    return perm, ns, set_name


@dataclass(frozen=True)
class Access:
    """What one connection may do: the permission checks of `security` for `auth`."""

    security: Security
    auth: ConnectionAuth

    def message(self, msg: Message, scan: bool = False) -> int:
        """Security.check_message() for this connection."""
        return self.security.check_message(self.auth, msg, scan)

    def scan_permission(self, msg: Message) -> int:
        """Security.check_scan_permission() for this connection."""
        return self.security.check_scan_permission(self.auth, msg)

    def info(self, command: str, params: Mapping[str, str]) -> int:
        """Security.check_info() for this connection."""
        return self.security.check_info(self.auth, command, params)

    def may_read(self, msg: Message) -> bool:
        """True when this connection may read the record a command names (a filter may then
        explain why it refused the record: error_detail.py); counts no quota."""
        return self.security.permits(self.auth, Perm.READ,
                                     _text(msg.fields.get(FIELD_NAMESPACE, b"")),
                                     _text(msg.fields.get(FIELD_SETNAME, b"")))


T = TypeVar("T")


def _granted(current: List[T], items: Sequence[T], grant: bool) -> List[T]:
    """`current` with `items` added (once each) or removed; revoking what is absent is no error."""
    if grant:
        return current + [item for item in dict.fromkeys(items) if item not in current]
    return [item for item in current if item not in items]


def _check_privileges(privileges: Sequence[Privilege]) -> int:
    for privilege in privileges:
        if privilege.code not in PRIVILEGE_PERMISSIONS:
            return ERR_INVALID_PRIVILEGE
        if privilege.code < FIRST_DATA_PRIVILEGE and (privilege.ns or privilege.set):
            return ERR_INVALID_PRIVILEGE
        if privilege.set and not privilege.ns:
            return ERR_INVALID_PRIVILEGE
    return OK


def _parse_whitelist(data: bytes) -> Optional[List[str]]:
    """The comma-separated addresses and CIDR blocks of a WHITELIST field; None if invalid."""
    entries = [entry.strip() for entry in _text(data).split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return None
    return entries
