"""Port of the C client's async_examples/async_batch_get: insert the records with up to
max_commands puts in flight on one event loop, then a batch read of every key and a batch
exists of those keys and 5 more, each started from the previous listener on its event loop."""
from __future__ import annotations

import threading
from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main
from _multi import parse_multi_key_args, remove_records

monitor = threading.Event()  # C: as_monitor
max_commands = 100
status = {"ok": False}


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("async batch get example", argv)
    n_keys = args.keys
    asc.as_event_create_loops(1)  # example_create_event_loop(): before connecting, as in C
    try:
        with example_cluster(args) as as_:
            remove_records(as_, args)  # start clean
            counter = [0]  # C: a uint32_t on main()'s stack, passed as udata

            def insert_records() -> None:
                event_loop = asc.as_event_loop_get()  # insert all records on the same event loop
                block_size = min(n_keys, max_commands)  # up to max_commands in flight at a time
                for i in range(block_size):
                    if not insert_record(event_loop, counter, i):
                        break

            def insert_record(event_loop: Any, udata: Any, index: int) -> bool:
                key = asc.as_key_init_int64(args.namespace, args.set, index)
                rec = asc.as_record_init(1)
                asc.as_record_set_int64(rec, "test-bin", index)
                try:
                    asc.aerospike_key_put_async(as_, None, key, rec, insert_listener, udata,
                                                event_loop)
                except asc.AerospikeError as err:
                    insert_listener(err, udata, event_loop)
                    return False
                return True

            def insert_listener(err: Any, udata: Any, event_loop: Any) -> None:
                if err is not None:
                    LOG("aerospike_key_put_async() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return
                udata[0] += 1  # one event loop: no atomic increment needed
                if udata[0] == n_keys:
                    LOG("inserted %u keys", udata[0])
                    batch_read(event_loop)
                    return
                next_index = udata[0] + max_commands - 1  # more records to insert?
                if next_index < n_keys:
                    insert_record(event_loop, udata, next_index)

            def batch_read(event_loop: Any) -> None:
                records = asc.as_batch_records_create(n_keys)  # a batch of every key inserted
                for i in range(n_keys):
                    record = asc.as_batch_read_reserve(records)
                    record.key = asc.as_key_init_int64(args.namespace, args.set, i)
                    record.read_all_bins = True
                try:
                    asc.aerospike_batch_read_async(as_, None, records, batch_read_listener, None,
                                                   event_loop)
                except asc.AerospikeError as err:
                    batch_read_listener(err, records, None, event_loop)

            def batch_read_listener(err: Any, records: Any, udata: Any, event_loop: Any) -> None:
                if err is not None:
                    LOG("aerospike_batch_read_async() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return
                LOG("batch read callback returned %u/%u record results:", len(records), n_keys)
                n_found = 0
                for i in range(len(records)):
                    record = records[i]
                    LOG("index %u, key %d:", i, record.key[2])
                    if record.result == asc.AEROSPIKE_OK:
                        LOG("  AEROSPIKE_OK")
                        dump_record(record.record)
                        n_found += 1
                    elif record.result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
                        LOG("  AEROSPIKE_ERR_RECORD_NOT_FOUND")  # succeeded, no such record
                    else:
                        LOG("  error %d", record.result)
                LOG("... found %u/%u records", n_found, len(records))
                asc.as_batch_records_destroy(records)
                if n_found == n_keys:
                    batch_exists(event_loop)
                else:
                    monitor.set()

            def batch_exists(event_loop: Any) -> None:
                records = asc.as_batch_records_create(n_keys + 5)  # 5 keys that are not found
                for i in range(n_keys + 5):
                    # A reserved record reads no bins by default: an exists.
                    record = asc.as_batch_read_reserve(records)
                    record.key = asc.as_key_init_int64(args.namespace, args.set, i)
                try:
                    asc.aerospike_batch_read_async(as_, None, records, batch_exists_listener, None,
                                                   event_loop)
                except asc.AerospikeError as err:
                    batch_exists_listener(err, records, None, event_loop)

            def batch_exists_listener(err: Any, records: Any, udata: Any, event_loop: Any) -> None:
                if err is not None:
                    LOG("batch_exists() error %d - %s", err.code, err.message)
                    monitor.set()
                    return
                LOG("batch_exists() returned %u results", len(records))
                exists = []
                for i in range(len(records)):
                    result = records[i].result
                    if result == asc.AEROSPIKE_OK:
                        LOG("exists[%u]=true", i)
                    elif result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
                        LOG("exists[%u]=false", i)
                    else:
                        LOG("exists[%u]=error %d", i, result)
                    exists.append(result == asc.AEROSPIKE_OK)
                asc.as_batch_records_destroy(records)
                status["ok"] = exists == [True] * n_keys + [False] * 5
                monitor.set()

            insert_records()
            monitor.wait(60)  # wait till the commands have completed before shutting down
            remove_records(as_, args)
    finally:
        asc.as_event_close_loops()
    if status["ok"]:
        LOG("async batch get example successfully completed")
    return 0 if status["ok"] else 1


if __name__ == "__main__":
    example_main(main)
