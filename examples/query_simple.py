"""Port of the C client's simple query example: a numeric secondary index, an equality query,
then a range query read in pages (max_records per call, resumed until done)."""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main
from _multi import insert_records, parse_multi_key_args, remove_records


def query_cb(record: Any, udata: List[Any]) -> bool:
    if record is None:
        LOG("query callback returned null - query is complete")
        return True
    LOG("query callback returned record with test-bin = %d", record.bins["test-bin"])
    udata.append(record.bins["test-bin"])
    return True


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("query example", argv)
    index_name = f"{args.set}_test_bin_idx"
    with example_cluster(args) as as_:
        remove_records(as_, args)
        task = asc.aerospike_index_create(as_, None, args.namespace, args.set, "test-bin",
                                          index_name, asc.AS_INDEX_NUMERIC)
        asc.aerospike_index_create_wait(task, 100)
        LOG("created index %s", index_name)
        try:
            insert_records(as_, args)

            query = asc.as_query_init(args.namespace, args.set)
            asc.as_query_where_init(query, 1)
            asc.as_query_where(query, "test-bin", *asc.as_integer_equals(7 % args.keys))
            LOG("executing query: where test-bin = %d", 7 % args.keys)
            found: List[int] = []
            asc.aerospike_query_foreach(as_, None, query, query_cb, found)
            asc.as_query_destroy(query)
            if found != [7 % args.keys]:
                return 1

            query = asc.as_query_init(args.namespace, args.set)
            asc.as_query_where_init(query, 1)
            asc.as_query_where(query, "test-bin", *asc.as_integer_range(0, args.keys))
            asc.as_query_set_paginate(query, True)
            query.max_records = max(args.keys // 4, 1)
            found.clear()
            page = 0
            while not asc.as_query_is_done(query) and page <= args.keys:
                page += 1
                before = len(found)
                asc.aerospike_query_foreach(as_, None, query, query_cb, found)
                LOG("page %d: %d records", page, len(found) - before)
            asc.as_query_destroy(query)
            if sorted(found) != list(range(args.keys)):
                return 1
        finally:
            asc.aerospike_index_remove(as_, None, args.namespace, index_name)
            remove_records(as_, args)
    LOG("query example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
