"""as_exp.h: the builders make the C macros' as_exp_entry tables, the C client compiles them
(as_exp_compile), and an expression goes where C puts one: filter_exp on policies and the
as_operations_exp_read/_write operations.

The packed forms asserted here are what the C client's own as_exp_compile writes for these
macros (the expression wire format servers read), so they hold against any server."""
from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import msgpack
import pytest

import aerospike_c as asc
from probe_helpers import probe_output
from multi_record_fixtures import NAMESPACE, client, set_name  # noqa: F401 - pytest fixtures

HEADER = Path(__file__).resolve().parent.parent / "vendor" / "aerospike-client-c" / "src" / \
    "include" / "aerospike" / "as_exp.h"


def packed(entries):
    exp = asc.as_exp_build(entries)
    try:
        return msgpack.unpackb(bytes(exp), raw=True, strict_map_key=False)
    finally:
        asc.as_exp_destroy(exp)


# -- every macro, by its C name and arguments --------------------------------------------------
def test_every_builder_macro_of_the_header_is_a_function_with_its_c_parameters():
    macros = {name: [p.strip().lstrip("_") for p in params.split(",") if p.strip()]
              for name, params in re.findall(r"#define (as_exp_\w+)\(([^)]*)\)", HEADER.read_text())}
    assert len(macros) > 240
    for name, params in macros.items():
        builder = getattr(asc, name)
        if params == ["..."] or name in ("as_exp_build", "as_exp_build_b64"):
            continue  # variadic (and as_exp_build(name, ...), whose name is the return value)
        assert list(inspect.signature(builder).parameters) == params, name


def test_literals_metadata_and_comparisons_pack_as_the_c_client_packs_them():
    assert packed(asc.as_exp_and(
        asc.as_exp_cmp_gt(asc.as_exp_bin_int("age"), asc.as_exp_int(20)),
        asc.as_exp_bin_exists("name"))) == [16, [3, [81, 2, b"age"], 20], [2, [82, b"name"], 0]]
    assert packed(asc.as_exp_cmp_eq(asc.as_exp_str("a"), asc.as_exp_bytes(b"xyz", 2))) == \
        [1, b"\x03a", b"\x04xy"]
    assert packed(asc.as_exp_cmp_le(asc.as_exp_float(1.5), asc.as_exp_uint(2 ** 64 - 1))) == \
        [6, 1.5, 2 ** 64 - 1]
    assert packed(asc.as_exp_not(asc.as_exp_bool(False))) == [18, False]
    assert packed(asc.as_exp_cmp_eq(asc.as_exp_key_str(), asc.as_exp_set_name())) == \
        [1, [80, 3], [70]]
    assert packed(asc.as_exp_cmp_gt(asc.as_exp_ttl(), asc.as_exp_digest_modulo(3))) == \
        [3, [69], [64, 3]]
    assert packed(asc.as_exp_in_list(asc.as_exp_int(1), asc.as_exp_val([1, 2]))) == \
        [9, 1, [126, [1, 2]]]
    assert packed(asc.as_exp_cmp_regex(2, "^a", asc.as_exp_bin_str("s"))) == \
        [7, 2, b"^a", [81, 3, b"s"]]
    assert packed(asc.as_exp_unknown()) == [0]


def test_variadic_let_and_cond_count_their_arguments():
    assert packed(asc.as_exp_add(asc.as_exp_int(1), asc.as_exp_int(2), asc.as_exp_int(3))) == \
        [20, 1, 2, 3]
    assert packed(asc.as_exp_let(
        asc.as_exp_def("x", asc.as_exp_int(1)),
        asc.as_exp_def("y", asc.as_exp_int(2)),
        asc.as_exp_cmp_lt(asc.as_exp_var("x"), asc.as_exp_var("y")))) == \
        [125, b"x", 1, b"y", 2, [5, [124, b"x"], [124, b"y"]]]
    assert packed(asc.as_exp_cond(
        asc.as_exp_bool(True), asc.as_exp_int(1), asc.as_exp_int(2))) == [123, True, 1, 2]
    nested = asc.as_exp_max(asc.as_exp_min(asc.as_exp_int(1), asc.as_exp_int(2)),
                            asc.as_exp_int(3))
    assert packed(nested) == [51, [50, 1, 2], 3]


