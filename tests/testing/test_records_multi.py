"""Batch index protocol and partition scans/queries of the embedded store."""

from __future__ import annotations

import base64
import struct
import time
from typing import Any, List

import msgpack
import pytest

from aerospike_c.testing.server import background
from aerospike_c.testing.server.sindex import wyhash64
from aerospike_c.testing.server.store import Store

from records_wire import (
    I1_NOBINDATA, I1_READ, I2_CREATE_ONLY, I2_DELETE, I2_WRITE, I3_LAST,
    I3_PARTITION_DONE, INCR, KEY, NAMESPACE, P_INT, P_NIL, READ, SETNAME, FakeNode, batch_message,
    batch_read_body, batch_row, batch_write_body, digest_of, f, get, integer_range, op,
    partition_of, put, run, scan_message, string_equal, write_op, INDEX_NAME, UDF_OP,
    UDF_PACKAGE, UDF_FUNCTION, UDF_ARGLIST, mp, FILTER, I1_GET_ALL, key_fields, message, one,
    DIGEST, DIGEST_ARRAY, PID_ARRAY, INDEX_TYPE, refused)

N_RECORDS = 300


@pytest.fixture
def store() -> Store:
    s = Store()
    for i in range(N_RECORDS):
        put(s, i, {"i": i, "s": "even" if i % 2 == 0 else "odd", "l": [i, i + 1]}, send_key=True)
    for i in range(20):
        put(s, i, {"o": i}, set_name="other")
    return s


# -- batch -------------------------------------------------------------------------------------

def test_batch_reads_answer_each_index_then_last(store: Store) -> None:
    rows = [batch_row(0, digest_of("demo", 5), batch_read_body("test", "demo")),
            batch_row(1, digest_of("demo", 6), b"\x01"),  # repeat previous row
            batch_row(2, digest_of("demo", 99999), b"\x01"),
            batch_row(3, digest_of("demo", 7), batch_read_body("test", "demo", bin_names=["s"])),
            batch_row(4, digest_of("demo", 8), batch_read_body("test", "demo",
                                                               info1=I1_READ | I1_NOBINDATA))]
    responses = run(store, batch_message(rows))
    assert responses[-1].info3 & I3_LAST
    by_index = {r.index: r for r in responses[:-1]}
    assert sorted(by_index) == [0, 1, 2, 3, 4]
    assert by_index[0].bin_values() == {"i": 5, "s": "odd", "l": [5, 6]}
    assert by_index[1].bin_values()["i"] == 6
    assert by_index[2].code == 2
    assert by_index[3].bin_values() == {"s": "odd"}
    assert (by_index[4].code, by_index[4].bins, by_index[4].generation) == (0, [], 1)


def test_batch_old_protocol_read_row(store: Store) -> None:
    fields = [f(NAMESPACE, b"test"), f(SETNAME, b"demo")]
    body = b"\x00" + bytes([I1_READ | 2]) + struct.pack(">HH", 2, 0) + b"".join(fields)
    responses = run(store, batch_message([batch_row(0, digest_of("demo", 3), body)]))
    assert responses[0].bin_values()["i"] == 3
    assert responses[-1].info3 & I3_LAST


def test_batch_writes_removes_and_per_row_errors(store: Store) -> None:
    rows = [
        batch_row(0, digest_of("demo", 1), batch_write_body(
            "test", "demo", [op(INCR, "i", P_INT, struct.pack(">q", 100)), op(READ, "i")])),
        batch_row(1, digest_of("demo", 2), batch_write_body("test", "demo", [],
                                                             info2=I2_WRITE | I2_DELETE)),
        batch_row(2, digest_of("demo", 3), batch_write_body(
            "test", "demo", [write_op("x", 1)], info2=I2_WRITE | I2_CREATE_ONLY)),
        batch_row(3, digest_of("demo", 4), batch_write_body("nons", "demo", [write_op("x", 1)])),
    ]
    responses = run(store, batch_message(rows))
    by_index = {r.index: r for r in responses[:-1]}
    assert [(n, p) for n, p, _ in by_index[0].bins] == [("i", P_NIL), ("i", P_INT)]
    assert by_index[0].bin_values()["i"] == 101
    assert by_index[1].code == 0
    assert get(store, 2).code == 2
    assert by_index[2].code == 5
    assert by_index[3].code == 20


