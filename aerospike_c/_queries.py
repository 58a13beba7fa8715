"""Client methods for multi-record work (batch, scan, query, info, index, UDF, truncate).

Mixed into `aerospike_c.Client`; each method calls C-faithful functions with the
client's `aerospike` instance (`self._as`).

    for record in client.scan("test", "demo", bins=["name"]):     # an iterator of Record
        ...
    adults = list(client.query("test", "demo", where=("age", 18, 120)))
    records = client.batch_get([("test", "demo", 1), ("test", "demo", 2)])   # Record or None
    results = client.batch_records([BatchRead(k1), BatchWrite(k2, {"n": 1}), BatchRemove(k3)])
    client.info("namespaces"); client.info_all("build")
    client.index_create("test", "demo", "age", "demo_age", AS_INDEX_NUMERIC)
    client.udf_put("mymodule.lua"); client.truncate("test", "demo")
    total = next(client.aggregate("test", "demo", "mymodule", "sum", ["age"]))   # stream UDF

A `policy` is None (the client's default), a policy view (`as_policy_scan_init()` …) or a
dict of its fields applied to a copy of the client's default, as for the record methods.

Scan and query iterators: the C scan runs on a worker thread; its callback (called by C,
one record at a time, from whichever C thread reads that node) puts each record into a
bounded queue the iterator reads. Breaking out of the loop (or closing the iterator, or
dropping it) sets a stop flag and drains the queue: the callback, blocked or next called,
then returns false, C stops every node's scan and the worker ends; the iterator waits for
that, so the client can be closed right after. Why not collect-then-yield: a scan can be
far bigger than memory and an early break should stop the server's work, not wait for
all of it. Errors of the scan are raised by the iterator. An iterator left unfinished
and still referenced keeps its scan (and one connection per node) paused. An iterator
collected by a garbage-collection pass stops its scan without waiting for it (a
finalizer never blocks: the pass may run on any thread, a C client thread included).
"""
from __future__ import annotations

import collections
import functools
import gc
import os
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import (
    Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union,
)

from . import bindings as c
from .bindings.aerospike_batch import batch_outcomes, batch_rows
from .bindings.as_batch import status_of
from .bindings.asc_batch import ROWS_BINS, ROWS_RECORDS, RecordCallback, batch_read, new_record
from .bindings.as_error import as_error_string
from .bindings.as_operations import as_operations
from .bindings.as_record import Record
from .bindings.as_status import as_status
from .exceptions import AerospikeError, AerospikeTimeoutError, BatchFailedError, error_class
from ._records import Operation

