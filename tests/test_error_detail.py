"""Server 8.2 error details (as_subcode.h, the policies' error_detail_verbosity): the subcode,
the server's message and the expression trace reach AerospikeError (and as_error, and each
batch row), on an embedded cluster that reports build 8.2 (or AEROSPIKE_HOSTS when that
server is 8.2 or later); a server before 8.2 sends none of it."""
from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

import aerospike_c as asc
from aerospike_c import BatchRead, BatchWrite, Client, Config, exp, ops
from aerospike_c.testing import EmbeddedCluster
from multi_record_fixtures import (NAMESPACE, client,  # noqa: F401 - pytest fixtures
                                   client_of_server_8_2, server_version)

SUBCODE, MESSAGE, TRACE = (asc.AS_ERROR_DETAIL_SUBCODE, asc.AS_ERROR_DETAIL_MESSAGE,
                           asc.AS_ERROR_DETAIL_EXP_TRACE)


@pytest.fixture(scope="module")
def dclient() -> Iterator[Client]:
    """A client of a server with error details (8.2 or later)."""
    yield from client_of_server_8_2("error details")


@pytest.fixture
def key(dclient: Client) -> Iterator[Any]:
    key = (NAMESPACE, "error_detail", f"k_{uuid.uuid4().hex[:16]}")
    dclient.put(key, {"ibin": 100, "sbin": "hello"})
    yield key
    dclient.remove(key) if dclient.exists(key) else None


def _failure(call: Any, *args: Any, **kwargs: Any) -> asc.AerospikeError:
    with pytest.raises(asc.AerospikeError) as error:
        call(*args, **kwargs)
    return error.value


def _filtered(client: Client, key: Any, filter_exp: Any,  # noqa: F811
              verbosity: int) -> asc.AerospikeError:
    """The error of a get whose filter refuses the record (or fails to build)."""
    return _failure(client.get, key, filter_exp=filter_exp,
                    policy={"error_detail_verbosity": verbosity})


def test_verbosity_constants_are_the_c_values() -> None:
    assert (asc.AS_ERROR_DETAIL_NONE, SUBCODE, MESSAGE, TRACE) == (0, 1, 2, 3)
    assert asc.AS_SUB_NONE == 0
    assert asc.AS_SUB_PARAM_STRING_OP_PARAMS_INVALID == 6
    assert asc.AS_SUB_OPNOT_CDT_INDEX_OUT_OF_BOUNDS == 1
    assert asc.AS_SUB_MRT_BLOCKED_ID_MISMATCH == 2


def test_a_policy_carries_the_verbosity() -> None:
    policy = asc.as_policy_read_init()
    assert policy.base.error_detail_verbosity == asc.AS_ERROR_DETAIL_NONE
    policy.base.error_detail_verbosity = TRACE
    assert asc.as_policy_read_init().base.error_detail_verbosity == 0
    assert policy.base.error_detail_verbosity == TRACE


def test_string_operation_subcode_at_verbosity_1(dclient: Client, key: Any) -> None:
    error = _failure(dclient.operate, key, [ops.string_pad_start("sbin", 10, "")],
                     policy={"error_detail_verbosity": SUBCODE})
    assert error.code == asc.AEROSPIKE_ERR_REQUEST_INVALID
    assert error.subcode == asc.AS_SUB_PARAM_STRING_OP_PARAMS_INVALID
    assert "exp_trace" not in error.message


