"""Data-related info commands of the embedded store."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from aerospike_c.testing.server.store import NamespaceSpec, Store

from records_wire import FakeNode, get, put


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


def test_unknown_commands_are_not_ours(store: Store) -> None:
    assert store.info("no-such-command", FakeNode()) is None


def test_sindex_lifecycle(store: Store) -> None:
    assert info(store, "sindex-create:namespace=test;set=demo;indexname=ia;bin=a;type=NUMERIC") == "OK"
    # the pre-8.1 form, as the C client sends it to older servers
    assert info(store, "sindex-create:ns=test;indexname=ib;indexdata=b,STRING") == "OK"
    assert info(store, "sindex-create:namespace=test;set=demo;indexname=ia;bin=a;type=NUMERIC") == "OK"
    assert info(store, "sindex-create:namespace=test;indexname=ia;bin=b;type=STRING").startswith(
        "ERROR:200")
    assert info(store, "sindex-create:namespace=nope;indexname=x;bin=b;type=STRING").startswith(
        "ERROR:20")
    listed = [stats(e, ":") for e in info(store, "sindex-list:ns=test").split(";") if e]
    assert {(s["indexname"], s["bin"], s["type"]) for s in listed} == {
        ("ia", "a", "numeric"), ("ib", "b", "string")}
    assert stats(info(store, "sindex-stat:namespace=test;indexname=ia"))["load_pct"] == "100"
    assert "load_pct=100" in info(store, "sindex/test/ia")
    assert info(store, "sindex-delete:namespace=test;indexname=ia") == "OK"
    assert info(store, "sindex-stat:namespace=test;indexname=ia").startswith("ERROR:201")


def test_truncate_set_and_namespace(store: Store) -> None:
    assert info(store, "truncate:namespace=test;set=other") == "ok"
    assert get(store, 1, set_name="other").code == 2
    assert get(store, 1).code == 0
    future = time.time_ns() + 10**12
    assert info(store, f"truncate:namespace=test;set=demo;lut={future}").startswith("ERROR:4")
    before = time.time_ns()
    put(store, 100, {"a": 1})
    assert info(store, f"truncate-namespace:namespace=test;lut={before}") == "ok"
    assert get(store, 1).code == 2
    assert get(store, 100).code == 0  # written after the cut-off
    assert info(store, "truncate:namespace=nope;set=x").startswith("ERROR:20")


def test_udf_modules_are_stored_and_listed(store: Store) -> None:
    body = b"function f(rec)\n  return 1\nend\n"
    content = base64.b64encode(body).decode()
    put_cmd = f"udf-put:filename=m.lua;content={content};content-len={len(content)};udf-type=LUA;"
    assert info(store, put_cmd) == "ok"
    assert info(store, "udf-list") == f"filename=m.lua,hash={hashlib.sha1(body).hexdigest()},type=LUA;"
    got = stats(info(store, "udf-get:filename=m.lua;"))
    assert base64.b64decode(got["content"]) == body
    assert info(store, "udf-remove:filename=m.lua;") == "ok"
    assert info(store, "udf-list") == ""
