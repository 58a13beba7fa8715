"""Remove a record (aerospike_key_remove), then show that it is gone."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, parse_args, read_test_record, \
    remove_test_record, test_key


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("remove example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        rec = asc.as_record_init(1)
        asc.as_record_set_str(rec, "test-bin", "test-bin-data")
        asc.aerospike_key_put(as_, None, key, rec)
        LOG("write succeeded")
        read_test_record(as_, key)

        asc.aerospike_key_remove(as_, None, key)
        LOG("remove succeeded")

        try:
            asc.aerospike_key_get(as_, None, key)
            LOG("the removed record is still there")
            return 1
        except asc.RecordNotFoundError:
            LOG("get (removed record) failed as expected")

        # Removing again: C returns AEROSPIKE_ERR_RECORD_NOT_FOUND.
        try:
            asc.aerospike_key_remove(as_, None, key)
            return 1
        except asc.RecordNotFoundError as err:
            LOG("second remove failed as expected: %d - %s", err.code, err.message)
    LOG("remove example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
