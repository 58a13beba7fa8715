"""as_config: C defaults, every field by C name, checked setters, host strings, ownership."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from aerospike_c import (
    LifecycleError,
    ParamError,
    as_config_add_host,
    as_config_add_hosts,
    as_config_clear_hosts,
    as_config_init,
    as_config_set_user,
    aerospike_destroy,
    aerospike_init,
    aerospike_new,
)
from aerospike_c.bindings._cstruct import CStruct


def test_documented_c_defaults_after_init():
    config = as_config_init()
    # Defaults documented in as_config.h.
    assert config.tender_interval == 1000
    assert config.fail_if_not_connected is True
    assert config.max_conns_per_node == 100
    assert config.min_conns_per_node == 0
    assert config.conn_pools_per_node == 1
    assert config.conn_timeout_ms == 1000
    assert config.login_timeout_ms == 5000
    assert config.max_socket_idle == 0
    assert config.max_error_rate == 100
    assert config.error_rate_window == 1
    assert config.thread_pool_size == 16
    assert config.use_services_alternate is False
    assert config.rack_aware is False
    assert config.tls.enable is False
    assert config.auth_mode == asc.AS_AUTH_INTERNAL
    assert config.hosts == [] and config.ip_map == {} and config.rack_ids == []
    assert config.cluster_name is None and config.user == "" and config.password == ""
    assert config.policies.read.base.total_timeout == asc.AS_POLICY_TOTAL_TIMEOUT_DEFAULT
    assert config.policies.write.key == asc.AS_POLICY_KEY_DIGEST
    assert config.policies.write.exists == asc.AS_POLICY_EXISTS_IGNORE
    assert config.policies.read.replica == asc.AS_POLICY_REPLICA_SEQUENCE


def test_policy_defaults_match_the_c_policy_init_functions():
    from aerospike_c._aerospike import ffi, lib

    config = as_config_init()
    for name, init in [("read", lib.as_policy_read_init), ("write", lib.as_policy_write_init),
                       ("operate", lib.as_policy_operate_init), ("remove", lib.as_policy_remove_init),
                       ("apply", lib.as_policy_apply_init), ("scan", lib.as_policy_scan_init),
                       ("query", lib.as_policy_query_init), ("info", lib.as_policy_info_init),
                       ("batch", lib.as_policy_batch_init)]:
        fresh = ffi.new(f"{ffi.typeof(getattr(config.policies, name)._ptr).item.cname}*")
        init(fresh)
        expected = CStruct(fresh, config, name).to_dict()
        assert getattr(config.policies, name).to_dict() == expected, name


def _leaf_fields(view, prefix=""):
    for name in view:
        value = getattr(view, name)
        if isinstance(value, CStruct):
            yield from _leaf_fields(value, f"{prefix}{name}.")
        else:
            yield view, name, f"{prefix}{name}", value


def test_every_declared_field_is_readable():
    names = {path for _, _, path, _ in _leaf_fields(as_config_init())}
    for expected in ["tender_interval", "conn_pools_per_node", "ip_map", "rack_ids", "tls.cafile",
                     "tls.for_login_only", "policies.read.base.socket_timeout",
                     "policies.batch_write.durable_delete", "policies.metrics.interval",
                     "lua.user_path", "config_provider.interval", "shm_takeover_threshold_sec"]:
        assert expected in names


def test_every_integer_field_round_trips_its_extremes_and_rejects_beyond():
    from aerospike_c._aerospike import ffi
    from aerospike_c.bindings._cstruct import _HANDLERS, field_range

    config = as_config_init()
    checked = 0
    for view, name, path, value in _leaf_fields(config):
        ctype = dict(ffi.typeof(view._ptr).item.fields)[name].type
        if ctype.kind != "primitive" or ctype.cname == "_Bool" or (view._cname, name) in _HANDLERS:
            continue
        low, high, _ = field_range(view._cname, name, ctype)
        for good in (low, high):
            setattr(view, name, good)
            assert getattr(view, name) == good, path
        # C's TTL sentinels -1, -2, -3 (AS_RECORD_*_TTL) are accepted in uint32_t ttl fields
        for bad in (low - (4 if name == "ttl" else 1), high + 1):
            with pytest.raises(ValueError, match=path.split(".")[-1]):
                setattr(view, name, bad)
        with pytest.raises(TypeError, match=path.split(".")[-1]):
            setattr(view, name, "1")
        checked += 1
    assert checked > 60


@pytest.mark.parametrize("field, value, error", [
    ("tender_interval", 1.5, TypeError),
    ("tender_interval", True, TypeError),
    ("fail_if_not_connected", 1, TypeError),
    ("auth_mode", 42, ValueError),
    ("auth_mode", "AS_AUTH_PKI", TypeError),
    ("user", "u" * 64, ValueError),
    ("cluster_name", 5, TypeError),
    ("cluster_name", "a\0b", ValueError),
    ("policies", {}, TypeError),
    ("rack_ids", [1, "2"], TypeError),
    ("ip_map", [("a", "b")], TypeError),
])
def test_wrong_type_or_range_names_the_field(field, value, error):
    config = as_config_init()
    with pytest.raises(error, match=field):
        setattr(config, field, value)


def test_unknown_field_and_read_only_fields():
    config = as_config_init()
    with pytest.raises(AttributeError, match="tend_interval"):
        config.tend_interval = 5  # the C field is tender_interval
    with pytest.raises(AttributeError, match="read-only"):
        config.hosts = []


def test_string_pointer_fields_are_owned_by_c():
    config = as_config_init()
    asc.as_config_set_cluster_name(config, "prod")
    assert config.cluster_name == "prod"
    config.cluster_name = "other"
    asc.as_config_set_app_id(config, "app")
    asc.as_config_tls_set_cafile(config, "/etc/ca.pem")
    asc.as_config_tls_set_keyfile_pw(config, "secret")
    assert (config.cluster_name, config.app_id, config.tls.cafile, config.tls.keyfile_pw) == \
        ("other", "app", "/etc/ca.pem", "secret")
    asc.as_config_set_cluster_name(config, None)
    assert config.cluster_name is None


def test_enum_fields_read_back_as_their_c_enum():
    config = as_config_init()
    config.policies.write.exists = asc.AS_POLICY_EXISTS_CREATE
    value = config.policies.write.exists
    assert value == asc.AS_POLICY_EXISTS_CREATE
    assert type(value).__name__ == "as_policy_exists" and value.name == "AS_POLICY_EXISTS_CREATE"


def test_rack_ids_and_ip_map():
    config = as_config_init()
    asc.as_config_add_rack_id(config, 3)
    config.rack_ids = config.rack_ids + [7]
    assert config.rack_ids == [3, 7]
    config.ip_map = {"10.1.1.1": "127.0.0.1", "10.1.1.2": "127.0.0.2"}
    assert config.ip_map == {"10.1.1.1": "127.0.0.1", "10.1.1.2": "127.0.0.2"}
    assert config.ip_map_size == 2
    config.ip_map = None
    assert config.ip_map == {} and config.ip_map_size == 0


@pytest.mark.parametrize("text, default_port, expected", [
    ("127.0.0.1", 3000, [("127.0.0.1", 3000, None)]),
    ("a:3001,b:3002", 3000, [("a", 3001, None), ("b", 3002, None)]),
    ("host:tls-name:4333", 3000, [("host", 4333, "tls-name")]),
    ("host:tls-name", 4000, [("host", 4000, "tls-name")]),
    ("[::1]:3100", 3000, [("::1", 3100, None)]),
    ("[fe80::1%eth0]", 3000, [("fe80::1%eth0", 3000, None)]),
    ("[2001:db8::7]:tls:3101,10.0.0.1", 3000, [("2001:db8::7", 3101, "tls"), ("10.0.0.1", 3000, None)]),
])
def test_add_hosts_parses_the_c_syntax(text, default_port, expected):
    config = as_config_init()
    assert as_config_add_hosts(config, text, default_port) is True
    assert config.hosts == expected


@pytest.mark.parametrize("text", ["host:tls:port", "host:tls:12x", "host:12x", "a:1,b:tls:x"])
def test_bad_host_strings_raise_and_add_nothing(text):
    config = as_config_init()
    as_config_add_host(config, "seed", 3000)
    with pytest.raises(ParamError) as info:
        as_config_add_hosts(config, text, 3000)
    assert info.value.code == asc.AEROSPIKE_ERR_PARAM
    assert config.hosts == [("seed", 3000, None)]


@pytest.mark.parametrize("args, error", [
    ((None, 3000), TypeError), (("h", "3000"), TypeError), (("h", 70000), ValueError),
    (("h", -1), ValueError), (("h\0x", 1), ValueError),
])
def test_add_host_checks_its_arguments(args, error):
    with pytest.raises(error):
        as_config_add_host(as_config_init(), *args)


def test_clear_hosts_and_tls_host_without_tls_name():
    config = as_config_init()
    asc.as_config_tls_add_host(config, "a", None, 1)
    asc.as_config_tls_add_host(config, "b", "tb", 2)
    assert config.hosts == [("a", 1, None), ("b", 2, "tb")]
    as_config_clear_hosts(config)
    assert config.hosts == []


def test_set_user_follows_c_return_values():
    config = as_config_init()
    assert as_config_set_user(config, "admin", "pw") is True
    assert (config.user, config.password) == ("admin", "pw")
    assert as_config_set_user(config, "", "pw") is False
    assert as_config_set_user(config, "u" * 64, "pw") is False
    assert (config.user, config.password) == ("admin", "pw")  # unchanged on false, as in C


@pytest.mark.parametrize("make", [aerospike_init, aerospike_new])
def test_config_belongs_to_the_instance_after_init(make):
    config = as_config_init()
    asc.as_config_set_cluster_name(config, "c1")
    as_config_add_host(config, "127.0.0.1", 3000)
    instance = make(config)
    with pytest.raises(LifecycleError, match="aerospike_init"):
        config.tender_interval = 5
    with pytest.raises(LifecycleError):
        as_config_add_host(config, "x", 1)
    with pytest.raises(LifecycleError):
        make(config)  # would double-free in C
    assert instance.config.cluster_name == "c1"
    assert instance.config.hosts == [("127.0.0.1", 3000, None)]
    instance.config.tender_interval = 250
    assert instance.config.tender_interval == 250
    aerospike_destroy(instance)
    with pytest.raises(LifecycleError, match="destroyed"):
        instance.config.tender_interval


def test_idiomatic_config_is_checked_up_front_and_reusable():
    config = asc.Config("127.0.0.1:3000,[::1]:3001", tender_interval=500,
                        policies={"read": {"base": {"total_timeout": 321}}}, tls={"enable": False})
    for _ in range(2):
        c_config = config.to_as_config()
        assert c_config.hosts == [("127.0.0.1", 3000, None), ("::1", 3001, None)]
        assert c_config.tender_interval == 500
        assert c_config.policies.read.base.total_timeout == 321
    with pytest.raises(ValueError, match="tender_interval"):
        asc.Config(tender_interval=-5)
    with pytest.raises(TypeError, match="tender_interval"):
        asc.Config(tender_interval={"x": 1})
    with pytest.raises(TypeError, match="no_such_field"):
        asc.Config(no_such_field=1)
    with pytest.raises(ValueError, match="user and password"):
        asc.Config(user="only-user")


def test_idiomatic_config_keeps_what_it_was_given_and_what_is_changed_through_it():
    policies = {"read": {"base": {"total_timeout": 321}}}
    rack_ids = [1, 2]
    config = asc.Config([("127.0.0.1", 3000)], policies=policies, rack_ids=rack_ids)
    policies["read"]["base"]["total_timeout"] = 999  # the caller's own objects: not the Config's
    rack_ids.append(3)
    first, second = config.to_as_config(), config.to_as_config()
    for c_config in (first, second):
        assert c_config.policies.read.base.total_timeout == 321
        assert c_config.rack_ids == [1, 2]
    assert first._ptr != second._ptr  # each Client gets its own as_config

    # What is changed through the Config applies to the next as_config, the first one too.
    changed = asc.Config([("127.0.0.1", 3000)], tender_interval=500)
    changed.fields["tender_interval"] = 700
    changed.fields.setdefault("policies", {})["write"] = {"base": {"total_timeout": 42}}
    changed.hosts.append(("127.0.0.2", 3001, None))
    c_config = changed.to_as_config()
    assert c_config.tender_interval == 700
    assert c_config.policies.write.base.total_timeout == 42
    assert c_config.hosts == [("127.0.0.1", 3000, None), ("127.0.0.2", 3001, None)]
    for attribute, value in (("hosts", [("127.0.0.3", 3002, None)]), ("fields", {"tender_interval": 800})):
        fresh = asc.Config([("127.0.0.1", 3000)], tender_interval=500)
        setattr(fresh, attribute, value)
        c_config = fresh.to_as_config()
        assert (c_config.hosts == value) if attribute == "hosts" else (c_config.tender_interval == 800)
    both = asc.Config([("127.0.0.1", 3000)])
    both.user, both.password = "someone", "secret"
    assert both.to_as_config().user == "someone"


def test_a_copied_or_pickled_config_makes_its_own_as_config():
    import copy
    import pickle
    config = asc.Config([("127.0.0.1", 3000)], tender_interval=500, policies={"read": {"base": {"max_retries": 3}}})
    copies = [copy.copy(config), copy.deepcopy(config), pickle.loads(pickle.dumps(config)), config]
    made = [each.to_as_config() for each in copies]
    assert len({c_config._ptr for c_config in made}) == 4
    for c_config in made:
        assert c_config.tender_interval == 500 and c_config.policies.read.base.max_retries == 3
        assert c_config.hosts == [("127.0.0.1", 3000, None)]


@pytest.mark.parametrize("hosts", [[("127.0.0.1", 3000)], "127.0.0.1:3000"], ids=["tuples", "string"])
def test_a_copied_config_changed_in_place_leaves_the_original_as_it_was(hosts):
    """copy.copy(config) is a Config of its own: changing its .fields or .hosts in place
    changes neither the original nor the Clients made from it (the plain-Config path, which
    keeps what it checked, and the checked one alike)."""
    import copy
    config = asc.Config(hosts, tender_interval=1000)
    copied = copy.copy(config)
    copied.fields["tender_interval"] = 5000
    copied.hosts.append(("127.0.0.2", 3001, None))
    assert config.fields == {"tender_interval": 1000}
    assert config.hosts == [("127.0.0.1", 3000, None)]
    made = [asc.Client(config), asc.Client(config), asc.Client(copied)]
    try:
        for client in made[:2]:
            assert client.config.tender_interval == 1000
            assert client.config.hosts == [("127.0.0.1", 3000, None)]
        assert made[2].config.tender_interval == 5000
        assert made[2].config.hosts == [("127.0.0.1", 3000, None), ("127.0.0.2", 3001, None)]
    finally:
        for client in made:
            client.destroy()


def test_a_config_subclass_that_makes_its_own_as_config_gets_it_for_every_client():
    """Client(config) makes its instance from config.to_as_config(): a subclass that
    overrides it is used as it says, a plain Config's (tuples, int fields) too."""
    class Tuned(asc.Config):
        def to_as_config(self):
            config = super().to_as_config()
            config.tender_interval = 2000
            return config

    config = Tuned([("127.0.0.1", 3000)], max_conns_per_node=50)
    made = [asc.Client(config), asc.Client(config)]
    try:
        for client in made:
            assert (client.config.tender_interval, client.config.max_conns_per_node) == (2000, 50)
    finally:
        for client in made:
            client.destroy()


