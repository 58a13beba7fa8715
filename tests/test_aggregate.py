"""Aggregation queries (stream UDFs): as_query_apply + aerospike_query_foreach, and
Client.aggregate / aggregate_foreach, with examples/lua/aggregate_udf.lua; valid against a
real server too. A server runs each stream up to and with its first reduce on its own
records, the client runs the rest with its own mod-lua, loading the module from its Lua
user path (set here with aerospike_init_lua)."""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

import aerospike_c as asc
from aerospike_c import Client, Config
from multi_record_fixtures import NAMESPACE, client, keys_of_partition, unique_set  # noqa: F401

LUA_DIR = Path(__file__).resolve().parent.parent / "examples" / "lua"
LUA = LUA_DIR / "aggregate_udf.lua"
MODULE = "aggregate_udf"
COUNT = 60


def line_of(text: str) -> int:
    """The line of aggregate_udf.lua that holds `text`."""
    return next(n for n, line in enumerate(LUA.read_text().splitlines(), 1) if text in line)


def lua_user_path() -> None:
    lua = asc.as_config_lua_init()
    lua.user_path = str(LUA_DIR)
    asc.aerospike_init_lua(lua)


def fill(client: Client, set_name: str, count: int) -> None:
    for n in range(count):
        client.put((NAMESPACE, set_name, n), {"n": n, "g": n % 3})


@pytest.fixture(scope="module")
def numbers(client):
    """A set of COUNT records n = 0..COUNT-1, g = n % 3, with an index on n."""
    lua_user_path()
    client.udf_put(str(LUA))
    name = unique_set()
    fill(client, name, COUNT)
    index = f"agg_{uuid.uuid4().hex[:8]}"
    client.index_create(NAMESPACE, name, "n", index, asc.AS_INDEX_NUMERIC)
    yield name
    client.index_remove(NAMESPACE, index)


def aggregate(client, set_name, function, *args, **kwargs):
    return list(client.aggregate(NAMESPACE, set_name, MODULE, function, list(args), **kwargs))


def test_map_streams_a_value_per_record(client, numbers):
    assert sorted(aggregate(client, numbers, "values", "n")) == list(range(COUNT))


def test_filter_then_map(client, numbers):
    assert sorted(aggregate(client, numbers, "at_least", "n", 50)) == list(range(50, COUNT))


def test_reduce_gives_one_value(client, numbers):
    assert aggregate(client, numbers, "count") == [COUNT]
    assert aggregate(client, numbers, "sum", "n") == [sum(range(COUNT))]


def test_aggregate_into_a_map_with_arguments(client, numbers):
    assert aggregate(client, numbers, "stats", "n") == [{"count": COUNT, "min": 0, "max": COUNT - 1}]


def test_groupby(client, numbers):
    (groups,) = aggregate(client, numbers, "group", "g", "n")
    assert {k: sorted(m["v"] for m in v) for k, v in groups.items()} == {
        g: list(range(g, COUNT, 3)) for g in range(3)}


def test_values_of_every_type_come_back(client, numbers):
    digests = aggregate(client, numbers, "digests")
    assert len(digests) == COUNT and all(type(d) is bytes and len(d) == 20 for d in digests)


def test_where_picks_the_records_by_the_index(client, numbers):
    assert aggregate(client, numbers, "sum", "n", where=("n", 10, 19)) == [sum(range(10, 20))]
    assert aggregate(client, numbers, "count", where=("n", 1000, 2000)) == []


def test_an_empty_set_aggregates_to_nothing(client, numbers):
    assert aggregate(client, unique_set(), "count") == []


def test_a_set_never_written_aggregates_to_nothing_before_its_index_is_looked_for(client, numbers):
    """aggr_query_job_start (query.c): a set the namespace has never had is NOT_FOUND before
    the index is looked for, and the client takes NOT_FOUND as a query with nothing in it."""
    assert aggregate(client, unique_set(), "count", where=("no_index_bin", 1, 2)) == []
    with pytest.raises(asc.IndexNotFoundError):
        aggregate(client, numbers, "count", where=("no_index_bin", 1, 2))


