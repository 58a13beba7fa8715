"""aerospike_udf.h (and the as_udf_file(s) of as_udf.h): register, list, fetch, remove UDF modules.

    aerospike_udf_put(as_, None, "demo.lua", AS_UDF_TYPE_LUA, content_bytes)
    aerospike_udf_put_wait(as_, None, "demo.lua", 100)
    files = aerospike_udf_list(as_, None)            # [as_udf_file(name, hash, type, content=b"")]
    file = aerospike_udf_get(as_, None, "demo.lua", AS_UDF_TYPE_LUA)   # with content
    aerospike_udf_remove(as_, None, "demo.lua")
    aerospike_udf_remove_wait(as_, None, "demo.lua", 100)

Files come back as frozen copies (`as_udf_file`); what C allocated is destroyed before
returning. As in C, `filename` may be a path: its base name is the module name. The
`_wait` functions poll every node every `interval_ms` (0: 1000) and, as in C, have no
time limit of their own: call them only after the put/remove succeeded. They poll from
Python, so Ctrl-C (KeyboardInterrupt) stops them (C's loop could not be interrupted), and
they look for the module's base name, the one the put registered (C's put_wait looked for
the path it was given, never listed, and so waited for ever).
A module the server does not have is reported as UDFError (AEROSPIKE_ERR_UDF, message
from the server, e.g. "error=not_found").
"""
from __future__ import annotations

import builtins
import os
import time
from dataclasses import dataclass
from typing import Any, List, Optional

from .._aerospike import ffi, lib
from ._calls import c_call, c_uint, enum_arg, policy_arg
from ._cstruct import c_enum
from .aerospike import aerospike
from .aerospike_info import aerospike_info_foreach
from .as_config import info_str
from ..exceptions import AerospikeError, LifecycleError

__all__ = ["as_udf_file", "aerospike_udf_list", "aerospike_udf_get", "aerospike_udf_put",
           "aerospike_udf_put_wait", "aerospike_udf_remove", "aerospike_udf_remove_wait"]


@dataclass(frozen=True)
class as_udf_file:  # noqa: N801 - the C type's name
    """`as_udf_file`: module name, SHA-1 hash (hex), type (as_udf_type), content bytes."""

    name: str
    hash: str
    type: int
    content: bytes

    @classmethod
    def _from_c(cls, file: Any) -> "as_udf_file":
        content = b""
        if file.content.bytes != ffi.NULL and file.content.size:
            content = bytes(ffi.buffer(file.content.bytes, file.content.size))
        return cls(name=ffi.string(file.name).decode("utf-8", "replace"),
                   hash=ffi.string(ffi.cast("char*", file.hash)).decode("ascii", "replace"),
                   type=c_enum("as_udf_type")(file.type), content=content)


def aerospike_udf_list(as_: aerospike, policy: Any) -> List[as_udf_file]:
    """aerospike_udf_list(): the modules registered on (a random node of) the cluster."""
    files = ffi.new("as_udf_files*")
    lib.as_udf_files_init(files, 0)
    try:
        c_call(as_, "aerospike_udf_list", policy_arg(policy, "as_policy_info"), files)
        return [as_udf_file._from_c(files.entries[i]) for i in range(files.size)]
    finally:
        lib.as_udf_files_destroy(files)


def aerospike_udf_get(as_: aerospike, policy: Any, filename: str, type: int) -> as_udf_file:
    """aerospike_udf_get(): one module with its content."""
    file = ffi.new("as_udf_file*")
    lib.as_udf_file_init(file)
    try:
        c_call(as_, "aerospike_udf_get", policy_arg(policy, "as_policy_info"),
               info_str("filename", filename), enum_arg("type", type, "as_udf_type"), file)
        return as_udf_file._from_c(file)
    finally:
        lib.as_udf_file_destroy(file)


def aerospike_udf_put(as_: aerospike, policy: Any, filename: str, type: int,
                      content: bytes) -> None:
    """aerospike_udf_put(): register `content` (the module's source) as module `filename`."""
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"content must be bytes, not {builtins.type(content).__name__}")
    data = bytes(content)
    c_content = ffi.new("as_bytes*")
    lib.as_bytes_init_wrap(c_content, ffi.from_buffer("uint8_t[]", data), len(data), False)
    c_call(as_, "aerospike_udf_put", policy_arg(policy, "as_policy_info"),
           info_str("filename", filename), enum_arg("type", type, "as_udf_type"), c_content)


def _listed_everywhere(as_: aerospike, c_policy: Any, module: str) -> Optional[List[bool]]:
    """For each node: does its udf-list name `module`? (None: a node did not answer.)"""
    listed: List[bool] = []

    def collect(err: Any, node: str, req: str, res: str, udata: Any) -> bool:
        value = res.partition("\t")[2] if "\t" in res else res
        names = {field.partition("=")[2] for entry in value.strip().split(";")
                 for field in entry.split(",") if field.partition("=")[0] == "filename"}
        listed.append(module in names)
        return True

    try:
        aerospike_info_foreach(as_, c_policy, "udf-list", collect)
    except LifecycleError:
        raise
    except AerospikeError:  # as C: a node that does not answer is not done yet
        return None
    return listed


def _udf_wait(as_: aerospike, policy: Any, filename: str, interval_ms: int,
              present: bool) -> None:
    """C's aerospike_udf_put_wait/remove_wait loop (sleep, then ask every node for udf-list,
    until each lists the module, or none does), polled from Python: C's loop has no time
    limit and, the GIL released inside it, could not be interrupted."""
    module = os.path.basename(info_str("filename", filename).decode("utf-8", "surrogateescape"))
    interval = c_uint("interval_ms", interval_ms) or 1000
    policy_arg(policy, "as_policy_info")  # checked once, as C reads it
    while True:
        time.sleep(interval / 1000)
        listed = _listed_everywhere(as_, policy, module)
        if listed and all(found == present for found in listed):
            return


def aerospike_udf_put_wait(as_: aerospike, policy: Any, filename: str, interval_ms: int) -> None:
    """aerospike_udf_put_wait(): return once every node lists `filename` (its base name)."""
    _udf_wait(as_, policy, filename, interval_ms, True)


def aerospike_udf_remove(as_: aerospike, policy: Any, filename: str) -> None:
    """aerospike_udf_remove(): unregister module `filename`."""
    c_call(as_, "aerospike_udf_remove", policy_arg(policy, "as_policy_info"),
           info_str("filename", filename))


def aerospike_udf_remove_wait(as_: aerospike, policy: Any, filename: str,
                              interval_ms: int) -> None:
    """aerospike_udf_remove_wait(): return once no node lists `filename` (its base name)."""
    _udf_wait(as_, policy, filename, interval_ms, False)
