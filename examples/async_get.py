"""Port of the C client's async_examples/async_get: a get that finds nothing, then a put and
a get, each started from the previous one's listener on the event loop it completed on."""
from __future__ import annotations

import threading
from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main, parse_args, \
    remove_test_record, test_key

monitor = threading.Event()  # C: as_monitor
status = {"ok": False}


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("async get example", argv)
    asc.as_event_create_loops(1)  # example_create_event_loop(): before connecting, as in C
    try:
        with example_cluster(args) as as_:
            key = test_key(args)
            remove_test_record(as_, key)

            def expect_not_found(err, record, udata, event_loop):
                if not isinstance(err, asc.RecordNotFoundError):
                    LOG("aerospike_key_get() returned %r, expected AEROSPIKE_ERR_RECORD_NOT_FOUND", err)
                    monitor.set()
                    return
                LOG("get (non-existent record) failed as expected")
                write_record(event_loop)

            def write_record(event_loop):
                rec = asc.as_record_init(4)
                asc.as_record_set_int64(rec, "test-bin-1", 1111)
                asc.as_record_set_int64(rec, "test-bin-2", 2222)
                asc.as_record_set_str(rec, "test-bin-3", "test-bin-3-data")
                asc.as_record_set_raw(rec, "test-bin-4", bytes([1, 2, 3]), 3)
                LOG("as_record object to write to database:")
                dump_record(rec)
                asc.aerospike_key_put_async(as_, None, key, rec, write_listener, None, event_loop)

            def write_listener(err, udata, event_loop):
                if err is not None:
                    LOG("aerospike_key_put_async() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return
                LOG("write succeeded")
                asc.aerospike_key_get_async(as_, None, key, read_listener, None, event_loop)

            def read_listener(err, record, udata, event_loop):
                if err is not None:
                    LOG("aerospike_key_get_async() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return
                LOG("record was successfully read from database:")
                dump_record(record)
                status["ok"] = True
                monitor.set()

            policy = asc.as_policy_read_init()
            policy.base.total_timeout = 500
            policy.base.timeout_delay = 3000
            asc.aerospike_key_get_async(as_, policy, key, expect_not_found)
            monitor.wait(30)  # wait till the commands have completed before shutting down
    finally:
        asc.as_event_close_loops()
    if status["ok"]:
        LOG("async get example successfully completed")
    return 0 if status["ok"] else 1


if __name__ == "__main__":
    example_main(main)
