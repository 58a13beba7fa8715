"""The C client's async API under its C names (as_event.h, aerospike_key_*_async): Python
listeners called once per command with the C semantics, event loop lifecycle, fork."""
from __future__ import annotations

import ast
import logging
import threading
import time
import uuid
from typing import Any, List, Tuple

import pytest

import aerospike_c as asc
from probe_helpers import probe_output, run_probe

SET = f"async_{uuid.uuid4().hex[:12]}"  # this session's own set: a real server keeps other runs' records


@pytest.fixture(scope="module")
def loops() -> List[Any]:
    """The process's event loops (tests/conftest.py makes them before anything connects)."""
    return [asc.as_event_loop_get_by_index(i) for i in range(asc.as_event_loop_size())]


@pytest.fixture()
def as_(loops, aerospike_hosts):
    config = asc.as_config_init()
    for host, port in aerospike_hosts:
        asc.as_config_add_host(config, host, port)
    instance = asc.aerospike_init(config)
    asc.aerospike_connect(instance)
    yield instance
    asc.aerospike_close(instance)
    asc.aerospike_destroy(instance)


class Calls:
    """Collects listener calls; wait(n) returns them once n arrived."""

    def __init__(self) -> None:
        self.items: List[Tuple[Any, ...]] = []
        self.cond = threading.Condition()

    def __call__(self, *args: Any) -> None:
        with self.cond:
            self.items.append(args)
            self.cond.notify_all()

    def wait(self, count: int, timeout: float = 10.0) -> List[Tuple[Any, ...]]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.items) >= count, timeout), self.items
            return list(self.items)


def test_the_event_loops_are_the_c_clients(loops):
    assert asc.as_event_loop_size() == len(loops) >= 1
    assert [loop.index for loop in loops] == list(range(len(loops)))
    assert asc.as_event_loop_get() in loops
    assert asc.as_event_loop_get_by_index(len(loops)) is None
    stats = asc.aerospike_event_loop_stats(loops[0])
    assert stats.process_size >= 0 and stats.queue_size >= 0
    assert asc.as_event_loop_get_process_size(loops[0]) >= 0
    with pytest.raises(asc.LifecycleError, match="exist already"):
        asc.as_event_create_loops(1)
    with pytest.raises(TypeError):
        asc.aerospike_event_loop_stats("loop 0")


def test_the_loop_functions_that_read_their_loop_refuse_none():
    """aerospike_event_loop_stats(None) passed NULL to C, which read it (SIGSEGV); so would
    as_event_loop_get_process_size/_queue_size. Each now raises TypeError (in a child process)."""
    out = probe_output('''
        from aerospike_c import *
        as_event_create_loops(1)
        for fn in (aerospike_event_loop_stats, as_event_loop_get_process_size,
                   as_event_loop_get_queue_size):
            outcome(fn, None)
        as_event_close_loops()
        print("end")
    ''')
    assert out.count("TypeError") == 3 and out.split()[-1] == "end", out


def test_the_event_policy_is_checked():
    policy = asc.as_policy_event_init()
    assert (policy.max_commands_in_process, policy.max_commands_in_queue,
            policy.queue_initial_capacity) == (0, 0, 256)
    with pytest.raises(ValueError, match="queue_initial_capacity"):
        policy.queue_initial_capacity = 0
    with pytest.raises(ValueError):
        asc.as_create_event_loops(policy, 0)


