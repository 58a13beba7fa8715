"""Helpers for the cluster tests: raw-socket requests, replicas decoding, a stand-in store."""

from __future__ import annotations

import base64
import datetime
import shutil
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from aerospike_c.testing import request_info
from aerospike_c.testing.server.security import (
    build_admin_response,
    client_password_hash,
    parse_admin_request,
)
from aerospike_c.testing.server.wire import TYPE_ADMIN, frame, read_frame

N_PARTITIONS = 4096
AS_MSG_HEADER = struct.Struct(">BBBBBBIIIHH")


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Poll `predicate` until it is true or `timeout` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


#: For a test that starts a cluster with security on and users of its own: a real cluster
#: (AEROSPIKE_HOSTS) has neither, so the test skips there.
OWN_SECURE_CLUSTER = pytest.mark.fault_injection(reason="needs a cluster of its own with "
                                                        "security on and its own users")


def require_bcrypt() -> None:
    """Skip the calling test when this Python can compute no bcrypt hash (logins need one)."""
    try:
        client_password_hash("probe")
    except RuntimeError as exc:
        pytest.skip(str(exc))


def connect(address: Tuple[str, int], timeout: float = 5.0) -> socket.socket:
    """A plain TCP connection with a timeout."""
    return socket.create_connection(address, timeout=timeout)


def read_reply(sock: socket.socket, timeout: float = 5.0) -> Tuple[int, bytes]:
    """Read one reply frame: (type, payload)."""
    deadline = time.monotonic() + timeout
    return read_frame(sock, lambda: time.monotonic() > deadline)


def peer_closed(sock: socket.socket, timeout: float = 5.0) -> str:
    """Wait for the server to close `sock`: 'eof', 'reset', or 'open' if it did not."""
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return "eof"
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        return "open"


def admin_request(command: int, fields: List[Tuple[int, bytes]]) -> bytes:
    """A complete admin (type 2) request frame."""
    payload = bytearray(build_admin_response(0, fields))
    payload[2] = command
    return frame(TYPE_ADMIN, bytes(payload))


def admin_call(sock: socket.socket, command: int,
               fields: List[Tuple[int, bytes]]) -> Tuple[int, Dict[int, bytes]]:
    """Send an admin request; return (result code, {field id: data}) of the reply."""
    sock.sendall(admin_request(command, fields))
    frame_type, payload = read_reply(sock)
    assert frame_type == TYPE_ADMIN
    _, reply_fields = parse_admin_request(payload)
    return payload[1], reply_fields


def as_msg_read(namespace: str, digest: bytes) -> bytes:
    """An AS_MSG payload reading all bins of the record with `digest` (no proto header)."""
    fields = b""
    for field_type, data in ((0, namespace.encode()), (4, digest)):
        fields += struct.pack(">IB", len(data) + 1, field_type) + data
    info1_read_all = 0x01 | 0x02
    header = AS_MSG_HEADER.pack(22, info1_read_all, 0, 0, 0, 0, 0, 0, 1000, 2, 0)
    return header + fields


def as_msg_result_code(payload: bytes) -> int:
    """The result code of an AS_MSG reply payload."""
    return AS_MSG_HEADER.unpack_from(payload)[5]


def decode_replicas(value: str) -> Dict[str, Tuple[int, List[bytes]]]:
    """Parse a `replicas` value into {namespace: (replica count, [bitmap per replica])}."""
    result = {}
    for part in filter(None, value.split(";")):
        namespace, _, rest = part.partition(":")
        regime_and_count = rest.split(",")
        count = int(regime_and_count[1])
        bitmaps = [base64.b64decode(item) for item in regime_and_count[2:]]
        result[namespace] = (count, bitmaps)
    return result


def owned_partitions(bitmap: bytes) -> List[int]:
    """Partition ids whose bit is set in an ownership bitmap."""
    return [pid for pid in range(N_PARTITIONS) if bitmap[pid >> 3] & (0x80 >> (pid & 7))]


def parse_host(item: str, default_port: int) -> Tuple[str, int]:
    """Parse `host`, `host:port`, `[v6]` or `[v6]:port`."""
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if item.count(":") == 1:
        host, _, port = item.partition(":")
        return host, int(port)
    return item, default_port


def parse_peers(value: str) -> Tuple[int, List[Tuple[str, str, List[Tuple[str, int]]]]]:
    """Parse a peers value `gen,port,[[name,tls,[host:port,...]],...]`."""
    generation, default_port_text, body = value.split(",", 2)
    default_port = int(default_port_text) if default_port_text else 3000
    assert body.startswith("[") and body.endswith("]"), value
    body = body[1:-1]
    peers = []
    while body:
        assert body.startswith("["), value
        name, tls_name, rest = body[1:].split(",", 2)
        assert rest.startswith("["), value
        hosts_text, _, body = rest[1:].partition("]]")
        body = body[1:] if body.startswith(",") else body
        hosts = [parse_host(item, default_port) for item in hosts_text.split(",") if item]
        peers.append((name, tls_name, hosts))
    return int(generation), peers


def discover(seed: Tuple[str, int]) -> Dict[str, Tuple[str, int]]:
    """{node name: address} for the seed and every peer it lists."""
    values = request_info(seed, "node", "peers-clear-std")
    nodes = {values["node"]: seed}
    _, peers = parse_peers(values["peers-clear-std"])
    for name, _, hosts in peers:
        nodes[name] = hosts[0]
    return nodes


class StubStore:
    """Records message payloads and answers each with a fixed reply (for framing tests)."""

    def __init__(self, reply: bytes = AS_MSG_HEADER.pack(22, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0),
                 replies: int = 1) -> None:
        self.reply = reply
        self.replies = replies
        self.messages: List[bytes] = []
        self.nodes: List[str] = []
        self._lock = threading.Lock()

    def handle_message(self, payload: bytes, node: object, access: object = None) -> Iterator[bytes]:
        with self._lock:
            self.messages.append(payload)
            self.nodes.append(getattr(node, "name"))
        for _ in range(self.replies):
            yield self.reply

    def info(self, command: str, node: object) -> Optional[str]:
        return "stub-namespace" if command == "namespaces" else None


#: For a test that starts a TLS cluster with self_signed_certificate(): a real cluster
#: (AEROSPIKE_HOSTS) has no certificate of the test's, so the test skips there.
OWN_TLS_CLUSTER = pytest.mark.fault_injection(reason="needs a TLS cluster with a certificate "
                                                     "of its own")


def self_signed_certificate(directory: Path, name: str = "localhost") -> Tuple[str, str]:
    """Write a throwaway self-signed certificate for `name` (and 127.0.0.1); return (cert, key).

    Uses the `cryptography` package, else the openssl command line.
    """
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            raise RuntimeError("need the cryptography package or openssl to make a certificate")
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2", "-subj", f"/CN={name}", "-addext",
             f"subjectAltName=DNS:{name},IP:127.0.0.1", "-keyout", str(key_path),
             "-out", str(cert_path)], check=True, capture_output=True, timeout=60)
        return str(cert_path), str(key_path)
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(cert_path), str(key_path)

