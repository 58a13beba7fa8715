"""Port of the C client's basic_examples/expire: write a record with a 5 s TTL, see it
exist, wait past its expiration, see it gone."""
from __future__ import annotations

import time
from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main, parse_args, remove_test_record, \
    test_key

TEST_TTL = 5


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("expire example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)

        # Start clean.
        remove_test_record(as_, key)

        # Create an as_record object with one (integer value) bin.
        rec = asc.as_record_inita(1)
        asc.as_record_set_int64(rec, "test-bin", 1234)

        # Set the TTL of the record so that it won't last very long.
        rec.ttl = TEST_TTL

        # Log its contents.
        LOG("as_record object to write to database:")
        dump_record(rec)

        # Write the record to the database.
        asc.aerospike_key_put(as_, None, key, rec)
        LOG("write succeeded")

        # Check that the record is in the database.
        p_rec = asc.aerospike_key_exists(as_, None, key)
        LOG("verified record is in database")
        asc.as_record_destroy(p_rec)

        # Wait until past its specified expiration.
        LOG("waiting %u seconds for record to expire ...", TEST_TTL + 1)
        time.sleep(TEST_TTL + 1)  # as_sleep((TEST_TTL + 1) * 1000)

        # Check that it's no longer in the database.
        try:
            asc.aerospike_key_exists(as_, None, key)
            LOG("aerospike_key_exists() found the record, expected AEROSPIKE_ERR_RECORD_NOT_FOUND")
            return 1
        except asc.RecordNotFoundError:
            pass
        LOG("verified record successfully expired")
    LOG("expire example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
