"""Queries: as_query (where/select/apply), aerospike_query_*, Client.query*."""
from __future__ import annotations

import time
import uuid

import pytest

import aerospike_c as asc
from aerospike_c._records import ops
from multi_record_fixtures import (NAMESPACE, client, fill, index_names, keys_of_partition,  # noqa: F401
                                   node_counts, nodes_knowing_job, paged, skip_below_server,
                                   unique_set)

COUNT = 300


@pytest.fixture(scope="module")
def indexed(client):
    """A set of COUNT records with indexes on bins i (numeric) and s (string)."""
    name = unique_set()
    fill(client, name, COUNT)
    suffix = uuid.uuid4().hex[:8]
    indexes = [f"qi_{suffix}", f"qs_{suffix}"]
    client.index_create(NAMESPACE, name, "i", indexes[0], asc.AS_INDEX_NUMERIC)
    client.index_create(NAMESPACE, name, "s", indexes[1], asc.AS_INDEX_STRING)
    yield name
    for index in indexes:
        client.index_remove(NAMESPACE, index)


def run(client, query, policy=None):
    """aerospike_query_foreach; the records (the final None checked and dropped)."""
    seen = []
    asc.aerospike_query_foreach(client.aerospike, policy, query,
                                lambda record, udata: seen.append(record) or True)
    assert seen[-1] is None and None not in seen[:-1]
    return seen[:-1]


def range_query(set_name, bin_name, low, high):
    """An as_query of `set_name` where `bin_name` is in [low, high]."""
    query = asc.as_query_init(NAMESPACE, set_name)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, bin_name, *asc.as_integer_range(low, high))
    return query


def test_integer_range(client, indexed):
    query = asc.as_query_init(NAMESPACE, indexed)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "i", *asc.as_integer_range(10, 19))
    assert sorted(r.bins["i"] for r in run(client, query)) == list(range(10, 20))
    asc.as_query_destroy(query)


def test_integer_equality(client, indexed):
    query = asc.as_query_init(NAMESPACE, indexed)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "i", asc.AS_PREDICATE_EQUAL, asc.AS_INDEX_TYPE_DEFAULT,
                       asc.AS_INDEX_NUMERIC, 42)
    assert [r.bins["i"] for r in run(client, query)] == [42]


def test_string_equality_with_select(client, indexed):
    query = asc.as_query_init(NAMESPACE, indexed)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "s", *asc.as_string_equals("s3"))
    asc.as_query_select_init(query, 1)
    asc.as_query_select(query, "i")
    records = run(client, query)
    assert sorted(r.bins["i"] for r in records) == list(range(3, COUNT, 10))
    assert all(set(r.bins) == {"i"} for r in records)


def test_query_partitions(client, indexed):
    query = asc.as_query_init(NAMESPACE, indexed)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "i", *asc.as_integer_range(0, COUNT))
    found = set()
    for begin in (0, 1024, 2048, 3072):
        pf = asc.as_partition_filter()
        asc.as_partition_filter_set_range(pf, begin, 1024)
        asc.aerospike_query_partitions(client.aerospike, None, query, pf,
                                       lambda r, u: found.add(r.bins["i"]) if r else True)
    assert found == set(range(COUNT))


def test_query_without_a_filter_reads_every_record(client, indexed):
    query = asc.as_query_init(NAMESPACE, indexed)
    assert len(run(client, query)) == COUNT


def test_query_on_a_bin_without_index_raises_index_not_found(client, indexed):
    query = asc.as_query_init(NAMESPACE, indexed)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "no_index_bin", *asc.as_integer_equals(1))
    with pytest.raises(asc.IndexNotFoundError) as raised:
        run(client, query)
    error = raised.value
    assert error.code == asc.AEROSPIKE_ERR_INDEX_NOT_FOUND
    assert error.message and error.file.endswith(".c") and error.line > 0


def test_bad_namespace_raises_namespace_not_found(client):
    query = asc.as_query_init("no_such_namespace", None)
    with pytest.raises(asc.NamespaceNotFoundError) as raised:
        run(client, query)
    assert raised.value.file and raised.value.line > 0


