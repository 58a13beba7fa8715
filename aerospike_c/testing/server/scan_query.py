"""Scans and queries by partition: partition filters, the secondary-index predicate, bin
selection, and the record stream with its partition-done markers.

Background scans/queries (those that write) run in background.py; an aggregation query
streams the values its stream UDF writes per partition (udf.py runs the Lua).
"""

from __future__ import annotations

import base64
import struct
import time
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from . import error_detail, geojson, particles
from .cdt_path import context_values
from .expressions import UNKNOWN, ExpRecord, compile_filter, expression_value, filter_passes
from .msg import (CHUNK_SIZE, FIELD_BVAL_ARRAY, FIELD_DIGEST, FIELD_DIGEST_ARRAY, FIELD_FILTER, FIELD_INDEX_CONTEXT, FIELD_INDEX_EXPRESSION, FIELD_INDEX_NAME, FIELD_INDEX_RANGE,
                  FIELD_INDEX_TYPE, FIELD_KEY, FIELD_MAX_RECORDS, FIELD_NAMESPACE, FIELD_PID_ARRAY, FIELD_QUERY_BINS, FIELD_RPS,
                  FIELD_SETNAME, FIELD_TASK_ID, FIELD_UDF_FUNCTION, FIELD_UDF_OP, INFO1_GET_NOBINDATA, INFO1_SHORT_QUERY,
                  INFO2_RESPOND_ALL_OPS, INFO2_WRITE, INFO3_PARTITION_DONE, OP_READ, READ_OPS, UNSUPPORTED_OPS, WRITE_OPS, Message, all_bins,
                  encode_bin, encode_field, last_message, response)
from .records import check_served, read_op, request_namespace
from .results import (ERR_NOT_FOUND, ERR_PARAMETER, ERR_SERVER, ERR_UNAVAILABLE, ERR_UNSUPPORTED_FEATURE, OK,
                      CommandError)
from .sindex import INDEX_TYPE_NAMES, SecondaryIndex, find_index, wyhash64
from .store import N_PARTITIONS, Namespace, NodeView, Record, Store, clock_seconds, partition_id
from .txn import check_not_strong
from .udf import run_stream_udf

_U32 = struct.Struct(">I")
_U64 = (1 << 64) - 1

#: as_query_job_throttle's bounds (query_job.c): a job sleeps only when more than SLEEP_MIN
#: ahead of its rate, and at most SLEEP_CAP after one record.
SLEEP_MIN = 0.001
SLEEP_CAP = 0.010


class Throttle:
    """A scan/query job's records-per-second limit (0: none), as query_job.c's
    throttle_sleep: after its n-th record a job sleeps until n / rps seconds past its start,
    at most SLEEP_CAP a time (so one job thread never runs below 1 / SLEEP_CAP records a
    second) and only when more than SLEEP_MIN ahead."""

    def __init__(self, rps: int) -> None:
        self.rps = rps
        self.start = time.monotonic()
        #: Records counted against the rate (a job's recs-throttled).
        self.count = 0

    def record(self) -> None:
        """Count one record; sleep when the job runs ahead of its rate."""
        if not self.rps:
            return
        self.count += 1
        ahead = self.count / self.rps - (time.monotonic() - self.start)
        if ahead > SLEEP_MIN:
            time.sleep(min(ahead, SLEEP_CAP))


