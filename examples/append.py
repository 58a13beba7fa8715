"""Port of the C client's append example: append and prepend strings and bytes."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_operations, example_cluster, example_main, parse_args, read_test_record, \
    remove_test_record, test_key


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("append example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        ops = asc.as_operations_init(3)  # creates the record and its bins
        asc.as_operations_add_append_str(ops, "test-bin-1", "John")
        asc.as_operations_add_prepend_str(ops, "test-bin-2", "Washington")
        asc.as_operations_add_append_raw(ops, "test-bin-3", b"123", 3)
        LOG("as_operations object to apply to database:")
        dump_operations(ops)
        asc.aerospike_key_operate(as_, None, key, ops)
        LOG("operations succeeded")
        read_test_record(as_, key)

        ops = asc.as_operations_init(3)
        asc.as_operations_add_append_str(ops, "test-bin-1", " Hancock")
        asc.as_operations_add_prepend_str(ops, "test-bin-2", "George ")
        asc.as_operations_add_append_raw(ops, "test-bin-3", b"456", 3)
        LOG("as_operations object to apply to database:")
        dump_operations(ops)
        asc.aerospike_key_operate(as_, None, key, ops)
        LOG("operations succeeded")
        rec = read_test_record(as_, key)
        if (asc.as_record_get_str(rec, "test-bin-1"), asc.as_record_get_str(rec, "test-bin-2"),
                asc.as_record_get_bytes(rec, "test-bin-3")) != ("John Hancock", "George Washington", b"123456"):
            return 1

        ops = asc.as_operations_init(2)
        asc.as_operations_add_prepend_str(ops, "test-bin-2", "President ")
        asc.as_operations_add_append_str(ops, "test-bin-3", "789")  # a string onto bytes
        LOG("as_operations object to apply to database:")
        dump_operations(ops)
        try:
            asc.aerospike_key_operate(as_, None, key, ops)
            LOG("aerospike_key_operate() succeeded, expected AEROSPIKE_ERR_BIN_INCOMPATIBLE_TYPE")
            return 1
        except asc.BinIncompatibleTypeError:
            LOG("operations failed as expected")
        read_test_record(as_, key)
    LOG("append example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
