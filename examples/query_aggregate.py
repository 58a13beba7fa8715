"""Port of the C client's query_examples/aggregate: register a module of stream UDFs, index
test-bin, then run four aggregation queries (map-reduce, aggregate-reduce, filter-aggregate-
reduce over test-bin 1 ... 10, and an aggregation into a map over every record), each value
arriving in the query callback once the client has finished the stream's reduce."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Callable, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, registered_udf
from _multi import parse_multi_key_args, read_test_records, remove_index, remove_records

UDF_DIR = Path(__file__).resolve().parent / "lua"
UDF_MODULE = "query_udf"
UDF_FILE = UDF_DIR / f"{UDF_MODULE}.lua"
TOKENS_PER_BIN = 5
MAX_TOKEN = 10


def results_cb(kind: type, c_type: str) -> Callable[[Any, List[Any]], bool]:
    """The C example's query_cb (as_integer results) and query_cb_map (as_map results)."""
    def query_cb(value: Any, udata: List[Any]) -> bool:
        if value is None:
            LOG("query callback returned null - query is complete")
        elif not isinstance(value, kind):
            LOG("query callback returned non-%s object", c_type)
        else:
            LOG("query callback returned %s", value)
            udata.append(value)
        return True
    return query_cb


query_cb = results_cb(int, "as_integer")
query_cb_map = results_cb(dict, "as_map")


def insert_records(as_: Any, args: Any) -> None:
    """test-bin = the key, numbers-bin = TOKENS_PER_BIN random numbers 1..MAX_TOKEN, "3,7,1..."."""
    rec = asc.as_record_init(2)
    for i in range(args.keys):
        asc.as_record_set_int64(rec, "test-bin", i)
        numbers = ",".join(str(random.randint(1, MAX_TOKEN)) for _ in range(TOKENS_PER_BIN))
        asc.as_record_set_str(rec, "numbers-bin", numbers)
        asc.aerospike_key_put(as_, None, asc.as_key_init_int64(args.namespace, args.set, i), rec)
    LOG("insert succeeded")


def run_query(as_: Any, args: Any, function: str, callback: Any, where: bool) -> List[Any]:
    query = asc.as_query_init(args.namespace, args.set)
    if where:
        asc.as_query_where_init(query, 1)
        asc.as_query_where(query, "test-bin", *asc.as_integer_range(1, 10))
    asc.as_query_apply(query, UDF_MODULE, function, None)
    results: List[Any] = []
    asc.aerospike_query_foreach(as_, None, query, callback, results)
    asc.as_query_destroy(query)
    return results


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("aggregate query example", argv)
    index_name = f"{args.set}_test_bin_idx"
    with example_cluster(args, udf_user_path=UDF_DIR) as as_:
        remove_records(as_, args)
        remove_index(as_, args, index_name)
        with registered_udf(as_, UDF_FILE):
            task = asc.aerospike_index_create(as_, None, args.namespace, args.set, "test-bin",
                                              index_name, asc.AS_INDEX_NUMERIC)
            asc.aerospike_index_create_wait(task, 100)
            try:
                insert_records(as_, args)
                read_test_records(as_, args)
                expected = sum(range(1, min(10, args.keys - 1) + 1))
                even = sum(n for n in range(2, min(10, args.keys - 1) + 1, 2))

                LOG("executing map-reduce query: where test-bin = 1 ... 10")
                sums = run_query(as_, args, "sum_test_bin", query_cb, True)
                LOG("map-reduce query executed")

                LOG("executing aggregate-reduce query: where test-bin = 1 ... 10")
                sums += run_query(as_, args, "sum_test_bin_2", query_cb, True)
                LOG("aggregate-reduce query executed")

                LOG("executing filter-aggregate-reduce query: where test-bin = 1 ... 10")
                evens = run_query(as_, args, "sum_test_bin_even", query_cb, True)
                LOG("filter-aggregate-reduce query executed")

                LOG("executing numbers aggregate-reduce query: all records")
                counts = run_query(as_, args, "count_numbers", query_cb_map, False)
                LOG("numbers aggregate-reduce query executed")

                if (sums != [expected, expected] or evens != [even] or len(counts) != 1
                        or sum(counts[0].values()) != TOKENS_PER_BIN * args.keys):
                    return 1
            finally:
                remove_records(as_, args)
                remove_index(as_, args, index_name)
    LOG("aggregate query example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
