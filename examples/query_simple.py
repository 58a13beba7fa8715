"""Port of the C client's query_examples/simple: a numeric secondary index on test-bin, an
equality query (test-bin = 7), then query_pages (a set read 100 records a page), and
query_terminate_resume (a paginated query stopped by its callback after 50 records and
resumed from its partitions' status), also through as_query_to_bytes/as_query_from_bytes.

The C program writes the paging records into the sets "querypage" and "queryresume" and
leaves them there, with the index "page-index"; this port names them after --set (so runs
do not share them) and removes them at the end.
"""
from __future__ import annotations

import argparse
from typing import Any, List, Optional, Tuple

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main
from _multi import insert_records, parse_multi_key_args, remove_index, remove_records

PAGE_BIN_INT = "binint"
PAGE_BIN_STR = "binstr"


def query_cb(p_rec: Any, udata: List[Any]) -> bool:
    if p_rec is None:
        LOG("query callback returned null - query is complete")
        return True
    LOG("query callback returned record:")
    dump_record(p_rec)
    udata.append(p_rec)
    return True


class Counter:
    """struct counter / struct page_counter: records counted, and where to stop."""

    def __init__(self, max: int = 0) -> None:  # noqa: A002 - the C field's name
        self.count = 0
        self.max = max


def pquery_cb2(val: Any, c: Counter) -> bool:
    if val is None:
        return True
    c.count += 1
    return True


def insert_records_for_query_page(as_: Any, namespace: str, set_name: str, size: int) -> None:
    rec = asc.as_record_init(2)
    asc.as_record_set_int64(rec, PAGE_BIN_INT, 55)
    asc.as_record_set_str(rec, PAGE_BIN_STR, "str")
    for i in range(size):
        key = asc.as_key_init_int64(namespace, set_name, i)
        asc.as_key_set_digest(key)
        asc.aerospike_key_put(as_, None, key, rec)
    asc.as_record_destroy(rec)


def remove_page_records(as_: Any, namespace: str, set_name: str, size: int) -> None:
    """Not in the C program (which leaves them): the paging records go again."""
    remove_records(as_, argparse.Namespace(namespace=namespace, set=set_name, keys=size))


def query_pages(as_: Any, args: argparse.Namespace) -> Tuple[List[int], bool]:
    set_name = f"{args.set}-querypage"  # C: "querypage"
    total_size = 190
    page_size = 100

    LOG("write records for query pagination")
    insert_records_for_query_page(as_, args.namespace, set_name, total_size)
    LOG("records written: %u", total_size)

    c = Counter()
    query = asc.as_query_init(args.namespace, set_name)
    asc.as_query_set_paginate(query, True)
    query.max_records = page_size
    pages = []
    i = 1
    while i <= 3 and not asc.as_query_is_done(query):
        c.count = 0
        LOG("query page: %d", i)
        asc.aerospike_query_foreach(as_, None, query, pquery_cb2, c)
        LOG("records returned: %u", c.count)
        pages.append(c.count)
        i += 1
    done = asc.as_query_is_done(query)
    asc.as_query_destroy(query)
    remove_page_records(as_, args.namespace, set_name, total_size)
    return pages, done


def query_terminate_cb(val: Any, c: Counter) -> bool:
    if val is None:
        return True
    # C takes a spin lock here: callbacks may run on several threads. The bindings call
    # them one at a time.
    if c.count < c.max:
        c.count += 1
        return True
    return False


query_resume_cb = pquery_cb2  # C: two functions with the one body


def query_terminate_resume(as_: Any, args: argparse.Namespace) -> List[int]:
    set_name = f"{args.set}-queryresume"  # C: "queryresume"
    total_size = 200

    LOG("write records for query terminate/resume")
    insert_records_for_query_page(as_, args.namespace, set_name, total_size)
    LOG("records written: %u", total_size)

    LOG("start query terminate")
    c = Counter(50)
    query = asc.as_query_init(args.namespace, set_name)
    asc.as_query_set_paginate(query, True)
    asc.aerospike_query_foreach(as_, None, query, query_terminate_cb, c)
    LOG("terminate records returned: %u", c.count)
    counts = [c.count]

    LOG("start query resume")
    parts_all = query.parts_all  # C: as_partitions_status_reserve(query.parts_all)
    asc.as_query_destroy(query)

    query_resume = asc.as_query_init(args.namespace, set_name)
    pf = asc.as_partition_filter()
    asc.as_partition_filter_set_partitions(pf, parts_all)
    c.count = 0  # page_counter_reset()
    asc.aerospike_query_partitions(as_, None, query_resume, pf, query_resume_cb, c)
    LOG("resume records returned: %u", c.count)
    counts.append(c.count)
    del parts_all  # C: as_partitions_status_release(parts_all)
    asc.as_query_destroy(query_resume)
    return counts


