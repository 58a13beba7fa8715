"""Scans: aerospike_scan_foreach/_partitions/_node/_background, as_scan, Client.scan*."""
from __future__ import annotations

import itertools
import threading
import time

import pytest

import aerospike_c as asc
from aerospike_c._records import ops
from multi_record_fixtures import (NAMESPACE, client, fill, node_counts,  # noqa: F401 - fixtures
                                   nodes_knowing_job, unique_set)

COUNT = 3000


@pytest.fixture(scope="module")
def filled(client):
    """A set of COUNT records, written once for the module."""
    name = unique_set()
    fill(client, name, COUNT)
    return name


def collect(as_, scan):
    """Run aerospike_scan_foreach; every callback argument in order."""
    seen = []
    asc.aerospike_scan_foreach(as_, None, scan, lambda record, udata: seen.append(record) or True)
    return seen


@pytest.mark.parametrize("concurrent", [False, True])
def test_scan_returns_each_record_exactly_once(client, filled, concurrent):
    scan = asc.as_scan_init(NAMESPACE, filled)
    asc.as_scan_set_concurrent(scan, concurrent)
    seen = collect(client.aerospike, scan)
    assert seen[-1] is None                     # C's completion call, once, at the end
    records = seen[:-1]
    assert None not in records
    assert sorted(r.bins["i"] for r in records) == list(range(COUNT))
    assert len({r.key[3] for r in records}) == COUNT   # distinct digests
    assert all(r.key[:2] == (NAMESPACE, filled) and r.meta["gen"] >= 1 for r in records)
    asc.as_scan_destroy(scan)


def test_concurrent_scan_callbacks_never_overlap(client, filled):
    scan = asc.as_scan_init(NAMESPACE, filled)
    scan.concurrent = True
    active, overlaps = [0], [0]
    guard = threading.Lock()

    def callback(record, udata):
        with guard:
            active[0] += 1
            overlaps[0] = max(overlaps[0], active[0])
        sum(range(200))  # a little work inside the callback
        with guard:
            active[0] -= 1
        return True

    asc.aerospike_scan_foreach(client.aerospike, None, scan, callback)
    assert overlaps[0] == 1


def test_callback_gets_udata(client, filled):
    scan = asc.as_scan_init(NAMESPACE, filled)
    marker = object()
    seen = set()
    asc.aerospike_scan_foreach(client.aerospike, None, scan,
                               lambda record, udata: seen.add(id(udata)) or True, marker)
    assert seen == {id(marker)}


@pytest.mark.parametrize("concurrent", [False, True])
def test_returning_false_stops_the_scan(client, filled, concurrent):
    scan = asc.as_scan_init(NAMESPACE, filled)
    scan.concurrent = concurrent
    calls = []
    asc.aerospike_scan_foreach(client.aerospike, None, scan,
                               lambda record, udata: calls.append(record) or False)
    assert len(calls) == 1 and calls[0] is not None


@pytest.mark.parametrize("concurrent", [False, True])
def test_exception_in_callback_is_reraised_and_stops_the_scan(client, filled, concurrent):
    scan = asc.as_scan_init(NAMESPACE, filled)
    scan.concurrent = concurrent
    calls = []

    def callback(record, udata):
        calls.append(record)
        if len(calls) == 3:
            raise ZeroDivisionError("from the callback")
        return True

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        asc.aerospike_scan_foreach(client.aerospike, None, scan, callback)
    assert len(calls) == 3
    # The instance is usable afterwards and no call is left running.
    assert len(collect(client.aerospike, scan)) == COUNT + 1


def test_base_exception_in_callback_is_reraised(client, filled):
    class Interrupt(BaseException):
        pass

    def callback(record, udata):
        raise Interrupt()

    scan = asc.as_scan_init(NAMESPACE, filled)
    with pytest.raises(Interrupt):
        asc.aerospike_scan_foreach(client.aerospike, None, scan, callback)


def test_select_and_no_bins(client, filled):
    scan = asc.as_scan_init(NAMESPACE, filled)
    asc.as_scan_select_init(scan, 1)
    asc.as_scan_select(scan, "s")
    records = collect(client.aerospike, scan)[:-1]
    assert len(records) == COUNT and all(set(r.bins) == {"s"} for r in records)

    scan = asc.as_scan_init(NAMESPACE, filled)
    asc.as_scan_set_nobins(scan, True)
    records = collect(client.aerospike, scan)[:-1]
    assert len(records) == COUNT and all(r.bins == {} for r in records)


