"""Record UDFs that run: Client.apply (aerospike_key_apply), batch apply and background
scan UDF jobs, with examples/lua/record_udf.lua; valid against a real server too."""
from __future__ import annotations

from pathlib import Path

import pytest

import aerospike_c as asc
from aerospike_c._queries import BatchApply
from multi_record_fixtures import (NAMESPACE, client, fill,  # noqa: F401 - fixtures
                                   skip_unless_ttl_allowed, unique_set)

LUA = Path(__file__).resolve().parent.parent / "examples" / "lua" / "record_udf.lua"
MODULE = "record_udf"


@pytest.fixture(scope="module")
def udf_client(client):
    client.udf_put(str(LUA))
    return client


@pytest.fixture
def key(udf_client):
    key = (NAMESPACE, unique_set(), "k")
    udf_client.put(key, {"i": 7, "s": "text", "l": [1, 2], "m": {"a": 1}})
    yield key
    try:
        udf_client.remove(key)
    except asc.RecordNotFound:
        pass


def line_of(text: str) -> int:
    """The line of record_udf.lua that holds `text`."""
    return next(n for n, line in enumerate(LUA.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("value", [0, -5, 2**63 - 1, 1.25, "", "héllo", b"\x00\xff", True, False,
                                   [1, "a", [2.5]], {"a": 1, "b": [1, 2]}, None])
def test_arguments_come_back_as_the_udf_returns_them(udf_client, key, value):
    assert udf_client.apply(key, MODULE, "echo", [value]) == value


def test_every_lua_type_a_udf_returns(udf_client, key):
    assert udf_client.apply(key, MODULE, "values") == [
        1, -2, 1.5, "text", True, False, {"a": 1}, [1, "x"], b"\x07\x09"]


def test_bins_and_metadata_as_the_udf_sees_them(udf_client, key):
    assert udf_client.apply(key, MODULE, "bin_value", ["l"]) == [1, 2]
    assert udf_client.apply(key, MODULE, "bin_value", ["m"]) == {"a": 1}
    assert udf_client.apply(key, MODULE, "bin_value", ["missing"]) is None
    meta = udf_client.apply(key, MODULE, "meta")
    record = udf_client.get(key)
    assert meta == {"gen": record.meta["gen"], "numbins": 4, "setname": key[1],
                    "digest": record.key[3]}
    assert sorted(udf_client.apply(key, MODULE, "bin_names")) == ["i", "l", "m", "s"]
    assert udf_client.apply(key, MODULE, "sum", [2, 3]) == 5


def test_a_udf_that_updates_writes_and_bumps_the_generation(udf_client, key):
    gen = udf_client.get(key).meta["gen"]
    assert udf_client.apply(key, MODULE, "set_bin", ["n", [1, {"x": 2}]]) == [1, {"x": 2}]
    record = udf_client.get(key)
    assert record.bins["n"] == [1, {"x": 2}] and record.bins["i"] == 7
    assert record.meta["gen"] == gen + 1
    assert udf_client.apply(key, MODULE, "remove_bin", ["s"]) == 0
    assert "s" not in udf_client.get(key).bins


def test_changes_without_update_are_not_written(udf_client, key):
    before = udf_client.get(key)
    assert udf_client.apply(key, MODULE, "set_bin_without_update", ["i", 8]) == 8
    after = udf_client.get(key)
    assert after.bins == before.bins and after.meta["gen"] == before.meta["gen"]


def test_a_udf_creates_and_removes_records(udf_client):
    key = (NAMESPACE, unique_set(), "new")
    assert udf_client.apply(key, MODULE, "exists") is False
    assert udf_client.apply(key, MODULE, "set_bin", ["b", 1]) == 1
    assert udf_client.get(key).bins == {"b": 1}
    assert udf_client.apply(key, MODULE, "exists") is True
    assert udf_client.apply(key, MODULE, "delete") == 0
    assert not udf_client.exists(key)


def test_record_set_ttl(udf_client, key):
    skip_unless_ttl_allowed(udf_client)
    assert udf_client.apply(key, MODULE, "set_ttl", [1000]) == 0
    assert 900 <= udf_client.get(key).meta["ttl"] <= 1000


def test_a_lua_error_is_a_udf_error_with_file_and_line(udf_client, key):
    with pytest.raises(asc.UDFError) as raised:
        udf_client.apply(key, MODULE, "fail", ["boom"])
    assert raised.value.code == asc.AEROSPIKE_ERR_UDF
    assert raised.value.message.endswith(f"record_udf.lua:{line_of('error(message)')}: boom")


def test_a_missing_function_or_module_is_a_udf_error(udf_client, key):
    with pytest.raises(asc.UDFError) as raised:
        udf_client.apply(key, MODULE, "no_such_function")
    assert raised.value.message.endswith("function not found")
    with pytest.raises(asc.UDFError) as raised:
        udf_client.apply(key, "no_such_module_x", "echo", [1])
    assert raised.value.code == asc.AEROSPIKE_ERR_UDF


def test_a_udf_that_never_ends_is_stopped(udf_client, key):
    with pytest.raises(asc.AerospikeError) as raised:
        udf_client.apply(key, MODULE, "spin", policy={"total_timeout": 300})
    assert raised.value.code in (asc.AEROSPIKE_ERR_UDF, asc.AEROSPIKE_ERR_TIMEOUT)
    assert udf_client.apply(key, MODULE, "echo", [1]) == 1


def test_batch_apply(udf_client):
    set_name = unique_set()
    fill(udf_client, set_name, 3)
    keys = [(NAMESPACE, set_name, i) for i in range(3)] + [(NAMESPACE, set_name, "absent")]
    results = udf_client.batch_records([BatchApply(k, MODULE, "bin_value", ["i"]) for k in keys])
    assert [r.result for r in results] == [asc.AEROSPIKE_OK] * 4
    assert [r.record.bins for r in results[:3]] == [{"SUCCESS": i} for i in range(3)]
    assert results[3].record.bins.get("SUCCESS") is None  # the UDF ran on no record: nil
    failed = udf_client.batch_records([BatchApply(keys[0], MODULE, "fail", ["bad"])])
    assert failed[0].result == asc.AEROSPIKE_ERR_UDF


def test_background_scan_udf(udf_client):
    set_name = unique_set()
    fill(udf_client, set_name, 5)
    udf_client.scan_background(NAMESPACE, set_name, udf=(MODULE, "set_bin", ["bg", "done"]))
    keys = [(NAMESPACE, set_name, i) for i in range(5)]
    assert [r.bins["bg"] for r in udf_client.batch_get(keys)] == ["done"] * 5


def test_udf_result_and_error_of_a_record(udf_client):
    """as_record_get_udf_result/_error: the SUCCESS and FAILURE bins, of an as_record (C)
    or of a Record as batch apply results give them."""
    set_name = unique_set()
    fill(udf_client, set_name, 1)
    key = (NAMESPACE, set_name, 0)
    records = asc.as_batch_records_init(2)
    ok, failed = asc.as_batch_apply_reserve(records), asc.as_batch_apply_reserve(records)
    for apply, function, args in ((ok, "bin_value", ["i"]), (failed, "fail", ["bad"])):
        apply.key, apply.module, apply.function, apply.arglist = key, MODULE, function, args
    with pytest.raises(asc.BatchFailedError):
        asc.aerospike_batch_write(udf_client.aerospike, None, records)
    assert asc.as_record_get_udf_result(ok.record) == 0
    assert asc.as_record_get_udf_error(ok.record) is None
    assert failed.result == asc.AEROSPIKE_ERR_UDF
    assert asc.as_record_get_udf_error(failed.record).endswith(
        f"record_udf.lua:{line_of('error(message)')}: bad")
    asc.as_batch_records_destroy(records)
    rec = asc.as_record_init(1)
    assert asc.as_record_get_udf_result(rec) is None and asc.as_record_get_udf_error(rec) is None
    asc.as_record_set_list(rec, "SUCCESS", [1, "a"])
    assert asc.as_record_get_udf_result(rec) == [1, "a"]
    rec = asc.as_record_init(1)
    asc.as_record_set_str(rec, "FAILURE", "it failed")
    assert asc.as_record_get_udf_error(rec) == "it failed"
    with pytest.raises(TypeError):
        asc.as_record_get_udf_result({"SUCCESS": 1})


@pytest.mark.fault_injection  # the embedded server's own limit: a real one has none
def test_a_udf_whose_memory_grows_without_end_is_stopped(udf_client, key):
    with pytest.raises(asc.UDFError) as raised:
        udf_client.apply(key, MODULE, "grow", policy={"total_timeout": 20000})
    assert raised.value.message.endswith("not enough memory")
    assert udf_client.apply(key, MODULE, "echo", [1]) == 1


def test_a_result_nested_deeper_than_a_c_client_reads(udf_client, key):
    """The C client reads 64 levels of lists and maps: a UDF result nested deeper arrives as
    None (C: a NULL value), from any server."""
    value = udf_client.apply(key, MODULE, "nested", [60])
    for _ in range(60):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == []
    assert udf_client.apply(key, MODULE, "nested", [70]) is None


@pytest.mark.fault_injection  # the embedded server's own limits (it never runs out of stack)
def test_results_no_server_could_send(udf_client, key):
    """100,000 levels go out cut at 1,000 (the client reads 64 either way); 2^40 items shared
    in Lua are too big to send: UDF: Execution Error 1, as a server's too big aggregation."""
    assert udf_client.apply(key, MODULE, "nested", [100_000]) is None
    with pytest.raises(asc.UDFError) as raised:
        udf_client.apply(key, MODULE, "doubled", [40])
    assert raised.value.message.endswith("UDF: Execution Error 1")
    assert udf_client.apply(key, MODULE, "echo", [1]) == 1
