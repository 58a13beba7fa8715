"""as_metrics: the C client's own metrics files, enabled and disabled from Python."""
from __future__ import annotations

import time

import pytest

import aerospike_c as asc


def test_policy_has_the_c_defaults_and_checked_fields():
    policy = asc.as_metrics_policy_init()
    assert (policy.report_dir, policy.interval, policy.latency_columns, policy.latency_shift,
            policy.enable) == (".", 30, 7, 1, False)
    with pytest.raises(ValueError, match="report_dir"):
        policy.report_dir = "x" * 300
    with pytest.raises(TypeError, match="interval"):
        policy.interval = "30"


def test_enabled_metrics_write_a_file_that_names_the_nodes(aerospike_hosts, tmp_path):
    client = asc.Client(hosts=list(aerospike_hosts), tender_interval=250)
    with client:
        names = client.node_names()
        policy = asc.as_metrics_policy_init()
        policy.report_dir = str(tmp_path)
        policy.interval = 1
        asc.aerospike_enable_metrics(client.aerospike, policy)
        client.info("namespaces")
        deadline = time.monotonic() + 10
        text = ""
        while time.monotonic() < deadline and not any(n in text for n in names):
            time.sleep(0.25)
            text = "".join(p.read_text() for p in tmp_path.glob("*.log"))
        asc.aerospike_disable_metrics(client.aerospike)
    assert list(tmp_path.glob("metrics-*.log")), "no metrics file was written"
    assert any(name in text for name in names)


def test_metrics_need_a_connected_instance():
    instance = asc.aerospike_init(asc.as_config_init())
    with pytest.raises(asc.LifecycleError):
        asc.aerospike_enable_metrics(instance, asc.as_metrics_policy_init())
    with pytest.raises(TypeError):
        asc.aerospike_enable_metrics(instance, {"interval": 1})
    asc.aerospike_destroy(instance)


def test_the_instances_own_metrics_policy_is_taken(aerospike_hosts, tmp_path):
    """The module doc says the functions take the instance's `config.policies.metrics`; a
    view of it was refused with TypeError ("not CStruct")."""
    client = asc.Client(hosts=list(aerospike_hosts))
    with client:
        policy = client.aerospike.config.policies.metrics
        policy.report_dir = str(tmp_path)
        asc.aerospike_enable_metrics(client.aerospike, policy)
        asc.aerospike_disable_metrics(client.aerospike)
        with pytest.raises(TypeError, match="as_metrics_policy"):
            asc.aerospike_enable_metrics(client.aerospike, client.aerospike.config.policies.write)
    assert list(tmp_path.glob("metrics-*.log"))
