"""Issue 10, config/policy/metrics class: each reproducer (and its siblings) in a child
process; a signal or a timeout fails, the clean outcome is asserted.

Findings 1, 2, 3 (numeric fields the C client divides by, allocates from, shifts by or pins
a thread with), 7 (C-owned strings replaced while the tend thread reads them), 13 (a config
file that blocks), 15 (setters that kept every replaced value), 17 (host strings), and the
config part of 19 (unknown fields given as keywords or dicts).
"""
from __future__ import annotations

import json
import os
import stat

import pytest

import aerospike_c as asc
from aerospike_c import Config, ParamError
from aerospike_c.bindings._cstruct import FIELD_LIMITS

from probe_helpers import run_probe

pytestmark = pytest.mark.timeout(300)


def last(lines):
    assert lines, "the probe printed nothing"
    return lines[-1]


# -- 1: conn_pools_per_node and the other pool sizes -----------------------------------------
@pytest.mark.parametrize("value", [0, 2 ** 32 - 1, 1025])
def test_conn_pools_per_node_out_of_range_is_a_value_error_not_a_crash(aerospike_hosts, value):
    lines = run_probe(f"""
        outcome(lambda: Client(Config(HOSTS, conn_pools_per_node={value})).connect())
        config = asc.as_config_init()
        outcome(setattr, config, "conn_pools_per_node", {value})
    """, hosts=aerospike_hosts)
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("ValueError: as_config.conn_pools_per_node must be in [1, 1024]")


@pytest.mark.parametrize("field, value", [
    ("max_conns_per_node", 2 ** 29),          # 2**29 * 40 bytes wraps to a 0-byte pool in C
    ("min_conns_per_node", 2 ** 32 - 1),
    ("async_max_conns_per_node", 2 ** 30),
    ("pipe_max_conns_per_node", 2 ** 32 - 1),
    ("thread_pool_size", 2 ** 31 - 1),        # C starts every thread before it can fail
    ("shm_takeover_threshold_sec", 2 ** 32 - 1),
    ("shm_max_nodes", 0),
    ("tender_interval", 0),
    ("max_socket_idle", 86401),
])
def test_pool_and_thread_sizes_are_checked_when_set(field, value):
    with pytest.raises(ValueError, match=f"as_config.{field} must be in"):
        Config("127.0.0.1:3000", **{field: value})


def test_a_working_pool_configuration_still_connects_and_serves(aerospike_hosts):
    lines = run_probe("""
        with Client(Config(HOSTS, conn_pools_per_node=4, max_conns_per_node=8,
                           min_conns_per_node=2, thread_pool_size=2)) as client:
            client.put(("test", PROBE_SET, 1), {"a": 1})
            print(client.get(("test", PROBE_SET, 1)).bins)
    """, hosts=aerospike_hosts)
    assert last(lines) == "{'a': 1}"


def test_min_above_max_connections_names_both_fields(aerospike_hosts):
    lines = run_probe("""
        outcome(lambda: Client(Config(HOSTS, min_conns_per_node=10, max_conns_per_node=5)).connect())
        outcome(lambda: Client(Config(HOSTS, async_min_conns_per_node=10,
                                      async_max_conns_per_node=5)).connect())
    """, hosts=aerospike_hosts)
    assert lines[0].startswith("ParamError") and "min_conns_per_node (10)" in lines[0] \
        and "max_conns_per_node (5)" in lines[0]
    assert lines[1].startswith("ParamError") and "async_min_conns_per_node (10)" in lines[1]


def test_values_from_the_config_file_are_checked_at_connect(aerospike_hosts, tmp_path):
    # The C client fills fields from its YAML file inside aerospike_init, behind the setters.
    path = tmp_path / "client.yml"
    path.write_text("version: 1.0.0\nstatic:\n  client:\n    max_connections_per_node: 536870912\n")
    lines = run_probe(f"""
        config = Config(HOSTS, config_provider={{"path": {str(path)!r}, "interval": 1000}})
        outcome(lambda: Client(config).connect())
    """, hosts=aerospike_hosts)
    assert last(lines).startswith("ValueError: as_config.max_conns_per_node must be in")


