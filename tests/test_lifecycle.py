"""The connection lifecycle with no server: errors from C, misuse, the GIL, garbage collection.

Each misuse case runs in its own interpreter, so a crash fails the test instead of the run.
"""
from __future__ import annotations

import gc
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import aerospike_c as asc

PRELUDE = """
import gc, sys, warnings
import aerospike_c as asc
from aerospike_c import *
def closed_port():
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    return port
def unreachable_config():
    config = as_config_init()
    as_config_add_host(config, "127.0.0.1", closed_port())
    config.conn_timeout_ms = 200
    config.fail_if_not_connected = False   # the C client then connects with no node
    return config
def outcome(fn):
    try:
        fn()
    except Exception as e:
        print(type(e).__name__, getattr(e, "code", None))
    else:
        print("ok")
"""


def run_isolated(body: str) -> list[str]:
    """Run body after PRELUDE in a fresh interpreter; return its output lines."""
    code = PRELUDE + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-X", "faulthandler", "-c", code],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"crashed ({result.returncode}):\n{result.stderr}"
    return result.stdout.split("\n")[:-1]


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_connect_to_a_closed_port_raises_the_c_error():
    config = asc.as_config_init()
    asc.as_config_add_host(config, "127.0.0.1", closed_port())
    config.conn_timeout_ms = 300
    as_ = asc.aerospike_init(config)
    started = time.monotonic()
    with pytest.raises(asc.AerospikeError) as info:
        asc.aerospike_connect(as_)
    elapsed = time.monotonic() - started
    err = info.value
    assert isinstance(err, asc.AerospikeConnectionError) and isinstance(err, ConnectionError)
    assert err.code == asc.AEROSPIKE_ERR_CONNECTION
    assert err.message
    assert err.file and err.file.endswith(".c") and err.line > 0 and err.func
    assert str(err) == f"err(-10) {err.message} at [{err.file}:{err.line}]"
    assert elapsed < 10  # bounded by the timeouts, never a hang
    assert asc.aerospike_cluster_is_connected(as_) is False
    asc.aerospike_close(as_)
    asc.aerospike_destroy(as_)


def test_connect_with_no_hosts_is_the_c_param_error():
    as_ = asc.aerospike_init(asc.as_config_init())
    with pytest.raises(asc.ParamError) as info:
        asc.aerospike_connect(as_)
    assert info.value.code == asc.AEROSPIKE_ERR_PARAM and "No hosts" in info.value.message
    asc.aerospike_destroy(as_)


