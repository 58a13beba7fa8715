"""The Client's one-call fast paths (csrc/asc_key.h, bindings/asc_key.py) against the general
path (bindings/aerospike_key.py, which builds as_key / as_record / as_operations through the
C-faithful bindings): the same records, metadata and errors for every input, and each fast
path really taken for the inputs it takes."""
from __future__ import annotations

import collections
import sys
import threading

import pytest

import aerospike_c as asc
from aerospike_c.bindings import asc_key
from aerospike_c.bindings.aerospike_key import (
    exists_meta, get_record, operate_record, put_bins, remove_key,
)
from aerospike_c._records import _operations
from multi_record_fixtures import (NAMESPACE, client, set_name,  # noqa: F401 - pytest fixtures
                                   ttl_refusal, unique_set)

GEO = asc.GeoJSON('{"type":"Point","coordinates":[1.5,2.5]}')
BINS = [
    {"i": 1},
    {"neg": -(1 << 63), "big": (1 << 63) - 1, "zero": 0},
    {"s": "héllo wörld", "nul": "a\x00b", "empty": ""},
    {"b": b"\x00\x01\xff", "eb": b""},
    {"f": 1.5, "nan_free": -0.0, "t": True, "fa": False},
    {"l": [1, "a", [2.5, None, [b"x"]], (3, 4)], "el": []},
    {"m": {"z": 1, 2: "b", b"k": [1, {"x": None}]}, "em": {}},
    {"g": GEO, "gl": [GEO]},
    {"deep": [[[[[[[[[[1]]]]]]]]]]},
    {"a" * 15: "longest name"},
    # more str and bytes bins than a put holds without copying (ASC_PY_PINS): the rest copied
    {**{f"s{i}": f"text {i}" for i in range(20)}, **{f"b{i}": bytes([i]) * i for i in range(20)}},
]
KEYS = ["s-key", 7, -(1 << 63), b"\x00bytes", "nul\x00inside", ""]


def _key(set_name, user_key):  # noqa: F811
    return (NAMESPACE, set_name, user_key)


def _raised(call):
    try:
        call()
    except BaseException as exc:  # noqa: B902 - compared below
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize("bins", BINS, ids=[",".join(b) for b in BINS])
def test_put_and_get_agree_with_the_general_path(client, set_name, bins):  # noqa: F811
    as_ = client.aerospike
    fast_key, slow_key = _key(set_name, "fast"), _key(set_name, "slow")
    assert asc_key.put(as_, None, fast_key, bins, -1, None) is True  # the fast path took it
    put_bins(as_, None, slow_key, bins, -1)  # never expire: the metadata compares equal
    fast = asc_key.get(as_, None, fast_key)
    assert fast is not None and type(fast) is asc.Record
    for key in (fast_key, slow_key):
        assert asc_key.get(as_, None, key) == get_record(as_, None, key)
        assert client.get(key).bins == get_record(as_, None, slow_key).bins
    assert fast.key[:3] == fast_key and len(fast.key[3]) == 20
    assert asc_key.exists(as_, None, fast_key) == exists_meta(as_, None, fast_key)


@pytest.mark.parametrize("user_key", KEYS, ids=repr)
def test_keys_agree_with_the_general_path(client, set_name, user_key):  # noqa: F811
    as_ = client.aerospike
    key = _key(set_name, user_key)
    assert asc_key.put(as_, None, key, {"v": 1}, -1, None) is True  # never expires: meta stays
    record = asc_key.get(as_, None, key)
    assert record == get_record(as_, None, key)
    digest = record.key[3]
    for same in ((NAMESPACE, set_name, user_key, digest), (NAMESPACE, set_name, None, digest),
                 (NAMESPACE, set_name, user_key, None)):
        got = asc_key.get(as_, None, same)
        assert got is not None and got == get_record(as_, None, same)
        assert got.bins == {"v": 1}
    assert asc_key.remove(as_, None, key) is True
    assert asc_key.exists(as_, None, key) is False and exists_meta(as_, None, key) is None


def test_a_key_without_a_set(client):  # noqa: F811
    as_ = client.aerospike
    key = (NAMESPACE, None, "fast-paths-no-set")
    assert asc_key.put(as_, None, key, {"v": 2}, -1, None) is True
    assert asc_key.get(as_, None, key) == get_record(as_, None, key)
    client.remove(key)


