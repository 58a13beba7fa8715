"""Security administration (as_admin.h): every admin call, and what it lets a user do.

Runs against an embedded cluster started with one administrator (role user-admin only, as a
fresh server's `admin` user), or against a real Enterprise cluster with security enabled:
AEROSPIKE_HOSTS plus AEROSPIKE_ADMIN_USER / AEROSPIKE_ADMIN_PASSWORD naming a user with the
user-admin role (skipped without them). Every user and role a test makes starts with `t14-`
and is dropped afterwards. The quota tests need enable-quotas (a second embedded cluster, or
a real one configured so).
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from contextlib import contextmanager
from typing import Iterator, List, Optional, Tuple

import pytest

from aerospike_c import (AS_PRIVILEGE_DATA_ADMIN, BatchRead, AS_PRIVILEGE_READ, AS_PRIVILEGE_READ_WRITE,
                         AS_PRIVILEGE_READ_WRITE_UDF, AS_PRIVILEGE_SINDEX_ADMIN, AS_PRIVILEGE_TRUNCATE,
                         AS_PRIVILEGE_USER_ADMIN, AS_PRIVILEGE_WRITE, AS_INDEX_NUMERIC, AerospikeError,
                         Client, Config, LifecycleError, ParamError, Privilege, aerospike_create_role,
                         aerospike_create_user, aerospike_query_role, aerospike_query_roles,
                         aerospike_query_user, aerospike_query_users, aerospike_drop_role,
                         aerospike_drop_user, as_privilege, as_role_destroy, as_roles_destroy,
                         as_user_destroy, as_users_destroy, as_policy_admin_init)
from aerospike_c import log as aerospike_log
from aerospike_c._records import ops
from aerospike_c.testing import EmbeddedCluster, client_password_hash
from aerospike_c.testing.pytest_plugin import real_cluster_hosts

INVALID_USER = 60
USER_ALREADY_EXISTS = 61
INVALID_PASSWORD = 62
FORBIDDEN_PASSWORD = 64
INVALID_CREDENTIAL = 65
INVALID_ROLE = 70
ROLE_ALREADY_EXISTS = 71
INVALID_PRIVILEGE = 72
INVALID_WHITELIST = 73
QUOTAS_NOT_ENABLED = 74
INVALID_QUOTA = 75
ROLE_VIOLATION = 81
NOT_WHITELISTED = 82
QUOTA_EXCEEDED = 83

ADMIN_USER, ADMIN_PASSWORD = "admin", "t14-admin-secret"
NS = "test"


class Secure:
    """A cluster with security on and the credentials of a user-admin."""

    def __init__(self, hosts: List[Tuple[str, int]], user: str, password: str) -> None:
        self.hosts, self.user, self.password = hosts, user, password

    def client(self, user: Optional[str] = None, password: Optional[str] = None) -> Client:
        config = Config(self.hosts, user=user or self.user, password=password or self.password)
        return Client(config).connect()

    @contextmanager
    def as_user(self, user: str, password: str) -> Iterator[Client]:
        client = self.client(user, password)
        try:
            yield client
        finally:
            client.destroy()


def _secure(quotas: bool) -> Iterator[Secure]:
    try:
        client_password_hash("probe")
    except RuntimeError as exc:
        pytest.skip(str(exc))
    hosts = real_cluster_hosts()
    if hosts is not None:
        user, password = os.environ.get("AEROSPIKE_ADMIN_USER"), os.environ.get("AEROSPIKE_ADMIN_PASSWORD")
        if not user or not password:
            pytest.skip("AEROSPIKE_ADMIN_USER/AEROSPIKE_ADMIN_PASSWORD name no user-admin of the real cluster")
        secure = Secure(hosts, user, password)
        if quotas:
            with secure.as_user(user, password) as client:
                if "enable-quotas=true" not in client.info("get-config:context=security"):
                    pytest.skip("the real cluster does not enable quotas")
        yield secure
        return
    with EmbeddedCluster(nodes=2, users={ADMIN_USER: (ADMIN_PASSWORD, ["user-admin"])},
                         enable_quotas=quotas) as cluster:
        yield Secure(cluster.hosts, ADMIN_USER, ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def secure() -> Iterator[Secure]:
    yield from _secure(quotas=False)


@pytest.fixture(scope="module")
def admin(secure: Secure) -> Iterator[Client]:
    client = secure.client()
    yield client
    client.destroy()


class Names:
    """Unique t14- names for one test; drops what it made at the end."""

    def __init__(self, admin: Client) -> None:
        self.admin = admin
        self.tag = uuid.uuid4().hex[:8]
        self.users: List[str] = []
        self.roles: List[str] = []

    def user(self, label: str = "u") -> str:
        name = f"t14-{label}-{self.tag}"
        self.users.append(name)
        return name

    def role(self, label: str = "r") -> str:
        name = f"t14-{label}-{self.tag}"
        self.roles.append(name)
        return name

    def user_with_role(self, privileges: List[Privilege]) -> Tuple[str, str]:
        """A new role with `privileges` and a new user (password "pw") holding it."""
        role, user = self.role(), self.user()
        self.admin.admin.create_role(role, privileges)
        self.admin.admin.create_user(user, "pw", [role])
        return user, role

    def cleanup(self) -> None:
        for user in self.users:
            try:
                self.admin.admin.drop_user(user)
            except AerospikeError:
                pass
        for role in self.roles:
            try:
                self.admin.admin.drop_role(role)
            except AerospikeError:
                pass


@pytest.fixture
def names(admin: Client) -> Iterator[Names]:
    made = Names(admin)
    yield made
    made.cleanup()


def _code(call, *args, **kwargs) -> int:
    with pytest.raises(AerospikeError) as raised:
        call(*args, **kwargs)
    return int(raised.value.code)


def _own_address(host: str, port: int) -> str:
    """The address this machine connects to `host` from (what a whitelist sees)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((host, port))
        return str(probe.getsockname()[0])


