"""as_string_operations.h (server 8.2): every op family through the C names and through
`ops.string_*`, on an embedded cluster that reports build 8.2 (or AEROSPIKE_HOSTS when that
server is 8.2 or later), and the refusal of a server older than 8.2."""
from __future__ import annotations

import base64
import uuid
from typing import Any, Iterator

import pytest

import aerospike_c as asc
from aerospike_c import Client, ops
from multi_record_fixtures import (NAMESPACE, client,  # noqa: F401 - pytest fixtures
                                   client_of_server_8_2, server_version)


@pytest.fixture(scope="module")
def sclient() -> Iterator[Client]:
    """A client of a server with string operations (8.2 or later)."""
    yield from client_of_server_8_2("string operations")


@pytest.fixture
def key(sclient: Client) -> Any:
    key = (NAMESPACE, f"t_{uuid.uuid4().hex[:16]}", "text")
    yield key
    sclient.remove(key) if sclient.exists(key) else None


def _put(client: Client, key: Any, value: Any, **more: Any) -> None:  # noqa: F811
    client.put(key, {"s": value, **more})


def _status(error: pytest.ExceptionInfo) -> int:
    return int(error.value.code)


def test_c_names_build_operations_in_c_order(sclient: Client, key: Any) -> None:
    _put(sclient, key, "Hello123World")
    operations = asc.as_operations_init(6)
    asc.as_operations_string_strlen(operations, "s", None)
    asc.as_operations_string_substr_range(operations, "s", None, 0, 5)
    asc.as_operations_string_char_at(operations, "s", None, 5)
    asc.as_operations_string_find(operations, "s", None, "World")
    asc.as_operations_string_split_separator(operations, "s", None, "123")
    asc.as_operations_add_read(operations, "s")
    rec = asc.aerospike_key_operate(sclient.aerospike, None, key, operations)
    assert asc.as_record_numbins(rec) == 6  # one result per operation, in the C order
    assert asc.as_record_get_int64(rec, "s", 0) == 13  # the first: strlen
    asc.as_record_destroy(rec)
    asc.as_operations_destroy(operations)


def test_read_ops(sclient: Client, key: Any) -> None:
    _put(sclient, key, "Hello123World")
    rec = sclient.operate_ordered(key, [
        ops.string_strlen("s"), ops.string_substr("s", -5), ops.string_substr_range("s", 0, 5),
        ops.string_char_at("s", 5), ops.string_find("s", "World"), ops.string_find("s", "zz"),
        ops.string_contains("s", "123"), ops.string_starts_with("s", "Hell"),
        ops.string_ends_with("s", "World"), ops.string_byte_length("s"),
        ops.string_split_separator("s", "123"), ops.string_is_upper("s"), ops.string_is_lower("s"),
        ops.string_to_blob("s"), ops.string_regex_compare("s", "[0-9]+"),
        ops.string_regex_compare_flags("s", "^hello", asc.AS_STRING_REGEX_FLAGS_CASE_INSENSITIVE),
    ])
    assert [value for _, value in rec[2]] == [
        13, "World", "Hello", "1", 8, -1, True, True, True, 13, ["Hello", "World"], False, False,
        b"Hello123World", True, True]


def test_unicode_counts_code_points(sclient: Client, key: Any) -> None:
    _put(sclient, key, "日本語hi")
    rec = sclient.operate_ordered(key, [
        ops.string_strlen("s"), ops.string_byte_length("s"), ops.string_substr("s", 3),
        ops.string_char_at("s", -3), ops.string_split("s")])
    assert [value for _, value in rec[2]] == [5, 11, "hi", "語", ["日", "本", "語", "h", "i"]]


def test_find_occurrences_do_not_overlap_and_count_backward(sclient: Client, key: Any) -> None:
    _put(sclient, key, "aaXaa")
    rec = sclient.operate_ordered(key, [
        ops.string_find_occurrence("s", "a", 1), ops.string_find_occurrence("s", "aa", 2),
        ops.string_find_occurrence("s", "aa", 3), ops.string_find_occurrence("s", "a", -1)])
    assert [value for _, value in rec[2]] == [0, 3, -1, 4]
    with pytest.raises(asc.AerospikeError) as error:
        sclient.operate(key, [ops.string_find_occurrence("s", "a", 0)])
    assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID


