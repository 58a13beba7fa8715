"""Objects never crash the process (issue 10, findings 4, 6, 8): C bookkeeping is read-only,
destroyed objects refuse use (also as arguments), and constructors survive asynchronous
exceptions. Every probe runs in its own process: a signal or a hang fails the test."""
from __future__ import annotations

import pytest

from aerospike_c import bindings as c
from aerospike_c.bindings._cstruct import CStruct

from probe_helpers import probe_output, random_signals, run_probe

#: Every struct view the bindings hand out, made as a user makes it (name -> expression).
#: test_every_struct_view_is_listed keeps it complete.
VIEWS = {
    "as_record": "r = as_record_init(2); as_record_set_int64(r, 'a', 1); r",
    "as_operations": "o = as_operations_init(2); as_operations_add_read(o, 'a'); o",
    "as_batch": "b = as_batch_init(2); b[0] = ('test', 'demo', 1); b",
    "as_batch_records": "rs = as_batch_records_init(2); as_batch_read_reserve(rs); "
                        "as_batch_write_reserve(rs); rs",
    "as_scan": "s = as_scan_init('test', 'demo'); as_scan_select_init(s, 2); "
               "as_scan_select(s, 'a'); s",
    "as_query": "q = as_query_init('test', 'demo'); as_query_select_init(q, 1); "
                "as_query_select(q, 'a'); as_query_where_init(q, 1); q",
    "as_cdt_ctx": "x = as_cdt_ctx_init(2); as_cdt_ctx_add_list_index(x, 0); x",
    "as_exp": "as_exp_build(as_exp_cmp_eq(as_exp_bin_int('a'), as_exp_int(1)))",
    "as_key": "as_key_init_str('test', 'demo', 'k')",
    "as_config": "as_config_init()",
    "as_config_lua": "as_config_lua_init()",
    "as_metrics_policy": "as_metrics_policy_init()",
    "as_partition_filter": "pf = as_partition_filter(); as_partition_filter_set_all(pf); pf",
    "as_list_policy": "as_list_policy_init()",
    "as_string_policy": "as_string_policy_init()",
    "as_map_policy": "as_map_policy_init()",
    "as_bit_policy": "as_bit_policy_init()",
    "as_hll_policy": "as_hll_policy_init()",
    "as_policy_base": "as_policy_base_read_init()",
    "as_record_iterator": "r = as_record_init(1); as_record_set_int64(r, 'a', 1); "
                          "as_record_iterator_new(r)",
    "as_version": "as_version_from_string('8.0.0.1')",
    "as_privilege": "as_privilege(AS_PRIVILEGE_READ, 'test', 'demo')",
    "as_policy_event": "as_policy_event_init()",
    "as_txn": "as_txn_init()",
    **{f"as_policy_{kind}": f"as_policy_{kind}_init()" for kind in (
        "read", "write", "operate", "remove", "apply", "batch", "batch_read", "batch_write",
        "batch_apply", "batch_remove", "scan", "query", "info", "admin")},
}

#: Field names that are the C client's bookkeeping wherever they appear.
BOOKKEEPING = {"size", "capacity", "item_size", "entries", "list", "valuep", "_free", "free",
               "flags", "value", "type"}
#: Objects that hold C containers: the walk must find bookkeeping in each.
CONTAINERS = {"as_record", "as_operations", "as_batch", "as_batch_records", "as_scan", "as_query",
              "as_cdt_ctx", "as_key"}


def test_every_struct_view_is_listed() -> None:
    exported = {name for name in dir(c) if isinstance(getattr(c, name), type)
                and issubclass(getattr(c, name), CStruct) and getattr(c, name) is not CStruct}
    assert exported - set(VIEWS) == set(), "a struct view without a VIEWS entry"


