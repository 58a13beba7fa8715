"""Port of the C client's batch get example: batch exists and get of numbered records,
before and after removing some, batch records (read all bins / selected bins), and the
batch read operate examples: expression reads (bin1 * bin2, bin1 + bin2, bin1 - bin2)
through aerospike_batch_get_ops and per-record operations of aerospike_batch_read."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

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


BIN1, BIN2, BIN3 = "bin1", "bin2", "bin3"


def op_insert_records(as_: Any, args: Any, size: int) -> None:
    """Records 1..size: bin1 = k, bin2 = k + 10, bin3 = [k * i for i in range(k)]."""
    for k in range(1, size + 1):
        rec = asc.as_record_init(3)
        asc.as_record_set_int64(rec, BIN1, k)
        asc.as_record_set_int64(rec, BIN2, k + 10)
        asc.as_record_set_list(rec, BIN3, [k * i for i in range(k)])
        asc.aerospike_key_put(as_, None, asc.as_key_init_int64(args.namespace, args.set, k), rec)
        asc.as_record_destroy(rec)


def batch_read_operate_cb(results: List[Any], n: int, udata: Any) -> bool:
    for r in results:
        if r.result == asc.AEROSPIKE_OK:
            value = r.record.bins.get("result", -1)
            LOG("Result[%d]: %d", r.key[2], value)
            udata[r.key[2]] = value
        elif r.result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
            LOG("Result[%d]: not found", r.key[2])
        else:
            LOG("Result[%d]: error %d", r.key[2], r.result)
    return True


def batch_read_operate(as_: Any, args: Any) -> Dict[int, int]:
    LOG("batch_read_operate begin")
    size = 8
    op_insert_records(as_, args, size)
    batch = asc.as_batch_init(size)
    for i in range(size):
        batch[i] = asc.as_key_init_int64(args.namespace, args.set, i + 1)
    exp = asc.as_exp_build(asc.as_exp_mul(asc.as_exp_bin_int(BIN1), asc.as_exp_bin_int(BIN2)))
    ops = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops, "result", exp, asc.AS_EXP_READ_DEFAULT)
    found: Dict[int, int] = {}
    asc.aerospike_batch_get_ops(as_, None, batch, ops, batch_read_operate_cb, found)
    asc.as_operations_destroy(ops)
    asc.as_exp_destroy(exp)
    asc.as_batch_destroy(batch)
    LOG("batch_read_operate end")
    return found


def batch_read_operate_complex(as_: Any, args: Any) -> List[Any]:
    LOG("batch_read_operate_complex begin")
    exp1 = asc.as_exp_build(asc.as_exp_mul(asc.as_exp_bin_int(BIN1), asc.as_exp_bin_int(BIN2)))
    exp2 = asc.as_exp_build(asc.as_exp_add(asc.as_exp_bin_int(BIN1), asc.as_exp_bin_int(BIN2)))
    exp3 = asc.as_exp_build(asc.as_exp_sub(asc.as_exp_bin_int(BIN1), asc.as_exp_bin_int(BIN2)))
    ops1 = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops1, "result1", exp1, asc.AS_EXP_READ_DEFAULT)
    ops2 = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops2, "result1", exp2, asc.AS_EXP_READ_DEFAULT)
    ops3 = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops3, "result1", exp3, asc.AS_EXP_READ_DEFAULT)
    ops4 = asc.as_operations_init(2)
    asc.as_operations_exp_read(ops4, "result1", exp2, asc.AS_EXP_READ_DEFAULT)
    asc.as_operations_exp_read(ops4, "result2", exp3, asc.AS_EXP_READ_DEFAULT)
    records = asc.as_batch_records_init(5)
    for k, ops in ((1, ops1), (2, ops1), (3, ops2), (4, ops3), (5, ops4)):
        r = asc.as_batch_read_reserve(records)
        r.key = (args.namespace, args.set, k)
        r.ops = ops
    asc.aerospike_batch_read(as_, None, records)
    results = []
    for r in (records[i] for i in range(len(records))):  # records.list, in C
        k = r.key[2]
        if r.result == asc.AEROSPIKE_OK:
            bins = r.record.bins
            LOG("Result[%d]: %s, %s", k, bins.get("result1"), bins.get("result2"))
            results.append((k, bins.get("result1"), bins.get("result2")))
        elif r.result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
            LOG("Result[%d]: not found", k)
        else:
            LOG("Result[%d]: error %d", k, r.result)
    for ops in (ops1, ops2, ops3, ops4):
        asc.as_operations_destroy(ops)
    for exp in (exp1, exp2, exp3):
        asc.as_exp_destroy(exp)
    asc.as_batch_records_destroy(records)
    LOG("batch_read_operate_complex end")
    return results


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

        products = batch_read_operate(as_, args)
        if products != {k: k * (k + 10) for k in range(1, 9)}:
            return 1
        if batch_read_operate_complex(as_, args) != [
                (1, 11, None), (2, 24, None), (3, 16, None), (4, -10, None), (5, 20, -10)]:
            return 1
        remove_records(as_, args)
    LOG("batch get example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