BAD_KEYS = [
    ("test", "s", 1.5), ("test", "s", True), ("test", "s", 1 << 64), ("test", "s", -(1 << 64)),
    ("", "s", 1), ("n" * 32, "s", 1), ("test", "s" * 64, 1), ("te\x00st", "s", 1),
    ("test", "s", None), ("test", "s", None, b"short"), ("test", "s", 1, b"\x00" * 20),
    ("test", "s"), ("test", "s", 1, None, 5), ["test", "s", 1], ("test", 5, 1), (5, "s", 1),
    ("test", "s", "x" * ((1 << 20) + 1)),
]
# A key the fast path declines but the general path writes (the record is found on a second
# run against the same server, unless its set is new each run).
LONE_SURROGATE_KEY = ("test", unique_set(), "\udcff")


@pytest.mark.parametrize("key", [*BAD_KEYS, LONE_SURROGATE_KEY],
                         ids=lambda key: "lone surrogate" if key is LONE_SURROGATE_KEY else repr(key))
def test_bad_keys_raise_what_the_general_path_raises(client, key):  # noqa: F811
    as_ = client.aerospike
    assert asc_key.get(as_, None, key) is None  # not taken: nothing sent
    assert asc_key.put(as_, None, key, {"a": 1}, None, None) is None
    expected = _raised(lambda: get_record(as_, None, key))
    assert expected is not None
    assert _raised(lambda: client.get(key)) == expected
    assert _raised(lambda: client.exists(key)) == _raised(lambda: exists_meta(as_, None, key))
    assert _raised(lambda: client.remove(key)) == _raised(lambda: remove_key(as_, None, key))
    assert (_raised(lambda: client.put(key, {"a": 1}))
            == _raised(lambda: put_bins(as_, None, key, {"a": 1})))


class _Str(str):
    pass


BAD_PUTS = [
    ({"a": object()}, None, None), ({"a" * 16: 1}, None, None), ({"a\x00": 1}, None, None),
    ({1: 1}, None, None), ({"a": 1 << 63}, None, None), ({"a": {True: 1}}, None, None),
    ({"a": {"k": set()}}, None, None), ({"a": {1.5: "f"}}, None, None),
    ({"a": 1}, -4, None), ({"a": 1}, 1 << 32, None), ({"a": 1}, "60", None),
    ({"a": 1}, None, -1), ({"a": 1}, None, 1 << 16), ({"a": 1}, None, 1.0),
]


@pytest.mark.parametrize("bins,ttl,gen", BAD_PUTS, ids=repr)
def test_bad_puts_raise_what_the_general_path_raises(client, set_name, bins, ttl, gen):  # noqa: F811
    as_ = client.aerospike
    key = _key(set_name, "bad")
    assert asc_key.put(as_, None, key, bins, ttl, gen) is None
    expected = _raised(lambda: put_bins(as_, None, key, bins, ttl, gen))
    assert expected is not None
    assert _raised(lambda: client.put(key, bins, ttl=ttl, gen=gen)) == expected


def test_values_of_other_types_take_the_general_path(client, set_name):  # noqa: F811
    """Subclasses and other containers are not read in C; the general path stores them."""
    as_ = client.aerospike
    key = _key(set_name, "others")
    for bins in ({"a": _Str("x")}, {"a": bytearray(b"ab")}, {"a": collections.OrderedDict(x=1)},
                 {"a": "\udcff"}):  # a surrogate escape: the byte it stands for
        assert asc_key.put(as_, None, key, bins, None, None) is None
        client.put(key, bins)
        assert client.get(key) == get_record(as_, None, key)