WALK = '''
from aerospike_c import *
from aerospike_c.bindings._cstruct import CStruct, read_only

def walk(view, seen, depth=0):
    """Every (view, field) reachable, through nested structs, unions and pointers."""
    if depth > 6 or view._path in seen:
        return
    seen.add(view._path)
    for name in list(view):
        yield view, name
        try:
            value = getattr(view, name)
        except Exception:
            continue
        if isinstance(value, CStruct):
            yield from walk(value, seen, depth + 1)

def frozen_or_bookkeeping(view, name):
    ctype = view._cname
    return view._frozen or read_only(ctype, name)
'''


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_bookkeeping_fields_are_read_only(view: str) -> None:
    """Finding 4: `rec.bins.size = 60000` then destroy was a SIGSEGV. Every field reachable
    from every object (nested structs, unions, pointers) that is bookkeeping (by name, or
    inside a container or a read-only view) refuses every write; then the object is destroyed."""
    setup, _, last = VIEWS[view].rpartition(";")
    out = probe_output(WALK + f"""
{setup.replace("; ", chr(10))}
obj = {last.strip()}
tried = 0
for v, name in walk(obj, set()):
    if not (name in {BOOKKEEPING!r} or name.startswith("_") or frozen_or_bookkeeping(v, name)):
        continue
    if v._path.endswith("policy") and name == "flags":
        continue  # list/bit/HLL/string policy flags: the user's write flags, checked
    tried += 1
    for value in (60000, 0, True, None, b"x"):
        try:
            setattr(v, name, value)
        except (AttributeError, TypeError, ValueError):
            continue
        print("WRITABLE", v._path + "." + name, repr(value))
destroy = globals().get(type(obj).__name__ + "_destroy")
if destroy is not None and type(obj).__name__ != "as_key":
    destroy(obj)
print("tried", tried)
""")
    assert "WRITABLE" not in out, out
    assert int(out.split("tried")[-1]) > 0 or view not in CONTAINERS, out


def test_record_bins_size_reproducer() -> None:
    out = probe_output('''
        from aerospike_c import *
        rec = as_record_init(2)
        as_record_set_int64(rec, "a", 1)
        for field in ("size", "capacity", "entries", "_free"):
            try:
                setattr(rec.bins, field, 60000)
                print("accepted", field)
            except AttributeError as exc:
                print("refused", exc)
        as_record_destroy(rec)
        print("destroyed")
    ''')
    assert "accepted" not in out and "destroyed" in out


# -- finding 6: destroyed objects refuse use, also as arguments --------------------------------
DESTROYED = '''
from aerospike_c import *
from aerospike_c.exceptions import LifecycleError

def refused(what, call):
    try:
        call()
    except LifecycleError as exc:
        print("refused", what)
    except Exception as exc:
        print("OTHER", what, type(exc).__name__, exc)
    else:
        print("ACCEPTED", what)

key = ("test", PROBE_SET, "destroyed")
ctx = as_cdt_ctx_init(1); as_cdt_ctx_add_list_index(ctx, 0); as_cdt_ctx_destroy(ctx)
for name in ("as_operations_list_append", "as_operations_map_put"):
    ops = as_operations_init(1)
    fn = globals()[name]
    args = {"as_operations_list_append": ("b", ctx, None, 1),
            "as_operations_map_put": ("b", ctx, as_map_policy_init(), 1, 2)}[name]
    refused(name + "(destroyed ctx)", lambda: fn(ops, *args))
refused("as_cdt_ctx_add_list_index", lambda: as_cdt_ctx_add_list_index(ctx, 1))
refused("len(ctx)", lambda: len(ctx))

rec = as_record_init(1); as_record_destroy(rec)
refused("aerospike_key_put(destroyed record)", lambda: aerospike_key_put(as_, None, key, rec))
refused("as_record_set_int64", lambda: as_record_set_int64(rec, "a", 1))
refused("rec.ttl", lambda: rec.ttl)

ops = as_operations_init(1); as_operations_add_read(ops, "a"); as_operations_destroy(ops)
refused("aerospike_key_operate(destroyed ops)", lambda: aerospike_key_operate(as_, None, key, ops))
refused("as_operations_add_read", lambda: as_operations_add_read(ops, "b"))

ops = as_operations_init(1); as_operations_add_touch(ops)
scan = as_scan_init("test", PROBE_SET); scan.ops = ops; as_operations_destroy(ops)
refused("aerospike_scan_background(scan whose ops were destroyed)",
        lambda: aerospike_scan_background(as_, None, scan))
scan2 = as_scan_init("test", PROBE_SET); as_scan_destroy(scan2)
refused("aerospike_scan_foreach(destroyed scan)", lambda: aerospike_scan_foreach(as_, None, scan2, lambda r, u: True))
query = as_query_init("test", PROBE_SET); as_query_destroy(query)
refused("aerospike_query_foreach(destroyed query)", lambda: aerospike_query_foreach(as_, None, query, lambda r, u: True))

batch = as_batch_init(1); batch[0] = key; as_batch_destroy(batch)
refused("aerospike_batch_get(destroyed batch)", lambda: aerospike_batch_get(as_, None, batch, None))
refused("as_batch_keyat", lambda: as_batch_keyat(batch, 0))

ops = as_operations_init(1); as_operations_add_touch(ops)
records = as_batch_records_init(1)
w = as_batch_write_reserve(records); w.key = key; w.ops = ops
as_operations_destroy(ops)
refused("aerospike_batch_write(a record whose ops were destroyed)",
        lambda: aerospike_batch_write(as_, None, records))
as_batch_records_destroy(records)
refused("aerospike_batch_read(destroyed records)", lambda: aerospike_batch_read(as_, None, records))

metrics = as_metrics_policy_init(); as_metrics_policy_destroy(metrics) if "as_metrics_policy_destroy" in globals() else metrics._release()
refused("aerospike_enable_metrics(destroyed policy)", lambda: aerospike_enable_metrics(as_, metrics))
print("end")
'''