def test_single_record_commands_complete_into_their_listeners(as_, loops):
    calls = Calls()
    key = ("test", SET, "k1")
    rec = asc.as_record_init(2)
    asc.as_record_set_int64(rec, "n", 5)
    asc.as_record_set_str(rec, "s", "five")
    asc.aerospike_key_put_async(as_, None, key, rec, calls, "put", loops[-1])
    (err, udata, loop), = calls.wait(1)
    assert (err, udata, loop) == (None, "put", loops[-1])

    asc.aerospike_key_get_async(as_, None, key, calls, "get")
    err, record, udata, loop = calls.wait(2)[1]
    assert err is None and udata == "get" and loop in loops
    assert asc.as_record_get_int64(record, "n", 0) == 5
    assert asc.as_record_get_str(record, "s") == "five"
    assert record.gen >= 1

    asc.aerospike_key_select_async(as_, None, key, ["s"], calls, "select")
    err, record, _, _ = calls.wait(3)[2]
    assert err is None and asc.as_record_get_str(record, "s") == "five"
    assert asc.as_record_get_int64(record, "n", -1) == -1

    ops = asc.as_operations_init(2)
    asc.as_operations_add_incr(ops, "n", 3)
    asc.as_operations_add_read(ops, "n")
    asc.aerospike_key_operate_async(as_, None, key, ops, calls, "operate")
    err, record, _, _ = calls.wait(4)[3]
    assert err is None and asc.as_record_get_int64(record, "n", 0) == 8

    asc.aerospike_key_exists_async(as_, None, key, calls, "exists")
    err, record, _, _ = calls.wait(5)[4]
    assert err is None and record.gen >= 2

    asc.aerospike_key_remove_async(as_, None, key, calls, "remove")
    assert calls.wait(6)[5][0] is None
    asc.aerospike_key_get_async(as_, None, key, calls, "gone")
    err, record, udata, _ = calls.wait(7)[6]
    assert isinstance(err, asc.RecordNotFoundError) and record is None and udata == "gone"
    assert err.code == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND and err.file


def test_apply_async_returns_the_udfs_value(as_):
    calls = Calls()
    asc.aerospike_key_apply_async(as_, None, ("test", SET, "udf"), "no_such_module", "f", [1],
                                  calls)
    err, value, udata, _ = calls.wait(1)[0]
    assert isinstance(err, asc.AerospikeError) and value is None and udata is None


def test_a_listener_that_raises_is_reported_and_the_loop_goes_on(as_, caplog):
    calls = Calls()

    def boom(err, record, udata, loop):
        calls(udata)
        raise RuntimeError(f"listener {udata} failed")

    with caplog.at_level(logging.ERROR, logger="aerospike_c.async"):
        for i in range(3):
            asc.aerospike_key_get_async(as_, None, ("test", SET, f"missing{i}"), boom, i)
        assert sorted(c[0] for c in calls.wait(3)) == [0, 1, 2]
        asc.aerospike_key_put_async(as_, None, ("test", SET, "after"), {"a": 1}, calls, "after")
        assert calls.wait(4)[3] == (None, "after", calls.wait(4)[3][2])
    failures = [r for r in caplog.records if r.name == "aerospike_c.async"]
    assert len(failures) == 3 and all(r.exc_info and r.exc_info[0] is RuntimeError for r in failures)


def test_bad_arguments_raise_before_anything_is_sent(as_):
    with pytest.raises(TypeError, match="listener"):
        asc.aerospike_key_get_async(as_, None, ("test", SET, 1), "not callable")
    with pytest.raises(TypeError, match="event_loop"):
        asc.aerospike_key_get_async(as_, None, ("test", SET, 1), print, None, 3)
    with pytest.raises(TypeError):
        asc.aerospike_key_get_async(as_, None, 42, print)


def test_an_instance_connected_before_the_loops_cannot_run_async(aerospike_hosts):
    lines = run_probe('''
        client = Client(Config(HOSTS)).connect()          # no event loops yet: no async state
        outcome(asc.as_event_create_loops, 1)              # refused: its tend thread would crash
        outcome(asc.aerospike_key_get_async, client.aerospike, None, ("test", PROBE_SET, 1), print)
        client.close()
        asc.as_event_create_loops(1)
        other = Client(Config(HOSTS)).connect()
        import threading
        done = threading.Event()
        asc.aerospike_key_put_async(other.aerospike, None, ("test", PROBE_SET, "p"), {"v": 1},
                                    lambda err, udata, loop: (print("put", err), done.set()))
        done.wait(10)
        outcome(asc.as_event_close_loops)                  # refused: `other` is connected
        other.close()
        print(asc.as_event_close_loops(), asc.as_event_loop_size())
        asc.as_event_create_loops(1)                       # and again
        third = Client(Config(HOSTS)).connect()
        print(third.get(("test", PROBE_SET, "p")).bins)
        third.close()
    ''', hosts=aerospike_hosts)
    assert lines[0].startswith("LifecycleError:") and "before connecting any" in lines[0]
    assert lines[1].startswith("LifecycleError:") and "before as_event_create_loops" in lines[1]
    assert lines[2] == "put None"
    assert lines[3].startswith("LifecycleError:") and "aerospike_close them first" in lines[3]
    assert lines[4:] == ["True 0", "{'v': 1}"]