def test_conversions(sclient: Client, key: Any) -> None:
    _put(sclient, key, "12345", f="1e5", b=base64.b64encode(b"\x00\x01").decode())
    rec = sclient.operate_ordered(key, [
        ops.string_to_integer("s"), ops.string_to_double("s"), ops.string_is_numeric("s"),
        ops.string_is_numeric_type("s", asc.AS_STRING_NUMERIC_FLOAT), ops.string_to_double("f"),
        ops.string_is_numeric("f"), ops.string_b64_decode("b")])
    assert [value for _, value in rec[2]] == [12345, 12345.0, True, False, 100000.0, False,
                                                b"\x00\x01"]
    for op in (ops.string_to_integer("f"), ops.string_b64_decode("f")):
        with pytest.raises(asc.AerospikeError) as error:
            sclient.operate(key, [op])
        assert _status(error) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE


def test_modify_ops(sclient: Client, key: Any) -> None:
    _put(sclient, key, "hello world")
    rec = sclient.operate(key, [
        ops.string_insert("s", 5, " beautiful", policy={"flags": asc.AS_STRING_WRITE_FLAGS_NO_FAIL}),
        ops.string_overwrite("s", 16, "earth"), ops.string_concat_list("s", ["!", "?"]),
        ops.string_replace("s", "beautiful", "wide"), ops.string_replace_all("s", "!", "."),
        ops.string_regex_replace("s", "[?]", ".", asc.AS_STRING_REGEX_FLAGS_GLOBAL),
        ops.string_upper("s"), ops.read("s")])
    assert rec.bins["s"] == "HELLO WIDE EARTH.."


def test_trim_pad_repeat_snip_append_prepend(sclient: Client, key: Any) -> None:
    _put(sclient, key, " hello ")
    sclient.operate(key, [ops.string_trim("s"), ops.string_pad_end("s", 7, "."),
                          ops.string_pad_start("s", 9, "*"), ops.string_repeat("s", 2)])
    assert sclient.get(key).bins["s"] == "**hello..**hello.."
    sclient.operate(key, [ops.string_snip("s", 9, 18), ops.string_snip_start("s", 7),
                          ops.string_append("s", "-end"), ops.string_prepend("s", "start-")])
    assert sclient.get(key).bins["s"] == "start-**hello-end"


def test_case_and_normalization(sclient: Client, key: Any) -> None:
    _put(sclient, key, "HELLO World", d="e\u0301")
    sclient.operate(key, [ops.string_lower("s"), ops.string_normalize_nfc("d")])
    assert sclient.get(key).bins == {"s": "hello world", "d": "\u00e9"}
    sclient.operate(key, [ops.string_case_fold("s"), ops.string_trim_start("s"),
                          ops.string_trim_end("s")])
    assert sclient.get(key).bins["s"] == "hello world"


def test_canonical_matching(sclient: Client, key: Any) -> None:
    _put(sclient, key, "caf\u00e9")
    rec = sclient.operate_ordered(key, [ops.string_find("s", "cafe\u0301"),
                                        ops.string_contains("s", "e\u0301"),
                                        ops.string_ends_with("s", "e\u0301")])
    assert [value for _, value in rec[2]] == [0, True, True]


def test_write_flags(sclient: Client, key: Any) -> None:
    sclient.put(key, {"other": "untouched"})
    create_only = {"flags": asc.AS_STRING_WRITE_FLAGS_CREATE_ONLY}
    sclient.operate(key, [ops.string_append("s", "seed", policy=create_only)])
    assert sclient.get(key).bins == {"other": "untouched", "s": "seed"}
    with pytest.raises(asc.AerospikeError) as error:
        sclient.operate(key, [ops.string_append("s", "-more", policy=create_only)])
    assert _status(error) == asc.AEROSPIKE_ERR_BIN_EXISTS
    sclient.operate(key, [ops.string_append("s", "-more", policy={
        "flags": asc.AS_STRING_WRITE_FLAGS_CREATE_ONLY | asc.AS_STRING_WRITE_FLAGS_NO_FAIL})])
    assert sclient.get(key).bins["s"] == "seed"
    with pytest.raises(asc.AerospikeError) as error:
        sclient.operate(key, [ops.string_append("s", "x", policy={
            "flags": asc.AS_STRING_WRITE_FLAGS_CREATE_ONLY | asc.AS_STRING_WRITE_FLAGS_UPDATE_ONLY})])
    assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
    sclient.operate(key, [ops.string_upper("missing")])  # a missing bin stays missing
    assert "missing" not in sclient.get(key).bins