@pytest.mark.parametrize("operation, code, subcode", [
    (lambda: ops.list_get_by_index("l", 99, asc.AS_LIST_RETURN_VALUE),
     asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE, asc.AS_SUB_OPNOT_CDT_INDEX_OUT_OF_BOUNDS),
    (lambda: ops.list_get_by_rank("l", 9999, asc.AS_LIST_RETURN_VALUE),
     asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE, asc.AS_SUB_OPNOT_CDT_RANK_OUT_OF_BOUNDS),
    (lambda: ops.list_insert("l", 10, 5, policy={"order": asc.AS_LIST_UNORDERED,
                                                 "flags": asc.AS_LIST_WRITE_INSERT_BOUNDED}),
     asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE, asc.AS_SUB_OPNOT_CDT_BOUNDED_LIST_OVERFLOW),
    (lambda: ops.bit_get("b", 0, 0),
     asc.AEROSPIKE_ERR_REQUEST_INVALID, asc.AS_SUB_PARAM_BITS_SIZE_OUT_OF_RANGE),
    (lambda: ops.bit_get("b", 2000000000, 8),
     asc.AEROSPIKE_ERR_REQUEST_INVALID, asc.AS_SUB_PARAM_BITS_OFFSET_OUT_OF_RANGE),
    (lambda: ops.hll_fold("no_hll", 4),
     asc.AEROSPIKE_ERR_BIN_NOT_FOUND, asc.AS_SUB_BIN_NOT_FOUND_HLL_CANNOT_CREATE_WITH_OP),
])
def test_cdt_bit_and_hll_subcodes(dclient: Client, key: Any, operation: Any, code: int,
                                  subcode: int) -> None:
    dclient.put(key, {"l": [1, 2, 3], "b": bytearray(b"\x01\x02\x03\x04\x05")})
    error = _failure(dclient.operate, key, [operation()],
                     policy={"error_detail_verbosity": MESSAGE})
    assert (error.code, error.subcode) == (code, subcode)
    assert asc.as_error_string(code) not in error.message  # the server's message instead


def test_no_detail_at_verbosity_0(dclient: Client, key: Any) -> None:
    error = _failure(dclient.operate, key, [ops.string_pad_start("sbin", 10, "")])
    assert error.subcode == asc.AS_SUB_NONE
    assert asc.as_error_string(asc.AEROSPIKE_ERR_REQUEST_INVALID) in error.message


def test_filtered_out_explains_the_deciding_comparison(dclient: Client, key: Any) -> None:
    refused = exp.eq(exp.bin_int("ibin"), 99999)
    plain = _filtered(dclient, key, refused, MESSAGE)
    assert plain.code == asc.AEROSPIKE_FILTERED_OUT and plain.subcode == asc.AS_SUB_NONE
    assert "filtered out" in plain.message and "exp_trace" not in plain.message
    traced = _filtered(dclient, key, refused, TRACE)
    assert '; exp_trace={phase="eval"' in traced.message
    assert 'outcome="false"' in traced.message
    assert 'op="eq"' in traced.message
    assert 'operands=["100","99999"]' in traced.message


def test_filtered_out_names_an_absent_bin_and_a_fault(dclient: Client, key: Any) -> None:
    absent = _filtered(dclient, key, exp.eq(exp.bin_int("missing"), 2), TRACE)
    assert absent.code == asc.AEROSPIKE_FILTERED_OUT
    assert 'outcome="absent"' in absent.message and "operands=" not in absent.message
    fault = _filtered(dclient, key, exp.gt(exp.div(5, 0), 1), TRACE)
    assert fault.code == asc.AEROSPIKE_FILTERED_OUT
    assert "division by zero" in fault.message
    assert 'outcome="fault"' in fault.message and 'op="div"' in fault.message


def test_filter_build_failure(dclient: Client, key: Any) -> None:
    ill_typed = exp.eq(5, 6.0)
    error = _filtered(dclient, key, ill_typed, MESSAGE)
    assert error.code == asc.AEROSPIKE_ERR_REQUEST_INVALID and error.subcode == asc.AS_SUB_NONE
    assert "invalid filter expression" in error.message and "exp_trace" not in error.message
    traced = _filtered(dclient, key, ill_typed, TRACE)
    assert 'phase="build"' in traced.message and "outcome=" not in traced.message
    query = _failure(list, dclient.query(NAMESPACE, "error_detail", filter_exp=ill_typed,
                                         policy={"error_detail_verbosity": TRACE}))
    assert "invalid filter expression" in query.message and "query" in query.message
    assert 'phase="build"' in query.message


