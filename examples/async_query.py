"""Port of the C client's async_examples/async_query: a numeric secondary index, records
inserted with async puts, then an async equality query and an async range query over half
of the partitions, each started from the previous one's listener."""
from __future__ import annotations

import threading
from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main
from _multi import insert_records_async, parse_multi_key_args, remove_records

TEST_INDEX_NAME = "test-bin-index"
monitor = threading.Event()  # C: as_monitor
status = {"ok": False}


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("async query example", argv)
    asc.as_event_create_loops(1)  # example_create_event_loop(): before connecting, as in C
    found: List[List[int]] = [[], []]  # test-bin of each query's records, checked at the end
    try:
        with example_cluster(args) as as_:
            remove_records(as_, args)  # start clean
            try:
                asc.aerospike_index_remove(as_, None, args.namespace, TEST_INDEX_NAME)
            except asc.AerospikeError:
                pass
            # Create a numeric secondary index on test-bin (example_create_integer_index).
            task = asc.aerospike_index_create(as_, None, args.namespace, args.set, "test-bin",
                                              TEST_INDEX_NAME, asc.AS_INDEX_NUMERIC)
            asc.aerospike_index_create_wait(task, 100)

            def run_query(event_loop):
                query = asc.as_query_init(args.namespace, args.set)
                asc.as_query_where_init(query, 1)  # C: as_query_where_inita
                asc.as_query_where(query, "test-bin", *asc.as_integer_equals(7))
                LOG("executing query: where test-bin = 7")
                try:
                    asc.aerospike_query_async(as_, None, query, query_listener, found[0],
                                              event_loop)
                except asc.AerospikeError as err:
                    query_listener(err, None, None, event_loop)
                asc.as_query_destroy(query)

            def query_listener(err, record, udata, event_loop):
                if err is not None:
                    LOG("run_query() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return False
                if record is None:
                    LOG("run_query() is complete")
                    run_partition_query(event_loop)
                    return False
                LOG("query callback returned record:")
                dump_record(record)
                udata.append(record.bins["test-bin"])
                return True

            def partition_query_listener(err, record, udata, event_loop):
                if err is not None:
                    LOG("run_partition_query() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return False
                if record is None:
                    LOG("run_partition_query() is complete")
                    status["ok"] = True
                    monitor.set()
                    return False
                LOG("query callback returned record:")
                dump_record(record)
                udata.append(record.bins["test-bin"])
                return True

            def run_partition_query(event_loop):
                query = asc.as_query_init(args.namespace, args.set)
                asc.as_query_where_init(query, 1)
                asc.as_query_where(query, "test-bin", *asc.as_integer_range(3, 10))
                LOG("executing query: where test-bin >= 2 and <= 12 in half of partitions")
                pf = asc.as_partition_filter()
                asc.as_partition_filter_set_range(pf, 0, 2048)
                try:
                    asc.aerospike_query_partitions_async(as_, None, query, pf,
                                                         partition_query_listener, found[1],
                                                         event_loop)
                except asc.AerospikeError as err:
                    query_listener(err, None, None, event_loop)
                asc.as_query_destroy(query)

            try:
                # Start inserting records; the query runs when insertions are complete.
                insert_records_async(as_, args, run_query, monitor.set)
                monitor.wait(60)  # wait till the commands have completed before shutting down
            finally:
                remove_records(as_, args)
                asc.aerospike_index_remove(as_, None, args.namespace, TEST_INDEX_NAME)
    finally:
        asc.as_event_close_loops()
    # The half of the partitions holds some of test-bin 3 .. 10 (the C program prints them).
    ok = status["ok"] and found[0] == ([7] if args.keys > 7 else []) \
        and set(found[1]) <= set(range(3, min(11, args.keys)))
    if ok:
        LOG("async query example successfully completed")
    return 0 if ok else 1


if __name__ == "__main__":
    example_main(main)
