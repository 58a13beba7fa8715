"""Port of the C client's scan_examples/background: register a Lua module, run its record UDF
on every record of the set as a background scan job, poll the job (aerospike_scan_info)
until it is done, read the records again, remove the module."""
from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main, registered_udf
from _multi import insert_records, parse_multi_key_args, remove_records

UDF_FILE = Path(__file__).resolve().parent / "lua" / "bg_scan_udf.lua"
UDF_MODULE = "bg_scan_udf"


def read_values(as_, args) -> List[int]:
    values = [asc.aerospike_key_get(as_, None, asc.as_key_init_int64(args.namespace, args.set, i))
              .to_python().bins["test-bin"] for i in range(args.keys)]
    LOG("read %u records: test-bin %s", len(values), values)
    return values


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("background scan example", argv)
    with example_cluster(args) as as_:
        remove_records(as_, args)
        with registered_udf(as_, UDF_FILE):
            insert_records(as_, args)
            read_values(as_, args)

            scan = asc.as_scan_init(args.namespace, args.set)
            asc.as_scan_apply_each(scan, UDF_MODULE, "test_bin_add_1000", None)
            scan_id = asc.aerospike_scan_background(as_, None, scan, 0)
            LOG("started background scan %u ...", scan_id)
            while True:
                time.sleep(0.5)
                info = asc.aerospike_scan_info(as_, None, scan_id)
                LOG("scan status: %d, progress pct: %u, records scanned: %u",
                    info.status, info.progress_pct, info.records_scanned)
                if info.status != asc.AS_SCAN_STATUS_INPROGRESS:
                    break
            LOG("... finished background scan")
            values = read_values(as_, args)
            remove_records(as_, args)
            if values != [i + 1000 for i in range(args.keys)]:
                return 1
    LOG("background scan example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
