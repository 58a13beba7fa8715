"""Bit operations (as_bit_operations.h) on blob bins: each command, the write flags, the
resize flags, the overflow actions and the server's error codes, through the C-faithful
functions and through Client.operate with ops.bit_*.

The expected values are the ones Aerospike documents for its bit operations (the examples of
the clients' BitOperation docs, bits counted from the left, offsets from the end when
negative), so the tests hold against a real server as well."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from aerospike_c import ops
from multi_record_fixtures import NAMESPACE, client, set_name  # noqa: F401 - pytest fixtures

START = bytes([0x01, 0x42, 0x03, 0x04, 0x05])


@pytest.fixture
def key(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "bits")
    client.put(key, {"bits": START, "s": "text"})
    return key


def _bits_after(client, key, *operations):  # noqa: F811
    client.operate(key, list(operations))
    return client.get(key).bins["bits"]


def _flags(flags):
    return {"flags": flags}


# -- the commands, C-faithful -----------------------------------------------------------------

def test_c_faithful_modify_then_read(client, key):  # noqa: F811
    operations = asc.as_operations_init(1)
    asc.as_operations_bit_set(operations, "bits", None, None, 13, 3, 1, b"\xe0")
    asc.aerospike_key_operate(client.aerospike, None, key, operations)
    asc.as_operations_destroy(operations)
    operations = asc.as_operations_init(3)
    asc.as_operations_bit_get(operations, "bits", None, 8, 8)
    asc.as_operations_bit_count(operations, "other", None, 0, 40)
    asc.as_operations_bit_count(operations, "bits", None, 0, 40)
    rec = asc.aerospike_key_operate(client.aerospike, None, key, operations)
    assert asc.as_record_get_bytes(rec, "bits") == b"\x47"  # the first result of the bin
    asc.as_record_destroy(rec)
    asc.as_operations_destroy(operations)
    assert client.get(key).bins["bits"] == bytes([0x01, 0x47, 0x03, 0x04, 0x05])


def test_the_generic_c_builders(client, key):  # noqa: F811
    policy = asc.as_bit_policy_init()
    operations = asc.as_operations_init(2)
    asc.as_bit_write(operations, "bits", None, policy, asc.AS_BIT_OP_NOT, 0, 8)
    asc.as_bit_math(operations, "bits", None, policy, asc.AS_BIT_OP_ADD, 32, 8, 1, False,
                    asc.AS_BIT_OVERFLOW_FAIL)
    asc.aerospike_key_operate(client.aerospike, None, key, operations)
    assert client.get(key).bins["bits"] == bytes([0xFE, 0x42, 0x03, 0x04, 0x06])


@pytest.mark.parametrize("operation, expected", [
    (ops.bit_resize("bits", 7, asc.AS_BIT_RESIZE_DEFAULT), START + b"\0\0"),
    (ops.bit_resize("bits", 2, asc.AS_BIT_RESIZE_DEFAULT), START[:2]),
    (ops.bit_resize("bits", 7, asc.AS_BIT_RESIZE_FROM_FRONT), b"\0\0" + START),
    (ops.bit_resize("bits", 2, asc.AS_BIT_RESIZE_FROM_FRONT), START[3:]),
    (ops.bit_insert("bits", 1, b"\xff\xc7"), bytes([0x01, 0xFF, 0xC7, 0x42, 0x03, 0x04, 0x05])),
    (ops.bit_insert("bits", 7, b"\xaa"), START + b"\0\0\xaa"),
    (ops.bit_remove("bits", 2, 3), START[:2]),
    (ops.bit_remove("bits", -2, 1), bytes([0x01, 0x42, 0x03, 0x05])),
    (ops.bit_set("bits", 13, 3, b"\xe0"), bytes([0x01, 0x47, 0x03, 0x04, 0x05])),
    (ops.bit_or("bits", 17, 6, b"\xa8"), bytes([0x01, 0x42, 0x57, 0x04, 0x05])),
    (ops.bit_xor("bits", 17, 6, b"\xac"), bytes([0x01, 0x42, 0x55, 0x04, 0x05])),
    (ops.bit_and("bits", 23, 9, b"\x3c\x80"), bytes([0x01, 0x42, 0x02, 0x00, 0x05])),
    (ops.bit_not("bits", 25, 6), bytes([0x01, 0x42, 0x03, 0x7A, 0x05])),
    (ops.bit_lshift("bits", 32, 8, 3), bytes([0x01, 0x42, 0x03, 0x04, 0x28])),
    (ops.bit_rshift("bits", 0, 9, 1), bytes([0x00, 0xC2, 0x03, 0x04, 0x05])),
    (ops.bit_lshift("bits", 8, 8, 9), bytes([0x01, 0x00, 0x03, 0x04, 0x05])),
    (ops.bit_add("bits", 24, 16, 128, False, asc.AS_BIT_OVERFLOW_FAIL),
     bytes([0x01, 0x42, 0x03, 0x04, 0x85])),
    (ops.bit_subtract("bits", 24, 16, 128, False, asc.AS_BIT_OVERFLOW_FAIL),
     bytes([0x01, 0x42, 0x03, 0x03, 0x85])),
    (ops.bit_set_int("bits", 1, 8, 127), bytes([0x3F, 0xC2, 0x03, 0x04, 0x05])),
    (ops.bit_set_int("bits", -8, 8, -1), bytes([0x01, 0x42, 0x03, 0x04, 0xFF])),
])
def test_modify_commands(client, key, operation, expected):  # noqa: F811
    assert _bits_after(client, key, operation) == expected


@pytest.mark.parametrize("operation, expected", [
    (ops.bit_get("bits", 9, 5), b"\x80"),
    (ops.bit_get("bits", 8, 16), b"\x42\x03"),
    (ops.bit_get("bits", -8, 8), b"\x05"),
    (ops.bit_count("bits", 20, 4), 2),
    (ops.bit_count("bits", 0, 40), 8),
    (ops.bit_lscan("bits", 24, 8, True), 5),
    (ops.bit_lscan("bits", 0, 8, False), 0),
    (ops.bit_lscan("bits", 0, 7, True), -1),
    (ops.bit_rscan("bits", 32, 8, True), 7),
    (ops.bit_rscan("bits", 32, 8, False), 6),
    (ops.bit_rscan("bits", 0, 7, True), -1),
    (ops.bit_get_int("bits", 8, 16, False), 16899),
    (ops.bit_get_int("bits", 32, 8, True), 5),
    (ops.bit_get_int("bits", 33, 6, True), 2),
    (ops.bit_get_int("bits", 8, 2, True), 1),
    (ops.bit_get_int("bits", 9, 1, True), -1),
])
def test_read_commands(client, key, operation, expected):  # noqa: F811
    assert client.operate(key, [operation]).bins["bits"] == expected


def test_reads_of_a_missing_bin_answer_nil(client, key):  # noqa: F811
    assert client.operate(key, [ops.bit_count("nothing", 0, 8)]).bins == {"nothing": None}


# -- write flags ------------------------------------------------------------------------------

def test_create_only_and_update_only(client, key):  # noqa: F811
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.bit_resize("bits", 8, 0, policy=_flags(asc.AS_BIT_WRITE_CREATE_ONLY))])
    assert caught.value.code == asc.AEROSPIKE_ERR_BIN_EXISTS
    client.operate(key, [ops.bit_insert("new", 0, b"\x01", policy=_flags(asc.AS_BIT_WRITE_CREATE_ONLY))])
    assert client.get(key).bins["new"] == b"\x01"
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.bit_resize("other", 2, 0, policy=_flags(asc.AS_BIT_WRITE_UPDATE_ONLY))])
    assert caught.value.code == asc.AEROSPIKE_ERR_BIN_NOT_FOUND
    client.operate(key, [ops.bit_resize("bits", 6, 0, policy=_flags(asc.AS_BIT_WRITE_UPDATE_ONLY))])
    assert client.get(key).bins["bits"] == START + b"\0"


def test_no_fail_makes_a_refused_operation_a_no_op(client, key):  # noqa: F811
    no_fail = asc.AS_BIT_WRITE_CREATE_ONLY | asc.AS_BIT_WRITE_NO_FAIL
    record = client.operate(key, [ops.bit_resize("bits", 8, 0, policy=_flags(no_fail)),
                                  ops.bit_set("bits", 40, 8, b"\xff", policy=_flags(asc.AS_BIT_WRITE_NO_FAIL)),
                                  ops.bit_not("absent", 0, 8, policy=_flags(asc.AS_BIT_WRITE_NO_FAIL)),
                                  ops.read("bits")])
    assert record.bins["bits"] == START
    assert "absent" not in client.get(key).bins


def test_partial_cuts_a_window_at_the_end(client, key):  # noqa: F811
    partial = _flags(asc.AS_BIT_WRITE_PARTIAL)
    assert _bits_after(client, key, ops.bit_set("bits", 32, 16, b"\xff\xff", policy=partial)) \
        == bytes([0x01, 0x42, 0x03, 0x04, 0xFF])
    assert _bits_after(client, key, ops.bit_remove("bits", 3, 10, policy=partial)) == START[:3]
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.bit_set("bits", 8, 24, b"\xff\xff\xff")])
    assert caught.value.code == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE


def test_flags_a_command_does_not_take_are_a_parameter_error(client, key):  # noqa: F811
    for operation in (ops.bit_set("bits", 0, 8, b"\x00", policy=_flags(asc.AS_BIT_WRITE_CREATE_ONLY)),
                      ops.bit_add("bits", 0, 8, 1, False, asc.AS_BIT_OVERFLOW_FAIL,
                                  policy=_flags(asc.AS_BIT_WRITE_PARTIAL)),
                      ops.bit_resize("bits", 8, 0, policy=_flags(asc.AS_BIT_WRITE_CREATE_ONLY
                                                                 | asc.AS_BIT_WRITE_UPDATE_ONLY)),
                      ops.bit_resize("bits", 8, asc.AS_BIT_RESIZE_GROW_ONLY
                                     | asc.AS_BIT_RESIZE_SHRINK_ONLY)):
        with pytest.raises(asc.AerospikeError) as caught:
            client.operate(key, [operation])
        assert caught.value.code == asc.AEROSPIKE_ERR_REQUEST_INVALID
    assert client.get(key).bins["bits"] == START


# -- resize flags -----------------------------------------------------------------------------

def test_grow_only_and_shrink_only(client, key):  # noqa: F811
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.bit_resize("bits", 2, asc.AS_BIT_RESIZE_GROW_ONLY)])
    assert caught.value.code == asc.AEROSPIKE_ERR_REQUEST_INVALID
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.bit_resize("bits", 9, asc.AS_BIT_RESIZE_SHRINK_ONLY)])
    assert caught.value.code == asc.AEROSPIKE_ERR_REQUEST_INVALID
    assert _bits_after(client, key, ops.bit_resize("bits", 2, asc.AS_BIT_RESIZE_SHRINK_ONLY)) \
        == START[:2]
    assert _bits_after(client, key, ops.bit_resize("bits", 3, asc.AS_BIT_RESIZE_GROW_ONLY
                                                   | asc.AS_BIT_RESIZE_FROM_FRONT)) \
        == b"\0" + START[:2]


def test_resize_and_insert_create_the_bin_the_others_need_it(client, key):  # noqa: F811
    client.operate(key, [ops.bit_resize("made", 3, 0), ops.bit_insert("put", 2, b"\x07")])
    bins = client.get(key).bins
    assert bins["made"] == b"\0\0\0" and bins["put"] == b"\0\0\x07"
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [ops.bit_set("absent", 0, 8, b"\x01")])
    assert caught.value.code == asc.AEROSPIKE_ERR_BIN_NOT_FOUND


# -- overflow actions -------------------------------------------------------------------------

@pytest.mark.parametrize("operation, expected", [
    (ops.bit_add("bits", 32, 8, 0xFF, False, asc.AS_BIT_OVERFLOW_SATURATE), 0xFF),
    (ops.bit_add("bits", 32, 8, 0xFF, False, asc.AS_BIT_OVERFLOW_WRAP), 0x04),
    (ops.bit_subtract("bits", 32, 8, 6, False, asc.AS_BIT_OVERFLOW_SATURATE), 0x00),
    (ops.bit_subtract("bits", 32, 8, 6, False, asc.AS_BIT_OVERFLOW_WRAP), 0xFF),
    (ops.bit_add("bits", 32, 8, 0x7F, True, asc.AS_BIT_OVERFLOW_SATURATE), 0x7F),
    (ops.bit_add("bits", 32, 8, 0x7F, True, asc.AS_BIT_OVERFLOW_WRAP), 0x84),
    (ops.bit_subtract("bits", 32, 8, 2, True, asc.AS_BIT_OVERFLOW_FAIL), 0x03),
])
def test_overflow_actions(client, key, operation, expected):  # noqa: F811
    assert _bits_after(client, key, operation)[4] == expected


def test_overflow_fails_by_default(client, key):  # noqa: F811
    for operation in (ops.bit_add("bits", 32, 8, 0xFF, False, asc.AS_BIT_OVERFLOW_FAIL),
                      ops.bit_subtract("bits", 32, 8, 6, False, asc.AS_BIT_OVERFLOW_FAIL),
                      ops.bit_add("bits", 32, 8, 0x7F, True, asc.AS_BIT_OVERFLOW_FAIL)):
        with pytest.raises(asc.AerospikeError) as caught:
            client.operate(key, [operation])
        assert caught.value.code == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert client.get(key).bins["bits"] == START


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("operation, code", [
    (ops.bit_get("bits", 40, 8), asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE),
    (ops.bit_get("bits", 36, 8), asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE),
    (ops.bit_get("bits", -41, 8), asc.AEROSPIKE_ERR_REQUEST_INVALID),
    (ops.bit_get("bits", 0, 0), asc.AEROSPIKE_ERR_REQUEST_INVALID),
    (ops.bit_get_int("bits", 0, 65, False), asc.AEROSPIKE_ERR_REQUEST_INVALID),
    (ops.bit_remove("bits", 5, 1), asc.AEROSPIKE_ERR_REQUEST_INVALID),
    (ops.bit_remove("bits", 4, 2), asc.AEROSPIKE_ERR_REQUEST_INVALID),
    (ops.bit_set_int("bits", 36, 8, 1), asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE),
    (ops.bit_count("s", 0, 8), asc.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE),
    (ops.bit_not("s", 0, 8), asc.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE),
])
def test_server_error_codes(client, key, operation, code):  # noqa: F811
    with pytest.raises(asc.AerospikeError) as caught:
        client.operate(key, [operation])
    assert caught.value.code == code


def test_a_context_is_refused_by_the_server(client, key):  # noqa: F811
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_list_index(ctx, 0)
    operations = asc.as_operations_init(1)
    asc.as_operations_bit_count(operations, "bits", ctx, 0, 8)
    with pytest.raises(asc.AerospikeError) as caught:
        asc.aerospike_key_operate(client.aerospike, None, key, operations)
    assert caught.value.code == asc.AEROSPIKE_ERR_REQUEST_INVALID


def test_bit_ops_create_a_record(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "fresh")
    client.operate(key, [ops.bit_insert("b", 0, b"\x0f")])
    assert client.get(key).bins == {"b": b"\x0f"}
    with pytest.raises(asc.RecordNotFoundError):
        client.operate((NAMESPACE, set_name, "none"), [ops.bit_get("b", 0, 8)])


# -- the binding's own checks -----------------------------------------------------------------

def test_bad_arguments_fail_before_sending():
    operations = asc.as_operations_init(2)
    with pytest.raises(ValueError, match="size"):
        asc.as_operations_bit_set(operations, "bits", None, None, 0, 8, 2, b"\x01")
    with pytest.raises(TypeError):
        asc.as_operations_bit_insert(operations, "bits", None, None, 0, 1, "x")
    policy = asc.as_bit_policy_init()
    with pytest.raises(ValueError, match="AS_BIT_WRITE_"):
        asc.as_bit_policy_set_write_flags(policy, 64)
    with pytest.raises(TypeError):
        asc.as_bit_policy_set_write_flags(asc.as_list_policy_init(), 0)
    with pytest.raises(TypeError, match="value argument"):
        ops.bit_get("bits", 0)
    with pytest.raises(TypeError, match="ctx"):
        ops.bit_get("bits", 0, 8, ctx=[("list_index", 0)])
    with pytest.raises(ValueError, match="unknown bit policy"):
        ops.bit_not("bits", 0, 8, policy={"order": 1})
    assert len(operations) == 0