# -- 2: tend_thread_cpu ----------------------------------------------------------------------
def test_tend_thread_cpu_beyond_the_cpus_is_refused_before_c_joins_a_missing_thread(aerospike_hosts):
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else list(range(os.cpu_count() or 1))
    absent = max(cpus) + 1
    lines = run_probe(f"""
        for attempt in range(5):
            client = Client(Config(HOSTS, tend_thread_cpu={absent}))
            outcome(client.connect)
            client.destroy()
        outcome(setattr, asc.as_config_init(), "tend_thread_cpu", 1024)
        for cpu in (-1, {cpus[0]}):
            with Client(Config(HOSTS, tend_thread_cpu=cpu)) as client:
                print("connected", cpu, client.is_connected())
    """, hosts=aerospike_hosts)
    assert len(lines) == 8
    for line in lines[:5]:
        assert line.startswith(f"ParamError") and f"tend_thread_cpu {absent}" in line
    assert lines[5].startswith("ValueError: as_config.tend_thread_cpu must be in")
    assert lines[6:] == ["connected -1 True", f"connected {cpus[0]} True"]


# -- 3: the metrics policy -------------------------------------------------------------------
@pytest.mark.parametrize("field, value", [
    ("interval", 0), ("latency_columns", 0), ("latency_shift", 64), ("report_dir", ""),
])
def test_metrics_policy_fields_the_tender_would_crash_on_are_refused(aerospike_hosts, tmp_path,
                                                                      field, value):
    lines = run_probe(f"""
        policy = asc.as_metrics_policy_init()
        outcome(setattr, policy, {field!r}, {value!r})
        outcome(Config, HOSTS, policies={{"metrics": {{"enable": True, {field!r}: {value!r}}}}})
        # The policy as it was left still works: enable, run commands, disable.
        policy.report_dir = {str(tmp_path)!r}
        policy.interval = 1
        with Client(Config(HOSTS, tender_interval=250)) as client:
            asc.aerospike_enable_metrics(client.aerospike, policy)
            for i in range(20):
                client.put(("test", PROBE_SET, i), {{"a": i}})
                client.get(("test", PROBE_SET, i))
            asc.aerospike_disable_metrics(client.aerospike)
        print("served")
    """, hosts=aerospike_hosts)
    assert lines[0].startswith(f"ValueError: as_metrics_policy.{field} ")
    assert lines[1].startswith(f"ValueError: as_config.policies.metrics.{field} ")
    assert lines[2] == "served"


def test_every_limit_names_a_declared_field_and_a_reason():
    from aerospike_c._aerospike import ffi
    for (struct, field), (low, high, why) in FIELD_LIMITS.items():
        assert field in dict(ffi.typeof(struct).fields), (struct, field)
        assert low <= high and why


# -- 7: C-owned strings and pointers while connected ----------------------------------------
CHANGES_WHILE_CONNECTED = [
    "config.cluster_name = 'other'",
    "config.app_id = 'other'",
    "config.tls.cafile = '/tmp/ca.pem'",
    "config.config_provider.path = '/tmp/x.yml'",
    "asc.as_config_set_cluster_name(config, 'other')",
    "asc.as_config_set_app_id(config, None)",
    "asc.as_config_tls_set_keyfile_pw(config, 'pw')",
    "asc.as_config_provider_set(config, '/tmp/x.yml', 1000)",
    "config.ip_map = {'10.0.0.1': '127.0.0.1'}",
    "config.rack_ids = [1, 2]",
    "asc.as_config_add_rack_id(config, 3)",
    "config.event_callback = print",
    "asc.as_config_set_cluster_event_callback(config, print, None)",
]