def test_expression_operation_without_a_value(dclient: Client, key: Any) -> None:
    unknown = exp.cond(exp.eq(exp.bin_int("ibin"), 100), exp.unknown(), 5)
    v2 = _failure(dclient.operate, key, [ops.exp_read("x", unknown)],
                  policy={"error_detail_verbosity": MESSAGE})
    v3 = _failure(dclient.operate, key, [ops.exp_read("x", unknown)],
                  policy={"error_detail_verbosity": TRACE})
    assert v2.code == v3.code == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert v2.subcode == v3.subcode
    assert "exp_trace" not in v2.message and v2.message
    assert '; exp_trace={phase="eval"' in v3.message


def test_a_batch_row_carries_its_own_detail(dclient: Client, key: Any) -> None:
    results = dclient.batch_records(
        [BatchRead(key), BatchWrite(key, ops=[ops.string_pad_start("sbin", 10, "")])],
        policy={"error_detail_verbosity": SUBCODE})
    assert results[0].error is None
    failed = results[1].error
    assert failed is not None and failed.code == asc.AEROSPIKE_ERR_REQUEST_INVALID
    assert failed.subcode == asc.AS_SUB_PARAM_STRING_OP_PARAMS_INVALID


def test_the_c_struct_keeps_the_subcode(dclient: Client, key: Any) -> None:
    error = _failure(dclient.operate, key, [ops.string_pad_start("sbin", 10, "")],
                     policy={"error_detail_verbosity": MESSAGE})
    err = asc.as_error()
    asc.as_error_copy(err, error)
    assert err.subcode == asc.AS_SUB_PARAM_STRING_OP_PARAMS_INVALID
    assert err.message == error.message
    asc.as_error_reset(err)
    assert err.subcode == asc.AS_SUB_NONE


def test_a_server_before_8_2_sends_no_detail(client: Client) -> None:  # noqa: F811
    if server_version(client) >= (8, 2):
        pytest.skip("the session's server has error details")
    key = (NAMESPACE, "error_detail", f"old_{uuid.uuid4().hex[:16]}")
    client.put(key, {"ibin": 100})
    try:
        error = _failure(client.get, key, filter_exp=exp.eq(exp.bin_int("ibin"), 99999),
                         policy={"error_detail_verbosity": TRACE})
        assert error.code == asc.AEROSPIKE_FILTERED_OUT and error.subcode == asc.AS_SUB_NONE
        assert "exp_trace" not in error.message
        assert asc.as_error_string(asc.AEROSPIKE_FILTERED_OUT) in error.message
    finally:
        client.remove(key)


@pytest.mark.fault_injection  # its own strong-consistency cluster reporting 8.2 (none to share)
def test_transaction_blocked_subcodes() -> None:
    with EmbeddedCluster(nodes=1, build="8.2.0.0", strong_consistency=True) as cluster, \
            Client(Config(hosts=cluster.hosts)) as sc:
        key = (NAMESPACE, "error_detail", "locked")
        sc.put(key, {"i": 1})
        first, second = asc.as_txn_init(), asc.as_txn_init()
        sc.put(key, {"i": 2}, txn=first)
        other = _failure(sc.put, key, {"i": 3}, txn=second,
                         policy={"error_detail_verbosity": SUBCODE})
        outside = _failure(sc.put, key, {"i": 4}, policy={"error_detail_verbosity": SUBCODE})
        assert other.code == outside.code == asc.AEROSPIKE_MRT_BLOCKED
        assert other.subcode == asc.AS_SUB_MRT_BLOCKED_ID_MISMATCH
        assert outside.subcode == asc.AS_SUB_MRT_BLOCKED_RECORD_LOCKED
        asc.aerospike_abort(sc.aerospike, first)
        asc.aerospike_abort(sc.aerospike, second)