def _other_address(own: str) -> str:
    return "192.0.2.1" if own != "192.0.2.1" else "198.51.100.1"  # TEST-NETs: nobody's address


def _key(set_name: str, tag: str, n: int = 0) -> Tuple[str, str, str]:
    return (NS, set_name, f"t14-{tag}-{n}")


# -- users ----------------------------------------------------------------------------------

def test_create_query_and_drop_a_user(admin, names):
    user = names.user()
    admin.admin.create_user(user, "pw-1", ["read", "write"])
    found = admin.admin.query_user(user)
    assert found is not None and found.name == user
    assert sorted(found.roles) == ["read", "write"]
    assert found.conns_in_use == 0
    assert user in [u.name for u in admin.admin.query_users()]
    admin.admin.drop_user(user)
    assert _code(admin.admin.query_user, user) == INVALID_USER
    assert _code(admin.admin.drop_user, user) == INVALID_USER


def test_create_user_refuses_a_duplicate_and_unknown_roles(admin, names):
    user = names.user()
    admin.admin.create_user(user, "pw-1", ["read"])
    assert _code(admin.admin.create_user, user, "pw-2", ["read"]) == USER_ALREADY_EXISTS
    assert _code(admin.admin.create_user, names.user("b"), "pw", [f"t14-nosuch-{names.tag}"]) == INVALID_ROLE


def test_the_new_user_logs_in_with_its_password_only(secure, admin, names):
    user = names.user()
    admin.admin.create_user(user, "right-pw", ["read"])
    with secure.as_user(user, "right-pw") as client:
        assert client.is_connected()
        assert client.admin.query_user().name == user  # own user, no user-admin needed
    assert _code(secure.client, user, "wrong-pw") == INVALID_CREDENTIAL
    assert _code(secure.client, f"t14-nobody-{names.tag}", "pw") == INVALID_USER


def test_a_user_without_user_admin_cannot_administer(secure, admin, names):
    user = names.user()
    admin.admin.create_user(user, "pw", ["read-write"])
    with secure.as_user(user, "pw") as client:
        assert _code(client.admin.create_user, names.user("x"), "pw", ["read"]) == ROLE_VIOLATION
        assert _code(client.admin.drop_user, ADMIN_USER) == ROLE_VIOLATION
        assert _code(client.admin.query_users) == ROLE_VIOLATION
        assert _code(client.admin.grant_roles, user, ["user-admin"]) == ROLE_VIOLATION
        assert _code(client.admin.create_role, names.role(), [Privilege(AS_PRIVILEGE_READ)]) == ROLE_VIOLATION


