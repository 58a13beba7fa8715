"""Which command family answers an AS_MSG request: a single record (a digest field), a batch
(a batch-index field), or a scan/query, foreground or background (neither)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from . import error_detail
from .background import run_background
from .batch import handle_batch
from .msg import FIELD_BATCH_INDEX, FIELD_DIGEST, Message, MessageError, Reply, encode_reply, last_message, parse_message
from .records import request_namespace, single_record
from .results import ERR_NOT_AUTHENTICATED, ERR_PARAMETER, ERR_SERVER, OK, CommandError
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
    """A scan/query, checked in a server's order (thr_tsvc.c, as_tsvc_process_transaction):
    the connection's login, the namespace, the command's permission (as_security_check_data_op),
    then what as_query reads (set, index, fields ...) and the records-per-second quota of the
    job's start (as_security_check_rps). Each refusal is one plain reply
    (as_multi_rec_transaction_error), not a last message."""
    permission = access.scan_permission(msg) if access is not None else OK
    try:
        if permission == ERR_NOT_AUTHENTICATED:
            raise CommandError(permission)
        request_namespace(store, msg)
        if permission != OK:
            raise CommandError(permission)
        request = ScanRequest(store, msg, node)
        quota = access.message(msg, scan=True) if access is not None else OK
        if quota != OK:
            raise CommandError(quota)
        if request.background:
            yield run_background(store, request, node)
            return
    except CommandError as exc:
        yield error_detail.refused(exc, msg.info4, store.version)
        return
    yield from stream_records(store, request, node)
