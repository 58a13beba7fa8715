"""as_info.h: parsing the text of an info response ("name\\tvalue\\n...").

    res = aerospike_info_any(as_, None, "build")         # "build\\t8.1.0.0\\n"
    as_info_parse_single_response(res)                   # "8.1.0.0"
    as_info_parse_multi_response(aerospike_info_any(as_, None, "node\\nbuild\\n"))
                                                         # [("node", "BB9..."), ("build", "8.1.0.0")]

C parses in place and points into the buffer; here the text is copied first and the
results are new strings. The info requests themselves are in aerospike_info.
"""
from __future__ import annotations

from typing import List, Tuple

from .._aerospike import ffi, lib
from ..exceptions import ClientError
from .as_config import c_str
from .as_status import as_status

__all__ = ["as_info_parse_single_response", "as_info_parse_multi_response"]


def _buffer(name: str, text: str) -> bytes:
    # Two NULs: C's multi-response parser steps one past the end of a last line that has
    # no newline before it looks at the next byte.
    return c_str(name, text) + b"\0"


def _text(ptr: object) -> str:
    return ffi.string(ptr).decode("utf-8", "replace")


def as_info_parse_single_response(values: str) -> str:
    """as_info_parse_single_response(values, &value): the value of a one-command response
    (between the tab and the newline); ClientError (AEROSPIKE_ERR_CLIENT) without them."""
    buffer = ffi.new("char[]", _buffer("values", values))
    value = ffi.new("char**")
    if lib.as_info_parse_single_response(buffer, value) != 0:
        raise ClientError(as_status.AEROSPIKE_ERR_CLIENT,
                          f"not a name<TAB>value<NEWLINE> info response: {values!r}")
    return _text(value[0])


def as_info_parse_multi_response(buf: str) -> List[Tuple[str, str]]:
    """as_info_parse_multi_response(buf, &values): every (name, value) of a response, in
    order (a name without a value gets "")."""
    buffer = ffi.new("char[]", _buffer("buf", buf))
    vector = ffi.new("as_vector*")
    lib.as_vector_init(vector, ffi.sizeof("as_name_value"), 8)
    try:
        lib.as_info_parse_multi_response(buffer, vector)
        pairs = ffi.cast("as_name_value*", vector.list)
        return [(_text(pairs[i].name), _text(pairs[i].value)) for i in range(vector.size)]
    finally:
        lib.as_vector_destroy(vector)