def test_fork_with_the_event_loops_running(aerospike_hosts):
    """Commands in flight across a fork complete in the parent; the child refuses async.

    The parent waits for all PUTS listeners before it reads and closes: the puts each open a
    connection of their own, so under load a later command (on a connection a finished put
    pooled) can complete before them; a read of a put not done yet finds no record, and a
    close with puts in flight is refused (LifecycleError), as it must be."""
    lines = run_probe('''
        import threading
        PUTS = 50
        asc.as_event_create_loops(1)
        client = Client(Config(HOSTS)).connect()
        put_errors = []
        puts_done = threading.Condition()
        def listener(err, udata, loop):
            with puts_done:
                put_errors.append(err)
                puts_done.notify_all()
        for i in range(PUTS):                             # commands in flight across the fork
            asc.aerospike_key_put_async(client.aerospike, None, ("test", PROBE_SET, i), {"i": i},
                                        listener)
        pid = os.fork()
        if pid == 0:
            try:
                outcome(asc.aerospike_key_get_async, client.aerospike, None, ("test", PROBE_SET, 1), print)
                outcome(asc.as_event_loop_get)
                print("child loops", asc.as_event_loop_size())
                fresh = Client(Config(HOSTS)).connect()  # sync works in the child
                print("child sync", fresh.exists(("test", PROBE_SET, "sync")))
                sys.stdout.flush()
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        print("child status", status)
        with puts_done:
            puts_done.wait_for(lambda: len(put_errors) == PUTS, 60)
            print("parent puts", len(put_errors), [err for err in put_errors if err is not None])
        got = threading.Event()
        def get_listener(err, rec, udata, loop):
            print("parent", err, None if rec is None else asc.as_record_get_int64(rec, "i", -1))
            got.set()
        asc.aerospike_key_get_async(client.aerospike, None, ("test", PROBE_SET, 1), get_listener)
        got.wait(60)
        client.close()
    ''', hosts=aerospike_hosts, timeout=150)
    assert lines[0].startswith("LifecycleError:") and "fork" in lines[0]
    assert lines[1].startswith("LifecycleError:") and "fork" in lines[1]
    assert lines[2] == "child loops 0"
    assert lines[3] == "child sync None"
    assert lines[4] == "child status 0"
    assert lines[5] == "parent puts 50 []"
    assert lines[6] == "parent None 1"


# -- scans and queries (aerospike_scan_async ..., csrc/asc_async_scan.h) ----------------------
SCAN_SET = f"async_scan_{uuid.uuid4().hex[:12]}"  # a real server keeps other runs' records
SCAN_INDEX = f"{SCAN_SET}_i"
SCAN_RECORDS = 600  # more than one chunk (256) of records per node


@pytest.fixture(scope="module")
def scan_data(aerospike_hosts):
    """SCAN_RECORDS records in SCAN_SET (bins i, s, tag) with an index on i."""
    client = asc.Client(asc.Config(aerospike_hosts)).connect()
    for i in range(SCAN_RECORDS):
        client.put(("test", SCAN_SET, i), {"i": i, "s": f"r{i}", "tag": i % 7})
    client.index_create("test", SCAN_SET, "i", SCAN_INDEX, asc.AS_INDEX_NUMERIC)
    yield client
    client.index_remove("test", SCAN_INDEX)
    for i in range(SCAN_RECORDS):
        client.remove(("test", SCAN_SET, i))
    client.close()


class ScanCalls(Calls):
    """Listener calls of a scan; done() once the last call (record None) came."""

    def __init__(self, stop_after: int = -1) -> None:
        super().__init__()
        self.stop_after = stop_after

    def __call__(self, *args: Any) -> Any:
        super().__call__(*args)
        if args[1] is not None and self.stop_after >= 0:
            return len(self.items) < self.stop_after
        return True

    def records(self) -> List[Any]:
        return [item[1] for item in self.items if item[1] is not None]

    def done(self, timeout: float = 30.0) -> Tuple[Any, ...]:
        with self.cond:
            assert self.cond.wait_for(lambda: self.items and self.items[-1][1] is None, timeout)
            return self.items[-1]