def test_grant_and_revoke_roles_change_what_a_connected_user_may_do(secure, admin, names):
    user = names.user()
    admin.admin.create_user(user, "pw", ["read"])
    key = _key("t14", names.tag)
    with secure.as_user(user, "pw") as client:
        assert _code(client.put, key, {"a": 1}) == ROLE_VIOLATION
        admin.admin.grant_roles(user, ["write"])
        assert sorted(admin.admin.query_user(user).roles) == ["read", "write"]
        client.put(key, {"a": 1})
        assert client.get(key).bins == {"a": 1}
        admin.admin.revoke_roles(user, ["read"])
        assert admin.admin.query_user(user).roles == ["write"]
        assert _code(client.get, key) == ROLE_VIOLATION
        client.remove(key)


def test_set_password_replaces_the_users_password(secure, admin, names):
    user = names.user()
    admin.admin.create_user(user, "old-pw", ["read"])
    admin.admin.set_password(user, "new-pw")
    assert _code(secure.client, user, "old-pw") == INVALID_CREDENTIAL
    with secure.as_user(user, "new-pw") as client:
        assert client.is_connected()
    assert _code(admin.admin.set_password, f"t14-nobody-{names.tag}", "pw") == INVALID_USER


def test_a_user_changes_its_own_password(secure, admin, names):
    user = names.user()
    admin.admin.create_user(user, "first-pw", ["read"])
    with secure.as_user(user, "first-pw") as client:
        client.admin.change_password("second-pw")
        assert client.admin.query_user().name == user  # the client keeps working
    assert _code(secure.client, user, "first-pw") == INVALID_CREDENTIAL
    with secure.as_user(user, "second-pw") as client:
        # another user's password needs user-admin
        assert _code(client.admin.change_password, "x", ADMIN_USER) == ROLE_VIOLATION


def test_a_pki_user_has_no_password(secure, admin, names):
    user = names.user("pki")
    admin.admin.create_pki_user(user, ["read"])
    assert admin.admin.query_user(user).roles == ["read"]
    assert _code(secure.client, user, "nopassword") == INVALID_CREDENTIAL
    with pytest.raises(AerospikeError) as raised:
        admin.admin.set_password(user, "pw")
    assert raised.value.code == FORBIDDEN_PASSWORD
    assert raised.value.message == "PKI user password not changeable"


# -- privileges and their scope -------------------------------------------------------------

@pytest.mark.parametrize("roles, can_read, can_write", [
    (["read"], True, False),
    (["write"], False, True),
    (["read-write"], True, True),
    (["truncate"], False, False),
    (["sys-admin"], False, False),
])
def test_predefined_roles_allow_reads_and_writes_as_a_server_does(secure, admin, names, roles,
                                                                   can_read, can_write):
    writer = names.user("w")
    admin.admin.create_user(writer, "pw", ["read-write"])
    user = names.user()
    admin.admin.create_user(user, "pw", roles)
    key = _key("t14", names.tag)
    with secure.as_user(writer, "pw") as rw:
        rw.put(key, {"a": 1})
        with secure.as_user(user, "pw") as client:
            if can_read:
                assert client.get(key).bins == {"a": 1}
            else:
                assert _code(client.get, key) == ROLE_VIOLATION
            if can_write:
                client.put(key, {"a": 2})
            else:
                assert _code(client.put, key, {"a": 2}) == ROLE_VIOLATION
                assert _code(client.remove, key) == ROLE_VIOLATION
        rw.remove(key)


def test_a_role_scoped_to_a_set_allows_only_that_set(secure, admin, names):
    user, role = names.user_with_role([Privilege(AS_PRIVILEGE_READ_WRITE, NS, "t14-allowed")])
    assert admin.admin.query_role(role).privileges == [Privilege(AS_PRIVILEGE_READ_WRITE, NS, "t14-allowed")]
    with secure.as_user(user, "pw") as client:
        allowed, other = _key("t14-allowed", names.tag), _key("t14-other", names.tag)
        client.put(allowed, {"a": 1})
        assert client.get(allowed).bins == {"a": 1}
        assert _code(client.put, other, {"a": 1}) == ROLE_VIOLATION
        assert _code(client.get, other) == ROLE_VIOLATION
        client.remove(allowed)