def test_callback_false_stops_and_exception_is_reraised(client, indexed):
    query = asc.as_query_init(NAMESPACE, indexed)
    calls = []
    asc.aerospike_query_foreach(client.aerospike, None, query,
                                lambda r, u: calls.append(r) or False)
    assert len(calls) == 1

    def fail(record, udata):
        calls.append(record)
        raise KeyError("in the query callback")

    calls.clear()
    with pytest.raises(KeyError):
        asc.aerospike_query_foreach(client.aerospike, None, query, fail)
    assert len(calls) == 1


def test_where_arguments_are_checked():
    query = asc.as_query_init(NAMESPACE, None)
    with pytest.raises(asc.ParamError):
        asc.as_query_where(query, "i", *asc.as_integer_equals(1))   # no as_query_where_init
    asc.as_query_where_init(query, 1)
    with pytest.raises(TypeError):
        asc.as_query_where(query, "i", *asc.as_integer_range(1, 2), 3)
    with pytest.raises(TypeError):
        asc.as_query_where(query, "i", *asc.as_integer_equals("1"))
    with pytest.raises(OverflowError):
        asc.as_query_where(query, "i", *asc.as_integer_equals(1 << 64))
    with pytest.raises(asc.ParamError):
        asc.as_query_where(query, "i", asc.AS_PREDICATE_RANGE, asc.AS_INDEX_TYPE_DEFAULT,
                           asc.AS_INDEX_STRING, "a")
    asc.as_query_where(query, "i", *asc.as_integer_equals(1))
    with pytest.raises(asc.ParamError):
        asc.as_query_where(query, "i", *asc.as_integer_equals(2))   # capacity 1
    assert query.where.size == 1


def test_client_query_forms(client, indexed):
    assert sorted(r.bins["i"] for r in client.query(NAMESPACE, indexed, where=("i", 5, 9))) \
        == [5, 6, 7, 8, 9]
    assert [r.bins["i"] for r in client.query(NAMESPACE, indexed, where=("i", 77))] == [77]
    assert len(list(client.query(NAMESPACE, indexed, where=("s", "s1")))) == COUNT // 10
    c_style = client.query(NAMESPACE, indexed, where=("i", *asc.as_integer_range(0, 4)),
                           bins=["s"])
    assert sorted(r.bins["s"] for r in c_style) == ["s0", "s1", "s2", "s3", "s4"]
    seen = []
    client.query_foreach(NAMESPACE, indexed, ("i", 0, 49), lambda r: seen.append(r) or True)
    assert len(seen) == 51 and seen[-1] is None   # then the end call, as in C
    with pytest.raises(asc.IndexNotFoundError):
        list(client.query(NAMESPACE, indexed, where=("unindexed", 1)))


def test_breaking_out_of_a_query_iterator(aerospike_hosts, indexed):
    own = asc.Client(asc.Config(hosts=aerospike_hosts)).connect()
    for _ in own.query(NAMESPACE, indexed, where=("i", 0, COUNT), buffer=1):
        break
    own.destroy()   # refused if the query were still running


def background_write(client, query, bin_name, value):
    """aerospike_query_background writing `bin_name` = `value`, waited for: (id, its info)."""
    operations = asc.as_operations_init(1)
    asc.as_operations_add_write_int64(operations, bin_name, value)
    query.ops = operations
    query_id = asc.aerospike_query_background(client.aerospike, None, query)
    asc.aerospike_query_wait(client.aerospike, None, query, query_id, 50)
    return query_id, asc.aerospike_query_info(client.aerospike, None, query, query_id)


def test_background_query_updates_only_matches(client):
    name = unique_set()
    fill(client, name, 40)
    index = f"qb_{uuid.uuid4().hex[:8]}"
    client.index_create(NAMESPACE, name, "i", index, asc.AS_INDEX_NUMERIC)
    try:
        _, info = background_write(client, range_query(name, "i", 0, 9), "hit", 1)
        assert info.status == asc.AS_JOB_STATUS_COMPLETED
        hits = {r.bins["i"] for r in client.scan(NAMESPACE, name) if r.bins.get("hit") == 1}
        assert hits == set(range(10))

        client.query_background(NAMESPACE, name, ("i", 30, 39), ops=[ops.write("hit", 2)])
        twos = {r.bins["i"] for r in client.scan(NAMESPACE, name) if r.bins.get("hit") == 2}
        assert twos == set(range(30, 40))
    finally:
        client.index_remove(NAMESPACE, index)