def _range(begin: int, count: int) -> Any:
    pf = asc.as_partition_filter()
    asc.as_partition_filter_set_range(pf, begin, count)
    return pf


def _contents(records: List[Any]) -> List[Tuple[Any, ...]]:
    return sorted((r.key[3], tuple(sorted(r.bins.items()))) for r in records)


def _sync_records(function: Any, *args: Any) -> List[Any]:
    found: List[Any] = []
    function(*args, lambda record, udata: found.append(record) if record is not None else None)
    return found


def close_when_idle(as_: Any) -> None:
    """A stopped scan counts itself out at C's next record: retry aerospike_close till then."""
    deadline = time.monotonic() + 20
    while True:
        try:
            asc.aerospike_close(as_)
            return
        except asc.LifecycleError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def test_scan_async_gives_what_the_sync_scan_gives(as_, scan_data, loops):
    scan = asc.as_scan_init("test", SCAN_SET)
    calls = ScanCalls()
    asc.aerospike_scan_async(as_, None, scan, None, calls, "u", loops[0])
    err, record, udata, loop = calls.done()
    assert (err, record, udata, loop) == (None, None, "u", loops[0])
    assert all(item[0] is None and item[2] == "u" and item[3] == loops[0] for item in calls.items)
    got = calls.records()
    assert len(got) == SCAN_RECORDS
    assert _contents(got) == _contents(_sync_records(asc.aerospike_scan_foreach, as_, None, scan))
    assert all(r.key[0] == "test" and r.key[1] == SCAN_SET and r.meta["gen"] >= 1 for r in got)


def test_scan_partitions_and_node_async_match_the_sync_forms(as_, scan_data):
    scan = asc.as_scan_init("test", SCAN_SET)
    pf = _range(100, 1500)
    calls = ScanCalls()
    asc.aerospike_scan_partitions_async(as_, None, scan, pf, calls)
    assert calls.done()[0] is None
    pf = _range(100, 1500)
    expected = _sync_records(asc.aerospike_scan_partitions, as_, None, scan, pf)
    assert 0 < len(expected) < SCAN_RECORDS
    assert _contents(calls.records()) == _contents(expected)

    by_node: List[Any] = []
    for name in asc.as_cluster_get_node_names(as_):
        calls = ScanCalls()
        asc.aerospike_scan_node_async(as_, None, scan, None, name, calls)
        assert calls.done()[0] is None
        assert _contents(calls.records()) == _contents(
            _sync_records(asc.aerospike_scan_node, as_, None, scan, name))
        by_node += calls.records()
    assert len(by_node) == SCAN_RECORDS
    with pytest.raises(asc.ParamError, match="Invalid node name"):
        asc.aerospike_scan_node_async(as_, None, scan, None, "no-such-node", calls)


def test_query_async_with_an_index_filter_matches_the_sync_query(as_, scan_data):
    query = asc.as_query_init("test", SCAN_SET)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "i", asc.AS_PREDICATE_RANGE, asc.AS_INDEX_TYPE_DEFAULT,
                       asc.AS_INDEX_NUMERIC, 100, 399)
    calls = ScanCalls()
    asc.aerospike_query_async(as_, None, query, calls, "q")
    assert calls.done()[:3] == (None, None, "q")
    got = calls.records()
    assert sorted(r.bins["i"] for r in got) == list(range(100, 400))
    assert _contents(got) == _contents(_sync_records(asc.aerospike_query_foreach, as_, None, query))

    pf = _range(0, 2048)
    calls = ScanCalls()
    asc.aerospike_query_partitions_async(as_, None, query, pf, calls)
    assert calls.done()[0] is None
    pf = _range(0, 2048)
    assert _contents(calls.records()) == _contents(
        _sync_records(asc.aerospike_query_partitions, as_, None, query, pf))


def test_a_scan_listener_returning_false_is_not_called_again(as_, scan_data):
    scan = asc.as_scan_init("test", SCAN_SET)
    calls = ScanCalls(stop_after=3)
    asc.aerospike_scan_async(as_, None, scan, None, calls)
    calls.wait(3)
    # The scan stops: the instance closes once C has counted it out; no call came since.
    close_when_idle(as_)
    assert len(calls.items) == 3 and all(item[1] is not None for item in calls.items)
    asc.aerospike_connect(as_)  # for the fixture's close


