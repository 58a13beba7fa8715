"""Port of the C client's batch_examples/get: batch exists and batch get of the numbered
records, before and after removing some of them; then batch_read_complex (batch records with
string keys, some reading all bins, some one bin, one a missing key), batch_read_operate and
batch_read_operate_complex (expression reads), batch_read_list_operate and
batch_write_list_operate (list operations), and batch_write_operate_complex (a write, reads,
an expression write and a remove in one aerospike_batch_write).

One difference from C: C's record keeps each operation's result as its own bin, so two
operations on bin3 give two bins named bin3 (the C callbacks read them by position); the
Record a batch result holds keeps one value per bin name, the last operation's.
"""
from __future__ import annotations

import argparse
from typing import Any, List, Optional, Tuple

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main
from _multi import parse_multi_key_args, remove_records

bin1, bin2, bin3, bin4 = "bin1", "bin2", "bin3", "bin4"
result1, result2 = "result1", "result2"


def batch_read_cb(results: List[Any], n: int, udata: Any) -> bool:
    LOG("batch read callback returned %u/%u record results:", n, udata["keys"])
    n_found = 0
    for i, result in enumerate(results):
        LOG("index %u, key %d:", i, result.key[2])
        if result.result == asc.AEROSPIKE_OK:
            LOG("  AEROSPIKE_OK")
            dump_record(result.record)
            n_found += 1
        elif result.result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
            LOG("  AEROSPIKE_ERR_RECORD_NOT_FOUND")
        else:
            LOG("  error %d", result.result)
    LOG("... found %u/%u records", n_found, n)
    udata["found"].append(n_found)
    return True


def insert_records(as_: Any, args: argparse.Namespace) -> None:
    rec = asc.as_record_init(1)
    for i in range(args.keys):
        asc.as_record_set_int64(rec, bin1, i)
        asc.aerospike_key_put(as_, None, asc.as_key_init_int64(args.namespace, args.set, i), rec)
    LOG("insert succeeded")


def insert_string_records(as_: Any, args: argparse.Namespace) -> None:
    rec = asc.as_record_init(1)
    for i in range(1, 9):
        key = asc.as_key_init_strp(args.namespace, args.set, f"k{i}", False)
        asc.as_record_set_strp(rec, bin1, f"v{i}", False)
        asc.aerospike_key_put(as_, None, key, rec)


def delete_string_records(as_: Any, args: argparse.Namespace) -> None:
    for i in range(1, 9):
        asc.aerospike_key_remove(as_, None, asc.as_key_init_strp(args.namespace, args.set,
                                                                 f"k{i}", False))


def batch_read_complex(as_: Any, args: argparse.Namespace) -> List[str]:
    """Batch records: read bin1 of k1 and k7, all bins of k2, k3, k5, k6, no bins of k4, bin
    binnotfound of k8, and bin1 of keynotfound."""
    LOG("batch_read_complex begin")
    insert_string_records(as_, args)
    bin_names = [bin1]
    records = asc.as_batch_records_init(9)
    for i, what in ((1, "bin1"), (2, "all"), (3, "all"), (4, "none"), (5, "all"), (6, "all"),
                    (7, "bin1"), (8, "binnotfound")):
        r = asc.as_batch_read_reserve(records)
        r.key = (args.namespace, args.set, f"k{i}")  # C: set_string_key(r, kbuf, i)
        if what == "bin1":
            r.bin_names = bin_names
        elif what == "binnotfound":
            r.bin_names = ["binnotfound"]
        else:
            r.read_all_bins = what == "all"
    r = asc.as_batch_read_reserve(records)
    r.key = (args.namespace, args.set, "keynotfound")
    r.bin_names = bin_names
    asc.aerospike_batch_read(as_, None, records)

    lines = []
    for i in range(len(records)):  # C: as_vector_get(&records.list, i)
        r = records[i]
        key = r.key[2]
        if r.result == asc.AEROSPIKE_OK:
            val = r.record.bins.get(bin1)  # C: as_record_get_str(&r->record, bin1)
            if isinstance(val, str):
                lines.append(f"key {key}: {val}")
            else:
                lines.append(f"key {key}: exists but bin not requested or bin was not found")
        elif r.result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
            lines.append(f"key {key}: not found")
        else:
            lines.append(f"key {key} error: {r.result}")
        LOG("%s", lines[-1])
    asc.as_batch_records_destroy(records)
    delete_string_records(as_, args)
    LOG("batch_read_complex end")
    return lines


