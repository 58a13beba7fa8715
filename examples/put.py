"""Port of the C client's put example: write bins, change them, delete one, create-only."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main, parse_args, read_test_record, \
    remove_test_record, test_key


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("put example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        # An as_record with two bins of different types.
        rec = asc.as_record_init(2)
        asc.as_record_set_int64(rec, "test-bin-1", 1234)
        asc.as_record_set_str(rec, "test-bin-2", "test-bin-2-data")
        LOG("as_record object to write to database:")
        dump_record(rec)
        asc.aerospike_key_put(as_, None, key, rec)
        LOG("write succeeded")
        read_test_record(as_, key)

        # Change test-bin-2's type and value, add test-bin-3; test-bin-1 stays.
        rec = asc.as_record_init(2)
        asc.as_record_set_int64(rec, "test-bin-2", 2222)
        asc.as_record_set_str(rec, "test-bin-3", "test-bin-3-data")
        LOG("as_record object to write to database:")
        dump_record(rec)
        asc.aerospike_key_put(as_, None, key, rec)
        LOG("write succeeded")
        read_test_record(as_, key)

        # A nil bin removes test-bin-3.
        rec = asc.as_record_init(1)
        asc.as_record_set_nil(rec, "test-bin-3")
        LOG("as_record object to write to database:")
        dump_record(rec)
        asc.aerospike_key_put(as_, None, key, rec)
        LOG("write succeeded")
        if asc.as_record_get(read_test_record(as_, key), "test-bin-3") is not None:
            LOG("test-bin-3 was not removed")
            return 1

        # Create only: fails while the record exists.
        rec = asc.as_record_init(1)
        asc.as_record_set_int64(rec, "test-bin-1", 1111)
        wpol = asc.as_policy_write_init()
        wpol.exists = asc.AS_POLICY_EXISTS_CREATE
        LOG("as_record object to create in database:")
        dump_record(rec)
        try:
            asc.aerospike_key_put(as_, wpol, key, rec)
            LOG("aerospike_key_put() succeeded, expected AEROSPIKE_ERR_RECORD_EXISTS")
            return 1
        except asc.RecordExistsError:
            LOG("create failed as expected")

        asc.aerospike_key_remove(as_, None, key)
        LOG("record removed from database, trying create again")
        asc.aerospike_key_put(as_, wpol, key, rec)
        LOG("create succeeded")
        read_test_record(as_, key)
    LOG("put example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
