"""Test-side AS_MSG builder and response parser for the record store tests.

Written from the C client's wire layout (as_command.c / aerospike_batch.c / aerospike_scan.c),
independently of the store's own parser.
"""

from __future__ import annotations

import hashlib
import socket
import struct
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import msgpack

# field ids
NAMESPACE, SETNAME, KEY, DIGEST, TASK_ID, SOCKET_TIMEOUT = 0, 1, 2, 4, 7, 9
PID_ARRAY, DIGEST_ARRAY, MAX_RECORDS = 11, 12, 13
INDEX_NAME, INDEX_RANGE, INDEX_TYPE = 21, 22, 26
UDF_PACKAGE, UDF_FUNCTION, UDF_ARGLIST, UDF_OP = 30, 31, 32, 33
BATCH_INDEX, FILTER, TXN_ID = 41, 43, 5

# operation types
READ, WRITE, CDT_READ, CDT_MODIFY, INCR, APPEND, PREPEND, TOUCH, DELETE = 1, 2, 3, 4, 5, 9, 10, 11, 14
EXP_READ, BIT_MODIFY, STRING_MODIFY = 7, 13, 18

# particle types
P_NIL, P_INT, P_DOUBLE, P_STRING, P_BLOB, P_BOOL, P_MAP, P_LIST, P_GEO = 0, 1, 2, 3, 4, 17, 19, 20, 23

# header bits
I1_READ, I1_GET_ALL, I1_BATCH, I1_NOBINDATA = 1, 2, 8, 32
I2_WRITE, I2_DELETE, I2_GEN, I2_GEN_GT, I2_CREATE_ONLY, I2_RESPOND_ALL = 1, 2, 4, 8, 32, 128
I3_LAST, I3_PARTITION_DONE, I3_UPDATE_ONLY, I3_CREATE_OR_REPLACE, I3_REPLACE_ONLY = 1, 4, 8, 16, 32

CITRUSLEAF_EPOCH = 1262304000


class FakeNode:
    """NodeView for tests: owns the partitions `owns(pid)` says."""

    def __init__(self, name: str = "BB9000000000001", owns: Any = None) -> None:
        self.name = name
        self._owns = owns or (lambda pid: True)

    def owns_partition(self, namespace: str, partition_id: int) -> bool:
        return bool(self._owns(partition_id))


def digest_of(set_name: str, key: Any) -> bytes:
    """The C client's digest: RIPEMD-160 over set name, key type and key bytes."""
    ptype, data = user_key(key)
    h = hashlib.new("ripemd160")
    h.update(set_name.encode() + bytes([ptype]) + data)
    return h.digest()


def user_key(key: Any) -> Tuple[int, bytes]:
    if isinstance(key, int):
        return P_INT, struct.pack(">q", key)
    if isinstance(key, str):
        return P_STRING, key.encode()
    return P_BLOB, bytes(key)


def f(ftype: int, data: bytes) -> bytes:
    return struct.pack(">IB", len(data) + 1, ftype) + data


def op(op_type: int, name: str, ptype: int = P_NIL, data: bytes = b"") -> bytes:
    raw = name.encode()
    return struct.pack(">IBBBB", 4 + len(raw) + len(data), op_type, ptype, 0, len(raw)) + raw + data


#: Operation types that read (a write naming one must say INFO1_READ, as the C client does).
_READ_OP_TYPES = frozenset({READ, CDT_READ, EXP_READ, 12, 15, 17, 19})


def read_flag(ops: Sequence[bytes]) -> int:
    """I1_READ when one of the packed operations reads, else 0 (the C client's read_attr)."""
    return I1_READ if any(o[4] in _READ_OP_TYPES for o in ops) else 0