def test_the_gil_is_released_while_connect_waits():
    """A seed that accepts and never answers: another Python thread keeps running meanwhile."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept_and_hold():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                pass

    acceptor = threading.Thread(target=accept_and_hold, daemon=True)
    acceptor.start()
    config = asc.as_config_init()
    asc.as_config_add_host(config, "127.0.0.1", server.getsockname()[1])
    config.conn_timeout_ms = 1000
    as_ = asc.aerospike_init(config)
    ticks = [0]
    connect_done = threading.Event()

    def count():
        while not connect_done.is_set():
            ticks[0] += 1

    def connect():
        try:
            asc.aerospike_connect(as_)
        except asc.AerospikeError:
            pass
        finally:
            connect_done.set()

    connector = threading.Thread(target=connect)
    connector.start()
    time.sleep(0.1)  # connect is now blocked in C
    before = ticks[0]
    counter = threading.Thread(target=count)
    counter.start()
    connector.join(30)
    counter.join(5)
    stop.set()
    acceptor.join(5)
    for conn in accepted:
        conn.close()
    server.close()
    assert not connector.is_alive()
    assert accepted, "the C client never reached the seed"
    assert ticks[0] - before > 1000, "no Python thread ran while aerospike_connect waited"
    asc.aerospike_close(as_)
    asc.aerospike_destroy(as_)


C_MISUSE = {
    "destroy twice, connected first": "c = Client(unreachable_config()).connect(); c.destroy(); outcome(c.destroy)",
    "connect after destroy": """
        as_ = aerospike_init(unreachable_config()); aerospike_destroy(as_)
        outcome(lambda: aerospike_connect(as_))""",
    "close after destroy": """
        as_ = aerospike_init(unreachable_config()); aerospike_destroy(as_)
        outcome(lambda: aerospike_close(as_))""",
    "destroy twice": """
        as_ = aerospike_new(unreachable_config()); aerospike_destroy(as_)
        outcome(lambda: aerospike_destroy(as_))""",
    "is_connected after destroy": """
        as_ = aerospike_init(unreachable_config()); aerospike_destroy(as_)
        outcome(lambda: aerospike_cluster_is_connected(as_))""",
    "stats when not connected": """
        as_ = aerospike_init(unreachable_config())
        outcome(lambda: aerospike_stats(as_)); aerospike_destroy(as_)""",
    "node names when not connected": """
        as_ = aerospike_init(unreachable_config())
        outcome(lambda: as_cluster_get_node_names(as_)); aerospike_destroy(as_)""",
    "node names after destroy": """
        as_ = aerospike_init(unreachable_config()); aerospike_destroy(as_)
        outcome(lambda: as_cluster_get_node_names(as_))""",
    "destroy while connected": """
        as_ = aerospike_init(unreachable_config()); aerospike_connect(as_)
        outcome(lambda: aerospike_destroy(as_)); aerospike_close(as_); aerospike_destroy(as_)""",
    "init twice with one config": """
        config = unreachable_config(); as_ = aerospike_init(config)
        outcome(lambda: aerospike_new(config)); aerospike_destroy(as_)""",
    "not an instance": """
        outcome(lambda: aerospike_connect("127.0.0.1"))""",
    "get with a destroyed key": """
        as_ = aerospike_init(unreachable_config()); key = as_key_init_int64("test", "demo", 1)
        as_key_destroy(key); outcome(lambda: aerospike_key_get(as_, None, key)); aerospike_destroy(as_)""",
    "put with a destroyed key": """
        as_ = aerospike_init(unreachable_config()); key = as_key_init_str("test", "demo", "k")
        rec = as_record_new(1); as_record_set_int64(rec, "a", 1); as_key_destroy(key)
        outcome(lambda: aerospike_key_put(as_, None, key, rec)); aerospike_destroy(as_)""",
    "destroyed key read, digested, batched, destroyed again": """
        key = as_key_init_int64("test", "demo", 1); as_key_destroy(key)
        outcome(lambda: key.ns); outcome(lambda: key.to_tuple()); outcome(lambda: as_key_digest(key))
        outcome(lambda: as_batch_new(1).__setitem__(0, key)); outcome(lambda: as_key_destroy(key))""",
    "not a config": """
        outcome(lambda: aerospike_init(None))""",
}
C_EXPECTED = {
    "destroyed key read, digested, batched, destroyed again": "\n".join(["LifecycleError -1"] * 5),
    "not an instance": "TypeError None",
    "not a config": "TypeError None",
}


@pytest.mark.parametrize("case", sorted(C_MISUSE))
def test_c_faithful_misuse_raises_instead_of_crashing(case):
    expected = C_EXPECTED.get(case, "LifecycleError -1")
    assert run_isolated(C_MISUSE[case]) == expected.split("\n")


def test_c_semantics_kept_where_c_is_safe():
    """Close without connect, close twice, connect twice, reconnect after close: as in C."""
    lines = run_isolated("""
        as_ = aerospike_init(unreachable_config())
        outcome(lambda: aerospike_close(as_))          # never connected: C returns OK
        outcome(lambda: aerospike_connect(as_))        # fail_if_not_connected=False: OK, no node
        print(as_.connected, aerospike_cluster_is_connected(as_))
        outcome(lambda: aerospike_connect(as_))        # already connected: OK
        outcome(lambda: aerospike_close(as_))
        outcome(lambda: aerospike_close(as_))          # closed twice: OK
        outcome(lambda: aerospike_connect(as_))        # reconnect after close
        print(len(aerospike_stats(as_).nodes), as_cluster_get_node_names(as_))
        aerospike_close(as_); aerospike_destroy(as_)
    """)
    assert lines == ["ok", "ok", "True False", "ok", "ok", "ok", "ok", "0 []"]


CLIENT_MISUSE = {
    "close without connect": "c = Client(unreachable_config()); outcome(c.close); c.destroy()",
    "close twice": "c = Client(unreachable_config()).connect(); c.close(); outcome(c.close); c.destroy()",
    "destroy twice": "c = Client(unreachable_config()); c.destroy(); outcome(c.destroy)",
    "connect after destroy": "c = Client(unreachable_config()); c.destroy(); outcome(c.connect)",
    "stats after destroy": "c = Client(unreachable_config()); c.destroy(); outcome(c.stats)",
    "nodes after destroy": "c = Client(unreachable_config()); c.destroy(); outcome(c.node_names)",
    "is_connected after destroy": "c = Client(unreachable_config()); c.destroy(); outcome(c.is_connected)",
    "use after with": """
        with Client(unreachable_config()) as c:
            pass
        outcome(c.is_connected)""",
    "re-enter after with": """
        with Client(unreachable_config()) as c:
            pass
        outcome(lambda: c.__enter__())""",
}


@pytest.mark.parametrize("case", sorted(CLIENT_MISUSE))
def test_client_misuse_raises_lifecycle_error(case):
    assert run_isolated(CLIENT_MISUSE[case]) == ["LifecycleError -1"]


def test_node_names_of_an_unconnected_instance_says_not_connected():
    as_ = asc.aerospike_init(asc.as_config_init())  # never connected: as->cluster is NULL
    try:
        with pytest.raises(asc.LifecycleError, match="as_cluster_get_node_names: .* not connected"):
            asc.as_cluster_get_node_names(as_)
    finally:
        asc.aerospike_destroy(as_)


def test_client_context_manager_connects_and_destroys():
    lines = run_isolated("""
        with Client(unreachable_config()) as c:
            print(c.aerospike.connected, c.is_connected())
        print(c._as.destroyed)
    """)
    assert lines == ["True False", "True"]


def test_dropped_instances_warn_and_release():
    lines = run_isolated("""
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as caught:
            as_ = aerospike_init(unreachable_config()); aerospike_connect(as_)
            del as_
            client = Client(unreachable_config()).connect()
            del client
            gc.collect()
        print(sorted({w.category.__name__ for w in caught}), len(caught))
    """)
    assert lines == ["['ResourceWarning'] 2"]


def test_a_config_never_given_to_a_client_is_freed_without_error():
    lines = run_isolated("""
        for _ in range(200):
            config = as_config_init()
            as_config_add_hosts(config, "a:1,b:2,[::1]:3", 3000)
            config.cluster_name = "x"
            config.tls.cafile = "/tmp/ca"
            config.rack_ids = [1, 2]
            del config
        gc.collect()
        print("ok")
    """)
    assert lines == ["ok"]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork()")
def test_an_instance_used_in_a_forked_child_raises_and_the_parent_goes_on():
    lines = run_isolated("""
        import os
        as_ = aerospike_init(unreachable_config()); aerospike_connect(as_)
        client = Client(unreachable_config()).connect()
        pid = os.fork()
        if pid == 0:
            import io, contextlib
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                outcome(lambda: aerospike_cluster_is_connected(as_))
                outcome(lambda: aerospike_close(as_))
                outcome(client.is_connected)
                fresh = aerospike_init(unreachable_config()); aerospike_connect(fresh)
                aerospike_close(fresh); aerospike_destroy(fresh)
                print("child made its own")
            os.write(1, out.getvalue().encode())
            os._exit(0)
        os.waitpid(pid, 0)
        print(aerospike_cluster_is_connected(as_), as_.forked)
        aerospike_close(as_); aerospike_destroy(as_); client.destroy()
        print("parent done")
    """)
    assert lines == ["LifecycleError -1", "LifecycleError -1", "LifecycleError -1",
                     "child made its own", "False False", "parent done"]


# -- what C frees with its container, and C memory read through a field ------------------------
def test_a_config_policy_filter_exp_is_freed_once():
    """C's as_config_destroy (also inside aerospike_destroy) frees every policy's filter_exp,
    which is the config's own copy of the user's as_exp, owned by Python: freed twice
    (SIGABRT) when the config was collected, as_config_destroy()ed or its instance destroyed."""
    lines = run_isolated("""
        def exp(i):
            return as_exp_build(as_exp_cmp_eq(as_exp_bin_int("a"), as_exp_int(i)))
        e = exp(1)
        for i in range(20):                      # never given to a client, collected
            config = as_config_init()
            config.policies.write.base.filter_exp = e
            config.policies.batch_write.filter_exp = exp(i)
            del config
            gc.collect()
        config = as_config_init()
        config.policies.read.base.filter_exp = e
        as_config_destroy(config)
        del config; gc.collect()
        as_ = aerospike_init(unreachable_config())
        as_.config.policies.query.base.filter_exp = e
        kept = as_.config.policies.query.base.filter_exp   # the config's copy, held by the user
        aerospike_destroy(as_)
        del as_; gc.collect()
        print(bytes(kept) == bytes(e), as_exp_to_base64(e) == as_exp_to_base64(kept))
        outcome(lambda: as_exp_destroy(kept)); outcome(lambda: as_exp_destroy(e))
    """)
    assert lines == ["True True", "ok", "ok"]


def test_a_default_policy_copy_keeps_the_filter_exp_past_aerospike_destroy():
    """as_policy_read_default(as_) copies the config's policy and its filter_exp pointer: once
    the instance was destroyed the copy pointed at freed memory (a get with it on another
    instance was a SIGSEGV). The copy now keeps the expression."""
    lines = run_isolated("""
        as_ = aerospike_init(unreachable_config())
        e = as_exp_build(as_exp_cmp_eq(as_exp_bin_int("a"), as_exp_int(1)))
        as_.config.policies.read.base.filter_exp = e
        policy = as_policy_read_default(as_)
        as_.config.policies.read.base.filter_exp = None
        aerospike_destroy(as_)
        del as_; gc.collect()
        junk = [bytearray(48) for _ in range(20000)]
        print(bytes(policy.base.filter_exp) == bytes(e))
        other = aerospike_init(unreachable_config()); aerospike_connect(other)
        outcome(lambda: aerospike_key_get(other, policy, ("test", "demo", 1)))
        aerospike_close(other); aerospike_destroy(other)
    """)
    assert lines[0] == "True"
    assert lines[1].split()[0] not in ("ok", "LifecycleError")  # no node: the C client's error


def test_as_val_destroy_of_a_value_python_owns_refuses_later_use():
    """as_val_destroy() of the last reference of a new_val() value freed it under the cdata:
    as_val_tostring then was a SIGSEGV and the collection a double free. It now marks the
    value destroyed (freed when collected); every later use raises LifecycleError."""
    lines = run_isolated("""
        from aerospike_c.bindings.as_val import new_val
        val = new_val([1, "a"])
        extra = as_val_reserve(val)
        as_val_destroy(extra)                     # C semantics: one reference is left
        print(as_val_tostring(val))
        as_val_destroy(val)
        outcome(lambda: as_val_tostring(val)); outcome(lambda: as_val_reserve(val))
        outcome(lambda: as_val_destroy(val)); outcome(lambda: as_val_tostring(extra))
        nil = new_val(None); as_val_destroy(nil)  # a static value: C never frees it
        print(as_val_tostring(nil), as_val_tostring(new_val(None)))
        del val, extra; gc.collect()
        print(as_val_tostring(new_val({"k": [2]})))
    """)
    assert lines == ['[1, "a"]', "LifecycleError -1", "LifecycleError -1", "LifecycleError -1",
                     "LifecycleError -1", "NIL NIL", '{"k":[2]}']


def test_struct_fields_never_hand_out_c_memory():
    """A field read gave the raw cdata of a C array or pointer, which outlives the object's
    destroy: a record's key.digest.value read freed memory after as_record_destroy, exp.packed
    had no bounds (packed[1 << 40]: SIGSEGV), scan.select.entries took writes past its end.
    Number arrays now read as copies; other raw pointers are not readable."""
    lines = run_isolated("""
        key = as_key_init_int64("test", "demo", 1)
        as_key_set_digest(key)
        digest = key.digest.value
        print(type(digest).__name__, digest == as_key_digest(key))
        del key; gc.collect()
        junk = [bytearray(100) for _ in range(10000)]
        print(as_partition_getid(digest, 4096) == int.from_bytes(digest[:2], "little") & 4095)
        exp = as_exp_build(as_exp_int(1))
        outcome(lambda: exp.packed)
        scan = as_scan_init("test", "demo"); as_scan_select_init(scan, 1); as_scan_select(scan, "a")
        outcome(lambda: scan.select.entries)
        ctx = as_cdt_ctx_init(1); as_cdt_ctx_add_list_index(ctx, 0)
        outcome(lambda: ctx.list.list)
        print(ctx.list.size, scan.select.size, len(bytes(exp)) == exp.packed_sz)
    """)
    assert lines == ["bytes True", "True", "AttributeError None", "AttributeError None",
                     "AttributeError None", "1 1 True"]


def test_an_interrupt_after_c_destroyed_the_instance_still_runs_its_frees(aerospike_hosts,
                                                                          monkeypatch):
    # A KeyboardInterrupt landing right after asc_close_and_destroy returned skipped
    # _forget and the frees after it; the instance was then known as destroyed, so its
    # finalizer freed nothing either: free_after_close()'s frees (aio's completion queue of
    # a cluster) leaked.
    binding = sys.modules["aerospike_c.bindings.aerospike"]  # the module, not the class
    client = asc.Client(hosts=list(aerospike_hosts)).connect()
    freed = []
    binding.free_after_close(client.aerospike, lambda: freed.append(1))

    forget, signals = binding._forget, [KeyboardInterrupt]

    def interrupted(as_):
        if signals:
            raise signals.pop()  # as a signal's, right after the C call: once
        forget(as_)
    monkeypatch.setattr(binding, "_forget", interrupted)
    with pytest.raises(KeyboardInterrupt):
        client.destroy()
    assert freed == [1]
    # and what it kept for C goes, as after a destroy that nothing interrupted
    assert client._as.destroyed
    assert client._as not in binding._live_instances() and not client._as._keepalive


def test_the_live_instances_are_forgotten_when_destroyed_or_collected(aerospike_hosts):
    """The instances a fork marks and the tend-thread check visit: an instance leaves them when
    it is destroyed or collected (no entry is kept for it, and no callback runs where it dies)."""
    binding = sys.modules["aerospike_c.bindings.aerospike"]
    clients = [asc.Client(hosts=list(aerospike_hosts)) for _ in range(3)]
    ids = {id(client.aerospike) for client in clients}
    assert ids <= set(binding._LIVE)
    assert all(client.aerospike in binding._live_instances() for client in clients)
    clients[0].destroy()
    clients[1].connect().destroy()
    with pytest.warns(ResourceWarning, match="dropped without aerospike_destroy"):
        del clients[2]
        gc.collect()
    assert not ids & set(binding._LIVE)


def test_a_call_from_a_finalizer_inside_a_step_on_the_same_instance_is_refused(aerospike_hosts):
    """A finalizer or signal handler that runs while this thread is inside the bookkeeping of
    a call on an instance (a garbage-collection pass an allocation there started) and calls
    into that instance gets LifecycleError, instead of waiting for itself for good."""
    client = asc.Client(hosts=list(aerospike_hosts)).connect()
    as_ = client.aerospike
    with as_._lock:  # where such a finalizer runs
        for call in (client.destroy, client.close, client.is_connected, client.stats,
                     lambda: asc.as_config_set_cluster_name(as_.config, "c")):
            with pytest.raises(asc.LifecycleError, match="from a finalizer or a signal handler"):
                call()
        assert client.node_names()  # one C call that counts itself in: it never waits
    assert client.is_connected()
    client.destroy()


def test_a_finalizer_that_destroys_its_client_during_a_call_on_it_never_hangs(aerospike_hosts):
    # A gc pass started inside a call's bookkeeping ran a finalizer that destroyed the same
    # client: it waited for the lock its own thread held, for good.
    hosts = ",".join(f"{host}:{port}" for host, port in aerospike_hosts)
    lines = run_isolated(f"""
        hosts = [(h, int(p)) for h, p in (part.split(":") for part in {hosts!r}.split(","))]
        outcomes = set()
        class Owner:
            def __init__(self, client):
                self.client, self.me = client, self
            def __del__(self):
                try:
                    self.client.destroy()
                    outcomes.add("destroyed")
                except LifecycleError:
                    outcomes.add("refused")
        for threshold in range(1, 60):
            client = Client(Config(hosts)).connect()
            gc.collect()
            Owner(client)
            gc.set_threshold(threshold)
            try:
                client.close()
            except LifecycleError:
                pass
            finally:
                gc.set_threshold(700)
            gc.collect()
            if not client._as.destroyed:
                client.destroy()
        print(sorted(outcomes))
    """)
    assert lines and lines[-1].startswith("[")