def test_errors_agree(client, set_name):  # noqa: F811
    as_ = client.aerospike
    missing = _key(set_name, "missing")
    expected = _raised(lambda: get_record(as_, None, missing))
    assert expected[0] is asc.RecordNotFoundError
    assert _raised(lambda: client.get(missing))[0] is asc.RecordNotFoundError
    assert _raised(lambda: client.remove(missing))[0] is asc.RecordNotFoundError
    assert client.exists(missing) is None
    wrong = asc.as_policy_write_init()
    assert (_raised(lambda: client.get(missing, policy=wrong))
            == _raised(lambda: get_record(as_, wrong, missing)))
    key = _key(set_name, "gen")
    client.put(key, {"a": 1})
    policy = {"gen": asc.AS_POLICY_GEN_EQ}
    generation = client._policy("write", policy)
    error = _raised(lambda: client.put(key, {"a": 2}, gen=5, policy=policy))
    assert error == _raised(lambda: put_bins(as_, generation, key, {"a": 2}, None, 5))
    assert error[0] is asc.RecordGenerationError
    client.put(key, {"a": 3}, gen=1, policy=policy)
    assert client.get(key).bins == {"a": 3}
    exists = client._policy("write", {"exists": asc.AS_POLICY_EXISTS_CREATE})
    error = _raised(lambda: client.put(key, {"a": 4}, policy=exists))
    assert error == _raised(lambda: put_bins(as_, exists, key, {"a": 4}))
    assert error[0] is asc.RecordExistsError


def test_policies_are_used(client, set_name):  # noqa: F811
    as_ = client.aerospike
    key = _key(set_name, "policy")
    if ttl_refusal(client) is None:  # a server's default takes no ttl
        client.put(key, {"a": 1}, ttl=100)
        assert 90 <= client.get(key, policy={"total_timeout": 500}).meta["ttl"] <= 100
    client.put(key, {"a": 1}, ttl=-1)
    assert client.get(key, policy={"total_timeout": 500}).meta["ttl"] == 4294967295
    client.put(key, {"b": 2}, ttl=-2)
    assert client.get(key).meta["ttl"] == 4294967295 and client.get(key).bins == {"a": 1, "b": 2}
    read = asc.as_policy_read_init()
    assert asc_key.get(as_, read, key) == get_record(as_, read, key)


OPS = [
    [asc.ops.incr("n", 2), asc.ops.write("s", "x"), asc.ops.read("n")],
    [asc.ops.incr("d", 0.5), asc.ops.read("d")],
    [asc.ops.write("l", [1, {"a": b"x"}]), asc.ops.read()],
    [asc.ops.append("s", "-tail"), asc.ops.prepend("s", "head-"), asc.ops.read("s")],
    [asc.ops.write("r", b"mid"), asc.ops.append("r", b"++"), asc.ops.prepend("r", b"--"),
     asc.ops.read("r")],
    [asc.ops.touch(), asc.ops.read("n")],
    [asc.ops.write("n", None), asc.ops.read()],
    [asc.ops.read("n"), asc.ops.incr("n", 1), asc.ops.read("n")],
    # writes of each kind a write operation points at or sets in place, and a copied one
    [asc.ops.write("i", -5), asc.ops.write("f", 2.25), asc.ops.write("t", "wörd"),
     asc.ops.write("z", "a\x00b"), asc.ops.write("b", b"\x00\xff"), asc.ops.write("e", ""),
     asc.ops.write("t2", True), asc.ops.read()],
    [asc.ops.write(f"w{i}", f"v{i}") for i in range(20)] + [asc.ops.read()],
]


@pytest.mark.parametrize("operations", OPS, ids=range(len(OPS)))
@pytest.mark.parametrize("ordered", [False, True])
def test_operate_agrees_with_the_general_path(client, set_name, operations, ordered):  # noqa: F811
    as_ = client.aerospike
    fast_key, slow_key = _key(set_name, "op-fast"), _key(set_name, "op-slow")
    policy = client._policy("operate", {"respond_all_ops": True}) if ordered else None
    for key in (fast_key, slow_key):
        client.put(key, {"n": 1, "s": "mid", "d": 1.0}, ttl=-1)
    fast = asc_key.operate(as_, policy, fast_key, operations, -1, None, ordered)
    assert fast is not None
    slow = operate_record(as_, policy, slow_key, _operations(operations, -1, None), ordered=ordered)
    assert fast[1:] == slow[1:]
    assert fast[0][:3] == fast_key and fast[0][3] == get_record(as_, None, fast_key).key[3]
    assert get_record(as_, None, fast_key).bins == get_record(as_, None, slow_key).bins