def test_scan_partitions_split_the_set(client, filled):
    scan = asc.as_scan_init(NAMESPACE, filled)
    halves = []
    for begin in (0, 2048):
        pf = asc.as_partition_filter()
        asc.as_partition_filter_set_range(pf, begin, 2048)
        found = []
        asc.aerospike_scan_partitions(client.aerospike, None, scan, pf,
                                      lambda r, u: found.append(r) or True)
        halves.append({r.bins["i"] for r in found if r is not None})
    assert halves[0] and halves[1] and not halves[0] & halves[1]
    assert halves[0] | halves[1] == set(range(COUNT))


def test_scan_by_node_covers_the_set(client, filled):
    scan = asc.as_scan_init(NAMESPACE, filled)
    seen = []
    for name in client.node_names():
        asc.aerospike_scan_node(client.aerospike, None, scan, name,
                                lambda r, u: seen.append(r.bins["i"]) if r else True)
    assert sorted(seen) == list(range(COUNT))


def test_bad_namespace_raises_namespace_not_found(client):
    scan = asc.as_scan_init("no_such_namespace", None)
    with pytest.raises(asc.NamespaceNotFoundError) as raised:
        asc.aerospike_scan_foreach(client.aerospike, None, scan, lambda r, u: True)
    error = raised.value
    assert error.code == asc.AEROSPIKE_ERR_NAMESPACE_NOT_FOUND
    assert "no_such_namespace" in error.message and error.file.endswith(".c") and error.line > 0


def test_a_background_scan_without_a_namespace_is_namespace_not_found(client):
    """A background scan of namespace "" goes out with no namespace field (aerospike_scan.c
    writes one only when it is set), and a server refuses a request without one with
    AS_ERR_NAMESPACE (thr_tsvc.c, as_tsvc_process_transaction)."""
    with pytest.raises(asc.NamespaceNotFoundError) as raised:
        client.scan_background("", unique_set(), ops=[ops.write("bg", 1)])
    assert raised.value.code == asc.AEROSPIKE_ERR_NAMESPACE_NOT_FOUND


def test_scan_policy_view_and_dict(client, filled):
    policy = asc.as_policy_scan_init()
    policy.max_records = 10
    scan = asc.as_scan_init(NAMESPACE, filled)
    found = []
    asc.aerospike_scan_foreach(client.aerospike, policy, scan, lambda r, u: found.append(r) or True)
    assert 0 < len(found) - 1 <= 10
    assert 0 < len(list(client.scan(NAMESPACE, filled, policy={"max_records": 10}))) <= 10
    with pytest.raises(TypeError):
        asc.aerospike_scan_foreach(client.aerospike, asc.as_policy_query_init(), scan,
                                   lambda r, u: True)


def test_scan_object_lifecycle(client, filled):
    scan = asc.as_scan_init(NAMESPACE, filled)

    def destroy_inside(record, udata):
        asc.as_scan_destroy(scan)  # refused: the scan is running

    with pytest.raises(asc.LifecycleError):
        asc.aerospike_scan_foreach(client.aerospike, None, scan, destroy_inside)
    asc.as_scan_destroy(scan)
    with pytest.raises(asc.LifecycleError):
        asc.aerospike_scan_foreach(client.aerospike, None, scan, lambda r, u: True)
    with pytest.raises(asc.LifecycleError):
        scan.concurrent = True


def test_scan_arguments_are_checked():
    with pytest.raises(asc.ParamError):
        asc.as_scan_init("n" * 40, None)
    with pytest.raises(asc.ParamError):
        asc.as_scan_init(NAMESPACE, "s" * 70)
    scan = asc.as_scan_init(NAMESPACE, None)
    with pytest.raises(asc.ParamError):
        asc.as_scan_select(scan, "a")           # no room: as_scan_select_init first
    asc.as_scan_select_init(scan, 1)
    with pytest.raises(asc.ParamError):
        asc.as_scan_select(scan, "x" * 16)      # bin name too long
    with pytest.raises(TypeError):
        scan.concurrent = 1
    with pytest.raises(TypeError):
        asc.aerospike_scan_foreach(None, None, scan, lambda r, u: True)


def test_client_scan_iterates_every_record(client, filled):
    assert sorted(r.bins["i"] for r in client.scan(NAMESPACE, filled)) == list(range(COUNT))
    concurrent = client.scan(NAMESPACE, filled, bins=["i"], concurrent=True, buffer=8)
    assert sorted(r.bins["i"] for r in concurrent) == list(range(COUNT))
    firsts = client.scan(NAMESPACE, filled, partitions=(0, 2048))
    seconds = client.scan(NAMESPACE, filled, partitions=(2048, 2048))
    assert len(list(firsts)) + len(list(seconds)) == COUNT


