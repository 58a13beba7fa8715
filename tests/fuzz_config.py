"""Property-based fuzz of every settable field of as_config, every policy struct and the
metrics policy (issue 10): hypothesis draws the values, a child process builds the config,
connects and runs commands. Used by tests/test_no_crash_config_fuzz.py (bounded, in the
normal suite) and scripts/fuzz_config.py (long runs).

Values: each field gets, with small probability, a value from its accepted range, one of
its boundaries or just outside them (0, -1, the C type's limits, 2**64), or a wrong type
(str, float, None, list, dict). Struct-valued fields sometimes get a non-dict, and dicts
sometimes an unknown key. Fields that only say how long to wait (timeouts, retries,
sleep_between_retries, tender_interval, records_per_second) and min_conns_per_node (each
one a connection opened to the shared test cluster) get their accepted values from a small
range, so that a client that waits as long as it was told to cannot pass for a hang; their
out-of-range and wrong-type values are still drawn. use_shm stays false (a SysV segment
outlives the process) and metrics files go under the child's working directory.

The only outcomes allowed for a config are: it is refused with TypeError/ValueError/
AerospikeError naming a field, or it connects (or fails to, with an AerospikeError) and every
command either works or raises AerospikeError/ValueError/TypeError. A signal, a timeout or
any other exception type fails, with the example that caused it.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any, Dict, List, Optional, Sequence, Tuple

from hypothesis import strategies as st

from aerospike_c._aerospike import ffi
from aerospike_c.bindings._cstruct import _HANDLERS, _enum_typedef, field_range, int_range

# Accepted values of these are drawn small (see the module doc); names matched by suffix.
_SMALL = {"timeout": 2000, "timeout_ms": 2000, "sleep_between_retries": 50, "max_retries": 2,
          "timeout_delay": 4000, "records_per_second": 0, "min_conns_per_node": 4,
          "tender_interval": 1000, "thread_pool_size": 64, "max_conns_per_node": 1000,
          "async_max_conns_per_node": 1000, "pipe_max_conns_per_node": 1000}
_FIXED = {("as_config", "use_shm"): False}
POLICY_KINDS = {"read": "as_policy_read", "write": "as_policy_write",
                "operate": "as_policy_operate", "remove": "as_policy_remove",
                "batch": "as_policy_batch", "scan": "as_policy_scan", "query": "as_policy_query",
                "info": "as_policy_info"}
CALLBACK = "<callback>"  # stands for a Python callable in the repr'd examples


def _small_cap(name: str) -> Optional[int]:
    for suffix, cap in _SMALL.items():
        if name == suffix or name.endswith("_" + suffix) or name.endswith(suffix):
            return cap
    return None


_WRONG_TYPES = st.sampled_from(["1", 1.5, None, [1], b"\xff", True, {"x": 1}])


def _int_strategy(struct: str, name: str, ctype: Any) -> st.SearchStrategy[Any]:
    low, high, _ = field_range(struct, name, ctype)
    c_low, c_high = int_range(ctype.cname)
    cap = _small_cap(name)
    if name == "records_per_second":
        accepted = st.sampled_from([0, 1000, 100000])
    elif cap is not None:
        accepted = st.integers(low, max(low, min(high, cap)))
    else:
        accepted = st.integers(low, high)
    edges = sorted({low - 1, high + 1, c_low - 1, c_high + 1, 0, -1, 2 ** 64, -(2 ** 63)}
                   | ({low, high} if cap is None else set()))
    return st.one_of(accepted, accepted, accepted, st.sampled_from(edges), _WRONG_TYPES)


# Letters, separators, a NUL, non-ASCII and a lone surrogate (not UTF-8 encodable); a fixed
# alphabet keeps drawing cheap (no filtering).
_ALPHABET = st.sampled_from(list("aZ09.:,-_/ \x00\u00e9\u20ac\U0001f600\ud800"))


def _text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(_ALPHABET, max_size=max_size)


def _leaf_strategy(struct: str, name: str, ctype: Any, tmp: str) -> Optional[st.SearchStrategy[Any]]:
    """A strategy for one field, None when the fuzz leaves it alone."""
    if (struct, name) in _FIXED:
        return st.just(_FIXED[(struct, name)])
    if (ffi.typeof(struct).cname, name) in _HANDLERS:
        return {"ip_map": st.one_of(st.dictionaries(_text(20), _text(20), max_size=3),
                                    st.sampled_from([None, [("a", "b")], "x"])),
                "rack_ids": st.one_of(st.lists(st.integers(-(2 ** 32), 2 ** 32), max_size=3),
                                      st.sampled_from([None, "1", [1.5]])),
                "event_callback": st.sampled_from([None, CALLBACK, 5, "print"]),
                "filter_exp": st.sampled_from([None, "bin('a') > 1", 5]),
                "txn": st.sampled_from([None, object.__name__, 7]),
                }.get(name, st.sampled_from([[], 1, "x"]))  # read-only: hosts, sizes, udata
    kind = ctype.kind
    if kind == "primitive" and ctype.cname == "_Bool":
        return st.one_of(st.booleans(), st.booleans(), st.sampled_from([0, 1, "true", None]))
    if kind == "primitive":
        return _int_strategy(struct, name, ctype)
    if kind == "enum":
        values = sorted(ctype.elements)
        return st.one_of(st.sampled_from(values), st.sampled_from(values),
                         st.sampled_from([max(values) + 1, -1, 2 ** 40]), _WRONG_TYPES)
    if kind == "array" and ctype.item.cname == "char":
        if name == "report_dir":  # relative to the child's working directory, or tmp
            return st.one_of(st.sampled_from(["", ".", "m", "x" * 300, tmp, tmp + "/no/such"]),
                             st.text("abc_", min_size=1, max_size=8), _WRONG_TYPES)
        return st.one_of(_text(ctype.length + 2), _WRONG_TYPES)
    if kind == "pointer" and ctype.item.cname == "char":
        if name == "path":
            return st.sampled_from([None, tmp + "/missing.yml", tmp + "/fifo", tmp,
                                    tmp + "/client.yml", "", "/dev/null", 7])
        return st.one_of(st.none(), st.none(), _text(30), _WRONG_TYPES)
    return st.sampled_from([1, "x", None])  # other pointers are read-only


def _paths(struct: str, tmp: str, prefix: Tuple[str, ...] = ()) -> List[Tuple[Tuple[str, ...], Any]]:
    """(field path, strategy) for every leaf of the struct, and for every nested struct a
    wrong-type value (a struct given a non-dict)."""
    found: List[Tuple[Tuple[str, ...], Any]] = []
    for name, field in ffi.typeof(struct).fields:
        ctype = field.type
        path = prefix + (name,)
        if ctype.kind == "struct":
            found.append((path, st.sampled_from([5, "x", None])))
            found += _paths(_typedef(ctype), tmp, path)
        else:
            leaf = _leaf_strategy(struct, name, ctype, tmp)
            if leaf is not None:
                found.append((path, leaf))
    return found


def _struct_strategy(struct: str, tmp: str, max_fields: int) -> st.SearchStrategy[Dict[str, Any]]:
    """A dict (nested structs as dicts) of up to max_fields random fields, now and then an
    unknown key. Picks the paths first, then draws only their values (fast)."""
    table = _paths(struct, tmp)
    indexes = st.lists(st.integers(0, len(table) - 1), max_size=max_fields, unique=True)

    @st.composite
    def draw(data: Any) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for index in data(indexes):
            path, strategy = table[index]
            target = out
            for name in path[:-1]:
                target = target.setdefault(name, {})
                if not isinstance(target, dict):  # a wrong-type struct value came first
                    break
            else:
                if not isinstance(target.get(path[-1]), dict):
                    target[path[-1]] = data(strategy)
        if data(st.integers(0, 99)) < 3:
            out[data(st.sampled_from(["polcies", "bse", "total_timout", "x"]))] = 1
        return out

    return draw()


def _typedef(ctype: Any) -> str:
    """The typedef name of a struct ctype (cffi reports `struct as_policy_base_s`)."""
    for name in ffi.list_types()[0]:
        if ffi.typeof(name) is ctype:
            return name
    return ctype.cname


def example_strategy(tmp: str) -> st.SearchStrategy[Dict[str, Any]]:
    """One example: config fields, a metrics policy for aerospike_enable_metrics, and
    per-command policy dicts."""
    per_command = {kind: _struct_strategy(struct, tmp, 4) for kind, struct in POLICY_KINDS.items()}

    @st.composite
    def policies(draw: Any) -> Dict[str, Any]:
        """Up to three kinds get a random per-command policy dict; the others None."""
        out: Dict[str, Any] = dict.fromkeys(POLICY_KINDS)
        for kind in draw(st.lists(st.sampled_from(sorted(POLICY_KINDS)), max_size=3, unique=True)):
            out[kind] = draw(per_command[kind])
        return out

    return st.fixed_dictionaries({
        "config": _struct_strategy("as_config", tmp, 8),
        "metrics": st.one_of(st.none(), st.none(), st.none(),
                             _struct_strategy("as_metrics_policy", tmp, 4)),
        "policies": policies(),
    })


def _fix(value: Any, events: List[Any]) -> Any:
    if value == CALLBACK:
        return events.append
    if isinstance(value, dict):
        return {k: _fix(v, events) for k, v in value.items()}
    return value


def run_example(index: int, example: Dict[str, Any], hosts: str, set_name: str) -> None:
    """Build, connect, run commands; print "BAD ..." for any outcome but a clean error."""
    import aerospike_c as asc
    from aerospike_c import AerospikeError, Client, Config, LifecycleError, ops
    from aerospike_c.bindings._cstruct import set_fields

    def step(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LifecycleError as error:  # the fuzz never misuses a lifecycle
            print(f"BAD {index} {what}: {type(error).__name__}: {error}", flush=True)
        except (AerospikeError, ValueError, TypeError):
            pass
        except Exception as error:
            print(f"BAD {index} {what}: {type(error).__name__}: {error}", flush=True)
        return None

    def commands(client: Any, policies: Dict[str, Any]) -> None:
        key, other = ("test", set_name, index % 50), ("test", set_name, index % 50 + 50)
        step("put", client.put, key, {"a": index, "s": "x" * (index % 7)}, policy=policies["write"])
        step("get", client.get, key, policy=policies["read"])
        step("exists", client.exists, other, policy=policies["read"])
        step("operate", client.operate, key, [ops.incr("a", 1), ops.read("a")],
             policy=policies["operate"])
        step("batch_get", client.batch_get, [key, other], policy=policies["batch"])
        step("scan", client.scan_foreach, "test", set_name, lambda record: None,
             concurrent=index % 2 == 0, policy=policies["scan"])
        step("info", client.info, "build", policy=policies["info"])
        step("remove", client.remove, other, policy=policies["remove"])

    events: List[Any] = []
    config = step("Config", lambda: Config(hosts, **_fix(example["config"], events)))
    client = None if config is None else step("Client", Client, config)
    if client is None:
        return
    if step("connect", client.connect) is not None:
        print(f"CONNECTED {index}", flush=True)
        commands(client, example["policies"])
        if example["metrics"] is not None:
            policy = asc.as_metrics_policy_init()
            for name, value in example["metrics"].items():
                step(f"metrics.{name}", set_fields, policy, {name: value})
            step("enable_metrics", asc.aerospike_enable_metrics, client.aerospike, policy)
            commands(client, example["policies"])
            step("disable_metrics", asc.aerospike_disable_metrics, client.aerospike)
    step("destroy", client.destroy)


def child_main(hosts: str, set_name: str, tmp: str, count: int, seed: int) -> None:
    """In the child: hypothesis draws `count` examples (seeded) and runs each at once; each
    is printed before it runs, so the parent can name the one that killed the child."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as use_seed

    counter = iter(range(count * 10))

    @use_seed(seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(example_strategy(tmp))
    def fuzz(example: Dict[str, Any]) -> None:
        index = next(counter)
        print(f"BEGIN {index} {example!r}", flush=True)
        run_example(index, example, hosts, set_name)

    fuzz()
    print("DONE", flush=True)


def prepare_tmp(tmp: str) -> None:
    """The files the path strategies name: a FIFO and a small valid config file."""
    if not os.path.exists(os.path.join(tmp, "fifo")):
        os.mkfifo(os.path.join(tmp, "fifo"))
    with open(os.path.join(tmp, "client.yml"), "w") as f:
        f.write("version: 1.0.0\nstatic:\n  client:\n    max_connections_per_node: 50\n"
                "dynamic:\n  client:\n    timeout: 1000\n")


class Run:
    """One child's outcome: examples begun, BAD lines, and the failure (None when clean)."""

    def __init__(self, lines: List[str], failure: Optional[str]) -> None:
        self.examples = sum(1 for line in lines if line.startswith("BEGIN "))
        self.connected = sum(1 for line in lines if line.startswith("CONNECTED "))
        self.bad = [line for line in lines if line.startswith("BAD ")]
        self.failure = failure


def start_child(hosts: str, set_name: str, tmp: str, count: int, seed: int) -> "subprocess.Popen[str]":
    """Start a child running child_main (cwd tmp, so metrics files stay there)."""
    code = (f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); "
            f"import fuzz_config; fuzz_config.child_main({hosts!r}, {set_name!r}, {tmp!r}, "
            f"{count}, {seed})")
    return subprocess.Popen([sys.executable, "-X", "faulthandler", "-c", code], cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_child(child: "subprocess.Popen[str]", timeout: float) -> Run:
    """Wait for a child; a signal, a non-zero exit or a timeout is a failure naming the
    example that was running."""
    try:
        out, err = child.communicate(timeout=timeout)
        rc: Optional[int] = child.returncode
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        rc = None
    lines = out.splitlines()
    if rc == 0 and lines and lines[-1] == "DONE":
        return Run(lines, None)
    begun = [line for line in lines if line.startswith("BEGIN ")]
    how = f"hung (> {timeout} s)" if rc is None else f"exited {rc}" + (" (signal)" if rc < 0 else "")
    return Run(lines, f"child {how} in: {begun[-1] if begun else '(before any example)'}\n"
                      f"{textwrap.shorten(err, 3000)}")