def test_operations_that_are_not_simple_take_the_general_path(client, set_name):  # noqa: F811
    as_ = client.aerospike
    key = _key(set_name, "op-general")
    client.put(key, {"l": [3, 1, 2]})
    for operations in ([asc.ops.list_sort("l", 0), asc.ops.read("l")],
                       [(asc.as_operations_add_read, ("l",))],
                       [asc.ops.append("l", bytearray(b"x"))],
                       [asc.ops.incr("l", True)]):
        assert asc_key.operate(as_, None, key, operations, None, None, False) is None
    assert client.operate(key, [asc.ops.list_sort("l", 0), asc.ops.read("l")]).bins == {"l": [1, 2, 3]}
    for operations in ([asc.ops.write("a" * 16, 1)], [asc.ops.write("a", object())],
                       [asc.ops.incr("n", 1 << 63)], [asc.ops.append("s", "a\x00b")], ["read"]):
        expected = _raised(lambda: operate_record(as_, None, key, _operations(operations, None, None)))
        assert expected is not None
        assert _raised(lambda: client.operate(key, operations)) == expected


def test_scan_foreach_agrees_with_the_c_faithful_scan(client, set_name):  # noqa: F811
    """Client.scan_foreach decodes each chunk in C (asc_batch.h scan_each); the C-faithful
    aerospike_scan_foreach decodes it with msgpack: the same Records, the same stop."""
    for i, bins in enumerate(BINS):
        client.put(_key(set_name, i), bins)
    client.put((NAMESPACE, set_name, "nul\x00key"), {"i": 1})
    fast, slow = [], []
    client.scan_foreach(NAMESPACE, set_name, fast.append)
    scan = asc.as_scan_init(NAMESPACE, set_name)
    asc.aerospike_scan_foreach(client.aerospike, None, scan, lambda record, udata: slow.append(record))
    asc.as_scan_destroy(scan)
    assert fast[-1] is None and slow[-1] is None
    assert all(type(record) is asc.Record for record in fast[:-1])
    assert sorted(fast[:-1], key=repr) == sorted(slow[:-1], key=repr)
    assert len(fast) == len(BINS) + 2
    seen = []
    client.scan_foreach(NAMESPACE, set_name, lambda record: seen.append(record) or len(seen) < 3)
    assert len(seen) == 3
    with pytest.raises(ZeroDivisionError):
        client.scan_foreach(NAMESPACE, set_name, lambda record: 1 / 0)


def test_batch_reads_agree_with_single_reads(client, set_name):  # noqa: F811
    """Client.batch_get / batch_bins decode the lean rows in C (asc_batch.h batch_rows)."""
    as_ = client.aerospike
    keys = [_key(set_name, i) for i in range(len(BINS))] + [_key(set_name, "absent")]
    for key, bins in zip(keys, BINS):
        client.put(key, bins, ttl=-1)
    expected = [get_record(as_, None, key) for key in keys[:-1]] + [None]
    assert client.batch_get(keys) == expected
    assert client.batch_get(tuple(keys)) == expected
    assert all(type(record) is asc.Record for record in client.batch_get(keys)[:-1])
    assert client.batch_bins(keys) == [record.bins for record in expected[:-1]] + [None]
    digests = [(NAMESPACE, set_name, None, record.key[3]) for record in expected[:-1]]
    assert [r.bins for r in client.batch_get(digests)] == [r.bins for r in expected[:-1]]