class Predicate:
    """The secondary-index filter of a query."""

    __slots__ = ("bin_name", "ptype", "begin", "end", "index_type", "context", "expression")

    def __init__(self, bin_name: bytes, ptype: int, begin: Any, end: Any, index_type: int,
                 context: Optional[bytes]) -> None:
        self.bin_name = bin_name
        self.ptype = ptype
        self.begin = begin
        self.end = end
        self.index_type = index_type
        self.context = context
        #: The decoded expression of an expression index (its value is what is indexed).
        self.expression: Any = None

    def use_index(self, index: SecondaryIndex) -> None:
        """A query that names its index (FIELD_INDEX_NAME) sends no bin: it filters the
        index's bin, collection type and context."""
        self.bin_name = index.bin_name.encode()
        self.index_type = {name: code for code, name in INDEX_TYPE_NAMES.items()}[index.index_type]
        self.context = base64.b64decode(index.context) if index.context else None
        packed = index.packed_expression()
        if packed is not None:
            self.use_expression(packed)

    def use_expression(self, packed: bytes) -> None:
        """Filter the value of an expression index's expression instead of a bin."""
        try:
            self.expression = particles.unpack(packed)
        except particles.ParticleError:
            raise CommandError(ERR_PARAMETER, "bad index expression") from None

    def matches(self, record: Record, digest: bytes = bytes(20), now: int = 0) -> bool:
        """True when the record's indexed value falls in the filter."""
        return bool(self.matched_values(record, digest, now))

    @property
    def de_dup(self) -> bool:
        """query.c, get_query_range: a range query (integers from one value to another, any
        geo query) over a list/map index returns a record found under several of its values
        once per read of the index (query_collect_cb), not once per value."""
        is_range = self.ptype == particles.GEOJSON or (
            self.ptype == particles.INTEGER and self.begin != self.end)
        return is_range and self.index_type != 0

    def index_keys(self, record: Record, digest: bytes = bytes(20), now: int = 0
                   ) -> List[Tuple[int, int]]:
        """(query range, bval) of each index entry the query finds the record by: one per
        distinct matching value (an index holds a record once per value, sindex_tree.c
        btree_put). An integer is its own bval, a string or blob its hash, a geo shape the
        S2 cell it is indexed under; every range but a geo query's is the one, 0."""
        keys = set()
        for value in self.matched_values(record, digest, now):
            if self.ptype == particles.INTEGER:
                keys.add((0, value))
            elif self.ptype == particles.GEOJSON:
                keys.add(geojson.index_key(geojson.parse(value), self.begin))
            else:
                keys.add((0, _hash_value(self)))
        return sorted(keys)

    def matched_values(self, record: Record, digest: bytes = bytes(20), now: int = 0
                       ) -> List[Any]:
        """The record's indexed values that fall in the filter."""
        if self.expression is not None:
            return self._filter(self.index_type, expression_value(self.expression, record,
                                                                  digest, now))
        raw = record.bins.get(self.bin_name)
        if raw is None:
            return []
        if self.index_type == 0 and self.context is None:
            if raw[0] != self.ptype:
                return []
            value = particles.decode_particle(raw[0], raw[1])
            return [value] if self._match_value(value) else []
        try:
            value = particles.decode_particle(raw[0], raw[1])
            if self.context is None:
                return self._filter(self.index_type, value)
            values = context_values(value, self.context, record.bins)
        except (particles.ParticleError, CommandError):
            return []  # not in the index
        return [v for value in values for v in self._filter(self.index_type, value)]

    def _filter(self, index_type: int, value: Any) -> List[Any]:
        """The indexed values of `value` (itself, or its list elements, map keys or map
        values) that fall in the filter."""
        if value is UNKNOWN:
            return []  # a record the expression cannot evaluate is not in the index
        if index_type == 0:
            candidates = [value]
        elif index_type == 1:
            candidates = list(value) if isinstance(value, list) else []
        elif index_type == 2:
            candidates = list(value) if isinstance(value, dict) else []
        else:
            candidates = list(value.values()) if isinstance(value, dict) else []
        return [v for v in candidates if self._match_value(v)]

    def _match_value(self, value: Any) -> bool:
        if self.ptype == particles.GEOJSON:
            return type(value) is particles.GeoJSON and geojson.shapes_match(
                geojson.parse(value), self.begin)
        if self.ptype == particles.INTEGER:
            return type(value) is int and self.begin <= value <= self.end
        if self.ptype == particles.STRING:
            return type(value) is str and value == self.begin
        if self.ptype == particles.BLOB:
            return type(value) is bytes and value == self.begin
        return False


