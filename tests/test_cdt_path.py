"""CDT select and modify by path (server 8.1): as_operations_select_by_path /
as_operations_modify_by_path with as_cdt_ctx_add_all_children[_with_filter] and
as_cdt_ctx_add_and_filter, through the C-faithful calls and Client.operate(ops.*_by_path)."""
from __future__ import annotations

import pytest

import aerospike_c as asc
from aerospike_c._records import ops
from multi_record_fixtures import (NAMESPACE, client, set_name,  # noqa: F401 - pytest fixtures
                                   skip_below_server)

BOOKS = {"shelf": [{"title": "Sayings", "price": 8.95}, {"title": "Honour", "price": 12.99},
                   {"title": "Moby", "price": 8.99}, {"title": "Rings", "price": 22.99}]}


@pytest.fixture
def key(client, set_name):  # noqa: F811
    skip_below_server(client, (8, 1), "select and modify by path")
    key = (NAMESPACE, set_name, "path")
    client.put(key, {"grid": [[10, 11, 12], [13, 14], [15]], "books": BOOKS, "n": 7})
    return key


def ctx_of(*items):
    ctx = asc.as_cdt_ctx_init(len(items))
    for kind, *args in items:
        getattr(asc, f"as_cdt_ctx_add_{kind}")(ctx, *args)
    return ctx


def select(client, key, bin_name, ctx, flags):  # noqa: F811
    operations = asc.as_operations_init(1)
    asc.as_operations_select_by_path(operations, bin_name, ctx, flags)
    record = asc.aerospike_key_operate(client.aerospike, None, key, operations)
    asc.as_operations_destroy(operations)
    value = asc.as_record_get(record, bin_name)
    asc.as_record_destroy(record)
    return value


def test_values_of_all_children_of_all_children(client, key):  # noqa: F811
    ctx = ctx_of(("all_children",), ("all_children",))
    assert select(client, key, "grid", ctx, asc.AS_EXP_PATH_SELECT_VALUE) == [
        10, 11, 12, 13, 14, 15]


def test_the_matching_tree_of_all_children_is_the_whole_bin(client, key):  # noqa: F811
    ctx = ctx_of(("all_children",))
    assert select(client, key, "grid", ctx, asc.AS_EXP_PATH_SELECT_MATCHING_TREE) == [
        [10, 11, 12], [13, 14], [15]]


def test_plain_items_below_all_children(client, key):  # noqa: F811
    ctx = ctx_of(("map_key", "shelf"), ("all_children",), ("map_key", "price"))
    assert select(client, key, "books", ctx, asc.AS_EXP_PATH_SELECT_VALUE) == [
        8.95, 12.99, 8.99, 22.99]
    ctx = ctx_of(("map_key", "shelf"), ("list_index", -1))
    assert select(client, key, "books", ctx, asc.AS_EXP_PATH_SELECT_VALUE) == [BOOKS["shelf"][-1]]


def test_the_matching_tree_keeps_only_the_selected_elements(client, key):  # noqa: F811
    ctx = ctx_of(("map_key", "shelf"), ("all_children",), ("map_key", "title"))
    tree = select(client, key, "books", ctx, asc.AS_EXP_PATH_SELECT_MATCHING_TREE)
    assert tree == {"shelf": [{"title": b["title"]} for b in BOOKS["shelf"]]}


def test_map_keys_and_key_value_pairs(client, key):  # noqa: F811
    ctx = ctx_of(("map_key", "shelf"), ("list_index", 0), ("all_children",))
    keys = select(client, key, "books", ctx, asc.AS_EXP_PATH_SELECT_MAP_KEY)
    assert sorted(keys) == ["price", "title"]
    flat = select(client, key, "books", ctx, asc.AS_EXP_PATH_SELECT_MAP_KEY_VALUE)
    assert sorted(zip(flat[::2], flat[1::2])) == [("price", 8.95), ("title", "Sayings")]


def test_select_by_path_with_ops(client, key):  # noqa: F811
    record = client.operate(key, [ops.select_by_path(
        "grid", [("list_index", 1), ("all_children",)], asc.AS_EXP_PATH_SELECT_VALUE)])
    assert record.bins == {"grid": [13, 14]}


def test_a_scalar_bin_is_not_applicable(client, key):  # noqa: F811
    with pytest.raises(asc.AerospikeError) as raised:
        select(client, key, "n", ctx_of(("all_children",)), asc.AS_EXP_PATH_SELECT_VALUE)
    assert raised.value.code == asc.AEROSPIKE_ERR_OP_NOT_APPLICABLE


def test_an_empty_or_missing_context_is_a_param_error():
    operations = asc.as_operations_init(2)
    with pytest.raises(asc.ParamError):
        asc.as_operations_select_by_path(operations, "b", None, 0)
    with pytest.raises(asc.ParamError):
        asc.as_operations_select_by_path(operations, "b", asc.as_cdt_ctx_init(1), 0)
    assert len(operations) == 0


