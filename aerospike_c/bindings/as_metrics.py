"""as_metrics.h: the C client's own periodic metrics files (extended metrics).

    policy = as_metrics_policy_init()          # report_dir ".", interval 30 (tend intervals) …
    policy.report_dir = "/var/log/app"
    policy.interval = 10
    aerospike_enable_metrics(as_, policy)      # the tend thread writes metrics-<time>.log there
    aerospike_disable_metrics(as_)

The files hold per-node connection and latency figures in the C client's format. The
metrics listeners (C callbacks) are not settable from Python: the file writer is what runs.
Both functions take the lock the tend thread holds while it writes (and logs): on a tend
thread (a cluster-event or log callback) they raise LifecycleError instead of waiting.
"""
from __future__ import annotations

from typing import Any, Optional

from .._aerospike import ffi, lib
from ._owned import OwnedStruct
from .aerospike import using
from .as_error import check, new_error

__all__ = ["as_metrics_policy", "as_metrics_policy_init", "aerospike_enable_metrics",
           "aerospike_disable_metrics"]


class as_metrics_policy(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_metrics_policy`: report_dir, report_size_limit, interval, latency_columns,
    latency_shift, enable."""

    __slots__ = ()
    _c_destroy = lib.as_metrics_policy_destroy

    def __init__(self) -> None:
        super().__init__(ffi.new("as_metrics_policy*"), "as_metrics_policy")
        lib.as_metrics_policy_init(self._ptr)


def as_metrics_policy_init() -> as_metrics_policy:
    """as_metrics_policy_init(&policy): the C defaults."""
    return as_metrics_policy()


def aerospike_enable_metrics(as_: Any, policy: Optional[as_metrics_policy] = None) -> None:
    """aerospike_enable_metrics(): start writing metrics files (None: the config's policy)."""
    if policy is not None and not isinstance(policy, as_metrics_policy):
        raise TypeError(f"policy must be an as_metrics_policy or None, not {type(policy).__name__}")
    c_policy = ffi.NULL if policy is None else policy._ptr
    err = new_error()
    with using(as_, "aerospike_enable_metrics", connected=True, off_tend=True) as ptr:
        status = lib.aerospike_enable_metrics(ptr, err, c_policy)
    check(status, err)
    if policy is not None:
        as_._keep(policy)  # whatever C kept pointing at (labels) stays alive with the instance


def aerospike_disable_metrics(as_: Any) -> None:
    """aerospike_disable_metrics(): stop and close the metrics file."""
    err = new_error()
    with using(as_, "aerospike_disable_metrics", connected=True, off_tend=True) as ptr:
        status = lib.aerospike_disable_metrics(ptr, err)
    check(status, err)