def parse_predicate(msg: Message) -> Predicate:
    """The predicate of a query's index-range field."""
    data = msg.fields[FIELD_INDEX_RANGE]
    try:
        if data[0] != 1:
            raise CommandError(ERR_PARAMETER, "exactly one filter is supported")
        name_len = data[1]
        bin_name = data[2:2 + name_len]
        pos = 2 + name_len
        ptype = data[pos]
        begin_len = _U32.unpack_from(data, pos + 1)[0]
        begin = data[pos + 5:pos + 5 + begin_len]
        pos += 5 + begin_len
        end_len = _U32.unpack_from(data, pos)[0]
        end = data[pos + 4:pos + 4 + end_len]
        if len(end) != end_len:
            raise CommandError(ERR_PARAMETER, "truncated index range")
    except (IndexError, struct.error):
        raise CommandError(ERR_PARAMETER, "bad index range") from None
    if ptype not in (particles.INTEGER, particles.STRING, particles.BLOB, particles.GEOJSON):
        raise CommandError(ERR_PARAMETER, "bad index range particle type")
    index_type_raw = msg.fields.get(FIELD_INDEX_TYPE, b"\x00")
    index_type = index_type_raw[0] if index_type_raw else 0
    if index_type not in INDEX_TYPE_NAMES:
        raise CommandError(ERR_PARAMETER, "bad index type")
    if ptype == particles.GEOJSON:  # the query's region or point, as text (no particle header)
        # GeoJSON a write would refuse with AS_ERR_GEO_INVALID_GEOJSON fails the query's
        # range, which is PARAMETER (query.c, get_query_range: range_from_msg_geojson's
        # geo_parse fails, and basic_query_job_start answers AS_ERR_PARAMETER)
        try:
            shape = geojson.parse(begin.decode("utf-8"))
        except (UnicodeDecodeError, CommandError):
            raise CommandError(ERR_PARAMETER, "bad geo query value") from None
        return Predicate(bin_name, ptype, shape, None, index_type,
                         msg.fields.get(FIELD_INDEX_CONTEXT))
    try:
        lo = particles.decode_particle(ptype, begin)
        hi = particles.decode_particle(ptype, end)
    except particles.ParticleError:
        raise CommandError(ERR_PARAMETER, "bad index range value") from None
    return Predicate(bin_name, ptype, lo, hi, index_type, msg.fields.get(FIELD_INDEX_CONTEXT))


def _requested_partitions(msg: Message, ns: Namespace, node: NodeView
                          ) -> Tuple[List[Tuple[int, Optional[bytes]]], bool]:
    """[(partition id, resume-after digest)], and whether partition-done markers are wanted."""
    pids = msg.fields.get(FIELD_PID_ARRAY)
    digests = msg.fields.get(FIELD_DIGEST_ARRAY)
    if pids is None and digests is None:
        return [(pid, None) for pid in range(N_PARTITIONS)
                if node.owns_partition(ns.name, pid)], False
    if FIELD_BVAL_ARRAY in msg.fields and digests is None:  # get_query_pids
        raise CommandError(ERR_PARAMETER, "got bval array but no digests")
    wanted: List[Tuple[int, Optional[bytes]]] = []
    if pids is not None:
        if len(pids) % 2:
            raise CommandError(ERR_PARAMETER, "bad partition id list")
        for i in range(0, len(pids), 2):
            pid = int.from_bytes(pids[i:i + 2], "little")
            if pid >= N_PARTITIONS:
                raise CommandError(ERR_PARAMETER, "bad partition id")
            wanted.append((pid, None))
    if digests is not None:
        if len(digests) % 20:
            raise CommandError(ERR_PARAMETER, "bad digest list")
        for i in range(0, len(digests), 20):
            digest = digests[i:i + 20]
            wanted.append((partition_id(digest), digest))
    return wanted, True


#: The UDF op field: an aggregation query's stream UDF, a background job's record UDF.
UDF_OP_AGGREGATE = b"\x01"
UDF_OP_BACKGROUND = b"\x02"


