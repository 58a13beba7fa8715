"""UDF modules: the udf-put/list/get/remove info commands store and list Lua modules, and
record UDFs run on them.

A record UDF (key apply, batch apply) runs with the C client's own mod-lua and Lua 5.4 in
a Lua state that, as on a server, is cached per module source (csrc/asc_udf.h,
bindings/asc_udf.py); records.py applies what it did to the record. A stream UDF (an
aggregation query) runs once per partition over that partition's matching records, up to and
with the stream's first reduce (the client runs the rest); each value it writes goes back as
a SUCCESS bin, and a failed call as a FAILURE bin with the server's message
"UDF: Execution Error <rc> : <Lua error>" (the C client reports that as AEROSPIKE_ERR_CLIENT).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple, Union

from ...bindings import asc_udf
from .msg import (FIELD_UDF_ARGLIST, FIELD_UDF_FUNCTION, FIELD_UDF_PACKAGE_NAME, Message, Reply, all_bins,
                  response)
from .results import (ERR_UDF, INFO_UDF_CONTENT_TOO_LONG, INFO_UDF_INVALID_BASE64, INFO_UDF_INVALID_CONTENT,
                      INFO_UDF_INVALID_CONTENT_LEN, INFO_UDF_INVALID_FILENAME, INFO_UDF_INVALID_TYPE,
                      INFO_UDF_NOT_FOUND, ERR_PARAMETER)
from .store import CITRUSLEAF_EPOCH, Record

if TYPE_CHECKING:
    from .store import NodeView, Store

#: How long a record UDF may run when the command has no timeout of its own (ms).
DEFAULT_TIME_LIMIT_MS = 10_000


def module_source(store: "Store", module: str) -> Optional[bytes]:
    """The Lua source of a registered module (named without `.lua`), None if there is none."""
    metadata = store.udfs.get(module + ".lua")
    return None if metadata is None else _content(metadata)


@functools.lru_cache(maxsize=64)
def _content(metadata: str) -> bytes:
    """A module's source from its metadata (decoded once per module version, not per call)."""
    return base64.b64decode(json.loads(metadata)["content64"])


def _call(store: "Store", msg: Message) -> Tuple[str, Optional[bytes], str]:
    """The module, its source (None: not registered) and the function a UDF command names."""
    fields = msg.fields
    module = fields.get(FIELD_UDF_PACKAGE_NAME, b"").decode("utf-8", "replace")
    function = fields.get(FIELD_UDF_FUNCTION, b"").decode("utf-8", "replace")
    return module, module_source(store, module) if module else None, function


def _meta(record: Optional[Record], digest: bytes, now: int) -> asc_udf.UDFRecordMeta:
    return asc_udf.UDFRecordMeta(
        exists=record is not None,
        ttl=max(record.void_time - now, 0) if record is not None and record.void_time else 0,
        gen=record.generation if record is not None else 0,
        last_update_time=(record.last_update_ns // 1_000_000 - CITRUSLEAF_EPOCH * 1000
                          if record is not None else 0),
        setname=record.set_name if record is not None else b"",
        digest=digest)


def run_record_udf(store: "Store", record: Optional[Record], digest: bytes, msg: Message,
                   now: int) -> Union[asc_udf.UDFOutcome, Reply]:
    """Run the record UDF `msg` names on `record` (None: it does not exist); the caller holds
    store.lock and applies the outcome. A Reply when the call could not run at all."""
    module, source, function = _call(store, msg)
    bins = all_bins(record) if record is not None else b""
    n_bins = len(record.bins) if record is not None else 0
    time_limit = msg.transaction_ttl or DEFAULT_TIME_LIMIT_MS
    outcome = asc_udf.apply_record(_meta(record, digest, now), bins, n_bins, module, source,
                                   function, msg.fields.get(FIELD_UDF_ARGLIST, b""), time_limit)
    return outcome if outcome is not None else Reply(ERR_PARAMETER)


