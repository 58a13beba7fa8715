"""Multi-record transactions (MRT) on strong-consistency namespaces, as a server runs them.

What a client sends (the C client's as_txn_monitor.c, aerospike_txn.c, as_command.c):

* the monitor record: key (ns, "<ERO~MRT", txn id). Its first write puts bin `id` (the txn id)
  and list-appends the digests the txn will write to `keyds`, with the txn timeout as its
  ttl; later writes append more digests. Every reply carries the txn deadline
  (FIELD_TXN_DEADLINE, u32 little-endian, server clock seconds), which the client sends back
  with each write of the txn. Writing bin `fwd` marks the txn committed (roll forward); a
  durable delete closes the monitor.
* commands in the txn carry FIELD_TXN_ID (u64 little-endian), writes also the deadline and
  reads the version the txn read before (FIELD_RECORD_VERSION, 7 bytes little-endian).
  A write does not change the record: it leaves a provisional version that locks the record
  for the txn (another txn's or a plain write answers MRT_BLOCKED; reads outside the txn see
  the committed version). A read in the txn answers the committed version's number, which
  the client verifies at commit (INFO4_TXN_VERIFY_READ: MRT_VERSION_MISMATCH if it changed).
* commit: verify the reads, mark the monitor, then per written record INFO4_TXN_ROLL_FORWARD
  (the provisional version becomes the record); abort: INFO4_TXN_ROLL_BACK (it is dropped).
  Rolling a record the txn does not lock answers OK (the roll is idempotent).
* a txn whose deadline passes is ended by the server: rolled forward when marked, else rolled
  back, and its monitor removed (a mark arriving later answers MRT_ABORTED).

Strong consistency's own rule a client sees: a delete must be durable (FORBIDDEN otherwise).
"""

from __future__ import annotations

import struct
from collections import OrderedDict
import time
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from . import error_detail, particles
from .msg import (FIELD_RECORD_VERSION, FIELD_SETNAME, FIELD_TXN_DEADLINE, FIELD_TXN_ID, INFO2_DELETE,
                  INFO2_DURABLE_DELETE, INFO2_WRITE, INFO4_TXN_ON_LOCKING_ONLY, INFO4_TXN_ROLL_BACK,
                  INFO4_TXN_ROLL_FORWARD, INFO4_TXN_VERIFY_READ, OP_CDT_MODIFY, OP_DELETE, OP_WRITE, Message,
                  Reply, encode_field, signed32)
from .results import (ERR_FORBIDDEN, ERR_NOT_FOUND, ERR_PARAMETER, ERR_UNSUPPORTED_FEATURE, MRT_ABORTED,
                      MRT_ALREADY_LOCKED, MRT_BLOCKED, MRT_COMMITTED, MRT_EXPIRED, MRT_MONITOR_EXISTS,
                      MRT_TOO_MANY_WRITES, MRT_VERSION_MISMATCH, OK, CommandError)
from .store import Record

if TYPE_CHECKING:
    from .store import Namespace

MONITOR_SET = b"<ERO~MRT"
#: Digests one transaction may write (AEROSPIKE_MRT_TOO_MANY_WRITES beyond).
MAX_WRITES = 4096
#: Transactions the server remembers having rolled back after their deadline.
ENDED_MEMORY = 4096

INFO4_TXN_BITS = INFO4_TXN_VERIFY_READ | INFO4_TXN_ROLL_FORWARD | INFO4_TXN_ROLL_BACK

_LIST_APPEND, _LIST_APPEND_ITEMS = 1, 2  # CDT list operation codes
_VERSION_MASK = (1 << 56) - 1
_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")

#: Runs the ordinary record command on a namespace (or a view of one record) -> its reply.
Run = Callable[["Namespace"], Reply]


def record_version(record: Record) -> int:
    """A record version's 7-byte number: it changes with every write of the record."""
    return (record.last_update_ns & _VERSION_MASK) or 1


class Txn:
    """What the server knows of one transaction: its monitor and the records it locks."""

    __slots__ = ("txn_id", "namespace", "deadline", "monitor", "keyds", "monitor_digest",
                 "forward", "locks")

    def __init__(self, txn_id: int, namespace: str, deadline: int) -> None:
        self.txn_id = txn_id
        self.namespace = namespace
        self.deadline = deadline  # server clock seconds
        self.monitor: Optional[Record] = None  # the monitor record (None: not there)
        self.keyds: Dict[bytes, None] = {}  # the digests the monitor lists
        self.monitor_digest = b""
        self.forward = False  # marked for roll forward (committed)
        self.locks: Dict[bytes, Optional[Record]] = {}  # digest -> provisional (None: deleted)


