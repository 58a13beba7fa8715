"""UDF modules: aerospike_udf_put/_wait/_remove/_list/_get and Client.udf_*."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import uuid

import pytest

import aerospike_c as asc
from aerospike_c._queries import BatchApply
from aerospike_c.testing.pytest_plugin import real_cluster_hosts
from multi_record_fixtures import NAMESPACE, client, fill, unique_set  # noqa: F401 - fixtures

SOURCE = b"""
function add_bin(rec, name, value)
    rec[name] = value
    aerospike:update(rec)
    return value
end
"""


@pytest.fixture
def module(client):
    name = f"m_{uuid.uuid4().hex[:12]}.lua"
    yield name
    if name in {f.name for f in client.udf_list()}:
        client.udf_remove(name)


def listed_hash(name: str, content: bytes) -> str:
    """The `hash=` a server lists in udf-list: the SHA-1 (hex) of the module's stored metadata,
    the JSON object {"content64": <base64 of the content>, "type": "LUA", "name": <name>} as
    the server's JSON encoder writes it; udf-get's hash (the C client's) is of the content."""
    metadata = json.dumps({"content64": base64.b64encode(content).decode(), "type": "LUA",
                           "name": name})
    return hashlib.sha1(metadata.encode()).hexdigest()


def run_bounded(target, *args, timeout=30.0):
    """Run a C wait function (which has no time limit of its own) under a test deadline."""
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(target(*args)), daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{target.__name__} did not return within {timeout} s"
    return outcome


def test_put_wait_list_get_remove(client, module):
    as_ = client.aerospike
    asc.aerospike_udf_put(as_, None, module, asc.AS_UDF_TYPE_LUA, SOURCE)
    run_bounded(asc.aerospike_udf_put_wait, as_, None, module, 20)

    listed = {f.name: f for f in asc.aerospike_udf_list(as_, None)}
    assert re.fullmatch("[0-9a-f]{40}", listed[module].hash)
    if real_cluster_hosts() is None:
        # Only the embedded server's hash is pinned: a real server's udf_cask.c (the 2020 one,
        # at least) hex-prints hash[i], i the module's place in the list, twenty times over
        # instead of the SHA-1's bytes, so its value depends on the other modules registered.
        assert listed[module].hash == listed_hash(module, SOURCE)
    assert listed[module].type == asc.AS_UDF_TYPE_LUA

    fetched = asc.aerospike_udf_get(as_, None, module, asc.AS_UDF_TYPE_LUA)
    assert (fetched.name, fetched.content) == (module, SOURCE)
    assert fetched.hash == hashlib.sha1(SOURCE).hexdigest()

    asc.aerospike_udf_remove(as_, None, module)
    run_bounded(asc.aerospike_udf_remove_wait, as_, None, module, 20)
    assert module not in {f.name for f in asc.aerospike_udf_list(as_, None)}


def test_put_wait_of_a_path_returns_once_its_base_name_is_listed(client, module, tmp_path):
    """aerospike_udf_put registers the base name of a path; C's put_wait looked for
    "filename=<the path>", which no node lists, and so never returned."""
    as_ = client.aerospike
    path = str(tmp_path / module)
    asc.aerospike_udf_put(as_, None, path, asc.AS_UDF_TYPE_LUA, SOURCE)
    run_bounded(asc.aerospike_udf_put_wait, as_, None, path, 20)
    assert module in {f.name for f in asc.aerospike_udf_list(as_, None)}
    asc.aerospike_udf_remove(as_, None, path)
    run_bounded(asc.aerospike_udf_remove_wait, as_, None, path, 20)
    assert module not in {f.name for f in asc.aerospike_udf_list(as_, None)}


def test_put_wait_for_a_module_never_registered_stops_on_ctrl_c(aerospike_hosts):
    """It waits for good, as in C; but C's loop ran with the GIL released, so Ctrl-C could not
    stop it: only SIGKILL ended the process. Run in a child interpreter with a deadline."""
    from probe_helpers import run_probe

    lines = run_probe('''
        import _thread, threading
        client = Client(Config(HOSTS)).connect()
        threading.Timer(0.5, _thread.interrupt_main).start()
        try:
            asc.aerospike_udf_put_wait(client.aerospike, None, "never_registered.lua", 20)
        except KeyboardInterrupt:
            print("interrupted")
        client.close()
    ''', hosts=aerospike_hosts, timeout=30)
    assert lines == ["interrupted"], lines

def test_client_udf_methods(client, module, tmp_path):
    path = tmp_path / module
    path.write_bytes(SOURCE)
    client.udf_put(str(path))  # named after the file's base name
    assert client.udf_get(module) == SOURCE
    assert module in {f.name for f in client.udf_list()}
    client.udf_remove(module)
    assert module not in {f.name for f in client.udf_list()}


def test_get_of_a_missing_module_raises_udf_error(client, module):
    with pytest.raises(asc.UDFError) as raised:
        asc.aerospike_udf_get(client.aerospike, None, module, asc.AS_UDF_TYPE_LUA)
    error = raised.value
    assert error.code == asc.AEROSPIKE_ERR_UDF and error.message
    assert error.file.endswith("as_info.c") and error.line > 0


def test_remove_of_a_missing_module_succeeds(client, module):
    """udf-remove deletes the module's metadata whether or not it exists and answers `ok`."""
    asc.aerospike_udf_remove(client.aerospike, None, module)
    assert module not in {f.name for f in client.udf_list()}


def test_arguments_are_checked(client, module):
    as_ = client.aerospike
    with pytest.raises(TypeError):
        asc.aerospike_udf_put(as_, None, module, asc.AS_UDF_TYPE_LUA, SOURCE.decode())
    with pytest.raises(ValueError):
        asc.aerospike_udf_put(as_, None, module, 7, SOURCE)
    with pytest.raises(TypeError):
        asc.aerospike_udf_get(as_, None, None, asc.AS_UDF_TYPE_LUA)


def test_a_module_name_with_an_info_delimiter_is_refused(client, module):
    """C writes the file name into "udf-put:filename=..;content=..": a ';' would end it there."""
    with pytest.raises(ValueError, match="info command"):
        client.udf_put(module[:-4] + ";x.lua", SOURCE)
    with pytest.raises(ValueError, match="info command"):
        client.udf_remove(module + ";x")
    assert not any(f.name.startswith(module[:-4]) for f in client.udf_list())


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), -1, "30"])
def test_a_wait_timeout_that_never_ends_is_refused_before_registering(client, module, timeout):
    """A NaN deadline is never reached: the wait polled for good when the module did not show."""
    with pytest.raises((TypeError, ValueError), match="timeout"):
        client.udf_put(module, SOURCE, timeout=timeout)
    with pytest.raises((TypeError, ValueError), match="timeout"):
        client.udf_remove(module, timeout=timeout)
    assert module not in {f.name for f in client.udf_list()}


