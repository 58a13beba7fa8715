"""Port of the C client's standard scan example: scan a set, then scan it again reading one bin,
counting records in the callback (which may stop the scan by returning False)."""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main
from _multi import insert_records, parse_multi_key_args, remove_records


def scan_cb(record: Any, udata: List[Any]) -> bool:
    """Called once per record, then once with None when the scan is complete."""
    if record is None:
        LOG("scan callback returned null - scan is complete")
        return True
    udata.append(record)
    return True


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("scan example", argv)
    with example_cluster(args) as as_:
        remove_records(as_, args)
        insert_records(as_, args)

        scan = asc.as_scan_init(args.namespace, args.set)
        LOG("starting scan all ...")
        records: List[Any] = []
        asc.aerospike_scan_foreach(as_, None, scan, scan_cb, records)
        LOG("... scan all completed: %u records", len(records))
        if sorted(r.bins["test-bin"] for r in records) != list(range(args.keys)):
            return 1

        asc.as_scan_select_init(scan, 1)
        asc.as_scan_select(scan, "test-bin")
        asc.as_scan_set_concurrent(scan, True)   # nodes in parallel; callbacks one at a time
        LOG("starting concurrent scan with select ...")
        records.clear()
        asc.aerospike_scan_foreach(as_, None, scan, scan_cb, records)
        LOG("... scan with select completed: %u records", len(records))
        asc.as_scan_destroy(scan)
        if len(records) != args.keys:
            return 1
        remove_records(as_, args)
    LOG("scan example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