def test_cdt_reads_and_modifies_carry_their_return_type_context_and_policy():
    assert packed(asc.as_exp_list_get_by_index(
        None, asc.AS_LIST_RETURN_VALUE, asc.AS_EXP_TYPE_INT, asc.as_exp_int(0),
        asc.as_exp_bin_list("l"))) == [127, 2, 0, [19, 7, 0], [81, 4, b"l"]]
    assert packed(asc.as_exp_map_size(None, asc.as_exp_bin_map("m"))) == \
        [127, 2, 0, [96], [81, 5, b"m"]]
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_list_index(ctx, 0)
    policy = asc.as_list_policy_init()
    assert packed(asc.as_exp_list_append(ctx, policy, asc.as_exp_int(3),
                                         asc.as_exp_bin_list("l"))) == \
        [127, 4, 64, [255, [16, 0], [1, 3, 0, 0]], [81, 4, b"l"]]
    assert packed(asc.as_exp_list_append(None, None, asc.as_exp_int(3),
                                         asc.as_exp_bin_list("l"))) == \
        [127, 4, 64, [1, 3], [81, 4, b"l"]]
    asc.as_cdt_ctx_destroy(ctx)


def test_bit_and_hll_builders_pack_their_operation():
    assert packed(asc.as_exp_bit_count(asc.as_exp_int(0), asc.as_exp_int(8),
                                       asc.as_exp_bin_blob("b"))) == \
        [127, 2, 1, [51, 0, 8], [81, 6, b"b"]]
    assert packed(asc.as_exp_bit_add_signed(
        None, asc.as_exp_int(0), asc.as_exp_int(8), asc.as_exp_int(1), True, 2,
        asc.as_exp_bin_blob("b"))) == [127, 6, 65, [10, 0, 8, 1, 0, 3], [81, 6, b"b"]]
    assert packed(asc.as_exp_hll_add(None, asc.as_exp_val(["a"]), 8,
                                     asc.as_exp_bin_hll("h"))) == \
        [127, 9, 66, [1, [126, [b"\x03a"]], 8, -1, 0], [81, 9, b"h"]]
    assert packed(asc.as_exp_hll_get_count(asc.as_exp_bin_hll("h"))) == \
        [127, 2, 2, [50], [81, 9, b"h"]]


def test_a_return_type_the_c_client_cannot_read_is_refused_by_as_exp_compile():
    entries = asc.as_exp_list_get_by_index(None, asc.AS_LIST_RETURN_NONE, asc.AS_EXP_TYPE_INT,
                                           asc.as_exp_int(0), asc.as_exp_bin_list("l"))
    with pytest.raises(asc.ParamError):
        asc.as_exp_build(entries)


