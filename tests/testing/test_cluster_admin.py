"""Login and session authentication (admin protocol), as the C client performs them."""

from __future__ import annotations

import os
import struct

import pytest
from cluster_helpers import (
    OWN_SECURE_CLUSTER,
    StubStore,
    require_bcrypt,
    admin_call,
    admin_request,
    as_msg_read,
    as_msg_result_code,
    connect,
    read_reply,
)

from aerospike_c.testing import EmbeddedCluster, client_password_hash, request_info
from aerospike_c.testing.server.security import (
    AUTHENTICATE,
    CHANGE_PASSWORD,
    CREATE_ROLE,
    CREATE_USER,
    DROP_ROLE,
    DROP_USER,
    FIELD_PRIVILEGES,
    FIELD_ROLE,
    GRANT_PRIVILEGES,
    QUERY_ROLES,
    FIELD_CREDENTIAL,
    FIELD_OLD_PASSWORD,
    FIELD_PASSWORD,
    FIELD_SESSION_TOKEN,
    FIELD_SESSION_TTL,
    FIELD_USER,
    LOGIN,
)
from aerospike_c.testing.server.wire import TYPE_INFO, TYPE_MESSAGE, frame

OK = 0
SECURITY_NOT_SUPPORTED = 51
SECURITY_NOT_ENABLED = 52
INVALID_USER = 60
USER_ALREADY_EXISTS = 61
INVALID_PASSWORD = 62
INVALID_CREDENTIAL = 65
NOT_AUTHENTICATED = 80
ROLE_VIOLATION = 81
QUERY_END = 50
INVALID_ROLE = 70
INVALID_PRIVILEGE = 72

USERS = {"admin": "admin-secret", "reader": "r3ader"}


@pytest.fixture(scope="module", autouse=True)
def _bcrypt_available():
    require_bcrypt()


def login_fields(user: str, password: str):
    return [(FIELD_USER, user.encode()), (FIELD_CREDENTIAL, client_password_hash(password).encode())]


@pytest.fixture(scope="module")
def secure_cluster():
    with EmbeddedCluster(nodes=2, users=USERS, store=StubStore()) as cluster:
        yield cluster


def test_client_credential_is_the_fixed_salt_bcrypt_hash():
    hashed = client_password_hash("admin-secret")
    assert hashed.startswith("$2a$10$7EqJtq98hPqEX7fNZaFWoO") and len(hashed) == 60
    assert hashed == client_password_hash("admin-secret")
    assert hashed != client_password_hash("admin-secret2")


@OWN_SECURE_CLUSTER
def test_login_returns_a_session_token_and_ttl(secure_cluster):
    with connect(secure_cluster.seed) as sock:
        result, fields = admin_call(sock, LOGIN, login_fields("admin", USERS["admin"]))
        assert result == OK
        assert len(fields[FIELD_SESSION_TOKEN]) > 0
        assert struct.unpack(">I", fields[FIELD_SESSION_TTL])[0] > 60
        sock.sendall(frame(TYPE_INFO, b"node\n"))
        _, payload = read_reply(sock)
    assert payload.decode() == f"node\t{secure_cluster.node(0).name}\n"


@OWN_SECURE_CLUSTER
@pytest.mark.parametrize("user, password, expected", [
    ("admin", "wrong", INVALID_CREDENTIAL),
    ("nobody", "admin-secret", INVALID_USER),
    ("reader", USERS["admin"], INVALID_CREDENTIAL),
])
def test_bad_credentials_are_refused(secure_cluster, user, password, expected):
    with connect(secure_cluster.seed) as sock:
        result, fields = admin_call(sock, LOGIN, login_fields(user, password))
        assert result == expected and fields == {}
        sock.sendall(frame(TYPE_INFO, b"node\n"))
        _, payload = read_reply(sock)
    assert "ERROR:80" in payload.decode()


@OWN_SECURE_CLUSTER
def test_unauthenticated_info_and_messages_are_rejected(secure_cluster):
    with connect(secure_cluster.seed) as sock:
        sock.sendall(frame(TYPE_INFO, b"node\nbuild\n"))
        _, payload = read_reply(sock)
        lines = payload.decode().splitlines()
        assert lines == ["node\tERROR:80:not authenticated", "build\tERROR:80:not authenticated"]
        sock.sendall(frame(TYPE_MESSAGE, as_msg_read("test", bytes(20))))
        frame_type, reply = read_reply(sock)
    assert frame_type == TYPE_MESSAGE
    assert as_msg_result_code(reply) == NOT_AUTHENTICATED


