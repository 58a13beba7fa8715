"""String calls inside expressions (as_exp_string_*, as_exp_to_string; server 8.2): in
expression reads and writes, in filters, through the C names and through `aerospike_c.exp`, on
an embedded cluster that reports build 8.2 (or AEROSPIKE_HOSTS when that server is 8.2 or
later); and their refusal, as unknown operations, by a server older than 8.2."""
from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest

import aerospike_c as asc
from aerospike_c import Client, exp, ops
from multi_record_fixtures import NAMESPACE, client, server_version  # noqa: F401 - pytest fixtures
from test_string_operations import key, sclient  # noqa: F401 - pytest fixtures

CAFE_NFC, CAFE_NFD = "caf\u00e9", "cafe\u0301"


def _status(error: pytest.ExceptionInfo) -> int:
    return int(error.value.code)


def _read(client: Client, key: Any, **expressions: Any) -> Dict[str, Any]:  # noqa: F811
    """Each expression's value, read under its name (as_operations_exp_read)."""
    rec = client.operate(key, [ops.exp_read(name, e) for name, e in expressions.items()])
    return dict(rec.bins)


def test_read_calls_through_the_c_names(sclient: Client, key: Any) -> None:  # noqa: F811
    sclient.put(key, {"s": "Hello123World", "n": "-42", "f": "2.5"})
    s = asc.as_exp_bin_str("s")
    values = _read(
        sclient, key,
        len=asc.as_exp_build(asc.as_exp_string_strlen(s)),
        sub=asc.as_exp_build(asc.as_exp_string_substr_range(0, 5, s)),
        tail=asc.as_exp_build(asc.as_exp_string_substr(-5, s)),
        at=asc.as_exp_build(asc.as_exp_string_char_at(5, s)),
        find=asc.as_exp_build(asc.as_exp_string_find("World", s)),
        miss=asc.as_exp_build(asc.as_exp_string_find("zz", s)),
        has=asc.as_exp_build(asc.as_exp_string_contains("123", s)),
        starts=asc.as_exp_build(asc.as_exp_string_starts_with("Hell", s)),
        ends=asc.as_exp_build(asc.as_exp_string_ends_with("World", s)),
        bytes_=asc.as_exp_build(asc.as_exp_string_byte_length(s)),
        split=asc.as_exp_build(asc.as_exp_string_split_separator("123", s)),
        upper=asc.as_exp_build(asc.as_exp_string_is_upper(s)),
        regex=asc.as_exp_build(asc.as_exp_string_regex_compare("[0-9]+", s)),
        int_=asc.as_exp_build(asc.as_exp_string_to_integer(asc.as_exp_bin_str("n"))),
        float_=asc.as_exp_build(asc.as_exp_string_to_double(asc.as_exp_bin_str("f"))),
        numeric=asc.as_exp_build(asc.as_exp_string_is_numeric(asc.as_exp_bin_str("n"))),
        blob=asc.as_exp_build(asc.as_exp_string_to_blob(asc.as_exp_bin_str("f"))),
    )
    assert values == {"len": 13, "sub": "Hello", "tail": "World", "at": "1", "find": 8,
                      "miss": -1, "has": True, "starts": True, "ends": True, "bytes_": 13,
                      "split": ["Hello", "World"], "upper": False, "regex": True, "int_": -42,
                      "float_": 2.5, "numeric": True, "blob": b"2.5"}


def test_modify_calls_give_a_new_value_and_leave_the_bin(sclient: Client, key: Any) -> None:  # noqa: F811
    sclient.put(key, {"s": "Hello123World"})
    no_fail = asc.as_string_policy_init()
    asc.as_string_policy_set(no_fail, asc.AS_STRING_WRITE_FLAGS_NO_FAIL)
    values = _read(
        sclient, key,
        upper=exp.string_upper(None, exp.bin_str("s")),
        replace=exp.string_replace(None, "123", "-", exp.bin_str("s")),
        regex=exp.string_regex_replace(None, "[0-9]+", "NUM", asc.AS_STRING_REGEX_FLAGS_GLOBAL,
                                       exp.bin_str("s")),
        bad_regex=exp.string_regex_replace(no_fail, "[unclosed", "NUM", 0, exp.bin_str("s")),
        concat=exp.string_concat_list(None, [" ", "big"], exp.bin_str("s")),
        pad=exp.string_pad_start(None, 15, "*", exp.bin_str("s")),
        snip=exp.string_snip_start(None, 5, exp.bin_str("s")),
        nested=exp.string_append(None, "!", exp.string_lower(None, exp.bin_str("s"))),
    )
    assert values == {"upper": "HELLO123WORLD", "replace": "Hello-World",
                      "regex": "HelloNUMWorld", "bad_regex": "Hello123World",
                      "concat": "Hello123World big", "pad": "**Hello123World",
                      "snip": "Hello", "nested": "hello123world!"}
    assert sclient.get(key).bins == {"s": "Hello123World"}
    sclient.operate(key, [ops.exp_write("t", exp.string_trim(None, exp.str_("  x  ")))])
    assert sclient.get(key).bins == {"s": "Hello123World", "t": "x"}