# -- bad arguments: TypeError / ValueError naming them, before C sees anything -----------------
def test_bad_arguments_name_the_argument():
    with pytest.raises(TypeError, match="as_exp_cmp_eq: left must be an expression"):
        asc.as_exp_cmp_eq(1, asc.as_exp_int(1))
    with pytest.raises(TypeError, match="missing a required argument: 'right'"):
        asc.as_exp_cmp_eq(asc.as_exp_int(1))
    with pytest.raises(TypeError, match="bin_name must be a str"):
        asc.as_exp_bin_int(b"a")
    with pytest.raises(ValueError, match="NUL"):
        asc.as_exp_bin_int("a\0b")
    with pytest.raises(ValueError, match="as_exp_int: val"):
        asc.as_exp_int(2 ** 63)
    with pytest.raises(TypeError, match="as_exp_int: val must be an int"):
        asc.as_exp_int(True)
    with pytest.raises(TypeError, match="rtype must be an int"):
        asc.as_exp_list_size(None, asc.as_exp_int(1)) and asc.as_exp_list_get_by_rank(
            None, "value", asc.AS_EXP_TYPE_INT, asc.as_exp_int(0), asc.as_exp_bin_list("l"))
    with pytest.raises(TypeError, match="ctx must be an as_cdt_ctx or None"):
        asc.as_exp_list_size([("list_index", 0)], asc.as_exp_bin_list("l"))
    with pytest.raises(TypeError, match="pol must be an as_list_policy"):
        asc.as_exp_list_append(None, asc.as_map_policy_init(), asc.as_exp_int(1),
                               asc.as_exp_bin_list("l"))
    with pytest.raises(TypeError, match="only as_exp_let takes one"):
        asc.as_exp_not(asc.as_exp_def("x", asc.as_exp_bool(True)))
    with pytest.raises(TypeError, match="as_exp_let: argument 1 must be an as_exp_def"):
        asc.as_exp_let(asc.as_exp_int(1), asc.as_exp_int(2))
    with pytest.raises(TypeError, match="at least one expression"):
        asc.as_exp_and()
    with pytest.raises(ValueError, match="size"):
        asc.as_exp_bytes(b"ab", 3)
    with pytest.raises(TypeError, match="as_exp_val"):
        asc.as_exp_val(object())
    with pytest.raises(TypeError, match="as_exp_build"):
        asc.as_exp_build([1, 2])


def test_a_destroyed_context_or_expression_is_refused():
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_list_index(ctx, 0)
    entries = asc.as_exp_list_size(ctx, asc.as_exp_bin_list("l"))
    asc.as_cdt_ctx_destroy(ctx)
    with pytest.raises(asc.LifecycleError):
        asc.as_exp_build(entries)
    exp = asc.as_exp_build(asc.as_exp_bool(True))
    merged = asc.as_exp_expr(exp)
    asc.as_exp_destroy(exp)
    for call in (lambda: asc.as_exp_build(merged), lambda: asc.as_exp_to_base64(exp),
                 lambda: asc.as_exp_destroy(exp), lambda: asc.as_exp_expr(exp), lambda: bytes(exp)):
        with pytest.raises(asc.LifecycleError):
            call()


def test_entries_split_off_a_variadic_expression_are_refused():
    whole = asc.as_exp_and(asc.as_exp_bool(True), asc.as_exp_bool(False))
    for part in (asc.as_exp_entries(whole[:-1]), asc.as_exp_entries(whole[1:])):
        with pytest.raises(asc.ParamError, match="variadic"):
            asc.as_exp_compile(part, len(part))


def test_entries_altered_by_hand_are_refused_not_compiled():
    """An entry is a NamedTuple a user can _replace(): a MERGE entry without its as_exp, or a
    string entry whose pointer is an int, made as_exp_compile read a wild pointer (SIGSEGV).
    Every entry now has to set the member its op's builder sets (run in a child process)."""
    out = probe_output('''
        from aerospike_c import *
        merge = as_exp_expr(as_exp_build(as_exp_bool(True)))
        text = as_exp_str("x")
        count = as_exp_cmp_eq(as_exp_bin_int("a"), as_exp_int(1))
        for label, entries in (
                ("merge", [merge[0]._replace(value=None)]),
                ("str", [text[0]._replace(member="int_val", value=12345)]),
                ("str none", [text[0]._replace(value=None)]),
                ("count", [count[0]._replace(n=1 << 40), *count[1:]]),
                ("nested", [as_exp_entries([text])]),
                ("tuple", [(1, 0, None, None)])):
            outcome(as_exp_build, as_exp_entries(entries))
        print("end")
    ''')
    lines = out.split()
    assert out.count("TypeError") + out.count("ValueError") == 6 and lines[-1] == "end", out


def test_as_exp_expr_merges_a_compiled_expression():
    inner = asc.as_exp_build(asc.as_exp_cmp_gt(asc.as_exp_bin_int("a"), asc.as_exp_int(1)))
    assert packed(asc.as_exp_not(asc.as_exp_expr(inner))) == [18, [3, [81, 2, b"a"], 1]]