def test_breaking_out_of_the_iterator_stops_the_scan(aerospike_hosts, filled):
    own = asc.Client(asc.Config(hosts=aerospike_hosts)).connect()
    records = own.scan(NAMESPACE, filled, buffer=2)
    assert len(list(itertools.islice(records, 5))) == 5
    records.close()
    for _ in own.scan(NAMESPACE, filled, concurrent=True, buffer=1):
        break
    own.close()   # refused (LifecycleError) if a scan were still running
    own.destroy()


def test_iterator_raises_the_scan_error(client):
    with pytest.raises(asc.NamespaceNotFoundError):
        list(client.scan("no_such_namespace"))


def test_client_scan_foreach_stops_on_false(client, filled):
    seen = []
    client.scan_foreach(NAMESPACE, filled, lambda record: seen.append(record) or len(seen) < 7)
    assert len(seen) == 7


def test_background_scan_writes_every_record(client):
    name = unique_set()
    fill(client, name, 50)
    scan = asc.as_scan_init(NAMESPACE, name)
    operations = asc.as_operations_init(1)
    asc.as_operations_add_write_int64(operations, "flag", 7)
    scan.ops = operations
    scan_id = asc.aerospike_scan_background(client.aerospike, None, scan)
    assert scan_id > 0
    asc.aerospike_scan_wait(client.aerospike, None, scan_id, 50)
    info = asc.aerospike_scan_info(client.aerospike, None, scan_id)
    assert info.status == asc.AS_SCAN_STATUS_COMPLETED
    asc.as_scan_destroy(scan)
    assert operations.binops.size == 1          # the scan did not free the operations
    assert [r.bins.get("flag") for r in client.scan(NAMESPACE, name)] == [7] * 50

    job = client.scan_background(NAMESPACE, name, ops=[ops.write("flag", 8)])
    assert client.job_info("scan", job).status == asc.AS_JOB_STATUS_COMPLETED
    assert {r.bins["flag"] for r in client.scan(NAMESPACE, name)} == {8}


RPS = 100  # at least 100: a server sleeps at most 10 ms a record (query_job.c, SLEEP_CAP)


def test_records_per_second_throttles_each_node(client):
    """A server throttles its part of a scan to records_per_second (query_job.c,
    as_query_job_throttle): nodes scanned in parallel take as long as the fullest node's
    records at that rate, and every record still comes; without it the scan is fast."""
    name = unique_set()
    fill(client, name, 300)
    slowest = max(node_counts(client, name).values()) / RPS
    scan = asc.as_scan_init(NAMESPACE, name)
    scan.concurrent = True
    policy = asc.as_policy_scan_init()
    start = time.monotonic()
    assert len(collect(client.aerospike, scan)) == 301
    assert time.monotonic() - start < slowest / 2
    policy.records_per_second = RPS
    start = time.monotonic()
    seen = []
    asc.aerospike_scan_foreach(client.aerospike, policy, scan,
                               lambda record, udata: seen.append(record) or True)
    assert time.monotonic() - start >= slowest * 0.9
    assert sorted(r.bins["i"] for r in seen[:-1]) == list(range(300))


def test_background_scan_runs_on_at_its_records_per_second(client):
    """A background job is answered when it starts and runs at its records_per_second
    (query.c, ops_bg_query_job_start): the call returns at once, the job shows active, and
    it is done after the fullest node's records at that rate."""
    name = unique_set()
    fill(client, name, 300)
    slowest = max(node_counts(client, name).values()) / RPS
    policy = asc.as_policy_scan_init()
    policy.records_per_second = RPS
    start = time.monotonic()
    job = client.scan_background(NAMESPACE, name, ops=[ops.write("bg", 1)], policy=policy,
                                 wait=False)
    assert time.monotonic() - start < slowest / 2
    assert client.job_info("scan", job).status == asc.AS_JOB_STATUS_INPROGRESS
    client.job_wait("scan", job, interval_ms=50)
    assert time.monotonic() - start >= slowest * 0.9
    assert client.job_info("scan", job).status == asc.AS_JOB_STATUS_COMPLETED
    assert [r.bins.get("bg") for r in client.scan(NAMESPACE, name)] == [1] * 300