def query_terminate_resume_with_serialization(as_: Any, args: argparse.Namespace,
                                              page_index_name: str) -> List[int]:
    set_name = f"{args.set}-queryresume"  # C: "queryresume"
    total_size = 200

    LOG("create index for terminate/resume with serialization")
    task = asc.aerospike_index_create(as_, None, args.namespace, set_name, PAGE_BIN_INT,
                                      page_index_name, asc.AS_INDEX_NUMERIC)
    asc.aerospike_index_create_wait(task, 100)

    LOG("write records for query terminate/resume with serialization")
    insert_records_for_query_page(as_, args.namespace, set_name, total_size)
    LOG("records written: %u", total_size)

    LOG("start query terminate")
    c = Counter(50)
    query = asc.as_query_init(args.namespace, set_name)
    asc.as_query_set_paginate(query, True)
    try:
        asc.as_query_select(query, PAGE_BIN_INT)
    except asc.ParamError:
        pass  # C ignores the false it returns without as_query_select_init: every bin is read
    asc.as_query_where_init(query, 1)
    asc.as_query_where(query, PAGE_BIN_INT, *asc.as_integer_range(0, 100))
    asc.aerospike_query_foreach(as_, None, query, query_terminate_cb, c)
    LOG("terminate records returned: %u", c.count)
    counts = [c.count]

    LOG("start query resume")
    data = asc.as_query_to_bytes(query)
    asc.as_query_destroy(query)
    query_resume = asc.as_query_from_bytes(data)
    c.count = 0  # page_counter_reset()
    asc.aerospike_query_foreach(as_, None, query_resume, query_resume_cb, c)
    LOG("resume records returned: %u", c.count)
    counts.append(c.count)
    asc.as_query_destroy(query_resume)
    remove_page_records(as_, args.namespace, set_name, total_size)
    return counts


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("simple query example", argv)
    index_name = f"{args.set}-test-bin-index"  # C: "test-bin-index" (one per set here)
    page_index_name = f"{args.set}-page-index"  # C: "page-index"
    with example_cluster(args) as as_:
        # Start clean.
        remove_records(as_, args)
        remove_index(as_, args, index_name)

        # Create a numeric secondary index on test-bin.
        task = asc.aerospike_index_create(as_, None, args.namespace, args.set, "test-bin",
                                          index_name, asc.AS_INDEX_NUMERIC)
        asc.aerospike_index_create_wait(task, 100)
        try:
            insert_records(as_, args)

            query = asc.as_query_init(args.namespace, args.set)
            asc.as_query_where_init(query, 1)
            asc.as_query_where(query, "test-bin", *asc.as_integer_equals(7))
            LOG("executing query: where test-bin = 7")
            found: List[Any] = []
            asc.aerospike_query_foreach(as_, None, query, query_cb, found)
            LOG("query executed")
            asc.as_query_destroy(query)

            pages, pages_done = query_pages(as_, args)
            resumed = query_terminate_resume(as_, args)
            serialized = query_terminate_resume_with_serialization(as_, args, page_index_name)
        finally:
            remove_records(as_, args)
            remove_index(as_, args, index_name)
            remove_index(as_, args, page_index_name)

    # What the C program prints: the record with test-bin 7 (of the -K records 0 .. K-1),
    # pages of at most 100 of the 190 records (all of them once the query is done), and 50
    # records before each terminate with the other 150 on resume.
    checks = [
        ([r.bins.get("test-bin") for r in found], [7] if args.keys > 7 else []),
        (all(n <= 100 for n in pages) and (sum(pages) == 190 or not pages_done), True),
        (resumed, [50, 150]), (serialized, [50, 150]),
    ]
    for got, expected in checks:
        if got != expected:
            LOG("got %s, expected %s", got, expected)
            return 1
    LOG("simple query example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
