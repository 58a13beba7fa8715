"""Single-record commands: read, write, operate, touch, delete (also run for each batch row).

A record command names one digest; its header bits say read or write, generation and
existence checks, and its operations say what to read or change, bin by bin.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from . import bit, cdt, error_detail, geojson, hll, particles, strings
from .cdt_select import NO_RESULT
from .expressions import (ExpRecord, compile_filter, exp_read, exp_write, filter_passes,
                          filtered_out, operation_uses_strings)
from .msg import (FIELD_DIGEST, FIELD_FILTER, FIELD_KEY, FIELD_NAMESPACE, FIELD_SETNAME,
                  FIELD_UDF_FUNCTION, FIELD_UDF_PACKAGE_NAME, INFO1_GET_ALL, INFO1_GET_NOBINDATA,
                  INFO1_READ, INFO2_CREATE_ONLY, INFO2_DELETE, INFO2_GENERATION, INFO2_GENERATION_GT,
                  INFO2_RESPOND_ALL_OPS, INFO2_WRITE, INFO3_CREATE_OR_REPLACE, INFO3_REPLACE_ONLY,
                  INFO3_UPDATE_ONLY, OP_APPEND, OP_CDT_MODIFY, OP_CDT_READ, OP_BIT_MODIFY, OP_BIT_READ, OP_DELETE, OP_EXP_MODIFY,
                  OP_EXP_READ, OP_HLL_MODIFY, OP_HLL_READ, OP_INCR, OP_PREPEND, OP_READ, OP_STRING_MODIFY,
                  OP_STRING_READ, OP_TO_STRING, OP_TOUCH, OP_WRITE, PACKED_MODIFY_OPS, READ_OPS,
                  STRING_OPS, UNSUPPORTED_OPS, Message, Op, Reply, all_bins, encode_bin,
                  encode_value_bin, parse_ops, signed32)
from .results import (ERR_BIN_NAME, ERR_FILTERED_OUT, ERR_FORBIDDEN, ERR_GENERATION, ERR_UDF, ERR_INCOMPATIBLE_TYPE,
                      ERR_NAMESPACE_NOT_FOUND, ERR_NOT_FOUND, ERR_PARAMETER, ERR_RECORD_EXISTS, ERR_RECORD_TOO_BIG,
                      ERR_UNSUPPORTED_FEATURE, OK, CommandError)
from .store import CITRUSLEAF_EPOCH, MAX_GENERATION, MAX_TTL, BinValue, Namespace, Record, Store, clock_seconds
from .txn import check_not_strong
from .udf import run_record_udf
from ...bindings import asc_udf

if TYPE_CHECKING:
    from .security import Access

MAX_BIN_NAME = 15
#: The server's set name buffer (AS_SET_NAME_MAX_SIZE): names are at most 63 bytes.
SET_NAME_SIZE = 64


def request_namespace(store: Store, msg: Message,
                      missing: int = ERR_NAMESPACE_NOT_FOUND) -> Namespace:
    """The namespace a request (or batch row) names. A request without one, or naming none
    the node has, is AS_ERR_NAMESPACE (thr_tsvc.c, as_tsvc_process_transaction: "no
    namespace in protocol request"); `missing`: the code of a batch row without one."""
    raw = msg.fields.get(FIELD_NAMESPACE)
    if raw is None:
        raise CommandError(missing, "missing namespace")
    ns = store.namespaces.get(raw.decode("utf-8", "replace"))
    if ns is None:
        raise CommandError(ERR_NAMESPACE_NOT_FOUND)
    return ns


def check_access(access: Optional["Access"], msg: Message) -> None:
    """Raise the result code of a command (or batch row) the connection may not run."""
    if access is not None:
        code = access.message(msg)
        if code != OK:
            raise CommandError(code)


def single_record(store: Store, msg: Message, access: Optional["Access"] = None) -> Reply:
    """Answer a request that names one digest (`access`: its permission check, security on)."""
    try:
        ns = request_namespace(store, msg)
        digest = msg.fields[FIELD_DIGEST]
        if len(digest) != 20:
            raise CommandError(ERR_PARAMETER, "digest must be 20 bytes")
        check_access(access, msg)
        return execute_record(store, ns, digest, msg,
                              explain=access is None or access.may_read(msg))
    except CommandError as exc:
        return error_detail.reply(exc, msg.info4, store.version)


def execute_record(store: Store, ns: Namespace, digest: bytes, msg: Message,
                   shared_filter: Any = None, *, batch: bool = False,
                   explain: bool = True) -> Reply:
    """Run one record command (single or batch row) and return its reply.

    `shared_filter` is a decoded filter expression that applies unless the command has its own
    (the batch header's filter). A failure's reply carries the error details the command asks
    for (error_detail.py); `explain`: the principal may read the record, so a filter that
    refuses it may say why.
    """
    try:
        if not ns.spec.strong_consistency:
            check_not_strong(ns, msg)
        check_served(store, msg.ops)
        expression = shared_filter
        if FIELD_FILTER in msg.fields:
            try:
                expression = compile_filter(msg.fields[FIELD_FILTER], store.version)
            except CommandError as exc:
                raise error_detail.build_failure(
                    exc, "invalid filter expression in batch request" if batch
                    else "invalid filter expression in request") from None
        with store.lock:
            now = clock_seconds()

            def run(view: Namespace) -> Reply:
                return _execute(store, view, digest, msg, expression, now, explain)

            try:
                if ns.spec.strong_consistency:
                    return store.txns.execute(ns, digest, msg, now, run)
                return run(ns)
            except CommandError as exc:  # explained while the record is as the command saw it
                error_detail.resolve(exc, error_detail.verbosity(msg.info4, store.version))
                raise
    except CommandError as exc:
        return error_detail.reply(exc, msg.info4, store.version)
    except particles.ParticleError:
        return Reply(ERR_PARAMETER)


def check_served(store: Store, ops: List[Op]) -> None:
    """Before 8.2 a server knows no string operation and no string call inside an expression
    operation or a CDT path expression: ERR_PARAMETER, as such a server answers."""
    if strings.served(store.version):
        return
    for op in ops:
        expression_op = op.op in (OP_EXP_READ, OP_EXP_MODIFY)
        if op.op in STRING_OPS or ((expression_op or op.op in (OP_CDT_READ, OP_CDT_MODIFY))
                                   and operation_uses_strings(op.data, expression_op)):
            raise CommandError(ERR_PARAMETER, "unknown operation type")


class Filter:
    """A command's filter expression (None: no filter) and whether a refusal may say why
    (`explain`: the principal may read the record). A server applies it to an existing record
    only, after its other checks of that record (generation, set name); each command below
    applies it where its server counterpart does."""

    __slots__ = ("expression", "explain")

    def __init__(self, expression: Any = None, explain: bool = True) -> None:
        self.expression = expression
        self.explain = explain

    def check(self, record: Record, digest: bytes, now: int, details: bool = True) -> None:
        """Raise ERR_FILTERED_OUT when the filter refuses `record` (`details`: the reply may
        carry error details; a server sends none for a filtered UDF)."""
        if self.expression is None or filter_passes(self.expression, record, digest, now):
            return
        if not details:
            raise CommandError(ERR_FILTERED_OUT)
        raise filtered_out(self.expression, record, digest, now, self.explain)


NO_FILTER = Filter()


def _execute(store: Store, ns: Namespace, digest: bytes, msg: Message, expression: Any,
             now: int, explain: bool = True) -> Reply:
    """The command on `ns` (a transaction's view of the record, in a strong-consistency
    namespace): the UDF, write or read, each applying the filter where a server does."""
    refuse = Filter(expression, explain)
    if FIELD_UDF_FUNCTION in msg.fields or FIELD_UDF_PACKAGE_NAME in msg.fields:
        return apply_udf(store, ns, digest, msg, now, refuse)
    if msg.info2 & INFO2_WRITE:
        return write_record(ns, digest, msg, now, refuse)
    if msg.info1 & INFO1_READ:
        return _read(ns, digest, msg, now, refuse)
    raise CommandError(ERR_PARAMETER, "neither read nor write")


# ---------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------

def _read(ns: Namespace, digest: bytes, msg: Message, now: int, refuse: Filter) -> Reply:
    """read_local()'s order: not found, the set name, the read-touch check, the filter, then
    the bins. A touch that is due happens however the read ends (a server queues it before
    the filter)."""
    record = ns.get(digest, now)
    if record is None:
        raise CommandError(ERR_NOT_FOUND)
    check_set_name(record, msg)
    touch = _read_touch_due(record, msg.record_ttl, now)
    try:
        return _read_bins(record, digest, msg, now, refuse)
    finally:
        if touch:
            _touch(record, now)


def _read_bins(record: Record, digest: bytes, msg: Message, now: int, refuse: Filter) -> Reply:
    refuse.check(record, digest, now)
    if msg.info1 & INFO1_GET_NOBINDATA:
        reply = Reply(OK, record.generation, record.void_time)
    elif msg.info1 & INFO1_GET_ALL:
        reply = Reply(OK, record.generation, record.void_time, all_bins(record), len(record.bins))
    elif not msg.ops:
        raise CommandError(ERR_PARAMETER, "bin op(s) expected, none present")
    else:
        out: List[bytes] = []
        respond_all = bool(msg.info2 & INFO2_RESPOND_ALL_OPS)
        for op in msg.ops:
            if op.op not in READ_OPS and op.op not in (OP_STRING_READ, OP_TO_STRING):
                raise CommandError(ERR_UNSUPPORTED_FEATURE if op.op in UNSUPPORTED_OPS
                                   else ERR_PARAMETER)
            if len(op.name) > MAX_BIN_NAME:
                raise CommandError(ERR_BIN_NAME)
            read_op(op, record.bins, out, respond_all, ExpRecord(record, digest, now))
        reply = Reply(OK, record.generation, record.void_time, b"".join(out), len(out))
    return reply


#: read-touch-ttl-percent values with a meaning of their own (the read's ttl field).
TOUCH_USE_DEFAULT, TOUCH_NEVER = 0, 0xFFFFFFFF


def _read_touch_due(record: Record, percent: int, now: int) -> bool:
    """True when a read must touch the record (read-touch-ttl-percent, sent in the read's ttl
    field): once the time left is at most `percent` % of the ttl of the last write. 0 asks for
    the namespace's default (none here), 0xFFFFFFFF never touches, above 100 is an error."""
    if percent in (TOUCH_USE_DEFAULT, TOUCH_NEVER) or record.void_time == 0:
        return False
    if percent > 100:
        raise CommandError(ERR_PARAMETER, "bad read-touch-ttl-pct")
    write_ttl = record.void_time - _last_update_seconds(record)
    return now >= record.void_time - write_ttl * percent // 100


def _touch(record: Record, now: int) -> None:
    """A read's touch, applied after the read answered: the last write's ttl again from now,
    the last-update time now; the generation stays (read_touch_master(): a touch would fail
    generation checks otherwise). A touch that would not move the void time (the write was
    this second) changes nothing."""
    void_time = now + record.void_time - _last_update_seconds(record)
    if void_time > record.void_time:
        record.void_time = void_time
        record.last_update_ns = time.time_ns()


def _last_update_seconds(record: Record) -> int:
    return record.last_update_ns // 1_000_000_000 - CITRUSLEAF_EPOCH


def read_op(op: Op, bins: Dict[bytes, BinValue], out: List[bytes], respond_all: bool,
            exp_ctx: Optional[ExpRecord] = None) -> None:
    """Append the result of one read operation on `bins` to `out` (`exp_ctx`: the record an
    expression read looks at)."""
    if op.op == OP_EXP_READ:
        value = exp_read(op.data, exp_ctx if exp_ctx is not None else ExpRecord(None, b"", 0, bins))
        out.append(encode_value_bin(op.name, value))
        return
    if op.op == OP_READ:
        if not op.name:
            out.extend(encode_bin(name, ptype, data) for name, (ptype, data) in bins.items())
            return
        value = bins.get(op.name)
        if value is not None:
            out.append(encode_bin(op.name, value[0], value[1]))
        elif respond_all:
            out.append(encode_bin(op.name, particles.NIL, b""))
        return
    if op.op == OP_BIT_READ:
        _, result = bit.operate(bins.get(op.name), op.ptype, op.data, modify_op=False)
    elif op.op == OP_HLL_READ:
        _, result = hll.operate(bins.get(op.name), op.data, modify_op=False)
    elif op.op == OP_STRING_READ:
        _, result = strings.operate(bins.get(op.name), op.data, modify=False)
    elif op.op == OP_TO_STRING:
        result = strings.to_string(bins.get(op.name))
    else:
        _, result = cdt.operate(bins.get(op.name), op.data, modify=False, bins=bins)
    _append_result(op.name, result, out, respond_all)


def _append_result(name: bytes, result: Any, out: List[bytes], respond_all: bool) -> None:
    if result is NO_RESULT:
        if respond_all:
            out.append(encode_bin(name, particles.NIL, b""))
    else:
        out.append(encode_value_bin(name, result))


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------

def _void_time(ns: Namespace, ttl: int, existing: Optional[Record], now: int,
               set_name: bytes) -> int:
    """The void time of a write sending `ttl` (-2 keep, -1 never, 0 the set's or the
    namespace's default) to a record of `set_name`."""
    if ttl == -2:  # keep the current TTL
        if existing is not None:
            return existing.void_time
        ttl = 0
    if ttl == -1:
        return 0
    if ttl == 0:
        ttl = ns.default_ttl(set_name)
        if ttl == 0:
            return 0
    if ttl < 0 or ttl > MAX_TTL:
        raise CommandError(ERR_PARAMETER, "ttl out of range")
    if ns.spec.nsup_period == 0:
        raise CommandError(ERR_FORBIDDEN, "records with a TTL need nsup")
    return now + ttl


def _check_generation(record: Optional[Record], msg: Message) -> None:
    """A write's generation check: a record it creates has generation 0, so GEN_EQ with any
    other generation and GEN_GT with 0 fail on it (the server's generation_check() runs on
    the record it just created too)."""
    generation = record.generation if record is not None else 0
    if msg.info2 & INFO2_GENERATION and msg.generation != generation:
        raise CommandError(ERR_GENERATION)
    if msg.info2 & INFO2_GENERATION_GT and msg.generation <= generation:
        raise CommandError(ERR_GENERATION)


def check_set_name(record: Record, msg: Message, *, update: bool = False) -> None:
    """A command on an existing record that names a set must name the record's own
    (set_name_check(): a digest key with another set, AEROSPIKE_ERR_REQUEST_INVALID); no set
    or an empty one is allowed, except to a write (`update`: set_name_check_on_update(), 8.x),
    which must name the set a record is in. A background job's writes are not checked (their
    origin, FROM_IOPS, is exempt)."""
    named = msg.fields.get(FIELD_SETNAME, b"")
    if (named or update) and named != record.set_name:
        raise CommandError(ERR_PARAMETER, "message set name does not match record's set")


#: The operations a record-level replace (REPLACE, CREATE_OR_REPLACE) refuses: they need the
#: bins a replace drops (write_master_policies(): "... op can't have record-level replace flag").
_NOT_WITH_REPLACE = frozenset({OP_TOUCH, OP_INCR, OP_APPEND, OP_PREPEND, OP_DELETE, OP_CDT_MODIFY,
                               OP_BIT_MODIFY, OP_HLL_MODIFY})


#: The operations that answer with a bin of their own, which a read-all cannot join
#: (write_master_policies(): generates_response_bin); the reads among them need INFO1_READ.
_RESPONSE_READS = frozenset({OP_READ, OP_BIT_READ, OP_HLL_READ, OP_CDT_READ, OP_EXP_READ})
_RESPONSE_OPS = _RESPONSE_READS | {OP_HLL_MODIFY, OP_CDT_MODIFY}


def _check_write_ops(msg: Message) -> None:
    """The server's checks of a write's operations before it looks at the record
    (write_master_policies()): bin names; the operations a replace cannot take (a bin delete,
    touch, incr/append/prepend, delete-all, CDT/bit/HLL modify); and its read rules. A
    read-all (a nameless read with INFO1_GET_ALL) comes once, without RESPOND_ALL_OPS and
    without an operation that answers with a bin of its own; GET_ALL needs a read-all; a read
    needs INFO1_READ. Each broken rule is ERR_PARAMETER."""
    replace = msg.info3 & (INFO3_CREATE_OR_REPLACE | INFO3_REPLACE_ONLY)
    get_all = bool(msg.info1 & INFO1_GET_ALL)
    read_all = has_read = responds = False
    for op in msg.ops:
        if replace and (op.op in _NOT_WITH_REPLACE
                        or (op.op == OP_WRITE and op.ptype == particles.NIL)):
            raise CommandError(ERR_PARAMETER, "op can't have record-level replace flag")
        if op.op != OP_TOUCH and len(op.name) > MAX_BIN_NAME:
            raise CommandError(ERR_BIN_NAME)
        if op.op == OP_READ and not op.name and get_all:
            if msg.info2 & INFO2_RESPOND_ALL_OPS:
                raise CommandError(ERR_PARAMETER, "read-all op can't have respond-all-ops flag")
            if read_all:
                raise CommandError(ERR_PARAMETER, "can't have more than one read-all op")
            read_all = has_read = True
        elif op.op in _RESPONSE_OPS:
            has_read = has_read or op.op in _RESPONSE_READS
            responds = True
    if has_read and not msg.info1 & INFO1_READ:
        raise CommandError(ERR_PARAMETER, "has read op but read flag not set")
    if read_all and responds:
        raise CommandError(ERR_PARAMETER,
                           "read-all op can't mix with ops that generate response bins")
    if get_all and not read_all:
        raise CommandError(ERR_PARAMETER, "get-all flag set with no read-all op")


def _user_key(msg: Message) -> Optional[BinValue]:
    raw = msg.fields.get(FIELD_KEY)
    if not raw:
        return None
    return raw[0], raw[1:]


def write_record(ns: Namespace, digest: bytes, msg: Message, now: int,
                 refuse: Filter = NO_FILTER, *, background: bool = False) -> Reply:
    """Apply a write command (delete, put, operate) to one record, its checks in the order of
    a server's: a delete (delete_master) checks the set name, the generation, then the
    filter; a write (write_master) its operations, then create-only, the generation, the set
    name (not for a `background` job's write), then the filter."""
    record = ns.get(digest, now)
    if msg.info2 & INFO2_DELETE:
        if record is None:
            raise CommandError(ERR_NOT_FOUND)
        check_set_name(record, msg)
        _check_generation(record, msg)
        refuse.check(record, digest, now)
        ns.remove(digest)
        return Reply(OK)
    if not msg.ops:
        raise CommandError(ERR_PARAMETER, "bin op(s) expected, none present")
    _check_write_ops(msg)
    if record is not None:
        if msg.info2 & INFO2_CREATE_ONLY:
            raise CommandError(ERR_RECORD_EXISTS)
        _check_generation(record, msg)
        if not background:
            check_set_name(record, msg, update=True)
        refuse.check(record, digest, now)
    else:
        if msg.info3 & (INFO3_UPDATE_ONLY | INFO3_REPLACE_ONLY) or any(
                op.op == OP_TOUCH for op in msg.ops):  # must not create
            raise CommandError(ERR_NOT_FOUND)
        _check_generation(None, msg)
        if all(op.op == OP_DELETE or op.op in READ_OPS for op in msg.ops):
            raise CommandError(ERR_NOT_FOUND)
        if len(msg.fields.get(FIELD_SETNAME, b"")) >= SET_NAME_SIZE:
            raise CommandError(ERR_PARAMETER, "set name too long")
    replace = msg.info3 & (INFO3_CREATE_OR_REPLACE | INFO3_REPLACE_ONLY)
    bins: Dict[bytes, BinValue] = {} if record is None or replace else dict(record.bins)
    out: List[bytes] = []
    respond_all = bool(msg.info2 & INFO2_RESPOND_ALL_OPS)
    exp_ctx = ExpRecord(record, digest, now, bins)  # expressions see the bins as written so far
    for op in msg.ops:
        _write_op(op, bins, out, respond_all, exp_ctx)
    void_time = _void_time(ns, signed32(msg.record_ttl), record, now, _set_of(record, msg))
    if not bins:
        if record is None:  # a write that leaves no bin creates nothing (a nil bin too)
            raise CommandError(ERR_NOT_FOUND, "the operations left nothing to create")
        ns.remove(digest)
        return Reply(OK, 0, 0, b"".join(out), len(out))
    updated = _store(ns, digest, record, bins, void_time, msg)
    return Reply(OK, updated.generation, updated.void_time, b"".join(out), len(out))


def _set_of(record: Optional[Record], msg: Message) -> bytes:
    """The set of the record a write stores: the existing record's, else the message's."""
    return record.set_name if record is not None else msg.fields.get(FIELD_SETNAME, b"")


def _store(ns: Namespace, digest: bytes, record: Optional[Record], bins: Dict[bytes, BinValue],
           void_time: int, msg: Message, drop_key: bool = False) -> Record:
    """Store the new version of a record (its generation bumped) and return it."""
    updated = Record(_set_of(record, msg))
    updated.bins = bins
    updated.generation = record.generation % MAX_GENERATION + 1 if record is not None else 1
    updated.void_time = void_time
    updated.last_update_ns = time.time_ns()
    key = _user_key(msg)
    updated.key = None if drop_key else (
        key if key is not None else (record.key if record is not None else None))
    if updated.size() > ns.spec.max_record_size:
        raise CommandError(ERR_RECORD_TOO_BIG)
    ns.put(digest, updated)
    return updated


def apply_udf(store: Store, ns: Namespace, digest: bytes, msg: Message, now: int,
              refuse: Filter = NO_FILTER) -> Reply:
    """A record UDF (key apply, batch apply row): run it, then store or remove the record as
    its aerospike:create/update/remove said; the reply carries its SUCCESS or FAILURE bin.
    An existing record must pass the filter first (open_existing_record())."""
    record = ns.get(digest, now)
    if record is not None:
        refuse.check(record, digest, now, details=False)
        _check_generation(record, msg)
    outcome = run_record_udf(store, record, digest, msg, now)
    if isinstance(outcome, Reply):
        return outcome
    if outcome.failed:
        return Reply(ERR_UDF, bins=outcome.reply, n_bins=1)
    if outcome.action == asc_udf.WRITE:
        ops, _ = parse_ops(outcome.bins, 0, outcome.n_bins)
        bins: Dict[bytes, BinValue] = {}
        for op in ops:
            _check_bin_name(op.name)
            bins[op.name] = (op.ptype, _validated_particle(
                op.ptype, _keep_cdt_flags(record.bins.get(op.name) if record else None, op.ptype, op.data)))
        if bins:
            ttl = outcome.new_ttl if outcome.new_ttl is not None else signed32(msg.record_ttl)
            void_time = _void_time(ns, ttl, record, now, _set_of(record, msg))
            updated = _store(ns, digest, record, bins, void_time, msg, outcome.drop_key)
            return Reply(OK, updated.generation, updated.void_time, outcome.reply, 1)
    if outcome.action != asc_udf.NONE and record is not None:  # removed, or no bins left
        ns.remove(digest)
        return Reply(OK, 0, 0, outcome.reply, 1)
    if record is None:
        return Reply(OK, 0, 0, outcome.reply, 1)
    return Reply(OK, record.generation, record.void_time, outcome.reply, 1)


def _keep_cdt_flags(old: Optional[BinValue], ptype: int, data: bytes) -> bytes:
    """A list/map a UDF writes over an ordered one of the same type stays ordered (Lua's
    list and map carry no flags): its flags again, its items in order."""
    if old is None or old[0] != ptype or ptype not in (particles.LIST, particles.MAP):
        return data
    flags = particles.decode_particle(*old).flags
    if not flags:
        return data
    value = particles.decode_particle(ptype, data)
    if ptype == particles.MAP:
        return particles.pack(particles.sorted_map(value, flags) if flags & 0x01
                              else particles.CdtMap(value, flags))
    return particles.pack(particles.CdtList(sorted(value, key=particles.order_key) if flags & 0x01
                                            else value, flags))


def _check_bin_name(name: bytes) -> None:
    """Bin names are at most 15 bytes; the empty name is a name like any other."""
    if len(name) > MAX_BIN_NAME:
        raise CommandError(ERR_BIN_NAME)


def _validated_particle(ptype: int, data: bytes) -> bytes:
    if ptype == particles.INTEGER:
        if len(data) != 8:
            return particles.encode_particle(particles.decode_particle(ptype, data))[1]
        return data
    if ptype in (particles.DOUBLE, particles.BOOL):
        particles.decode_particle(ptype, data)
        return data
    if ptype == particles.GEOJSON:
        geojson.check(particles.decode_particle(ptype, data))
        return data
    if ptype == particles.HLL:
        hll.check_particle(data)
        return data
    if ptype in (particles.LIST, particles.MAP):
        return particles.normalize_cdt_particle(ptype, data)
    if ptype in particles.KNOWN_PARTICLE_TYPES:
        return data
    raise CommandError(ERR_PARAMETER, f"unknown particle type {ptype}")


def _write_op(op: Op, bins: Dict[bytes, BinValue], out: List[bytes], respond_all: bool,
              exp_ctx: ExpRecord) -> None:
    kind = op.op
    if kind in READ_OPS or kind in (OP_STRING_READ, OP_TO_STRING):
        read_op(op, bins, out, respond_all, exp_ctx)
        return
    if kind == OP_TOUCH:
        pass
    elif kind == OP_DELETE:
        bins.clear()
    elif kind == OP_WRITE:
        _check_bin_name(op.name)
        if op.ptype == particles.NIL:
            bins.pop(op.name, None)
        else:
            bins[op.name] = (op.ptype, _validated_particle(op.ptype, op.data))
    elif kind == OP_INCR:
        _check_bin_name(op.name)
        bins[op.name] = _increment(bins.get(op.name), op)
    elif kind in (OP_APPEND, OP_PREPEND):
        _check_bin_name(op.name)
        bins[op.name] = _concatenate(bins.get(op.name), op, kind == OP_APPEND)
    elif kind == OP_EXP_MODIFY:
        _check_bin_name(op.name)
        exp_write(op.name, op.data, exp_ctx)
    elif kind in PACKED_MODIFY_OPS:
        _check_bin_name(op.name)
        if kind == OP_BIT_MODIFY:
            new_value, result = bit.operate(bins.get(op.name), op.ptype, op.data, modify_op=True)
        elif kind == OP_HLL_MODIFY:
            new_value, result = hll.operate(bins.get(op.name), op.data, modify_op=True)
        else:
            new_value, result = cdt.operate(bins.get(op.name), op.data, modify=True, bins=bins)
        if new_value is None:
            bins.pop(op.name, None)
        else:
            bins[op.name] = new_value
        _append_result(op.name, result, out, respond_all)
        return
    elif kind == OP_STRING_MODIFY:
        _check_bin_name(op.name)
        new_value, result = strings.operate(bins.get(op.name), op.data, modify=True)
        if new_value is not None:
            bins[op.name] = new_value
        _append_result(op.name, result, out, respond_all)
        return
    elif kind in UNSUPPORTED_OPS:
        raise CommandError(ERR_UNSUPPORTED_FEATURE, f"operation type {kind}")
    else:
        raise CommandError(ERR_PARAMETER, f"unknown operation type {kind}")
    if respond_all:
        out.append(encode_bin(op.name, particles.NIL, b""))


def _increment(current: Optional[BinValue], op: Op) -> BinValue:
    if op.ptype not in (particles.INTEGER, particles.DOUBLE):
        raise CommandError(ERR_INCOMPATIBLE_TYPE)
    delta = particles.decode_particle(op.ptype, op.data)
    if current is None:
        return particles.encode_particle(delta)
    if current[0] != op.ptype:
        raise CommandError(ERR_INCOMPATIBLE_TYPE)
    value = particles.decode_particle(current[0], current[1])
    if op.ptype == particles.INTEGER:
        return particles.encode_particle(particles.to_int64(value + delta))
    return particles.encode_particle(value + delta)


def _concatenate(current: Optional[BinValue], op: Op, append: bool) -> BinValue:
    if op.ptype not in (particles.STRING, particles.BLOB):
        raise CommandError(ERR_INCOMPATIBLE_TYPE)
    if current is None:
        return op.ptype, op.data
    if current[0] != op.ptype:
        raise CommandError(ERR_INCOMPATIBLE_TYPE)
    return op.ptype, (current[1] + op.data if append else op.data + current[1])
