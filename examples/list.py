"""Port of the C client's list example: append ten values, pop the last, insert it first."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, parse_args, read_test_record, \
    remove_test_record, test_key


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("list example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        LOG("append 10 values from 0 to 9")
        for i in range(10):
            ops = asc.as_operations_init(1)
            asc.as_operations_add_list_append_int64(ops, "test-bin-1", i)
            asc.aerospike_key_operate(as_, None, key, ops)
            asc.as_operations_destroy(ops)
        read_test_record(as_, key)
        LOG("append operations succeeded")

        LOG("pop from the tail (index -1)")
        ops = asc.as_operations_init(1)
        asc.as_operations_add_list_pop(ops, "test-bin-1", -1)
        rec = asc.aerospike_key_operate(as_, None, key, ops)
        asc.as_operations_destroy(ops)
        LOG("pop operation succeeded")

        LOG("insert popped value at the head (index 0)")
        popped = asc.as_record_get(rec, "test-bin-1")
        ops = asc.as_operations_init(1)
        asc.as_operations_add_list_insert(ops, "test-bin-1", 0, popped)
        asc.aerospike_key_operate(as_, None, key, ops)
        asc.as_record_destroy(rec)
        asc.as_operations_destroy(ops)
        LOG("insert operation succeeded")
        final = read_test_record(as_, key)
        if asc.as_record_get_list(final, "test-bin-1") != [9, 0, 1, 2, 3, 4, 5, 6, 7, 8]:
            return 1
    LOG("list example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