def test_batch_rows_outside_the_scope_answer_role_violation(secure, admin, names):
    user, _ = names.user_with_role([Privilege(AS_PRIVILEGE_READ, NS, "t14-allowed")])
    writer = names.user("w")
    admin.admin.create_user(writer, "pw", ["read-write"])
    allowed, other = _key("t14-allowed", names.tag), _key("t14-other", names.tag)
    with secure.as_user(writer, "pw") as rw:
        rw.put(allowed, {"a": 1})
        rw.put(other, {"a": 2})
        with secure.as_user(user, "pw") as client:
            results = client.batch_records([BatchRead(allowed), BatchRead(other)])
            assert [int(r.result) for r in results] == [0, ROLE_VIOLATION]
            assert results[0].record.bins == {"a": 1}
        rw.remove(allowed)
        rw.remove(other)


def test_a_scan_needs_read_on_its_set(secure, admin, names):
    scanned = f"t14-scan-{names.tag}"
    user, _ = names.user_with_role([Privilege(AS_PRIVILEGE_READ, NS, scanned)])
    writer = names.user("w")
    admin.admin.create_user(writer, "pw", ["read-write"])
    key = (NS, scanned, "one")
    with secure.as_user(writer, "pw") as rw:
        rw.put(key, {"a": 1})
        with secure.as_user(user, "pw") as client:
            assert [record.bins for record in client.scan(NS, scanned)] == [{"a": 1}]
            with pytest.raises(AerospikeError) as raised:
                list(client.scan(NS, f"t14-elsewhere-{names.tag}"))
            assert raised.value.code == ROLE_VIOLATION
        rw.remove(key)


def test_a_query_refused_for_its_permission_is_refused_before_its_set_or_index(secure, admin, names):
    """thr_tsvc.c: the permission of a query (as_security_check_data_op) comes before as_query
    reads its set or index: a background job on a set never written is ROLE_VIOLATION, not
    NOT_FOUND (which the client would take as a job done), and a query on an unindexed bin
    is ROLE_VIOLATION, not INDEX_NOT_FOUND."""
    user, _ = names.user_with_role([Privilege(AS_PRIVILEGE_READ, NS, f"t14-allowed-{names.tag}")])
    elsewhere = f"t14-never-written-{names.tag}"
    with secure.as_user(user, "pw") as client:
        assert _code(client.query_background, NS, elsewhere, ("t14_no_index", 0, 9),
                     ops=[ops.write("b", 1)], wait=False) == ROLE_VIOLATION
        assert _code(lambda: list(client.query(NS, elsewhere, where=("t14_no_index", 0, 9)))
                     ) == ROLE_VIOLATION


def test_grant_and_revoke_privileges_change_a_role(secure, admin, names):
    user, role = names.user_with_role([Privilege(AS_PRIVILEGE_READ, NS)])
    key = _key("t14", names.tag)
    with secure.as_user(user, "pw") as client:
        assert _code(client.put, key, {"a": 1}) == ROLE_VIOLATION
        admin.admin.grant_privileges(role, [Privilege(AS_PRIVILEGE_WRITE, NS)])
        assert sorted((p.code, p.ns) for p in admin.admin.query_role(role).privileges) == [
            (AS_PRIVILEGE_READ, NS), (AS_PRIVILEGE_WRITE, NS)]
        client.put(key, {"a": 1})
        admin.admin.revoke_privileges(role, [Privilege(AS_PRIVILEGE_WRITE, NS)])
        assert _code(client.put, key, {"a": 2}) == ROLE_VIOLATION
        # revoking a privilege the role does not have is no error
        admin.admin.revoke_privileges(role, [Privilege(AS_PRIVILEGE_WRITE, NS, "nowhere")])
        admin.admin.grant_privileges(role, [Privilege(AS_PRIVILEGE_WRITE, NS)])
        client.remove(key)


def test_create_role_refusals(admin, names):
    role = names.role()
    admin.admin.create_role(role, [Privilege(AS_PRIVILEGE_READ)])
    assert _code(admin.admin.create_role, role, [Privilege(AS_PRIVILEGE_READ)]) == ROLE_ALREADY_EXISTS
    assert _code(admin.admin.create_role, "read", [Privilege(AS_PRIVILEGE_READ)]) == ROLE_ALREADY_EXISTS
    assert _code(admin.admin.drop_role, f"t14-nosuch-{names.tag}") == INVALID_ROLE
    assert _code(admin.admin.grant_privileges, f"t14-nosuch-{names.tag}",
                 [Privilege(AS_PRIVILEGE_READ)]) == INVALID_ROLE
    # the C client itself refuses a scope on a global privilege
    with pytest.raises(ParamError):
        admin.admin.create_role(names.role("g"), [Privilege(AS_PRIVILEGE_USER_ADMIN, NS)])
    # a privilege code must be an as_privilege_code
    with pytest.raises(ValueError):
        as_privilege().code = 99