def test_destroyed_objects_refuse_use_as_arguments(aerospike_hosts) -> None:
    """Finding 6: a destroyed as_cdt_ctx passed to a list/map operation packed freed bytes;
    every destroyed object (and one pointing at a destroyed one) now raises LifecycleError."""
    out = probe_output(DESTROYED, hosts=aerospike_hosts, connect=True)
    assert "end" in out
    assert "ACCEPTED" not in out and "OTHER" not in out, out
    assert out.count("refused") >= 16, out


# -- finding 8: constructors are atomic with respect to asynchronous exceptions -----------------
INTERRUPT = '''
import gc, sys
from aerospike_c import *

def interrupted_at(n, build):
    """Run build() raising KeyboardInterrupt at its n-th Python line event (as a signal can)."""
    count = [0]
    def trace(frame, event, arg):
        if event == "line":
            count[0] += 1
            if count[0] == n:
                raise KeyboardInterrupt
        return trace
    sys.settrace(trace)
    try:
        obj = build()
    except KeyboardInterrupt:
        obj = None
    finally:
        sys.settrace(None)
    return count[0] >= n, obj

def ctx():
    x = as_cdt_ctx_init(2); as_cdt_ctx_add_list_index(x, 0); as_cdt_ctx_add_map_key(x, "k"); return x
def rec():
    r = as_record_init(2); as_record_set_str(r, "a", "x"); as_record_set_list(r, "b", [1, "y"]); return r
def ops():
    o = as_operations_init(3); as_operations_add_write_str(o, "a", "x")
    as_operations_list_append(o, "b", None, None, [1]); return o
def batch():
    b = as_batch_init(3); b.set_keys([("test", PROBE_SET, 1), ("test", PROBE_SET, "k"), ("test", PROBE_SET, b"b")])
    b[1] = ("test", PROBE_SET, "other"); return b
def records():
    rs = as_batch_records_init(1); w = as_batch_write_reserve(rs); w.key = ("test", PROBE_SET, 1)
    o = as_operations_init(1); as_operations_add_touch(o); w.ops = o; return rs
def scan():
    s = as_scan_init("test", PROBE_SET); as_scan_select_init(s, 1); as_scan_select(s, "a"); return s
def query():
    q = as_query_init("test", PROBE_SET); as_query_where_init(q, 1); return q
def metrics():
    return as_metrics_policy_init()

total = 0
for build in (ctx, rec, ops, batch, records, scan, query, metrics):
    for n in range(1, 400):
        reached, obj = interrupted_at(n, build)
        del obj
        gc.collect()
        total += 1
        if not reached:
            break
print("interrupted", total)
'''


@random_signals
def test_keyboard_interrupt_inside_constructors() -> None:
    """Finding 8: a KeyboardInterrupt inside as_batch_init was a double free (SIGABRT).
    An exception at every Python line of every constructor, then collection: no crash."""
    out = probe_output(INTERRUPT)
    assert int(out.split("interrupted")[-1]) > 100, out