def test_a_background_query_of_a_set_never_written_starts_no_job(client):
    """udf_bg/ops_bg_query_job_start (query.c): a set the namespace has never had is
    NOT_FOUND before the index is looked for (an unindexed bin is no error then), and the
    client takes NOT_FOUND as the job done (aerospike_query.c); no node knows the job."""
    name = unique_set()
    query_id, info = background_write(client, range_query(name, "no_index_bin", 0, 9), "hit", 1)
    assert info.status == asc.AS_JOB_STATUS_COMPLETED and info.records_read == 0
    assert nodes_knowing_job(client, query_id) == 0
    fill(client, name, 1)
    with pytest.raises(asc.IndexNotFoundError):  # a set with records: the index is missing
        client.query_background(NAMESPACE, name, ("no_index_bin", 0, 9), ops=[ops.write("hit", 1)])


def test_paginated_query_resumes_until_done(client, indexed):
    seen, count = paged(client, range_query(indexed, "i", 0, COUNT), 40)
    assert sorted(r.bins["i"] for r in seen) == list(range(COUNT))
    assert count >= COUNT // 40


def test_a_paginated_query_resumes_each_partition_in_index_order(client):
    """A numeric index holds a partition's records by value, then digest (sindex_tree.c,
    key_cmp), and a resumed query starts after the (value, digest) of the partition's last
    record the client had (the bval it sends back; query_reduce): pages of a query of one
    partition whose values are not in digest order come in that order, each record once."""
    name = unique_set()
    keys = keys_of_partition(name, 7, 12)
    by_digest = sorted(keys)
    values = {keys[d]: 100 - 10 * (rank // 2) for rank, d in enumerate(by_digest)}  # pairs
    for key, value in values.items():
        client.put((NAMESPACE, name, key), {"v": value})
    index = f"qv_{uuid.uuid4().hex[:8]}"
    client.index_create(NAMESPACE, name, "v", index, asc.AS_INDEX_NUMERIC)
    try:
        seen, count = paged(client, range_query(name, "v", 0, 1000), 5, partition=7)
        assert count == 3
        order = sorted(by_digest, key=lambda d: (values[keys[d]], d))
        assert [r.key[3] for r in seen] == order
        assert [r.bins["v"] for r in seen] == sorted(values.values())
    finally:
        client.index_remove(NAMESPACE, index)


def test_records_per_second_throttles_a_query(client, indexed):
    """A server throttles its part of a query to records_per_second (query_job.c,
    as_query_job_throttle); each node sends ~COUNT / nodes records at RPS, in parallel."""
    query = range_query(indexed, "i", 0, COUNT)
    query.records_per_second = 100  # a server sleeps at most 10 ms a record (SLEEP_CAP)
    slowest = max(node_counts(client, indexed).values()) / 100
    start = time.monotonic()
    assert sorted(r.bins["i"] for r in run(client, query)) == list(range(COUNT))
    assert time.monotonic() - start >= slowest * 0.9


def test_a_paginated_string_query_gives_each_record_once(client, indexed):
    """A string index query resumes each partition after the (hash, digest) of its last
    record (sindex.h as_sindex_string_to_bval; sindex_tree.c query_reduce)."""
    query = asc.as_query_init(NAMESPACE, indexed)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, "s", *asc.as_string_equals("s3"))
    seen, _ = paged(client, query, 7)
    assert sorted(r.bins["i"] for r in seen) == list(range(3, COUNT, 10))


def test_expression_index_query(client):
    """aerospike_index_create_exp: an index over an expression's value; as_query_where_with_exp
    queries it by the same expression (a copy: the caller's as_exp may go first)."""
    skip_below_server(client, (8, 1), "expression indexes")
    name = unique_set()
    for i in range(30):
        client.put((NAMESPACE, name, i), {"a": i, "b": 100})
    total = asc.as_exp_build(asc.as_exp_add(asc.as_exp_bin_int("a"), asc.as_exp_bin_int("b")))
    index = f"qe_{uuid.uuid4().hex[:8]}"
    task = asc.aerospike_index_create_exp(client.aerospike, None, NAMESPACE, name, index,
                                          asc.AS_INDEX_TYPE_DEFAULT, asc.AS_INDEX_NUMERIC, total)
    asc.aerospike_index_create_wait(task, 100)
    try:
        query = asc.as_query_init(NAMESPACE, name)
        asc.as_query_where_init(query, 1)
        asc.as_query_where_with_exp(query, total, *asc.as_integer_range(110, 114))
        asc.as_exp_destroy(total)
        assert sorted(r.bins["a"] for r in run(client, query)) == [10, 11, 12, 13, 14]
        asc.as_query_destroy(query)
    finally:
        client.index_remove(NAMESPACE, index)


def test_expression_index_arguments_are_checked(client):
    with pytest.raises(TypeError):
        asc.aerospike_index_create_exp(client.aerospike, None, NAMESPACE, "s", "i",
                                       asc.AS_INDEX_TYPE_DEFAULT, asc.AS_INDEX_NUMERIC, "a + b")
    query = asc.as_query_init(NAMESPACE, "s")
    asc.as_query_where_init(query, 1)
    with pytest.raises(TypeError):
        asc.as_query_where_with_exp(query, None, *asc.as_integer_range(1, 2))


def server_walk(entries, page_size=0):
    """The digests a server returns from one partition's index entries, (bval, digest) pairs,
    for a range query over a list/map index, paged by `page_size` (0: one query): each query
    reads on after the (bval, digest) of the last record sent, MAX_QUERY_BURST (100) entries
    at a time, a record once a read (sindex_tree.c, query_reduce / query_collect_cb), until
    a page comes back short."""
    entries, sent, resume = sorted(entries), [], None
    while True:
        todo = [entry for entry in entries if resume is None or entry > resume]
        page = []
        room = page_size or len(todo)
        for start in range(0, len(todo), 100):
            read = set()
            for bval, digest in todo[start:start + 100]:
                if digest not in read and len(page) < room:
                    read.add(digest)
                    page.append((bval, digest))
        sent += [digest for _, digest in page]
        if not page_size or len(page) < page_size:
            return sent
        resume = page[-1]


def collection_query(set_name, bin_name, index_type, predicate):
    """An as_query of `set_name` with a filter on the list/map index of `bin_name`."""
    query = asc.as_query_init(NAMESPACE, set_name)
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, bin_name, predicate[0], index_type, *predicate[2:])
    return query