__all__ = ["QueryMethods", "BatchRead", "BatchWrite", "BatchApply", "BatchRemove", "BatchResult"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: How long an iterator waits, after a break, for its C scan to stop (bounded by C's timeouts).
_STOP_WAIT = 60.0
_DONE = object()
#: Batch read results that are not errors (a set of ints: an as_status lookup per row costs
#: about 0.4 us, a tenth of a small record's whole budget).
_READ_OUTCOMES = frozenset((int(as_status.AEROSPIKE_OK),
                            int(as_status.AEROSPIKE_ERR_RECORD_NOT_FOUND)))


def info_value(response: str) -> str:
    """The value of a one-command info response ("build\\t8.0.0.1\\n" -> "8.0.0.1")."""
    _, tab, value = response.partition("\t")
    return (value if tab else response).rstrip("\n")


def _udf_names(response: str) -> List[str]:
    """Module names in a udf-list value: "filename=a.lua,hash=…,type=LUA;…"."""
    names = []
    for entry in info_value(response).split(";"):
        for field in entry.split(","):
            key, _, value = field.partition("=")
            if key == "filename":
                names.append(value)
    return names


def _check_wait_timeout(timeout: Any) -> None:
    """A UDF wait's `timeout`: seconds, a real number >= 0 (a NaN deadline is never reached)."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
    if not 0 <= timeout < float("inf"):
        raise ValueError(f"timeout must be a finite number of seconds >= 0, got {timeout!r}")


def _nanos(before: Union[None, int, datetime]) -> int:
    if before is None:
        return 0
    if isinstance(before, datetime):
        if before.tzinfo is None:
            raise ValueError("before must be timezone-aware (e.g. datetime.now(timezone.utc))")
        return (before - _EPOCH) // timedelta(microseconds=1) * 1000
    return before


# -- requests and results of batch_records ----------------------------------------------------
@dataclass(frozen=True)
class BatchRead:
    """Read `bins` (None: all; [] : metadata only) of `key`."""

    key: Any
    bins: Optional[Sequence[str]] = None


@dataclass(frozen=True)
class BatchWrite:
    """Write `bins` ({name: value}) of `key`, or run `ops` (an as_operations or a list of
    record-method `ops.*` operations)."""

    key: Any
    bins: Optional[Mapping[str, Any]] = None
    ops: Any = None


@dataclass(frozen=True)
class BatchApply:
    """Run UDF `module.function(record, *args)` on `key`."""

    key: Any
    module: str
    function: str
    args: Sequence[Any] = ()


@dataclass(frozen=True)
class BatchRemove:
    """Remove `key`."""

    key: Any


@dataclass(frozen=True)
class BatchResult:
    """One record's outcome: its key, status (an as_status), record (Record when OK),
    in_doubt (a write may have happened) and the error for a failed record."""

    key: Any
    result: int
    record: Optional[Record]
    in_doubt: bool
    error: Optional[AerospikeError]


def _record_error(result: int, message: Optional[str], in_doubt: bool = False,
                  batch_error: Optional[AerospikeError] = None,
                  subcode: int = 0) -> AerospikeError:
    """The exception for one failed batch record (`subcode`: the row's server 8.2 error-detail
    subcode); where C set it is the batch's error."""
    text = message or as_error_string(result)
    if batch_error is None:
        return error_class(result)(result, text, subcode=subcode, in_doubt=in_doubt)
    return error_class(result)(result, text, subcode=subcode, in_doubt=in_doubt,
                               func=batch_error.func, file=batch_error.file,
                               line=batch_error.line)


def _where(query: Any, where: Tuple[Any, ...]) -> None:
    """Add one predicate: (bin, value) equality, (bin, low, high) integer range, or
    (bin, *C predicate macro) such as ("age", *as_integer_range(1, 9))."""
    if not isinstance(where, tuple) or len(where) < 2:
        raise TypeError("where is (bin, value), (bin, low, high) or (bin, *as_<predicate>(...))")
    bin_name, args = where[0], where[1:]
    if len(args) == 1:
        value = args[0]
        if isinstance(value, str):
            args = c.as_string_equals(value)
        elif isinstance(value, (bytes, bytearray)):
            args = c.as_blob_equals(bytes(value))
        else:
            args = c.as_integer_equals(value)
    elif len(args) == 2:
        args = c.as_integer_range(*args)
    c.as_query_where_init(query, 1)
    c.as_query_where(query, bin_name, *args)


def _select(select_init: Callable[..., bool], select: Callable[..., bool], target: Any,
            bins: Optional[Sequence[str]]) -> None:
    if bins is None:
        return
    if isinstance(bins, str):
        raise TypeError("bins is a list of bin names, not a str")
    select_init(target, len(bins))
    for name in bins:
        select(target, name)


def _partition_filter(partitions: Any) -> Any:
    """None, an as_partition_filter, a partition id, or (begin, count)."""
    if partitions is None or isinstance(partitions, c.as_partition_filter):
        return partitions
    pf = c.as_partition_filter()
    if isinstance(partitions, tuple) and len(partitions) == 2:
        c.as_partition_filter_set_range(pf, *partitions)
    else:
        c.as_partition_filter_set_id(pf, partitions)
    return pf


class QueryMethods:
    """Batch, scan, query, info, index, UDF and truncate operations of `Client`."""

    __slots__ = ()
    _as: Any
    _policy: Callable[..., Any]  # from RecordMethods: (kind, policy[, filter_exp, txn]) -> policy

    # -- info ---------------------------------------------------------------------------------
    def info(self, command: str, *, node: Optional[str] = None,
             host: Optional[Tuple[str, int]] = None, policy: Any = None) -> str:
        """The value of one info command, from `node` (a node name), `host` (host, port)
        or any node."""
        if node is not None and host is not None:
            raise TypeError("pass node or host, not both")
        policy = self._policy("info", policy)
        if node is not None:
            response = c.aerospike_info_node(self._as, policy, node, command)
        elif host is not None:
            response = c.aerospike_info_host(self._as, policy, host[0], host[1], command)
        else:
            response = c.aerospike_info_any(self._as, policy, command)
        return info_value(response)

    def info_all(self, command: str, *, policy: Any = None) -> Dict[str, str]:
        """{node name: value} of one info command sent to every node."""
        values: Dict[str, str] = {}

        def collect(err: None, node: str, req: str, res: str, udata: Any) -> bool:
            values[node] = info_value(res)
            return True

        c.aerospike_info_foreach(self._as, self._policy("info", policy), command, collect)
        return values

    # -- secondary indexes ---------------------------------------------------------------------
    def index_create(self, namespace: str, set: Optional[str], bin: str, name: str,
                     datatype: int, *, index_type: int = c.AS_INDEX_TYPE_DEFAULT,
                     wait: bool = True, policy: Any = None) -> Any:
        """Create index `name` over `bin` (datatype: AS_INDEX_STRING, AS_INDEX_NUMERIC …);
        with wait, return once it is built on every node. Returns the as_index_task."""
        task = c.aerospike_index_create_complex(self._as, self._policy("info", policy), namespace,
                                                set, bin, name, index_type, datatype)
        if wait:
            c.aerospike_index_create_wait(task, 100)
        return task

    def index_remove(self, namespace: str, name: str, *, policy: Any = None) -> None:
        """Drop index `name` of `namespace`."""
        c.aerospike_index_remove(self._as, self._policy("info", policy), namespace, name)

    # -- UDF modules ---------------------------------------------------------------------------
    def udf_put(self, filename: str, content: Optional[bytes] = None, *, wait: bool = True,
                timeout: float = 30.0, policy: Any = None) -> None:
        """Register a Lua module: `content`, or the file at `filename` when content is None.
        The module is named after the file's base name. With wait, return once every node
        lists it (AerospikeTimeoutError after `timeout` seconds)."""
        _check_wait_timeout(timeout)
        if content is None:
            with open(filename, "rb") as source:
                content = source.read()
        c.aerospike_udf_put(self._as, self._policy("info", policy), filename, c.AS_UDF_TYPE_LUA,
                            content)
        if wait:
            self._udf_wait(os.path.basename(filename), True, timeout, policy)

    def udf_remove(self, module: str, *, wait: bool = True, timeout: float = 30.0,
                   policy: Any = None) -> None:
        """Unregister `module`; with wait, return once no node lists it."""
        _check_wait_timeout(timeout)
        c.aerospike_udf_remove(self._as, self._policy("info", policy), module)
        if wait:
            self._udf_wait(os.path.basename(module), False, timeout, policy)

    def udf_list(self, *, policy: Any = None) -> List["c.as_udf_file"]:
        """The registered modules (name, hash, type)."""
        return c.aerospike_udf_list(self._as, self._policy("info", policy))

    def udf_get(self, module: str, *, policy: Any = None) -> bytes:
        """The source of a registered module."""
        return c.aerospike_udf_get(self._as, self._policy("info", policy), module,
                                   c.AS_UDF_TYPE_LUA).content

    def _udf_wait(self, module: str, present: bool, timeout: float, policy: Any) -> None:
        # Like aerospike_udf_put_wait/remove_wait, which poll udf-list on every node,
        # but bounded: the C functions loop until done, without a time limit.
        deadline = time.monotonic() + timeout
        while True:
            listed = [module in _udf_names(value)
                      for value in self.info_all("udf-list", policy=policy).values()]
            if listed and all(found == present for found in listed):
                return
            if time.monotonic() >= deadline:
                state = "registered" if present else "removed"
                raise AerospikeTimeoutError(
                    as_status.AEROSPIKE_ERR_TIMEOUT,
                    f"UDF module {module} not {state} on every node after {timeout} s")
            time.sleep(0.05)

    # -- truncate ------------------------------------------------------------------------------
    def truncate(self, namespace: str, set: Optional[str] = None,
                 before: Union[None, int, datetime] = None, *, policy: Any = None) -> None:
        """Remove every record of `set` (None: the whole namespace) last updated before
        `before` (an aware datetime or nanoseconds since the epoch; None: now)."""
        c.aerospike_truncate(self._as, self._policy("info", policy), namespace, set,
                             _nanos(before))

    # -- background jobs -----------------------------------------------------------------------
    def job_wait(self, module: str, job_id: int, *, interval_ms: int = 100,
                 policy: Any = None) -> None:
        """Wait until background job `job_id` of `module` ("scan"/"query") has finished."""
        c.aerospike_job_wait(self._as, self._policy("info", policy), module, job_id, interval_ms)

    def job_info(self, module: str, job_id: int, *, policy: Any = None) -> "c.as_job_info":
        """Status, progress and records read of background job `job_id`."""
        return c.aerospike_job_info(self._as, self._policy("info", policy), module, job_id,
                                    False)

    # -- scans ---------------------------------------------------------------------------------
    def _scan(self, namespace: str, set: Optional[str], bins: Optional[Sequence[str]],
              no_bins: bool, concurrent: bool) -> Any:
        scan = c.as_scan_init(namespace, set)
        _select(c.as_scan_select_init, c.as_scan_select, scan, bins)
        scan.no_bins = no_bins
        scan.concurrent = concurrent
        return scan

    def scan_foreach(self, namespace: str, set: Optional[str],
                     callback: Callable[[Optional[Record]], Any], *,
                     bins: Optional[Sequence[str]] = None, no_bins: bool = False,
                     concurrent: bool = False, partitions: Any = None,
                     policy: Any = None, filter_exp: Any = None) -> None:
        """Call `callback(record)` for each record of the set (None: the namespace), then
        `callback(None)`; a false return (not None) stops the scan. With concurrent, nodes
        are scanned in parallel and the calls, though from several threads, come one at a
        time. `partitions`: an as_partition_filter, a partition id or (begin, count)."""
        scan = self._scan(namespace, set, bins, no_bins, concurrent)
        try:
            self._run(c.aerospike_scan_foreach, c.aerospike_scan_partitions, scan, partitions,
                      self._policy("scan", policy, filter_exp), RecordCallback(callback))
        finally:
            scan.discard()

    def scan(self, namespace: str, set: Optional[str] = None, *,
             bins: Optional[Sequence[str]] = None, no_bins: bool = False,
             concurrent: bool = False, partitions: Any = None, policy: Any = None,
             buffer: int = 256, filter_exp: Any = None) -> Iterator[Record]:
        """Iterate over the records of a set (None: the namespace), as `Record`s. At most
        `buffer` records wait in memory; breaking out of the loop stops the scan."""
        scan = self._scan(namespace, set, bins, no_bins, concurrent)
        run = functools.partial(self._run, c.aerospike_scan_foreach, c.aerospike_scan_partitions,
                                scan, partitions, self._policy("scan", policy, filter_exp))
        return _stream(run, scan.discard, buffer)

    def _run(self, foreach: Callable[..., None], by_partitions: Callable[..., None], target: Any,
             partitions: Any, policy: Any, callback: Callable[[Any, Any], Any]) -> None:
        """A scan/query `target` over every partition, or those of `partitions`."""
        pf = _partition_filter(partitions)
        if pf is None:
            foreach(self._as, policy, target, callback)
        else:
            by_partitions(self._as, policy, target, pf, callback)

    def scan_background(self, namespace: str, set: Optional[str], *, ops: Any = None,
                        udf: Optional[Tuple[str, str, Sequence[Any]]] = None,
                        policy: Any = None, wait: bool = True, filter_exp: Any = None) -> int:
        """Run `ops` (an as_operations) or `udf` (module, function, args) on every record,
        on the server; returns the job id (with wait, once the job is done)."""
        scan = c.as_scan_init(namespace, set)
        try:
            _background_work(scan, ops, udf, c.as_scan_apply_each)
            job_id = c.aerospike_scan_background(self._as, self._policy("scan", policy, filter_exp),
                                                 scan)
        finally:
            scan.discard()
        if wait:
            self.job_wait("scan", job_id)
        return job_id

    # -- queries -------------------------------------------------------------------------------
    def _query(self, namespace: str, set: Optional[str], where: Any,
               bins: Optional[Sequence[str]], no_bins: bool, max_records: int) -> Any:
        query = c.as_query_init(namespace, set)
        if where is not None:
            _where(query, where)
        _select(c.as_query_select_init, c.as_query_select, query, bins)
        query.no_bins = no_bins
        query.max_records = max_records
        return query

    def query_foreach(self, namespace: str, set: Optional[str], where: Any,
                      callback: Callable[[Optional[Record]], Any], *,
                      bins: Optional[Sequence[str]] = None, no_bins: bool = False,
                      max_records: int = 0, partitions: Any = None,
                      policy: Any = None, filter_exp: Any = None) -> None:
        """Call `callback(record)` for each record matching `where` (None: every record),
        then `callback(None)`; a false return (not None) stops the query.
        where: (bin, value) equality (int, str, bytes), (bin, low, high) integer range, or
        (bin, *as_<predicate>(...)), on a bin with a secondary index."""
        query = self._query(namespace, set, where, bins, no_bins, max_records)
        try:
            self._run(c.aerospike_query_foreach, c.aerospike_query_partitions, query, partitions,
                      self._policy("query", policy, filter_exp),
                      lambda record, udata: callback(record))
        finally:
            query.discard()

    def query(self, namespace: str, set: Optional[str] = None, *, where: Any = None,
              bins: Optional[Sequence[str]] = None, no_bins: bool = False,
              max_records: int = 0, partitions: Any = None, policy: Any = None,
              buffer: int = 256, filter_exp: Any = None) -> Iterator[Record]:
        """Iterate over the records matching `where` (see query_foreach), as `Record`s."""
        query = self._query(namespace, set, where, bins, no_bins, max_records)
        run = functools.partial(self._run, c.aerospike_query_foreach,
                                c.aerospike_query_partitions, query, partitions,
                                self._policy("query", policy, filter_exp))
        return _stream(run, query.discard, buffer)

    def query_background(self, namespace: str, set: Optional[str], where: Any, *,
                         ops: Any = None, udf: Optional[Tuple[str, str, Sequence[Any]]] = None,
                         policy: Any = None, wait: bool = True, filter_exp: Any = None) -> int:
        """Run `ops` or `udf` on every record matching `where` (see query_foreach), on the
        server (policy: a write policy); returns the job id (with wait, once done)."""
        query = self._query(namespace, set, where, None, False, 0)
        try:
            _background_work(query, ops, udf, c.as_query_apply)
            job_id = c.aerospike_query_background(
                self._as, self._policy("write", policy, filter_exp), query)
            if wait:
                c.aerospike_query_wait(self._as, None, query, job_id, 100)
        finally:
            query.discard()
        return job_id

    # -- aggregation ---------------------------------------------------------------------------
    def _aggregation(self, namespace: str, set: Optional[str], module: str, function: str,
                     args: Sequence[Any], where: Any) -> Any:
        query = self._query(namespace, set, where, None, False, 0)
        try:
            c.as_query_apply(query, module, function, list(args))
        except BaseException:
            query.discard()
            raise
        return query

    def _aggregate(self, query: Any, policy: Any, callback: Callable[[Any, Any], Any]) -> None:
        try:
            c.aerospike_query_foreach(self._as, policy, query, callback)
        except AerospikeError as exc:
            raise _udf_error(exc) from exc

    def aggregate_foreach(self, namespace: str, set: Optional[str], module: str, function: str,
                          args: Sequence[Any], callback: Callable[[Any], Any], *,
                          where: Any = None, policy: Any = None) -> None:
        """Run the stream UDF module.function(stream, *args) over the records matching `where`
        (see query_foreach; None: every record) and call `callback(value)` for each value
        the stream ends with (the client finishing its reduce), then `callback(None)`; a
        false return (not None) stops the query. as_query_apply + aerospike_query_foreach:
        the client loads the module from its Lua user path (Config(lua={"user_path": dir}),
        aerospike_init_lua). A Lua error, on a server or in the client's reduce, is a
        UDFError with the message the C client reports ("UDF: Execution Error ...")."""
        query = self._aggregation(namespace, set, module, function, args, where)
        try:
            self._aggregate(query, self._policy("query", policy),
                            lambda value, udata: callback(value))
        finally:
            query.discard()

    def aggregate(self, namespace: str, set: Optional[str], module: str, function: str,
                  args: Sequence[Any] = (), *, where: Any = None, policy: Any = None,
                  buffer: int = 256) -> Iterator[Any]:
        """Iterate over the values of the stream UDF module.function(stream, *args) over the
        records matching `where` (see aggregate_foreach). A stream that ends with a reduce
        gives one value (none when no record matched)."""
        query = self._aggregation(namespace, set, module, function, args, where)
        run = functools.partial(self._aggregate, query, self._policy("query", policy))
        return _stream(run, query.discard, buffer)

    # -- batches -------------------------------------------------------------------------------
    def _batch(self, keys: Sequence[Any]) -> Any:
        batch = c.as_batch_init(len(keys))
        try:
            batch.set_keys(keys)
        except BaseException:
            batch.discard()
            raise
        return batch

    def _batch_call(self, keys: Sequence[Any], run: Callable[[Any, Callable[..., Any]], None]
                    ) -> Tuple[List["c.as_batch_result"], Optional[BatchFailedError]]:
        """Run a key-list batch call: its results in key order (per-key failures included)
        and C's BatchFailedError when some key failed."""
        results: List[c.as_batch_result] = []
        failed = None
        batch = self._batch(keys)
        try:
            run(batch, lambda found, n, udata: results.extend(found))
        except BatchFailedError as error:
            if len(results) != len(keys):
                raise
            failed = error
        finally:
            batch.discard()
        return results, failed

    def batch_get(self, keys: Sequence[Any], bins: Optional[Sequence[str]] = None, *,
                  policy: Any = None, filter_exp: Any = None,
                  txn: Any = None) -> List[Optional[Record]]:
        """The record of each key (None where not found), reading `bins` (None: all).
        A key that failed otherwise raises its error (one filter_exp filtered out:
        FILTERED_OUT; batch_records() reports each record's status instead)."""
        policy = self._policy("batch", policy, filter_exp, txn)
        keys = listed(keys, "keys")
        if bins is None:
            lean = batch_read(self._as, policy, keys, ROWS_RECORDS)
            if lean is not None:
                rows, failed, n_failed = lean
                if n_failed:
                    _raise_lean_failure(rows, failed)
                return rows  # built in C
            rows, failed = self._batch_rows("aerospike_batch_get", keys, policy)
        else:
            rows, failed = self._batch_rows("aerospike_batch_get_bins", keys, policy,
                                            listed(bins, "bins"))
        _raise_row_failure(rows, failed)
        return [new_record((tuple(row[0]), {"gen": row[5], "ttl": row[6]}, row[7]))
                if row[1] == 0 else None for row in rows]

    def batch_bins(self, keys: Sequence[Any], bins: Optional[Sequence[str]] = None, *,
                   policy: Any = None, filter_exp: Any = None) -> List[Optional[Dict[str, Any]]]:
        """The bins of each key's record (None where not found), without the keys and
        metadata batch_get() builds: its lean form. A key that failed otherwise raises."""
        keys = listed(keys, "keys")
        if bins is None:
            lean = batch_read(self._as, self._policy("batch", policy, filter_exp), keys, ROWS_BINS)
            if lean is not None:
                rows, failed, n_failed = lean
                if n_failed:
                    _raise_lean_failure(rows, failed)
                return rows
        return [None if record is None else record.bins
                for record in self.batch_get(keys, bins, policy=policy, filter_exp=filter_exp)]

    def _batch_rows(self, function: str, keys: Sequence[Any], policy: Any,
                    bins: Optional[List[str]] = None
                    ) -> Tuple[List[List[Any]], Optional[BatchFailedError]]:
        """Run a key-list batch read (see batch_rows): a row per key, C's BatchFailedError."""
        batch = self._batch(keys)
        try:
            return batch_rows(function, self._as, policy, batch, bins)
        finally:
            batch.discard()

    def batch_exists(self, keys: Sequence[Any], *, policy: Any = None, filter_exp: Any = None,
                     txn: Any = None) -> List[Optional[Dict[str, int]]]:
        """The metadata {"gen", "ttl"} of each key (None where not found)."""
        rows, failed = self._batch_rows("aerospike_batch_exists", listed(keys, "keys"),
                                        self._policy("batch", policy, filter_exp, txn))
        _raise_row_failure(rows, failed)
        return [{"gen": row[5], "ttl": row[6]} if row[1] == 0 else None for row in rows]

    def batch_remove(self, keys: Sequence[Any], *, policy: Any = None,
                     filter_exp: Any = None, txn: Any = None) -> List[BatchResult]:
        """Remove every key; the outcome per key."""
        policy = self._policy("batch", policy, filter_exp, txn)
        results, failed = self._batch_call(listed(keys, "keys"), lambda batch, listener: c.aerospike_batch_remove(
            self._as, policy, None, batch, listener))
        return [_batch_result(r.key, r.result, r.record, r.in_doubt, r.message, failed,
                              r.subcode) for r in results]

    def batch_records(self, requests: Sequence[Union[BatchRead, BatchWrite, BatchApply,
                                                     BatchRemove]], *,
                      policy: Any = None, filter_exp: Any = None,
                      txn: Any = None) -> List[BatchResult]:
        """Run reads, writes, UDF calls and removes in one batch; one BatchResult per request,
        in order. Per-record failures are reported there, not raised."""
        requests = listed(requests, "requests")
        records = c.as_batch_records_init(len(requests))
        try:
            for request in requests:
                _reserve(records, request)
            writes = any(not isinstance(request, BatchRead) for request in requests)
            run = c.aerospike_batch_write if writes else c.aerospike_batch_read
            failed = None
            try:
                run(self._as, self._policy("batch_parent_write" if writes else "batch", policy,
                                           filter_exp, txn), records)
            except BatchFailedError as error:
                failed = error  # every record carries its own result
            return [_batch_result(r.key, r.result, r.record, r.in_doubt, r.message, failed,
                                  r.subcode) for r in batch_outcomes(records)]
        finally:
            records.discard()


def listed(items: Any, what: str) -> List[Any]:
    """Keys, requests or bin names given as any iterable, as a list: read once, so that the
    fast path and the general one (and len()) see the same items. A str is not a list."""
    if type(items) is list:
        return items
    if isinstance(items, (str, bytes)):
        raise TypeError(f"{what} is a list, not a {type(items).__name__}")
    try:
        return list(items)
    except TypeError:
        raise TypeError(f"{what} must be a list (or another iterable), not "
                        f"{type(items).__name__}") from None


def lean_records(keys: Sequence[Any], lean: Tuple[List[Any], Optional[AerospikeError], int]
                 ) -> List[Optional[Record]]:
    """batch_get's records from batch_read()'s lean ROWS_RECORDS rows (also aio's): the
    error of the first record that failed other than by not found is raised."""
    rows, failed, n_failed = lean
    if n_failed:
        _raise_lean_failure(rows, failed)
    if failed is None:
        return rows  # built in C
    return [None if row is None else
            new_record(((key[0], key[1], key[2], row[2]), {"gen": row[0], "ttl": row[1]}, row[3]))
            for key, row in zip(keys, rows)]


def _raise_lean_failure(rows: List[Any], failed: Optional[AerospikeError]) -> None:
    """Raise the error of the first batch_read() row that failed other than by not found."""
    for row in rows:
        if type(row) is list and len(row) == 5:
            raise _record_error(status_of(row[0]), row[2], row[3], failed, row[1]) from failed


def _raise_row_failure(rows: List[List[Any]], failed: Optional[BatchFailedError]) -> None:
    """Raise the error of the first batch_rows row that failed other than by its key not found."""
    for row in rows:
        if row[1] not in _READ_OUTCOMES:
            raise _record_error(status_of(row[1]), row[3], row[4], failed, row[2]) from failed


def _batch_result(key: Any, result: int, record: Any, in_doubt: bool, message: Optional[str],
                  failed: Optional[BatchFailedError], subcode: int = 0) -> BatchResult:
    ok = result == as_status.AEROSPIKE_OK
    return BatchResult(key, result, record if ok else None, bool(in_doubt),
                       None if ok else _record_error(result, message, in_doubt, failed, subcode))


def _operations(ops: Any, bins: Optional[Mapping[str, Any]]) -> Any:
    """An as_operations from one, from record-method operations, or writing `bins`."""
    if isinstance(ops, as_operations):
        return ops
    if bins is not None:
        if not isinstance(bins, Mapping):
            raise TypeError(f"bins must be a dict, not {type(bins).__name__}")
        built = c.as_operations_init(len(bins))
        for name, value in bins.items():
            c.as_operations_add_write(built, name, value)
        return built
    if isinstance(ops, (str, bytes)) or not isinstance(ops, Iterable):
        raise TypeError(f"ops must be an as_operations or a list of ops.* operations, "
                        f"not {type(ops).__name__}")
    operations = list(ops)
    built = c.as_operations_init(len(operations))
    for operation in operations:
        if not isinstance(operation, Operation):
            raise TypeError(f"expected an operation from ops.*, got {type(operation).__name__}")
        operation.add_to(built)
    return built


def _reserve(records: Any, request: Any) -> None:
    """Reserve and fill the batch record for one request (the records keep what it uses)."""
    if isinstance(request, BatchRead):
        record = c.as_batch_read_reserve(records)
        record.key = request.key
        if request.bins is None:
            record.read_all_bins = True
        elif request.bins:
            record.bin_names = list(request.bins)
        return
    if isinstance(request, BatchWrite):
        if (request.bins is None) == (request.ops is None):
            raise TypeError("a BatchWrite takes bins or ops")
        record = c.as_batch_write_reserve(records)
        record.key = request.key
        record.ops = _operations(request.ops, request.bins)
        return
    if isinstance(request, BatchApply):
        record = c.as_batch_apply_reserve(records)
        record.key = request.key
        record.module, record.function = request.module, request.function
        record.arglist = list(request.args)
        return
    if isinstance(request, BatchRemove):
        c.as_batch_remove_reserve(records).key = request.key
        return
    raise TypeError(f"a batch request is a BatchRead, BatchWrite, BatchApply or BatchRemove, "
                    f"not {type(request).__name__}")


def _udf_error(exc: AerospikeError) -> AerospikeError:
    """A failed stream UDF as UDFError: a server's FAILURE answer reaches C as
    AEROSPIKE_ERR_CLIENT with the server's "UDF: Execution Error ..." message (the C
    client's own reduce reports AEROSPIKE_ERR_UDF); other errors stay as they are."""
    if exc.code != as_status.AEROSPIKE_ERR_CLIENT or not exc.message.startswith("UDF: "):
        return exc
    return error_class(as_status.AEROSPIKE_ERR_UDF)(
        as_status.AEROSPIKE_ERR_UDF, exc.message, subcode=exc.subcode, func=exc.func,
        file=exc.file, line=exc.line, in_doubt=exc.in_doubt)


def _background_work(target: Any, ops: Any, udf: Optional[Tuple[str, str, Sequence[Any]]],
                     apply: Callable[..., bool]) -> None:
    if (ops is None) == (udf is None):
        raise TypeError("a background job takes ops or udf=(module, function, args)")
    if ops is not None:
        target.ops = _operations(ops, None)
    else:
        module, function, args = udf  # type: ignore[misc]
        apply(target, module, function, list(args))


def _stream(run: Callable[[Callable[[Any, Any], Any]], None], cleanup: Callable[[], None],
            buffer: int) -> Iterator[Any]:
    """Iterate over what `run(callback)` calls back with, the C call on a worker thread.

    The callback (serialized by the bindings) blocks while `buffer` results wait; the
    consumer's exit sets `stop` and drains the queue, so a blocked callback returns and
    the next call sees `stop` and returns False: C stops and the worker ends."""
    if isinstance(buffer, bool) or not isinstance(buffer, int) or buffer < 1:
        cleanup()
        raise ValueError(f"buffer must be a positive int, got {buffer!r}")
    results: "queue.Queue[Any]" = queue.Queue(maxsize=buffer)
    stop = threading.Event()
    failure: List[BaseException] = []

    def callback(result: Any, udata: Any) -> bool:
        if stop.is_set():
            return False
        if result is not None:  # None: C's end-of-scan call; the worker signals the end
            results.put(result)
        return True

    def work() -> None:
        try:
            run(callback)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            failure.append(exc)
        finally:
            try:
                cleanup()
            finally:
                if not stop.is_set():
                    results.put(_DONE)

    worker = threading.Thread(target=work, name="aerospike_c-scan", daemon=True)

    def iterate() -> Iterator[Any]:
        worker.start()
        try:
            while True:
                item = results.get()
                if item is _DONE:
                    break
                yield item
            if failure:
                raise failure[0]
        finally:
            stop.set()
            _drain(results)
            if worker is not threading.current_thread() and not _in_gc_pass():
                worker.join(_STOP_WAIT)

    return iterate()


#: The phase of the last garbage-collection pass: its last key is "start" while a pass runs.
#: The gc callback is this dict's C method, not a Python function: a signal landing in a
#: Python gc callback raises there, and gc drops what a callback raises, so a Ctrl-C during
#: a batch loop (which allocates enough to start a pass before any other Python code runs)
#: was lost every time. One pass runs at a time in a process; a thread whose iterator ends
#: while another thread's pass runs finalizers skips the join too (only a wait is lost).
_GC_PHASE: "collections.OrderedDict[str, None]" = collections.OrderedDict(start=None, stop=None)
gc.callbacks.append(_GC_PHASE.move_to_end)  # type: ignore[arg-type]  # (phase, info): last=info, truthy


def _in_gc_pass() -> bool:
    return next(reversed(_GC_PHASE)) == "start"


def _drain(results: "queue.Queue[Any]") -> None:
    while True:
        try:
            results.get_nowait()
        except queue.Empty:
            return
