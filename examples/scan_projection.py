"""Port of the C client's scan projection example: a scan whose operations are expression
reads (as_operations_exp_read of as_exp_bin_int), so each record comes back with the
result bins the expressions computed."""
from __future__ import annotations

from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, example_cluster, example_main
from _multi import parse_multi_key_args, remove_records


def scan_operations_callback(record: Any, udata: List[Any]) -> bool:
    """Called once per record, then once with None when the scan is complete."""
    if record is None:
        LOG("scan callback returned null - scan is complete")
        return True
    LOG("scan callback returned record: %r", record.bins)
    udata.append(record)
    return True


def insert_records(as_: Any, args: Any) -> None:
    """One record, key 0, with test-bin-1 = 0, test-bin-2 = 100, test-bin-3 = 1000."""
    rec = asc.as_record_init(3)
    asc.as_record_set_int64(rec, "test-bin-1", 0)
    asc.as_record_set_int64(rec, "test-bin-2", 100)
    asc.as_record_set_int64(rec, "test-bin-3", 1000)
    asc.aerospike_key_put(as_, asc.as_policy_write_init(),
                          asc.as_key_init_int64(args.namespace, args.set, 0), rec)
    LOG("insert succeeded")


def example_scan_with_expression_read_operations(as_: Any, args: Any) -> List[Any]:
    LOG("--- Scan with Expression Read Operations Example ---")
    scan = asc.as_scan_init(args.namespace, args.set)
    ops = asc.as_operations_init(3)
    exp1 = asc.as_exp_build(asc.as_exp_bin_int("test-bin-1"))
    asc.as_operations_exp_read(ops, "result-bin-1", exp1, asc.AS_EXP_READ_DEFAULT)
    exp2 = asc.as_exp_build(asc.as_exp_bin_int("test-bin-2"))
    asc.as_operations_exp_read(ops, "result-bin-2", exp2, asc.AS_EXP_READ_DEFAULT)
    exp3 = asc.as_exp_build(asc.as_exp_bin_int("test-bin-3"))
    asc.as_operations_exp_read(ops, "result-bin-3", exp3, asc.AS_EXP_READ_DEFAULT)
    scan.ops = ops
    LOG("Executing scan with expression read operations...")
    records: List[Any] = []
    asc.aerospike_scan_foreach(as_, None, scan, scan_operations_callback, records)
    LOG("Scan with expression read operations completed successfully.")
    asc.as_exp_destroy(exp1)
    asc.as_exp_destroy(exp2)
    asc.as_exp_destroy(exp3)
    asc.as_scan_destroy(scan)
    asc.as_operations_destroy(ops)
    return records


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("scan projection example", argv)
    with example_cluster(args) as as_:
        remove_records(as_, args)
        insert_records(as_, args)
        LOG("Records inserted")
        records = example_scan_with_expression_read_operations(as_, args)
        remove_records(as_, args)
        LOG("Example cleanup completed.")
    if [r.bins for r in records] != [{"result-bin-1": 0, "result-bin-2": 100,
                                      "result-bin-3": 1000}]:
        return 1
    LOG("scan projection example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
