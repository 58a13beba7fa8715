"""Data-related info commands of the embedded store."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from aerospike_c.testing.server.store import NamespaceSpec, Store

from records_wire import I2_DELETE, I2_WRITE, FakeNode, get, key_fields, message, one, put


@pytest.fixture
def store() -> Store:
    s = Store({"test": NamespaceSpec(replication_factor=2), "bar": NamespaceSpec()})
    for i in range(10):
        put(s, i, {"a": i, "b": "x"})
    for i in range(4):
        put(s, i, {"c": i}, set_name="other")
    return s


def info(store: Store, command: str, node: FakeNode = FakeNode()) -> str:
    value = store.info(command, node)
    assert value is not None
    return value


def stats(text: str, sep: str = ";") -> dict:
    return dict(item.split("=", 1) for item in text.split(sep) if "=" in item)


def test_namespaces_and_namespace_statistics(store: Store) -> None:
    assert info(store, "namespaces").split(";") == ["test", "bar"]
    ns = stats(info(store, "namespace/test"))
    assert ns["objects"] == "14" and ns["master_objects"] == "14"
    assert ns["replication-factor"] == "2"
    half = stats(info(store, "namespace/test", FakeNode(owns=lambda pid: pid < 2048)))
    assert 0 <= int(half["master_objects"]) <= 14
    assert info(store, "namespace/nope") == "type=unknown"


def test_sets_and_bins(store: Store) -> None:
    sets = [stats(entry, ":") for entry in info(store, "sets").split(";") if entry]
    counts = {(s["ns"], s["set"]): int(s["objects"]) for s in sets}
    assert counts == {("test", "demo"): 10, ("test", "other"): 4}
    only = [stats(e, ":") for e in info(store, "sets/test/other").split(";") if e]
    assert [s["set"] for s in only] == ["other"]
    assert info(store, "sets/bar") == ""
    assert set(info(store, "bins/test").split(",")[2:]) == {"a", "b", "c"}


def test_sets_without_records_are_listed_with_no_objects(store: Store) -> None:
    """namespace.c, as_namespace_get_set_info: a set is listed once the namespace has its id
    (a record written to it, an index on it; set-config: tests/test_info.py) and stays when
    its records go."""
    put(store, 1, {"a": 1}, set_name="emptied")
    assert one(store, message(info2=I2_WRITE | I2_DELETE,
                              fields=key_fields("test", "emptied", 1))).code == 0
    assert info(store, "sindex-create:namespace=test;set=indexed;indexname=ix;bin=a;type=NUMERIC") == "ok"
    sets = {s["set"]: s for s in (stats(e, ":") for e in info(store, "sets/test").split(";") if e)}
    assert {name: sets[name]["objects"] for name in ("emptied", "indexed")} == {
        "emptied": "0", "indexed": "0"}
    assert sets["indexed"]["sindexes"] == "1"
    assert list(sets) == ["demo", "other", "emptied", "indexed"]  # in the order of their ids
    emptied = [stats(e, ":") for e in info(store, "sets/test/emptied").split(";") if e]
    assert [(s["objects"], s["data_used_bytes"]) for s in emptied] == [("0", "0")]
    assert info(store, "sets/test/never") == "" and info(store, "sets/bar") == ""


def test_unknown_commands_are_not_ours(store: Store) -> None:
    assert store.info("no-such-command", FakeNode()) is None


def test_sindex_lifecycle(store: Store) -> None:
    assert info(store, "sindex-create:namespace=test;set=demo;indexname=ia;bin=a;type=NUMERIC") == "ok"
    # the pre-8.1 form, as the C client sends it to older servers
    assert info(store, "sindex-create:ns=test;indexname=ib;indexdata=b,STRING") == "ok"
    assert info(store, "sindex-create:namespace=test;set=demo;indexname=ia;bin=a;type=NUMERIC") == "ok"
    assert info(store, "sindex-create:namespace=test;indexname=ia;bin=b;type=STRING").startswith(
        "ERROR:200:")
    # a namespace the node does not have: accepted, nothing created
    assert info(store, "sindex-create:namespace=nope;indexname=x;bin=b;type=STRING") == "ok"
    listed = [stats(e, ":") for e in info(store, "sindex-list:ns=test").split(";") if e]
    assert {(s["indexname"], s["bin"], s["type"], s["set"]) for s in listed} == {
        ("ia", "a", "numeric", "demo"), ("ib", "b", "string", "null")}
    assert stats(info(store, "sindex-stat:namespace=test;indexname=ia"))["load_pct"] == "100"
    assert "load_pct=100" in info(store, "sindex/test/ia")
    assert info(store, "sindex-exists:namespace=test;indexname=ia") == "true"
    assert info(store, "sindex-exists:namespace=nope;indexname=ia") == (
        "ERROR:20:namespace not found on node")
    assert info(store, "sindex-delete:namespace=test;indexname=ia") == "ok"
    assert info(store, "sindex-delete:namespace=test;indexname=ia") == "ok"
    assert info(store, "sindex-stat:namespace=test;indexname=ia") == "ERROR:201:no index"


def test_the_same_index_definition_under_a_new_name_renames_it(store: Store) -> None:
    create = "sindex-create:namespace=test;set=demo;indexname={};bin=a;type=NUMERIC"
    assert info(store, create.format("first")) == "ok"
    assert info(store, create.format("second")) == "ok"
    names = [stats(e, ":")["indexname"] for e in info(store, "sindex-list").split(";") if e]
    assert names == ["second"]


@pytest.mark.parametrize("params, answer", [
    ("namespace=test;bin=a;type=NUMERIC", "ERROR:4:missing 'indexname'"),
    ("indexname=i;bin=a;type=NUMERIC", "ERROR:20:missing 'namespace'"),
    ("namespace=test;indexname=i;bin=a", "ERROR:4:both 'indexdata' and 'type' are missing"),
    ("namespace=test;indexname=i;type=NUMERIC", "ERROR:4:both 'bin' and 'exp' are missing"),
    ("namespace=test;indexname=i;bin=a;type=FLOAT",
     "ERROR:4:bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'"),
    ("namespace=test;indexname=i;bin=aaaaaaaaaaaaaaaa;type=STRING", "ERROR:4:'bin' value too long"),
    ("namespace=test;indexname=i;indexdata=a", "ERROR:4:'indexdata' missing bin type"),
    ("namespace=test;indexname=i;indextype=SOME;bin=a;type=STRING",
     "ERROR:4:bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'"),
])
def test_sindex_create_checks_its_parameters_as_a_server(store: Store, params, answer) -> None:
    assert info(store, f"sindex-create:{params}") == answer


def test_truncate_set_and_namespace(store: Store) -> None:
    # A server truncates records updated strictly before the cut-off (millisecond clock):
    # step past the millisecond the fixture wrote in, or its records may survive.
    time.sleep(0.002)
    assert info(store, "truncate:namespace=test;set=other") == "ok"
    assert get(store, 1, set_name="other").code == 2
    assert get(store, 1).code == 0
    future = time.time_ns() + 10**12
    assert info(store, f"truncate:namespace=test;set=demo;lut={future}") == (
        "ERROR::would-truncate-in-the-future")
    assert info(store, "truncate:namespace=test;set=demo;lut=1000") == "ERROR::would-truncate-to-0"
    time.sleep(0.002)  # the cut-off has millisecond resolution: after the fixture's writes
    before = time.time_ns()
    time.sleep(0.002)
    put(store, 100, {"a": 1})
    assert info(store, f"truncate-namespace:namespace=test;lut={before}") == "ok"
    assert get(store, 1).code == 2
    assert get(store, 100).code == 0  # written after the cut-off
    assert info(store, "truncate:namespace=nope;set=x") == "ok"  # broadcast without a check
    assert info(store, "truncate:namespace=test") == "ERROR:4:missing 'set'"
    assert info(store, "truncate-namespace:namespace=test;set=x") == "ERROR:4:unexpected set name"
    assert info(store, "truncate-namespace:set=x") == "ERROR:20:missing 'namespace'"


def test_udf_modules_are_stored_and_listed(store: Store) -> None:
    body = b"function f(rec)\n  return 1\nend\n"
    content = base64.b64encode(body).decode()
    put_cmd = f"udf-put:filename=m.lua;content={content};content-len={len(content)};udf-type=LUA;"
    assert info(store, put_cmd) == "ok"
    metadata = '{"content64": "%s", "type": "LUA", "name": "m.lua"}' % content
    assert info(store, "udf-list") == (
        f"filename=m.lua,hash={hashlib.sha1(metadata.encode()).hexdigest()},type=LUA;")
    assert info(store, "udf-get:filename=m.lua;") == f"type=LUA;content={content};"
    assert info(store, "udf-remove:filename=m.lua;") == "ok"
    assert info(store, "udf-list") == ""
    assert info(store, "udf-remove:filename=m.lua;") == "ok"
    assert info(store, "udf-get:filename=m.lua;") == "error=not_found"


@pytest.mark.parametrize("command, answer", [
    ("udf-put:filename=m;content=AAAA;content-len=4;", "error=invalid_filename"),
    ("udf-put:filename=.m.lua;content=AAAA;content-len=4;", "error=invalid_filename"),
    ("udf-put:filename=m/x.lua;content=AAAA;content-len=4;", "error=invalid_filename"),
    ("udf-put:filename=m.lua;content=AAAA;", "error=invalid_content_len"),
    ("udf-put:filename=m.lua;content=AAAA;content-len=3;", "error=invalid_content_len"),
    ("udf-put:filename=m.lua;content=AAAA;content-len=8;", "error=invalid_content"),
    ("udf-put:filename=m.lua;content=AAAA;content-len=4;udf-type=PY;", "error=invalid_udf_type"),
    ("udf-put:filename=m.lua;content=A!AA;content-len=4;", "error=invalid_base64_content"),
    ("udf-remove:filename=", "error=invalid_filename"),
])
def test_udf_commands_check_their_parameters_as_a_server(store: Store, command, answer) -> None:
    assert info(store, command) == answer