#: A SIGALRM handler that raises KeyboardInterrupt while armed[0] (the probes' timed sections).
ALARM = '''
import signal
hits, armed = [0], [False]
def on_alarm(signum, frame):
    if armed[0]:  # only inside the timed section (a signal elsewhere would end the probe itself)
        hits[0] += 1
        raise KeyboardInterrupt
signal.signal(signal.SIGALRM, on_alarm)
'''
CLIENT_SIGNALS = ALARM + '''
import gc, warnings
warnings.simplefilter("ignore", ResourceWarning)
from aerospike_c import Client, Config
made = 0
for i in range(400):
    plain = i % 2 == 0  # aerospike_init_plain, else the checked as_config path
    try:
        armed[0] = True
        signal.setitimer(signal.ITIMER_REAL, 0.00001 * (1 + i % 40))
        for _ in range(20):
            config = (Config([("127.0.0.1", 3000), ("h", 3001, "tls")], max_conns_per_node=5)
                      if plain else Config("127.0.0.1:3000", policies={"read": {"base": {"max_retries": 1}}}))
            client = Client(config)
            assert client.config.max_conns_per_node == 5 if plain else client.config.hosts
            client.destroy()
            made += 1
        armed[0] = False
    except KeyboardInterrupt:
        armed[0] = False
    signal.setitimer(signal.ITIMER_REAL, 0)
    gc.collect()
print("made", made, "interrupts", hits[0])
'''


@random_signals
def test_signals_while_clients_are_made_and_destroyed() -> None:
    """SIGALRM -> KeyboardInterrupt at random points of Config, Client (both the plain
    recipe's aerospike_init_plain and the checked as_config path) and destroy, then
    collection: no crash, no hang, no double free of the hosts C copied."""
    out = probe_output(CLIENT_SIGNALS)
    made, interrupts = (int(word) for word in out.split()[1::2][-2:])
    assert made > 100 and interrupts > 100, out


DESTROY_SIGNALS = ALARM + '''
import gc, sys, warnings
warnings.simplefilter("ignore", ResourceWarning)
from aerospike_c import Client, Config
broken = []  # what a finalizer raised other than the interrupt itself
def unraisable(info):
    if not isinstance(info.exc_value, KeyboardInterrupt):
        broken.append(f"{type(info.exc_value).__name__}: {info.exc_value}")
sys.unraisablehook = unraisable
config = Config([("127.0.0.1", 3000)])
stuck = 0
for i in range(1500):
    clients = [Client(config) for _ in range(10)]
    try:
        armed[0] = True
        signal.setitimer(signal.ITIMER_REAL, 0.000005 * (1 + i % 30))
        for client in clients:
            client.destroy()
        armed[0] = False
    except KeyboardInterrupt:
        armed[0] = False
    signal.setitimer(signal.ITIMER_REAL, 0)
    gc.collect()
    for client in clients:
        try:
            client.destroy()
        except asc.LifecycleError as error:
            stuck += "destroyed" not in str(error)
print("interrupts", hits[0], "stuck", stuck, "broken", len(set(broken)), sorted(set(broken))[:3])
'''


@random_signals
def test_signals_while_clients_are_destroyed() -> None:
    """SIGALRM -> KeyboardInterrupt anywhere in Client.destroy, its finally and the
    finalizers after: every instance is destroyed by the next destroy() or already was, and
    no finalizer fails with anything but the interrupt (such as one that ran on an object
    whose __init__ the interrupt cut short)."""
    out = probe_output(DESTROY_SIGNALS)
    words = out.split()
    assert int(words[words.index("interrupts") + 1]) > 100, out
    assert "stuck 0 broken 0" in out, out


SIGNALS = ALARM + '''
import gc
from aerospike_c import aerospike_key_get, as_record_get_int64
keys = [("test", PROBE_SET, i) for i in range(20)]
client.put(keys[0], {"a": 1})
done = 0
for i in range(300):
    try:
        armed[0] = True
        signal.setitimer(signal.ITIMER_REAL, 0.00002 * (1 + i % 50))
        found = client.batch_get(keys)
        record = client.get(keys[0])
        asc_get = aerospike_key_get(as_, None, keys[0])
        armed[0] = False
        assert len(found) == len(keys) and found[0].bins == {"a": 1}, found
        assert record.bins == {"a": 1} and as_record_get_int64(asc_get, "a", 0) == 1
        done += 1
    except KeyboardInterrupt:
        armed[0] = False
    signal.setitimer(signal.ITIMER_REAL, 0)
    gc.collect()
signal.signal(signal.SIGALRM, signal.SIG_IGN)
print("calls", done, "interrupts", hits[0])
gc.collect()
client.close()  # no call was left counted in by an interrupt
print("closed")
'''