class ScanRequest:
    """What a scan/query asks for."""

    def __init__(self, store: Store, msg: Message, node: NodeView) -> None:
        self.msg = msg
        self.ns = request_namespace(store, msg)
        check_not_strong(self.ns, msg)  # a scan or query is never part of a transaction
        check_served(store, msg.ops)
        #: A background job's record UDF (UDF op 2), an aggregation's stream UDF (UDF op 1).
        udf_op = msg.fields.get(FIELD_UDF_OP)
        self.udf = udf_op == UDF_OP_BACKGROUND and bool(msg.info2 & INFO2_WRITE)
        self.aggregate = udf_op == UDF_OP_AGGREGATE and not msg.info2 & INFO2_WRITE
        if not (self.udf or self.aggregate) and (FIELD_UDF_OP in msg.fields
                                                 or FIELD_UDF_FUNCTION in msg.fields):
            raise CommandError(ERR_PARAMETER, "bad UDF op")
        if (self.aggregate or msg.info2 & INFO2_WRITE) and msg.info1 & INFO1_SHORT_QUERY:
            # query.c: aggr/udf_bg/ops_bg_query_job_start take long queries only
            raise CommandError(ERR_PARAMETER, "aggregation and background queries can't be short")
        if self.aggregate and FIELD_FILTER in msg.fields:  # aggr_query_job_start
            raise CommandError(ERR_UNSUPPORTED_FEATURE,
                               "aggregation queries do not support predexp filters")
        set_field = msg.fields.get(FIELD_SETNAME)
        self.set_name = set_field if set_field else None
        self.predicate: Optional[Predicate] = None
        #: The index a query with an index range walks.
        self.index: Optional[SecondaryIndex] = None
        if FIELD_INDEX_RANGE in msg.fields:
            self.predicate = parse_predicate(msg)
        self.rps = _records_per_second(msg)
        if (self.aggregate or msg.info2 & INFO2_WRITE) and self.set_name is not None \
                and self.set_name not in self.ns.set_names:
            # aggr/udf_bg/ops_bg_query_job_start: a set the namespace has never had is
            # NOT_FOUND (which the client takes as a job done), before the index is looked for
            raise CommandError(ERR_NOT_FOUND, "set not found")
        if self.predicate is not None:
            predicate = self.predicate
            expression = msg.fields.get(FIELD_INDEX_EXPRESSION)
            self.index = index = find_index(self.ns, self.set_name, predicate.bin_name,
                                            predicate.ptype, predicate.index_type,
                                            predicate.context is not None,
                                            msg.fields.get(FIELD_INDEX_NAME), expression)
            if FIELD_INDEX_NAME in msg.fields:
                predicate.use_index(index)
            elif expression is not None:
                predicate.use_expression(expression)
        elif FIELD_INDEX_EXPRESSION in msg.fields:
            raise CommandError(ERR_PARAMETER, "an index expression without an index range")
        self.partitions, self.report_done = _requested_partitions(msg, self.ns, node)
        resumed = [after for _, after in self.partitions if after is not None]
        values = _resume_values(msg)
        if self.predicate is not None and self.predicate.ptype == particles.GEOJSON:
            values = [value & _U64 for value in values]  # cell ids: unsigned
        #: Resumed partition (by its last digest) -> the index value that record was found by.
        self.resume_values: Dict[bytes, int] = dict(zip(resumed, values))
        max_records = msg.fields.get(FIELD_MAX_RECORDS)
        self.max_records = int.from_bytes(max_records, "big") if max_records else 0
        task_id = msg.fields.get(FIELD_TASK_ID)
        self.task_id = int.from_bytes(task_id, "big") if task_id else 0
        self.no_bins = bool(msg.info1 & INFO1_GET_NOBINDATA)
        self.background = bool(msg.info2 & INFO2_WRITE)
        self.select = [op.name for op in msg.ops if op.op == OP_READ and op.name]
        self.read_ops = [op for op in msg.ops if op.op != OP_READ]
        for op in self.read_ops:
            if op.op in UNSUPPORTED_OPS:
                raise CommandError(ERR_UNSUPPORTED_FEATURE, f"operation type {op.op}")
            if op.op not in (READ_OPS | WRITE_OPS if self.background else READ_OPS):
                raise CommandError(ERR_PARAMETER, f"unknown operation type {op.op}")
        names = msg.fields.get(FIELD_QUERY_BINS)
        if names:
            self.select.extend(_parse_query_bins(names))
        try:
            self.filter = compile_filter(msg.fields.get(FIELD_FILTER), store.version)
        except CommandError as exc:
            raise error_detail.build_failure(exc, "invalid filter expression in query") from None

    def wants(self, record: Record, digest: bytes, now: int) -> bool:
        """True when the record belongs in the results."""
        if self.set_name is not None and record.set_name != self.set_name:
            return False
        if self.predicate is not None and not self.predicate.matches(record, digest, now):
            return False
        return filter_passes(self.filter, record, digest, now)


def _records_per_second(msg: Message) -> int:
    """The job's records-per-second limit (0: none), as query.c's get_query_rps reads it:
    a u32 field, refused on a short query (which a server never throttles)."""
    data = msg.fields.get(FIELD_RPS)
    if data is None:
        return 0
    if msg.info1 & INFO1_SHORT_QUERY:
        raise CommandError(ERR_PARAMETER, "short query has recs-per-sec field")
    if len(data) != 4:
        raise CommandError(ERR_PARAMETER, "recs-per-sec field size not 4")
    return int(_U32.unpack(data)[0])


