"""as_status / as_error: every code maps to a class, attributes come from C unchanged."""
from __future__ import annotations

import builtins
import pickle

import pytest

import aerospike_c
from aerospike_c import exceptions as exc
from aerospike_c import as_error_string, as_status


def test_as_status_holds_every_c_code_with_c_values():
    from aerospike_c._aerospike import lib

    assert len(as_status.__members__) >= 100
    for name, member in as_status.__members__.items():
        assert getattr(lib, name) == member.value
    assert as_status.AEROSPIKE_ERR == as_status.AEROSPIKE_ERR_CLIENT == -1
    assert as_status.AEROSPIKE_ERR_LUA_FILE_NOT_FOUND == 1302


def test_every_status_is_in_the_table():
    for member in as_status:
        if member == as_status.AEROSPIKE_OK:
            continue
        assert member.value in exc.STATUS_CLASSES, member.name


@pytest.mark.parametrize("code, cls, builtin", [
    (as_status.AEROSPIKE_ERR_TIMEOUT, exc.AerospikeTimeoutError, TimeoutError),
    (as_status.AEROSPIKE_ERR_QUERY_TIMEOUT, exc.AerospikeTimeoutError, TimeoutError),
    (as_status.AEROSPIKE_ERR_PARAM, exc.ParamError, ValueError),
    (as_status.AEROSPIKE_ERR_CONNECTION, exc.AerospikeConnectionError, ConnectionError),
    (as_status.AEROSPIKE_ERR_TLS_ERROR, exc.TLSError, ConnectionError),
    (as_status.AEROSPIKE_ERR_RECORD_NOT_FOUND, exc.RecordNotFoundError, KeyError),
    (as_status.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE, exc.BinIncompatibleTypeError, TypeError),
    (as_status.AEROSPIKE_INVALID_PASSWORD, exc.AuthenticationError, PermissionError),
    (as_status.AEROSPIKE_ROLE_VIOLATION, exc.AuthorizationError, PermissionError),
    (as_status.AEROSPIKE_ERR_INDEX_NOT_FOUND, exc.IndexNotFoundError, None),
    (as_status.AEROSPIKE_ERR_UDF_NOT_FOUND, exc.UDFError, None),
    (as_status.AEROSPIKE_MRT_EXPIRED, exc.TransactionError, None),
    (as_status.AEROSPIKE_ERR_NAMESPACE_NOT_FOUND, exc.NamespaceNotFoundError, None),
])
def test_codes_map_to_grouped_classes_that_also_are_builtins(code, cls, builtin):
    err_cls = exc.error_class(code)
    assert err_cls is cls
    assert issubclass(err_cls, aerospike_c.AerospikeError)
    if builtin is not None:
        assert issubclass(err_cls, builtin)


def test_client_and_server_groups_by_sign():
    for member in as_status:
        if member.value == 0:
            continue
        cls = exc.error_class(member.value)
        if issubclass(cls, (exc.AerospikeTimeoutError, exc.TransactionError)):
            continue
        expected = exc.ClientError if member.value < 0 else exc.ServerError
        assert issubclass(cls, expected), member.name
    assert exc.error_class(-999) is exc.ClientError
    assert exc.error_class(9999) is exc.ServerError


def test_no_builtin_name_is_shadowed():
    for name in aerospike_c.__all__:
        assert not hasattr(builtins, name), name


def test_attributes_and_str_read_like_the_c_example():
    err = exc.error_class(9)(9, "Timeout: iterations=2", subcode=0, func="as_command_execute",
                             file="src/main/aerospike/as_command.c", line=590, in_doubt=True)
    assert err.code is as_status.AEROSPIKE_ERR_TIMEOUT
    assert (err.message, err.func, err.file, err.line, err.in_doubt) == (
        "Timeout: iterations=2", "as_command_execute", "src/main/aerospike/as_command.c", 590, True)
    assert str(err) == "err(9) Timeout: iterations=2 at [src/main/aerospike/as_command.c:590]"
    assert str(exc.RecordNotFoundError(2, "not found")) == "err(2) not found"


def test_errors_survive_pickle():
    err = exc.RecordGenerationError(3, "gen", file="f.c", line=7, in_doubt=False, subcode=4)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is exc.RecordGenerationError
    assert (back.code, back.message, back.file, back.line, back.subcode) == (3, "gen", "f.c", 7, 4)


def test_error_from_a_filled_c_as_error():
    from aerospike_c._aerospike import ffi
    from aerospike_c.bindings.as_error import check

    err = ffi.new("as_error*")
    err.code = 2
    err.message = b"record not found here"
    err.line = 12
    err.in_doubt = False
    with pytest.raises(exc.RecordNotFoundError) as info:
        check(2, err)
    assert info.value.message == "record not found here" and info.value.line == 12
    check(0, err)  # AEROSPIKE_OK raises nothing


def test_as_error_string_is_the_c_function():
    assert as_error_string(as_status.AEROSPIKE_ERR_TIMEOUT) == "AEROSPIKE_ERR_TIMEOUT"
    assert as_error_string(-2) == "AEROSPIKE_ERR_PARAM"
    with pytest.raises(TypeError):
        as_error_string("9")
    with pytest.raises(ValueError):
        as_error_string(1 << 40)


def test_codes_print_as_numbers_like_the_c_printf_on_every_python():
    err = exc.error_class(9)(9, "Timeout", file="as_command.c", line=1)
    assert f"err({err.code}) {err.message}" == "err(9) Timeout"
    assert str(as_status.AEROSPIKE_ERR_PARAM) == "-2" and f"{as_status.AEROSPIKE_OK:>3}" == "  0"
    assert repr(as_status.AEROSPIKE_ERR_TIMEOUT) == "<as_status.AEROSPIKE_ERR_TIMEOUT: 9>"