def test_to_string(sclient: Client, key: Any) -> None:  # noqa: F811
    sclient.put(key, {"i": 7, "s": "x"})
    assert _read(sclient, key, a=exp.to_string(42), b=exp.to_string(True),
                 c=exp.to_string(exp.bin_int("i")), d=exp.to_string(exp.bin_str("s"))) == \
        {"a": "42", "b": "true", "c": "7", "d": "x"}


def test_matching_is_canonical(sclient: Client, key: Any) -> None:  # noqa: F811
    sclient.put(key, {"s": f"{CAFE_NFC}-world"})
    assert _read(sclient, key,
                 starts=exp.string_starts_with(CAFE_NFD, exp.bin_str("s")),
                 replace=exp.string_replace(None, CAFE_NFD, "tea", exp.bin_str("s")),
                 last=exp.string_find_occurrence("o", -1, exp.bin_str("s"))) == \
        {"starts": True, "replace": "tea-world", "last": 6}


def test_a_string_filter_passes_or_filters_out(sclient: Client, key: Any) -> None:  # noqa: F811
    sclient.put(key, {"s": "Hello123World"})
    passes = exp.string_contains("123", exp.bin_str("s"))
    assert sclient.get(key, filter_exp=passes).bins == {"s": "Hello123World"}
    with pytest.raises(asc.AerospikeError) as error:
        sclient.get(key, filter_exp=exp.eq(exp.string_strlen(exp.bin_str("s")), 99))
    assert _status(error) == asc.AEROSPIKE_FILTERED_OUT
    with pytest.raises(asc.AerospikeError) as error:  # a missing bin is unknown: filtered out
        sclient.get(key, filter_exp=exp.string_contains("1", exp.bin_str("absent")))
    assert _status(error) == asc.AEROSPIKE_FILTERED_OUT


def test_a_scan_filter_selects_by_string_call(sclient: Client) -> None:  # noqa: F811
    set_name = f"t_{uuid.uuid4().hex[:16]}"
    words = ["alpha", "beta", "ALPHA", "gamma"]
    for i, word in enumerate(words):
        sclient.put((NAMESPACE, set_name, i), {"w": word})
    try:
        found = {r.bins["w"] for r in sclient.scan(NAMESPACE, set_name, filter_exp=exp.eq(
            exp.string_lower(None, exp.bin_str("w")), "alpha"))}
        assert found == {"alpha", "ALPHA"}
    finally:
        for i in range(len(words)):
            sclient.remove((NAMESPACE, set_name, i))


def test_unknown_values_fail_the_operation_unless_eval_no_fail(sclient: Client, key: Any) -> None:  # noqa: F811
    sclient.put(key, {"other": "untouched", "s": "abc"})
    upper = exp.string_upper(None, exp.bin_str("s_missing"))
    with pytest.raises(asc.AerospikeError) as error:
        sclient.operate(key, [ops.exp_read("u", upper)])
    assert _status(error) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    rec = sclient.operate(key, [ops.exp_read("u", upper, asc.AS_EXP_READ_EVAL_NO_FAIL)])
    assert rec.bins == {"u": None}
    with pytest.raises(asc.AerospikeError) as error:  # the C suite's missing-bin write
        sclient.operate(key, [ops.exp_write("s_missing", upper)])
    assert _status(error) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    with pytest.raises(asc.AerospikeError) as error:  # "abc" is not an integer
        sclient.operate(key, [ops.exp_read("n", exp.string_to_integer(exp.bin_str("s")))])
    assert _status(error) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert sclient.get(key).bins == {"other": "untouched", "s": "abc"}


def _lower_words(client: Client, key: Any) -> Any:  # noqa: F811
    """A select by path of the list items a string call accepts (is_lower of each value)."""
    lower = asc.as_exp_build(asc.as_exp_string_is_lower(
        asc.as_exp_loopvar_str(asc.AS_EXP_LOOPVAR_VALUE)))
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_all_children_with_filter(ctx, lower)
    return client.operate(key, [ops.select_by_path("w", ctx, asc.AS_EXP_PATH_SELECT_VALUE)])


