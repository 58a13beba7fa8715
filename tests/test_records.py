"""Single-record commands: put, get, select, exists, remove and their errors, through the
C-faithful aerospike_key_* functions and the Client methods."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest

import aerospike_c as asc
from aerospike_c.bindings.as_record import Record
from aerospike_c.testing import N_PARTITIONS
from multi_record_fixtures import (NAMESPACE, client, set_name,  # noqa: F401 - pytest fixtures
                                   skip_unless_ttl_allowed, ttl_refusal, unique_set)

NEVER_EXPIRES = 4294967295  # the ttl a record of void time 0 reads back with


def test_the_c_faithful_put_get_select_exists_remove(client, set_name):  # noqa: F811
    as_ = client.aerospike
    key = asc.as_key_init_str(NAMESPACE, set_name, "c-style")
    rec = asc.as_record_init(4)
    asc.as_record_set_int64(rec, "test-bin-1", 1111)
    asc.as_record_set_str(rec, "test-bin-2", "test-bin-2-data")
    asc.as_record_set_raw(rec, "test-bin-3", b"\x01\x02\x03")
    asc.as_record_set_double(rec, "test-bin-4", 0.5)
    ttl = 600 if ttl_refusal(client) is None else -1  # a server's default takes no ttl
    rec.ttl = ttl
    asc.aerospike_key_put(as_, None, key, rec)
    asc.as_record_destroy(rec)

    got = asc.aerospike_key_get(as_, None, key)
    assert asc.as_record_numbins(got) == 4
    assert asc.as_record_get_int64(got, "test-bin-1", 0) == 1111
    assert asc.as_record_get_str(got, "test-bin-2") == "test-bin-2-data"
    assert asc.as_record_get_bytes(got, "test-bin-3") == b"\x01\x02\x03"
    assert asc.as_record_get_double(got, "test-bin-4", 0.0) == 0.5
    assert asc.as_record_get_int64(got, "test-bin-2", -1) == -1  # wrong type: the fallback
    assert asc.as_record_get(got, "absent") is None
    assert got.gen == 1
    assert got.ttl == NEVER_EXPIRES if ttl < 0 else 590 <= got.ttl <= 600

    selected = asc.aerospike_key_select(as_, None, key, ["test-bin-1", "test-bin-5"])
    assert selected.to_python().bins == {"test-bin-1": 1111}

    meta = asc.aerospike_key_exists(as_, None, key)
    assert asc.as_record_numbins(meta) == 0 and meta.gen == 1

    asc.aerospike_key_remove(as_, None, key)
    with pytest.raises(asc.RecordNotFoundError):
        asc.aerospike_key_exists(as_, None, key)


def test_records_are_destroyed_once_and_refuse_use_afterwards(client, set_name):  # noqa: F811
    rec = asc.as_record_init(1)
    asc.as_record_set_int64(rec, "a", 1)
    asc.as_record_destroy(rec)
    assert rec.destroyed
    with pytest.raises(asc.LifecycleError):
        asc.as_record_get_int64(rec, "a", 0)
    with pytest.raises(asc.LifecycleError):
        asc.as_record_destroy(rec)
    with pytest.raises(asc.LifecycleError):
        asc.aerospike_key_put(client.aerospike, None, (NAMESPACE, set_name, 1), rec)


def test_a_full_record_refuses_another_bin():
    rec = asc.as_record_init(1)
    asc.as_record_set_int64(rec, "a", 1)
    asc.as_record_set_int64(rec, "a", 2)  # same bin: replaced
    with pytest.raises(asc.ParamError, match="no room"):
        asc.as_record_set_int64(rec, "b", 1)
    with pytest.raises(TypeError, match="bin 'a'"):
        asc.as_record_set_int64(rec, "a", "1")
    assert asc.as_record_get_int64(rec, "a", 0) == 2


def test_client_put_get_and_metadata(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "client")
    ttl = 3600 if ttl_refusal(client) is None else -1  # a server's default takes no ttl
    client.put(key, {"name": "Ann", "visits": 1, "tags": ["a"], "prefs": {"x": 1.5}}, ttl=ttl)
    record = client.get(key)
    assert isinstance(record, Record)
    assert record.bins == {"name": "Ann", "visits": 1, "tags": ["a"], "prefs": {"x": 1.5}}
    assert record.meta["gen"] == 1
    assert record.meta["ttl"] == NEVER_EXPIRES if ttl < 0 else 3590 <= record.meta["ttl"] <= 3600
    assert record.key[:3] == key and len(record.key[3]) == 20
    key_, meta, bins = record  # unpacks like (key, meta, bins)
    assert bins is record.bins
    client.put(key, {"visits": 2})
    assert client.get(key, ["visits", "name"]).bins == {"visits": 2, "name": "Ann"}
    assert client.exists(key)["gen"] == 2


def test_every_key_kind_and_a_record_larger_than_the_scratch_buffer(client, set_name):  # noqa: F811
    bins = {"blob": bytes(range(256)) * 64, "text": "é\0" * 5000, "n": -(1 << 63)}
    for user_key in (7, "k\0ey", b"\x00\xff"):
        key = (NAMESPACE, set_name, user_key)
        client.put(key, bins)
        record = client.get(key)
        assert record.bins == bins and record.key[:3] == key
        by_digest = client.get((NAMESPACE, set_name, None, record.key[3]))
        assert by_digest.bins == bins and by_digest.key == (NAMESPACE, set_name, None, record.key[3])
        operated = client.operate(key, [asc.ops.incr("n", 1), asc.ops.read("blob"), asc.ops.read("n")])
        assert operated.bins == {"blob": bins["blob"], "n": -(1 << 63) + 1}
        client.remove(key)
        assert client.exists(key) is None


def test_threads_calling_at_once_each_get_their_own_results(client, set_name):  # noqa: F811
    errors = []

    def work(t: int) -> None:
        try:
            for i in range(30):
                key = (NAMESPACE, set_name, f"t{t}-{i}")
                client.put(key, {"t": t, "i": i, "pad": "x" * (t * 700)})
                assert client.get(key).bins == {"t": t, "i": i, "pad": "x" * (t * 700)}
                assert client.operate(key, [asc.ops.incr("i", 1), asc.ops.read("i")]).bins == {"i": i + 1}
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and not any(thread.is_alive() for thread in threads)


def test_a_record_that_never_expires_reads_the_no_expire_ttl(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "forever")
    client.put(key, {"a": 1}, ttl=asc.AS_RECORD_NO_EXPIRE_TTL)
    assert client.exists(key)["ttl"] == asc.AS_RECORD_NO_EXPIRE_TTL


def test_errors_carry_the_c_error(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "missing")
    with pytest.raises(asc.RecordNotFoundError) as caught:
        client.get(key)
    error = caught.value
    assert error.code == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND
    assert isinstance(error, asc.ServerError) and isinstance(error, KeyError)
    assert "AEROSPIKE_ERR_RECORD_NOT_FOUND" in error.message
    assert error.file.endswith(".c") and error.line > 0 and error.in_doubt is False
    with pytest.raises(asc.RecordNotFoundError):
        client.remove(key)
    assert client.exists(key) is None


def test_an_unknown_namespace_is_namespace_not_found(client):  # noqa: F811
    with pytest.raises(asc.NamespaceNotFoundError) as caught:
        client.put(("no_such_namespace", "s", 1), {"a": 1})
    assert caught.value.code == asc.AEROSPIKE_ERR_NAMESPACE_NOT_FOUND


def test_generation_mismatch_and_create_only(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "errors")
    client.put(key, {"a": 1})
    with pytest.raises(asc.RecordGenerationError) as caught:
        client.put(key, {"a": 2}, gen=99, policy={"gen": asc.AS_POLICY_GEN_EQ})
    assert caught.value.code == asc.AEROSPIKE_ERR_RECORD_GENERATION
    with pytest.raises(asc.RecordExistsError) as caught:
        client.put(key, {"a": 2}, policy={"exists": asc.AS_POLICY_EXISTS_CREATE})
    assert caught.value.code == asc.AEROSPIKE_ERR_RECORD_EXISTS
    assert client.get(key).bins == {"a": 1}


def test_wrong_bin_type_for_append(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "types")
    client.put(key, {"n": 1})
    with pytest.raises(asc.BinIncompatibleTypeError) as caught:
        client.append(key, "n", "x")
    assert caught.value.code == asc.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE


def test_keys_and_bins_are_checked_before_any_call(client):  # noqa: F811
    with pytest.raises(TypeError):
        client.put("not a key", {"a": 1})
    with pytest.raises(TypeError):
        client.put((NAMESPACE, "s", 1), [("a", 1)])
    with pytest.raises(TypeError):
        client.get((NAMESPACE, "s", 1), "a")
    with pytest.raises(ValueError):
        client.get((NAMESPACE, "s", None))


def test_calls_need_a_connected_instance(aerospike_hosts):
    closed = asc.Client(hosts=aerospike_hosts)
    with pytest.raises(asc.LifecycleError, match="not connected"):
        closed.get((NAMESPACE, "s", 1))
    closed.destroy()
    with pytest.raises(asc.LifecycleError):
        closed.put((NAMESPACE, "s", 1), {"a": 1})


# -- fault injection: timeouts, in_doubt, the GIL -----------------------------------------------
def master_of(cluster, key) -> str:
    """The node name that masters the key's partition (the C client's partition id rule)."""
    digest = asc.as_key_digest(asc.as_key_init_value(*key))
    partition = (digest[0] | digest[1] << 8) & (N_PARTITIONS - 1)
    return cluster.partition_master(key[0], partition)


@contextmanager
def hung_master(cluster_factory, key, bins):
    """A client on a fresh 1-node cluster holding `key`, whose node hangs inside the block."""
    cluster = cluster_factory(nodes=1)
    with asc.Client(hosts=cluster.hosts) as hung_client:
        hung_client.put(key, bins)
        cluster.hang_node(master_of(cluster, key))
        try:
            yield hung_client
        finally:
            cluster.resume_node(master_of(cluster, key))


@pytest.mark.fault_injection
def test_a_hung_node_times_out_and_a_write_is_in_doubt(aerospike_cluster_factory):
    key = (NAMESPACE, "hang", "k")
    with hung_master(aerospike_cluster_factory, key, {"a": 1}) as hung_client:
        timeouts = {"total_timeout": 300, "socket_timeout": 300, "max_retries": 0}
        with pytest.raises(asc.AerospikeTimeoutError) as caught:
            hung_client.get(key, policy=timeouts)
        assert caught.value.in_doubt is False
        with pytest.raises(asc.AerospikeTimeoutError) as caught:
            hung_client.put(key, {"a": 2}, policy=timeouts)
        assert caught.value.code == asc.AEROSPIKE_ERR_TIMEOUT
        assert caught.value.in_doubt is True  # the write may have happened


@pytest.mark.fault_injection
def test_the_gil_is_released_while_a_command_waits(aerospike_cluster_factory):
    key = (NAMESPACE, "gil", "k")
    with hung_master(aerospike_cluster_factory, key, {"a": 1}) as waiting_client:
        outcome = []

        def blocked_get() -> None:
            try:
                waiting_client.get(key, policy={"total_timeout": 1500, "socket_timeout": 1500,
                                                "max_retries": 0})
            except asc.AerospikeTimeoutError as exc:
                outcome.append(exc)

        worker = threading.Thread(target=blocked_get)
        worker.start()
        spins = 0
        while worker.is_alive() and spins < 10 ** 8:
            spins += 1  # runs only if the worker's C call let go of the GIL
        worker.join(timeout=10)
    assert outcome and spins > 10000


@pytest.mark.fault_injection
def test_operations_and_records_cannot_be_destroyed_while_a_command_reads_them(aerospike_cluster_factory):
    key = (NAMESPACE, "busy", "k")
    with hung_master(aerospike_cluster_factory, key, {"n": 1}) as busy_client:
        operations = asc.as_operations_init(1)
        asc.as_operations_add_incr(operations, "n", 1)
        rec = asc.as_record_init(1)
        asc.as_record_set_int64(rec, "n", 5)
        slow = asc.as_policy_operate_init()
        slow.base.total_timeout = slow.base.socket_timeout = 1500
        slow_write = asc.as_policy_write_init()
        slow_write.base.total_timeout = slow_write.base.socket_timeout = 1500
        errors = []

        def call(function, *args):
            try:
                function(busy_client.aerospike, *args)
            except asc.AerospikeTimeoutError as exc:
                errors.append(exc)

        workers = [threading.Thread(target=call, args=(asc.aerospike_key_operate, slow, key, operations)),
                   threading.Thread(target=call, args=(asc.aerospike_key_put, slow_write, key, rec))]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 10
        while not (operations._users and rec._users) and time.monotonic() < deadline:
            time.sleep(0.01)  # until both commands are inside their C call
        try:
            with pytest.raises(asc.LifecycleError, match="in use"):
                asc.as_operations_destroy(operations)
            with pytest.raises(asc.LifecycleError, match="in use"):
                asc.as_record_destroy(rec)
        finally:
            for worker in workers:
                worker.join(timeout=10)
        assert len(errors) == 2
        asc.as_operations_destroy(operations)
        asc.as_record_destroy(rec)


@pytest.mark.fault_injection
def test_close_and_destroy_refuse_while_a_one_call_command_runs(aerospike_cluster_factory):
    """The one-call commands (asc_key.h) count themselves in C: close and destroy still see
    them, and once the instance is destroyed every command raises instead of crashing."""
    key = (NAMESPACE, "inside", "k")
    cluster = aerospike_cluster_factory(nodes=1)
    busy_client = asc.Client(hosts=cluster.hosts).connect()
    busy_client.put(key, {"a": 1})
    as_ = busy_client.aerospike
    assert as_.calls == 0
    cluster.hang_node(master_of(cluster, key))
    errors = []

    def blocked(call):
        try:
            call()
        except asc.AerospikeTimeoutError as exc:
            errors.append(exc)

    slow = {"total_timeout": 1500, "socket_timeout": 1500, "max_retries": 0}
    workers = [threading.Thread(target=blocked, args=(lambda: busy_client.get(key, policy=slow),)),
               threading.Thread(target=blocked,
                                args=(lambda: busy_client.put(key, {"a": 2}, policy=slow),))]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 10
    while as_.calls < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        assert as_.calls == 2
        with pytest.raises(asc.LifecycleError, match="2 call"):
            busy_client.close()
        with pytest.raises(asc.LifecycleError, match="still running"):
            asc.aerospike_close(as_)
    finally:
        for worker in workers:
            worker.join(timeout=10)
        cluster.resume_node(master_of(cluster, key))
    assert len(errors) == 2 and as_.calls == 0
    assert busy_client.get(key).bins == {"a": 1} or busy_client.get(key).bins == {"a": 2}
    busy_client.destroy()
    for call in (lambda: asc.bindings.asc_key.get(as_, None, key),
                 lambda: busy_client.get(key), lambda: busy_client.put(key, {"a": 3}),
                 lambda: busy_client.exists(key), lambda: busy_client.remove(key),
                 lambda: busy_client.operate(key, [asc.ops.read("a")])):
        with pytest.raises(asc.LifecycleError, match="destroyed"):
            call()


def test_one_call_commands_refuse_while_a_close_runs(aerospike_hosts):
    """While close/destroy holds the instance (its exclusive count, taken here as they take
    it), the one-call commands raise LifecycleError instead of waiting or running."""
    from aerospike_c._aerospike import lib
    closing = asc.Client(hosts=aerospike_hosts).connect()
    key = (NAMESPACE, unique_set(), 1)
    closing.put(key, {"a": 1})
    as_ = closing.aerospike
    assert lib.asc_enter_exclusive(as_._guard, 1) == -1  # 1: this test's owner token
    try:
        for call in (lambda: closing.get(key), lambda: closing.put(key, {"a": 2}),
                     lambda: closing.exists(key), lambda: closing.operate(key, [asc.ops.read("a")]),
                     lambda: closing.batch_get([key]), lambda: closing.node_names(),
                     lambda: closing.connect()):
            with pytest.raises(asc.LifecycleError, match="being closed"):
                call()
    finally:
        lib.asc_exit_exclusive(as_._guard, False)
    assert closing.get(key).bins == {"a": 1}
    closing.destroy()


# -- record UDFs ----------------------------------------------------------------------------------
UDF_SOURCE = b"""
function add_bin(rec, name, value)
    rec[name] = value
    aerospike:update(rec)
    return value
