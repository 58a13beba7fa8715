"""Client methods for multi-record work (batch, scan, query, info, index, UDF, truncate).

Mixed into `aerospike_c.Client`; each method calls C-faithful functions with the
client's `aerospike` instance (`self._as`). Policies are the C policy views
(`as_policy_info_init()` …) or None for the client's defaults.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple, Union

from . import bindings as c
from .bindings.as_status import as_status
from .exceptions import AerospikeTimeoutError

__all__ = ["QueryMethods"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


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


def _nanos(before: Union[None, int, datetime]) -> int:
    if before is None:
        return 0
    if isinstance(before, datetime):
        if before.tzinfo is None:
            raise ValueError("before must be timezone-aware (e.g. datetime.now(timezone.utc))")
        return (before - _EPOCH) // timedelta(microseconds=1) * 1000
    return before


class QueryMethods:
    """Batch, scan, query, info, index, UDF and truncate operations of `Client`."""

    __slots__ = ()
    _as: Any

    # -- info ---------------------------------------------------------------------------------
    def info(self, command: str, *, node: Optional[str] = None,
             host: Optional[Tuple[str, int]] = None, policy: Any = None) -> str:
        """The value of one info command, from `node` (a node name), `host` (host, port)
        or any node."""
        if node is not None and host is not None:
            raise TypeError("pass node or host, not both")
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

        c.aerospike_info_foreach(self._as, policy, command, collect)
        return values

    # -- secondary indexes ---------------------------------------------------------------------
    def index_create(self, namespace: str, set: Optional[str], bin: str, name: str,
                     datatype: int, *, index_type: int = c.AS_INDEX_TYPE_DEFAULT,
                     wait: bool = True, policy: Any = None) -> Any:
        """Create index `name` over `bin` (datatype: AS_INDEX_STRING, AS_INDEX_NUMERIC …);
        with wait, return once it is built on every node. Returns the as_index_task."""
        task = c.aerospike_index_create_complex(self._as, policy, namespace, set, bin, name,
                                                index_type, datatype)
        if wait:
            c.aerospike_index_create_wait(task, 100)
        return task

    def index_remove(self, namespace: str, name: str, *, policy: Any = None) -> None:
        """Drop index `name` of `namespace`."""
        c.aerospike_index_remove(self._as, policy, namespace, name)

    # -- UDF modules ---------------------------------------------------------------------------
    def udf_put(self, filename: str, content: Optional[bytes] = None, *, wait: bool = True,
                timeout: float = 30.0, policy: Any = None) -> None:
        """Register a Lua module: `content`, or the file at `filename` when content is None.
        The module is named after the file's base name. With wait, return once every node
        lists it (AerospikeTimeoutError after `timeout` seconds)."""
        if content is None:
            with open(filename, "rb") as source:
                content = source.read()
        c.aerospike_udf_put(self._as, policy, filename, c.AS_UDF_TYPE_LUA, content)
        if wait:
            self._udf_wait(os.path.basename(filename), True, timeout, policy)

    def udf_remove(self, module: str, *, wait: bool = True, timeout: float = 30.0,
                   policy: Any = None) -> None:
        """Unregister `module`; with wait, return once no node lists it."""
        c.aerospike_udf_remove(self._as, policy, module)
        if wait:
            self._udf_wait(os.path.basename(module), False, timeout, policy)

    def udf_list(self, *, policy: Any = None) -> List["c.as_udf_file"]:
        """The registered modules (name, hash, type)."""
        return c.aerospike_udf_list(self._as, policy)

    def udf_get(self, module: str, *, policy: Any = None) -> bytes:
        """The source of a registered module."""
        return c.aerospike_udf_get(self._as, policy, module, c.AS_UDF_TYPE_LUA).content

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
        c.aerospike_truncate(self._as, policy, namespace, set, _nanos(before))

    # -- background jobs -----------------------------------------------------------------------
    def job_wait(self, module: str, job_id: int, *, interval_ms: int = 100,
                 policy: Any = None) -> None:
        """Wait until background job `job_id` of `module` ("scan"/"query") has finished."""
        c.aerospike_job_wait(self._as, policy, module, job_id, interval_ms)

    def job_info(self, module: str, job_id: int, *, policy: Any = None) -> "c.as_job_info":
        """Status, progress and records read of background job `job_id`."""
        return c.aerospike_job_info(self._as, policy, module, job_id, False)