def test_a_string_call_filters_a_path_select(sclient: Client, key: Any) -> None:  # noqa: F811
    sclient.put(key, {"w": ["apple", "Banana", "cherry"]})
    assert _lower_words(sclient, key).bins == {"w": ["apple", "cherry"]}


def _create_strlen_index(client: Client, set_name: str, index: str) -> None:  # noqa: F811
    """An expression index over the code point count of bin w (aerospike_index_create_exp)."""
    strlen = asc.as_exp_build(asc.as_exp_string_strlen(asc.as_exp_bin_str("w")))
    task = asc.aerospike_index_create_exp(client.aerospike, None, NAMESPACE, set_name, index,
                                          asc.AS_INDEX_TYPE_DEFAULT, asc.AS_INDEX_NUMERIC, strlen)
    asc.aerospike_index_create_wait(task, 100)
    asc.as_exp_destroy(strlen)


def test_an_expression_index_over_a_string_call(sclient: Client) -> None:  # noqa: F811
    set_name, index = f"t_{uuid.uuid4().hex[:16]}", f"se_{uuid.uuid4().hex[:8]}"
    words = ["apple", "kiwi", "caf\u00e9s", "banana"]
    for i, word in enumerate(words):
        sclient.put((NAMESPACE, set_name, i), {"w": word})
    _create_strlen_index(sclient, set_name, index)
    try:
        strlen = asc.as_exp_build(asc.as_exp_string_strlen(asc.as_exp_bin_str("w")))
        query = asc.as_query_init(NAMESPACE, set_name)
        asc.as_query_where_init(query, 1)
        asc.as_query_where_with_exp(query, strlen, *asc.as_integer_range(5, 5))
        asc.as_exp_destroy(strlen)
        found: List[str] = []
        asc.aerospike_query_foreach(sclient.aerospike, None, query,
                                    lambda r, u: found.append(r.bins["w"]) if r else True)
        asc.as_query_destroy(query)
        assert sorted(found) == ["apple", "caf\u00e9s"]  # code points, not bytes
    finally:
        sclient.index_remove(NAMESPACE, index)
        for i in range(len(words)):
            sclient.remove((NAMESPACE, set_name, i))


@pytest.mark.parametrize("bad", [
    lambda: exp.string_strlen(exp.bin_int("i")),                     # an int operand
    lambda: exp.string_upper(None, exp.bin_list("l")),               # a list operand
    lambda: exp.to_string(exp.bin_list("l")),                        # to_string of a list
    lambda: exp.string_concat_list(None, exp.bin_int("i"), exp.bin_str("s")),  # values: an int
])
def test_ill_typed_calls_are_refused_before_any_record_is_read(sclient: Client, key: Any, bad: Any) -> None:  # noqa: F811
    sclient.put(key, {"s": "abc", "i": 1, "l": [1]})
    with pytest.raises(asc.AerospikeError) as error:
        sclient.operate(key, [ops.exp_read("x", bad())])
    assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
    with pytest.raises(asc.AerospikeError) as error:  # in a filter too, even with no record
        sclient.get((NAMESPACE, key[1], "absent"), filter_exp=exp.eq(bad(), bad()))
    assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID


def test_a_server_before_8_2_refuses_string_calls_as_unknown(client: Client) -> None:  # noqa: F811
    if server_version(client) >= (8, 2):
        pytest.skip("the session's server has string expressions")
    key = (NAMESPACE, f"t_{uuid.uuid4().hex[:16]}", "old")
    client.put(key, {"s": "hello"})
    try:
        for expression in (exp.string_strlen(exp.bin_str("s")), exp.to_string(1),
                           exp.add(exp.string_strlen(exp.bin_str("s")), 1)):
            with pytest.raises(asc.AerospikeError) as error:
                client.operate(key, [ops.exp_read("x", expression)])
            assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
        with pytest.raises(asc.AerospikeError) as error:
            client.get(key, filter_exp=exp.string_contains("h", exp.bin_str("s")))
        assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
        with pytest.raises(asc.AerospikeError) as error:
            list(client.scan(NAMESPACE, key[1], filter_exp=exp.eq(exp.to_string(1), "1")))
        assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
        with pytest.raises(asc.AerospikeError) as error:  # an expression index over one
            _create_strlen_index(client, key[1], f"se_{uuid.uuid4().hex[:8]}")
        assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
        client.put(key, {"w": ["apple"]})
        with pytest.raises(asc.AerospikeError) as error:  # in a path filter of a CDT operation
            _lower_words(client, key)
        assert _status(error) == asc.AEROSPIKE_ERR_REQUEST_INVALID
        assert client.get(key).bins == {"s": "hello", "w": ["apple"]}
    finally:
        client.remove(key)