def test_c_owned_fields_are_refused_while_connected_and_allowed_after_close(aerospike_hosts):
    lines = run_probe("""
        import json, time
        changes = json.loads(sys.argv[1])
        client = Client(Config(HOSTS, tender_interval=250, app_id="app"))
        client.connect()
        config = client.config
        for round in range(2):
            for change in changes:
                outcome(exec, change)
            time.sleep(0.6)  # tend rounds read cluster_name/app_id: nothing was freed under them
            client.put(("test", PROBE_SET, round), {"a": round})
        client.close()
        for change in changes:
            outcome(exec, change)
        config.cluster_name, config.event_callback, config.config_provider.path = None, None, None
        client.connect()
        print(client.get(("test", PROBE_SET, 1)).bins)
        client.destroy()
    """, hosts=aerospike_hosts, args=[json.dumps(CHANGES_WHILE_CONNECTED)])
    count = len(CHANGES_WHILE_CONNECTED)
    refused, after_close = lines[:2 * count], lines[2 * count:-1]
    for line in refused:
        assert line.startswith("LifecycleError") and "connected" in line, line
    assert after_close == ["ok"] * count
    assert lines[-1] == "{'a': 1}"


def test_c_owned_fields_are_refused_while_connect_is_running(aerospike_hosts):
    # A cluster-event callback runs inside aerospike_connect: the config is being read.
    lines = run_probe("""
        client = Client(Config(HOSTS))
        config = client.config
        def on_event(event):
            if event.type == asc.AS_CLUSTER_ADD_NODE and not seen:
                seen.append(outcome(setattr, config, "cluster_name", "x"))
        seen = []
        config.event_callback = on_event
        client.connect()
        client.destroy()
    """, hosts=aerospike_hosts)
    assert lines and lines[0].startswith("LifecycleError")


# -- 13: the dynamic config file --------------------------------------------------------------
def _special_paths(tmp_path):
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    return {"fifo": str(fifo), "directory": str(tmp_path), "device": "/dev/zero",
            "missing": str(tmp_path / "missing.yml")}


@pytest.mark.parametrize("kind", ["fifo", "directory", "device", "missing"])
def test_config_file_that_is_not_a_regular_file_is_refused_before_c_reads_it(aerospike_hosts,
                                                                             tmp_path, kind):
    path = _special_paths(tmp_path)[kind]
    lines = run_probe(f"""
        outcome(lambda: Client(Config(HOSTS, config_provider={{"path": {path!r}, "interval": 1000}})))
        config = asc.as_config_init()
        asc.as_config_add_hosts(config, HOSTS, 3000)
        asc.as_config_provider_set(config, {path!r}, 1000)
        outcome(asc.aerospike_new, config)
        client = Client(Config(HOSTS))
        client.config.config_provider.path = {path!r}      # set after init: checked at connect
        outcome(client.connect)
        client.destroy()
    """, hosts=aerospike_hosts, timeout=60)
    assert len(lines) == 3
    for line in lines:
        assert line.startswith("ParamError") and path in line, line


def test_config_file_from_the_environment_is_checked_too(aerospike_hosts, tmp_path):
    path = _special_paths(tmp_path)["fifo"]
    lines = run_probe("""
        outcome(lambda: Client(Config(HOSTS)))
    """, hosts=aerospike_hosts, env={"AEROSPIKE_CLIENT_CONFIG_URL": f"file://{path}"})
    assert last(lines).startswith("ParamError") and "AEROSPIKE_CLIENT_CONFIG_URL" in last(lines)


def test_a_regular_config_file_is_still_read(aerospike_hosts, tmp_path):
    path = tmp_path / "client.yml"
    path.write_text("version: 1.0.0\nstatic:\n  client:\n    max_connections_per_node: 77\n")
    assert stat.S_ISREG(os.stat(path).st_mode)
    lines = run_probe(f"""
        with Client(Config(HOSTS, config_provider={{"path": {str(path)!r}, "interval": 1000}})) as c:
            print(c.config.max_conns_per_node)
    """, hosts=aerospike_hosts)
    assert last(lines) == "77"