# -- base64 and compile --------------------------------------------------------------------------
def test_base64_round_trip_and_compile():
    entries = asc.as_exp_cmp_eq(asc.as_exp_bin_str("s"), asc.as_exp_str("x"))
    exp = asc.as_exp_compile(entries, len(entries))
    text = asc.as_exp_to_base64(exp)
    assert text == asc.as_exp_compile_b64(exp) == asc.as_exp_build_b64(entries)
    again = asc.as_exp_from_base64(text)
    assert bytes(again) == bytes(exp)
    asc.as_exp_destroy_base64(text)
    with pytest.raises(ValueError, match="number of entries"):
        asc.as_exp_compile(entries, len(entries) - 1)
    for bad in ("not base64!", ""):
        with pytest.raises(asc.ParamError):
            asc.as_exp_from_base64(bad)


# -- where expressions go ------------------------------------------------------------------------
def test_filter_exp_on_every_policy_kind_takes_an_as_exp_and_follows_its_lifetime():
    exp = asc.as_exp_build(asc.as_exp_bool(True))
    for init in (asc.as_policy_read_init, asc.as_policy_write_init, asc.as_policy_operate_init,
                 asc.as_policy_remove_init, asc.as_policy_apply_init, asc.as_policy_batch_init,
                 asc.as_policy_scan_init, asc.as_policy_query_init):
        policy = init()
        policy.base.filter_exp = exp
        assert policy.base.filter_exp is not None
    for init in (asc.as_policy_batch_read_init, asc.as_policy_batch_write_init,
                 asc.as_policy_batch_apply_init, asc.as_policy_batch_remove_init):
        policy = init()
        policy.filter_exp = exp
    read = asc.as_policy_read_init()
    read.base.filter_exp = exp
    copy = asc.as_policy_read_copy(read)
    asc.as_exp_destroy(exp)
    for policy in (read, copy):
        with pytest.raises(asc.LifecycleError, match="filter_exp"):
            asc.bindings._calls.policy_arg(policy, "as_policy_read")
    with pytest.raises(asc.LifecycleError):
        asc.as_policy_read_init().base.filter_exp = exp
    with pytest.raises(TypeError, match="as_exp"):
        asc.as_policy_read_init().base.filter_exp = "bin('a') > 1"
    read.base.filter_exp = None  # no expression: usable again
    asc.bindings._calls.policy_arg(read, "as_policy_read")


def test_exp_operations_check_their_flags_and_expression():
    ops = asc.as_operations_init(2)
    exp = asc.as_exp_build(asc.as_exp_int(1))
    with pytest.raises(ValueError, match="unknown flag"):
        asc.as_operations_exp_write(ops, "a", exp, 64)
    with pytest.raises(ValueError, match="unknown flag"):
        asc.as_operations_exp_read(ops, "a", exp, asc.AS_EXP_WRITE_CREATE_ONLY)
    with pytest.raises(TypeError, match="as_exp"):
        asc.as_operations_exp_read(ops, "a", b"\x01", asc.AS_EXP_READ_DEFAULT)
    asc.as_operations_exp_write(ops, "a", exp, asc.AS_EXP_WRITE_CREATE_ONLY
                                | asc.AS_EXP_WRITE_POLICY_NO_FAIL)
    asc.as_exp_destroy(exp)  # packed into the operation already
    assert len(ops) == 1
    with pytest.raises(asc.LifecycleError):
        asc.as_operations_exp_read(ops, "b", exp, asc.AS_EXP_READ_DEFAULT)


