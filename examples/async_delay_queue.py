"""Port of the C client's async_examples/async_delay_queue: an event loop that runs at most
10 commands at once and queues up to 5000 more, fed many puts in a row."""
from __future__ import annotations

import threading
from typing import List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, parse_args

monitor = threading.Event()


def add_options(parser) -> None:
    parser.add_argument("--keys", type=int, default=1000, help="records to insert (C: -K)")


def remove_test_records(as_, args) -> None:
    for i in range(args.keys):
        try:
            asc.aerospike_key_remove(as_, None, asc.as_key_init_int64(args.namespace, args.set, i))
        except asc.RecordNotFoundError:
            pass


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("async delay queue example", argv, add_options)
    policy = asc.as_policy_event_init()  # create_event_loop_with_delay_queue()
    policy.max_commands_in_process = 10
    policy.max_commands_in_queue = 5000
    asc.as_create_event_loops(policy, 1)
    counter = {"done": 0, "failed": False}
    try:
        with example_cluster(args) as as_:
            remove_test_records(as_, args)

            def insert_listener(err, udata, event_loop):
                if err is not None:
                    LOG("aerospike_key_put_async() returned %d - %s", err.code, err.message)
                    counter["failed"] = True
                    monitor.set()
                    return
                counter["done"] += 1  # the dispatcher runs listeners one at a time
                if counter["done"] == args.keys:
                    LOG("inserted %u keys", counter["done"])
                    monitor.set()

            event_loop = asc.as_event_loop_get()
            for i in range(args.keys):
                key = asc.as_key_init_int64(args.namespace, args.set, i)
                rec = asc.as_record_init(1)
                asc.as_record_set_int64(rec, "test-bin", i)
                asc.aerospike_key_put_async(as_, None, key, rec, insert_listener, counter, event_loop)
            monitor.wait(60)
            stats = asc.aerospike_event_loop_stats(event_loop)
            LOG("event loop: %d in process, %u queued", stats.process_size, stats.queue_size)
            remove_test_records(as_, args)
    finally:
        asc.as_event_close_loops()
    ok = counter["done"] == args.keys and not counter["failed"]
    if ok:
        LOG("async delay queue example successfully completed")
    return 0 if ok else 1


if __name__ == "__main__":
    example_main(main)