def test_a_map_values_index_streams_a_record_once_a_read_of_the_index(client, numbers):
    """aggr_query_job_slice walks the index as a query does (as_sindex_tree_query): a record
    found under values in two reads of MAX_QUERY_BURST (100) entries goes into the stream
    twice (aggr_query_add_digest per hit)."""
    name = unique_set()
    digests = sorted(keys_of_partition(name, 21, 40).items())
    for rank, (_, key) in enumerate(digests):
        client.put((NAMESPACE, name, key), {"m": {"a": rank, "b": rank + 40, "c": rank + 80}})
    index = f"aggm_{uuid.uuid4().hex[:8]}"
    client.index_create(NAMESPACE, name, "m", index, asc.AS_INDEX_NUMERIC,
                        index_type=asc.AS_INDEX_TYPE_MAPVALUES)
    try:
        where = ("m", asc.AS_PREDICATE_RANGE, asc.AS_INDEX_TYPE_MAPVALUES, asc.AS_INDEX_NUMERIC,
                 0, 1000)
        streamed = aggregate(client, name, "digests", where=where)
        ranked = [digest for digest, _ in digests]
        assert sorted(streamed) == sorted(ranked + ranked[20:])
    finally:
        client.index_remove(NAMESPACE, index)


def test_c_names_deliver_the_final_values_then_none(client, numbers):
    query = asc.as_query_init(NAMESPACE, numbers)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "n", *asc.as_integer_range(0, 9))
    assert asc.as_query_apply(query, MODULE, "sum", ["n"])
    got = []
    asc.aerospike_query_foreach(client.aerospike, None, query, lambda v, u: got.append((v, u)), "u")
    assert got == [(45, "u"), (None, "u")]
    asc.as_query_destroy(query)


def test_a_callback_that_returns_false_stops(client, numbers):
    got = []
    client.aggregate_foreach(NAMESPACE, numbers, MODULE, "values", ["n"],
                             lambda v: got.append(v) or False)
    assert len(got) == 1


def test_a_lua_error_on_the_server(client, numbers):
    """The server answers a FAILURE bin "UDF: Execution Error 2 : <file>:<line>: <error>":
    the C client reports AEROSPIKE_ERR_CLIENT with it, the Client a UDFError."""
    line = line_of('rec["nothing"] + 1')
    where = f"aggregate_udf.lua:{line}: attempt to perform arithmetic"
    with pytest.raises(asc.UDFError) as raised:
        aggregate(client, numbers, "fails_on_server")
    assert raised.value.code == asc.AEROSPIKE_ERR_UDF
    assert raised.value.message.startswith("UDF: Execution Error 2 : ")
    assert where in raised.value.message
    query = asc.as_query_init(NAMESPACE, numbers)
    asc.as_query_apply(query, MODULE, "fails_on_server", [])
    with pytest.raises(asc.AerospikeError) as raised:
        asc.aerospike_query_foreach(client.aerospike, None, query, lambda v, u: True)
    assert raised.value.code == asc.AEROSPIKE_ERR_CLIENT and where in raised.value.message


def test_a_lua_error_in_the_clients_reduce(client, numbers):
    with pytest.raises(asc.UDFError) as raised:
        aggregate(client, numbers, "fails_in_reduce", 10)
    assert raised.value.code == asc.AEROSPIKE_ERR_UDF
    assert raised.value.message.endswith(
        f"{LUA_DIR}/aggregate_udf.lua:{line_of('reduce failed')}: reduce failed")


def test_a_missing_function_or_module(client, numbers):
    # whichever side sees it first (the client, before any value arrives, or a server)
    with pytest.raises(asc.UDFError) as raised:
        aggregate(client, numbers, "no_such_function")
    assert raised.value.message == "UDF: Execution Error 2 : function not found"
    with pytest.raises(asc.UDFError) as raised:
        list(client.aggregate(NAMESPACE, numbers, "no_such_module_x", "count"))
    assert raised.value.message.startswith("UDF: Execution Error 1")