def test_a_filter_that_fails_answers_filtered_out(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "filtered")
    client.put(key, {"a": 5})
    c_key = asc.as_key_init(NAMESPACE, set_name, "filtered")
    policy = asc.as_policy_read_init()
    policy.base.filter_exp = asc.as_exp_build(asc.as_exp_cmp_gt(asc.as_exp_bin_int("a"),
                                                                asc.as_exp_int(10)))
    with pytest.raises(asc.AerospikeError) as caught:
        asc.aerospike_key_get(client.aerospike, policy, c_key)
    assert caught.value.code == asc.AEROSPIKE_FILTERED_OUT
    policy.base.filter_exp = asc.as_exp_build(asc.as_exp_cmp_lt(asc.as_exp_bin_int("a"),
                                                                asc.as_exp_int(10)))
    record = asc.aerospike_key_get(client.aerospike, policy, c_key)
    assert asc.as_record_get_int64(record, "a", 0) == 5
    # a dict policy on the Client takes it too
    assert client.get(key, policy={"filter_exp": policy.base.filter_exp}).bins == {"a": 5}


def test_the_builder_spec_covers_each_macro_once():
    exp_module = importlib.import_module("aerospike_c.bindings.as_exp")
    names = [n for n in exp_module.__all__ if n.startswith("as_exp_")]
    assert len(names) == len(set(names))


# -- what a server answers --------------------------------------------------------------------
def _operate(client, key, *add):  # noqa: F811
    ops = asc.as_operations_init(len(add))
    for function, *args in add:
        function(ops, *args)
    try:
        return asc.aerospike_key_operate(client.aerospike, None, asc.as_key_init(*key), ops)
    finally:
        asc.as_operations_destroy(ops)


def _build(entries):
    return asc.as_exp_build(entries)


def test_exp_read_and_write_operations(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "expop")
    client.put(key, {"a": 1, "l": [3, 1, 2]})
    plus4 = _build(asc.as_exp_add(asc.as_exp_bin_int("a"), asc.as_exp_int(4)))
    rec = _operate(client, key, (asc.as_operations_exp_write, "c", plus4, asc.AS_EXP_WRITE_DEFAULT),
                   (asc.as_operations_exp_read, "ev", plus4, asc.AS_EXP_READ_DEFAULT),
                   (asc.as_operations_add_read, "c"))
    # the write answers a nil bin "c" (C reads results by position), then the two reads
    assert asc.as_record_numbins(rec) == 3 and asc.as_record_get_int64(rec, "ev", 0) == 5
    assert client.get(key).bins["c"] == 5
    # an expression reads the bins as the command wrote them so far
    size = _build(asc.as_exp_list_size(None, asc.as_exp_list_append(
        None, None, asc.as_exp_bin_int("c"), asc.as_exp_bin_list("l"))))
    rec = _operate(client, key, (asc.as_operations_exp_read, "n", size, asc.AS_EXP_READ_DEFAULT))
    assert asc.as_record_get_int64(rec, "n", 0) == 4
    assert client.get(key).bins["l"] == [3, 1, 2]  # an expression's modify changes no bin


def test_exp_operation_flags_answer_as_a_server(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "flags")
    client.put(key, {"a": 1})
    plus4 = _build(asc.as_exp_add(asc.as_exp_bin_int("a"), asc.as_exp_int(4)))
    missing = _build(asc.as_exp_add(asc.as_exp_bin_int("nope"), asc.as_exp_int(4)))
    nil = _build(asc.as_exp_nil())

    def code(*add):
        try:
            _operate(client, key, *add)
        except asc.AerospikeError as exc:
            return exc.code
        return 0

    write, read = asc.as_operations_exp_write, asc.as_operations_exp_read
    assert code((read, "x", missing, asc.AS_EXP_READ_DEFAULT)) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert code((read, "x", missing, asc.AS_EXP_READ_EVAL_NO_FAIL)) == 0
    assert code((write, "c", missing, asc.AS_EXP_WRITE_EVAL_NO_FAIL)) == 0
    assert code((write, "c", plus4, asc.AS_EXP_WRITE_UPDATE_ONLY)) == asc.AEROSPIKE_ERR_BIN_NOT_FOUND
    assert code((write, "c", plus4, asc.AS_EXP_WRITE_UPDATE_ONLY
                 | asc.AS_EXP_WRITE_POLICY_NO_FAIL)) == 0
    assert code((write, "c", plus4, asc.AS_EXP_WRITE_CREATE_ONLY)) == 0
    assert code((write, "c", plus4, asc.AS_EXP_WRITE_CREATE_ONLY)) == asc.AEROSPIKE_ERR_BIN_EXISTS
    assert code((write, "c", nil, asc.AS_EXP_WRITE_DEFAULT)) == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE
    assert code((write, "c", nil, asc.AS_EXP_WRITE_POLICY_NO_FAIL)) == 0
    assert client.get(key).bins == {"a": 1, "c": 5}
    assert code((write, "c", nil, asc.AS_EXP_WRITE_ALLOW_DELETE)) == 0
    assert client.get(key).bins == {"a": 1}