class _RecordView:
    """The namespace as one command in a txn sees it: the record with `digest` is `record`
    (a provisional version, a monitor); `put` and `remove` change only this view."""

    def __init__(self, ns: Namespace, record: Optional[Record]) -> None:
        self.name = ns.name
        self.spec = ns.spec
        self.default_ttl = ns.default_ttl  # the set's or the namespace's
        self.record = record
        self.changed = False

    def get(self, digest: bytes, now: int) -> Optional[Record]:
        record = self.record
        return None if record is None or record.expired(now) else record

    def put(self, digest: bytes, record: Record) -> None:
        self.record = record
        self.changed = True

    def remove(self, digest: bytes) -> None:
        self.record = None
        self.changed = True


def _view(ns: Namespace, record: Optional[Record]) -> Tuple[_RecordView, Namespace]:
    view = _RecordView(ns, record)
    return view, view  # type: ignore[return-value]  # duck-typed Namespace


class Transactions:
    """Every open transaction of a store (guarded by the store's lock)."""

    def __init__(self) -> None:
        self.txns: Dict[Tuple[str, int], Txn] = {}
        self.monitors: Dict[Tuple[str, bytes], Txn] = {}  # (ns, monitor digest) -> txn
        self.locked: Dict[Tuple[str, bytes], Txn] = {}  # (ns, record digest) -> locking txn
        self.expired: "OrderedDict[Tuple[str, bytes], None]" = OrderedDict()  # monitor keys

    # -- the entry point -------------------------------------------------------------------

    def execute(self, ns: Namespace, digest: bytes, msg: Message, now: int, run: Run) -> Reply:
        """Run one record command on a strong-consistency namespace (the store lock held)."""
        self._expire(ns, now)
        _check_durable_delete(msg)
        if msg.fields.get(FIELD_SETNAME) == MONITOR_SET:
            return self._monitor_command(ns, digest, msg, now, run)
        if msg.info4 & (INFO4_TXN_ROLL_FORWARD | INFO4_TXN_ROLL_BACK):
            return self._roll(ns, digest, msg)
        if msg.info4 & INFO4_TXN_VERIFY_READ:
            return _verify(ns, digest, msg, now)
        raw_id = msg.fields.get(FIELD_TXN_ID)
        if raw_id is None:
            if msg.info2 & INFO2_WRITE and (ns.name, digest) in self.locked:
                raise error_detail.fail(MRT_BLOCKED, "record is locked by a transaction",
                                        error_detail.SUB_MRT_BLOCKED_RECORD_LOCKED)
            return run(ns)
        txn_id = _u64(raw_id, "txn id")
        if msg.info2 & INFO2_WRITE:
            return self._write(ns, digest, msg, now, txn_id, run)
        return self._read(ns, digest, msg, now, txn_id, run)

    # -- commands in a transaction ---------------------------------------------------------

    def _read(self, ns: Namespace, digest: bytes, msg: Message, now: int, txn_id: int,
              run: Run) -> Reply:
        owner = self.locked.get((ns.name, digest))
        if owner is not None and owner.txn_id == txn_id:
            _, view = _view(ns, owner.locks[digest])
            return run(view)  # its own provisional version: nothing to verify
        reply = run(ns)
        record = ns.get(digest, now)
        if reply.code == OK and record is not None:
            _add_field(reply, FIELD_RECORD_VERSION, record_version(record).to_bytes(7, "little"))
        return reply

    def _write(self, ns: Namespace, digest: bytes, msg: Message, now: int, txn_id: int,
               run: Run) -> Reply:
        raw_deadline = msg.fields.get(FIELD_TXN_DEADLINE)
        if raw_deadline is None:
            raise CommandError(ERR_PARAMETER, "a transaction write needs its deadline")
        deadline = _u32(raw_deadline, "txn deadline")
        if now > deadline:
            raise CommandError(MRT_EXPIRED)
        owner = self.locked.get((ns.name, digest))
        if owner is not None and owner.txn_id != txn_id:
            raise error_detail.fail(MRT_BLOCKED, "record is locked by another transaction",
                                    error_detail.SUB_MRT_BLOCKED_ID_MISMATCH)
        if owner is not None and msg.info4 & INFO4_TXN_ON_LOCKING_ONLY:
            raise CommandError(MRT_ALREADY_LOCKED)
        committed = ns.get(digest, now)
        raw_version = msg.fields.get(FIELD_RECORD_VERSION)
        if raw_version is not None and (
                committed is None or record_version(committed) != _version(raw_version)):
            raise CommandError(MRT_VERSION_MISMATCH)
        txn = self.txns.get((ns.name, txn_id))
        if txn is None:  # its monitor is gone (removed by hand): the locks still expire
            txn = self.txns[(ns.name, txn_id)] = Txn(txn_id, ns.name, deadline)
        view, view_ns = _view(ns, owner.locks[digest] if owner is not None else committed)
        reply = run(view_ns)
        if reply.code == OK and view.changed:
            txn.locks[digest] = view.record
            self.locked[(ns.name, digest)] = txn
        return reply

    def _roll(self, ns: Namespace, digest: bytes, msg: Message) -> Reply:
        txn_id = _u64(msg.fields.get(FIELD_TXN_ID, b""), "txn id")
        owner = self.locked.get((ns.name, digest))
        if owner is None or owner.txn_id != txn_id:
            return Reply(OK)  # never locked, or rolled already
        self._release(ns, owner, digest, forward=bool(msg.info4 & INFO4_TXN_ROLL_FORWARD))
        self._forget_if_done(owner)
        return Reply(OK)

    def _release(self, ns: Namespace, txn: Txn, digest: bytes, forward: bool) -> None:
        provisional = txn.locks.pop(digest)
        del self.locked[(ns.name, digest)]
        if not forward:
            return
        if provisional is None:
            ns.remove(digest)
        else:
            ns.put(digest, provisional)

    def _forget_if_done(self, txn: Txn) -> None:
        if txn.monitor is None and not txn.locks:
            self.txns.pop((txn.namespace, txn.txn_id), None)

    # -- the monitor record ----------------------------------------------------------------

    def _monitor_command(self, ns: Namespace, digest: bytes, msg: Message, now: int,
                         run: Run) -> Reply:
        txn = self.monitors.get((ns.name, digest))
        if not msg.info2 & INFO2_WRITE:
            return run(_view(ns, txn.monitor if txn is not None else None)[1])
        if msg.info2 & INFO2_DELETE:
            if txn is None:
                raise CommandError(ERR_NOT_FOUND)
            self._close_monitor(ns, txn, digest)
            return Reply(OK)
        created, forward, added = _monitor_ops(msg)
        if created is not None:
            if txn is not None:
                raise CommandError(MRT_MONITOR_EXISTS)
            monitor_txn = self.txns.get((ns.name, created))
            if monitor_txn is None:
                monitor_txn = self.txns[(ns.name, created)] = Txn(created, ns.name, 0)
            ttl = signed32(msg.record_ttl)
            monitor_txn.deadline = now + (ttl if ttl > 0 else ns.spec.mrt_duration)
            txn = monitor_txn
        elif txn is None:
            raise CommandError(MRT_ABORTED if (ns.name, digest) in self.expired else MRT_EXPIRED)
        elif txn.forward:
            raise CommandError(MRT_COMMITTED)
        keyds = dict(txn.keyds)
        keyds.update(dict.fromkeys(added))
        if len(keyds) > MAX_WRITES:
            self._forget_if_done(txn)
            raise CommandError(MRT_TOO_MANY_WRITES)
        txn.keyds = keyds
        txn.forward = forward
        txn.monitor_digest = digest
        if txn.monitor is None:
            txn.monitor = Record(MONITOR_SET)
            txn.monitor.bins[b"id"] = particles.encode_particle(particles.to_int64(txn.txn_id))
        self.monitors[(ns.name, digest)] = txn
        _fill_monitor(txn)
        reply = Reply(OK, txn.monitor.generation)
        _add_field(reply, FIELD_TXN_DEADLINE, _U32.pack(txn.deadline))
        return reply

    def _close_monitor(self, ns: Namespace, txn: Txn, digest: bytes) -> None:
        txn.monitor = None
        txn.keyds = {}
        self.monitors.pop((ns.name, digest), None)
        self._forget_if_done(txn)

    # -- deadlines -------------------------------------------------------------------------

    def _expire(self, ns: Namespace, now: int) -> None:
        """End every transaction of `ns` whose deadline passed, as the server's monitor
        tender does: roll it forward if it was marked, else back; remove its monitor."""
        if not self.txns:
            return
        for txn in [t for t in self.txns.values() if t.namespace == ns.name and now > t.deadline]:
            for digest in list(txn.locks):
                self._release(ns, txn, digest, txn.forward)
            if txn.monitor is not None:
                if not txn.forward:
                    self.expired[(ns.name, txn.monitor_digest)] = None
                    while len(self.expired) > ENDED_MEMORY:
                        self.expired.popitem(last=False)
                self._close_monitor(ns, txn, txn.monitor_digest)
            self.txns.pop((txn.namespace, txn.txn_id), None)