def value(v: Any) -> Tuple[int, bytes]:
    """(particle type, bytes) of a plain Python value, encoded by hand."""
    if v is None:
        return P_NIL, b""
    if isinstance(v, bool):
        return P_BOOL, bytes([v])
    if isinstance(v, int):
        return P_INT, struct.pack(">q", v)
    if isinstance(v, float):
        return P_DOUBLE, struct.pack(">d", v)
    if isinstance(v, str):
        return P_STRING, v.encode()
    if isinstance(v, bytes):
        return P_BLOB, v
    if isinstance(v, list):
        return P_LIST, mp(v)
    if isinstance(v, dict):
        return P_MAP, mp(v)
    raise TypeError(type(v))


def _wire(v: Any) -> Any:
    if isinstance(v, str):
        return b"\x03" + v.encode()
    if isinstance(v, bytes):
        return b"\x04" + v
    if isinstance(v, list):
        return [_wire(x) for x in v]
    if isinstance(v, dict):
        return {_wire(k): _wire(x) for k, x in v.items()}
    return v


def mp(v: Any) -> bytes:
    """Aerospike msgpack of a value (strings/blobs carry their particle type byte)."""
    return msgpack.packb(_wire(v), use_bin_type=False)


def ordered_map(pairs: Sequence[Tuple[Any, Any]], flags: int = 1) -> bytes:
    """A map particle with the ordered-map ext header (as_orderedmap in the C client)."""
    header = bytearray()
    count = len(pairs) + 1
    header += bytes([0x80 | count]) if count < 16 else b"\xde" + struct.pack(">H", count)
    header += b"\xc7\x00" + bytes([flags]) + b"\xc0"
    for k, v in pairs:
        header += mp(k) + mp(v)
    return bytes(header)


def write_op(name: str, v: Any) -> bytes:
    ptype, data = value(v)
    return op(WRITE, name, ptype, data)


def cdt_op(op_type: int, name: str, command: int, *args: Any, ctx: Optional[list] = None) -> bytes:
    payload = [command, *args]
    if ctx is not None:
        payload = [0xFF, ctx, payload]
    return op(op_type, name, P_BLOB, mp(payload))


def message(info1: int = 0, info2: int = 0, info3: int = 0, generation: int = 0, ttl: int = 0,
            fields: Iterable[bytes] = (), ops: Iterable[bytes] = (), info4: int = 0) -> bytes:
    fields = list(fields)
    ops = list(ops)
    header = struct.pack(">BBBBBBIIIHH", 22, info1, info2, info3, info4, 0, generation,
                         ttl & 0xFFFFFFFF, 1000, len(fields), len(ops))
    return header + b"".join(fields) + b"".join(ops)


def key_fields(ns: str, set_name: str, key: Any, send_key: bool = False) -> List[bytes]:
    out = [f(NAMESPACE, ns.encode()), f(SETNAME, set_name.encode()),
           f(DIGEST, digest_of(set_name, key))]
    if send_key:
        ptype, data = user_key(key)
        out.append(f(KEY, bytes([ptype]) + data))
    return out


@dataclass
class Response:
    code: int
    info3: int
    generation: int
    void_time: int
    index: int
    fields: Dict[int, bytes] = field(default_factory=dict)
    bins: List[Tuple[str, int, bytes]] = field(default_factory=list)

    def bin_values(self) -> Dict[str, Any]:
        return {name: decode(ptype, data) for name, ptype, data in self.bins}


def decode(ptype: int, data: bytes) -> Any:
    if ptype == P_NIL:
        return None
    if ptype == P_INT:
        return struct.unpack(">q", data)[0]
    if ptype == P_DOUBLE:
        return struct.unpack(">d", data)[0]
    if ptype == P_STRING:
        return data.decode()
    if ptype == P_BOOL:
        return data != b"\x00"
    if ptype in (P_LIST, P_MAP):
        return unwire(msgpack.unpackb(data, raw=True, strict_map_key=False))
    return data


def unwire(v: Any) -> Any:
    if isinstance(v, bytes):
        return v[1:].decode() if v[:1] == b"\x03" else v[1:]
    if isinstance(v, list):
        return [unwire(x) for x in v if not isinstance(x, msgpack.ExtType)]
    if isinstance(v, dict):
        return {unwire(k): unwire(x) for k, x in v.items() if not isinstance(k, msgpack.ExtType)}
    return v