def _filtered(client, key, entries):  # noqa: F811
    policy = asc.as_policy_read_init()
    policy.base.filter_exp = _build(entries)
    try:
        asc.aerospike_key_get(client.aerospike, policy, asc.as_key_init(*key))
    except asc.AerospikeError as exc:
        return exc.code
    return 0


def test_filters_evaluate_arithmetic_bitwise_and_cdt_calls(client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "eval")
    client.put(key, {"i": 12, "f": 2.0, "l": [1, 2, 3], "m": {"a": 1, "b": 2}})
    i, f, lst, mp = (asc.as_exp_bin_int("i"), asc.as_exp_bin_float("f"), asc.as_exp_bin_list("l"),
                     asc.as_exp_bin_map("m"))
    true_filters = [
        asc.as_exp_cmp_eq(asc.as_exp_pow(f, asc.as_exp_float(3.0)), asc.as_exp_float(8.0)),
        asc.as_exp_cmp_eq(asc.as_exp_log(asc.as_exp_float(8.0), f), asc.as_exp_float(3.0)),
        asc.as_exp_cmp_eq(asc.as_exp_mod(asc.as_exp_int(-7), asc.as_exp_int(3)), asc.as_exp_int(-1)),
        asc.as_exp_cmp_eq(asc.as_exp_int_and(i, asc.as_exp_int(4)), asc.as_exp_int(4)),
        asc.as_exp_cmp_eq(asc.as_exp_int_xor(i, asc.as_exp_int(15)), asc.as_exp_int(3)),
        asc.as_exp_cmp_eq(asc.as_exp_int_not(asc.as_exp_int(0)), asc.as_exp_int(-1)),
        asc.as_exp_cmp_eq(asc.as_exp_int_rshift(asc.as_exp_int(-1), asc.as_exp_int(60)),
                          asc.as_exp_int(15)),
        asc.as_exp_cmp_eq(asc.as_exp_int_arshift(asc.as_exp_int(-16), asc.as_exp_int(2)),
                          asc.as_exp_int(-4)),
        asc.as_exp_cmp_eq(asc.as_exp_int_count(i), asc.as_exp_int(2)),
        asc.as_exp_cmp_eq(asc.as_exp_int_lscan(i, asc.as_exp_bool(True)), asc.as_exp_int(60)),
        asc.as_exp_cmp_eq(asc.as_exp_int_rscan(i, asc.as_exp_bool(True)), asc.as_exp_int(61)),
        asc.as_exp_cmp_eq(asc.as_exp_list_get_by_index(
            None, asc.AS_LIST_RETURN_VALUE, asc.AS_EXP_TYPE_INT, asc.as_exp_int(-1), lst),
            asc.as_exp_int(3)),
        asc.as_exp_cmp_eq(asc.as_exp_map_get_by_key(
            None, asc.AS_MAP_RETURN_VALUE, asc.AS_EXP_TYPE_INT, asc.as_exp_str("b"), mp),
            asc.as_exp_int(2)),
        asc.as_exp_cmp_eq(asc.as_exp_map_size(None, asc.as_exp_map_put(
            None, None, asc.as_exp_str("c"), asc.as_exp_int(3), mp)), asc.as_exp_int(3)),
        asc.as_exp_let(asc.as_exp_def("x", asc.as_exp_mul(i, asc.as_exp_int(2))),
                       asc.as_exp_cmp_gt(asc.as_exp_var("x"), asc.as_exp_int(20))),
    ]
    for entries in true_filters:
        assert _filtered(client, key, entries) == 0, packed(entries)
        assert _filtered(client, key, asc.as_exp_not(entries)) == asc.AEROSPIKE_FILTERED_OUT


