"""What the multi-record examples share (the C examples' EXAMPLE_MULTI_KEY_OPTS and
example_remove_test_records): a key count option, numbered test records and their removal."""
from __future__ import annotations

import argparse
import time
from typing import Any, Callable, List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, parse_args

DEFAULT_KEYS = 20


def parse_multi_key_args(description: str, argv: Optional[List[str]]) -> argparse.Namespace:
    """The common options plus -K/--keys (how many test records)."""
    def add_keys(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-K", "--keys", type=int, default=DEFAULT_KEYS,
                            help=f"number of test records (default: {DEFAULT_KEYS})")
    args = parse_args(description, argv, add_keys)
    LOG("number of keys: %u", args.keys)
    return args


def insert_records(as_: Any, args: argparse.Namespace) -> None:
    """Write records with integer keys 0 .. keys-1: bin test-bin = the key."""
    for i in range(args.keys):
        rec = asc.as_record_init(1)
        asc.as_record_set_int64(rec, "test-bin", i)
        asc.aerospike_key_put(as_, None, asc.as_key_init_int64(args.namespace, args.set, i), rec)
    LOG("insert succeeded")


def read_test_records(as_: Any, args: argparse.Namespace) -> List[Any]:
    """Read and log each numbered test record (example_read_test_records); returns them."""
    records = []
    for i in range(args.keys):
        rec = asc.aerospike_key_get(as_, None, asc.as_key_init_int64(args.namespace, args.set, i))
        LOG("read record with key %u from database:", i)
        dump_record(rec)
        records.append(rec)
    return records


def remove_index(as_: Any, args: argparse.Namespace, index_name: str) -> None:
    """Remove a secondary index, ignoring errors, "just trying to leave the database as we
    found it" (example_remove_index)."""
    try:
        asc.aerospike_index_remove(as_, None, args.namespace, index_name)
    except asc.AerospikeError:
        pass
    time.sleep(0.1)  # as_sleep(100): wait for the system metadata to spread to all nodes


def insert_records_async(as_: Any, args: argparse.Namespace, inserted: Callable[[Any], None],
                         failed: Callable[[], None], max_commands: int = 100) -> None:
    """The async examples' insert_records(): puts of records 0 .. keys-1 (bin test-bin = the
    key) on one event loop, at most max_commands in flight, each listener starting the next;
    inserted(event_loop) once all are in, failed() on an error."""
    event_loop = asc.as_event_loop_get()  # insert all records on the same event loop
    counter = [0]  # the dispatcher runs listeners one at a time: no atomics needed

    def insert_record(event_loop: Any, index: int) -> bool:
        key = asc.as_key_init_int64(args.namespace, args.set, index)
        rec = asc.as_record_init(1)
        asc.as_record_set_int64(rec, "test-bin", index)
        try:
            asc.aerospike_key_put_async(as_, None, key, rec, insert_listener, counter, event_loop)
        except asc.AerospikeError as err:
            insert_listener(err, counter, event_loop)
            return False
        return True

    def insert_listener(err: Any, udata: List[int], event_loop: Any) -> None:
        if err is not None:
            LOG("aerospike_key_put_async() returned %d - %s", err.code, err.message)
            failed()
            return
        udata[0] += 1
        if udata[0] == args.keys:  # we have reached max number of records
            LOG("inserted %u keys", udata[0])
            inserted(event_loop)
            return
        following = udata[0] + max_commands - 1  # check if we need to insert more records
        if following < args.keys:
            insert_record(event_loop, following)

    for i in range(min(args.keys, max_commands)):  # up to max_commands on the queue at a time
        if not insert_record(event_loop, i):
            break


def remove_records(as_: Any, args: argparse.Namespace) -> None:
    """Remove the numbered test records (one batch; missing ones are fine)."""
    batch = asc.as_batch_init(args.keys)
    for i in range(args.keys):
        batch[i] = (args.namespace, args.set, i)
    try:
        asc.aerospike_batch_remove(as_, None, None, batch, None)
    except asc.BatchFailedError:
        pass  # some records were not there
    asc.as_batch_destroy(batch)
