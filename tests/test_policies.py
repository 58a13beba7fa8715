"""Policies: every as_policy_*_init() gives the C defaults, every field is settable by its C
name and checked, and a None policy means the client's config default, as NULL does in C."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from aerospike_c.bindings.as_policy import policy_from_config, policy_with
from multi_record_fixtures import (NAMESPACE, client, set_name,  # noqa: F401 - pytest fixtures
                                   skip_unless_ttl_allowed)

# as_config.policies.<kind> -> the init function C's as_config_init() runs for it.
CONFIG_KINDS = ["read", "write", "operate", "remove", "apply", "batch", "batch_parent_write",
                "batch_write", "batch_apply", "batch_remove", "scan", "query", "info", "admin",
                "txn_verify", "txn_roll"]


@pytest.mark.parametrize("kind", CONFIG_KINDS)
def test_init_gives_what_as_config_init_gives(kind):
    policy = getattr(asc, f"as_policy_{kind}_init")()
    assert policy.to_dict() == getattr(asc.as_config_init().policies, kind).to_dict()


def test_batch_read_init_gives_the_per_record_defaults():
    policy = asc.as_policy_batch_read_init()
    assert policy.filter_exp is None
    assert policy.read_mode_ap == asc.AS_POLICY_READ_MODE_AP_ONE
    assert policy.read_mode_sc == asc.AS_POLICY_READ_MODE_SC_SESSION


@pytest.mark.parametrize("kind", ["read", "write", "operate", "remove", "apply", "batch", "scan", "query"])
def test_base_timeouts_are_the_c_client_defaults(kind):
    base = getattr(asc, f"as_policy_{kind}_init")().base
    assert base.socket_timeout in (asc.AS_POLICY_SOCKET_TIMEOUT_DEFAULT, 30000)
    assert base.timeout_delay == asc.AS_POLICY_TIMEOUT_DELAY_DEFAULT
    assert base.filter_exp is None and base.txn is None


def test_write_policy_defaults_name_the_c_enums():
    policy = asc.as_policy_write_init()
    assert policy.key is asc.as_policy_key.AS_POLICY_KEY_DIGEST
    assert policy.exists is asc.as_policy_exists.AS_POLICY_EXISTS_IGNORE
    assert policy.gen is asc.as_policy_gen.AS_POLICY_GEN_IGNORE
    assert policy.commit_level is asc.as_policy_commit_level.AS_POLICY_COMMIT_LEVEL_ALL


def test_every_field_of_every_policy_is_settable_by_its_c_name():
    for kind in CONFIG_KINDS + ["batch_read"]:
        policy = getattr(asc, f"as_policy_{kind}_init")()
        for name, value in policy.to_dict().items():
            if isinstance(value, dict) or name in ("filter_exp", "txn"):
                continue
            new = (not value) if isinstance(value, bool) else value
            setattr(policy, name, new)
            assert getattr(policy, name) == new, f"as_policy_{kind}.{name}"


def test_setting_fields_is_checked():
    policy = asc.as_policy_write_init()
    policy.base.total_timeout = 50
    policy.exists = asc.AS_POLICY_EXISTS_CREATE
    policy.durable_delete = True
    assert (policy.base.total_timeout, policy.exists, policy.durable_delete) == (50, asc.AS_POLICY_EXISTS_CREATE, True)
    with pytest.raises(ValueError):
        policy.exists = 99
    with pytest.raises(ValueError):
        policy.base.total_timeout = -1
    with pytest.raises(ValueError):
        policy.ttl = 2 ** 32
    with pytest.raises(TypeError):
        policy.durable_delete = 1
    with pytest.raises(TypeError):
        policy.base.max_retries = "2"
    with pytest.raises(AttributeError):
        policy.no_such_field = 1


def test_filter_exp_and_txn_take_only_their_c_types():
    policy = asc.as_policy_read_init()
    policy.base.filter_exp = None
    with pytest.raises(TypeError):
        policy.base.filter_exp = "bin('a') > 1"
    with pytest.raises(TypeError):
        policy.base.txn = object()


def test_policy_with_sets_nested_and_base_fields():
    policy = policy_with(asc.as_policy_read_init(),
                         {"total_timeout": 75, "base": {"max_retries": 4},
                          "replica": asc.AS_POLICY_REPLICA_MASTER})
    assert (policy.base.total_timeout, policy.base.max_retries, policy.replica) == \
        (75, 4, asc.AS_POLICY_REPLICA_MASTER)
    with pytest.raises(TypeError, match="nope"):
        policy_with(asc.as_policy_read_init(), {"nope": 1})


def test_a_policy_of_another_kind_is_a_type_error(client, set_name):  # noqa: F811
    with pytest.raises(TypeError, match="as_policy_write"):
        client.put((NAMESPACE, set_name, 1), {"a": 1}, policy=asc.as_policy_read_init())
    with pytest.raises(TypeError):
        client.get((NAMESPACE, set_name, 1), policy=42)


# -- the config default and per-call policies -----------------------------------------------------
@pytest.fixture(scope="module")
def create_only_client(aerospike_hosts):
    """A client whose config write policy is 'create only' and read total_timeout 1234."""
    config = asc.Config(hosts=aerospike_hosts,
                        policies={"write": {"exists": asc.AS_POLICY_EXISTS_CREATE},
                                  "read": {"base": {"total_timeout": 1234}}})
    with asc.Client(config) as connected:
        yield connected


def test_a_none_policy_is_the_configs_default(create_only_client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "create-only")
    create_only_client.put(key, {"a": 1})
    with pytest.raises(asc.RecordExistsError) as caught:
        create_only_client.put(key, {"a": 2})
    assert caught.value.code == asc.AEROSPIKE_ERR_RECORD_EXISTS


def test_a_dict_policy_overrides_a_copy_of_the_configs_default(create_only_client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "override")
    create_only_client.put(key, {"a": 1})
    create_only_client.put(key, {"a": 2}, policy={"exists": asc.AS_POLICY_EXISTS_UPDATE})
    assert create_only_client.get(key).bins == {"a": 2}
    read = policy_from_config(create_only_client.aerospike, "read")
    assert read.base.total_timeout == 1234
    write = policy_from_config(create_only_client.aerospike, "write")
    assert write.exists == asc.AS_POLICY_EXISTS_CREATE


def test_a_c_initialized_policy_ignores_the_config(create_only_client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "c-default")
    create_only_client.put(key, {"a": 1})
    create_only_client.put(key, {"a": 3}, policy=asc.as_policy_write_init())  # exists IGNORE
    assert create_only_client.get(key).bins == {"a": 3}


def test_exists_actions(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "exists-actions")
    with pytest.raises(asc.RecordNotFoundError):
        client.put(key, {"a": 1}, policy={"exists": asc.AS_POLICY_EXISTS_UPDATE})
    with pytest.raises(asc.RecordNotFoundError):
        client.put(key, {"a": 1}, policy={"exists": asc.AS_POLICY_EXISTS_REPLACE})
    client.put(key, {"a": 1, "b": 2}, policy={"exists": asc.AS_POLICY_EXISTS_CREATE})
    client.put(key, {"a": 5}, policy={"exists": asc.AS_POLICY_EXISTS_REPLACE})
    assert client.get(key).bins == {"a": 5}
    client.put(key, {"c": 1}, policy={"exists": asc.AS_POLICY_EXISTS_CREATE_OR_REPLACE})
    assert client.get(key).bins == {"c": 1}
    client.put(key, {"d": 1}, policy={"exists": asc.AS_POLICY_EXISTS_UPDATE})
    assert client.get(key).bins == {"c": 1, "d": 1}


def test_generation_policies(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "generation")
    client.put(key, {"a": 1})
    gen = client.exists(key)["gen"]
    client.put(key, {"a": 2}, gen=gen, policy={"gen": asc.AS_POLICY_GEN_EQ})
    with pytest.raises(asc.RecordGenerationError):
        client.put(key, {"a": 3}, gen=gen, policy={"gen": asc.AS_POLICY_GEN_EQ})
    client.put(key, {"a": 4}, gen=gen + 10, policy={"gen": asc.AS_POLICY_GEN_GT})
    with pytest.raises(asc.RecordGenerationError):
        client.remove(key, policy={"gen": asc.AS_POLICY_GEN_EQ, "generation": gen})
    current = client.exists(key)["gen"]
    client.remove(key, policy={"gen": asc.AS_POLICY_GEN_EQ, "generation": current})
    assert client.exists(key) is None


def test_ttl_is_written_and_read_back(client, set_name):  # noqa: F811
    skip_unless_ttl_allowed(client)
    key = (NAMESPACE, set_name, "ttl")
    client.put(key, {"a": 1}, ttl=1000)
    assert 990 <= client.exists(key)["ttl"] <= 1000
    # The policy's ttl applies when the record's ttl is AS_RECORD_CLIENT_DEFAULT_TTL.
    client.put(key, {"a": 3}, ttl=asc.AS_RECORD_CLIENT_DEFAULT_TTL, policy={"ttl": 2000})
    assert 1990 <= client.exists(key)["ttl"] <= 2000
    client.put(key, {"a": 4}, ttl=asc.AS_RECORD_NO_CHANGE_TTL)
    assert 1990 <= client.exists(key)["ttl"] <= 2000


def test_generation_is_checked_on_a_record_the_write_would_create(client, set_name):  # noqa: F811
    # A record that does not exist has generation 0: GEN_EQ with another generation and
    # GEN_GT with 0 fail (the server checks the generation of the record it just created).
    with pytest.raises(asc.RecordGenerationError):
        client.put((NAMESPACE, set_name, "new-eq"), {"a": 1}, gen=5,
                   policy={"gen": asc.AS_POLICY_GEN_EQ})
    with pytest.raises(asc.RecordGenerationError):
        client.put((NAMESPACE, set_name, "new-gt"), {"a": 1}, gen=0,
                   policy={"gen": asc.AS_POLICY_GEN_GT})
    assert client.exists((NAMESPACE, set_name, "new-eq")) is None
    assert client.exists((NAMESPACE, set_name, "new-gt")) is None
    client.put((NAMESPACE, set_name, "new-eq"), {"a": 1}, gen=0,
               policy={"gen": asc.AS_POLICY_GEN_EQ})
    client.put((NAMESPACE, set_name, "new-gt"), {"a": 1}, gen=1,
               policy={"gen": asc.AS_POLICY_GEN_GT})
    assert client.exists((NAMESPACE, set_name, "new-eq"))["gen"] == 1


@pytest.mark.parametrize("exists", ["REPLACE", "CREATE_OR_REPLACE"])
def test_a_replace_refuses_what_needs_the_bins_it_drops(client, set_name, exists):  # noqa: F811
    from aerospike_c._records import ops
    key = (NAMESPACE, set_name, "replace-" + exists)
    client.put(key, {"a": 1, "s": "x", "l": [1]})
    policy = {"exists": getattr(asc, "AS_POLICY_EXISTS_" + exists)}
    with pytest.raises(asc.RequestInvalidError):  # a bin delete
        client.put(key, {"a": 2, "s": None}, policy=policy)
    for operation in (ops.incr("a", 1), ops.append("s", "y"), ops.prepend("s", "y"),
                      ops.list_append("l", 2), ops.delete(), ops.touch()):
        with pytest.raises(asc.RequestInvalidError):
            client.operate(key, [ops.write("b", 1), operation], policy=policy)
    assert client.get(key).bins == {"a": 1, "s": "x", "l": [1]}
    client.operate(key, [ops.write("b", 1)], policy=policy)
    assert client.get(key).bins == {"b": 1}