def test_ill_typed_and_non_boolean_filters_are_refused_before_any_record_is_read(
        client, set_name):  # noqa: F811
    key = (NAMESPACE, set_name, "typed")
    client.put(key, {"i": 1})
    for entries in (asc.as_exp_add(asc.as_exp_bin_int("i"), asc.as_exp_int(1)),  # not boolean
                    asc.as_exp_cmp_eq(asc.as_exp_bin_int("i"), asc.as_exp_str("1")),
                    asc.as_exp_and(asc.as_exp_int(1), asc.as_exp_bool(True)),
                    asc.as_exp_cmp_eq(asc.as_exp_add(asc.as_exp_int(1), asc.as_exp_float(1.0)),
                                      asc.as_exp_int(2))):
        assert _filtered(client, key, entries) == asc.AEROSPIKE_ERR_REQUEST_INVALID
        assert _filtered(client, (NAMESPACE, set_name, "no such record"), entries) == \
            asc.AEROSPIKE_ERR_REQUEST_INVALID


def test_filters_in_batch_scan_and_query(client, set_name):  # noqa: F811
    for n in range(10):
        client.put((NAMESPACE, set_name, n), {"n": n})
    even = asc.as_exp_cmp_eq(asc.as_exp_mod(asc.as_exp_bin_int("n"), asc.as_exp_int(2)),
                             asc.as_exp_int(0))
    exp = _build(even)
    got = client.batch_records([asc.BatchRead((NAMESPACE, set_name, n)) for n in range(10)],
                               policy={"filter_exp": exp})
    assert [r.result for r in got] == [0 if n % 2 == 0 else asc.AEROSPIKE_FILTERED_OUT
                                       for n in range(10)]
    scanned = sorted(r.bins["n"] for r in client.scan(NAMESPACE, set_name,
                                                      policy={"filter_exp": exp}))
    assert scanned == [0, 2, 4, 6, 8]
    queried = sorted(r.bins["n"] for r in client.query(NAMESPACE, set_name,
                                                       policy={"filter_exp": exp}))
    assert queried == [0, 2, 4, 6, 8]


# -- the idiomatic layer: aerospike_c.exp, filter_exp= and ops.exp_* ----------------------------
def test_the_short_builders_take_python_literals_and_pack_like_the_c_macros():
    from aerospike_c import exp

    assert packed(exp.and_(exp.ge(exp.bin_int("age"), 18), exp.bin_exists("name"))) == \
        packed(asc.as_exp_and(asc.as_exp_cmp_ge(asc.as_exp_bin_int("age"), asc.as_exp_int(18)),
                              asc.as_exp_bin_exists("name")))
    assert packed(exp.eq(exp.bin_str("s"), "x")) == [1, [81, 3, b"s"], b"\x03x"]
    assert packed(exp.in_list(2.5, [1, b"\x01", None])) == [9, 2.5, [126, [1, b"\x04\x01", None]]]
    assert packed(exp.let(exp.def_("x", 1), exp.eq(exp.var("x"), True))) == \
        [125, b"x", 1, [1, [124, b"x"], True]]
    assert packed(exp.list_get_by_index(None, asc.AS_LIST_RETURN_VALUE, asc.AS_EXP_TYPE_INT, 0,
                                        exp.bin_list("l"))) == [127, 2, 0, [19, 7, 0], [81, 4, b"l"]]
    with pytest.raises(TypeError, match=r"exp.eq: right: object is not an expression"):
        exp.eq(exp.bin_int("a"), object())
    with pytest.raises(TypeError, match=r"exp.gt\(left, right\)"):
        exp.gt(1)
    with pytest.raises(TypeError, match="rtype must be an int"):
        exp.list_size(None, exp.bin_list("l")) and exp.list_get_by_rank(
            None, "v", asc.AS_EXP_TYPE_INT, 0, exp.bin_list("l"))