def test_batch_reads_take_the_fast_path_and_agree_with_the_general_path(client, set_name):  # noqa: F811
    """asc_batch.h batch_get builds each result from the as_record in its listener: the
    same Records, bins and errors as the general path (the C-faithful batch rows)."""
    from aerospike_c.bindings.asc_batch import ROWS_BINS, ROWS_RECORDS, batch_read

    as_ = client.aerospike
    keys = [_key(set_name, i) for i in range(len(BINS))] + [_key(set_name, "absent")]
    for key, bins in zip(keys, BINS):
        client.put(key, bins, ttl=-1)
    general, failed = client._batch_rows("aerospike_batch_get", keys, None)
    assert failed is None
    expected = [asc.Record(tuple(row[0]), {"gen": row[5], "ttl": row[6]}, row[7])
                if row[1] == 0 else None for row in general]
    fast = batch_read(as_, None, keys, ROWS_RECORDS)
    assert fast is not None and fast == (expected, None, 0)
    assert batch_read(as_, None, tuple(keys), ROWS_BINS) == (
        [None if r is None else r.bins for r in expected], None, 0)
    assert batch_read(as_, None, [], ROWS_RECORDS) == ([], None, 0)
    # a key it does not take (a list, an as_key): nothing sent, the general path answers
    for other in (list(keys[0]), asc.as_key_init_int64(NAMESPACE, set_name, 0)):
        assert batch_read(as_, None, keys[:2] + [other], ROWS_RECORDS) is None
    assert client.batch_get(keys[:2] + [list(keys[0])]) == expected[:2] + [expected[0]]
    for bad in (("test", "s", 1.5), ("", "s", 1), ("test", "s", None)):
        assert batch_read(as_, None, [bad], ROWS_RECORDS) is None
        assert _raised(lambda: client.batch_get([keys[0], bad])) is not None  # the general path


def test_batch_read_failures_agree_with_the_general_path(client, set_name):  # noqa: F811
    """A record a filter expression filters out fails its row (FILTERED_OUT): the fast path
    reports the row as the general path does and the Client raises the same error."""
    from aerospike_c.bindings.asc_batch import ROWS_RECORDS, batch_read

    as_ = client.aerospike
    keys = [_key(set_name, i) for i in range(3)]
    for i, key in enumerate(keys):
        client.put(key, {"i": i})
    policy = client._policy("batch", None, asc.exp.eq(asc.exp.bin_int("i"), 1))
    rows, failure, n_failed = batch_read(as_, policy, keys, ROWS_RECORDS)
    general, general_failure = client._batch_rows("aerospike_batch_get", keys, policy)
    assert n_failed == 2 and rows[1].bins == {"i": 1}
    for row, slow in zip(rows, general):
        if slow[1] != 0:
            assert row == [slow[1], slow[2], slow[3], slow[4], None]
    assert (failure is None) == (general_failure is None)
    only_1 = asc.exp.eq(asc.exp.bin_int("i"), 1)
    error = _raised(lambda: client.batch_get(keys, filter_exp=only_1))
    assert error is not None and issubclass(error[0], asc.exceptions.RecordError)
    assert error == _raised(lambda: client.batch_get(keys, ["i"], filter_exp=only_1))  # general
    assert _raised(lambda: client.batch_bins(keys, filter_exp=only_1)) == error


@pytest.mark.parametrize("name,calls", [
    ("write", [("a", 1), ("a", None), ("a", [1, "x"]), ("a" * 16, 1), ("a",), ()]),
    ("read", [("a",), (), (None,), (5,), ("a", "b")]),
    ("incr", [("a", 2), ("a", 2.5), ("a", True), ("a",), ("a", "x"), ("a", 1, 2)]),
])
def test_operation_factories_in_c_agree_with_the_python_ones(name, calls):
    """ops.write / read / incr build their Operation in C (asc_key.h operation_factory);
    the Python factory each one holds gives the same Operations and the same errors, and
    takes the calls with keywords."""
    factory = getattr(asc.ops, name)
    python = factory.__self__[1]
    for args in calls:
        assert _raised(lambda: factory(*args)) == _raised(lambda: python(*args))
        if _raised(lambda: python(*args)) is None:
            made = factory(*args)
            assert type(made) is asc.Operation and made == python(*args)
    assert asc.ops.read(bin_name="x") == python("x") if name == "read" else True
    assert asc.ops.write(bin_name="b", value=2) == asc.Operation(asc.as_operations_add_write, ("b", 2))
    assert asc.ops.incr("n", by=1.5).function is asc.as_operations_add_incr_double