@OWN_SECURE_CLUSTER
def test_session_token_authenticates_other_connections_and_nodes(secure_cluster):
    with connect(secure_cluster.seed) as sock:
        _, fields = admin_call(sock, LOGIN, login_fields("reader", USERS["reader"]))
    token = fields[FIELD_SESSION_TOKEN]
    for address in secure_cluster.hosts:
        with connect(address) as sock:
            result, _ = admin_call(sock, AUTHENTICATE,
                                   [(FIELD_USER, b"reader"), (FIELD_SESSION_TOKEN, token)])
            assert result == OK
            sock.sendall(frame(TYPE_INFO, b"status\n"))
            assert read_reply(sock)[1] == b"status\tok\n"


@OWN_SECURE_CLUSTER
def test_forged_session_token_is_refused(secure_cluster):
    with connect(secure_cluster.seed) as sock:
        result, _ = admin_call(sock, AUTHENTICATE,
                               [(FIELD_USER, b"admin"), (FIELD_SESSION_TOKEN, os.urandom(32))])
    assert result == INVALID_CREDENTIAL


@OWN_SECURE_CLUSTER
def test_user_management_requires_login_and_new_user_can_log_in():
    with EmbeddedCluster(nodes=1, users={"admin": "pw"}, store=StubStore()) as cluster:
        new_user = [(FIELD_USER, b"alice"),
                    (FIELD_PASSWORD, client_password_hash("alice-pw").encode())]
        with connect(cluster.seed) as sock:
            assert admin_call(sock, CREATE_USER, new_user)[0] == NOT_AUTHENTICATED
            assert admin_call(sock, LOGIN, login_fields("admin", "pw"))[0] == OK
            assert admin_call(sock, CREATE_USER, new_user)[0] == OK
            assert admin_call(sock, CREATE_USER, new_user)[0] == USER_ALREADY_EXISTS
        with connect(cluster.seed) as sock:
            assert admin_call(sock, LOGIN, login_fields("alice", "alice-pw"))[0] == OK
            change = [(FIELD_USER, b"alice"),
                      (FIELD_OLD_PASSWORD, client_password_hash("bad").encode()),
                      (FIELD_PASSWORD, client_password_hash("new-pw").encode())]
            assert admin_call(sock, CHANGE_PASSWORD, change)[0] == INVALID_PASSWORD
            change[1] = (FIELD_OLD_PASSWORD, client_password_hash("alice-pw").encode())
            assert admin_call(sock, CHANGE_PASSWORD, change)[0] == OK
        with connect(cluster.seed) as sock:
            assert admin_call(sock, LOGIN, login_fields("alice", "alice-pw"))[0] == INVALID_CREDENTIAL
            assert admin_call(sock, LOGIN, login_fields("alice", "new-pw"))[0] == OK
            # alice has no role: dropping a user needs user-admin
            assert admin_call(sock, DROP_USER, [(FIELD_USER, b"alice")])[0] == ROLE_VIOLATION
        with connect(cluster.seed) as sock:
            assert admin_call(sock, LOGIN, login_fields("admin", "pw"))[0] == OK
            assert admin_call(sock, DROP_USER, [(FIELD_USER, b"alice")])[0] == OK
        with connect(cluster.seed) as sock:
            assert admin_call(sock, LOGIN, login_fields("alice", "new-pw"))[0] == INVALID_USER


def test_login_without_security_answers_security_not_enabled(aerospike_hosts):
    with connect(aerospike_hosts[0]) as sock:
        result, _ = admin_call(sock, LOGIN, login_fields("admin", "admin"))
    # Enterprise Edition without security: not enabled; Community Edition: not supported.
    assert result in (SECURITY_NOT_ENABLED, SECURITY_NOT_SUPPORTED)
    assert request_info(aerospike_hosts[0], "status")["status"] == "ok"


@OWN_SECURE_CLUSTER
def test_malformed_admin_request_gets_an_error_not_a_crash(secure_cluster):
    with connect(secure_cluster.seed) as sock:
        sock.sendall(frame(2, b"\x00\x00\x14\x05" + bytes(12) + b"\xff\xff\xff\xff\x00"))
        _, payload = read_reply(sock)
    assert payload[1] != OK
    with connect(secure_cluster.seed) as sock:
        assert admin_call(sock, LOGIN, login_fields("admin", USERS["admin"]))[0] == OK