def test_malformed_batch_is_a_parameter_error(store: Store) -> None:
    msg = batch_message([batch_row(0, digest_of("demo", 1), b"\x02\x01")])  # truncated row
    responses = run(store, msg)
    assert len(responses) == 1
    assert responses[0].code == 4 and responses[0].info3 & I3_LAST


def test_large_batch_spans_several_payloads(store: Store) -> None:
    rows = [batch_row(i, digest_of("demo", i % N_RECORDS), batch_read_body("test", "demo"))
            for i in range(3000)]
    payloads = list(store.handle_message(batch_message(rows), FakeNode()))
    assert len(payloads) > 1
    responses = run(store, batch_message(rows))
    assert [r.index for r in responses[:-1]] == list(range(3000))


# -- scan ---------------------------------------------------------------------------------------

def test_scan_returns_records_with_key_fields_and_done_markers(store: Store) -> None:
    responses = run(store, scan_message(set_name="demo", pids=range(4096)))
    records = [r for r in responses if not r.info3]
    done = [r for r in responses if r.info3 & I3_PARTITION_DONE]
    assert responses[-1].info3 & I3_LAST
    assert len(records) == N_RECORDS
    assert len(done) == 4096 and all(r.code == 0 for r in done)
    assert sorted(r.bin_values()["i"] for r in records) == list(range(N_RECORDS))
    sample = records[0]
    assert sample.fields[NAMESPACE] == b"test" and sample.fields[SETNAME] == b"demo"
    assert sample.fields[KEY][0] == P_INT
    assert len(sample.fields[4]) == 20


def test_scan_only_serves_owned_partitions(store: Store) -> None:
    node = FakeNode(owns=lambda pid: pid % 2 == 0)
    responses = run(store, scan_message(set_name="demo", pids=range(4096)), node)
    records = [r for r in responses if not r.info3]
    assert all(partition_of(r.fields[4]) % 2 == 0 for r in records)
    unavailable = {r.generation for r in responses if r.info3 & I3_PARTITION_DONE and r.code}
    assert unavailable == set(range(1, 4096, 2))
    assert all(r.code == 11 for r in responses if r.info3 & I3_PARTITION_DONE and r.generation % 2)


def test_scan_whole_namespace_select_and_no_bins(store: Store) -> None:
    all_records = [r for r in run(store, scan_message(pids=range(4096))) if not r.info3]
    assert len(all_records) == N_RECORDS + 20
    selected = [r for r in run(store, scan_message(set_name="demo", pids=range(4096),
                                                   ops=[op(READ, "s")])) if not r.info3]
    assert all(set(r.bin_values()) == {"s"} for r in selected)
    headers = [r for r in run(store, scan_message(set_name="demo", pids=range(4096),
                                                  info1=I1_READ | I1_NOBINDATA)) if not r.info3]
    assert len(headers) == N_RECORDS and all(r.bins == [] for r in headers)


def test_scan_max_records_and_resume_after_digest(store: Store) -> None:
    first = [r for r in run(store, scan_message(set_name="demo", pids=range(4096),
                                                max_records=50)) if not r.info3]
    assert len(first) == 50
    # resume one partition after its first record
    pid = partition_of(first[0].fields[4])
    in_partition = [r for r in run(store, scan_message(set_name="demo", pids=[pid]))
                    if not r.info3]
    rest = [r for r in run(store, scan_message(set_name="demo", digests=[first[0].fields[4]]))
            if not r.info3]
    assert [r.fields[4] for r in rest] == [r.fields[4] for r in in_partition][1:]


def test_scan_unknown_namespace(store: Store) -> None:
    responses = run(store, scan_message(ns="nons", pids=[1]))
    assert len(responses) == 1 and responses[0].code == 20 and refused(responses[0])


# -- query ---------------------------------------------------------------------------------------

def sindex_create(store: Store, params: str) -> str:
    return store.info("sindex-create:" + params, FakeNode())


def test_query_needs_an_index(store: Store) -> None:
    responses = run(store, scan_message(set_name="demo", pids=range(4096),
                                        extra=[integer_range("i", 1, 5)]))
    assert responses[-1].code == 201


