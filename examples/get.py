"""Port of the C client's get example: get a missing record, get all bins, select bins, check
the record exists (metadata only)."""
from __future__ import annotations

import time
from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main, parse_args, remove_test_record, \
    test_key


def write_record(as_, key) -> None:
    rec = asc.as_record_init(4)
    asc.as_record_set_int64(rec, "test-bin-1", 1111)
    asc.as_record_set_int64(rec, "test-bin-2", 2222)
    asc.as_record_set_str(rec, "test-bin-3", "test-bin-3-data")
    asc.as_record_set_raw(rec, "test-bin-4", bytes([1, 2, 3]), 3)
    LOG("as_record object to write to database:")
    dump_record(rec)
    asc.aerospike_key_put(as_, None, key, rec)
    LOG("write succeeded")


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("get example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        try:
            asc.aerospike_key_get(as_, None, key)
            LOG("aerospike_key_get() succeeded, expected AEROSPIKE_ERR_RECORD_NOT_FOUND")
            return 1
        except asc.RecordNotFoundError:
            LOG("get (non-existent record) failed as expected")

        write_record(as_, key)

        rec = asc.aerospike_key_get(as_, None, key)
        LOG("record was successfully read from database:")
        dump_record(rec)
        asc.as_record_destroy(rec)

        rec = asc.aerospike_key_select(as_, None, key, ["test-bin-1", "test-bin-3"])
        LOG("bins 1 and 3 were read from database:")
        dump_record(rec)
        if sorted(rec.to_python().bins) != ["test-bin-1", "test-bin-3"]:
            return 1

        rec = asc.aerospike_key_select(as_, None, key, ["test-bin-5"])
        LOG("non-existent bin 5 was read from database:")
        dump_record(rec)
        if rec.to_python().bins:
            return 1

        LOG("waiting 2 seconds ...")
        time.sleep(2)  # as_sleep(2000)

        rec = asc.aerospike_key_exists(as_, None, key)
        LOG("existence check found record metadata:")
        dump_record(rec)
        if rec.gen != 1:
            return 1
    LOG("get example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