def test_drop_role_removes_it_from_its_users(secure, admin, names):
    role = names.role()
    admin.admin.create_role(role, [Privilege(AS_PRIVILEGE_READ_WRITE, NS)])
    user = names.user()
    admin.admin.create_user(user, "pw", [role, "read"])
    admin.admin.drop_role(role)
    assert admin.admin.query_user(user).roles == ["read"]
    with secure.as_user(user, "pw") as client:
        assert _code(client.put, _key("t14", names.tag), {"a": 1}) == ROLE_VIOLATION


def test_query_roles_lists_the_predefined_roles(admin):
    roles = {role.name: role for role in admin.admin.query_roles()}
    expected = {"user-admin": AS_PRIVILEGE_USER_ADMIN, "read": AS_PRIVILEGE_READ,
                "read-write": AS_PRIVILEGE_READ_WRITE, "read-write-udf": AS_PRIVILEGE_READ_WRITE_UDF,
                "write": AS_PRIVILEGE_WRITE, "truncate": AS_PRIVILEGE_TRUNCATE,
                "data-admin": AS_PRIVILEGE_DATA_ADMIN, "sindex-admin": AS_PRIVILEGE_SINDEX_ADMIN}
    for name, code in expected.items():
        assert roles[name].privileges == [Privilege(code)], name
    assert admin.admin.query_role("read").privileges == [Privilege(AS_PRIVILEGE_READ)]
    assert _code(admin.admin.query_role, "t14-no-such-role") == INVALID_ROLE


def test_info_commands_need_their_privilege(secure, admin, names):
    user = names.user()
    admin.admin.create_user(user, "pw", ["read-write"])
    index = f"t14_idx_{names.tag}"
    with secure.as_user(user, "pw") as client:
        assert _code(client.truncate, NS, "t14-trunc") == ROLE_VIOLATION
        assert _code(client.index_create, NS, "t14", "n", index, AS_INDEX_NUMERIC) == ROLE_VIOLATION
    admin.admin.grant_roles(user, ["sindex-admin", "truncate"])
    with secure.as_user(user, "pw") as client:
        client.truncate(NS, "t14-trunc")
        client.index_create(NS, "t14", "n", index, AS_INDEX_NUMERIC)
        client.index_remove(NS, index)


# -- whitelists -----------------------------------------------------------------------------

def test_a_whitelist_limits_where_users_log_in_from(secure, admin, names):
    own = _own_address(*secure.hosts[0])
    role = names.role()
    admin.admin.create_role(role, [Privilege(AS_PRIVILEGE_READ)], whitelist=[_other_address(own)])
    assert admin.admin.query_role(role).whitelist == [_other_address(own)]
    user = names.user()
    admin.admin.create_user(user, "pw", [role])
    assert _code(secure.client, user, "pw") == NOT_WHITELISTED
    admin.admin.set_whitelist(role, [_other_address(own), f"{own}/32"])
    with secure.as_user(user, "pw") as client:
        assert client.is_connected()
    admin.admin.set_whitelist(role, [])
    assert admin.admin.query_role(role).whitelist == []
    assert _code(admin.admin.set_whitelist, role, ["not-an-address"]) == INVALID_WHITELIST


# -- quotas ---------------------------------------------------------------------------------

def test_quotas_need_enable_quotas(admin, names):
    if "enable-quotas=true" in admin.info("get-config:context=security"):
        pytest.skip("this cluster enables quotas")
    assert _code(admin.admin.create_role, names.role(), [Privilege(AS_PRIVILEGE_READ)],
                 read_quota=10) == QUOTAS_NOT_ENABLED


@pytest.mark.parametrize("quotas", [{"read_quota": -1}, {"read_quota": 5, "write_quota": -5}])
def test_a_negative_quota_is_refused_and_creates_no_role(admin, names, quotas):
    """C's create_role_quotas leaves a negative quota out of the request: the role was made
    without that limit and the call succeeded."""
    role = names.role()
    with pytest.raises(ValueError, match="quota"):
        admin.admin.create_role(role, [Privilege(AS_PRIVILEGE_READ)], **quotas)
    assert _code(admin.admin.query_role, role) == INVALID_ROLE


