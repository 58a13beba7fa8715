"""UDF modules: the udf-put/list/get/remove info commands store and list Lua modules.

Executing a UDF (record, batch or background) is not implemented: such a command answers
ERR_UDF with the reason in the FAILURE bin, as a server does when the call fails.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Dict

from .msg import Reply, encode_value_bin
from .results import (ERR_UDF, INFO_UDF_FILE_NOT_FOUND, INFO_UDF_INVALID_CONTENT, INFO_UDF_INVALID_FILENAME,
                      INFO_UDF_NOT_FOUND, UDF_UNSUPPORTED)

if TYPE_CHECKING:
    from .store import NodeView, Store


def call_failure() -> Reply:
    """The reply to a record or batch UDF call."""
    return Reply(ERR_UDF, bins=encode_value_bin(b"FAILURE", UDF_UNSUPPORTED), n_bins=1)


# -- info commands ------------------------------------------------------------------------

def udf_put(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`udf-put:filename=...;content=<base64>;...`"""
    filename = params.get("filename", "")
    if not filename:
        return INFO_UDF_INVALID_FILENAME
    try:
        content = base64.b64decode(params.get("content", ""), validate=True)
    except ValueError:
        return INFO_UDF_INVALID_CONTENT
    with store.lock:
        store.udfs[filename] = content
    return "ok"


def udf_list(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`udf-list`"""
    with store.lock:
        items = sorted(store.udfs.items())
    return "".join(f"filename={name},hash={hashlib.sha1(content).hexdigest()},type=LUA;"
                   for name, content in items)


def udf_get(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`udf-get:filename=...`"""
    with store.lock:
        content = store.udfs.get(params.get("filename", ""))
    if content is None:
        return INFO_UDF_NOT_FOUND
    return f"gen=1;type=LUA;content={base64.b64encode(content).decode()};"


def udf_remove(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`udf-remove:filename=...`"""
    with store.lock:
        if store.udfs.pop(params.get("filename", ""), None) is None:
            return INFO_UDF_FILE_NOT_FOUND
    return "ok"