def test_bad_arguments_raise_before_anything_is_sent():
    operations = asc.as_operations_init(1)
    ctx = ctx_of(("all_children",))
    with pytest.raises(ValueError):
        asc.as_operations_select_by_path(operations, "b", ctx, 0x100)
    with pytest.raises(TypeError):
        asc.as_operations_select_by_path(operations, "b", ctx, "value")
    with pytest.raises(TypeError):
        asc.as_operations_select_by_path(operations, "b", [("all_children",)], 0)
    with pytest.raises(TypeError):
        asc.as_operations_modify_by_path(operations, "b", ctx, "not an as_exp", 0)
    with pytest.raises(TypeError):
        asc.as_cdt_ctx_add_all_children_with_filter(ctx, b"\xc3")
    with pytest.raises(TypeError):
        asc.as_cdt_ctx_add_and_filter(ctx, None)
    assert len(operations) == 0 and len(ctx) == 1


def test_a_query_keeps_its_own_copy_of_a_path_context():
    ctx = ctx_of(("map_key", "a"), ("all_children",), ("list_index", 0))
    query = asc.as_query_init(NAMESPACE, "s")
    asc.as_query_where_init(query, 1)
    asc.as_query_where_with_ctx(query, "b", ctx, *asc.as_integer_range(1, 2))
    packed = asc.as_cdt_ctx_to_bytes(ctx)
    asc.as_cdt_ctx_destroy(ctx)  # the predicate's copy lives on, items and values
    assert packed.startswith(b"\x96") and packed in asc.as_query_to_bytes(query)
    asc.as_query_destroy(query)


# -- with expressions (as_exp) --------------------------------------------------------------------
def loopvar_value_in(low, high):
    return asc.as_exp_build(asc.as_exp_and(
        asc.as_exp_cmp_ge(asc.as_exp_loopvar_int(asc.AS_EXP_LOOPVAR_VALUE), asc.as_exp_int(low)),
        asc.as_exp_cmp_lt(asc.as_exp_loopvar_int(asc.AS_EXP_LOOPVAR_VALUE), asc.as_exp_int(high))))


def test_all_children_with_filter(client, key):  # noqa: F811
    everything = asc.as_exp_build(asc.as_exp_bool(True))
    ctx = asc.as_cdt_ctx_init(2)
    asc.as_cdt_ctx_add_all_children_with_filter(ctx, everything)
    asc.as_cdt_ctx_add_all_children_with_filter(ctx, loopvar_value_in(11, 16))
    assert select(client, key, "grid", ctx, asc.AS_EXP_PATH_SELECT_MATCHING_TREE) == [
        [11, 12], [13, 14], [15]]
    assert select(client, key, "grid", ctx, asc.AS_EXP_PATH_SELECT_VALUE) == [11, 12, 13, 14, 15]


def test_a_filter_on_map_keys(client, key):  # noqa: F811
    is_title = asc.as_exp_build(asc.as_exp_cmp_eq(
        asc.as_exp_loopvar_str(asc.AS_EXP_LOOPVAR_KEY), asc.as_exp_str("title")))
    ctx = ctx_of(("map_key", "shelf"), ("all_children",))
    asc.as_cdt_ctx_add_all_children_with_filter(ctx, is_title)
    assert select(client, key, "books", ctx, asc.AS_EXP_PATH_SELECT_VALUE) == [
        b["title"] for b in BOOKS["shelf"]]


def test_and_filter_narrows_the_item_before(client, key):  # noqa: F811
    def at_index(i):
        return asc.as_exp_build(asc.as_exp_cmp_eq(
            asc.as_exp_loopvar_int(asc.AS_EXP_LOOPVAR_INDEX), asc.as_exp_int(i)))
    ctx = asc.as_cdt_ctx_init(2)
    asc.as_cdt_ctx_add_list_rank(ctx, -1)  # the greatest element: [15], at index 2
    asc.as_cdt_ctx_add_and_filter(ctx, at_index(2))
    assert select(client, key, "grid", ctx, asc.AS_EXP_PATH_SELECT_VALUE) == [[15]]
    ctx = asc.as_cdt_ctx_init(2)
    asc.as_cdt_ctx_add_list_rank(ctx, -1)
    asc.as_cdt_ctx_add_and_filter(ctx, at_index(0))
    assert select(client, key, "grid", ctx, asc.AS_EXP_PATH_SELECT_VALUE) == []


def test_a_type_mismatch_fails_unless_no_fail(client, key):  # noqa: F811
    client.put(key, {"mixed": [1, "two", 3]})
    ctx = asc.as_cdt_ctx_init(1)
    asc.as_cdt_ctx_add_all_children_with_filter(ctx, loopvar_value_in(0, 10))
    with pytest.raises(asc.AerospikeError):
        select(client, key, "mixed", ctx, asc.AS_EXP_PATH_SELECT_VALUE)
    assert select(client, key, "mixed", ctx,
                  asc.AS_EXP_PATH_SELECT_VALUE | asc.AS_EXP_PATH_SELECT_NO_FAIL) == [1, 3]