def test_integer_range_and_string_equality_queries(store: Store) -> None:
    assert sindex_create(store, "namespace=test;set=demo;indexname=idx_i;bin=i;type=numeric") == "ok"
    assert sindex_create(store, "ns=test;set=demo;indexname=idx_s;indexdata=s,STRING") == "ok"
    records = [r for r in run(store, scan_message(
        set_name="demo", pids=range(4096), extra=[integer_range("i", 10, 19)])) if not r.info3]
    assert sorted(r.bin_values()["i"] for r in records) == list(range(10, 20))
    # each record tells the index value it was found by (bval, little-endian), for resuming
    assert all(r.fields[15] == struct.pack("<q", r.bin_values()["i"]) for r in records)
    odd = [r for r in run(store, scan_message(set_name="demo", pids=range(4096),
                                              extra=[string_equal("s", "odd")])) if not r.info3]
    assert len(odd) == N_RECORDS // 2
    # a string's index value is its cf_wyhash64 (as_sindex_string_to_bval), signed; the
    # reference is cf_hash_math.h's C function's for "odd"
    assert {r.fields[15] for r in odd} == {struct.pack("<Q", 0xb7173a6ec746bf2c)}
    named = [r for r in run(store, scan_message(
        set_name="demo", pids=range(4096),
        extra=[integer_range("i", 0, 4), f(INDEX_NAME, b"idx_i")])) if not r.info3]
    assert len(named) == 5


@pytest.mark.parametrize("text, expected", [
    ("", 0xda3421757d70ae2d), ("abc", 0x607458b72cd1ff16), ("abcd", 0x505e05b14a850dd9),
    ("0123456789abcdef", 0x5016f26eadeb900c), ("0123456789abcdefg", 0xebda3b3acbbd7bb8),
    ("x" * 49, 0xde43c2c070aeb615), ("y" * 100, 0x933e7d8c340e5614),
])
def test_wyhash64_is_the_servers(text: str, expected: int) -> None:
    """cf_hash_math.h's cf_wyhash64 (each length branch; references from the C function)."""
    assert wyhash64(text.encode()) == expected


def test_list_index_query(store: Store) -> None:
    assert sindex_create(
        store, "namespace=test;set=demo;indexname=idx_l;indextype=LIST;bin=l;type=NUMERIC") == "ok"
    found = [r.bin_values()["i"] for r in run(store, scan_message(
        set_name="demo", pids=range(4096), extra=[integer_range("l", 7, 7), f(26, b"\x01")]))
        if not r.info3]
    assert sorted(found) == [6, 7]


def test_a_numeric_query_resumes_after_the_value_and_digest_sent_back(store: Store) -> None:
    """A numeric index holds a partition's records by value, then digest (sindex_tree.c,
    key_cmp); a partition resumed by digest starts after (bval, digest) when the bval (field
    15, one little-endian int64 per digest) is not below the range, else at its start
    (query_reduce); a query with a range resuming by digest must send one bval per digest
    (query.c, get_query_pids)."""
    pid = partition_of(digest_of("demo", 1000))
    keys = [k for k in range(1000, 200000) if partition_of(digest_of("demo", k)) == pid][:4]
    for rank, key in enumerate(sorted(keys, key=lambda k: digest_of("demo", k))):
        put(store, key, {"r": [50, 40, 40, 30][rank]})
    assert sindex_create(store, "namespace=test;set=demo;indexname=idx_r;bin=r;type=numeric") == "ok"
    order = sorted(keys, key=lambda k: (get(store, k).bin_values()["r"], digest_of("demo", k)))

    def query(*extra: bytes) -> List[Any]:
        return run(store, scan_message(set_name="demo", extra=[integer_range("r", 0, 100), *extra]))

    def resumed(after: int, bval: int) -> List[int]:
        found = query(f(DIGEST_ARRAY, digest_of("demo", after)), f(15, struct.pack("<q", bval)))
        assert found[-1].code == 0
        return [r.bin_values()["r"] for r in found if not r.info3]

    first = [r for r in query(f(PID_ARRAY, struct.pack("<H", pid))) if not r.info3]
    assert [r.fields[4] for r in first] == [digest_of("demo", k) for k in order]
    assert [r.fields[15] for r in first] == [struct.pack("<q", v) for v in (30, 40, 40, 50)]
    assert resumed(order[1], 40) == [40, 50]  # after (40, the lower digest)
    assert resumed(order[1], -5) == [30, 40, 40, 50]  # below the range: from its start
    assert query(f(DIGEST_ARRAY, digest_of("demo", order[1])))[-1].code == 4
    assert query(f(DIGEST_ARRAY, digest_of("demo", order[1])),
                 f(15, struct.pack("<qq", 40, 40)))[-1].code == 4