@pytest.fixture
def one_partition_set(client):
    """A fresh set and (digest -> key) of 12 keys of partition 9; the test's index names."""
    name = unique_set()
    created = []
    yield name, keys_of_partition(name, 9, 12), created
    for index in created:
        client.index_remove(NAMESPACE, index)


def index_on(client, created, set_name, bin_name, index_type, key_type):
    index = f"qc_{uuid.uuid4().hex[:8]}"
    client.index_create(NAMESPACE, set_name, bin_name, index, key_type, index_type=index_type)
    created.append(index)


def test_an_equality_query_over_a_list_index_pages_each_record_once(client, one_partition_set):
    """An index holds a record once per distinct value (sindex_tree.c, btree_put: an equal
    key is not added), so an equality query finds each record once, in digest order, and
    pages of it resume after the (value, digest) of the last one: every record once."""
    name, keys, created = one_partition_set
    digests = sorted(keys)
    for rank, digest in enumerate(digests):
        values = [7, 7, rank] if rank % 3 == 0 else [rank, 7] if rank % 3 == 1 else [rank + 50]
        client.put((NAMESPACE, name, keys[digest]), {"l": values})
    index_on(client, created, name, "l", asc.AS_INDEX_TYPE_LIST, asc.AS_INDEX_NUMERIC)
    holding_7 = [digest for rank, digest in enumerate(digests) if rank % 3 != 2]
    query = collection_query(name, "l", asc.AS_INDEX_TYPE_LIST, asc.as_integer_equals(7))
    assert [r.key[3] for r in paged(client, query, 0, partition=9)[0]] == holding_7
    query = collection_query(name, "l", asc.AS_INDEX_TYPE_LIST, asc.as_integer_equals(7))
    assert [r.key[3] for r in paged(client, query, 2, partition=9)[0]] == holding_7