PLAIN_CONFIGS = [
    ([("127.0.0.1", 3000)], {}),
    ((("127.0.0.1", 3000), ("node-b", 3001, "tls-b"), ("::1", 65535, None)),
     {"max_conns_per_node": 300, "tender_interval": 250, "use_services_alternate": True,
      "rack_id": -5, "fail_if_not_connected": False, "thread_pool_size": 0}),
    ([], {"conn_timeout_ms": 0, "max_socket_idle": 86400}),
]
NOT_PLAIN_CONFIGS = [  # what the plain recipe leaves to the checked path: most of it wrong
    ([("", 3000)], {}), ([(" ", 3000)], {}), ([("h\x00x", 3000)], {}), ([("h", 0)], {}),
    ([("h", 65536)], {}), ([("h", True)], {}), ([("h", "3000")], {}), ([(b"h", 3000)], {}),
    ([("h", 3000, "t\x00")], {}), ([("h", 3000, 5)], {}), ([("h",)], {}), ([["h", 3000]], {}),
    ([("h", 3000, None, 1)], {}), ("127.0.0.1:3000", {}), ([("\udc80", 3000)], {}),
    ([("h", 3000)], {"max_conns_per_node": -1}), ([], {"tender_interval": 249}),
    ([], {"max_conns_per_node": True}), ([], {"max_conns_per_node": 2 ** 32}),
    ([], {"use_services_alternate": 1}), ([], {"no_such_field": 1}), ([], {"ip_map_size": 1}),
    ([], {"auth_mode": 99}), ([], {"auth_mode": asc.AS_AUTH_EXTERNAL}), ([], {"tend_thread_cpu": 1024}),
    ([], {"policies": {"read": {"base": {"total_timeout": 5}}}}), ([], {"cluster_name": "c"}),
]


def _checked_path(monkeypatch):
    """Make every Config take the checked path (as_config_init and the C-faithful setters)."""
    from aerospike_c import client as client_module
    monkeypatch.setattr(client_module, "_plain_recipe", lambda *args: None)


@pytest.mark.parametrize("hosts,fields", PLAIN_CONFIGS, ids=range(len(PLAIN_CONFIGS)))
def test_a_plain_config_makes_the_instance_the_checked_path_makes(monkeypatch, hosts, fields):
    """A Config of (host, port[, tls_name]) tuples and plain int/bool fields gets its
    instance from aerospike_init_plain (one C call, no as_config object): the same
    as_config as the checked path gives, every Client made from it."""
    config = asc.Config(hosts, **fields)
    assert type(config._probe).__name__ == "_PlainRecipe"  # the fast path is taken
    made = [asc.Client(config), asc.Client(config)]
    with monkeypatch.context() as patch:
        _checked_path(patch)
        checked = asc.Config(hosts, **fields)
        assert isinstance(checked._probe, asc.as_config)
        made.append(asc.Client(checked))
    try:
        first = made[0].config.to_dict()
        assert first["hosts"] == [(h[0], h[1], h[2] if len(h) == 3 else None) for h in hosts]
        for name, value in fields.items():
            assert first[name] == value
        assert all(client.config.to_dict() == first for client in made)
        # What is changed through the Config applies to the next Client (the checked path).
        config.fields["max_conns_per_node"] = 7
        changed = asc.Client(config)
        made.append(changed)
        assert changed.config.max_conns_per_node == 7 and made[0].config.to_dict() == first
    finally:
        for client in made:
            client.destroy()


@pytest.mark.parametrize("hosts,fields", NOT_PLAIN_CONFIGS, ids=repr)
def test_a_config_that_is_not_plain_raises_what_the_checked_path_raises(monkeypatch, hosts, fields):
    def make():
        client = asc.Client(asc.Config(hosts, **fields))
        client.destroy()
    fast = _raised(make)
    with monkeypatch.context() as patch:
        _checked_path(patch)
        assert _raised(make) == fast
    if fast is None:  # a valid Config that is not plain: it made its checked as_config
        assert isinstance(asc.Config(hosts, **fields)._probe, asc.as_config)


def _made(hosts, fields):
    """What a Client made of Config(hosts, **fields) gets: its as_config, or what was raised."""
    try:
        client = asc.Client(asc.Config(hosts, **fields))
    except BaseException as exc:  # noqa: B902 - compared below
        return type(exc), str(exc)
    try:
        return client.config.to_dict()
    finally:
        client.destroy()


class _Name(str):
    """A str subclass: equal to the address it spells, but not of a type the recipes reuse."""