def run_stream_udf(store: "Store", records: Sequence[Tuple[bytes, Record]], msg: Message,
                   now: int) -> Tuple[List[bytes], bool]:
    """Run the stream UDF of aggregation query `msg` over one partition's matching records
    (digest, record): the response messages of the values it wrote (a FAILURE one last when
    the call failed), and whether it failed. The records are copied under store.lock; Lua
    runs without it."""
    module, source, function = _call(store, msg)
    with store.lock:
        packed = b"".join(asc_udf.stream_record(_meta(record, digest, now), all_bins(record),
                                                len(record.bins))
                          for digest, record in records)
    time_limit = msg.transaction_ttl or DEFAULT_TIME_LIMIT_MS
    outcome = asc_udf.apply_stream(packed, module, source, function,
                                   msg.fields.get(FIELD_UDF_ARGLIST, b""), time_limit)
    if outcome is None:
        return [], True
    messages = [response(bins=value, n_bins=1) for value in outcome.values]
    if outcome.failure is not None:
        messages.append(response(bins=outcome.failure, n_bins=1))
    return messages, outcome.failure is not None


# -- info commands ------------------------------------------------------------------------
# A server keeps each module as cluster metadata: the JSON object {"content64": <the base64
# content as sent>, "type": "LUA", "name": <filename>}; udf-list's hash is the SHA-1 (hex) of
# that JSON text as the server's encoder writes it (", " and ": " separators, insertion order).

#: Characters a module file name may hold (udf_filename_is_valid); it must not start with '.'.
_FILENAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-$")
#: The server's file name buffer (MAX_FILE_NAME_SZ).
_FILENAME_SIZE = 128
#: Largest module a server accepts (MAX_UDF_CONTENT_LENGTH), decoded.
_MAX_CONTENT = 1024 * 1024


def _filename(params: Dict[str, str]) -> Optional[str]:
    """The `filename` parameter, None when missing or invalid (error=invalid_filename)."""
    name = params.get("filename")
    if (not name or len(name) >= _FILENAME_SIZE or name[0] == "."
            or not set(name) <= _FILENAME_CHARS):
        return None
    return name


def udf_put(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`udf-put:filename=...;content=<base64>;content-len=...;udf-type=LUA;`"""
    filename = _filename(params)
    dot = filename.find(".") if filename is not None else -1
    if filename is None or dot < 0 or dot == len(filename) - 1:
        return INFO_UDF_INVALID_FILENAME
    content_len = params.get("content-len", "")
    if not content_len.isdigit() or int(content_len) % 4:
        return INFO_UDF_INVALID_CONTENT_LEN
    if params.get("udf-type", "LUA") != "LUA":
        return INFO_UDF_INVALID_TYPE
    content64 = params.get("content", "")
    if len(content64) != int(content_len):
        return INFO_UDF_INVALID_CONTENT
    if len(content64) // 4 * 3 > _MAX_CONTENT:
        return INFO_UDF_CONTENT_TOO_LONG
    try:
        base64.b64decode(content64, validate=True)
    except ValueError:
        return INFO_UDF_INVALID_BASE64
    metadata = json.dumps({"content64": content64, "type": "LUA", "name": filename})
    with store.lock:
        store.udfs[filename] = metadata
    return "ok"


def udf_list(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`udf-list`"""
    with store.lock:
        items = sorted(store.udfs.items())
    return "".join(f"filename={name},hash={hashlib.sha1(metadata.encode()).hexdigest()},type=LUA;"
                   for name, metadata in items)


def udf_get(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`udf-get:filename=...`"""
    filename = _filename(params)
    if filename is None:
        return INFO_UDF_INVALID_FILENAME
    with store.lock:
        metadata = store.udfs.get(filename)
    if metadata is None:
        return INFO_UDF_NOT_FOUND
    return f"type=LUA;content={json.loads(metadata)['content64']};"


def udf_remove(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`udf-remove:filename=...`: removing a module that does not exist answers ok too."""
    filename = _filename(params)
    if filename is None:
        return INFO_UDF_INVALID_FILENAME
    with store.lock:
        store.udfs.pop(filename, None)
    return "ok"

