"""The C client's async API under its C names (as_event.h, aerospike_key_*_async): Python
listeners called once per command with the C semantics, event loop lifecycle, fork."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, List, Tuple

import pytest

import aerospike_c as asc
from probe_helpers import run_probe

SET = "async"


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
        outcome(asc.aerospike_key_get_async, client.aerospike, None, ("test", "async", 1), print)
        client.close()
        asc.as_event_create_loops(1)
        other = Client(Config(HOSTS)).connect()
        import threading
        done = threading.Event()
        asc.aerospike_key_put_async(other.aerospike, None, ("test", "async", "p"), {"v": 1},
                                    lambda err, udata, loop: (print("put", err), done.set()))
        done.wait(10)
        outcome(asc.as_event_close_loops)                  # refused: `other` is connected
        other.close()
        print(asc.as_event_close_loops(), asc.as_event_loop_size())
        asc.as_event_create_loops(1)                       # and again
        third = Client(Config(HOSTS)).connect()
        print(third.get(("test", "async", "p")).bins)
        third.close()
    ''', hosts=aerospike_hosts)
    assert lines[0].startswith("LifecycleError:") and "before connecting any" in lines[0]
    assert lines[1].startswith("LifecycleError:") and "before as_event_create_loops" in lines[1]
    assert lines[2] == "put None"
    assert lines[3].startswith("LifecycleError:") and "aerospike_close them first" in lines[3]
    assert lines[4:] == ["True 0", "{'v': 1}"]


def test_fork_with_the_event_loops_running(aerospike_hosts):
    lines = run_probe('''
        import threading
        asc.as_event_create_loops(1)
        client = Client(Config(HOSTS)).connect()
        done = threading.Event()
        def listener(err, udata, loop):
            done.set()
        for i in range(50):                               # commands in flight across the fork
            asc.aerospike_key_put_async(client.aerospike, None, ("test", "async", i), {"i": i},
                                        listener)
        pid = os.fork()
        if pid == 0:
            try:
                outcome(asc.aerospike_key_get_async, client.aerospike, None, ("test", "async", 1), print)
                outcome(asc.as_event_loop_get)
                print("child loops", asc.as_event_loop_size())
                fresh = Client(Config(HOSTS)).connect()  # sync works in the child
                print("child sync", fresh.get(("test", "async", "sync")).bins if fresh.exists(("test", "async", "sync")) else None)
                sys.stdout.flush()
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        print("child status", status)
        done.wait(10)
        got = threading.Event()
        asc.aerospike_key_get_async(client.aerospike, None, ("test", "async", 1),
                                    lambda err, rec, udata, loop: (print("parent", err, asc.as_record_get_int64(rec, "i", -1)), got.set()))
        got.wait(10)
        client.close()
    ''', hosts=aerospike_hosts, timeout=90)
    assert lines[0].startswith("LifecycleError:") and "fork" in lines[0]
    assert lines[1].startswith("LifecycleError:") and "fork" in lines[1]
    assert lines[2] == "child loops 0"
    assert lines[3] == "child sync None"
    assert lines[4] == "child status 0"
    assert lines[5] == "parent None 1"


# -- scans and queries (aerospike_scan_async ..., csrc/asc_async_scan.h) ----------------------
SCAN_SET = "async_scan"
SCAN_RECORDS = 600  # more than one chunk (256) of records per node


@pytest.fixture(scope="module")
def scan_data(aerospike_hosts):
    """SCAN_RECORDS records in SCAN_SET (bins i, s, tag) with an index on i."""
    client = asc.Client(asc.Config(aerospike_hosts)).connect()
    client.truncate("test", SCAN_SET)
    for i in range(SCAN_RECORDS):
        client.put(("test", SCAN_SET, i), {"i": i, "s": f"r{i}", "tag": i % 7})
    client.index_create("test", SCAN_SET, "i", "async_scan_i", asc.AS_INDEX_NUMERIC)
    yield client
    client.index_remove("test", "async_scan_i")
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