def test_a_scan_listener_that_raises_is_reported_and_stops_the_scan(as_, scan_data, caplog):
    seen: List[Any] = []

    def boom(err, record, udata, loop):
        seen.append(record)
        if len(seen) == 2:
            raise RuntimeError("scan listener failed")
        return True

    scan = asc.as_scan_init("test", SCAN_SET)
    with caplog.at_level(logging.ERROR, logger="aerospike_c.async"):
        asc.aerospike_scan_async(as_, None, scan, None, boom)
        close_when_idle(as_)
        calls = Calls()
        asc.aerospike_connect(as_)
        asc.aerospike_key_put_async(as_, None, ("test", SET, "after-scan"), {"a": 1}, calls)
        assert calls.wait(1)[0][0] is None  # the dispatcher goes on
    assert len(seen) == 2 and all(record is not None for record in seen)
    failures = [r for r in caplog.records if r.name == "aerospike_c.async"]
    assert len(failures) == 1 and failures[0].exc_info[0] is RuntimeError


@pytest.mark.parametrize("limit", [("ASYNC_SCAN_RECORDS", 10), ("ASYNC_SCAN_BYTES", 1)])
def test_a_slow_scan_listener_holds_up_the_loop_not_memory(as_, scan_data, loops, monkeypatch,
                                                           limit):
    """With at most 10 records (or one chunk's bytes) waiting for the listener, C's loop waits
    for it time and again and every record still arrives once."""
    from aerospike_c.bindings import aerospike_scan
    monkeypatch.setattr(aerospike_scan, *limit)
    gate = threading.Event()
    calls = ScanCalls()

    def slow(*args: Any) -> Any:
        gate.wait(10)
        return calls(*args)

    scan = asc.as_scan_init("test", SCAN_SET)
    asc.aerospike_scan_async(as_, None, scan, None, slow, None, loops[-1])
    gate.set()
    assert calls.done()[0] is None
    assert _contents(calls.records()) == _contents(
        _sync_records(asc.aerospike_scan_foreach, as_, None, scan))


def test_async_scan_errors_and_bad_arguments(as_, scan_data):
    calls = ScanCalls()
    scan = asc.as_scan_init("test", SCAN_SET)
    with pytest.raises(TypeError, match="listener"):
        asc.aerospike_scan_async(as_, None, scan, None, "not callable")
    with pytest.raises(TypeError):
        asc.aerospike_scan_async(as_, None, "scan", None, calls)
    with pytest.raises(TypeError):
        asc.aerospike_scan_partitions_async(as_, None, scan, (0, 10), calls)
    query = asc.as_query_init("test", SCAN_SET)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "s", asc.AS_PREDICATE_EQUAL, asc.AS_INDEX_TYPE_DEFAULT,
                       asc.AS_INDEX_STRING, "r1")
    asc.aerospike_query_async(as_, None, query, calls)  # no index on s: the server says so
    err, record, _, _ = calls.done()
    assert isinstance(err, asc.AerospikeError) and record is None
    assert err.code == asc.AEROSPIKE_ERR_INDEX_NOT_FOUND
    aggregation = asc.as_query_init("test", SCAN_SET)
    asc.as_query_apply(aggregation, "module", "function", [])
    with pytest.raises(asc.AerospikeError, match="Async aggregation"):
        asc.aerospike_query_async(as_, None, aggregation, calls)


def test_a_paginated_scan_stopped_by_its_listener_resumes_at_that_record(as_, scan_data):
    """C's semantics record by record: the record the listener returned False for is not
    counted as read, so the resumed scan gives it and every record not seen yet."""
    scan = asc.as_scan_init("test", SCAN_SET)
    asc.as_scan_set_paginate(scan, True)
    first = ScanCalls(stop_after=300)
    asc.aerospike_scan_async(as_, None, scan, None, first)
    first.wait(300)
    close_when_idle(as_)
    asc.aerospike_connect(as_)
    resumed = asc.as_scan_init("test", SCAN_SET)
    asc.as_scan_set_paginate(resumed, True)
    asc.as_scan_set_partitions(resumed, scan.parts_all)
    rest = ScanCalls()
    asc.aerospike_scan_async(as_, None, resumed, None, rest)
    assert rest.done()[0] is None
    seen, again = first.records(), rest.records()
    assert len(seen) == 300 and len(again) == SCAN_RECORDS - 299
    assert seen[-1].key[3] in {r.key[3] for r in again}  # the one it stopped at
    assert _contents(seen[:-1] + again) == _contents(
        _sync_records(asc.aerospike_scan_foreach, as_, None, asc.as_scan_init("test", SCAN_SET)))