# -- background jobs ------------------------------------------------------------------------------

def wait_job(store: Store, node: FakeNode, job_id: int) -> str:
    """query-show's line for a background job, once the job is done (as a client waits)."""
    deadline = time.monotonic() + 10
    while "status=active" in (status := store.info(f"query-show:id={job_id}", node)):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return status


def test_background_scan_applies_writes_and_reports_job(store: Store) -> None:
    node = FakeNode()
    responses = run(store, scan_message(set_name="other", pids=range(4096), info1=0,
                                        info2=I2_WRITE, ops=[write_op("bg", 1)], task_id=99), node)
    assert len(responses) == 1 and responses[0].code == 0 and responses[0].info3 & I3_LAST
    status = wait_job(store, node, 99)
    assert "status=done(ok)" in status and "recs-succeeded=20" in status
    assert "rps=10000" in status and "job-progress=100.00" in status
    assert "job-type=background-ops" in status
    assert get(store, 3, set_name="other").bin_values() == {"o": 3, "bg": 1}
    assert get(store, 3).bin_values().get("bg") is None
    assert store.info("query-show:trid=12345", node).startswith("ERROR:")


def test_records_per_second_field_is_checked_as_a_server_reads_it(store: Store) -> None:
    """query.c get_query_rps: a u32 field, and a short query (info1 bit 2), which a server
    never throttles, may not send one."""
    rps = f(10, struct.pack(">I", 100))
    short = run(store, scan_message(set_name="demo", pids=[0], info1=I1_READ | 4, extra=[rps]))
    assert len(short) == 1 and short[0].code == 4
    wrong_size = run(store, scan_message(set_name="demo", pids=[0], extra=[f(10, b"\x00\x64")]))
    assert len(wrong_size) == 1 and wrong_size[0].code == 4
    assert run(store, scan_message(set_name="demo", pids=[0], extra=[rps]))[-1].code == 0