@pytest.fixture(scope="module")
def quota_secure() -> Iterator[Secure]:
    yield from _secure(quotas=True)


def test_a_read_quota_limits_reads_per_second(quota_secure):
    with quota_secure.as_user(quota_secure.user, quota_secure.password) as admin:
        made = Names(admin)
        try:
            role = made.role()
            admin.admin.create_role(role, [Privilege(AS_PRIVILEGE_READ_WRITE, NS)], read_quota=2,
                                    write_quota=1000)
            found = admin.admin.query_role(role)
            assert (found.read_quota, found.write_quota) == (2, 1000)
            user = made.user()
            admin.admin.create_user(user, "pw", [role])
            assert admin.admin.query_user(user).read_info[0] == 2
            key = _key("t14", made.tag)
            with quota_secure.as_user(user, "pw") as client:
                client.put(key, {"a": 1})
                codes = []
                for _ in range(20):
                    try:
                        client.get(key)
                        codes.append(0)
                    except AerospikeError as exc:
                        codes.append(int(exc.code))
                assert QUOTA_EXCEEDED in codes and set(codes) <= {0, QUOTA_EXCEEDED}
                admin.admin.set_quotas(role, 0, 0)  # no limit
                for _ in range(20):
                    client.get(key)
                client.remove(key)
            assert _code(admin.admin.set_quotas, role, -1, 0) == INVALID_QUOTA
        finally:
            made.cleanup()


# -- the C-faithful functions and their structs ---------------------------------------------

def test_the_c_names_port_line_for_line(admin, names):
    as_ = admin.aerospike
    policy = as_policy_admin_init()
    role = names.role()
    priv = as_privilege()
    priv.ns = NS
    priv.code = AS_PRIVILEGE_READ
    aerospike_create_role(as_, policy, role, [priv])
    user = names.user()
    aerospike_create_user(as_, None, user, "pw", [role])
    found = aerospike_query_user(as_, None, user)
    assert (found.name, found.roles, found.roles_size) == (user, [role], 1)
    as_user_destroy(found)
    with pytest.raises(LifecycleError):
        found.name
    with pytest.raises(LifecycleError):
        as_user_destroy(found)
    with pytest.raises(AttributeError):
        found.conns_in_use = 3
    users = aerospike_query_users(as_, None)
    assert user in [u.name for u in users]
    as_user_destroy(users[0])  # one element alone, then the rest with the array
    as_users_destroy(users)
    with pytest.raises(LifecycleError):
        as_users_destroy(users)
    got = aerospike_query_role(as_, None, role)
    assert (got.name, got.privileges_size, got.whitelist, got.read_quota) == (role, 1, [], 0)
    assert got.privileges == [as_privilege(AS_PRIVILEGE_READ, NS, "")]
    as_role_destroy(got)
    roles = aerospike_query_roles(as_, None)
    assert role in [r.name for r in roles]
    as_roles_destroy(roles)
    aerospike_drop_user(as_, None, user)
    aerospike_drop_role(as_, None, role)


def test_bad_arguments_are_python_errors(admin):
    as_ = admin.aerospike
    with pytest.raises(TypeError):
        aerospike_create_user(as_, None, "t14-x", "pw", "read")  # not a list
    with pytest.raises(TypeError):
        aerospike_create_role(as_, None, "t14-x", [("read", "test")])
    with pytest.raises(ValueError):
        as_privilege(AS_PRIVILEGE_READ, "n" * 40)  # as_namespace holds 31 bytes
    with pytest.raises(ParamError):
        aerospike_create_user(as_, None, "t14-x", "pw", ["r"] * 256)  # a 1-byte count in C
    with pytest.raises(ParamError):
        aerospike_create_user(as_, None, "t14-x", "pw", ["r" * 256])  # a 1-byte length in C
    with pytest.raises(ParamError):  # more than the C client's 16 KiB request buffer
        aerospike_drop_user(as_, None, "u" * 20000)
    with pytest.raises(ParamError):
        aerospike_create_role(as_, None, "t14-x", [as_privilege(AS_PRIVILEGE_READ, "n" * 31, "s" * 63)] * 255)
    with pytest.raises(TypeError):
        as_users_destroy([])
    with pytest.raises(ValueError):
        aerospike_create_user(as_, None, "t14-x", "p\0w", [])