def test_filter_exp_and_exp_operations_on_the_client(client, set_name):  # noqa: F811
    from aerospike_c import exp
    from aerospike_c._records import ops

    key = (NAMESPACE, set_name, "client")
    client.put(key, {"a": 2, "b": 3})
    assert client.get(key, filter_exp=exp.eq(exp.bin_int("a"), 2)).bins == {"a": 2, "b": 3}
    with pytest.raises(asc.AerospikeError) as caught:
        client.get(key, filter_exp=exp.eq(exp.bin_int("a"), 3))
    assert caught.value.code == asc.AEROSPIKE_FILTERED_OUT
    with pytest.raises(asc.AerospikeError) as caught:
        client.put(key, {"a": 9}, filter_exp=exp.gt(exp.bin_int("a"), 5))
    assert caught.value.code == asc.AEROSPIKE_FILTERED_OUT
    record = client.operate(key, [
        ops.exp_write("sum", exp.add(exp.bin_int("a"), exp.bin_int("b"))),
        ops.exp_read("twice", exp.mul(exp.bin_int("a"), 2))])
    assert record.bins["twice"] == 4 and client.get(key).bins["sum"] == 5
    assert client.exists(key, filter_exp=exp.eq(exp.bin_int("sum"), 5)) is not None
    assert [r.bins["a"] for r in client.scan(NAMESPACE, set_name,
                                              filter_exp=exp.eq(exp.bin_int("a"), 2))] == [2]
    results = client.batch_records([asc.BatchRead(key)], filter_exp=exp.lt(exp.bin_int("a"), 0))
    assert results[0].result == asc.AEROSPIKE_FILTERED_OUT
    # the policy given is not changed by filter_exp=
    policy = asc.as_policy_read_init()
    client.get(key, policy=policy, filter_exp=True)
    assert policy.base.filter_exp is None
    with pytest.raises(ValueError, match="unknown flag"):
        client.operate(key, [ops.exp_read("x", exp.bin_int("a"), 64)])


def test_the_expression_type_helpers_give_cs_answers_and_refuse_a_negative_type():
    auto, error = asc.AS_EXP_TYPE_AUTO, asc.AS_EXP_TYPE_ERROR
    assert asc.as_exp_get_list_type(auto, asc.AS_LIST_RETURN_VALUE, True) == asc.AS_EXP_TYPE_LIST
    assert asc.as_exp_get_list_type(auto, asc.AS_LIST_RETURN_COUNT, False) == asc.AS_EXP_TYPE_INT
    assert asc.as_exp_get_list_type(asc.AS_EXP_TYPE_STR, asc.AS_LIST_RETURN_VALUE, False) == \
        asc.AS_EXP_TYPE_STR
    assert asc.as_exp_get_list_type(asc.AS_EXP_TYPE_STR, asc.AS_LIST_RETURN_COUNT, False) == error
    assert asc.as_exp_get_map_type(auto, asc.AS_MAP_RETURN_KEY, True) == asc.AS_EXP_TYPE_LIST
    assert asc.as_exp_get_ctx_type(None, asc.AS_EXP_TYPE_MAP) == asc.AS_EXP_TYPE_MAP
    # The C enums are unsigned: a negative value was cffi's bare OverflowError.
    for call in (lambda: asc.as_exp_get_list_type(-1, asc.AS_LIST_RETURN_VALUE, False),
                 lambda: asc.as_exp_get_map_type(auto, -1, False),
                 lambda: asc.as_exp_get_ctx_type(None, -1)):
        with pytest.raises(ValueError, match=r"must be in \[0, 4294967295\]"):
            call()