def _resume_values(msg: Message) -> List[int]:
    """The index value each resumed partition's last record was found by (FIELD_BVAL_ARRAY,
    little-endian int64s, one per digest), which query.c's get_query_pids requires of a
    query with an index range that resumes partitions; [] for any other scan/query."""
    digests = msg.fields.get(FIELD_DIGEST_ARRAY)
    if digests is None or FIELD_INDEX_RANGE not in msg.fields:
        return []
    data = msg.fields.get(FIELD_BVAL_ARRAY)
    if data is None:
        raise CommandError(ERR_PARAMETER, "got digests but no bval array")
    if len(data) // 8 != len(digests) // 20:
        raise CommandError(ERR_PARAMETER, "n_bvals != n_digests")
    return [value for (value,) in struct.iter_unpack("<q", data[:len(data) // 8 * 8])]


def _parse_query_bins(data: bytes) -> List[bytes]:
    names = []
    pos = 1
    for _ in range(data[0]):
        length = data[pos] if pos < len(data) else 0
        names.append(data[pos + 1:pos + 1 + length])
        pos += 1 + length
    return names


def partition_records(store: Store, ns: Namespace, pid: int, after: Optional[bytes],
                      now: int) -> List[Tuple[bytes, Record]]:
    """(digest, record) of a partition's live records in digest order, after `after`."""
    with store.lock:
        part = ns.partitions[pid]
        digests = sorted(part)
        if after is not None:
            digests = [d for d in digests if d > after]
        return [(d, part[d]) for d in digests if not part[d].expired(now)]


def _hash_value(predicate: Predicate) -> int:
    """The index value (bval) of the string/blob an equality query asks for: its hash
    (sindex.h, as_sindex_string_to_bval / as_sindex_blob_to_bval), a signed int64."""
    key = predicate.begin.encode() if isinstance(predicate.begin, str) else predicate.begin
    value = wyhash64(key)
    return value - (1 << 64) if value >> 63 else value


#: sindex_tree.c, MAX_QUERY_BURST: a query reads a partition's index this many entries at a
#: time; de-duplication (Predicate.de_dup) only sees the entries of one read.
QUERY_BURST = 100


def index_records(store: Store, request: ScanRequest, pid: int, after: Optional[bytes],
                  now: int) -> List[Tuple[bytes, Record, int]]:
    """(digest, record, bval) of each index entry of a partition the query finds, in the
    index's order (sindex_tree.c, key_cmp: bval, unsigned for geo cell ids, then digest)
    and, resuming, after the (bval, digest) of the last record the client had (query_reduce
    starts there; as_sindex_tree_query skips the geo ranges that end before it). A record
    found under several values comes once per value, except where the query de-duplicates:
    then once per read of QUERY_BURST entries of one query range (query_collect_cb), so a
    resumed query, which starts a new read, returns it again for its later values.

    A read counts every entry it visits (query_collect_cb's n_keys_reduced), not only those
    it returns: the entries of expired records (in the index until nsup removes them; the
    job's callback skips them) and, for an index on no set, those of other sets' records
    (the callback's excluded_set). Records of other sets than the index's are not in it.
    A geo query's covering cells, not computed here (geojson.index_key), would also visit
    points outside the region."""
    predicate, index = request.predicate, request.index
    assert predicate is not None and index is not None
    index_set = index.set_name.encode()
    entries = []
    with store.lock:
        for digest, record in request.ns.partitions[pid].items():
            if index_set and record.set_name != index_set:
                continue
            for query_range, bval in predicate.index_keys(record, digest, now):
                entries.append((bval, digest, query_range, record))
    entries.sort(key=lambda entry: entry[:2])
    if after is not None:
        resume = (request.resume_values[after], after)
        entries = [entry for entry in entries if entry[:2] > resume]
    found = []
    read: Set[bytes] = set()
    read_size, read_range = 0, None
    for bval, digest, query_range, record in entries:
        if query_range != read_range or read_size == QUERY_BURST:
            read, read_size, read_range = set(), 0, query_range
        read_size += 1
        if predicate.de_dup and digest in read:
            continue
        read.add(digest)
        if not record.expired(now):
            found.append((digest, record, bval))
    return found


def found_records(store: Store, request: ScanRequest, pid: int, after: Optional[bytes],
                  now: int) -> List[Tuple[bytes, Record, int]]:
    """(digest, record, bval) of what a scan/query walks in a partition: its index entries
    (index_records) or, without an index, its records in digest order (bval 0)."""
    if request.predicate is not None:
        return index_records(store, request, pid, after, now)
    return [(digest, record, 0) for digest, record
            in partition_records(store, request.ns, pid, after, now)]


def stream_records(store: Store, request: ScanRequest, node: NodeView) -> Iterator[bytes]:
    """The reply of a (foreground) scan/query: matching records, partition by partition."""
    if request.aggregate:
        yield from stream_aggregation(store, request, node)
        return
    ns = request.ns
    ns_field = encode_field(FIELD_NAMESPACE, ns.name.encode())
    now = clock_seconds()
    chunk = bytearray()
    sent = 0
    limit = request.max_records
    throttle = Throttle(request.rps)
    for pid, after in request.partitions:
        if not node.owns_partition(ns.name, pid):
            if request.report_done:
                chunk += response(ERR_UNAVAILABLE, pid, info3=INFO3_PARTITION_DONE)
            continue
        finished = True
        for digest, record, value in found_records(store, request, pid, after, now):
            if limit and sent >= limit:
                finished = False
                break
            with store.lock:
                try:
                    if not request.wants(record, digest, now):
                        continue
                    message = _record_message(request, ns_field, digest, record, value)
                except CommandError as exc:  # the filter or a read operation failed: so does
                    yield bytes(chunk + last_message(exc.code))  # the scan, loudly
                    return
            if not message:
                continue
            chunk += message
            sent += 1
            throttle.record()
            if len(chunk) >= CHUNK_SIZE:
                yield bytes(chunk)
                chunk.clear()
        if not finished:
            break
        if request.report_done:
            chunk += response(OK, pid, info3=INFO3_PARTITION_DONE)
    chunk += last_message()
    yield bytes(chunk)


def stream_aggregation(store: Store, request: ScanRequest, node: NodeView) -> Iterator[bytes]:
    """The reply of an aggregation query: per partition with matching records, the values of
    its stream UDF run over them; a failed run ends the query (a server abandons the job)."""
    ns = request.ns
    now = clock_seconds()
    chunk = bytearray()
    throttle = Throttle(request.rps)
    for pid, after in request.partitions:
        if not node.owns_partition(ns.name, pid):
            if request.report_done:
                chunk += response(ERR_UNAVAILABLE, pid, info3=INFO3_PARTITION_DONE)
            continue
        matching = []
        for digest, record, _ in found_records(store, request, pid, after, now):
            with store.lock:
                try:
                    wanted = request.wants(record, digest, now)
                except CommandError as exc:  # the filter failed: so does the query, loudly
                    yield bytes(chunk + last_message(exc.code))
                    return
            if wanted:
                matching.append((digest, record))
                throttle.record()
        if matching:
            messages, failed = run_stream_udf(store, matching, request.msg, now)
            chunk += b"".join(messages)
            if failed:
                yield bytes(chunk + last_message(ERR_SERVER))
                return
        if request.report_done:
            chunk += response(OK, pid, info3=INFO3_PARTITION_DONE)
        if len(chunk) >= CHUNK_SIZE:
            yield bytes(chunk)
            chunk.clear()
    chunk += last_message()
    yield bytes(chunk)


def _record_message(request: ScanRequest, ns_field: bytes, digest: bytes,
                    record: Record, value: int) -> bytes:
    fields = ns_field + encode_field(FIELD_DIGEST, digest)
    n_fields = 2
    if record.set_name:
        fields += encode_field(FIELD_SETNAME, record.set_name)
        n_fields += 1
    if record.key is not None:
        fields += encode_field(FIELD_KEY, bytes([record.key[0]]) + record.key[1])
        n_fields += 1
    if request.predicate is not None:
        # a server tells the index value each record was found by (the client sends the
        # last one back to resume the partition): an integer, a string's or blob's hash, a
        # geo cell id (as_msg_make_response_bufbuilder, for any index query)
        fields += encode_field(FIELD_BVAL_ARRAY, struct.pack("<Q", value & _U64))
        n_fields += 1
    if request.no_bins:
        bins, n_bins = b"", 0
    elif request.read_ops:
        out: List[bytes] = []
        for op in request.msg.ops:
            read_op(op, record.bins, out, bool(request.msg.info2 & INFO2_RESPOND_ALL_OPS),
                    ExpRecord(record, digest, clock_seconds()))
        bins, n_bins = b"".join(out), len(out)
    elif request.select:
        out = [encode_bin(name, *record.bins[name]) for name in request.select
               if name in record.bins]
        if not out:
            return b""  # a server does not return a record holding none of the selected bins
        bins, n_bins = b"".join(out), len(out)
    else:
        bins, n_bins = all_bins(record), len(record.bins)
    return response(OK, record.generation, record.void_time, fields=fields, n_fields=n_fields,
                    bins=bins, n_bins=n_bins)