def test_type_and_argument_errors(sclient: Client, key: Any) -> None:
    _put(sclient, key, "hello", n=7)
    no_fail = {"flags": asc.AS_STRING_WRITE_FLAGS_NO_FAIL}
    with pytest.raises(asc.AerospikeError) as error:
        sclient.operate(key, [ops.string_upper("n", policy=no_fail)])
    assert _status(error) == asc.AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE
    for op in (ops.string_pad_start("s", 10, ""), ops.string_overwrite("s", 100, "x"),
               ops.string_regex_replace("s", "[unclosed", "N", asc.AS_STRING_REGEX_FLAGS_NONE)):
        with pytest.raises(asc.AerospikeError) as error:
            sclient.operate(key, [op])
        assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
    sclient.operate(key, [ops.string_regex_replace("s", "[unclosed", "N", 0, policy=no_fail)])
    assert sclient.get(key).bins["s"] == "hello"


def test_ctx_targets_a_nested_string(sclient: Client, key: Any) -> None:
    sclient.put(key, {"l": ["alpha", "beta"], "m": {"k": "hello world"}})
    rec = sclient.operate_ordered(key, [
        ops.string_strlen("l", ctx=[("list_index", 0)]),
        ops.string_append("l", "-gamma", ctx=[("list_index", 1)]),
        ops.string_replace("m", "world", "earth", ctx=[("map_key", "k")]),
        ops.read("l"), ops.read("m")])
    assert [value for _, value in rec[2] if value is not None] == [
        5, ["alpha", "beta-gamma"], {"k": "hello earth"}]


def test_to_string(sclient: Client, key: Any) -> None:
    sclient.put(key, {"i": 42, "t": True, "b": b"hi", "x": b"\xff"})
    rec = sclient.operate_ordered(key, [ops.to_string("i"), ops.to_string("t"), ops.to_string("b")])
    assert [value for _, value in rec[2]] == ["42", "true", "hi"]
    with pytest.raises(asc.AerospikeError) as error:
        sclient.operate(key, [ops.to_string("x")])
    assert _status(error) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE


def test_policy_and_argument_checks_in_python() -> None:
    policy = asc.as_string_policy_init()
    assert policy.flags == asc.AS_STRING_WRITE_FLAGS_DEFAULT
    asc.as_string_policy_set(policy, asc.AS_STRING_WRITE_FLAGS_UPDATE_ONLY)
    assert policy.flags == asc.AS_STRING_WRITE_FLAGS_UPDATE_ONLY
    with pytest.raises(ValueError):
        policy.flags = 64
    operations = asc.as_operations_init(1)
    with pytest.raises(ValueError):
        asc.as_operations_string_find(operations, "s", None, "a\0b")
    with pytest.raises(TypeError):
        asc.as_operations_string_find(operations, "s", None, None)
    with pytest.raises(TypeError):
        ops.to_string("s", ctx=[("list_index", 0)])
    asc.as_operations_destroy(operations)


def test_a_server_before_8_2_refuses_them_as_unknown_operations(client: Client) -> None:  # noqa: F811
    if server_version(client) >= (8, 2):
        pytest.skip("the session's server has string operations")
    key = (NAMESPACE, f"t_{uuid.uuid4().hex[:16]}", "old")
    client.put(key, {"s": "hello"})
    try:
        for op in (ops.string_strlen("s"), ops.string_upper("s"), ops.to_string("s")):
            with pytest.raises(asc.AerospikeError) as error:
                client.operate(key, [op])
            assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
        assert client.get(key).bins == {"s": "hello"}
    finally:
        client.remove(key)