LOOK_ALIKES = [  # (a plain Config's arguments, equal arguments of other types)
    (([("127.0.0.1", 1)], {}), ([("127.0.0.1", True)], {})),
    (([], {"use_services_alternate": True}), ([], {"use_services_alternate": 1})),
    (([], {"max_conns_per_node": 300}), ([], {"max_conns_per_node": 300.0})),
    (([], {"max_conns_per_node": 1}), ([], {"max_conns_per_node": True})),
    (([("127.0.0.1", 3000)], {}), ([(_Name("127.0.0.1"), 3000)], {})),
    (([("127.0.0.1", 3000)], {}), ([("127.0.0.1", 3000, None)], {})),
]


@pytest.mark.parametrize("plain,look_alike", LOOK_ALIKES, ids=repr)
def test_a_plain_recipe_serves_equal_arguments_of_the_same_types_only(monkeypatch, plain,
                                                                      look_alike):
    """Configs of equal plain arguments share one recipe (one as_config template); arguments
    that compare equal to those but are of other types (True for 1, 300.0 for 300, a str
    subclass) never get it: they make what the checked path makes, or raise what it raises."""
    first = asc.Config(plain[0], **plain[1])
    assert type(first._probe).__name__ == "_PlainRecipe"
    assert asc.Config(plain[0], **plain[1])._probe is first._probe
    assert _made(*look_alike) == _made(*look_alike)  # the second from the cache, if any
    fast = _made(*look_alike)
    with monkeypatch.context() as patch:
        _checked_path(patch)
        assert _made(*look_alike) == fast


class _EqualToAny(type):
    """A metaclass that says its classes equal every type (and hash as their base does)."""

    def __eq__(cls, other):
        return True

    def __hash__(cls):
        return hash(cls.__mro__[1])


class _AnyAddress(str, metaclass=_EqualToAny):
    """A str subclass equal to every str, hashing as "127.0.0.1": equal to any address."""

    def __eq__(self, other):
        return True

    def __hash__(self):
        return hash("127.0.0.1")


class _AnyCount(int, metaclass=_EqualToAny):
    """An int subclass equal to every int, hashing as 300: equal to any port."""

    def __eq__(self, other):
        return True

    def __hash__(self):
        return hash(300)


@pytest.mark.parametrize("liar,honest", [
    (([(_AnyAddress("10.9.9.9"), 3000)], {}), ([("127.0.0.1", 3000)], {})),
    (([("127.0.0.1", _AnyCount(4000))], {}), ([("127.0.0.1", 300)], {})),
], ids=["address", "port"])
def test_a_recipe_of_arguments_whose_type_lies_about_itself_is_never_shared(liar, honest):
    """The recipes' type check must not ask the arguments: a metaclass whose __eq__ says its
    class is str (int) let a subclass equal to every str (int) into the cache, and a later
    Config of equal-looking plain arguments got that Config's recipe: its Client seeded
    10.9.9.9 (port 4000), what no Config of its own arguments makes."""
    def made(hosts, fields):
        client = asc.Client(asc.Config(hosts, **fields))
        try:
            return client.config.to_dict()
        finally:
            client.destroy()
    lied = made(*liar)
    assert lied["hosts"] in ([("10.9.9.9", 3000, None)], [("127.0.0.1", 4000, None)])
    got = made(*honest)
    assert got == made(*honest) != lied
    assert got["hosts"] == [tuple(honest[0][0]) + (None,)]