# -- batch, info and transaction async commands (aerospike_batch.h, aerospike_info.h,
# aerospike_txn.h) -----------------------------------------------------------------------------
def _records(keys, kind="read"):
    records = asc.as_batch_records_init(len(keys))
    for key in keys:
        if kind == "read":
            record = asc.as_batch_read_reserve(records)
            record.key = key
            record.read_all_bins = True
        elif kind == "remove":
            record = asc.as_batch_remove_reserve(records)
            record.key = key
        else:
            record = asc.as_batch_apply_reserve(records)
            record.key = key
            record.module, record.function, record.arglist = "no_such_module", "f", []
    return records


def _outcome(records):
    return [(r.result, r.record.bins if r.result == 0 else None,
             r.record.meta["gen"] if r.result == 0 else None)
            for r in (records[i] for i in range(len(records)))]


def test_batch_read_async_fills_the_records_as_the_sync_call_does(as_, loops):
    keys = [("test", SET, f"b{i}") for i in range(12)]
    for key in keys[:9]:
        asc.aerospike_key_put(as_, None, key, {"n": key[2], "l": [1, 2]})
    sync = _records(keys)
    asc.aerospike_batch_read(as_, None, sync)
    calls = Calls()
    records = _records(keys)
    asc.aerospike_batch_read_async(as_, None, records, calls, "u", loops[0])
    err, given, udata, loop = calls.wait(1)[0]
    assert err is None and given is records and udata == "u" and loop == loops[0]
    assert _outcome(records) == _outcome(sync)
    assert [r[0] for r in _outcome(records)] == [0] * 9 + [asc.AEROSPIKE_ERR_RECORD_NOT_FOUND] * 3
    asc.as_batch_records_destroy(records)  # the listener's records are the caller's again


def test_batch_records_are_refused_while_the_c_client_fills_them(as_):
    # Enough keys that the command cannot end before the three checks below (50 sometimes
    # did, on a loaded machine, right as the event loop thread got its turn).
    records = _records([("test", SET, f"r{i}") for i in range(2000)])
    calls = Calls()
    asc.aerospike_batch_read_async(as_, None, records, calls)
    try:
        with pytest.raises(asc.LifecycleError, match="in use by an async batch command"):
            records[0].result
        with pytest.raises(asc.LifecycleError):
            asc.as_batch_records_destroy(records)
        with pytest.raises(asc.LifecycleError):
            asc.aerospike_batch_read_async(as_, None, records, calls)  # a second command on them
    finally:
        calls.wait(1)
    assert len(records) == 2000 and records[0].result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND


def test_batch_write_async_reports_failed_records_with_batch_failed(as_):
    keys = [("test", SET, f"w{i}") for i in range(6)]
    for key in keys:
        asc.aerospike_key_put(as_, None, key, {"n": 1})
    calls = Calls()
    removes = _records(keys[:3], "remove")
    asc.aerospike_batch_write_async(as_, None, removes, calls, "rm")
    err, _, _, _ = calls.wait(1)[0]
    assert err is None and [r[0] for r in _outcome(removes)] == [0, 0, 0]
    with pytest.raises(asc.RecordNotFoundError):
        asc.aerospike_key_get(as_, None, keys[0])
    udfs = _records(keys[3:], "apply")
    asc.aerospike_batch_write_async(as_, None, udfs, calls, "udf")
    err, given, udata, _ = calls.wait(2)[1]
    assert isinstance(err, asc.BatchFailedError) and given is udfs and udata == "udf"
    assert all(r[0] == asc.AEROSPIKE_ERR_UDF for r in _outcome(udfs))
    sync = _records(keys[3:], "apply")
    with pytest.raises(asc.BatchFailedError):
        asc.aerospike_batch_write(as_, None, sync)
    assert [r[0] for r in _outcome(sync)] == [r[0] for r in _outcome(udfs)]