@random_signals
def test_signals_during_batch_get(aerospike_hosts) -> None:
    """Finding 8's reproducer: SIGALRM -> KeyboardInterrupt at random points of batch_get:
    no crash, every call that returns returns every result (an interrupt inside the batch
    listener is re-raised, not dropped), and the client still closes (no call stays counted)."""
    out = probe_output(SIGNALS, hosts=aerospike_hosts, connect=True)
    assert "closed" in out, out


TXN_SIGNALS = ALARM + '''
import gc, sys, warnings
warnings.simplefilter("ignore", ResourceWarning)
from aerospike_c.testing import EmbeddedCluster
lost = []  # interrupts a finalizer or a weakref callback swallowed
def unraisable(info):
    if isinstance(info.exc_value, KeyboardInterrupt):
        lost.append(repr(info.object)[:60])
sys.unraisablehook = unraisable
embedded = EmbeddedCluster(nodes=1, strong_consistency=True).start()
client = Client(Config(hosts=embedded.hosts)).connect()
caught = 0
for i in range(600):
    try:
        armed[0] = True
        signal.setitimer(signal.ITIMER_REAL, 0.00002 * (1 + i % 50))
        for j in range(5):
            txn = client.transaction()
            client.put(("test", "txn-signals", i * 5 + j), {"a": i}, txn=txn)
            txn.abort()
            del txn
        armed[0] = False
    except KeyboardInterrupt:
        armed[0] = False
        caught += 1
    except asc.AerospikeError:  # an interrupted transaction blocks nothing here: fresh keys
        armed[0] = False
    signal.setitimer(signal.ITIMER_REAL, 0)
    gc.collect()
print("interrupts", hits[0], "caught", caught, "lost", sorted(set(lost)))
client.close()
print("closed")
'''


@pytest.mark.fault_injection(reason="runs on a strong-consistency cluster of its own")
@random_signals
def test_interrupts_in_a_transaction_loop_are_never_swallowed_by_finalizers() -> None:
    """SIGALRM -> KeyboardInterrupt while transactions are made, written and aborted: every
    interrupt reaches the loop. The as_txn's destroy runs in cffi (ffi.gc), policies have no
    finalizer and the live-object registries no weakref callback: no Python code where
    objects die, where an interrupt went to sys.unraisablehook (15 of 600 were lost)."""
    out = probe_output(TXN_SIGNALS)
    words = out.split()
    assert words[1] == words[3] and int(words[1]) > 100, out
    assert "lost []" in out and "closed" in out, out


def test_an_interrupt_at_the_entry_of_a_calls_exit_leaves_nothing_counted(aerospike_hosts) -> None:
    """A signal's KeyboardInterrupt can land as any Python function starts, __exit__ of a
    `using` statement too, before it counts the call out: the instance then refused to close
    ("1 call(s) on this instance are still running") for good. A tracer raises it there."""
    out = probe_output('''
        from aerospike_c import *
        from aerospike_c.bindings.aerospike import using
        armed = [True]
        def tracer(frame, event, arg):
            if event == "call" and frame.f_code is using.__exit__.__code__ and armed[0]:
                armed[0] = False
                raise KeyboardInterrupt
        sys.settrace(tracer)
        try:
            aerospike_cluster_is_connected(as_)  # a `using` statement around the C call
        except KeyboardInterrupt:
            print("interrupted in __exit__")
        sys.settrace(None)
        print("armed", armed[0])
        aerospike_close(as_)
        aerospike_destroy(as_)
        print("closed")
    ''', hosts=aerospike_hosts, connect=True)
    assert out.splitlines() == ["interrupted in __exit__", "armed False", "closed"], out


def test_an_instance_whose_init_raised_is_refused_not_dereferenced() -> None:
    """An aerospike instance whose __init__ raised (a bad config; a subclass that caught it)
    has a guard whose ptr is NULL: aerospike_connect and as_cluster_get_node_names read
    g->ptr->cluster in C (SIGSEGV), as did the one-call key commands; close, destroy and
    is_connected raised cffi's TypeError. Each is LifecycleError saying why."""
    out = probe_output('''
        import aerospike_c.bindings.aerospike
        from aerospike_c.bindings import asc_key
        binding = sys.modules["aerospike_c.bindings.aerospike"]
        inst = binding.aerospike.__new__(binding.aerospike)
        outcome(inst.__init__, "not an as_config", False)
        key = ("test", PROBE_SET, 1)
        for call in (asc.aerospike_connect, asc.as_cluster_get_node_names, asc.aerospike_close,
                     asc.aerospike_destroy, asc.aerospike_cluster_is_connected,
                     lambda as_: asc_key.get(as_, None, key),
                     lambda as_: asc.aerospike_key_put(as_, None, key, {"a": 1}),
                     binding.close_and_destroy):
            outcome(call, inst)
        print(repr(inst), inst.connected, inst.calls)
    ''')
    lines = out.splitlines()
    assert lines[0].startswith("TypeError: "), out
    assert len(lines) == 10 and all(
        line.startswith("LifecycleError: ") and "was never initialized" in line
        for line in lines[1:9]), out
    assert lines[9] == "<aerospike never initialized> False 0", out