def test_the_connect_cycle_fast_paths_agree_with_c(aerospike_hosts, monkeypatch):
    """connect, node_names and destroy are one CPython call each (csrc/asc_aerospike.h): the
    names C gives, the errors of the general paths, and the general path where the fast one
    cannot take the instance at once (a call inside it, another thread)."""
    from aerospike_c._aerospike import ffi, lib
    binding = sys.modules["aerospike_c.bindings.aerospike"]
    for call in (asc.aerospike_connect, asc.as_cluster_get_node_names):
        with pytest.raises(TypeError, match="expected an aerospike instance"):
            call(object())
    asc.Client(hosts=list(aerospike_hosts)).destroy()  # sets _EXP_OFFSETS (run alone too)
    client = asc.Client(hosts=list(aerospike_hosts))
    with pytest.raises(asc.LifecycleError, match="as_cluster_get_node_names: .* not connected"):
        client.node_names()
    client.connect()
    count, names = ffi.new("int*"), ffi.new("char**")
    lib.as_cluster_get_node_names(client.aerospike._ptr.cluster, count, names)
    try:
        expected = sorted(ffi.string(names[0] + i * lib.AS_NODE_NAME_SIZE).decode()
                          for i in range(count[0]))
    finally:
        lib.free(names[0])
    assert sorted(client.node_names()) == expected and expected

    # A call inside (a `using` statement): the fast destroy leaves it to the general path,
    # which says so; then it closes on another thread, where only the general path runs.
    with binding.using(client.aerospike, "test"):
        assert binding._py_close_and_destroy(client.aerospike, binding._MAIN_IDENT,
                                             binding._after_close_and_destroy,
                                             *binding._EXP_OFFSETS) is False
        with pytest.raises(asc.LifecycleError, match="1 call\\(s\\) on this instance are still running"):
            client.destroy()
    assert client.is_connected()
    done = []
    thread = threading.Thread(target=lambda: done.append(client.destroy()))
    thread.start()
    thread.join()
    assert done == [None] and client._as.destroyed
    assert client._as not in binding._live_instances()
    with pytest.raises(asc.LifecycleError, match="destroyed"):
        client.node_names()

    # The C client's own errors, as the general connect path raises them.
    def refused():
        dead = asc.Client(asc.Config([("127.0.0.1", 1)], conn_timeout_ms=200))
        try:
            dead.connect()
        finally:
            dead.destroy()
    fast = _raised(refused)
    assert fast is not None and fast[0] is not asc.LifecycleError
    monkeypatch.setattr(binding, "_py_connect", lambda as_: lib.ASC_NEEDS_CHECK)
    assert _raised(refused) == fast


def test_the_connect_cycle_of_an_aerospike_subclass_is_the_general_paths(aerospike_hosts):
    """The CPython connect and node_names take instances of the exact aerospike type only
    (C reads their _guard_addr): an instance of a subclass, which every other call takes,
    got "TypeError: expected an aerospike instance, got Sub" from both. It takes the
    general path: the names, errors and states the exact type gets."""
    binding = sys.modules["aerospike_c.bindings.aerospike"]

    class Sub(binding.aerospike):
        pass

    def made(cls):
        config = asc.as_config_init()
        for host, port in aerospike_hosts:
            asc.as_config_add_host(config, host, port)
        return cls(config, heap=False)

    exact, sub = made(binding.aerospike), made(Sub)
    for as_ in (exact, sub):
        with pytest.raises(asc.LifecycleError, match="as_cluster_get_node_names: .* not connected"):
            asc.as_cluster_get_node_names(as_)
        asc.aerospike_connect(as_)
        asc.aerospike_connect(as_)  # a no-op, as in C
    names = sorted(asc.as_cluster_get_node_names(exact))
    assert names and sorted(asc.as_cluster_get_node_names(sub)) == names
    for as_ in (exact, sub):
        assert as_.calls == 0
        asc.aerospike_close(as_)
        asc.aerospike_destroy(as_)
        with pytest.raises(asc.LifecycleError, match="destroyed"):
            asc.aerospike_connect(as_)
        with pytest.raises(asc.LifecycleError, match="destroyed"):
            asc.as_cluster_get_node_names(as_)


def test_a_fast_destroy_takes_the_instance_and_frees_it(aerospike_hosts, monkeypatch):
    """Client.destroy in one C call: the instance is destroyed and forgotten, what was handed
    to free_after_close() is freed, and a second destroy raises as before."""
    from aerospike_c._aerospike import lib
    binding = sys.modules["aerospike_c.bindings.aerospike"]
    client = asc.Client(hosts=list(aerospike_hosts)).connect()
    as_, freed, taken = client.aerospike, [], []
    binding.free_after_close(as_, lambda: freed.append(1))
    fast = binding._py_close_and_destroy
    monkeypatch.setattr(binding, "_py_close_and_destroy",
                        lambda *args: taken.append(fast(*args)) or taken[-1])
    client.destroy()
    assert taken == [True]  # done in C
    assert as_.destroyed and freed == [1] and as_ not in binding._live_instances()
    assert lib.asc_refused(as_._guard) == lib.ASC_DEAD
    with pytest.raises(asc.LifecycleError, match="destroyed"):
        client.destroy()