def test_a_string_query_over_a_map_keys_index_pages_each_record_once(client, one_partition_set):
    name, keys, created = one_partition_set
    digests = sorted(keys)
    for rank, digest in enumerate(digests):
        client.put((NAMESPACE, name, keys[digest]),
                   {"m": {"k": rank, f"x{rank}": 1} if rank % 2 else {f"y{rank}": 2}})
    index_on(client, created, name, "m", asc.AS_INDEX_TYPE_MAPKEYS, asc.AS_INDEX_STRING)
    with_k = digests[1::2]
    for page_size in (0, 1, 4):
        query = collection_query(name, "m", asc.AS_INDEX_TYPE_MAPKEYS, asc.as_string_equals("k"))
        assert [r.key[3] for r in paged(client, query, page_size, partition=9)[0]] == with_k


@pytest.mark.parametrize("page_size", [0, 1, 5])
def test_a_range_query_over_a_list_index_returns_a_record_once_a_read(client, one_partition_set,
                                                                      page_size):
    """query.c, get_query_range: a range query over a list/map index de-duplicates
    (range->de_dup), but only within one read of the index (query_collect_cb): one query
    returns each record once, at its lowest matching value; a page that ends between a
    record's values leaves the rest to the next page, which returns the record again."""
    name, keys, created = one_partition_set
    digests = sorted(keys)
    entries = []
    for rank, digest in enumerate(digests):
        values = [rank, 30 - rank, rank + 100] if rank % 2 else [2 * rank]
        client.put((NAMESPACE, name, keys[digest]), {"l": values})
        entries += [(value, digest) for value in set(values) if value <= 60]
    index_on(client, created, name, "l", asc.AS_INDEX_TYPE_LIST, asc.AS_INDEX_NUMERIC)
    query = collection_query(name, "l", asc.AS_INDEX_TYPE_LIST, asc.as_integer_range(0, 60))
    seen, _ = paged(client, query, page_size, partition=9)
    assert [r.key[3] for r in seen] == server_walk(entries, page_size)
    assert set(r.key[3] for r in seen) == set(digests)
    if page_size == 1:
        assert len(seen) == len(entries)


def map_values_of_partition(client, bins):
    """40 records of a fresh set in partition 13, record r (by digest) with bins and map
    m = {a: r, b: r + 40, c: r + 80} under a map-values index: (set, digest -> key, the
    digests in order, the index's name)."""
    name = unique_set()
    keys = keys_of_partition(name, 13, 40)
    digests = sorted(keys)
    for rank, digest in enumerate(digests):
        client.put((NAMESPACE, name, keys[digest]),
                   {"m": {"a": rank, "b": rank + 40, "c": rank + 80}, **bins})
    index = f"qm_{uuid.uuid4().hex[:8]}"
    client.index_create(NAMESPACE, name, "m", index, asc.AS_INDEX_NUMERIC,
                        index_type=asc.AS_INDEX_TYPE_MAPVALUES)
    return name, keys, digests, index