def parse(payload: bytes) -> List[Response]:
    """All messages in one response payload."""
    out = []
    pos = 0
    while pos < len(payload):
        (_hsz, _i1, _i2, info3, _i4, code, gen, void_time, index, n_fields,
         n_ops) = struct.unpack_from(">BBBBBBIIIHH", payload, pos)
        pos += 22
        resp = Response(code, info3, gen, void_time, index)
        for _ in range(n_fields):
            size, ftype = struct.unpack_from(">IB", payload, pos)
            resp.fields[ftype] = payload[pos + 5:pos + 4 + size]
            pos += 4 + size
        for _ in range(n_ops):
            size, _op, ptype, _ver, name_len = struct.unpack_from(">IBBBB", payload, pos)
            name = payload[pos + 8:pos + 8 + name_len].decode()
            resp.bins.append((name, ptype, payload[pos + 8 + name_len:pos + 4 + size]))
            pos += 4 + size
        out.append(resp)
    return out


def run(store: Any, msg: bytes, node: Optional[FakeNode] = None) -> List[Response]:
    """Send one message; all response messages of all payloads."""
    out: List[Response] = []
    for payload in store.handle_message(msg, node or FakeNode()):
        out.extend(parse(payload))
    return out


def one(store: Any, msg: bytes, node: Optional[FakeNode] = None) -> Response:
    responses = run(store, msg, node)
    assert len(responses) == 1
    return responses[0]


def put(store: Any, key: Any, bins: Dict[str, Any], ns: str = "test", set_name: str = "demo",
        ttl: int = 0, send_key: bool = False, info2: int = 0, info3: int = 0,
        generation: int = 0) -> Response:
    return one(store, message(info2=I2_WRITE | info2, info3=info3, ttl=ttl,
                              generation=generation,
                              fields=key_fields(ns, set_name, key, send_key),
                              ops=[write_op(n, v) for n, v in bins.items()]))


def get(store: Any, key: Any, ns: str = "test", set_name: str = "demo",
        bins: Sequence[str] = ()) -> Response:
    if bins:
        return one(store, message(info1=I1_READ, fields=key_fields(ns, set_name, key),
                                  ops=[op(READ, b) for b in bins]))
    return one(store, message(info1=I1_READ | I1_GET_ALL, fields=key_fields(ns, set_name, key)))


def operate(store: Any, key: Any, ops: Sequence[bytes], write: bool = True, info2: int = 0,
            ns: str = "test", set_name: str = "demo") -> Response:
    return one(store, message(info1=read_flag(ops) if write else I1_READ,
                              info2=(I2_WRITE if write else 0) | info2,
                              fields=key_fields(ns, set_name, key), ops=ops))


def batch_row(index: int, digest: bytes, body: bytes) -> bytes:
    return struct.pack(">I", index) + digest + body


def batch_read_body(ns: str, set_name: str, info1: int = 0,
                    bin_names: Sequence[str] = ()) -> bytes:
    """New-protocol read row: INFO|TTL flags, attrs, ttl, fields, bin-name ops."""
    info1 = info1 or (I1_READ if bin_names else I1_READ | I1_GET_ALL)
    fields = [f(NAMESPACE, ns.encode()), f(SETNAME, set_name.encode())]
    ops = [op(READ, b) for b in bin_names]
    return (bytes([0x02 | 0x08, info1, 0, 0]) + struct.pack(">I", 0)
            + struct.pack(">HH", len(fields), len(ops)) + b"".join(fields) + b"".join(ops))


def batch_write_body(ns: str, set_name: str, ops: Sequence[bytes], info2: int = I2_WRITE | I2_RESPOND_ALL,
                     generation: int = 0, ttl: int = 0, info3: int = 0) -> bytes:
    fields = [f(NAMESPACE, ns.encode()), f(SETNAME, set_name.encode())]
    return (bytes([0x02 | 0x04 | 0x08, read_flag(ops), info2, info3])
            + struct.pack(">HI", generation, ttl)
            + struct.pack(">HH", len(fields), len(ops)) + b"".join(fields) + b"".join(ops))