# -- 15: replacing a value releases the previous one --------------------------------------------
def test_replacing_ip_map_and_event_callback_does_not_grow_memory():
    lines = run_probe("""
        import gc, weakref
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        config = asc.as_config_init()
        for i in range(20000):  # warm up allocator pools
            config.ip_map = {"10.0.0.1": "127.0.0.1", "10.0.0.2": "127.0.0.2"}
            config.event_callback = lambda event: None
        before = rss()
        for i in range(100000):
            config.ip_map = {"10.0.0.1": "127.0.0.1", "10.0.0.2": "127.0.0.2"}
            config.event_callback = lambda event: None
        gc.collect()
        print((rss() - before) // (1 << 20))
        first = lambda event: None
        config.event_callback = first
        ref = weakref.ref(first)
        del first
        config.event_callback = print
        gc.collect()
        print(ref() is None)
        print(config.ip_map, config.event_callback is print)
    """, timeout=120)
    assert int(lines[0]) < 4, f"{lines[0]} MiB kept by 100k replacements"
    assert lines[1] == "True"
    assert lines[2] == "{'10.0.0.1': '127.0.0.1', '10.0.0.2': '127.0.0.2'} True"


def test_callback_and_ip_map_survive_the_hand_over_to_the_instance(aerospike_hosts):
    lines = run_probe("""
        import gc
        events = []
        config = asc.as_config_init()
        asc.as_config_add_hosts(config, HOSTS, 3000)
        config.ip_map = {"10.9.9.9": "127.0.0.1"}
        asc.as_config_set_cluster_event_callback(config, lambda e: events.append(e.type), "u")
        instance = asc.aerospike_init(config)
        del config
        gc.collect()
        asc.aerospike_connect(instance)
        print(len(events) > 0, instance.config.ip_map, instance.config.event_callback_udata)
        asc.aerospike_close(instance)
        asc.aerospike_destroy(instance)
    """, hosts=aerospike_hosts)
    assert last(lines) == "True {'10.9.9.9': '127.0.0.1'} u"


# -- 17: host strings ----------------------------------------------------------------------
@pytest.mark.parametrize("hosts, part", [
    ("127.0.0.1:99999", "port 99999"),
    ("127.0.0.1:65536", "port 65536"),
    ("127.0.0.1:0", "port 0"),
    ("127.0.0.1:-1", "port '-1'"),
    ("127.0.0.1:+5", "port '+5'"),
    ("127.0.0.1:3000x", "port '3000x'"),
    ("host:tls:70000", "port 70000"),
    ("host:tls:", "port ''"),
    ("host:-tls", "'-tls'"),
    ("host:t@ls:3000", "TLS name 't@ls'"),
    ("host:tls name", "TLS name 'tls name'"),
    ("host:a:b:3000", "more than host:tls_name:port"),
    ("[::1]x:3000", "expected ':' after ']'"),
    ("[::1:3000", "no closing ']'"),
    ("a,,b", "host name ''"),
    ("a, b", "host name ' b'"),
    ("", "host name ''"),
])
def test_bad_host_strings_raise_naming_the_bad_part(hosts, part):
    with pytest.raises(ParamError, match=part.replace("[", r"\[").replace("+", r"\+")):
        Config(hosts)
    config = asc.as_config_init()
    with pytest.raises(ParamError):
        asc.as_config_add_hosts(config, hosts, 3000)
    assert config.hosts == []  # nothing of a bad string is added


@pytest.mark.parametrize("hosts, expected", [
    ("127.0.0.1", [("127.0.0.1", 3000, None)]),
    ("127.0.0.1:1,h:65535", [("127.0.0.1", 1, None), ("h", 65535, None)]),
    ("h:tls.example.com", [("h", 3000, "tls.example.com")]),
    ("h:tls-1:4000,[::1]:t:5,[::1]:6,[::1]", [("h", 4000, "tls-1"), ("::1", 5, "t"),
                                               ("::1", 6, None), ("::1", 3000, None)]),
])
def test_good_host_strings_parse_as_in_c(hosts, expected):
    assert Config(hosts).hosts == expected