def test_a_node_forgets_its_oldest_finished_jobs_past_query_max_done(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """query_manager.c evict_finished_jobs: a node keeps its last query-max-done finished
    jobs (100), in the order they finished."""
    monkeypatch.setattr(background, "QUERY_MAX_DONE", 2)
    node = FakeNode()
    for job_id in (1, 2, 3):
        run(store, scan_message(set_name="other", pids=range(4096), info1=0, info2=I2_WRITE,
                                ops=[write_op("bg", job_id)], task_id=job_id), node)
        wait_job(store, node, job_id)
    assert store.info("query-show:id=1", node).startswith("ERROR:")
    assert all("status=done(ok)" in store.info(f"query-show:id={n}", node) for n in (2, 3))


_AGGREGATION = b"""
function count(s)
    return s : map(function(r) return 1 end) : reduce(function(a, b) return a + b end)
end
function evens(s)
    return s : filter(function(r) return r.s == "even" end) : map(function(r) return r.i end)
end
function broken(s)
    return s : map(function(r) return r.nothing + 1 end)
end
"""


def _aggregation(function: bytes, set_name: str = "demo") -> bytes:
    return scan_message(set_name=set_name, extra=[
        f(UDF_OP, b"\x01"), f(UDF_PACKAGE, b"agg"), f(UDF_FUNCTION, function),
        f(UDF_ARGLIST, mp([]))])


def _put_module(store: Store) -> None:
    content = base64.b64encode(_AGGREGATION).decode()
    command = f"udf-put:filename=agg.lua;content={content};content-len={len(content)};udf-type=LUA;"
    assert store.info(command, FakeNode()) == "ok"


def test_aggregation_streams_a_value_per_partition_with_records(store: Store) -> None:
    """A server runs the stream up to its first reduce per partition (the client reduces the
    partial results): one SUCCESS value per partition holding matching records."""
    _put_module(store)
    responses = run(store, _aggregation(b"count"))
    assert responses[-1].code == 0 and responses[-1].info3 & I3_LAST
    counts = [r.bin_values()["SUCCESS"] for r in responses[:-1]]
    partitions = {partition_of(digest_of("demo", i)) for i in range(N_RECORDS)}
    assert len(counts) == len(partitions) and sum(counts) == N_RECORDS
    evens = [r.bin_values()["SUCCESS"] for r in run(store, _aggregation(b"evens"))[:-1]]
    assert sorted(evens) == list(range(0, N_RECORDS, 2))


def test_aggregation_failures_answer_a_failure_bin(store: Store) -> None:
    """A Lua error, or a module that is not registered, is a FAILURE bin with the server's
    message (the C client reports it as AEROSPIKE_ERR_CLIENT); the query ends there."""
    responses = run(store, _aggregation(b"count"))
    assert responses[0].bin_values() == {"FAILURE": "UDF: Execution Error 1"}
    assert responses[-1].info3 & I3_LAST and responses[-1].code != 0
    _put_module(store)
    failure = run(store, _aggregation(b"broken"))[0].bin_values()["FAILURE"]
    assert failure.startswith("UDF: Execution Error 2 : /opt/aerospike/usr/udf/lua/agg.lua:9: ")
    assert run(store, _aggregation(b"nothing"))[0].bin_values() == {
        "FAILURE": "UDF: Execution Error 2 : function not found"}


def test_aggregation_takes_neither_a_filter_nor_the_short_flag(store: Store) -> None:
    """query.c aggr_query_job_start: an aggregation with a filter expression is
    UNSUPPORTED_FEATURE (never a filtered result), a short one (info1 bit 2) a parameter
    error; so is a short background job (ops_bg_query_job_start)."""
    _put_module(store)
    small = f(FILTER, msgpack.packb([5, [81, 2, b"i"], 3], use_bin_type=False))  # i < 3
    filtered = run(store, scan_message(set_name="demo", extra=[
        small, f(UDF_OP, b"\x01"), f(UDF_PACKAGE, b"agg"), f(UDF_FUNCTION, b"count"),
        f(UDF_ARGLIST, mp([]))]))
    assert len(filtered) == 1 and filtered[0].code == 16
    short = _aggregation(b"count")
    short = short[:1] + bytes([short[1] | 4]) + short[2:]  # info1 of the message header
    assert [r.code for r in run(store, short)] == [4]
    background = run(store, scan_message(set_name="demo", info1=4, info2=I2_WRITE,
                                         ops=[write_op("bg", 1)], task_id=5))
    assert [r.code for r in background] == [4]


def test_aggregation_of_a_set_never_written_is_not_found(store: Store) -> None:
    """aggr_query_job_start (query.c): a set without a set id is NOT_FOUND, answered plain."""
    responses = run(store, _aggregation(b"count", set_name="empty"))
    assert len(responses) == 1 and responses[0].code == 2 and refused(responses[0])


def test_aggregation_of_a_set_emptied_streams_nothing(store: Store) -> None:
    put(store, 1, {"a": 1}, set_name="emptied")
    assert one(store, message(info2=I2_WRITE | I2_DELETE,
                              fields=key_fields("test", "emptied", 1))).code == 0
    responses = run(store, _aggregation(b"count", set_name="emptied"))
    assert len(responses) == 1 and responses[0].code == 0 and responses[0].info3 & I3_LAST


def test_background_udf_of_a_missing_module_changes_nothing(store: Store) -> None:
    before = get(store, 1).bin_values()
    responses = run(store, scan_message(set_name="demo", pids=range(4096), info1=0, info2=I2_WRITE,
                                        extra=[f(UDF_OP, b"\x02"), f(UDF_PACKAGE, b"m"),
                                               f(UDF_FUNCTION, b"fn"), f(UDF_ARGLIST, mp([]))]),
                    node := FakeNode())
    assert responses[-1].code == 0 and responses[-1].info3 & I3_LAST
    status = wait_job(store, node, 77)
    assert "recs-succeeded=0" in status and "job-type=background-udf" in status
    assert get(store, 1).bin_values() == before


def test_filter_expression_on_scan_and_batch(store: Store) -> None:
    small = msgpack.packb([5, [81, 2, b"i"], 3], use_bin_type=False)  # i < 3
    found = [r.bin_values()["i"] for r in run(store, scan_message(
        set_name="demo", pids=range(4096), extra=[f(FILTER, small)])) if not r.info3]
    assert sorted(found) == [0, 1, 2]
    rows = [batch_row(i, digest_of("demo", i), batch_read_body("test", "demo")) for i in (1, 5)]
    msg = batch_message(rows)
    header_filter = f(FILTER, small)
    # the header filter goes after the header's own fields: rebuild with two fields
    msg = msg[:18] + struct.pack(">H", 2) + msg[20:22] + header_filter + msg[22:]
    by_index = {r.index: r.code for r in run(store, msg)[:-1]}
    assert by_index == {1: 0, 5: 27}


@pytest.mark.parametrize("tree, code", [
    ([1, [127, 2, 3, [51, 0, 8], [81, 3, b"b"]], 1], 4),  # a string call: unknown before 8.2
    ([1, [101, [126, [1]], [81, 5, b"m"]], True], 16),  # map keys in (8.2): not evaluated here
    ([1, [127, 1, [0]], 1], 4),                  # a call without its bin: malformed
    ([8, [81, 8, b"g"], b"\x03text"], 4),        # geo compare with a string: ill-typed
    ([16, [81, 2, b"i"]], 4),                    # and of an integer
    ([200, 1], 4),                               # no such operation
])
def test_an_expression_not_evaluated_or_ill_typed_fails_every_command(store: Store, tree,
                                                                       code) -> None:
    """Never a plausible empty result: the scan, the background job, each batch row and the
    single-record command answer the code, whatever the records hold."""
    exp = f(FILTER, msgpack.packb(tree, use_bin_type=False))
    scanned = run(store, scan_message(set_name="demo", pids=range(4096), extra=[exp]))
    assert len(scanned) == 1 and scanned[0].code == code and refused(scanned[0])
    assert not any(r.bins for r in scanned)
    job = run(store, scan_message(set_name="demo", pids=range(4096), info1=0, info2=I2_WRITE,
                                  ops=[write_op("touched", 1)], extra=[exp]))
    assert job[-1].code == code
    assert "touched" not in get(store, 1).bin_values()
    single = one(store, message(info1=I1_READ | I1_GET_ALL,
                                fields=key_fields("test", "demo", 1) + [exp]))
    assert single.code == code
    row = batch_read_body("test", "demo")
    row = row[:8] + struct.pack(">HH", 3, 0) + row[12:] + exp  # the row's own filter
    assert [r.code for r in run(store, batch_message([batch_row(0, digest_of("demo", 1), row)]))
            ][:1] == [code]


def test_a_query_on_an_expression_index(store: Store) -> None:
    """An expression index (sindex-create exp=<base64>) indexes the expression's value; a
    query sends the same expression (field 24) with its range."""
    tree = msgpack.packb([20, [81, 2, b"i"], 100], use_bin_type=False)  # i + 100
    exp = base64.b64encode(tree).decode()
    assert sindex_create(store, f"namespace=test;set=demo;indexname=idx_e;exp={exp};"
                                "type=numeric") == "ok"
    assert f"exp={exp}" in store.info("sindex-list:namespace=test", FakeNode())
    found = [r.bin_values()["i"] for r in run(store, scan_message(
        set_name="demo", pids=range(4096), extra=[integer_range("", 110, 119), f(24, tree)]))
        if not r.info3]
    assert sorted(found) == list(range(10, 20))
    # another expression has no index
    replies = run(store, scan_message(set_name="demo", pids=range(4096),
                                      extra=[integer_range("", 0, 9), f(24, b"\x93\x14\x01\x02")]))
    assert replies[-1].code == 201 and not any(r.bins for r in replies)
    # an ill-typed index expression is refused when the index is created
    bad = base64.b64encode(msgpack.packb([16, [81, 2, b"i"]], use_bin_type=False)).decode()
    assert sindex_create(store, f"namespace=test;set=demo;indexname=idx_bad;exp={bad};"
                                "type=numeric").startswith("ERROR:4:")


def test_a_scan_whose_read_operation_fails_on_a_record_ends_with_that_code(store: Store) -> None:
    """A bit read on an int bin raised CommandError (12) out of the record loop: the dispatcher
    answered 1 (ERR_SERVER). It ends the scan with the operation's code, as a failing filter does."""
    bit_get = op(12, "i", P_NIL, mp([50, 0, 8]))  # AS_BIT_OP_GET on bin "i" (an int)
    responses = run(store, scan_message(set_name="demo", pids=range(4096), ops=[bit_get]))
    assert responses[-1].info3 & I3_LAST and responses[-1].code == 12


def _keys_of_partition(set_name: str, pid: int, count: int) -> List[int]:
    keys: List[int] = []
    key = 0
    while len(keys) < count:
        if partition_of(digest_of(set_name, key)) == pid:
            keys.append(key)
        key += 1
    return keys


def _list_range_query(set_name: str, pid: int) -> bytes:
    """A list-index range query of one partition (de-duplicating within a read of 100)."""
    return scan_message(set_name=set_name, pids=[pid],
                        extra=[integer_range("l", 0, 1000), f(INDEX_TYPE, b"\x01")])


def test_a_query_read_counts_expired_records_entries() -> None:
    """sindex_tree.c, query_collect_cb: a read of 100 entries counts every entry it visits;
    an expired record's stay in the index until nsup removes the record (the query skips
    them), so they end a read: a record found before and after them comes back twice."""
    store = Store()
    first, *others = _keys_of_partition("demo", 7, 121)
    put(store, first, {"l": [0, 1000]})
    for value, key in enumerate(others, 1):
        put(store, key, {"l": [value]})
        store.namespaces["test"].get(digest_of("demo", key), 0).void_time = 1  # long expired
    assert sindex_create(store, "namespace=test;set=demo;indexname=il;bin=l;type=NUMERIC;"
                                "indextype=LIST") == "ok"
    records = [r for r in run(store, _list_range_query("demo", 7)) if r.bins]
    assert [r.fields[DIGEST] for r in records] == [digest_of("demo", first)] * 2


def test_a_query_read_counts_only_its_indexs_entries() -> None:
    """An index on a set holds only that set's records (sindex.c): another set's records
    with the bin take no place in its reads, so nothing splits a read of 100 here."""
    store = Store()
    first, *others = _keys_of_partition("demo", 7, 121)
    put(store, first, {"l": [0, 1000]})
    for value, key in enumerate(_keys_of_partition("other", 7, 120), 1):
        put(store, key, {"l": [value]}, set_name="other")
    assert sindex_create(store, "namespace=test;set=demo;indexname=il;bin=l;type=NUMERIC;"
                                "indextype=LIST") == "ok"
    records = [r for r in run(store, _list_range_query("demo", 7)) if r.bins]
    assert [r.fields[DIGEST] for r in records] == [digest_of("demo", first)]


def test_a_background_job_that_cannot_start_is_refused_in_one_plain_reply(store: Store) -> None:
    """ops_bg_query_job_start (query.c) refuses a job without operations, one faster than the
    namespace's background-query-max-rps and a job id in use with AS_ERR_PARAMETER, which
    as_tsvc_process_transaction answers as any refused scan/query: one plain reply
    (as_multi_rec_transaction_error), not a last message."""
    rps = f(10, struct.pack(">I", 10001))  # above background-query-max-rps (10000)
    no_ops = scan_message(set_name="demo", info1=0, info2=I2_WRITE, task_id=901)
    too_fast = scan_message(set_name="demo", info1=0, info2=I2_WRITE, ops=[write_op("t", 1)],
                            extra=[rps], task_id=902)
    started = scan_message(set_name="demo", info1=0, info2=I2_WRITE, ops=[write_op("t", 1)],
                           task_id=903)
    answers = [run(store, msg) for msg in (no_ops, too_fast, started, started)]
    assert [[(r.code, refused(r)) for r in responses] for responses in answers] == [
        [(4, True)], [(4, True)], [(0, False)], [(4, True)]]
    assert answers[2][0].info3 & I3_LAST
