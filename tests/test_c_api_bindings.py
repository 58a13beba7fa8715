"""The C functions bound for issue 17 (docs/C_API.md), each with the C semantics.

Grouped by C header. Offline tests need no cluster; the rest run against the test cluster
(embedded, or AEROSPIKE_HOSTS) and say only what a real server also does.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

import aerospike_c as asc
from testing.cluster_helpers import OWN_TLS_CLUSTER, self_signed_certificate
from multi_record_fixtures import (  # noqa: F401 - pytest fixtures
    NAMESPACE, client, fill, index_names, set_name, unique_set,
)


# -- as_record.h, as_record_iterator.h, as_bin.h -------------------------------------------------
def test_record_value_object_getters_and_setters():
    rec = asc.as_record_inita(6)
    asc.as_record_set_integer(rec, "i", 7)
    asc.as_record_set_as_double(rec, "d", 1.5)
    asc.as_record_set_string(rec, "s", "text")
    asc.as_record_set_bytes(rec, "b", b"\x00\x01")
    asc.as_record_set_geojson(rec, "g", asc.GeoJSON('{"type":"Point","coordinates":[1,2]}'))
    asc.as_record_set_strp(rec, "p", "owned", True)
    assert asc.as_record_get_integer(rec, "i") == 7
    assert asc.as_record_get_as_double(rec, "d") == 1.5
    assert asc.as_record_get_string(rec, "s") == "text"
    assert asc.as_record_get_geojson(rec, "g").value == '{"type":"Point","coordinates":[1,2]}'
    assert asc.as_record_get_bytes(rec, "b") == b"\x00\x01"
    assert asc.as_record_get_str(rec, "p") == "owned"
    # C's NULL: absent bin, or a bin of another type
    assert asc.as_record_get_integer(rec, "s") is None
    assert asc.as_record_get_string(rec, "missing") is None
    assert asc.as_record_get_as_double(rec, "i") is None
    with pytest.raises(TypeError):
        asc.as_record_set_integer(rec, "x", "1")
    with pytest.raises(TypeError):
        asc.as_record_set_geojson(rec, "x", "not a GeoJSON object")


def test_record_pointer_setters_copy_and_check_free():
    rec = asc.as_record_inita(3)
    data = bytearray(b"abcdef")
    asc.as_record_set_rawp(rec, "r", data, 3, False)
    asc.as_record_set_geojson_strp(rec, "g", '{"type":"Point","coordinates":[0,0]}', True)
    data[:] = b"zzzzzz"  # the record holds its own copy
    assert asc.as_record_get_bytes(rec, "r") == b"abc"
    assert asc.as_record_get_geojson_str(rec, "g").startswith('{"type":"Point"')
    with pytest.raises(TypeError):
        asc.as_record_set_strp(rec, "s", "x", 1)
    with pytest.raises(ValueError):
        asc.as_record_set_rawp(rec, "s", b"ab", 3, False)


def test_record_foreach_in_order_and_stops_on_false():
    rec = asc.as_record_inita(3)
    for name, value in (("a", 1), ("b", "two"), ("c", [3])):
        asc.as_record_set(rec, name, value)
    seen = []
    assert asc.as_record_foreach(rec, lambda name, value, udata: seen.append((name, value, udata)),
                                 "u") is True
    assert seen == [("a", 1, "u"), ("b", "two", "u"), ("c", [3], "u")]
    seen.clear()
    assert asc.as_record_foreach(rec, lambda name, value, udata: seen.append(name) or False) is False
    assert seen == ["a"]
    with pytest.raises(ZeroDivisionError):
        asc.as_record_foreach(rec, lambda name, value, udata: 1 / 0)
    asc.as_record_destroy(rec)
    with pytest.raises(asc.LifecycleError):
        asc.as_record_foreach(rec, lambda *args: True)


def test_record_iterator_walks_the_bins_and_refuses_a_destroyed_record():
    rec = asc.as_record_inita(3)
    asc.as_record_set_int64(rec, "a", 1)
    asc.as_record_set_str(rec, "b", "x")
    asc.as_record_set_nil(rec, "c")
    it = asc.as_record_iterator_new(rec)
    bins = []
    while asc.as_record_iterator_has_next(it):
        bins.append(asc.as_record_iterator_next(it))
    assert asc.as_record_iterator_next(it) is None
    assert [(asc.as_bin_get_name(b), asc.as_bin_get_value(b), asc.as_bin_get_type(b))
            for b in bins] == [("a", 1, asc.AS_INTEGER), ("b", "x", asc.AS_STRING),
                               ("c", None, asc.AS_NIL)]
    it2 = asc.as_record_iterator_init(rec)
    asc.as_record_destroy(rec)
    with pytest.raises(asc.LifecycleError):
        asc.as_record_iterator_has_next(it2)
    with pytest.raises(asc.LifecycleError):
        asc.as_record_iterator_next(it2)
    asc.as_record_iterator_destroy(it2)
    with pytest.raises(asc.LifecycleError):
        asc.as_record_iterator_destroy(it2)
    with pytest.raises(TypeError):
        asc.as_record_iterator_new({"a": 1})
    with pytest.raises(TypeError):
        asc.as_bin_get_name(("a", 1, 3))


# -- as_key.h, as_operations.h, as_list_operations.h, inita macros --------------------------------
def test_key_pointer_variants_equal_the_copying_ones():
    digest = asc.as_key_digest(asc.as_key_init_str(NAMESPACE, "s", "k"))
    assert asc.as_key_digest(asc.as_key_init_strp(NAMESPACE, "s", "k", True)) == digest
    assert asc.as_key_digest(asc.as_key_new_strp(NAMESPACE, "s", "k", False)) == digest
    raw = asc.as_key_digest(asc.as_key_init_raw(NAMESPACE, "s", b"ab"))
    assert asc.as_key_digest(asc.as_key_init_rawp(NAMESPACE, "s", b"abc", 2, True)) == raw
    assert asc.as_key_digest(asc.as_key_new_rawp(NAMESPACE, "s", b"ab", 2, False)) == raw
    with pytest.raises(TypeError):
        asc.as_key_init_strp(NAMESPACE, "s", "k", None)


def test_inita_macros_are_the_init_functions():
    assert len(asc.as_operations_inita(2)) == 0
    assert len(asc.as_cdt_ctx_inita(1)) == 0
    assert asc.as_batch_inita(2).keys.size == 2
    assert asc.as_batch_records_inita(2).list.size == 0
    assert asc.as_batch_read_inita(1).list.size == 0
    scan = asc.as_scan_init(NAMESPACE, None)
    assert asc.as_scan_select_inita(scan, 1) is True
    query = asc.as_query_init(NAMESPACE, None)
    assert asc.as_query_select_inita(query, 1) is True
    assert asc.as_query_where_inita(query, 1) is True


def test_operation_pointer_variants_operate(client, set_name):
    key = asc.as_key_init_int64(NAMESPACE, set_name, 1)
    ops = asc.as_operations_inita(5)
    asc.as_operations_add_write_strp(ops, "s", "mid", True)
    asc.as_operations_add_write_rawp(ops, "r", b"xyz", 2, False)
    asc.as_operations_add_list_append_strp(ops, "l", "a", False)
    asc.as_operations_add_list_insert_rawp(ops, "l", 0, b"\x01", 1, True)
    asc.aerospike_key_operate(client.aerospike, None, key, ops)
    ops = asc.as_operations_inita(3)
    asc.as_operations_add_append_strp(ops, "s", "-end", False)
    asc.as_operations_add_prepend_strp(ops, "s", "start-", True)
    asc.as_operations_add_list_set_strp(ops, "l", 1, "b", True)
    asc.aerospike_key_operate(client.aerospike, None, key, ops)
    bins = asc.aerospike_key_get(client.aerospike, None, key).to_python().bins
    assert bins == {"s": "start-mid-end", "r": b"xy", "l": [b"\x01", "b"]}
    with pytest.raises(TypeError):
        asc.as_operations_add_write_strp(asc.as_operations_inita(1), "s", "x")
    with pytest.raises(TypeError):
        asc.as_operations_add_write_strp(asc.as_operations_inita(1), "s", "x", "yes")


# -- as_cdt_ctx.h -----------------------------------------------------------------------------------
def test_cdt_ctx_bytes_and_base64_round_trip():
    ctx = asc.as_cdt_ctx_inita(3)
    asc.as_cdt_ctx_add_list_index(ctx, -1)
    asc.as_cdt_ctx_add_map_key(ctx, "k")
    asc.as_cdt_ctx_add_list_value(ctx, [1, "x"])
    data = asc.as_cdt_ctx_to_bytes(ctx)
    assert asc.as_cdt_ctx_byte_capacity(ctx) >= len(data) > 0
    text = asc.as_cdt_ctx_to_base64(ctx)
    assert asc.as_cdt_ctx_base64_capacity(ctx) == len(text) + 1
    back = asc.as_cdt_ctx_from_bytes(data)
    assert len(back) == 3 and asc.as_cdt_ctx_to_bytes(back) == data
    assert asc.as_cdt_ctx_to_bytes(asc.as_cdt_ctx_from_base64(text)) == data
    asc.as_cdt_ctx_destroy(back)
    with pytest.raises(asc.LifecycleError):
        asc.as_cdt_ctx_to_bytes(back)


@pytest.mark.parametrize("data", [
    b"", b"\xc1", b"\x91\x10", b"\x92\xa1x\x01", b"\x92\x10\xa1x", b"\x81\x01\x02",
    b"\x92\x04\x05",                                    # an expression item: a pointer in C
    b"\x92\xcf\x00\x00\x00\x01\x00\x00\x00\x04\x05",    # the same, truncated to 32 bits by C
    b"\x92\xcd\x02\x04\x05",                            # an AND-ed expression item
    b"\x92\x13\xc3", b"\x92\xf2\xc2",                     # boolean values (C frees them early)
])
def test_cdt_ctx_from_bytes_refuses_what_is_not_a_context(data):
    with pytest.raises(asc.ParamError):
        asc.as_cdt_ctx_from_bytes(data)


def test_cdt_ctx_with_expression_items_does_not_read_back():
    ctx = asc.as_cdt_ctx_inita(1)
    asc.as_cdt_ctx_add_all_children(ctx)
    with pytest.raises(asc.ParamError):
        asc.as_cdt_ctx_from_bytes(asc.as_cdt_ctx_to_bytes(ctx))
    with pytest.raises(asc.ParamError):
        asc.as_cdt_ctx_from_base64("not base64!")
    with pytest.raises(TypeError):
        asc.as_cdt_ctx_from_bytes("text")


def test_cdt_ctx_from_bytes_survives_random_input_in_a_subprocess():
    program = (
        "import random, aerospike_c as asc\n"
        "rng = random.Random(17)\n"
        "prefixes = [b'\\x92', b'\\x94', b'\\x96\\x10', b'\\xdc\\x00\\x04']\n"
        "for _ in range(20000):\n"
        "    data = rng.choice(prefixes) + bytes(rng.randrange(256) for _ in range(rng.randrange(12)))\n"
        "    try:\n"
        "        ctx = asc.as_cdt_ctx_from_bytes(data)\n"
        "        asc.as_cdt_ctx_to_bytes(ctx)\n"
        "        asc.as_cdt_ctx_destroy(ctx)\n"
        "    except asc.AerospikeError:\n"
        "        pass\n"
        "print('ok')\n")
    env = dict(os.environ, MALLOC_CHECK_="3", MALLOC_PERTURB_="165")  # glibc: abort on corruption
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# -- as_info.h ----------------------------------------------------------------------------------------
def test_info_response_parsing():
    assert asc.as_info_parse_single_response("build\t8.1.0.0\n") == "8.1.0.0"
    for bad in ("build 8.1.0.0\n", "build\t8.1.0.0", ""):
        with pytest.raises(asc.ClientError):
            asc.as_info_parse_single_response(bad)
    assert asc.as_info_parse_multi_response("node\tBB9\nbuild\t8.1.0.0\n") == [
        ("node", "BB9"), ("build", "8.1.0.0")]
    assert asc.as_info_parse_multi_response("a\t1\nlonely\nb\t2") == [
        ("a", "1"), ("lonely", ""), ("b", "2")]
    assert asc.as_info_parse_multi_response("") == []
    with pytest.raises(TypeError):
        asc.as_info_parse_multi_response(b"node\tx\n")


def test_info_parsing_of_a_server_response(client):
    response = asc.aerospike_info_any(client.aerospike, None, "node\nbuild\n")
    names = [name for name, _ in asc.as_info_parse_multi_response(response)]
    assert names == ["node", "build"]
    build = asc.as_info_parse_single_response(asc.aerospike_info_any(client.aerospike, None, "build"))
    assert asc.as_version_from_string(build).major >= 4


# -- as_policy.h, aerospike.h policy defaults ---------------------------------------------------
def test_policy_copies_are_independent():
    src = asc.as_policy_write_init()
    src.base.total_timeout = 321
    src.key = asc.AS_POLICY_KEY_SEND
    copy = asc.as_policy_write_copy(src)
    assert (copy.base.total_timeout, copy.key) == (321, asc.AS_POLICY_KEY_SEND)
    copy.base.total_timeout = 5
    assert src.base.total_timeout == 321
    for kind in ("read", "operate", "remove", "apply", "batch", "scan", "query", "info", "admin",
                 "txn_verify", "txn_roll"):
        original = getattr(asc, f"as_policy_{kind}_init")()
        assert getattr(asc, f"as_policy_{kind}_copy")(original).to_dict() == original.to_dict()
    with pytest.raises(TypeError):
        asc.as_policy_read_copy(asc.as_policy_write_init())


def test_policy_base_initializers_match_the_policies_they_start():
    assert asc.as_policy_base_read_init().to_dict() == asc.as_policy_read_init().base.to_dict()
    assert asc.as_policy_base_write_init().to_dict() == asc.as_policy_write_init().base.to_dict()
    assert asc.as_policy_base_query_init().to_dict() == asc.as_policy_query_init().base.to_dict()


def test_policy_defaults_copy_the_instance_config(client):
    as_ = client.aerospike
    read = asc.as_policy_read_default(as_)
    assert read.to_dict() == as_.config.policies.read.to_dict()
    read.base.total_timeout += 1  # a copy: the instance's default is unchanged
    assert read.base.total_timeout != as_.config.policies.read.base.total_timeout
    assert asc.as_policy_batch_parent_read_default(as_).to_dict() == \
        as_.config.policies.batch.to_dict()
    assert asc.as_policy_query_default(as_).ctype == "as_policy_query"
    assert asc.aerospike_load_config(as_).policies.read.to_dict() == \
        as_.config.policies.read.to_dict()


def test_batch_read_default_takes_four_fields_of_the_configs_batch_policy():
    """C has no config batch_read policy: as_policy_batch_read_default copies filter_exp,
    read_mode_ap/_sc and read_touch_ttl_percent from policies.batch (was an AttributeError)."""
    config = asc.as_config_init()
    batch = config.policies.batch
    batch.read_mode_ap = asc.AS_POLICY_READ_MODE_AP_ALL
    batch.read_mode_sc = asc.AS_POLICY_READ_MODE_SC_LINEARIZE
    batch.read_touch_ttl_percent = 40
    filter_exp = asc.as_exp_build(asc.as_exp_bool(True))
    batch.base.filter_exp = filter_exp
    as_ = asc.aerospike_init(config)
    try:
        policy = asc.as_policy_batch_read_default(as_)
        assert policy.ctype == "as_policy_batch_read"
        assert policy.read_mode_ap == asc.AS_POLICY_READ_MODE_AP_ALL
        assert policy.read_mode_sc == asc.AS_POLICY_READ_MODE_SC_LINEARIZE
        assert policy.read_touch_ttl_percent == 40
        assert asc.as_exp_to_base64(policy.filter_exp) == asc.as_exp_to_base64(filter_exp)
    finally:
        asc.aerospike_destroy(as_)
    # The copy keeps what it points at past the instance.
    assert asc.as_exp_to_base64(policy.filter_exp) == asc.as_exp_to_base64(filter_exp)
    with pytest.raises(asc.LifecycleError):
        asc.as_policy_batch_read_default(as_)


# -- as_version.h -----------------------------------------------------------------------------------
def test_version_parse_print_compare():
    ver = asc.as_version_from_string("8.1.0.2-rc1")
    assert (ver.major, ver.minor, ver.patch, ver.build) == (8, 1, 0, 2)
    assert asc.as_version_to_string(ver) == "8.1.0.2"
    assert asc.as_version_to_string(asc.as_version_from_string("7.2.1")) == "7.2.1.0"
    assert asc.as_version_compare(ver, asc.as_server_version_8_1) > 0
    assert asc.as_version_compare(asc.as_server_version_8_1, ver) < 0
    assert asc.as_version_compare(asc.as_server_version_8_2_0,
                                  asc.as_version_from_string("8.2.0.0")) == 0
    with pytest.raises(asc.ParamError):
        asc.as_version_from_string("8.1")
    with pytest.raises(TypeError):
        asc.as_version_compare(ver, "8.1.0")


def test_server_version_through_info(client):
    build = client.info_all("build")
    for text in build.values():
        assert asc.as_version_compare(asc.as_version_from_string(text),
                                      asc.as_version_from_string("4.0.0")) > 0


# -- as_config.h --------------------------------------------------------------------------------------
def test_config_destroy_and_auth_mode():
    config = asc.as_config_init()
    asc.as_config_add_host(config, "127.0.0.1", 3000)
    asc.as_config_destroy(config)
    with pytest.raises(asc.LifecycleError):
        asc.as_config_add_host(config, "127.0.0.1", 3000)
    with pytest.raises(asc.LifecycleError):
        asc.as_config_destroy(config)
    with pytest.raises(asc.LifecycleError):
        asc.aerospike_init(config)
    assert asc.as_auth_mode_from_string("pki") == asc.AS_AUTH_PKI
    assert asc.as_auth_mode_from_string("EXTERNAL_INSECURE") == asc.AS_AUTH_EXTERNAL_INSECURE
    with pytest.raises(asc.ParamError):
        asc.as_auth_mode_from_string("kerberos")


# -- as_metrics.h ---------------------------------------------------------------------------------------
def test_metrics_labels_and_report_dir(tmp_path):
    policy = asc.as_metrics_policy_init()
    assert policy.labels == []
    asc.as_metrics_policy_add_label(policy, "app", "shop")
    asc.as_metrics_policy_add_label(policy, "zone", "a")
    assert policy.labels == [("app", "shop"), ("zone", "a")]
    asc.as_metrics_policy_set_labels(policy, [("only", "one")])
    assert policy.labels == [("only", "one")]
    asc.as_metrics_policy_copy_labels(policy, {"x": "1"})
    assert policy.labels == [("x", "1")]
    asc.as_metrics_policy_destroy_labels(policy)
    assert policy.labels == []
    asc.as_metrics_policy_set_report_dir(policy, str(tmp_path))
    assert policy.report_dir == str(tmp_path)
    for bad in ("d" * 300, ""):  # C reads report_dir[strlen - 1]
        with pytest.raises(ValueError):
            asc.as_metrics_policy_set_report_dir(policy, bad)
    with pytest.raises(TypeError):
        asc.as_metrics_policy_set_labels(policy, [("a",)])
    asc.as_metrics_policy_destroy(policy)
    with pytest.raises(asc.LifecycleError):
        asc.as_metrics_policy_add_label(policy, "a", "b")


# -- aerospike_stats.h, aerospike.h ---------------------------------------------------------------------
def test_cluster_and_node_stats(client):
    as_ = client.aerospike
    cluster = asc.aerospike_cluster_stats(as_)
    names = [node.name for node in cluster.nodes]
    assert sorted(names) == sorted(asc.as_cluster_get_node_names(as_))
    node = asc.aerospike_node_stats(as_, names[0])
    assert node.name == names[0] and node.address
    assert node.sync.in_pool + node.sync.in_use >= 0
    with pytest.raises(asc.InvalidNodeError):
        asc.aerospike_node_stats(as_, "NO-SUCH-NODE")
    with pytest.raises(TypeError):
        asc.aerospike_node_stats(as_, None)


def test_reload_tls_config_without_tls_is_a_tls_error(client):
    if client.aerospike.config.tls.enable:
        pytest.skip("the cluster under test uses TLS")
    with pytest.raises(asc.TLSError):
        asc.aerospike_reload_tls_config(client.aerospike)


@OWN_TLS_CLUSTER
def test_reload_tls_config_over_tls(tmp_path):
    from aerospike_c.testing import EmbeddedCluster

    certfile, keyfile = self_signed_certificate(tmp_path)
    with EmbeddedCluster(nodes=1, tls_certfile=certfile, tls_keyfile=keyfile) as cluster:
        config = asc.as_config_init()
        for host, port in cluster.hosts:
            asc.as_config_tls_add_host(config, host, "localhost", port)
        config.tls.enable = True
        asc.as_config_tls_set_cafile(config, certfile)
        as_ = asc.aerospike_init(config)
        asc.aerospike_connect(as_)
        try:
            asc.aerospike_reload_tls_config(as_)  # nothing to reload but the CA: OK
            assert asc.aerospike_cluster_is_connected(as_)
        finally:
            asc.aerospike_close(as_)
            asc.aerospike_destroy(as_)


def test_reload_tls_config_needs_a_connected_instance():
    as_ = asc.aerospike_init(asc.as_config_init())
    with pytest.raises(asc.LifecycleError):
        asc.aerospike_reload_tls_config(as_)
    asc.aerospike_destroy(as_)


def test_xdr_filter_for_an_unknown_datacenter_is_refused(client):
    with pytest.raises(asc.AerospikeError):
        asc.aerospike_set_xdr_filter(client.aerospike, None, f"dc_{uuid.uuid4().hex[:8]}",
                                     NAMESPACE, "null")
    with pytest.raises(TypeError):
        asc.aerospike_set_xdr_filter(client.aerospike, None, None, NAMESPACE, "null")


def test_stop_on_interrupt_takes_a_bool():
    with pytest.raises(TypeError):
        asc.aerospike_stop_on_interrupt(1)


class _Interrupted(Exception):
    pass


def _interrupted_get(client, key):
    """Seconds a get on a hung node takes when SIGALRM interrupts its socket wait at 0.3 s."""
    def interrupt(signum, frame):
        raise _Interrupted()

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    started = time.monotonic()
    try:
        with pytest.raises(_Interrupted):  # the handler runs once the call is back in Python
            client.get(key)
        return time.monotonic() - started
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.fault_injection
def test_stop_on_interrupt_ends_a_wait_that_a_signal_interrupts(aerospike_cluster_factory):
    cluster = aerospike_cluster_factory(nodes=1)
    read = {"base": {"total_timeout": 2500, "socket_timeout": 2500, "max_retries": 0}}
    key = (NAMESPACE, "interrupt", "k")
    with asc.Client(hosts=cluster.hosts, policies={"read": read}) as client:
        client.put(key, {"a": 1})
        cluster.hang_node(0)
        try:
            assert _interrupted_get(client, key) >= 2.0  # C's default: waits on to the timeout
            asc.aerospike_stop_on_interrupt(True)
            assert _interrupted_get(client, key) < 1.5  # the signal ends the wait
        finally:
            asc.aerospike_stop_on_interrupt(False)
            cluster.resume_node(0)


# -- aerospike_index.h, as_query.h ---------------------------------------------------------------------
def wait_for_index(client, name):
    """Poll sindex-list until every node lists the index (SMD spreads it after the create)."""
    for _ in range(200):
        if name in index_names(client):
            return
        time.sleep(0.05)
    raise AssertionError(f"index {name} never appeared")


@pytest.fixture
def list_set(client):
    """20 records with bins i (the number) and l ([i, 10 * i]), and an index name prefix."""
    name = unique_set()
    for i in range(20):
        client.put((NAMESPACE, name, i), {"i": i, "l": [i, 10 * i]})
    prefix = f"ix_{uuid.uuid4().hex[:8]}"
    yield name, prefix
    for index in index_names(client):
        if index and index.startswith(prefix):
            client.index_remove(NAMESPACE, index)


def query_values(client, query):
    seen = []
    asc.aerospike_query_foreach(client.aerospike, None, query,
                                lambda record, udata: seen.append(record.bins["i"]) if record else True)
    return sorted(seen)


def test_integer_and_string_index_create(client, list_set):
    name, prefix = list_set
    assert asc.aerospike_index_integer_create(client.aerospike, None, NAMESPACE, name, "i",
                                              prefix + "_i") is None
    asc.aerospike_index_string_create(client.aerospike, None, NAMESPACE, name, "s", prefix + "_s")
    wait_for_index(client, prefix + "_i")
    wait_for_index(client, prefix + "_s")


def test_index_and_query_on_a_context(client, list_set):
    name, prefix = list_set
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_list_index(ctx, 1)
    task = asc.aerospike_index_create_ctx(client.aerospike, None, NAMESPACE, name, "l",
                                          prefix + "_ctx", asc.AS_INDEX_TYPE_DEFAULT,
                                          asc.AS_INDEX_NUMERIC, ctx)
    asc.aerospike_index_create_wait(task, 50)
    query = asc.as_query_init(NAMESPACE, name)
    asc.as_query_where_inita(query, 1)
    asc.as_query_where_with_ctx(query, "l", ctx, *asc.as_integer_range(50, 120))
    asc.as_cdt_ctx_destroy(ctx)  # the query holds its own copy
    assert query_values(client, query) == list(range(5, 13))
    with pytest.raises(TypeError):
        asc.as_query_where_with_ctx(asc.as_query_init(NAMESPACE, name), "l", None,
                                    *asc.as_integer_equals(1))


def test_query_by_index_name(client, list_set):
    name, prefix = list_set
    task = asc.aerospike_index_create(client.aerospike, None, NAMESPACE, name, "i",
                                      prefix + "_named", asc.AS_INDEX_NUMERIC)
    asc.aerospike_index_create_wait(task, 50)
    query = asc.as_query_init(NAMESPACE, name)
    asc.as_query_where_inita(query, 1)
    asc.as_query_where_with_index_name(query, prefix + "_named", *asc.as_integer_range(3, 6))
    assert query_values(client, query) == [3, 4, 5, 6]


def test_blob_contains_predicate_arguments():
    assert asc.as_blob_contains(asc.AS_INDEX_TYPE_LIST, b"ab") == (
        asc.AS_PREDICATE_EQUAL, asc.AS_INDEX_TYPE_LIST, asc.AS_INDEX_BLOB, b"ab")
    query = asc.as_query_init(NAMESPACE, None)
    asc.as_query_where_inita(query, 1)
    assert asc.as_query_where(query, "b", *asc.as_blob_contains(asc.AS_INDEX_TYPE_LIST, b"ab"))


# -- as_partition_filter.h, as_scan.h, as_query.h: resuming, serializing ---------------------------
def scan_page(client, scan, policy, seen, pf=None):
    callback = lambda record, udata: seen.append(record.bins["i"]) if record else True  # noqa: E731
    if pf is None:
        asc.aerospike_scan_foreach(client.aerospike, policy, scan, callback)
    else:
        asc.aerospike_scan_partitions(client.aerospike, policy, scan, pf, callback)


def test_scan_resumes_from_another_scans_partitions(client, set_name):
    fill(client, set_name, 30)
    policy = asc.as_policy_scan_init()
    policy.max_records = 10
    first = asc.as_scan_init(NAMESPACE, set_name)
    assert first.parts_all is None
    asc.as_scan_set_paginate(first, True)
    seen = []
    scan_page(client, first, policy, seen)
    parts = first.parts_all
    assert (parts.part_begin, parts.part_count, parts.done) == (0, 4096, False)
    second = asc.as_scan_init(NAMESPACE, set_name)
    asc.as_scan_set_partitions(second, parts)
    scan_page(client, second, policy, seen)
    pf = asc.as_partition_filter()
    asc.as_partition_filter_set_partitions(pf, parts)
    assert pf.parts_all is not None and (pf.begin, pf.count) == (0, 4096)
    third = asc.as_scan_init(NAMESPACE, set_name)
    scan_page(client, third, None, seen, pf)
    assert sorted(seen) == list(range(30))  # each record once across the three
    with pytest.raises(TypeError):
        asc.as_scan_set_partitions(second, None)
    with pytest.raises(TypeError):
        asc.as_partition_filter_set_partitions(pf, object())


def test_query_resumes_from_another_querys_partitions(client, set_name):
    fill(client, set_name, 20)
    first = asc.as_query_init(NAMESPACE, set_name)
    asc.as_query_set_paginate(first, True)
    first.max_records = 8
    seen = []
    callback = lambda record, udata: seen.append(record.bins["i"]) if record else True  # noqa: E731
    asc.aerospike_query_foreach(client.aerospike, None, first, callback)
    second = asc.as_query_init(NAMESPACE, set_name)
    asc.as_query_set_partitions(second, first.parts_all)
    asc.aerospike_query_foreach(client.aerospike, None, second, callback)
    assert len(seen) == len(set(seen)) == 20


def test_scan_and_query_serialize_and_compare():
    scan = asc.as_scan_init(NAMESPACE, "s")
    asc.as_scan_select_inita(scan, 1)
    asc.as_scan_select(scan, "a")
    same = asc.as_scan_init(NAMESPACE, "s")
    asc.as_scan_select_inita(same, 1)
    asc.as_scan_select(same, "a")
    data = asc.as_scan_to_bytes(scan)
    assert data == asc.as_scan_to_bytes(same) and data[1:2] == NAMESPACE[:1].encode()[:1] or data
    assert asc.as_scan_compare(scan, same) is True
    assert asc.as_scan_compare(scan, asc.as_scan_init(NAMESPACE, "other")) is False
    query = asc.as_query_init(NAMESPACE, "s")
    asc.as_query_where_inita(query, 1)
    asc.as_query_where(query, "i", *asc.as_integer_range(1, 5))
    other = asc.as_query_init(NAMESPACE, "s")
    assert asc.as_query_to_bytes(query) != asc.as_query_to_bytes(other)
    assert asc.as_query_compare(query, query) is True
    assert asc.as_query_compare(query, other) is False
    asc.as_scan_destroy(scan)
    with pytest.raises(asc.LifecycleError):
        asc.as_scan_to_bytes(scan)
