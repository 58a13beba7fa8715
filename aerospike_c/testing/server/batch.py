"""Batch index protocol (FIELD_BATCH_INDEX): one request, a row per key, a reply per row.

Each row carries an index, a digest and either a repeat flag (same command as the previous
row) or its own header bits, fields and operations.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Iterator, List, Optional, Tuple

from . import error_detail
from .expressions import compile_filter
from .msg import (CHUNK_SIZE, FIELD_BATCH_INDEX, FIELD_FILTER, Message, MessageError, encode_reply,
                  last_message, parse_fields, parse_ops)
from .records import check_access, execute_record, request_namespace
from .results import ERR_PARAMETER, CommandError
from .store import NodeView, Store

if TYPE_CHECKING:
    from .security import Access

# Batch row flags.
BATCH_REPEAT = 0x01
BATCH_INFO = 0x02
BATCH_GEN = 0x04
BATCH_TTL = 0x08
BATCH_INFO4 = 0x10

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")


def _parse_batch_rows(data: bytes) -> List[Tuple[int, bytes, Message]]:
    if len(data) < 5:
        raise MessageError("batch field too short")
    count = _U32.unpack_from(data, 0)[0]
    pos = 5  # count + flags byte
    rows: List[Tuple[int, bytes, Message]] = []
    previous: Optional[Message] = None
    end = len(data)
    for _ in range(count):
        if pos + 25 > end:
            raise MessageError("truncated batch row")
        index = _U32.unpack_from(data, pos)[0]
        digest = data[pos + 4:pos + 24]
        kind = data[pos + 24]
        pos += 25
        if kind == BATCH_REPEAT:
            if previous is None:
                raise MessageError("batch repeat without a previous row")
            rows.append((index, digest, previous))
            continue
        if kind == 0:  # original batch protocol: one read_attr byte
            if pos + 5 > end:
                raise MessageError("truncated batch row")
            msg = Message(info1=data[pos])
            pos += 1
        elif kind & BATCH_INFO:
            if pos + 3 > end:
                raise MessageError("truncated batch row")
            msg = Message(info1=data[pos], info2=data[pos + 1], info3=data[pos + 2])
            pos += 3
            if kind & BATCH_INFO4:
                msg.info4 = data[pos] if pos < end else 0
                pos += 1
            if kind & BATCH_GEN:
                if pos + 2 > end:
                    raise MessageError("truncated batch row")
                msg.generation = _U16.unpack_from(data, pos)[0]
                pos += 2
            if kind & BATCH_TTL:
                if pos + 4 > end:
                    raise MessageError("truncated batch row")
                msg.record_ttl = _U32.unpack_from(data, pos)[0]
                pos += 4
        else:
            raise MessageError(f"unknown batch row type {kind}")
        if pos + 4 > end:
            raise MessageError("truncated batch row")
        n_fields, n_ops = struct.unpack_from(">HH", data, pos)
        msg.fields, pos = parse_fields(data, pos + 4, n_fields)
        msg.ops, pos = parse_ops(data, pos, n_ops)
        rows.append((index, digest, msg))
        previous = msg
    return rows


def handle_batch(store: Store, msg: Message, node: NodeView,
                 access: Optional["Access"] = None) -> Iterator[bytes]:
    """Answer a batch request: a reply per row, then the last message (`access`: each row's
    permission check, security on)."""
    try:
        rows = _parse_batch_rows(msg.fields[FIELD_BATCH_INDEX])
    except MessageError:
        yield last_message(ERR_PARAMETER)
        return
    try:
        shared_filter = compile_filter(msg.fields.get(FIELD_FILTER), store.version)
    except CommandError as exc:
        error_detail.build_failure(exc, "invalid filter expression in batch request")
        yield error_detail.last(exc, msg.info4, store.version)
        return
    chunk = bytearray()
    for index, digest, row in rows:
        try:
            # batch.c (as_batch_queue_task) reads a row's namespace itself: a row without
            # one is a PARAMETER error there, not thr_tsvc.c's AS_ERR_NAMESPACE
            ns = request_namespace(store, row, missing=ERR_PARAMETER)
            check_access(access, row)
            reply = execute_record(store, ns, digest, row, shared_filter, batch=True,
                                   explain=access is None or access.may_read(row))
        except CommandError as exc:
            reply = error_detail.reply(exc, row.info4, store.version)
        chunk += encode_reply(reply, index)
        if len(chunk) >= CHUNK_SIZE:
            yield bytes(chunk)
            chunk.clear()
    chunk += last_message()
    yield bytes(chunk)