@pytest.mark.parametrize("port", [0, -1, 65536, 99999])
def test_add_host_takes_ports_1_to_65535(port):
    config = asc.as_config_init()
    with pytest.raises(ValueError, match="port must be in \\[1, 65535\\]"):
        asc.as_config_add_host(config, "127.0.0.1", port)
    with pytest.raises(ValueError, match="port"):
        asc.as_config_tls_add_host(config, "127.0.0.1", "tls", port)
    with pytest.raises(ValueError, match="port"):
        Config([("127.0.0.1", port)])
    with pytest.raises(ValueError, match="default_port"):
        asc.as_config_add_hosts(config, "127.0.0.1", port)
    with pytest.raises(ValueError, match="address"):
        asc.as_config_add_host(config, "", 3000)


def test_a_bad_port_never_reaches_a_connect(aerospike_hosts):
    # Before: 99999 wrapped to 34463 in C and connected there.
    lines = run_probe("""
        outcome(lambda: Client(Config("127.0.0.1:99999")).connect())
    """, hosts=aerospike_hosts)
    assert last(lines).startswith("ParamError") and "99999" in last(lines)


# -- 19 (config part): unknown fields --------------------------------------------------------
def test_unknown_fields_as_keywords_or_dicts_are_type_errors_naming_them():
    with pytest.raises(TypeError, match="'polcies'.*did you mean policies"):
        Config("127.0.0.1:3000", polcies={})
    with pytest.raises(TypeError, match="as_config.policies.read has no field 'bse'"):
        Config("127.0.0.1:3000", policies={"read": {"bse": {"total_timeout": 1}}})
    with pytest.raises(TypeError, match="'total_timout'"):
        asc.Config("127.0.0.1:3000", policies={"read": {"base": {"total_timout": 1}}})
    with pytest.raises(TypeError, match="read-only"):
        Config("127.0.0.1:3000", ip_map_size=2)
    config = asc.as_config_init()
    with pytest.raises(AttributeError, match="polcies"):
        config.polcies = {}  # attribute access keeps Python's AttributeError


def test_another_instances_config_is_not_an_as_config_for_init(aerospike_hosts):
    lines = run_probe("""
        first = asc.aerospike_init(asc.as_config_init())
        outcome(asc.aerospike_init, first.config)
        asc.aerospike_destroy(first)
    """, hosts=aerospike_hosts)
    assert last(lines).startswith("TypeError: aerospike_init takes an as_config")


def test_replacing_a_config_policy_filter_exp_releases_the_previous_one(aerospike_hosts):
    # A config's policy holds its own copy of the as_exp (the caller may destroy theirs):
    # count the live as_exp objects to see the copies go.
    lines = run_probe("""
        import gc
        def live():
            gc.collect()
            return sum(isinstance(o, asc.as_exp) for o in gc.get_objects())
        client = Client(Config(HOSTS))
        first = asc.as_exp_build(asc.as_exp_bool(True))
        client.config.policies.read.base.filter_exp = first
        asc.as_exp_destroy(first)                              # the config keeps its copy
        held = live()
        client.config.policies.read.base.filter_exp = None     # not connected: released now
        print(live() == held - 1)
        client.connect()
        second = asc.as_exp_build(asc.as_exp_bool(True))
        client.config.policies.write.base.filter_exp = second
        del second
        held = live()
        client.config.policies.write.base.filter_exp = None    # connected: kept until close
        print(live() == held - 1)
        client.close()
        print(live() == held - 1)
        client.destroy()
    """, hosts=aerospike_hosts)
    assert lines == ["True", "False", "True"]