# -- roles and privileges on the wire (what a client library could send that ours refuses) --

def _admin_session(cluster):
    sock = connect(cluster.seed)
    assert admin_call(sock, LOGIN, login_fields("admin", "pw"))[0] == OK
    return sock


def _privileges(*entries):
    """A PRIVILEGES field: count, then code [+ ns + set, 1-byte lengths each]."""
    out = bytearray([len(entries)])
    for code, ns, set_name in entries:
        out.append(code)
        if code >= 10:
            out += bytes([len(ns)]) + ns + bytes([len(set_name)]) + set_name
    return bytes(out)


@OWN_SECURE_CLUSTER
def test_role_commands_refuse_what_a_server_refuses():
    with EmbeddedCluster(nodes=1, users={"admin": "pw"}, store=StubStore()) as cluster:
        with _admin_session(cluster) as sock:
            role = (FIELD_ROLE, b"r1")
            assert admin_call(sock, CREATE_ROLE, [role, (FIELD_PRIVILEGES, _privileges((99, b"", b"")))])[0] \
                == INVALID_PRIVILEGE
            # a set without a namespace
            assert admin_call(sock, CREATE_ROLE, [role, (FIELD_PRIVILEGES, _privileges((10, b"", b"s")))])[0] \
                == INVALID_PRIVILEGE
            assert admin_call(sock, CREATE_ROLE, [role, (FIELD_PRIVILEGES, _privileges((10, b"test", b"s")))])[0] == OK
            # predefined roles cannot be dropped or changed
            assert admin_call(sock, DROP_ROLE, [(FIELD_ROLE, b"read")])[0] == INVALID_ROLE
            assert admin_call(sock, GRANT_PRIVILEGES, [(FIELD_ROLE, b"read"),
                                                      (FIELD_PRIVILEGES, _privileges((13, b"", b"")))])[0] \
                == INVALID_ROLE
            # a listing ends with QUERY_END
            sock.sendall(admin_request(QUERY_ROLES, [(FIELD_ROLE, b"r1")]))
            _, payload = read_reply(sock)
    assert payload[1] == OK and payload[-16:][1] == QUERY_END


def test_the_command_line_takes_roles_per_user():
    from aerospike_c.testing.__main__ import build_parser, cluster_from_args

    args = build_parser().parse_args(["--user", "admin:pw:user-admin,read", "--user", "su:pw2",
                                      "--enable-quotas"])
    cluster = cluster_from_args(args)
    assert cluster.security.quotas_enabled
    assert repr(cluster.security) == "<Security enabled=True users=['admin', 'su']>"
    admin = cluster.security._users["admin"]
    assert admin.roles == ["user-admin", "read"] and "pw" not in repr(admin)
    assert len(cluster.security._users["su"].roles) == 10  # every predefined role


@OWN_SECURE_CLUSTER
def test_a_scan_refused_for_its_permission_is_refused_first_in_one_plain_reply():
    """thr_tsvc.c, as_tsvc_process_transaction: a scan/query's permission is checked (after the
    login and the namespace) before as_query reads its set or index, and the refusal is one
    plain reply (as_multi_rec_transaction_error), not a last message."""
    from records_wire import I2_WRITE, I3_LAST, integer_range, parse, scan_message, write_op

    users = {"admin": ("pw", ["user-admin"]), "writer": ("pw", ["write"])}  # no query of any kind
    with EmbeddedCluster(nodes=1, users=users) as cluster:
        with connect(cluster.seed) as sock:
            assert admin_call(sock, LOGIN, login_fields("writer", "pw"))[0] == OK
            never_written = scan_message(set_name="never_written", info1=0, info2=I2_WRITE,
                                         ops=[write_op("a", 1)])
            unindexed = scan_message(set_name="never_written", pids=[1],
                                     extra=[integer_range("no_index", 0, 9)])
            unknown_namespace = scan_message(ns="nons", info1=0, info2=I2_WRITE,
                                             ops=[write_op("a", 1)])
            answers = []
            for msg in (never_written, unindexed, unknown_namespace):
                sock.sendall(frame(TYPE_MESSAGE, msg))
                frame_type, payload = read_reply(sock)
                assert frame_type == TYPE_MESSAGE
                answers.append([(r.code, bool(r.info3 & I3_LAST)) for r in parse(payload)])
    assert answers == [[(ROLE_VIOLATION, False)], [(ROLE_VIOLATION, False)], [(20, False)]]
