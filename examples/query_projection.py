"""Port of the C client's query_examples/projection: queries that project bins with read
operations (as_query.ops), with select bins, with a list operation, with the default
respond_all_ops policy, and a background query that increments a bin, read back after.

One difference from the C program: its "vector-bin" is an as_bytes of type AS_BYTES_VECTOR,
which has no Python value; the port writes the same 28 bytes as a blob (the verification
reads the same header and floats).
"""
from __future__ import annotations

import argparse
import struct
from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main, parse_args

N_RECORDS = 5


def query_operations_callback(record: Any, udata: Any) -> bool:
    if record is None:
        LOG("query callback returned null - query is complete")
        return True
    LOG("query callback returned record:")
    LOG("  bins %r", record.bins)
    return True


def respond_all_ops_print_bin(name: str, value: Any) -> None:
    if value is None:
        LOG('  bin "%s": AS_NIL / UNDEF (empty op result - e.g. read of missing bin)', name)
    elif isinstance(value, int):
        LOG('  bin "%s": integer %d', name, value)
    elif isinstance(value, bytes):
        LOG('  bin "%s": raw size=%u (often CDT error wire blob)', name, len(value))
        LOG("    first %u bytes: %s", min(len(value), 48), value[:48].hex(" "))
    else:
        LOG('  bin "%s": %r', name, value)


def query_respond_all_ops_callback(record: Any, udata: Any) -> bool:
    if record is None:
        LOG("respond_all_ops callback: null - query complete")
        return True
    LOG("respond_all_ops row (%u bins, in op order):", len(record.bins))
    for name, value in record.bins.items():  # C: as_record_foreach(rec, print_bin, NULL)
        respond_all_ops_print_bin(name, value)
    return True


def query_foreach(as_: Any, policy: Any, query: Any, callback: Any) -> bool:
    """aerospike_query_foreach(); a failure is logged and ends that part of the example, as
    in C (servers before 8.1.2 take only basic reads as query operations)."""
    try:
        asc.aerospike_query_foreach(as_, policy, query, callback)
        return True
    except asc.AerospikeError as err:
        LOG("aerospike_query_foreach() returned %d - %s", err.code, err.message)
        return False
    finally:
        asc.as_query_destroy(query)


def new_query(args: argparse.Namespace) -> Any:
    query = asc.as_query_init(args.namespace, args.set)
    asc.as_query_where_inita(query, 1)
    asc.as_query_where(query, "test-bin-1", *asc.as_integer_range(0, 10))
    return query


def read_operations(n: int) -> Any:
    ops = asc.as_operations_inita(n)
    if n > 1:
        asc.as_operations_add_read(ops, "test-bin-1")
        asc.as_operations_add_read(ops, "test-bin-2")
        asc.as_operations_add_read(ops, "test-bin-3")
        asc.as_operations_add_read(ops, "missing-bin")
    asc.as_operations_add_list_get_by_index(ops, "list-bin", 0, asc.AS_LIST_RETURN_VALUE)
    return ops


def example_query_with_read_operations(as_: Any, args: argparse.Namespace) -> None:
    LOG("query with read operations")
    query = new_query(args)
    query.ops = read_operations(5)
    query_foreach(as_, None, query, query_respond_all_ops_callback)


def example_query_with_select_bins_read_operations(as_: Any, args: argparse.Namespace) -> None:
    LOG("query with bin projection")
    query = asc.as_query_init(args.namespace, args.set)
    asc.as_query_select_inita(query, 3)
    asc.as_query_select(query, "test-bin-1")
    asc.as_query_select(query, "test-bin-2")
    asc.as_query_select(query, "test-bin-3")
    asc.as_query_where_inita(query, 1)
    asc.as_query_where(query, "test-bin-1", *asc.as_integer_range(0, 10))
    if query_foreach(as_, None, query, query_operations_callback):
        LOG("query with read operations completed")


def example_query_with_expression_read_operations(as_: Any, args: argparse.Namespace) -> None:
    LOG("query with expression read operations")
    query = new_query(args)
    query.ops = read_operations(1)
    if query_foreach(as_, None, query, query_operations_callback):
        LOG("query with expression read operations completed")


def example_query_with_read_ops_respond_all(as_: Any, args: argparse.Namespace) -> None:
    LOG("foreground query with as_query.ops (read) and policy.respond_all_ops = true")
    LOG("  ops: 3x read (existing bins), read missing bin, list-get-by-index on integer bin "
        "(type error)")
    LOG("  expect: one NIL/empty bin for missing-bin; error payload for list op on non-list")
    qpol = asc.as_policy_query_init()
    query = new_query(args)
    query.ops = read_operations(5)
    if query_foreach(as_, qpol, query, query_respond_all_ops_callback):
        LOG("query with read ops and respond_all_ops completed")


def example_query_with_increment_operations(as_: Any, args: argparse.Namespace) -> List[int]:
    LOG("query with increment via background ops, then read back with foreach")
    query = new_query(args)
    print("--- Query with Increment Operations Example ---")
    ops = asc.as_operations_inita(1)
    asc.as_operations_add_incr(ops, "test-bin-3", 1000)
    query.ops = ops
    query_id = asc.aerospike_query_background(as_, None, query)
    asc.aerospike_query_wait(as_, None, query, query_id, 0)
    asc.as_query_destroy(query)

    query = asc.as_query_init(args.namespace, args.set)
    asc.as_query_select_inita(query, 3)
    asc.as_query_select(query, "test-bin-1")
    asc.as_query_select(query, "test-bin-2")
    asc.as_query_select(query, "test-bin-3")
    asc.as_query_where_inita(query, 1)
    asc.as_query_where(query, "test-bin-1", *asc.as_integer_range(0, 10))
    LOG("records after background increment (+1000 on test-bin-3):")
    incremented: List[int] = []

    def callback(record: Any, udata: Any) -> bool:
        if record is not None:
            incremented.append(record.bins["test-bin-3"])
        return query_operations_callback(record, udata)

    if query_foreach(as_, None, query, callback):
        LOG("query with increment operations completed")
    return sorted(incremented)