def check_not_strong(ns: Namespace, msg: Message) -> None:
    """Refuse transaction fields, flags and monitor records on a namespace that is not
    strong-consistency (transactions need one)."""
    fields = msg.fields
    if (FIELD_TXN_ID in fields or FIELD_RECORD_VERSION in fields or msg.info4 & INFO4_TXN_BITS
            or fields.get(FIELD_SETNAME) == MONITOR_SET):
        raise CommandError(ERR_UNSUPPORTED_FEATURE, "transactions need strong consistency")


def _check_durable_delete(msg: Message) -> None:
    """A strong-consistency namespace refuses deletes that leave no tombstone."""
    if msg.info2 & INFO2_DURABLE_DELETE or not msg.info2 & INFO2_WRITE:
        return
    if msg.info2 & INFO2_DELETE or any(op.op == OP_DELETE for op in msg.ops):
        raise CommandError(ERR_FORBIDDEN, "strong consistency needs durable deletes")


def _verify(ns: Namespace, digest: bytes, msg: Message, now: int) -> Reply:
    """A commit's read verification: the committed version is still the one the txn read."""
    record = ns.get(digest, now)
    raw = msg.fields.get(FIELD_RECORD_VERSION)
    if raw is None:
        return Reply(OK if record is None else MRT_VERSION_MISMATCH)
    if record is None or record_version(record) != _version(raw):
        return Reply(MRT_VERSION_MISMATCH)
    return Reply(OK, record.generation, record.void_time)


