"""Background scans/queries (a scan/query that writes): applying their operations, or their
record UDF, to every matching record, and the jobs they leave for query-show/scan-show/jobs.

As a server's (query.c, ops_bg_query_job_start / udf_bg_query_job_start), a job is answered
as soon as it starts and runs in a thread of its own, throttled to its records-per-second:
the client's or, when it sends none, the namespace's background-query-max-rps, which a
client's may not exceed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Dict

from . import particles
from .msg import (FIELD_UDF_ARGLIST, FIELD_UDF_FUNCTION, FIELD_UDF_PACKAGE_NAME, INFO2_RESPOND_ALL_OPS, Message,
                  last_message)
from .records import apply_udf, write_record
from .results import ERR_PARAMETER, OK, INFO_INVALID_JOB_ID, INFO_JOB_NOT_FOUND, CommandError
from .scan_query import ScanRequest, Throttle, found_records
from .store import NodeView, Store, clock_seconds

#: Finished jobs a node remembers (query-max-done); the oldest is forgotten first.
QUERY_MAX_DONE = 100


@dataclass
class Job:
    """A background scan/query job as `query-show` reports it."""

    job_id: int
    namespace: str
    set_name: str
    records: int
    #: query.c's query_type_str: background-udf (a record UDF) or background-ops.
    job_type: str
    rps: int = 0
    #: "active" while it runs, then "done"; the result in brackets (query_job.c, result_str).
    status: str = "done(ok)"
    progress: float = 100.0
    throttled: int = 0


def run_background(store: Store, request: ScanRequest, node: NodeView) -> bytes:
    """Start applying the write operations, or the record UDF, to every matching record this
    node owns; the reply comes at once, the job runs on (query-show tells when it is done).
    A job that cannot start raises CommandError: ops_bg/udf_bg_query_job_start (query.c)
    return AS_ERR_PARAMETER, which a server answers as any refused scan/query (one plain
    reply, as_multi_rec_transaction_error)."""
    msg = request.msg
    if not msg.ops and not request.udf:
        raise CommandError(ERR_PARAMETER, "background query has no operations")
    # validate_background_query_rps: above the namespace's maximum is refused, none is it.
    max_rps = request.ns.spec.background_query_max_rps
    if request.rps > max_rps:
        raise CommandError(ERR_PARAMETER, "query rps exceeds 'background-query-max-rps'")
    set_name = request.set_name.decode("utf-8", "replace") if request.set_name else ""
    job = Job(request.task_id, request.ns.name, set_name, 0,
              "background-udf" if request.udf else "background-ops", rps=request.rps or max_rps,
              status="active(ok)", progress=0.0)
    with store.lock:
        if (node.name, request.task_id) in store.jobs:  # a job id is used once per node
            raise CommandError(ERR_PARAMETER, "job id already used")
        record_job(store, node, job)
    threading.Thread(target=_run_job, args=(store, request, node, job), daemon=True,
                     name=f"background-job-{request.task_id}").start()
    return last_message()


def _run_job(store: Store, request: ScanRequest, node: NodeView, job: Job) -> None:
    """The job's work: each matching record written (or its UDF applied), at most job.rps a
    second; a filter that fails ends the job (done(abandoned-unknown))."""
    msg = request.msg
    udf_fields = {f: msg.fields[f] for f in (FIELD_UDF_PACKAGE_NAME, FIELD_UDF_FUNCTION, FIELD_UDF_ARGLIST)
                  if f in msg.fields} if request.udf else {}
    row = Message(info1=0, info2=msg.info2 & ~INFO2_RESPOND_ALL_OPS, info3=msg.info3,
                  record_ttl=msg.record_ttl, fields=udf_fields, ops=msg.ops)
    result = "abandoned-unknown"  # unless the walk ends: a bug must not leave it active
    try:
        result = _walk(store, request, node, job, row)
    finally:
        with store.lock:
            job.progress = 100.0
            job.status = f"done({result})"
            key = (node.name, job.job_id)
            store.jobs[key] = store.jobs.pop(key, job)  # finished jobs in the order they finish
            _evict_finished_jobs(store, node)


def _walk(store: Store, request: ScanRequest, node: NodeView, job: Job, row: Message) -> str:
    """Write (or apply the UDF to) each record the job wants, throttled; its result. As a
    server's udf_bg/ops_bg_query_job_reduce_cb (query.c), each index entry found starts one
    write of the record by its digest, so a record found under two entries (a list/map
    index, beyond the de-duplication of one read) is written twice; each write takes the
    record as it is then, if it still matches (udf_bg/ops_bg_query_record_check) and passes
    the filter."""
    ns = request.ns
    throttle = Throttle(job.rps)
    now = clock_seconds()
    for done, (pid, after) in enumerate(request.partitions):
        job.progress = 100.0 * done / len(request.partitions)
        if not node.owns_partition(ns.name, pid):
            continue
        for digest, record, _ in found_records(store, request, pid, after, now):
            with store.lock:
                try:
                    wanted = request.wants(record, digest, now)
                except CommandError:
                    return "abandoned-unknown"
            if not wanted:
                continue
            throttle.record()  # udf_bg/ops_bg_query_job_reduce_cb: before each record's write
            job.throttled = throttle.count
            with store.lock:
                current = ns.get(digest, now)
                try:
                    if current is None:  # deleted since it was found (NOT_FOUND)
                        continue
                    if current is not record and not request.wants(current, digest, now):
                        continue
                    if not request.udf:
                        write_record(ns, digest, row, now, background=True)
                        job.records += 1
                    elif apply_udf(store, ns, digest, row, now).code == OK:
                        job.records += 1
                except (CommandError, particles.ParticleError):
                    pass  # this record's write failed (recs-failed); the job goes on
    return "ok"


def record_job(store: Store, node: NodeView, job: Job) -> None:
    """Remember a background job for `query-show`."""
    with store.lock:
        store.jobs[(node.name, job.job_id)] = job
        _evict_finished_jobs(store, node)


def _evict_finished_jobs(store: Store, node: NodeView) -> None:
    """query_manager.c, evict_finished_jobs: a node keeps its last QUERY_MAX_DONE finished
    jobs; an active one is never forgotten."""
    finished = [key for key, job in store.jobs.items()
                if key[0] == node.name and job.status.startswith("done")]
    for key in finished[:max(0, len(finished) - QUERY_MAX_DONE)]:
        del store.jobs[key]


# -- info commands ------------------------------------------------------------------------

def job_show(store: Store, params: Dict[str, str], node: NodeView) -> str:
    """`query-show:id=...` (also `scan-show`, `jobs`): a job this node ran."""
    raw_id = params.get("id", params.get("trid", ""))
    if not raw_id:  # every job this node ran
        with store.lock:
            jobs = [job for (name, _), job in store.jobs.items() if name == node.name]
        return ";".join(_job_line(job) for job in jobs)
    try:
        job_id = int(raw_id)
    except ValueError:
        return INFO_INVALID_JOB_ID
    with store.lock:
        job = store.jobs.get((node.name, job_id))
    if job is None:
        return INFO_JOB_NOT_FOUND
    return _job_line(job)


def _job_line(job: Job) -> str:
    return (f"trid={job.job_id}:job-type={job.job_type}:ns={job.namespace}:set={job.set_name}:"
            f"rps={job.rps}:status={job.status}:job-progress={job.progress:.2f}:"
            f"recs-throttled={job.throttled}:"
            f"recs-filtered-meta=0:recs-filtered-bins=0:recs-succeeded={job.records}:"
            f"recs-failed=0:net-io-bytes=0")
