"""as_job.h: status of a background scan/query job, and waiting for it.

    aerospike_job_wait(as_, None, "scan", job_id, 0)       # module "scan" or "query"
    info = aerospike_job_info(as_, None, "query", job_id, False)
    info.status == AS_JOB_STATUS_COMPLETED

`as_job_info` is returned as a frozen copy of the C struct.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._aerospike import ffi
from ._calls import c_call, c_uint, policy_arg
from ._cstruct import c_enum
from .aerospike import aerospike
from .as_config import info_str

__all__ = ["as_job_info", "aerospike_job_wait", "aerospike_job_info"]


@dataclass(frozen=True)
class as_job_info:  # noqa: N801 - the C type's name
    """`as_job_info`: status (an as_job_status), progress_pct, records_read."""

    status: int
    progress_pct: int
    records_read: int


def aerospike_job_wait(as_: aerospike, policy: Any, module: str, job_id: int,
                       interval_ms: int) -> None:
    """aerospike_job_wait(): poll every `interval_ms` (0: 1000) until job `job_id` of
    `module` ("scan" or "query") is no longer in progress on any node."""
    c_call(as_, "aerospike_job_wait", policy_arg(policy, "as_policy_info"),
           info_str("module", module), c_uint("job_id", job_id, 64),
           c_uint("interval_ms", interval_ms))


def aerospike_job_info(as_: aerospike, policy: Any, module: str, job_id: int,
                       stop_if_in_progress: bool) -> as_job_info:
    """aerospike_job_info(): the job's status summed over the nodes (stop_if_in_progress:
    stop asking at the first node still running it)."""
    if not isinstance(stop_if_in_progress, bool):
        raise TypeError(f"stop_if_in_progress must be a bool, "
                        f"not {type(stop_if_in_progress).__name__}")
    info = ffi.new("as_job_info*")
    c_call(as_, "aerospike_job_info", policy_arg(policy, "as_policy_info"),
           info_str("module", module), c_uint("job_id", job_id, 64), stop_if_in_progress, info)
    status_enum = c_enum("as_job_status")
    return as_job_info(status_enum(info.status), info.progress_pct, info.records_read)