def test_batch_records_without_the_pointers_c_reads_are_refused(aerospike_hosts) -> None:
    """A write record whose ops were never set, or a UDF record without module/function, made
    aerospike_batch_write read NULL (ops->binops.size: SIGSEGV); each is TypeError before C."""
    out = probe_output('''
        from aerospike_c import *
        key = ("test", PROBE_SET, "batch-null")
        records = as_batch_records_init(1)
        as_batch_write_reserve(records).key = key
        outcome(aerospike_batch_write, as_, None, records)
        records = as_batch_records_init(1)
        as_batch_apply_reserve(records).key = key
        outcome(aerospike_batch_write, as_, None, records)
        print("end")
    ''', hosts=aerospike_hosts, connect=True)
    assert out.count("TypeError") == 2 and out.split()[-1] == "end", out


def test_an_expression_destroyed_while_a_command_reads_it_is_not_freed_under_it(
        aerospike_hosts) -> None:
    """as_exp_destroy() in one thread while another runs a get whose policy's filter_exp is that
    expression freed the packed bytes C was copying (SIGSEGV within ~50 tries). Destroy now
    refuses further use at once and frees the C memory when the last holder (the policy the
    running command keeps) lets go of it."""
    out = probe_output('''
        import random, threading, time
        from aerospike_c import *
        key = ("test", PROBE_SET, "exp-race")
        client.put(key, {"a": 1})
        big = as_exp_and(*[as_exp_cmp_eq(as_exp_bin_int("a"), as_exp_int(1))] * 3000)
        seen = set()
        for i in range(150):
            exp = as_exp_build(big)
            policy = as_policy_read_init()
            policy.base.filter_exp = exp
            def read(policy=policy):
                try:
                    aerospike_key_get(as_, policy, key)
                    seen.add("read")
                except LifecycleError:
                    seen.add("refused")
            reader = threading.Thread(target=read)
            reader.start()
            time.sleep(random.uniform(0, 0.002))
            as_exp_destroy(exp)
            reader.join()
            del policy, exp
        print(sorted(seen), "end")
    ''', hosts=aerospike_hosts, connect=True)
    assert out.split()[-1] == "end", out


# -- batch records: what C reads the record by, and the list it keeps them in -------------------
def test_a_batch_records_type_and_bin_name_count_are_read_only(aerospike_hosts) -> None:
    """`r.n_bin_names = 60000` made C read 60000 names from a one-name array, and a read record
    retyped `r.type = AS_BATCH_APPLY` had its ops pointer read as a UDF module name (SIGSEGV in
    aerospike_batch_read/_write, each). Both are the C client's (as_batch_*_reserve,
    bin_names): AttributeError; the record still runs."""
    out = probe_output('''
        from aerospike_c import *
        client.put(("test", PROBE_SET, "typed"), {"a": 1})
        records = as_batch_records_init(1)
        r = as_batch_read_reserve(records)
        r.key = ("test", PROBE_SET, "typed")
        r.bin_names = ["a"]
        for field, value in (("n_bin_names", 60000), ("type", AS_BATCH_APPLY), ("type", 1)):
            outcome(setattr, r, field, value)
        w = as_batch_write_reserve(records)
        outcome(setattr, w, "type", AS_BATCH_READ)
        w.key = ("test", PROBE_SET, "typed2")
        ops = as_operations_init(1); as_operations_add_write_int64(ops, "b", 2); w.ops = ops
        aerospike_batch_write(as_, None, records)
        print(r.type, r.n_bin_names, r.result, w.result, r.record.bins)
    ''', hosts=aerospike_hosts, connect=True)
    lines = out.splitlines()
    assert all(line.startswith("AttributeError") and "read-only" in line for line in lines[:4]), out
    assert lines[4] == "0 1 0 0 {'a': 1}", out