def op_insert_record(as_: Any, args: argparse.Namespace, val: int) -> None:
    rec = asc.as_record_init(3)
    asc.as_record_set_int64(rec, bin1, val)
    asc.as_record_set_int64(rec, bin2, val + 10)
    asc.as_record_set_list(rec, bin3, [val * i for i in range(val)])
    asc.aerospike_key_put(as_, None, asc.as_key_init_int64(args.namespace, args.set, val), rec)
    asc.as_record_destroy(rec)


def op_insert_records(as_: Any, args: argparse.Namespace, size: int) -> None:
    for i in range(1, size + 1):
        op_insert_record(as_, args, i)


def results_cb(*names: str) -> Any:
    """batch_read_operate_cb (one value: "result"), batch_list_operate_cb and
    batch_list_write_cb (bin3's last result): "Result[k]: v" per key, into udata."""
    def callback(results: List[Any], n: int, udata: List[Tuple[int, Any]]) -> bool:
        for r in results:
            k = r.key[2]
            if r.result == asc.AEROSPIKE_OK:
                values = tuple(r.record.bins.get(name, -1) for name in names)
                LOG("Result[%d]: %s", k, ", ".join(str(v) for v in values))
                udata.append((k, values[0] if len(values) == 1 else values))
            elif r.result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
                LOG("Result[%d]: not found", k)
            else:
                LOG("Result[%d]: error %d", k, r.result)
        return True
    return callback


batch_read_operate_cb = results_cb("result")
batch_list_operate_cb = results_cb(bin3)  # C: results[0] (size), results[1] (last)
batch_list_write_cb = results_cb(bin3)  # C: results[1] (size), results[2] (last)


def numbered_batch(args: argparse.Namespace, size: int) -> Any:
    batch = asc.as_batch_init(size)
    for i in range(size):
        batch[i] = asc.as_key_init_int64(args.namespace, args.set, i + 1)
    return batch


def batch_read_operate(as_: Any, args: argparse.Namespace) -> List[Tuple[int, Any]]:
    LOG("batch_read_operate begin")
    size = 8
    op_insert_records(as_, args, size)
    batch = numbered_batch(args, size)
    exp = asc.as_exp_build(asc.as_exp_mul(asc.as_exp_bin_int(bin1), asc.as_exp_bin_int(bin2)))
    ops = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops, "result", exp, asc.AS_EXP_READ_DEFAULT)
    found: List[Tuple[int, Any]] = []
    asc.aerospike_batch_get_ops(as_, None, batch, ops, batch_read_operate_cb, found)
    asc.as_operations_destroy(ops)
    asc.as_exp_destroy(exp)
    LOG("batch_read_operate end")
    return found


def log_results(records: Any) -> List[Tuple[int, Any, Any]]:
    """The loops over records.list of the two *_operate_complex functions."""
    results = []
    for i in range(len(records)):
        r = records[i]
        k = r.key[2]
        if r.result == asc.AEROSPIKE_OK:
            v1 = r.record.bins.get(result1)  # C: as_record_get_integer(&r->record, result1)
            v2 = r.record.bins.get(result2)
            LOG("Result[%d]: %s, %s", k, "null" if v1 is None else v1, "null" if v2 is None else v2)
            results.append((k, v1, v2))
        elif r.result == asc.AEROSPIKE_ERR_RECORD_NOT_FOUND:
            LOG("Result[%d]: not found", k)
        else:
            LOG("Result[%d]: error %d", k, r.result)
    return results


def batch_read_operate_complex(as_: Any, args: argparse.Namespace) -> List[Tuple[int, Any, Any]]:
    LOG("batch_read_operate_complex begin")
    exp1 = asc.as_exp_build(asc.as_exp_mul(asc.as_exp_bin_int(bin1), asc.as_exp_bin_int(bin2)))
    exp2 = asc.as_exp_build(asc.as_exp_add(asc.as_exp_bin_int(bin1), asc.as_exp_bin_int(bin2)))
    exp3 = asc.as_exp_build(asc.as_exp_sub(asc.as_exp_bin_int(bin1), asc.as_exp_bin_int(bin2)))
    ops1 = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops1, result1, exp1, asc.AS_EXP_READ_DEFAULT)
    ops2 = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops2, result1, exp2, asc.AS_EXP_READ_DEFAULT)
    ops3 = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops3, result1, exp3, asc.AS_EXP_READ_DEFAULT)
    ops4 = asc.as_operations_init(2)
    asc.as_operations_exp_read(ops4, result1, exp2, asc.AS_EXP_READ_DEFAULT)
    asc.as_operations_exp_read(ops4, result2, exp3, asc.AS_EXP_READ_DEFAULT)
    records = asc.as_batch_records_init(5)
    for k, ops in ((1, ops1), (2, ops1), (3, ops2), (4, ops3), (5, ops4)):
        r = asc.as_batch_read_reserve(records)
        r.key = (args.namespace, args.set, k)
        r.ops = ops
    asc.aerospike_batch_read(as_, None, records)
    results = log_results(records)
    for ops in (ops1, ops2, ops3, ops4):
        asc.as_operations_destroy(ops)
    for exp in (exp1, exp2, exp3):
        asc.as_exp_destroy(exp)
    asc.as_batch_records_destroy(records)
    LOG("batch_read_operate_complex end")
    return results


