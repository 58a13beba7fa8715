"""Port of the C client's batch get example: batch exists and get of numbered records,
before and after removing some, and batch records (read all bins / selected bins)."""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main
from _multi import insert_records, parse_multi_key_args, remove_records


def batch_read_cb(results: List[Any], n: int, udata: Any) -> bool:
    """Log how many keys were found; remember the found keys in udata."""
    found = 0
    for result in results:
        if result.result == asc.AEROSPIKE_OK:
            found += 1
            udata.append(result.key[2])
        elif result.result != asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
            LOG("batch result for key %r: error %d", result.key[2], result.result)
    LOG("%u of %u keys found", found, n)
    return True


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("batch get example", argv)
    with example_cluster(args) as as_:
        remove_records(as_, args)
        insert_records(as_, args)

        batch = asc.as_batch_init(args.keys)
        for i in range(args.keys):
            batch[i] = asc.as_key_init_int64(args.namespace, args.set, i)

        found: List[int] = []
        asc.aerospike_batch_exists(as_, None, batch, batch_read_cb, found)
        LOG("batch exists call completed")
        found.clear()
        asc.aerospike_batch_get(as_, None, batch, batch_read_cb, found)
        LOG("batch get call completed")
        if sorted(found) != list(range(args.keys)):
            return 1

        n_delete = max(args.keys // 5, 1)
        start = args.keys // 2 if args.keys // 2 + n_delete <= args.keys else 0
        for i in range(start, start + n_delete):
            asc.aerospike_key_remove(as_, None, asc.as_key_init_int64(args.namespace, args.set, i))
        LOG("deleted records %u ... %u", start, start + n_delete - 1)

        found.clear()
        asc.aerospike_batch_get(as_, None, batch, batch_read_cb, found)
        LOG("second batch get call completed")
        if len(found) != args.keys - n_delete:
            return 1
        asc.as_batch_destroy(batch)

        # Batch records: each read has its own bins and its own result.
        records = asc.as_batch_records_init(2)
        every_bin = asc.as_batch_read_reserve(records)
        every_bin.key = (args.namespace, args.set, 0)
        every_bin.read_all_bins = True
        one_bin = asc.as_batch_read_reserve(records)
        one_bin.key = (args.namespace, args.set, args.keys - 1)
        one_bin.bin_names = ["test-bin"]
        asc.aerospike_batch_read(as_, None, records)
        for record in (every_bin, one_bin):
            LOG("batch read of key %r: status %d, bins %r", record.key[2], record.result,
                record.record.bins)
        asc.as_batch_records_destroy(records)
        remove_records(as_, args)
    LOG("batch_get example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