def test_a_query_name_longer_than_the_request_buffer_is_a_param_error(secure):
    """aerospike_query_user/_role wrote the name into C's 16 KiB stack buffer unchecked: a
    100 kB name overflowed it (SIGBUS). Run in a child interpreter: a crash fails the test."""
    from probe_helpers import run_probe

    lines = run_probe(f'''
        client = Client(Config(HOSTS, user={secure.user!r}, password={secure.password!r}))
        as_ = client.connect().aerospike
        outcome(asc.aerospike_query_user, as_, None, "u" * 100000)
        outcome(asc.aerospike_query_role, as_, None, "r" * 100000)
        outcome(client.admin.query_user, "u" * 20000)
        print("end")
    ''', hosts=secure.hosts)
    assert lines[-1] == "end", lines
    assert all(line.startswith("ParamError:") and "16384-byte admin buffer" in line
               for line in lines[:-1]), lines

# -- passwords stay secret ------------------------------------------------------------------

def test_passwords_appear_in_no_message_repr_or_log(secure, admin, names, caplog):
    secret = f"S3cret-{names.tag}"
    user = names.user()
    caplog.set_level(logging.DEBUG, logger="aerospike_c")
    aerospike_log.enable(level=logging.DEBUG)
    try:
        admin.admin.create_user(user, secret, ["read"])
        texts = []
        for call in (lambda: admin.admin.create_user(user, secret, ["read"]),
                     lambda: admin.admin.create_user(names.user("b"), secret, ["t14-none"]),
                     lambda: secure.client(user, secret + "x"),
                     lambda: admin.admin.set_password(f"t14-nobody-{names.tag}", secret),
                     lambda: admin.admin.create_user("u" * 70, secret, [])):
            with pytest.raises(AerospikeError) as raised:
                call()
            texts += [str(raised.value), repr(raised.value), raised.value.message]
        config = Config(secure.hosts, user=user, password=secret)
        texts += [repr(config), str(config)]
        with secure.as_user(user, secret) as client:
            texts += [repr(client), repr(client.admin), repr(client.admin.query_user())]
        texts += [record.getMessage() for record in caplog.records]
    finally:
        aerospike_log.disable()
    assert texts and not [text for text in texts if secret in text]


def test_udf_modules_need_udf_admin_and_applying_them_read_write_udf(secure, admin, names):
    user = names.user()
    admin.admin.create_user(user, "pw", ["read-write"])
    module = f"t14_{names.tag}.lua"
    source = b"function touch_n(rec, n)\n  rec['n'] = n\n  aerospike:update(rec)\n  return n\nend\n"
    key = _key("t14", names.tag)
    with secure.as_user(user, "pw") as client:
        assert _code(client.udf_put, module, source) == ROLE_VIOLATION
        admin.admin.grant_roles(user, ["udf-admin"])
        client.udf_put(module, source)
        try:
            client.put(key, {"n": 0})
            assert _code(client.apply, key, module[:-4], "touch_n", [5]) == ROLE_VIOLATION
            admin.admin.grant_roles(user, ["read-write-udf"])
            assert client.apply(key, module[:-4], "touch_n", [5]) == 5
            assert client.get(key).bins == {"n": 5}
            client.remove(key)
        finally:
            client.udf_remove(module)


def test_without_security_admin_calls_answer_security_not_enabled(request):
    """A server with security off (the session's cluster: the embedded one, or a real one in
    its default configuration) refuses admin commands."""
    if real_cluster_hosts() is not None and os.environ.get("AEROSPIKE_ADMIN_USER"):
        pytest.skip("AEROSPIKE_ADMIN_USER is set: the real cluster has security on")
    client = request.getfixturevalue("aerospike_client")
    assert _code(client.admin.create_user, "t14-x", "pw", ["read"]) == 52  # SECURITY_NOT_ENABLED
    assert _code(client.admin.query_roles) == 52
    # no user named and none configured: the C client answers INVALID_USER itself
    assert _code(client.admin.query_user) == INVALID_USER
    with pytest.raises(ParamError):
        client.admin.change_password("pw")