def test_registered_udf_runs_in_batch_apply_and_background_scan(client, module):
    set_name = unique_set()
    fill(client, set_name, 4)
    client.udf_put(module, SOURCE)
    name = module[:-len(".lua")]
    keys = [(NAMESPACE, set_name, i) for i in range(4)]
    results = client.batch_records([BatchApply(key, name, "add_bin", ["added", 5]) for key in keys])
    assert [r.result for r in results] == [asc.AEROSPIKE_OK] * 4
    assert all(r.record.bins == {"SUCCESS": 5} for r in results)
    client.scan_background(NAMESPACE, set_name, udf=(name, "add_bin", ["bg", 6]))
    assert [r.bins.get("bg") for r in client.batch_get(keys)] == [6] * 4


def test_a_background_udf_on_a_set_never_written_is_done_with_nothing(client, module):
    """udf_bg_query_job_start (query.c): NOT_FOUND for a set the namespace never had, which
    the client takes as the job done; the UDF never runs, so no record appears."""
    client.udf_put(module, SOURCE)
    name = unique_set()
    job = client.scan_background(NAMESPACE, name, udf=(module[:-len(".lua")], "add_bin", ["bg", 6]))
    info = client.job_info("scan", job)
    assert info.status == asc.AS_JOB_STATUS_COMPLETED and info.records_read == 0
    assert list(client.scan(NAMESPACE, name)) == []