def test_batch_records_and_context_capacities_c_cannot_size_are_refused(aerospike_hosts) -> None:
    """C's as_vector sizes its list as capacity * item_size in 32 bits and grows by doubling:
    as_batch_records_init(9761290) (440-byte records) got a 304-byte list that the reserves
    overran, and capacity 0 never grew (the first reserve, or the first context item, wrote
    past an empty list): SIGSEGV. Too large is ValueError; 0 works as 1."""
    out = probe_output('''
        import gc
        from aerospike_c import *
        from aerospike_c.bindings._owned import check_vector_room
        from types import SimpleNamespace
        outcome(as_batch_records_init, 9761290)
        outcome(as_cdt_ctx_init, 2 ** 28 + 1)
        records = as_batch_records_init(0)
        for i in range(40):
            r = as_batch_read_reserve(records)
            r.key = ("test", PROBE_SET, i)
            r.read_all_bins = True
        aerospike_batch_read(as_, None, records)
        print(len(records), records[39].result)
        ctx = as_cdt_ctx_init(0)
        for i in range(40):
            as_cdt_ctx_add_list_index(ctx, 0)
        print(len(ctx))
        # growth: a full list whose doubled size would wrap (8M records: not built here)
        outcome(check_vector_room, "as_batch_read_reserve",
                SimpleNamespace(size=1 << 23, capacity=1 << 23, item_size=440))
        outcome(check_vector_room, "as_batch_read_reserve",
                SimpleNamespace(size=1 << 22, capacity=1 << 22, item_size=440))
        del records, ctx
        gc.collect()
        junk = [bytearray(100) for _ in range(20000)]  # the heap is whole
        print("end")
    ''', hosts=aerospike_hosts, connect=True)
    lines = out.splitlines()
    assert lines[0].startswith("ValueError: as_batch_records_init: capacity must be in [0, 9761289]"), out
    assert lines[1].startswith("ValueError: as_cdt_ctx_init: capacity must be in"), out
    assert lines[2] == "40 2", out  # AEROSPIKE_ERR_RECORD_NOT_FOUND
    assert lines[3] == "40", out
    assert lines[4].startswith("ValueError: as_batch_read_reserve: the list holds at most"), out
    assert lines[5:] == ["ok", "end"], out


def test_an_async_batch_write_without_ops_or_udf_is_refused(aerospike_hosts) -> None:
    """aerospike_batch_write_async did not check what aerospike_batch_write checks (a write
    record's ops, a UDF record's module and function): C read NULL on the event loop
    (SIGSEGV). TypeError before C, as the sync call."""
    lines = run_probe('''
        import threading
        asc.as_event_create_loops(1)
        with Client(Config(HOSTS)) as client:
            for reserve in (asc.as_batch_write_reserve, asc.as_batch_apply_reserve):
                records = asc.as_batch_records_init(1)
                reserve(records).key = ("test", PROBE_SET, "async-null")
                outcome(asc.aerospike_batch_write_async, client.aerospike, None, records,
                        lambda *args: None)
            done = threading.Event()
            records = asc.as_batch_records_init(1)
            asc.as_batch_remove_reserve(records).key = ("test", PROBE_SET, "async-null")
            asc.aerospike_batch_write_async(client.aerospike, None, records,
                                            lambda *args: done.set())
            print(done.wait(10))
        asc.as_event_close_loops()
    ''', hosts=aerospike_hosts)
    assert lines[0].startswith("TypeError: aerospike_batch_write_async: record 0 (a write record) has no ops")
    assert lines[1].startswith("TypeError") and "has no module or function" in lines[1]
    assert lines[2] == "True"


def test_a_huge_batch_is_a_memory_error_at_once(aerospike_hosts) -> None:
    """as_batch_init(2**32 - 1) built a Python set of every index before asking C for the keys
    (minutes and tens of GB, the OOM killer); C then had no memory and the batch was empty.
    Now MemoryError at once; smaller batches work as before."""
    lines = run_probe('''
        import time
        started = time.monotonic()
        outcome(asc.as_batch_init, 2 ** 32 - 1)
        print(time.monotonic() - started < 10)
        with Client(Config(HOSTS)) as client:
            batch = asc.as_batch_init(2)
            batch[1] = ("test", PROBE_SET, "huge")
            print(batch[0], batch[1][2])
            outcome(asc.aerospike_batch_exists, client.aerospike, None, batch, None)
            batch[0] = ("test", PROBE_SET, "huge0")
            outcome(asc.aerospike_batch_exists, client.aerospike, None, batch, None)
    ''', hosts=aerospike_hosts, timeout=60)
    assert lines[0].startswith("MemoryError: as_batch_init: no memory for 4294967295 keys")
    assert lines[1:3] == ["True", "None huge"]
    assert lines[3].startswith("ParamError") and "batch key 0 is not set" in lines[3]
    assert lines[4] == "ok"