def test_a_read_of_the_index_counts_the_entries_of_the_records_it_holds(client):
    """sindex_tree.c, query_collect_cb counts every entry a read of 100 visits: an index on
    no set holds other sets' records, whose entries end a read (the query then skips them),
    so a record found before and after 120 of them comes back twice; an index on a set holds
    none of another set's records, and the record comes back once."""
    name, other = unique_set(), unique_set()
    bin_name = f"l{uuid.uuid4().hex[:8]}"
    (digest, key), = keys_of_partition(name, 13, 1).items()
    client.put((NAMESPACE, name, key), {bin_name: [0, 1000]})
    for value, other_key in enumerate(keys_of_partition(other, 13, 120).values(), 1):
        client.put((NAMESPACE, other, other_key), {bin_name: [value]})
    found = {}
    for index_set in (None, name):
        index = f"qr_{uuid.uuid4().hex[:8]}"
        client.index_create(NAMESPACE, index_set, bin_name, index, asc.AS_INDEX_NUMERIC,
                            index_type=asc.AS_INDEX_TYPE_LIST)
        query = collection_query(name, bin_name, asc.AS_INDEX_TYPE_LIST,
                                 asc.as_integer_range(0, 1000))
        try:
            seen, _ = paged(client, query, 0, partition=13)
            found[index_set] = [r.key[3] for r in seen]
        finally:
            client.index_remove(NAMESPACE, index)
    assert found == {None: [digest, digest], name: [digest]}


def test_a_range_query_over_a_map_values_index_de_duplicates_within_a_read(client):
    """A read of the index is MAX_QUERY_BURST (100) entries (sindex_tree.c): a record found
    under values in two reads of one query comes back once for each."""
    name, keys, digests, index = map_values_of_partition(client, {})
    try:
        query = collection_query(name, "m", asc.AS_INDEX_TYPE_MAPVALUES,
                                 asc.as_integer_range(0, 1000))
        seen, _ = paged(client, query, 0, partition=13)
        # entries 0..99 are every record's; entries 100..119 (values) are records 20..39's
        assert [r.key[3] for r in seen] == digests + digests[20:]
    finally:
        client.index_remove(NAMESPACE, index)


def test_a_background_job_writes_a_record_once_per_index_entry_it_finds(client):
    """udf_bg/ops_bg_query_job_reduce_cb (query.c) start one write per index entry the walk
    finds: a record found in two reads of 100 entries (sindex_tree.c, query_collect_cb
    de-duplicates within one) is written twice, so a background increment adds twice."""
    name, keys, digests, index = map_values_of_partition(client, {"n": 0})
    try:
        query = collection_query(name, "m", asc.AS_INDEX_TYPE_MAPVALUES,
                                 asc.as_integer_range(0, 1000))
        operations = asc.as_operations_init(1)
        asc.as_operations_add_incr(operations, "n", 1)
        query.ops = operations
        query_id = asc.aerospike_query_background(client.aerospike, None, query)
        asc.aerospike_query_wait(client.aerospike, None, query, query_id, 50)
        counts = [client.get((NAMESPACE, name, keys[digest])).bins["n"] for digest in digests]
        # entries 0..99 are every record's; entries 100..119 (values) are records 20..39's
        assert counts == [1] * 20 + [2] * 20
    finally:
        client.index_remove(NAMESPACE, index)


def test_a_query_uses_its_sets_index_else_one_on_no_set(client):
    """sindex.c, as_sindex_lookup_by_defn: a query's index is the one on its set, else the
    one on no set; an index on another set is no index for it (INDEX_NOT_FOUND)."""
    mine, other = unique_set(), unique_set()
    bin_name = f"b{uuid.uuid4().hex[:8]}"
    for set_name in (mine, other):
        client.put((NAMESPACE, set_name, 1), {bin_name: 5, "set": set_name})
    on_set, on_no_set = (f"qs_{uuid.uuid4().hex[:8]}" for _ in range(2))
    client.index_create(NAMESPACE, mine, bin_name, on_set, asc.AS_INDEX_NUMERIC)
    try:
        assert [r.bins["set"] for r in run(client, range_query(mine, bin_name, 0, 9))] == [mine]
        for set_name in (other, None):
            with pytest.raises(asc.IndexNotFoundError):
                run(client, range_query(set_name, bin_name, 0, 9))
        client.index_create(NAMESPACE, None, bin_name, on_no_set, asc.AS_INDEX_NUMERIC)
        assert [r.bins["set"] for r in run(client, range_query(other, bin_name, 0, 9))] == [other]
        assert sorted(r.bins["set"] for r in run(client, range_query(None, bin_name, 0, 9))) \
            == sorted([mine, other])
    finally:
        client.index_remove(NAMESPACE, on_set)
        if on_no_set in index_names(client):
            client.index_remove(NAMESPACE, on_no_set)