class _Permissive(int):
    """An int subclass whose comparisons say every value is in range."""
    def __le__(self, other):
        return True

    def __ge__(self, other):
        return True


@pytest.mark.parametrize("port", [_Permissive(0), _Permissive(70000), _Permissive(-1)], ids=int)
def test_a_port_is_checked_by_the_number_c_gets(port):
    """An int subclass's own comparisons do not let a port C cannot take through: the
    Config raises, tuples (its plain path) and host strings' default_port alike."""
    with pytest.raises(ValueError, match=rf"port must be in \[1, 65535\], got {int(port)}"):
        asc.Config([("127.0.0.1", port)])
    with pytest.raises(ValueError, match=rf"port must be in \[1, 65535\], got {int(port)}"):
        asc.Config("127.0.0.1", default_port=port)
    config = asc.Config([("127.0.0.1", _Permissive(3000))])
    client = asc.Client(config)
    try:
        assert client.config.hosts == [("127.0.0.1", 3000, None)]
    finally:
        client.destroy()


def test_an_int_field_set_is_checked_as_every_field_is():
    """Plain integer fields take a shorter path: the same checks and messages."""
    config = as_config_init()
    config.tender_interval = 250
    config.policies.read.base.total_timeout = 70
    assert (config.tender_interval, config.policies.read.base.total_timeout) == (250, 70)
    with pytest.raises(ValueError, match=r"as_config.tender_interval must be in"):
        config.tender_interval = -1
    with pytest.raises(TypeError, match=r"as_config.tender_interval must be an int, not bool"):
        config.tender_interval = True
    with pytest.raises(ValueError, match=r"as_config.max_conns_per_node"):
        config.max_conns_per_node = 2 ** 32  # a FIELD_LIMITS range, not the C type's
    instance = aerospike_init(config)
    with pytest.raises(LifecycleError, match=r"as_config.tender_interval: this as_config was given"):
        config.tender_interval = 5
    aerospike_destroy(instance)
    other = aerospike_init(as_config_init())
    live = other.config
    aerospike_destroy(other)
    with pytest.raises(LifecycleError, match=r"aerospike.config.tender_interval: the aerospike instance was destroyed"):
        live.tender_interval = 5


