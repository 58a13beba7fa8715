"""Port of the C client's touch example: reset a record's TTL with a touch operation."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_operations, dump_record, example_cluster, example_main, parse_args, \
    read_test_record, remove_test_record, test_key


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("touch example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        rec = asc.as_record_init(1)
        asc.as_record_set_int64(rec, "test-bin", 1234)
        rec.ttl = 60  # last a minute
        LOG("as_record object to write to database:")
        dump_record(rec)
        asc.aerospike_key_put(as_, None, key, rec)
        LOG("write succeeded")
        read_test_record(as_, key)

        ops = asc.as_operations_init(1)
        asc.as_operations_add_touch(ops)
        ops.ttl = 120  # last two minutes
        LOG("as_operations object to apply to database:")
        dump_operations(ops)
        asc.aerospike_key_operate(as_, None, key, ops)
        LOG("operation succeeded")
        touched = read_test_record(as_, key)
        if not 60 < touched.ttl <= 120 or touched.gen != 2:
            return 1
    LOG("touch example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
