"""Admin protocol (proto type 2): login, session authentication and basic user management.

Request payload: a 16-byte header (byte 2 = command, byte 3 = field count) followed by fields,
each a 4-byte big-endian length (id byte included), a 1-byte field id and the data.
Responses use the same layout; byte 1 of the header carries the result code.

The C client never sends a clear password for internal authentication: it sends the bcrypt
hash of the password with a fixed salt (as_password_get_constant_hash). The server therefore
compares that hashed form, which is what this module keeps per user.
"""

from __future__ import annotations

import secrets
import struct
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from .results import (ERR_INVALID_COMMAND, ERR_INVALID_CREDENTIAL, ERR_INVALID_FIELD, ERR_INVALID_PASSWORD, ERR_INVALID_USER,
                      ERR_NOT_AUTHENTICATED, ERR_SECURITY_NOT_ENABLED, ERR_USER_ALREADY_EXISTS, OK)

# Commands
AUTHENTICATE = 0
CREATE_USER = 1
DROP_USER = 2
SET_PASSWORD = 3
CHANGE_PASSWORD = 4
LOGIN = 20

# Field ids
FIELD_USER = 0
FIELD_PASSWORD = 1
FIELD_OLD_PASSWORD = 2
FIELD_CREDENTIAL = 3
FIELD_CLEAR_PASSWORD = 4
FIELD_SESSION_TOKEN = 5
FIELD_SESSION_TTL = 6

ADMIN_HEADER_SIZE = 16
SESSION_TTL_SECONDS = 24 * 60 * 60

#: Salt the C client uses for the credential it sends (constant so the hash is repeatable).
CLIENT_BCRYPT_SALT = "$2a$10$7EqJtq98hPqEX7fNZaFWoO"


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


@dataclass
class ConnectionAuth:
    """Authentication state of one client connection."""

    user: Optional[str] = None


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


class Security:
    """Users, password hashes and session tokens shared by every node of a cluster."""

    def __init__(self, users: Optional[Dict[str, str]] = None) -> None:
        self.enabled = bool(users)
        self._lock = threading.Lock()
        self._hashes: Dict[str, str] = {
            user: client_password_hash(password) for user, password in (users or {}).items()
        }
        self._clear: Dict[str, str] = dict(users or {})
        self._sessions: Dict[bytes, str] = {}

    def handle(self, payload: bytes, auth: ConnectionAuth) -> bytes:
        """Answer one admin request; updates `auth` on a successful login/authenticate."""
        try:
            command, fields = parse_admin_request(payload)
        except AdminRequestError:
            return build_admin_response(ERR_INVALID_FIELD)
        if not self.enabled:
            return build_admin_response(ERR_SECURITY_NOT_ENABLED)
        if command == LOGIN:
            return self._login(fields, auth)
        if command == AUTHENTICATE:
            return self._authenticate(fields, auth)
        if auth.user is None:
            return build_admin_response(ERR_NOT_AUTHENTICATED)
        return build_admin_response(self._manage_user(command, fields, auth))

    def _login(self, fields: Dict[int, bytes], auth: ConnectionAuth) -> bytes:
        user = fields.get(FIELD_USER, b"").decode("utf-8", "replace")
        with self._lock:
            expected_hash = self._hashes.get(user)
            expected_clear = self._clear.get(user)
        if expected_hash is None:
            return build_admin_response(ERR_INVALID_USER)
        if FIELD_CREDENTIAL in fields:
            valid = secrets.compare_digest(fields[FIELD_CREDENTIAL], expected_hash.encode())
        elif FIELD_CLEAR_PASSWORD in fields and expected_clear is not None:
            valid = secrets.compare_digest(fields[FIELD_CLEAR_PASSWORD], expected_clear.encode())
        else:
            valid = False
        if not valid:
            return build_admin_response(ERR_INVALID_CREDENTIAL)
        token = secrets.token_bytes(32)
        with self._lock:
            self._sessions[token] = user
        auth.user = user
        return build_admin_response(OK, [
            (FIELD_SESSION_TOKEN, token),
            (FIELD_SESSION_TTL, struct.pack(">I", SESSION_TTL_SECONDS)),
        ])

    def _authenticate(self, fields: Dict[int, bytes], auth: ConnectionAuth) -> bytes:
        token = fields.get(FIELD_SESSION_TOKEN, b"")
        with self._lock:
            user = self._sessions.get(token)
        claimed = fields.get(FIELD_USER)
        if user is None or (claimed is not None and claimed.decode("utf-8", "replace") != user):
            return build_admin_response(ERR_INVALID_CREDENTIAL)
        auth.user = user
        return build_admin_response(OK)

    def _manage_user(self, command: int, fields: Dict[int, bytes], auth: ConnectionAuth) -> int:
        user = fields.get(FIELD_USER, b"").decode("utf-8", "replace")
        password_hash = fields.get(FIELD_PASSWORD, b"").decode("utf-8", "replace")
        with self._lock:
            if command == CREATE_USER:
                if user in self._hashes:
                    return ERR_USER_ALREADY_EXISTS
                if not user or not password_hash:
                    return ERR_INVALID_FIELD
                self._hashes[user] = password_hash
                return OK
            if user not in self._hashes:
                return ERR_INVALID_USER
            if command == DROP_USER:
                del self._hashes[user]
                self._clear.pop(user, None)
                self._sessions = {t: u for t, u in self._sessions.items() if u != user}
                return OK
            if command in (SET_PASSWORD, CHANGE_PASSWORD):
                if command == CHANGE_PASSWORD:
                    old = fields.get(FIELD_OLD_PASSWORD, b"").decode("utf-8", "replace")
                    if user != auth.user or old != self._hashes[user]:
                        return ERR_INVALID_PASSWORD
                if not password_hash:
                    return ERR_INVALID_PASSWORD
                self._hashes[user] = password_hash
                self._clear.pop(user, None)
                return OK
        return ERR_INVALID_COMMAND
