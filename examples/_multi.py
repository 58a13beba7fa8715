"""What the multi-record examples share (the C examples' EXAMPLE_MULTI_KEY_OPTS and
example_remove_test_records): a key count option, numbered test records and their removal."""
from __future__ import annotations

import argparse
import time
from typing import Any, List, Optional

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