def batch_read_list_operate(as_: Any, args: argparse.Namespace) -> List[Tuple[int, Any]]:
    LOG("batch_read_list_operate begin")
    batch = numbered_batch(args, 8)
    ops = asc.as_operations_init(2)
    asc.as_operations_list_size(ops, bin3, None)
    asc.as_operations_list_get_by_index(ops, bin3, None, -1, asc.AS_LIST_RETURN_VALUE)
    found: List[Tuple[int, Any]] = []
    asc.aerospike_batch_get_ops(as_, None, batch, ops, batch_list_operate_cb, found)
    asc.as_operations_destroy(ops)
    LOG("batch_read_list_operate end")
    return found


def batch_write_list_operate(as_: Any, args: argparse.Namespace) -> List[Tuple[int, Any]]:
    LOG("batch_write_list_operate begin")
    batch = numbered_batch(args, 8)
    # Add integer to list and get size and last element of list bin for all records.
    ops = asc.as_operations_init(3)
    asc.as_operations_list_append(ops, bin3, None, None, 999)
    asc.as_operations_list_size(ops, bin3, None)
    asc.as_operations_list_get_by_index(ops, bin3, None, -1, asc.AS_LIST_RETURN_VALUE)
    found: List[Tuple[int, Any]] = []
    asc.aerospike_batch_operate(as_, None, None, batch, ops, batch_list_write_cb, found)
    asc.as_operations_destroy(ops)
    LOG("batch_write_list_operate end")
    return found


