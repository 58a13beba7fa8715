"""Port of the C client's incr example: integer increments, and one on a string bin."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_operations, dump_record, example_cluster, example_main, parse_args, \
    read_test_record, remove_test_record, test_key


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("incr example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        ops = asc.as_operations_init(2)  # creates the record and its bins
        asc.as_operations_add_incr(ops, "test-bin-1", 1001)
        asc.as_operations_add_incr(ops, "test-bin-2", 1002)
        LOG("as_operations object to apply to database:")
        dump_operations(ops)
        asc.aerospike_key_operate(as_, None, key, ops)
        LOG("operations succeeded")
        read_test_record(as_, key)

        ops = asc.as_operations_init(3)
        asc.as_operations_add_incr(ops, "test-bin-1", 1)
        asc.as_operations_add_incr(ops, "test-bin-2", -2)
        asc.as_operations_add_incr(ops, "test-bin-3", 3)
        LOG("as_operations object to apply to database:")
        dump_operations(ops)
        asc.aerospike_key_operate(as_, None, key, ops)
        LOG("operations succeeded")
        read_test_record(as_, key)

        rec = asc.as_record_init(1)
        asc.as_record_set_str(rec, "test-bin-1", "test-bin-1-data")
        LOG("as_record object to write to database:")
        dump_record(rec)
        asc.aerospike_key_put(as_, None, key, rec)
        LOG("write succeeded")
        read_test_record(as_, key)

        LOG("as_operations object to apply to database:")
        dump_operations(ops)
        try:
            asc.aerospike_key_operate(as_, None, key, ops)  # test-bin-1 is a string now
            LOG("aerospike_key_operate() succeeded, expected AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE")
            return 1
        except asc.BinIncompatibleTypeError:
            LOG("operations failed as expected")
        read_test_record(as_, key)

        ops = asc.as_operations_init(2)
        asc.as_operations_add_incr(ops, "test-bin-3", 1)
        asc.as_operations_add_read(ops, "test-bin-3")
        LOG("as_operations object to apply to database:")
        dump_operations(ops)
        rec = asc.aerospike_key_operate(as_, None, key, ops)
        LOG("operations succeeded")
        dump_record(rec)
        if asc.as_record_get_int64(rec, "test-bin-3", 0) != 4:
            return 1
        read_test_record(as_, key)
    LOG("incr example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