def test_a_raising_batch_listener_is_reported_and_the_dispatcher_goes_on(as_, caplog):
    calls = Calls()

    def boom(err, records, udata, loop):
        calls(udata)
        raise ValueError("batch listener failed")

    with caplog.at_level(logging.ERROR, logger="aerospike_c.async"):
        kept = [_records([("test", SET, f"x{i}")]) for i in range(3)]
        for i, records in enumerate(kept):
            asc.aerospike_batch_read_async(as_, None, records, boom, i)
        assert sorted(c[0] for c in calls.wait(3)) == [0, 1, 2]
        asc.aerospike_info_node_async(as_, None, _all_node_names(as_)[0], "build", calls, "info")
        err, response, udata, _ = calls.wait(4)[3]
        assert err is None and response.startswith("build\t") and udata == "info"
    failures = [r for r in caplog.records if r.name == "aerospike_c.async"]
    assert len(failures) == 3 and all(r.exc_info[0] is ValueError for r in failures)


def test_many_concurrent_batches_all_complete(as_):
    keys = [("test", SET, f"m{i}") for i in range(20)]
    for key in keys[:10]:
        asc.aerospike_key_put(as_, None, key, {"v": key[2]})
    calls = Calls()
    batches = [_records(keys) for _ in range(300)]
    for i, records in enumerate(batches):
        asc.aerospike_batch_read_async(as_, None, records, calls, i)
    done = calls.wait(300, timeout=60)
    assert sorted(c[2] for c in done) == list(range(300)) and all(c[0] is None for c in done)
    first = _outcome(batches[0])
    assert all(_outcome(records) == first for records in batches)


def test_info_node_async_answers_as_info_node(as_):
    client_names = _all_node_names(as_)
    calls = Calls()
    for i, name in enumerate(client_names):
        asc.aerospike_info_node_async(as_, None, name, "namespaces", calls, name)
    answers = calls.wait(len(client_names))
    for err, response, udata, _ in answers:
        assert err is None and response == asc.aerospike_info_node(as_, None, udata, "namespaces")
    with pytest.raises(asc.InvalidNodeError):
        asc.aerospike_info_node_async(as_, None, "no such node", "build", calls)
    asc.aerospike_info_node_async(as_, None, client_names[0], "no-such-command", calls, "bad")
    err, response, udata, _ = calls.wait(len(client_names) + 1)[-1]
    assert udata == "bad" and (err is None) == (response is not None)


def _all_node_names(as_):
    names = []

    def collect(err, node, req, res, udata):
        names.append(node)
    asc.aerospike_info_foreach(as_, None, "node", collect)
    return names


from test_txn import BIN, keys, put, sc, sc_hosts, value  # noqa: E402,F401 - the SC cluster fixtures


def test_commit_and_abort_async_end_transactions_as_the_sync_calls(sc, keys):
    client, _ = sc
    as_ = client.aerospike
    committed, aborted = keys(2), keys(2)
    calls = Calls()
    txn = asc.as_txn_create()
    policy = asc.as_policy_write_init()
    policy.base.txn = txn
    for key in committed:
        put(as_, policy, key, 7)
    assert [value(client, key) for key in committed] == [1, 1]  # not visible before the commit
    asc.aerospike_commit_async(as_, txn, calls, "commit")
    with pytest.raises(asc.LifecycleError):
        asc.as_txn_destroy(txn)  # in use until the listener runs (or the policy still holds it)
    err, status, udata, _ = calls.wait(1)[0]
    assert (err, status, udata) == (None, asc.AS_COMMIT_OK, "commit")
    assert [value(client, key) for key in committed] == [7, 7]
    asc.aerospike_commit_async(as_, txn, calls, "again")  # C answers at once: already committed
    assert calls.wait(2)[1][:3] == (None, asc.AS_COMMIT_ALREADY_COMMITTED, "again")
    with pytest.raises(asc.TransactionError):
        asc.aerospike_abort_async(as_, txn, calls)  # C returns it: the listener never runs

    other = asc.as_txn_create()
    policy.base.txn = other
    for key in aborted:
        put(as_, policy, key, 9)
    asc.aerospike_abort_async(as_, other, calls, "abort")
    err, status, udata, _ = calls.wait(3)[2]
    assert (err, status, udata) == (None, asc.AS_ABORT_OK, "abort")
    assert [value(client, key) for key in aborted] == [1, 1]
    policy.base.txn = None
    asc.as_txn_destroy(txn)
    asc.as_txn_destroy(other)
    assert len(calls.wait(3)) == 3


