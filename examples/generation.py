"""Port of the C client's generation example: writes that check the record's generation."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main, parse_args, remove_test_record, \
    test_key

TEST_BIN = "test-bin"


def read_generation(as_, key) -> int:
    rec = asc.aerospike_key_get(as_, None, key)
    LOG("record was successfully read from database:")
    dump_record(rec)
    return rec.gen


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("generation example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        rec = asc.as_record_init(1)
        asc.as_record_set_int64(rec, TEST_BIN, 1001)
        LOG("as_record object to write to database:")
        dump_record(rec)
        asc.aerospike_key_put(as_, None, key, rec)  # a new record: generation 1
        LOG("write succeeded")
        gen = read_generation(as_, key)

        asc.as_record_set_int64(rec, TEST_BIN, 1002)
        rec.gen = gen
        wpol = asc.as_policy_write_init()
        wpol.gen = asc.AS_POLICY_GEN_EQ  # succeed only if the generations match
        LOG("as_record object to write to database:")
        dump_record(rec)
        asc.aerospike_key_put(as_, wpol, key, rec)
        LOG("re-write requiring generation = %u succeeded", rec.gen)
        gen = read_generation(as_, key)

        asc.as_record_set_int64(rec, TEST_BIN, 1003)
        rec.gen = gen + 10
        LOG("as_record object to write to database:")
        dump_record(rec)
        try:
            asc.aerospike_key_put(as_, wpol, key, rec)
            LOG("aerospike_key_put() succeeded, expected AEROSPIKE_ERR_RECORD_GENERATION")
            return 1
        except asc.RecordGenerationError:
            LOG("re-write requiring generation = %u failed as expected", rec.gen)

        wpol.gen = asc.AS_POLICY_GEN_GT  # succeed if ours is greater than the record's
        asc.aerospike_key_put(as_, wpol, key, rec)
        LOG("re-write requiring generation < %u succeeded", rec.gen)
        if read_generation(as_, key) != gen + 1:
            return 1
    LOG("generation example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