def batch_write_operate_complex(as_: Any, args: argparse.Namespace) -> List[Tuple[int, Any, Any]]:
    LOG("batch_write_operate_complex begin")
    wexp1 = asc.as_exp_build(asc.as_exp_add(asc.as_exp_bin_int(bin1), asc.as_exp_bin_int(bin2),
                                            asc.as_exp_int(1000)))
    rexp1 = asc.as_exp_build(asc.as_exp_mul(asc.as_exp_bin_int(bin1), asc.as_exp_bin_int(bin2)))
    rexp2 = asc.as_exp_build(asc.as_exp_add(asc.as_exp_bin_int(bin1), asc.as_exp_bin_int(bin2)))
    rexp3 = asc.as_exp_build(asc.as_exp_sub(asc.as_exp_bin_int(bin1), asc.as_exp_bin_int(bin2)))
    ops1 = asc.as_operations_init(2)
    asc.as_operations_add_write_int64(ops1, bin4, 100)
    asc.as_operations_exp_read(ops1, result1, rexp1, asc.AS_EXP_READ_DEFAULT)
    ops2 = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops2, result1, rexp1, asc.AS_EXP_READ_DEFAULT)
    ops3 = asc.as_operations_init(1)
    asc.as_operations_exp_read(ops3, result1, rexp2, asc.AS_EXP_READ_DEFAULT)
    ops4 = asc.as_operations_init(2)
    asc.as_operations_exp_write(ops4, bin1, wexp1, asc.AS_EXP_WRITE_DEFAULT)
    asc.as_operations_exp_read(ops4, result1, rexp3, asc.AS_EXP_READ_DEFAULT)
    ops5 = asc.as_operations_init(2)
    asc.as_operations_exp_read(ops5, result1, rexp2, asc.AS_EXP_READ_DEFAULT)
    asc.as_operations_exp_read(ops5, result2, rexp3, asc.AS_EXP_READ_DEFAULT)

    recs = asc.as_batch_records_init(6)
    wr = asc.as_batch_write_reserve(recs)
    wr.key = (args.namespace, args.set, 1)
    wr.ops = ops1
    rr = asc.as_batch_read_reserve(recs)
    rr.key = (args.namespace, args.set, 2)
    rr.ops = ops2
    rr = asc.as_batch_read_reserve(recs)
    rr.key = (args.namespace, args.set, 3)
    rr.ops = ops3
    wr = asc.as_batch_write_reserve(recs)
    wr.key = (args.namespace, args.set, 4)
    wr.ops = ops4
    rr = asc.as_batch_read_reserve(recs)
    rr.key = (args.namespace, args.set, 5)
    rr.ops = ops5
    rm = asc.as_batch_remove_reserve(recs)
    rm_policy = asc.as_policy_batch_remove_init()  # example_init_batch_remove_policy()
    rm.key = (args.namespace, args.set, 6)
    rm.policy = rm_policy
    try:
        asc.aerospike_batch_write(as_, None, recs)
        status = asc.AEROSPIKE_OK
    except asc.AerospikeError as err:  # C goes on to log each record's result
        status = err.code
    for ops in (ops1, ops2, ops3, ops4, ops5):
        asc.as_operations_destroy(ops)
    for exp in (wexp1, rexp1, rexp2, rexp3):
        asc.as_exp_destroy(exp)
    results = log_results(recs)
    asc.as_batch_records_destroy(recs)
    LOG("batch_write_operate_complex end")
    if status != asc.AEROSPIKE_OK:
        LOG("batch_write_operate_complex() returned %d", status)
    return results


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("batch get example", argv)
    with example_cluster(args) as as_:
        # Start clean.
        remove_records(as_, args)
        try:
            insert_records(as_, args)

            batch = asc.as_batch_init(args.keys)
            for i in range(args.keys):
                batch[i] = asc.as_key_init_int64(args.namespace, args.set, i)
            udata: dict = {"keys": args.keys, "found": []}
            asc.aerospike_batch_exists(as_, None, batch, batch_read_cb, udata)
            LOG("batch exists call completed")
            asc.aerospike_batch_get(as_, None, batch, batch_read_cb, udata)
            LOG("batch get call completed")

            # Delete some records in the middle.
            n_to_delete = max(args.keys // 5, 1)
            n_start = args.keys // 2
            if n_start + n_to_delete > args.keys:
                n_start = 0
            n_end = n_start + n_to_delete
            for i in range(n_start, n_end):
                asc.aerospike_key_remove(as_, None,
                                         asc.as_key_init_int64(args.namespace, args.set, i))
            LOG("deleted records %u ... %u", n_start, n_end - 1)

            asc.aerospike_batch_exists(as_, None, batch, batch_read_cb, udata)
            LOG("second batch exists call completed")
            asc.aerospike_batch_get(as_, None, batch, batch_read_cb, udata)
            LOG("second batch get call completed")
            asc.as_batch_destroy(batch)

            complex_lines = batch_read_complex(as_, args)
            products = batch_read_operate(as_, args)
            read_complex = batch_read_operate_complex(as_, args)
            list_reads = batch_read_list_operate(as_, args)
            list_writes = batch_write_list_operate(as_, args)
            write_complex = batch_write_operate_complex(as_, args)
        finally:  # the records 1 .. 8 the operate parts wrote too, whatever -K says
            remove_records(as_, argparse.Namespace(namespace=args.namespace, set=args.set,
                                                   keys=max(args.keys, 9)))

    left = args.keys - n_to_delete
    checks = [
        (udata["found"], [args.keys, args.keys, left, left]),
        (complex_lines, ["key k1: v1", "key k2: v2", "key k3: v3",
                         "key k4: exists but bin not requested or bin was not found",
                         "key k5: v5", "key k6: v6", "key k7: v7",
                         "key k8: exists but bin not requested or bin was not found",
                         "key keynotfound: not found"]),
        (sorted(products), [(k, k * (k + 10)) for k in range(1, 9)]),
        (read_complex, [(1, 11, None), (2, 24, None), (3, 16, None), (4, -10, None),
                        (5, 20, -10)]),
        (sorted(list_reads), [(k, k * (k - 1)) for k in range(1, 9)]),  # the last element
        (sorted(list_writes), [(k, 999) for k in range(1, 9)]),
        # key 4: bin1 = 4 + 14 + 1000 first, then bin1 - bin2; key 6 removed (no bins)
        (write_complex, [(1, 11, None), (2, 24, None), (3, 16, None), (4, 1004, None),
                         (5, 20, -10), (6, None, None)]),
    ]
    for got, expected in checks:
        if got != expected:
            LOG("got %s, expected %s", got, expected)
            return 1
    LOG("batch get example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