def batch_message(rows: Sequence[bytes]) -> bytes:
    data = struct.pack(">I", len(rows)) + b"\x08" + b"".join(rows)
    return message(info1=I1_BATCH, fields=[f(BATCH_INDEX, data)])


def scan_message(ns: str = "test", set_name: str = "", pids: Sequence[int] = (),
                 digests: Sequence[bytes] = (), max_records: int = 0, info1: int = I1_READ,
                 info2: int = 0, ops: Sequence[bytes] = (), extra: Sequence[bytes] = (),
                 task_id: int = 77, ttl: int = 0) -> bytes:
    fields = [f(NAMESPACE, ns.encode())]
    if set_name:
        fields.append(f(SETNAME, set_name.encode()))
    fields.append(f(SOCKET_TIMEOUT, struct.pack(">I", 1000)))
    fields.append(f(TASK_ID, struct.pack(">Q", task_id)))
    fields.extend(extra)
    if pids:
        fields.append(f(PID_ARRAY, b"".join(struct.pack("<H", p) for p in pids)))
    if digests:
        fields.append(f(DIGEST_ARRAY, b"".join(digests)))
    if max_records:
        fields.append(f(MAX_RECORDS, struct.pack(">Q", max_records)))
    return message(info1=info1, info2=info2, info3=I3_PARTITION_DONE if not info2 else 0,
                   ttl=ttl, fields=fields, ops=ops)


def integer_range(bin_name: str, lo: int, hi: int) -> bytes:
    raw = bin_name.encode()
    data = (b"\x01" + bytes([len(raw)]) + raw + bytes([P_INT]) + struct.pack(">I", 8)
            + struct.pack(">q", lo) + struct.pack(">I", 8) + struct.pack(">q", hi))
    return f(INDEX_RANGE, data)


def string_equal(bin_name: str, text: str) -> bytes:
    raw = bin_name.encode()
    t = text.encode()
    data = (b"\x01" + bytes([len(raw)]) + raw + bytes([P_STRING]) + struct.pack(">I", len(t)) + t
            + struct.pack(">I", len(t)) + t)
    return f(INDEX_RANGE, data)


def partition_of(digest: bytes) -> int:
    return int.from_bytes(digest[:2], "little") & 4095


def send(address: Tuple[str, int], msg: bytes, timeout: float = 10.0) -> List[Response]:
    """Send one AS_MSG to a node (embedded or a real server) over TCP; the response messages up to
    the one marked last (a single-record reply is one message; a scan/query refused at its
    start is one plain error reply, as_transaction_error's, where as_query_parse_records stops)."""
    out: List[Response] = []
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(struct.pack(">Q", (2 << 56) | (3 << 48) | len(msg)) + msg)
        while True:
            header = _receive(sock, 8)
            size = struct.unpack(">Q", header)[0] & ((1 << 48) - 1)
            responses = parse(_receive(sock, size))
            out.extend(responses)
            batch = msg[1] & I1_BATCH
            multi = batch or DIGEST not in _field_types(msg)
            if not multi or any(r.info3 & I3_LAST for r in responses):
                return out
            if not batch and any(refused(r) for r in responses):
                return out


def refused(response: Response) -> bool:
    """True for the plain error reply of a scan/query refused at its start (thr_tsvc's
    as_transaction_error: as_msg_send_reply, no LAST bit), not a partition-done marker."""
    return response.code != 0 and not response.info3 & (I3_LAST | I3_PARTITION_DONE)


def _receive(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("server closed the connection")
        data += chunk
    return bytes(data)


def _field_types(msg: bytes) -> List[int]:
    n_fields = struct.unpack_from(">H", msg, 18)[0]
    pos, types = 22, []
    for _ in range(n_fields):
        size, ftype = struct.unpack_from(">IB", msg, pos)
        types.append(ftype)
        pos += 4 + size
    return types
