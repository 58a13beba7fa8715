"""Background scans/queries (a scan/query that writes): applying their operations, or their
record UDF, to every matching record, and the jobs they leave for query-show/scan-show/jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict

from . import particles
from .msg import (FIELD_UDF_ARGLIST, FIELD_UDF_FUNCTION, FIELD_UDF_PACKAGE_NAME, INFO2_RESPOND_ALL_OPS, Message,
                  last_message)
from .records import apply_udf, write_record
from .results import ERR_PARAMETER, OK, INFO_INVALID_JOB_ID, INFO_JOB_NOT_FOUND, CommandError
from .scan_query import ScanRequest, partition_records
from .store import NodeView, Store, clock_seconds

MAX_JOBS = 1000  # finished jobs remembered (the oldest is forgotten first)


@dataclass
class Job:
    """A finished background scan/query job as `query-show` reports it."""

    job_id: int
    namespace: str
    set_name: str
    records: int
    module: str


def run_background(store: Store, request: ScanRequest, node: NodeView) -> bytes:
    """Apply the write operations, or the record UDF, to every matching record this node owns."""
    ns = request.ns
    msg = request.msg
    udf_fields = {f: msg.fields[f] for f in (FIELD_UDF_PACKAGE_NAME, FIELD_UDF_FUNCTION, FIELD_UDF_ARGLIST)
                  if f in msg.fields} if request.udf else {}
    row = Message(info1=0, info2=msg.info2 & ~INFO2_RESPOND_ALL_OPS, info3=msg.info3,
                  record_ttl=msg.record_ttl, fields=udf_fields, ops=msg.ops)
    if not msg.ops and not request.udf:
        return last_message(ERR_PARAMETER)
    with store.lock:
        if (node.name, request.task_id) in store.jobs:  # a job id is used once per node
            return last_message(ERR_PARAMETER)
    count = 0
    now = clock_seconds()
    for pid, after in request.partitions:
        if not node.owns_partition(ns.name, pid):
            continue
        for digest, record in partition_records(store, ns, pid, after, now):
            with store.lock:
                try:
                    wanted = request.wants(record, digest, now)
                except CommandError as exc:  # the filter failed: so does the job, loudly
                    return last_message(exc.code)
                if not wanted or ns.get(digest, now) is not record:
                    continue
                try:
                    if not request.udf:
                        write_record(ns, digest, row, now, background=True)
                        count += 1
                    elif apply_udf(store, ns, digest, row, now).code == OK:
                        count += 1
                except (CommandError, particles.ParticleError):
                    pass  # this record's write failed (recs-failed); the job goes on
    set_name = request.set_name.decode("utf-8", "replace") if request.set_name else ""
    record_job(store, node, Job(request.task_id, ns.name, set_name, count,
                                "query" if request.predicate else "scan"))
    return last_message()


def record_job(store: Store, node: NodeView, job: Job) -> None:
    """Remember a finished background job for `query-show`."""
    with store.lock:
        store.jobs[(node.name, job.job_id)] = job
        if len(store.jobs) > MAX_JOBS:
            store.jobs.pop(next(iter(store.jobs)))


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
    return (f"trid={job.job_id}:job-type={job.module}:ns={job.namespace}:set={job.set_name}:"
            f"status=done(ok):job-progress=100:recs-throttled={job.records}:"
            f"recs-filtered-meta=0:recs-filtered-bins=0:recs-succeeded={job.records}:"
            f"recs-failed=0:net-io-bytes=0")
