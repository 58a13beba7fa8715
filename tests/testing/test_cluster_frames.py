"""Bad frames close the connection cleanly and never take the node down; compressed
(type 4) messages are unpacked for the store and answered compressed."""

from __future__ import annotations

import os
import struct
import threading

import pytest
from cluster_helpers import (
    StubStore,
    as_msg_read,
    as_msg_result_code,
    connect,
    peer_closed,
    read_reply,
)

from aerospike_c.testing import EmbeddedCluster, request_info
from aerospike_c.testing.server.wire import (
    TYPE_COMPRESSED,
    TYPE_INFO,
    TYPE_MESSAGE,
    compress_message,
    decompress_message,
    frame,
    pack_header,
)

#: The frame tests hand messages to a store of their own (StubStore), in the embedded server.
STUB_STORE = pytest.mark.fault_injection(reason="tests the embedded server's framing, with a "
                                                "store of its own")


def _header(version: int, frame_type: int, size: int) -> bytes:
    return struct.pack(">Q", (version << 56) | (frame_type << 48) | size)


BAD_FRAMES = {
    "garbage": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "wrong version": _header(1, TYPE_INFO, 5) + b"node\n",
    "unknown type": _header(2, 9, 5) + b"node\n",
    "oversize info": _header(2, TYPE_INFO, 1 << 40),
    "oversize message": _header(2, TYPE_MESSAGE, (1 << 48) - 1),
}


@pytest.mark.parametrize("name", sorted(BAD_FRAMES))
def test_bad_frame_closes_the_connection_and_the_node_keeps_serving(aerospike_hosts, name):
    address = aerospike_hosts[0]
    with connect(address) as sock:
        sock.sendall(BAD_FRAMES[name])
        assert peer_closed(sock) in ("eof", "reset")
    assert request_info(address, "node")["node"]


def test_truncated_message_then_hangup_leaves_the_node_serving(aerospike_hosts):
    address = aerospike_hosts[0]
    with connect(address) as sock:
        sock.sendall(pack_header(TYPE_INFO, 100) + b"node\n")
    with connect(address) as sock:
        sock.sendall(pack_header(TYPE_MESSAGE, 1000) + os.urandom(10))
    assert request_info(address, "node")["node"]


def test_many_concurrent_bad_connections(aerospike_hosts):
    address = aerospike_hosts[0]
    outcomes = []

    def attack() -> None:
        with connect(address) as sock:
            sock.sendall(os.urandom(64))
            outcomes.append(peer_closed(sock))

    threads = [threading.Thread(target=attack) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert len(outcomes) == 30 and "open" not in outcomes
    assert request_info(address, "node")["node"]


def test_info_requests_are_answered_on_a_kept_open_connection(aerospike_hosts):
    with connect(aerospike_hosts[0]) as sock:
        for _ in range(3):
            sock.sendall(frame(TYPE_INFO, b"node\nstatus\n"))
            frame_type, payload = read_reply(sock)
            assert frame_type == TYPE_INFO
            lines = payload.decode().splitlines()
            assert [line.split("\t")[0] for line in lines] == ["node", "status"]


@pytest.fixture
def stub_cluster():
    store = StubStore(replies=2)
    with EmbeddedCluster(nodes=1, store=store) as cluster:
        yield cluster, store


@STUB_STORE
def test_message_is_handed_to_the_store_and_each_reply_framed(stub_cluster):
    cluster, store = stub_cluster
    request = as_msg_read("test", bytes(20))
    with connect(cluster.seed) as sock:
        sock.sendall(frame(TYPE_MESSAGE, request))
        replies = [read_reply(sock), read_reply(sock)]
    assert store.messages == [request]
    assert store.nodes == [cluster.node(0).name]
    assert replies == [(TYPE_MESSAGE, store.reply)] * 2


@STUB_STORE
def test_compressed_request_is_decompressed_and_answered_compressed(stub_cluster):
    cluster, store = stub_cluster
    request = as_msg_read("test", bytes(range(20)))
    with connect(cluster.seed) as sock:
        sock.sendall(compress_message(request))
        replies = [read_reply(sock), read_reply(sock)]
    assert store.messages == [request]
    for frame_type, payload in replies:
        assert frame_type == TYPE_COMPRESSED
        assert decompress_message(payload) == store.reply


@STUB_STORE
def test_corrupt_compressed_request_closes_only_that_connection(stub_cluster):
    cluster, store = stub_cluster
    with connect(cluster.seed) as sock:
        body = struct.pack(">Q", 64) + os.urandom(40)
        sock.sendall(frame(TYPE_COMPRESSED, body))
        assert peer_closed(sock) in ("eof", "reset")
    assert store.messages == []
    assert request_info(cluster.seed, "node")["node"] == cluster.node(0).name


@STUB_STORE
def test_store_error_closes_the_connection_not_the_node():
    class FailingStore(StubStore):
        def handle_message(self, payload, node, access=None):
            raise RuntimeError("store bug")

    with EmbeddedCluster(nodes=1, store=FailingStore()) as cluster:
        with connect(cluster.seed) as sock:
            sock.sendall(frame(TYPE_MESSAGE, as_msg_read("test", bytes(20))))
            assert peer_closed(sock) in ("eof", "reset")
        assert request_info(cluster.seed, "status")["status"] == "ok"


def test_read_of_a_missing_record_gets_a_reply(aerospike_hosts):
    """Sanity check of the message path through the real store: a random digest is absent."""
    with connect(aerospike_hosts[0]) as sock:
        sock.sendall(frame(TYPE_MESSAGE, as_msg_read("test", os.urandom(20))))
        frame_type, payload = read_reply(sock)
    assert frame_type in (TYPE_MESSAGE, TYPE_COMPRESSED)
    if frame_type == TYPE_COMPRESSED:
        payload = decompress_message(payload)
    assert as_msg_result_code(payload) == 2  # AEROSPIKE_ERR_RECORD_NOT_FOUND
