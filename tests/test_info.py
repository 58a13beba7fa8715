"""Info requests: aerospike_info_any/host/node/foreach and Client.info/info_all."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from multi_record_fixtures import (NAMESPACE, client,  # noqa: F401 - pytest fixture
                                   skip_unless_ttl_allowed, unique_set)


def test_info_any_answers_with_the_command_echoed_and_its_value(client):
    response = asc.aerospike_info_any(client.aerospike, None, "namespaces")
    command, tab, value = response.partition("\t")
    assert (command, tab) == ("namespaces", "\t")
    assert NAMESPACE in value.strip().split(";")


def test_info_host_asks_the_given_host(client, aerospike_hosts):
    host, port = aerospike_hosts[0]
    response = asc.aerospike_info_host(client.aerospike, None, host, port, "node")
    assert response.startswith("node\t")
    assert response.rstrip("\n").split("\t")[1] in client.node_names()


def test_info_node_asks_that_node(client):
    for name in client.node_names():
        assert asc.aerospike_info_node(client.aerospike, None, name, "node") == f"node\t{name}\n"
        assert client.info("node", node=name) == name


def test_info_node_with_an_unknown_node_raises_invalid_node(client):
    with pytest.raises(asc.InvalidNodeError) as raised:
        asc.aerospike_info_node(client.aerospike, None, "NO_SUCH_NODE", "node")
    assert raised.value.code == asc.AEROSPIKE_ERR_INVALID_NODE
    assert "NO_SUCH_NODE" in raised.value.message


def test_info_with_a_policy_view(client):
    policy = asc.as_policy_info_init()
    policy.timeout = 2000
    assert client.info("namespaces", policy=policy).split(";").count(NAMESPACE) == 1
    with pytest.raises(TypeError):
        asc.aerospike_info_any(client.aerospike, asc.as_policy_read_init(), "node")


def test_info_request_is_not_changed_by_send_as_is_false(client):
    policy = asc.as_policy_info_init()
    policy.send_as_is = False  # the C client rewrites ';' ':' ',' of its copy into newlines
    request = "node;build"
    response = asc.aerospike_info_any(client.aerospike, policy, request)
    assert request == "node;build"
    assert {line.split("\t")[0] for line in response.strip().split("\n")} == {"node", "build"}


def test_info_foreach_calls_back_once_per_node(client):
    calls = []

    def callback(err, node, req, res, udata):
        calls.append((err, node, req, res, udata))
        return True

    marker = object()
    assert asc.aerospike_info_foreach(client.aerospike, None, "node", callback, marker) is True
    assert sorted(call[1] for call in calls) == sorted(client.node_names())
    for err, node, req, res, udata in calls:
        assert err is None and req == "node" and udata is marker
        assert res == f"node\t{node}\n"
    assert client.info_all("node") == {name: name for name in client.node_names()}


def test_info_foreach_stops_when_the_callback_returns_false(client):
    calls = []
    stopped = asc.aerospike_info_foreach(client.aerospike, None, "node",
                                         lambda *args: calls.append(args) or False)
    assert stopped is False
    assert len(calls) == 1


def test_info_foreach_reraises_a_callback_exception_and_stops(client):
    calls = []

    def callback(err, node, req, res, udata):
        calls.append(node)
        raise LookupError("from the callback")

    with pytest.raises(LookupError, match="from the callback"):
        asc.aerospike_info_foreach(client.aerospike, None, "node", callback)
    assert len(calls) == 1


def test_info_error_reply_raises_with_the_c_location(client):
    # Any server rejects an index name it cannot take (too long); C raises from the reply.
    request = f"sindex-create:namespace={NAMESPACE};indexname={'x' * 300};bin=b;type=NUMERIC"
    with pytest.raises(asc.ServerError) as raised:
        asc.aerospike_info_any(client.aerospike, None, request)
    error = raised.value
    assert error.code > 0 and error.message
    assert error.file.endswith("as_info.c") and error.line > 0


def test_info_checks_its_arguments(client):
    with pytest.raises(TypeError):
        asc.aerospike_info_any(client.aerospike, None, b"node")
    with pytest.raises(ValueError):
        asc.aerospike_info_host(client.aerospike, None, "127.0.0.1", 70000, "node")
    with pytest.raises(TypeError):
        asc.aerospike_info_foreach(client.aerospike, None, "node", "not callable")
    with pytest.raises(TypeError):
        client.info("node", node="A", host=("127.0.0.1", 3000))


def test_info_on_an_unconnected_instance_is_refused():
    instance = asc.aerospike_init(asc.as_config_init())
    try:
        with pytest.raises(asc.LifecycleError):
            asc.aerospike_info_any(instance, None, "node")
    finally:
        asc.aerospike_destroy(instance)


def test_a_sets_default_ttl_is_what_a_default_ttl_write_to_it_gets(client):
    """Aerospike 7.0+: a set's own default-ttl (`set-config:context=namespace;id=<ns>;
    set=<set>;default-ttl=<s>`, shown by `sets/<ns>/<set>`) is the ttl of a write sending the
    default (0) to that set, over the namespace's (rw_utils.h, effective_default_ttl); 0 gives
    the namespace's back; a write's own ttl wins, and other sets keep the namespace's."""
    skip_unless_ttl_allowed(client)
    config = client.info(f"get-config:context=namespace;id={NAMESPACE}")
    settings = dict(item.split("=", 1) for item in config.split(";") if "=" in item)
    name, other = unique_set(), unique_set()
    written = []

    def ttl_of_default_write(set_name, key):
        written.append((NAMESPACE, set_name, key))
        client.put(written[-1], {"a": 1})
        return client.get(written[-1]).meta["ttl"]

    def is_namespace_ttl(ttl):  # the namespace's default-ttl; 0 never expires
        default = int(settings["default-ttl"])
        return ttl == 4294967295 if default == 0 else default - 10 <= ttl <= default

    set_config = f"set-config:context=namespace;id={NAMESPACE};set={name};default-ttl="
    try:
        assert set(client.info_all(set_config + "1000").values()) == {"ok"}
        assert all(":default-ttl=1000:" in value
                   for value in client.info_all(f"sets/{NAMESPACE}/{name}").values())
        assert 990 <= ttl_of_default_write(name, "by-set") <= 1000
        assert is_namespace_ttl(ttl_of_default_write(other, "other"))
        written.append((NAMESPACE, name, "own"))
        client.put(written[-1], {"a": 1}, ttl=50)
        assert 40 <= client.get(written[-1]).meta["ttl"] <= 50
        with pytest.raises(asc.RequestInvalidError):
            client.info_all(set_config + "3651d")  # more than the 10-year max-ttl
        assert set(client.info_all(set_config + "0").values()) == {"ok"}
        assert is_namespace_ttl(ttl_of_default_write(name, "by-namespace"))
    finally:
        client.info_all(set_config + "0")
        for key in written:
            try:
                client.remove(key)
            except asc.RecordNotFoundError:  # its write failed
                pass


def test_a_set_emptied_or_only_configured_is_listed_with_no_objects(client):
    """A set stays in `sets` once the namespace has it (namespace.c, as_namespace_get_set_info
    walks the set ids): its records deleted, or only configured, it shows objects=0. Nodes
    that never held one of its records do not list an emptied set."""
    emptied, configured = unique_set(), unique_set()
    client.put((NAMESPACE, emptied, "k"), {"a": 1})
    client.remove((NAMESPACE, emptied, "k"))
    set_config = f"set-config:context=namespace;id={NAMESPACE};set={configured};default-ttl=0"
    assert set(client.info_all(set_config).values()) == {"ok"}

    def listed(set_name):
        answers = client.info_all(f"sets/{NAMESPACE}").values()
        return [dict(item.split("=", 1) for item in entry.split(":") if "=" in item)
                for answer in answers for entry in answer.split(";")
                if f"set={set_name}:" in entry]

    assert listed(emptied) and all(entry["objects"] == "0" for entry in listed(emptied))
    entries = listed(configured)
    assert len(entries) == len(client.node_names())
    assert all(entry["objects"] == "0" for entry in entries)