def test_background_scan_above_background_query_max_rps_is_refused(client):
    """validate_background_query_rps (query.c): more than the namespace's
    background-query-max-rps (10000 by default) is a parameter error."""
    set_name = unique_set()
    fill(client, set_name, 1)
    max_rps = int(client.info_all(f"get-config:context=namespace;namespace={NAMESPACE}")
                  .popitem()[1].split("background-query-max-rps=")[1].split(";")[0])
    policy = asc.as_policy_scan_init()
    policy.records_per_second = max_rps + 1
    with pytest.raises(asc.RequestInvalidError):
        client.scan_background(NAMESPACE, set_name, ops=[ops.write("bg", 1)], policy=policy)
    assert "bg" not in client.get((NAMESPACE, set_name, 0)).bins


def test_background_query_max_rps_is_a_background_scans_rate_by_default(client):
    """validate_background_query_rps (query.c): a background job that sends no
    records_per_second runs at the namespace's background-query-max-rps, which set-config
    changes (cfg_set_namespace: 1 to 1000000)."""
    name = unique_set()
    fill(client, name, 200)
    slowest = max(node_counts(client, name).values()) / 200
    get = f"get-config:context=namespace;namespace={NAMESPACE}"
    before = client.info_all(get).popitem()[1].split("background-query-max-rps=")[1].split(";")[0]
    set_config = f"set-config:context=namespace;namespace={NAMESPACE};background-query-max-rps="
    try:
        for refused in ("0", "1000001", "fast"):
            with pytest.raises(asc.RequestInvalidError):
                client.info_all(set_config + refused)
        assert set(client.info_all(set_config + "200").values()) == {"ok"}
        assert all("background-query-max-rps=200;" in answer
                   for answer in client.info_all(get).values())
        start = time.monotonic()
        client.scan_background(NAMESPACE, name, ops=[ops.write("bg", 2)])
        assert time.monotonic() - start >= slowest * 0.9
    finally:
        client.info_all(set_config + before)
    assert {r.bins["bg"] for r in client.scan(NAMESPACE, name)} == {2}


def test_paginated_scan_resumes_until_done(client, filled):
    scan = asc.as_scan_init(NAMESPACE, filled)
    asc.as_scan_set_paginate(scan, True)
    policy = asc.as_policy_scan_init()
    policy.max_records = 700
    seen, pages = [], 0
    while not asc.as_scan_is_done(scan) and pages <= COUNT:
        pages += 1
        asc.aerospike_scan_foreach(client.aerospike, policy, scan,
                                   lambda r, u: seen.append(r.bins["i"]) if r else True)
    assert sorted(seen) == list(range(COUNT))
    assert pages >= COUNT // 700


def test_apply_each_sets_the_udf_call():
    scan = asc.as_scan_init(NAMESPACE, None)
    asc.as_scan_apply_each(scan, "module_a", "function_a", [1, "two", [3]])
    asc.as_scan_apply_each(scan, "module_b", "function_b", None)   # replaces (no leak)
    assert (scan.apply_each.module, scan.apply_each.function) == ("module_b", "function_b")
    assert scan.apply_each.arglist is None
    with pytest.raises(asc.ParamError):
        asc.as_scan_apply_each(scan, "m" * 64, "f", None)
    with pytest.raises(TypeError):
        asc.as_scan_apply_each(scan, "m", "f", "not a list")
    asc.as_scan_destroy(scan)


def test_a_background_scan_of_a_set_never_written_starts_no_job(client):
    """ops_bg_query_job_start (query.c): a set the namespace has never had (no set id) is
    NOT_FOUND and no job starts; the client takes that as a job done (aerospike_scan.c: "Background
    scans return AEROSPIKE_ERR_RECORD_NOT_FOUND when the set does not exist"), and asked
    about it, as done with nothing read (as_job.c: a node that does not know the job)."""
    name = unique_set()
    job = client.scan_background(NAMESPACE, name, ops=[ops.write("bg", 1)])
    info = client.job_info("scan", job)
    assert info.status == asc.AS_JOB_STATUS_COMPLETED and info.records_read == 0
    assert nodes_knowing_job(client, job) == 0
    assert list(client.scan(NAMESPACE, name)) == []


def test_a_background_scan_of_a_set_emptied_runs_as_a_job(client):
    """A set once written keeps its id when its records go: the job starts, reads nothing."""
    name = unique_set()
    client.put((NAMESPACE, name, 1), {"i": 1})
    client.remove((NAMESPACE, name, 1))
    job = client.scan_background(NAMESPACE, name, ops=[ops.write("bg", 1)])
    info = client.job_info("scan", job)
    assert info.status == asc.AS_JOB_STATUS_COMPLETED and info.records_read == 0
    assert nodes_knowing_job(client, job) == len(client.node_names())
    assert list(client.scan(NAMESPACE, name)) == []