def test_what_c_reads_stays_held_until_the_listener_runs(sc, keys):
    client, _ = sc
    as_ = client.aerospike
    key, = keys(1)
    gate, inside, calls = threading.Event(), threading.Event(), Calls()

    def blocker(err, record, udata, loop):
        inside.set()
        gate.wait(30)

    asc.aerospike_key_get_async(as_, None, key, blocker)
    assert inside.wait(10)  # the dispatcher runs this listener: no other one runs meanwhile
    try:
        txn = asc.as_txn_create()
        policy = asc.as_policy_write_init()
        policy.base.txn = txn
        asc.aerospike_key_put_async(as_, policy, key, {BIN: 5}, calls, "put")
        policy.base.txn = None  # no policy points at it now: only the command in flight
        records = _records([key])
        asc.aerospike_batch_read_async(as_, None, records, calls, "batch")
        with pytest.raises(asc.LifecycleError):
            asc.as_txn_destroy(txn)
        with pytest.raises(asc.LifecycleError):
            asc.as_batch_records_destroy(records)
    finally:
        gate.set()
    assert sorted(c[-2] for c in calls.wait(2)) == ["batch", "put"]
    assert asc.aerospike_abort(as_, txn) == asc.AS_ABORT_OK
    asc.as_txn_destroy(txn)
    asc.as_batch_records_destroy(records)


def test_an_async_commit_and_a_sync_abort_of_one_transaction_do_not_both_run(sc_hosts):
    # aerospike_commit_async took no part in the one-end-at-a-time rule of aerospike_commit /
    # aerospike_abort: an abort right after it saw the transaction still OPEN (the commit's
    # verify in flight) and rolled it back while the commit rolled it forward, both answering
    # OK, and the first to end freed the key sets (as_txn_clear) the other was still reading.
    # Now a sync end while an async end runs raises LifecycleError, and an async one as well.
    hosts, namespace = sc_hosts
    lines = run_probe(f'''
        import threading
        asc.as_event_create_loops(1)
        client = Client(Config(HOSTS)).connect()
        as_ = client.aerospike
        outcomes = set()
        for round in range(30):
            txn = asc.as_txn_create()
            policy = asc.as_policy_write_init()
            policy.base.txn = txn
            for i in range(20):
                asc.aerospike_key_put(as_, policy, ("{namespace}", "txn_ends", i), {{"a": round}})
            policy.base.txn = None
            ended = threading.Event()
            got = []
            asc.aerospike_commit_async(as_, txn, lambda err, status, udata, loop:
                                       (got.append((err, status)), ended.set()))
            try:
                aborted = asc.aerospike_abort(as_, txn)
            except asc.LifecycleError as error:
                aborted = "refused" if "still running" in str(error) else str(error)
            except asc.AerospikeError as error:
                aborted = type(error).__name__
            try:
                asc.aerospike_abort_async(as_, txn, lambda *args: None)
                second = "sent"
            except asc.LifecycleError:
                second = "refused"
            except asc.AerospikeError as error:
                second = type(error).__name__
            assert ended.wait(20)
            err, status = got[0]
            outcomes.add((err is None and status == asc.AS_COMMIT_OK, str(aborted), second))
            while True:
                try:
                    asc.as_txn_destroy(txn)
                    break
                except asc.LifecycleError:  # the second listener not run yet
                    pass
        print(sorted(outcomes))
        client.close()
    ''', hosts=hosts, timeout=120)
    # Before: (False, '0', ...) the abort won, the commit failed; (True, '4', ...) both rolled.
    outcomes = ast.literal_eval(lines[0])
    assert all(committed and aborted in ("refused", "TransactionError")
               and second in ("refused", "TransactionError")
               for committed, aborted, second in outcomes), outcomes
    assert any(aborted == "refused" for _, aborted, _ in outcomes), outcomes
