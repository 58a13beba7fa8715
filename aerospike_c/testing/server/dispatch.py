"""Which command family answers an AS_MSG request: a single record (a digest field), a batch
(a batch-index field), or a scan/query, foreground or background (neither)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from . import error_detail
from .background import run_background
from .batch import handle_batch
from .msg import FIELD_BATCH_INDEX, FIELD_DIGEST, Message, MessageError, Reply, encode_reply, last_message, parse_message
from .records import single_record
from .results import ERR_PARAMETER, ERR_SERVER, OK, CommandError
from .scan_query import ScanRequest, stream_records
from .store import NodeView, Store

if TYPE_CHECKING:
    from .security import Access


def handle_message(store: Store, payload: bytes, node: NodeView,
                   access: Optional["Access"] = None) -> Iterator[bytes]:
    """Answer one AS_MSG payload: yields response payloads. `access` (security on) checks the
    command's permission: a single record or scan here, each batch row in handle_batch."""
    try:
        msg = parse_message(payload)
    except MessageError:
        yield last_message(ERR_PARAMETER)
        return
    if FIELD_DIGEST in msg.fields and FIELD_BATCH_INDEX not in msg.fields:
        try:
            reply = single_record(store, msg, access)
        except Exception:  # a bug must not take the connection down; answer like a server
            reply = Reply(ERR_SERVER)
        yield encode_reply(reply)
        return
    handler = handle_batch if FIELD_BATCH_INDEX in msg.fields else _handle_scan
    try:
        yield from handler(store, msg, node, access)
    except Exception:
        yield last_message(ERR_SERVER)


def _handle_scan(store: Store, msg: Message, node: NodeView,
                 access: Optional["Access"]) -> Iterator[bytes]:
    try:
        request = ScanRequest(store, msg, node)
    except CommandError as exc:
        yield error_detail.refused(exc, msg.info4, store.version)
        return
    code = access.message(msg, scan=True) if access is not None else OK
    if code != OK:
        yield last_message(code)
        return
    if request.background:
        yield run_background(store, request, node)
        return
    yield from stream_records(store, request, node)