end
"""


def test_apply_runs_a_record_udf(client, set_name):  # noqa: F811
    module = f"m_{set_name}"
    key = (NAMESPACE, set_name, "udf")
    client.put(key, {"a": 1})
    client.udf_put(f"{module}.lua", UDF_SOURCE)
    try:
        assert client.apply(key, module, "add_bin", ["b", [1, {"k": "v"}]]) == [1, {"k": "v"}]
        assert asc.aerospike_key_apply(client.aerospike, None, key, module, "add_bin",
                                       ["c", 2.5]) == 2.5
        assert client.get(key).bins == {"a": 1, "b": [1, {"k": "v"}], "c": 2.5}
    finally:
        client.udf_remove(f"{module}.lua")


def test_apply_arguments_are_checked_before_the_call(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "udf-args")
    with pytest.raises(TypeError, match="arglist"):
        client.apply(key, "module", "function", [{1, 2}])
    with pytest.raises(TypeError):
        asc.aerospike_key_apply(client.aerospike, None, key, "module", "function", "not a list")
    with pytest.raises(TypeError):
        client.apply(key, 1, "function")


def test_structs_and_calls_are_freed_when_their_last_reference_goes(client, set_name):  # noqa: F811
    """C memory goes when Python's last reference does, as in C: no struct, callback context
    or client leaves a reference cycle that only the garbage collector would free (an
    as_config, an as_key, a policy ... each referred to itself; a scan's callback context and
    its handle to each other)."""
    import gc

    def c_faithful(i: int) -> None:
        as_ = client.aerospike
        key = asc.as_key_init_int64(NAMESPACE, set_name, i)
        rec = asc.as_record_init(1)
        asc.as_record_set_int64(rec, "i", i)
        asc.aerospike_key_put(as_, asc.as_policy_write_init(), key, rec)
        asc.aerospike_key_get(as_, asc.as_policy_read_init(), key)
        operations = asc.as_operations_init(1)
        asc.as_operations_add_incr(operations, "i", 1)
        asc.aerospike_key_operate(as_, None, key, operations)
        scan = asc.as_scan_init(NAMESPACE, set_name)
        asc.aerospike_scan_foreach(as_, None, scan, lambda record, udata: True)
        asc.aerospike_info_foreach(as_, None, "node", lambda *args: True)
        asc.as_config_init()

    def idiomatic(i: int) -> None:
        client.put((NAMESPACE, set_name, i), {"i": i})
        client.get((NAMESPACE, set_name, i))
        client.batch_get([(NAMESPACE, set_name, j) for j in range(3)])
        list(client.scan(NAMESPACE, set_name))
        with asc.Client(asc.Config(client.aerospike.config.hosts)) as other:
            other.node_names()

    for work in (c_faithful, idiomatic):
        work(0)  # first calls fill caches
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for i in range(3):
                work(i)
            gc.collect()
            left = sorted({type(o).__name__ for o in gc.garbage})
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        assert left == [], f"{work.__name__}: left for the garbage collector: {left}"


def test_a_write_that_leaves_no_bin_creates_nothing(client, set_name):  # noqa: F811
    from aerospike_c._records import ops
    key = (NAMESPACE, set_name, "no-bins")
    with pytest.raises(asc.RecordNotFoundError):
        client.put(key, {"a": None})
    with pytest.raises(asc.RecordNotFoundError):
        client.operate(key, [ops.write("a", 1), ops.write("a", None)])
    assert client.exists(key) is None
    client.put(key, {"a": 1, "b": 2})
    client.put(key, {"a": None, "b": None})  # the last bins' delete removes the record
    assert client.exists(key) is None


def test_a_digest_key_must_name_the_records_set(client, set_name):  # noqa: F811
    client.put((NAMESPACE, set_name, "in-set"), {"a": 1})
    digest = asc.as_key_digest(asc.as_key_init_str(NAMESPACE, set_name, "in-set"))
    other = asc.as_key_init_digest(NAMESPACE, set_name + "x", digest)
    for call in (lambda: client.get(other), lambda: client.put(other, {"a": 2}),
                 lambda: client.remove(other)):
        with pytest.raises(asc.RequestInvalidError):
            call()
    assert client.get(asc.as_key_init_digest(NAMESPACE, None, digest)).bins == {"a": 1}
    assert client.get(asc.as_key_init_digest(NAMESPACE, set_name, digest)).bins == {"a": 1}


# -- the order of a server's checks on an existing record ---------------------------------------
def _code(call) -> int:
    try:
        call()
    except asc.AerospikeError as exc:
        return exc.code
    return asc.AEROSPIKE_OK


def test_a_write_checks_existence_generation_and_set_before_the_filter(client, set_name):  # noqa: F811
    """write_master(): create-only, then the generation, then the set name, then the filter;
    each refusal here wins over every later one."""
    from aerospike_c import exp

    key = (NAMESPACE, set_name, "order")
    client.put(key, {"a": 1})
    refuses = exp.eq(exp.bin_int("a"), 2)
    other_set = asc.as_key_init_digest(NAMESPACE, set_name + "x",
                                       asc.as_key_digest(asc.as_key_init_value(*key)))
    assert _code(lambda: client.put(key, {"a": 2}, filter_exp=refuses)) == asc.AEROSPIKE_FILTERED_OUT
    assert _code(lambda: client.put(key, {"a": 2}, filter_exp=refuses,
                                    policy={"exists": asc.AS_POLICY_EXISTS_CREATE})
                 ) == asc.AEROSPIKE_ERR_RECORD_EXISTS
    assert _code(lambda: client.put(key, {"a": 2}, gen=7, filter_exp=refuses,
                                    policy={"gen": asc.AS_POLICY_GEN_EQ})
                 ) == asc.AEROSPIKE_ERR_RECORD_GENERATION
    assert _code(lambda: client.put(other_set, {"a": 2}, gen=7,
                                    policy={"gen": asc.AS_POLICY_GEN_EQ})
                 ) == asc.AEROSPIKE_ERR_RECORD_GENERATION
    assert _code(lambda: client.put(other_set, {"a": 2}, filter_exp=refuses)
                 ) == asc.AEROSPIKE_ERR_REQUEST_INVALID
    assert client.get(key).bins == {"a": 1} and client.exists(key)["gen"] == 1


def test_a_read_and_a_delete_check_the_set_before_the_filter(client, set_name):  # noqa: F811
    """read_local() checks the set name before the filter; delete_master() the set name,
    then the generation, then the filter."""
    from aerospike_c import exp

    key = (NAMESPACE, set_name, "order-rd")
    client.put(key, {"a": 1})
    refuses = exp.eq(exp.bin_int("a"), 2)
    other_set = asc.as_key_init_digest(NAMESPACE, set_name + "x",
                                       asc.as_key_digest(asc.as_key_init_value(*key)))
    assert _code(lambda: client.get(key, filter_exp=refuses)) == asc.AEROSPIKE_FILTERED_OUT
    assert _code(lambda: client.get(other_set, filter_exp=refuses)
                 ) == asc.AEROSPIKE_ERR_REQUEST_INVALID
    assert _code(lambda: client.remove(key, filter_exp=refuses)) == asc.AEROSPIKE_FILTERED_OUT
    stale = {"gen": asc.AS_POLICY_GEN_EQ, "generation": 7}
    assert _code(lambda: client.remove(key, filter_exp=refuses, policy=stale)
                 ) == asc.AEROSPIKE_ERR_RECORD_GENERATION
    assert _code(lambda: client.remove(other_set, policy=stale)) == asc.AEROSPIKE_ERR_REQUEST_INVALID
    assert client.get(key).bins == {"a": 1}


def test_a_write_to_a_record_in_a_set_must_name_that_set(client, set_name):  # noqa: F811
    """set_name_check_on_update(): unlike a read or a delete, a write to an existing record
    that names no set while the record is in one is AEROSPIKE_ERR_REQUEST_INVALID."""
    key = (NAMESPACE, set_name, "in-set-write")
    client.put(key, {"a": 1})
    no_set = asc.as_key_init_digest(NAMESPACE, None, asc.as_key_digest(asc.as_key_init_value(*key)))
    with pytest.raises(asc.RequestInvalidError):
        client.put(no_set, {"a": 2})
    assert client.get(no_set).bins == {"a": 1}
    client.remove(no_set)
    assert client.exists(key) is None


def test_a_record_lives_through_the_second_of_its_void_time(client, set_name):  # noqa: F811
    """A write at server second S with ttl T has void time S + T (now_ms / 1000 + T) and
    expires once void_time < now (as_record_is_expired()): it reads until second S + T + 1.
    Timed with this machine's clock, which the server's must match within half a second."""
    skip_unless_ttl_allowed(client)
    key = (NAMESPACE, set_name, "ttl-1")
    before = int(time.time())            # S >= before
    client.put(key, {"a": 1}, ttl=1)
    after = int(time.time())             # S <= after
    time.sleep(max(0.0, before + 1.5 - time.time()))
    assert client.exists(key) is not None  # second before + 1 <= S + 1: not yet expired
    time.sleep(max(0.0, after + 2.5 - time.time()))
    assert client.exists(key) is None      # second after + 2 >= S + 2: expired