def _add_field(reply: Reply, ftype: int, data: bytes) -> None:
    reply.fields += encode_field(ftype, data)
    reply.n_fields += 1


def _monitor_ops(msg: Message) -> Tuple[Optional[int], bool, List[bytes]]:
    """What a monitor write does: (the txn id it creates the monitor with, or None; whether it
    marks the txn for roll forward; the digests it appends to `keyds`)."""
    created: Optional[int] = None
    forward = False
    added: List[bytes] = []
    for op in msg.ops:
        if op.op == OP_WRITE and op.name == b"id" and op.ptype == particles.INTEGER:
            created = int(particles.decode_particle(op.ptype, op.data)) & 0xFFFFFFFFFFFFFFFF
        elif op.op == OP_WRITE and op.name == b"fwd" and op.ptype == particles.BOOL:
            forward = bool(particles.decode_particle(op.ptype, op.data))
        elif op.op == OP_CDT_MODIFY and op.name == b"keyds":
            command, *args = particles.unpack(op.data)
            values = [args[0]] if command == _LIST_APPEND else list(args[0]) if (
                command == _LIST_APPEND_ITEMS) else None
            if values is None or not all(isinstance(v, bytes) and len(v) == 20 for v in values):
                raise CommandError(ERR_PARAMETER, "a monitor lists digests")
            added.extend(bytes(v) for v in values)
        else:
            raise CommandError(ERR_PARAMETER, "not a transaction monitor operation")
    return created, forward, added


def _fill_monitor(txn: Txn) -> None:
    """The monitor record's bins and generation after a change: id, keyds (an ordered list),
    fwd once marked."""
    monitor = txn.monitor
    assert monitor is not None
    monitor.bins[b"keyds"] = particles.encode_particle(
        particles.CdtList(sorted(txn.keyds), particles.LIST_ORDERED))
    if txn.forward:
        monitor.bins[b"fwd"] = particles.encode_particle(True)
    monitor.generation = monitor.generation % 0xFFFF + 1
    monitor.last_update_ns = time.time_ns()
    monitor.encoded_bins = None


def _u64(raw: bytes, what: str) -> int:
    if len(raw) != 8:
        raise CommandError(ERR_PARAMETER, f"bad {what} field")
    return int(_U64.unpack(raw)[0])


def _u32(raw: bytes, what: str) -> int:
    if len(raw) != 4:
        raise CommandError(ERR_PARAMETER, f"bad {what} field")
    return int(_U32.unpack(raw)[0])


def _version(raw: bytes) -> int:
    if len(raw) != 7:
        raise CommandError(ERR_PARAMETER, "bad record version field")
    return int.from_bytes(raw, "little")
