"""Cluster events: as_config_set_cluster_event_callback (C-faithful), the event_callback field,
and the SDK Cluster's listeners; delivered on the tend thread, exception-safe."""
from __future__ import annotations

import sys
import threading
from typing import List

import pytest

import aerospike_c as asc
from aerospike_c.sdk import ClusterDefinition
from connection_helpers import TEND_INTERVAL_MS, wait_until

ADD = asc.AS_CLUSTER_ADD_NODE
REMOVE = asc.AS_CLUSTER_REMOVE_NODE
DISCONNECTED = asc.AS_CLUSTER_DISCONNECTED


def fast_config(hosts) -> "asc.as_config":
    config = asc.as_config_init()
    for host, port in hosts:
        asc.as_config_add_host(config, host, port)
    config.tender_interval = TEND_INTERVAL_MS
    config.conn_timeout_ms = 500
    return config


def connected(config) -> "asc.aerospike":
    instance = asc.aerospike_init(config)
    try:
        asc.aerospike_connect(instance)
    except BaseException:
        asc.aerospike_destroy(instance)
        raise
    return instance


def close(instance) -> None:
    asc.aerospike_close(instance)
    asc.aerospike_destroy(instance)


def test_connect_reports_each_discovered_node_once_with_the_udata(aerospike_hosts):
    events: List[asc.as_cluster_event] = []
    token = object()
    config = fast_config(aerospike_hosts[:1])

    def on_event(event):
        events.append(event)

    asc.as_config_set_cluster_event_callback(config, on_event, token)
    assert config.event_callback is on_event
    assert config.event_callback_udata is token
    instance = connected(config)
    try:
        names = asc.as_cluster_get_node_names(instance)
        assert wait_until(lambda: len(events) >= len(names))
        assert sorted(e.node_name for e in events) == sorted(names)
        for event in events:
            assert event.type == ADD and event.type.name == "AS_CLUSTER_ADD_NODE"
            assert event.udata is token
            host, _, port = event.node_address.rpartition(":")
            assert host and port.isdigit()
        assert instance.config.event_callback is on_event  # the instance owns it now
    finally:
        close(instance)


def test_removed_callback_reports_nothing(aerospike_hosts):
    events: List[asc.as_cluster_event] = []
    config = fast_config(aerospike_hosts[:1])
    config.event_callback = events.append
    assert config.event_callback is not None
    config.event_callback = None
    assert config.event_callback is None and config.event_callback_udata is None
    instance = connected(config)
    try:
        assert asc.as_cluster_get_node_names(instance)
    finally:
        close(instance)
    assert events == []


def test_callback_must_be_callable():
    config = asc.as_config_init()
    with pytest.raises(TypeError):
        asc.as_config_set_cluster_event_callback(config, "not callable", None)
    with pytest.raises(TypeError):
        config.event_callback = 42


def test_config_and_client_take_the_callback_as_a_field(aerospike_hosts):
    events: List[asc.as_cluster_event] = []
    config = asc.Config(aerospike_hosts[:1], tender_interval=TEND_INTERVAL_MS,
                        event_callback=events.append)
    with asc.Client(config) as client:
        names = client.node_names()
        assert wait_until(lambda: len(events) >= len(names))
        assert sorted(e.node_name for e in events) == sorted(names)
    # A Config is reusable: a second client gets its own events.
    events.clear()
    with asc.Client(config) as client:
        assert wait_until(lambda: len(events) >= len(client.node_names()))


def test_a_raising_callback_is_reported_and_events_keep_coming(aerospike_hosts, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    delivered = []

    def broken(event):
        delivered.append(event)
        raise RuntimeError(f"listener bug on {event.node_name}")

    config = fast_config(aerospike_hosts[:1])
    asc.as_config_set_cluster_event_callback(config, broken)
    instance = connected(config)
    try:
        names = asc.as_cluster_get_node_names(instance)
        assert wait_until(lambda: len(reported) >= len(names))
        assert asc.aerospike_cluster_is_connected(instance)
    finally:
        close(instance)
    assert len(delivered) == len(names)
    assert all(isinstance(r.exc_value, RuntimeError) for r in reported)


def test_sdk_listeners_each_get_every_event_even_when_one_raises(aerospike_hosts, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    first: List[asc.as_cluster_event] = []

    def broken(event):
        raise ValueError("bad listener")

    definition = ClusterDefinition(hosts=aerospike_hosts[:1], tender_interval=TEND_INTERVAL_MS,
                                   on_cluster_event=broken)
    with definition.connect() as cluster:
        names = cluster.node_names()
        cluster.add_event_listener(first.append)
        recent = cluster.recent_events()
        assert sorted(e.node_name for e in recent) == sorted(names)
        assert all(e.type == ADD for e in recent)
        assert len(reported) == len(names)
        assert all(isinstance(r.exc_value, ValueError) for r in reported)
        cluster.remove_event_listener(first.append)
        with pytest.raises(ValueError):
            cluster.remove_event_listener(first.append)


@pytest.mark.fault_injection
def test_node_removal_readdition_and_disconnection_arrive_on_the_tend_thread(
        aerospike_cluster_factory):
    embedded = aerospike_cluster_factory(nodes=3)
    events: List[asc.as_cluster_event] = []
    threads = []

    def on_event(event):
        events.append(event)
        threads.append(threading.get_ident())

    definition = ClusterDefinition(embedded.seed, tender_interval=TEND_INTERVAL_MS,
                                   conn_timeout_ms=300, on_cluster_event=on_event)
    with definition.connect() as cluster:
        assert [e.type for e in events] == [ADD] * 3
        victim = embedded.node(1)
        embedded.kill_node(1)
        assert wait_until(lambda: len(events) >= 4)
        assert (events[3].type, events[3].node_name) == (REMOVE, victim.name)
        assert events[3].node_address.endswith(f":{victim.port}")
        assert threads[3] != threading.get_ident()  # the tender, not this thread

        embedded.restart_node(1)
        assert wait_until(lambda: len(events) >= 5)
        assert (events[4].type, events[4].node_name) == (ADD, victim.name)

        for index in range(3):
            embedded.kill_node(index)
        assert wait_until(lambda: any(e.type == DISCONNECTED for e in events))
        assert wait_until(lambda: not cluster.is_connected(), 2.0)
        removed = [e.node_name for e in events[5:] if e.type == REMOVE]
        assert sorted(removed) == sorted(embedded.node_names)
        last = events[-1]
        assert (last.type, last.node_name, last.node_address) == (DISCONNECTED, "", "")
        assert cluster.recent_events() == events
