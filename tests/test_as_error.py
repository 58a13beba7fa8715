"""as_error.h as a struct for C code that passes an `as_error` between its own functions."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from multi_record_fixtures import client, set_name  # noqa: F401 - pytest fixtures


def test_init_reset_and_fields():
    err = asc.as_error()
    assert (err.code, err.message, err.func, err.file, err.line, err.in_doubt) == (
        asc.AEROSPIKE_OK, "", None, None, 0, False)
    err.code, err.subcode, err.line, err.in_doubt = asc.AEROSPIKE_ERR_TIMEOUT, 7, 12, True
    assert asc.as_error_init(err) is err
    assert (err.code, err.subcode, err.line, err.in_doubt) == (asc.AEROSPIKE_OK, 0, 0, False)
    asc.as_error_set_message(err, asc.AEROSPIKE_ERR_PARAM, "bad")
    assert asc.as_error_reset(err) == asc.AEROSPIKE_OK
    assert (err.code, err.message, err.func) == (asc.AEROSPIKE_OK, "", None)


def _a_c_style_helper(err: asc.as_error, name: str) -> int:
    return asc.as_error_update(err, asc.AEROSPIKE_ERR_PARAM, "bad bin %s (%d bytes)", name, len(name))


def test_update_formats_and_records_the_callers_origin():
    err = asc.as_error()
    status = _a_c_style_helper(err, "abc")
    assert status == asc.AEROSPIKE_ERR_PARAM == err.code
    assert err.message == "bad bin abc (3 bytes)"
    assert err.func == "_a_c_style_helper" and err.file == __file__ and err.line > 0
    assert not err.in_doubt


def test_message_is_truncated_to_the_c_buffer_and_append_stays_inside_it():
    err = asc.as_error()
    asc.as_error_set_message(err, asc.AEROSPIKE_ERR_CLIENT, "x" * 10_000)
    limit = len(err.message)
    assert 0 < limit < 10_000
    asc.as_error_append(err, "tail")
    assert len(err.message) == limit
    asc.as_error_set_message(err, asc.AEROSPIKE_ERR_CLIENT, "head")
    asc.as_error_append(err, " tail")
    assert err.message == "head tail"


def test_copy_keeps_the_origin_alive_after_the_source_is_gone():
    src, trg = asc.as_error(), asc.as_error()
    _a_c_style_helper(src, "b")
    src.in_doubt = True
    asc.as_error_copy(trg, src)
    del src
    assert (trg.code, trg.message, trg.func, trg.in_doubt) == (
        asc.AEROSPIKE_ERR_PARAM, "bad bin b (1 bytes)", "_a_c_style_helper", True)


def test_copy_from_a_raised_error_is_what_the_c_call_fills(client, set_name):  # noqa: F811
    err = asc.as_error()
    with pytest.raises(asc.RecordNotFoundError) as info:
        client.get(("test", set_name, "missing"))
    asc.as_error_copy(err, info.value)
    assert err.code == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND
    assert err.message == info.value.message and err.file == info.value.file
    assert err.line == info.value.line and err.in_doubt is False


@pytest.mark.parametrize("is_read, sent, code, expected", [
    (False, 0, asc.AEROSPIKE_ERR_TIMEOUT, False),
    (False, 1, asc.AEROSPIKE_ERR_TIMEOUT, True),
    (False, 1, asc.AEROSPIKE_ERR_RECORD_NOT_FOUND, False),
    (False, 1, asc.AEROSPIKE_ERR_CLIENT, True),
    (False, 2, asc.AEROSPIKE_ERR_RECORD_NOT_FOUND, True),
    (True, 5, asc.AEROSPIKE_ERR_TIMEOUT, False),
])
def test_set_in_doubt_follows_the_c_rule(is_read, sent, code, expected):
    err = asc.as_error()
    err.code = code
    asc.as_error_set_in_doubt(err, is_read, sent)
    assert err.in_doubt is expected


@pytest.mark.parametrize("call, exc", [
    (lambda e: asc.as_error_init(object()), TypeError),
    (lambda e: asc.as_error_copy(e, "not an error"), TypeError),
    (lambda e: asc.as_error_update(e, "1", "x"), TypeError),
    (lambda e: asc.as_error_update(e, 1 << 40, "x"), ValueError),
    (lambda e: asc.as_error_append(e, "a\0b"), ValueError),
    (lambda e: asc.as_error_set_in_doubt(e, 1, 1), TypeError),
    (lambda e: asc.as_error_set_in_doubt(e, False, -1), ValueError),
    (lambda e: setattr(e, "line", -1), ValueError),
    (lambda e: setattr(e, "message", "x"), AttributeError),
    # a raised error whose fields a handler changed: refused before trg is touched
    (lambda e: asc.as_error_copy(e, asc.AerospikeError(2, None)), TypeError),
    (lambda e: asc.as_error_copy(e, asc.AerospikeError(2, "m", subcode=1 << 40)), ValueError),
])
def test_bad_arguments_raise_before_c(call, exc):
    err = asc.as_error()
    with pytest.raises(exc):
        call(err)
    assert err.code == asc.AEROSPIKE_OK