def test_hosts_assigned_or_changed_through_a_config_are_checked_as_its_own():
    """config.hosts = ... is checked (and a host string parsed) as Config(hosts) does it; a
    host appended in place to config.hosts is checked when the next as_config is made."""
    config = asc.Config([("127.0.0.1", 3000)], default_port=3100)
    config.hosts = "10.0.0.1:3001,10.0.0.2"
    assert config.hosts == [("10.0.0.1", 3001, None), ("10.0.0.2", 3100, None)]
    assert config.to_as_config().hosts == [("10.0.0.1", 3001, None), ("10.0.0.2", 3100, None)]
    config.hosts = [("10.0.0.3", 3002, "tls-c")]
    assert config.to_as_config().hosts == [("10.0.0.3", 3002, "tls-c")]
    for bad, error in (("10.0.0.1:99999", ValueError), ([("h", 0)], ValueError),
                       ([("h",)], TypeError), (5, TypeError)):
        with pytest.raises(error):
            config.hosts = bad
        assert config.hosts == [("10.0.0.3", 3002, "tls-c")]  # unchanged by a refused value
    config.hosts.append(("10.0.0.4", 3003))
    assert config.to_as_config().hosts == [("10.0.0.3", 3002, "tls-c"), ("10.0.0.4", 3003, None)]
    config.hosts.append("10.0.0.5")  # a host string in the list: the Config's default port
    assert config.to_as_config().hosts[-1] == ("10.0.0.5", 3100, None)
    assert asc.Config(["10.0.0.6", "10.0.0.7:3007"], default_port=3200).hosts == [
        ("10.0.0.6", 3200, None), ("10.0.0.7", 3007, None)]
    config.hosts.append(["not", "a tuple"])
    with pytest.raises(TypeError, match="a host is"):
        config.to_as_config()
