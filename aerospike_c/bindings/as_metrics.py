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
Labels (name, value) go into every snapshot: as_metrics_policy_add_label(policy, name, value);
`policy.labels` reads them as a list of (name, value) tuples. The functions take an
as_metrics_policy or the instance's own, `as_.config.policies.metrics`.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from .._aerospike import ffi, lib
from ._cstruct import CStruct, register_field
from ._owned import OwnedStruct, struct_ptr
from .as_config import c_str
from .aerospike import using
from .as_error import check, new_error

__all__ = ["as_metrics_policy", "as_metrics_policy_init", "aerospike_enable_metrics",
           "aerospike_disable_metrics", "as_metrics_policy_destroy", "as_metrics_policy_add_label",
           "as_metrics_policy_destroy_labels", "as_metrics_policy_set_labels",
           "as_metrics_policy_copy_labels", "as_metrics_policy_set_report_dir"]


class as_metrics_policy(OwnedStruct):  # noqa: N801 - the C type's name
    """`as_metrics_policy`: report_dir, report_size_limit, interval, latency_columns,
    latency_shift, enable."""

    __slots__ = ()
    _c_destroy = lib.as_metrics_policy_destroy

    def __init__(self) -> None:
        super().__init__(ffi.new("as_metrics_policy*"), "as_metrics_policy",
                         lib.as_metrics_policy_init)


def as_metrics_policy_init() -> as_metrics_policy:
    """as_metrics_policy_init(&policy): the C defaults."""
    return as_metrics_policy()


def aerospike_enable_metrics(as_: Any, policy: Optional[as_metrics_policy] = None) -> None:
    """aerospike_enable_metrics(): start writing metrics files (None: the config's policy)."""
    if policy is not None and not (isinstance(policy, CStruct) and ffi.typeof(policy._ptr)
                                   is ffi.typeof("as_metrics_policy*")):
        raise TypeError(f"policy must be an as_metrics_policy (or the config's "
                        f"policies.metrics) or None, not {type(policy).__name__}")
    c_policy = ffi.NULL if policy is None else struct_ptr(policy, "as_metrics_policy",
                                                          "aerospike_enable_metrics")
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


def _policy(policy: Any, what: str) -> Any:
    """The `as_metrics_policy*` of a policy argument (checked to be usable)."""
    ptr = getattr(policy, "_ptr", None)
    if not isinstance(policy, CStruct) or ffi.typeof(ptr) is not ffi.typeof("as_metrics_policy*"):
        raise TypeError(f"{what}: policy must be an as_metrics_policy, not {type(policy).__name__}")
    policy._owner._check_writable(what)
    return ptr


def as_metrics_policy_destroy(policy: as_metrics_policy) -> None:
    """as_metrics_policy_destroy(): free the labels; the policy is unusable afterwards."""
    if not isinstance(policy, as_metrics_policy):
        raise TypeError(f"expected an as_metrics_policy, got {type(policy).__name__}")
    policy._check_writable("as_metrics_policy_destroy")
    policy._release()


def as_metrics_policy_add_label(policy: Any, name: str, value: str) -> None:
    """as_metrics_policy_add_label(): one more (name, value) label (copied)."""
    ptr = _policy(policy, "as_metrics_policy_add_label")
    lib.as_metrics_policy_add_label(ptr, c_str("name", name), c_str("value", value))


def as_metrics_policy_destroy_labels(policy: Any) -> None:
    """as_metrics_policy_destroy_labels(): remove every label."""
    lib.as_metrics_policy_destroy_labels(_policy(policy, "as_metrics_policy_destroy_labels"))


def _set_labels(policy: Any, labels: Any, what: str) -> None:
    ptr = _policy(policy, what)
    pairs = [(c_str("label name", name), c_str("label value", value)) for name, value in
             _label_pairs(labels, what)]
    lib.as_metrics_policy_destroy_labels(ptr)
    for name, value in pairs:
        lib.as_metrics_policy_add_label(ptr, name, value)


def _label_pairs(labels: Any, what: str) -> Any:
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
        raise TypeError(f"{what}: labels must be a list of (name, value) pairs")
    pairs = list(labels.items() if isinstance(labels, dict) else labels)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"{what}: labels must be (name, value) pairs, got {pair!r}")
    return pairs


def as_metrics_policy_set_labels(policy: Any, labels: Any) -> None:
    """as_metrics_policy_set_labels(): replace the labels with `labels` ((name, value) pairs;
    C takes an as_vector it then owns, Python copies)."""
    _set_labels(policy, labels, "as_metrics_policy_set_labels")


def as_metrics_policy_copy_labels(policy: Any, labels: Any) -> None:
    """as_metrics_policy_copy_labels(): replace the labels with copies of `labels`."""
    _set_labels(policy, labels, "as_metrics_policy_copy_labels")


def as_metrics_policy_set_report_dir(policy: Any, report_dir: str) -> None:
    """as_metrics_policy_set_report_dir(): the directory of the metrics files, set as the
    checked field `policy.report_dir` is (C truncates a longer path; here it raises)."""
    _policy(policy, "as_metrics_policy_set_report_dir")
    policy.report_dir = report_dir


def _get_labels(view: CStruct) -> List[Tuple[str, str]]:
    labels = view._ptr.labels
    if labels == ffi.NULL:
        return []
    entries = ffi.cast("as_metrics_label*", labels.list)
    return [(ffi.string(entries[i].name).decode("utf-8", "replace"),
             ffi.string(entries[i].value).decode("utf-8", "replace")) for i in range(labels.size)]


def _put_labels(view: CStruct, labels: Any) -> None:
    _set_labels(view, labels, "as_metrics_policy.labels")


register_field("as_metrics_policy", "labels", _get_labels, _put_labels)