@pytest.mark.fault_injection(reason="needs a 1-node and a 3-node cluster of its own")
@pytest.mark.parametrize("nodes", [1, 3])
def test_on_one_and_three_nodes(aerospike_cluster_factory, nodes):
    """Each node runs the stream over its own records; the client merges the results."""
    lua_user_path()
    cluster = aerospike_cluster_factory(nodes=nodes)
    with Client(Config(cluster.hosts)) as c:
        c.udf_put(str(LUA))
        fill(c, "nodes", 90)
        assert aggregate(c, "nodes", "count") == [90]
        assert aggregate(c, "nodes", "stats", "n") == [{"count": 90, "min": 0, "max": 89}]
        (groups,) = aggregate(c, "nodes", "group", "g", "n")
        assert {k: len(v) for k, v in groups.items()} == {0: 30, 1: 30, 2: 30}


def test_a_config_with_a_lua_user_path_sets_it(aerospike_hosts, numbers):
    with Client(Config(list(aerospike_hosts), lua={"user_path": str(LUA_DIR)})) as c:
        assert c.config.lua.user_path == str(LUA_DIR)
        assert aggregate(c, numbers, "count") == [COUNT]


def test_lua_config_arguments_are_checked():
    with pytest.raises(TypeError):
        asc.aerospike_init_lua("/tmp")
    lua = asc.as_config_lua_init()
    assert lua.user_path == "/opt/aerospike/client/usr/udf/lua" and lua.cache_enabled is False
    with pytest.raises((ValueError, asc.ParamError)):
        lua.user_path = "x" * 300


def test_sdk_and_aio_sessions_aggregate(aerospike_hosts, numbers):
    from aerospike_c import aio, sdk

    with sdk.ClusterDefinition(hosts=aerospike_hosts).connect() as cluster:
        session = cluster.create_session(query={"total_timeout": 10000})
        assert list(session.aggregate(NAMESPACE, numbers, MODULE, "count")) == [COUNT]
        got = []
        session.aggregate_foreach(NAMESPACE, numbers, MODULE, "sum", ["n"], got.append)
        assert got == [sum(range(COUNT)), None]

    async def main():
        async with await aio.ClusterDefinition(hosts=aerospike_hosts).connect() as cluster:
            session = cluster.create_session()
            values = [v async for v in session.aggregate(NAMESPACE, numbers, MODULE, "values",
                                                         ["n"], chunk=8)]
            assert sorted(values) == list(range(COUNT))
            assert [v async for v in session.aggregate(
                NAMESPACE, numbers, MODULE, "sum", ["n"], where=("n", 0, 9))] == [45]

    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_streams_records_are_read_only(client, numbers):
    assert sorted(aggregate(client, numbers, "set_then_read", "n")) == list(range(COUNT))


@pytest.mark.fault_injection  # the embedded server's own limits: a real one has none for streams
@pytest.mark.parametrize("function, total_timeout, codes, ending", [
    ("never_ends", 500, (asc.AEROSPIKE_ERR_UDF, asc.AEROSPIKE_ERR_TIMEOUT), "UDF Execution Timeout"),
    ("grows_without_end", 20000, (asc.AEROSPIKE_ERR_UDF,), "not enough memory")])
def test_a_stream_that_runs_away_is_stopped(aerospike_cluster_factory, function, total_timeout,
                                            codes, ending):
    """A stream that never ends (its time limit: the query's total timeout) or whose Lua
    memory grows without end (256 MiB per Lua state) fails; the server goes on serving."""
    lua_user_path()
    cluster = aerospike_cluster_factory(nodes=1)
    with Client(Config(cluster.hosts)) as one:
        one.udf_put(str(LUA))
        one.put((NAMESPACE, "runaway", 1), {"n": 1})
        with pytest.raises(asc.AerospikeError) as raised:
            aggregate(one, "runaway", function, policy={"base": {"total_timeout": total_timeout}})
        assert raised.value.code in codes
        if raised.value.code == asc.AEROSPIKE_ERR_UDF:  # the server's answer, not the client's timeout
            assert raised.value.message.endswith(ending)
        assert aggregate(one, "runaway", "count") == [1]