def modify(client, key, bin_name, ctx, mod_exp, flags=0):  # noqa: F811
    operations = asc.as_operations_init(1)
    asc.as_operations_modify_by_path(operations, bin_name, ctx, mod_exp, flags)
    asc.aerospike_key_operate(client.aerospike, None, key, operations)
    asc.as_operations_destroy(operations)
    return client.get(key).bins[bin_name]


def test_modify_by_path_replaces_the_selected_values(client, key):  # noqa: F811
    ctx = ctx_of(("map_key", "shelf"), ("all_children",), ("map_key", "price"))
    raise_price = asc.as_exp_build(asc.as_exp_mul(
        asc.as_exp_loopvar_float(asc.AS_EXP_LOOPVAR_VALUE), asc.as_exp_float(2.0)))
    books = modify(client, key, "books", ctx, raise_price)
    assert [b["price"] for b in books["shelf"]] == [b["price"] * 2 for b in BOOKS["shelf"]]
    assert [b["title"] for b in books["shelf"]] == [b["title"] for b in BOOKS["shelf"]]


def test_modify_by_path_removes_with_remove_result(client, key):  # noqa: F811
    ctx = asc.as_cdt_ctx_init(2)
    asc.as_cdt_ctx_add_all_children(ctx)
    asc.as_cdt_ctx_add_all_children_with_filter(ctx, loopvar_value_in(12, 14))
    grid = modify(client, key, "grid", ctx, asc.as_exp_build(asc.as_exp_remove_result()))
    assert grid == [[10, 11], [14], [15]]


def test_modify_by_path_with_ops_and_no_fail(client, key):  # noqa: F811
    client.put(key, {"m": {"a": 1, "b": {"c": 2}, "d": [3, 4]}})
    add_five = asc.as_exp_build(asc.as_exp_add(
        asc.as_exp_loopvar_int(asc.AS_EXP_LOOPVAR_VALUE), asc.as_exp_int(5)))
    client.operate(key, [ops.modify_by_path("m", [("all_children",), ("all_children",)],
                                            add_five, asc.AS_EXP_PATH_MODIFY_NO_FAIL)])
    assert client.get(key).bins["m"] == {"a": 1, "b": {"c": 7}, "d": [8, 9]}


def test_path_operations_with_exp_expressions(client, key):  # noqa: F811
    from aerospike_c import exp

    cheap = exp.le(exp.map_get_by_key(None, asc.AS_MAP_RETURN_VALUE, asc.AS_EXP_TYPE_FLOAT,
                                      "price", exp.loopvar_map(asc.AS_EXP_LOOPVAR_VALUE)), 10.0)
    record = client.operate(key, [ops.select_by_path(
        "books", [("map_key", "shelf"), ("all_children_with_filter", cheap), ("map_key", "title")],
        asc.AS_EXP_PATH_SELECT_VALUE)])
    assert record.bins["books"] == ["Sayings", "Moby"]
    client.operate(key, [ops.modify_by_path(
        "books", [("map_key", "shelf"), ("all_children_with_filter", cheap)], exp.remove_result())])
    assert [b["title"] for b in client.get(key).bins["books"]["shelf"]] == ["Honour", "Rings"]


def test_path_select_and_modify_as_expressions(client, key):  # noqa: F811
    """as_exp_select_by_path / as_exp_modify_by_path: the same walk inside an expression."""
    ctx = ctx_of(("map_key", "shelf"), ("all_children",), ("map_key", "price"))
    prices = asc.as_exp_build(asc.as_exp_select_by_path(
        ctx, asc.AS_EXP_TYPE_LIST, asc.AS_EXP_PATH_SELECT_VALUE, asc.as_exp_bin_map("books")))
    double = asc.as_exp_build(asc.as_exp_mul(
        asc.as_exp_loopvar_float(asc.AS_EXP_LOOPVAR_VALUE), asc.as_exp_float(2.0)))
    doubled = asc.as_exp_build(asc.as_exp_modify_by_path(
        ctx, asc.AS_EXP_TYPE_MAP, double, 0, asc.as_exp_bin_map("books")))
    operations = asc.as_operations_init(2)
    asc.as_operations_exp_read(operations, "prices", prices, asc.AS_EXP_READ_DEFAULT)
    asc.as_operations_exp_write(operations, "books", doubled, asc.AS_EXP_WRITE_DEFAULT)
    record = asc.aerospike_key_operate(client.aerospike, None, key, operations)
    assert asc.as_record_get(record, "prices") == [b["price"] for b in BOOKS["shelf"]]
    asc.as_record_destroy(record)
    asc.as_operations_destroy(operations)
    assert [b["price"] for b in client.get(key).bins["books"]["shelf"]] == [
        b["price"] * 2 for b in BOOKS["shelf"]]