def test_the_async_scans_c_would_start_with_a_half_made_tracker_are_refused(aerospike_hosts) -> None:
    """aerospike_scan_node_async goes on after the partition tracker refused (replica
    AS_POLICY_REPLICA_RANDOM, or a paginated scan's progress over other partitions): it
    started the scan with the half-made tracker (SIGSEGV); aerospike_scan_async and
    aerospike_query_async leaked theirs. The refusal is checked before C: ParamError."""
    lines = run_probe('''
        import threading
        asc.as_event_create_loops(1)
        with Client(Config(HOSTS)) as client:
            as_ = client.aerospike
            node = asc.as_cluster_get_node_names(as_)[0]
            random = asc.as_policy_scan_init()
            random.replica = asc.AS_POLICY_REPLICA_RANDOM
            paged = asc.as_scan_init("test", PROBE_SET)
            asc.as_scan_set_paginate(paged, True)
            pf = asc.as_partition_filter()
            asc.as_partition_filter_set_range(pf, 0, 100)
            asc.aerospike_scan_partitions(as_, None, paged, pf, lambda record, udata: True)
            listener = lambda *args: None
            for policy, scan in ((random, asc.as_scan_init("test", PROBE_SET)), (None, paged)):
                outcome(asc.aerospike_scan_node_async, as_, policy, scan, None, node, listener)
                outcome(asc.aerospike_scan_async, as_, policy, scan, None, listener)
            query_policy = asc.as_policy_query_init()
            query_policy.replica = asc.AS_POLICY_REPLICA_RANDOM
            outcome(asc.aerospike_query_async, as_, query_policy, asc.as_query_init("test", PROBE_SET),
                    listener)
            done = threading.Event()
            def to_the_end(err, record, udata, event_loop):
                if record is None:
                    done.set()
                return True
            asc.aerospike_scan_node_async(as_, None, asc.as_scan_init("test", PROBE_SET), None, node,
                                          to_the_end)
            print(done.wait(10))
        asc.as_event_close_loops()
    ''', hosts=aerospike_hosts)
    assert all(line.startswith("ParamError") for line in lines[:5]), lines
    assert all("AS_POLICY_REPLICA_RANDOM" in lines[i] for i in (0, 1, 4)), lines
    assert all("Partition filter can not change" in lines[i] for i in (2, 3)), lines
    assert lines[5] == "True"


def test_a_number_argument_cffi_refuses_leaks_no_value_made_for_c() -> None:
    """An int argument out of its C type's range (a return type of -1, an order of -1) raised
    cffi's OverflowError at the C call, after the key or value list C was to consume had been
    made: 20000 calls with a 100 kB list kept 2 GB. It is checked first now (ValueError naming
    the argument) and nothing is made."""
    out = probe_output('''
        import gc
        from aerospike_c import *
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        ctx, ops = as_cdt_ctx_init(1), as_operations_init(1)
        big = ["x" * 1000] * 100
        calls = {
            "map_key_create": lambda: as_cdt_ctx_add_map_key_create(ctx, big, -1),
            "remove_by_key_list": lambda: as_operations_add_map_remove_by_key_list(ops, "m", big, -1),
            "list_index_create": lambda: as_cdt_ctx_add_list_index_create(ctx, 2 ** 40, 0, False),
        }
        for name, call in calls.items():
            outcome(call)
            before = rss()
            for _ in range(5000):
                try:
                    call()
                except ValueError:
                    pass
            gc.collect()
            print(name, (rss() - before) >> 20)
        as_operations_add_map_remove_by_key_list(ops, "m", big, AS_MAP_RETURN_NONE)
        print(len(ops))
    ''')
    lines = out.splitlines()
    for i in (0, 2, 4):
        assert lines[i].startswith("ValueError") and ("argument 4" in lines[i] or "does not fit" in lines[i]), out
    for i in (1, 3, 5):
        assert int(lines[i].split()[-1]) < 20, out
    assert lines[6] == "1", out