def vector_blob(i: int) -> bytes:
    """16 bytes of header (magic, version, count, type) and 3 floats, as the C example packs."""
    return struct.pack("<4I3f", 0x56454354, 1, 3, 1, i + 1.0, i + 2.0, i + 3.0)


def insert_records(as_: Any, args: argparse.Namespace) -> None:
    rec = asc.as_record_inita(5)
    for i in range(N_RECORDS):
        wpol = asc.as_policy_write_init()
        key = asc.as_key_init_int64(args.namespace, args.set, i)
        asc.as_record_set_int64(rec, "test-bin-1", i)
        asc.as_record_set_int64(rec, "test-bin-2", 100 + i)
        asc.as_record_set_int64(rec, "test-bin-3", 1000 + i)
        asc.as_record_set_list(rec, "list-bin", [10 + i, 20 + i, 30 + i])
        asc.as_record_set_bytes(rec, "vector-bin", vector_blob(i))  # C: AS_BYTES_VECTOR
        print(f"Inserting record {i} with bins [{i}, {100 + i}, {1000 + i}], list "
              f"[{10 + i},{20 + i},{30 + i}], vector [{i + 1.0:.1f}, {i + 2.0:.1f}, {i + 3.0:.1f}]")
        asc.aerospike_key_put(as_, wpol, key, rec)
    LOG("insert succeeded")


def verify_records(as_: Any, args: argparse.Namespace) -> bool:
    LOG("Verifying inserted records...")
    for i in range(N_RECORDS):
        key = asc.as_key_init_int64(args.namespace, args.set, i)
        p_rec = asc.aerospike_key_get(as_, None, key)
        print(f"\n--- Verifying Record {i} ---")
        val1 = asc.as_record_get_int64(p_rec, "test-bin-1", 0)
        val2 = asc.as_record_get_int64(p_rec, "test-bin-2", 0)
        val3 = asc.as_record_get_int64(p_rec, "test-bin-3", 0)
        lst = asc.as_record_get_list(p_rec, "list-bin")
        vector = asc.as_record_get_bytes(p_rec, "vector-bin")
        if lst is None or vector is None:
            LOG("Missing bins in record %u", i)
            return False
        print(f"Integer bins: {val1}, {val2}, {val3}")
        if (val1, val2, val3) != (i, 100 + i, 1000 + i):
            LOG("Integer bin values don't match expected values for record %u", i)
            return False
        if lst != [10 + i, 20 + i, 30 + i]:
            LOG("list-bin values don't match for record %u", i)
            return False
        print(f"List bin: [{lst[0]}, {lst[1]}, {lst[2]}]")
        print(f"Vector bin: size={len(vector)} bytes")
        if len(vector) < 16:
            LOG("Vector bin too small for record %u", i)
            return False
        magic, version, count, vtype = struct.unpack_from("<4I", vector)
        print(f"Vector header: magic=0x{magic:08x}, version={version}, count={count}, type={vtype}")
        if (magic, version, count, vtype) != (0x56454354, 1, 3, 1):
            LOG("Invalid vector header for record %u", i)
            return False
        data = struct.unpack_from("<3f", vector, 16)
        print(f"Vector data: [{data[0]:.1f}, {data[1]:.1f}, {data[2]:.1f}]")
        print(f"Expected:    [{i + 1.0:.1f}, {i + 2.0:.1f}, {i + 3.0:.1f}]")
        print(f"Record {i} verified successfully")
        asc.as_record_destroy(p_rec)
    LOG("All records verified successfully!")
    return True


def cleanup_example(as_: Any, args: argparse.Namespace, index_name: str) -> None:
    try:
        asc.aerospike_index_remove(as_, None, args.namespace, index_name)
    except asc.AerospikeError:
        pass
    for i in range(N_RECORDS):
        try:
            asc.aerospike_key_remove(as_, None, asc.as_key_init_int64(args.namespace, args.set, i))
        except asc.RecordNotFoundError:
            pass
    LOG("Example cleanup completed.")


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args("query projection example", argv)
    # C names its index "test-bin-1-index"; the port adds the set, so runs never share one.
    index_name = f"{args.set}-test-bin-1-index"
    with example_cluster(args) as as_:
        cleanup_example(as_, args, index_name)
        insert_records(as_, args)
        print("Records inserted")
        try:
            task = asc.aerospike_index_create(as_, None, args.namespace, args.set, "test-bin-1",
                                              index_name, asc.AS_INDEX_INTEGER)
            asc.aerospike_index_create_wait(task, 0)
        except asc.IndexFoundError:
            LOG("index already exists")
        try:
            if not verify_records(as_, args):
                LOG("Record verification failed!")
                return 1
            example_query_with_read_operations(as_, args)
            example_query_with_select_bins_read_operations(as_, args)
            example_query_with_expression_read_operations(as_, args)
            example_query_with_read_ops_respond_all(as_, args)
            if example_query_with_increment_operations(as_, args) != \
                    [2000 + i for i in range(N_RECORDS)]:
                LOG("the background increment did not reach every record")
                return 1
        finally:
            cleanup_example(as_, args, index_name)
    LOG("query projection example successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
