"""Check a record's existence and read only its metadata (aerospike_key_exists), as the C
client's get example does at its end."""
from __future__ import annotations

from typing import List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main, parse_args, remove_test_record, \
    test_key


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("exists example", argv)
    with example_cluster(args) as as_:
        key = test_key(args)
        remove_test_record(as_, key)

        try:
            asc.aerospike_key_exists(as_, None, key)
            LOG("aerospike_key_exists() found a record that should not exist")
            return 1
        except asc.RecordNotFoundError:
            LOG("existence check (non-existent record) failed as expected")

        rec = asc.as_record_init(1)
        asc.as_record_set_int64(rec, "test-bin", 1234)
        rec.ttl = 300
        asc.aerospike_key_put(as_, None, key, rec)
        LOG("write succeeded")

        meta = asc.aerospike_key_exists(as_, None, key)
        LOG("existence check found record metadata:")
        dump_record(meta)
        if meta.gen != 1 or asc.as_record_numbins(meta) != 0:
            return 1
    LOG("exists example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
