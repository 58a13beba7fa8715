"""Port of the C client's scan_examples/standard: scan a set, scan it again selecting two bins,
then scan_partition (one partition, stopped half-way by the callback, and scanned again after
the last digest seen), scan_pages (100 records a page), and scan_terminate_resume (a paginated
scan stopped after 50 records and resumed from its partitions' status), also through
as_scan_to_bytes/as_scan_from_bytes.

The C program writes the extra records into the sets "pset", "scanpage" and "scanresume" and
leaves them there; this port names them after --set (so runs do not share them) and removes
them at the end.
"""
from __future__ import annotations

import argparse
from typing import Any, List, Optional, Tuple

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main
from _multi import parse_multi_key_args, remove_records
from query_simple import Counter, remove_page_records

# p_as->cluster->n_partitions: every Aerospike namespace has 4096 partitions.
N_PARTITIONS = 4096


def scan_cb(p_rec: Any, udata: List[Any]) -> bool:
    if p_rec is None:
        LOG("scan callback returned null - scan is complete")
        return True
    LOG("scan callback returned record:")
    dump_record(p_rec)
    udata.append(p_rec)
    return True


def insert_records(as_: Any, args: argparse.Namespace) -> None:
    rec = asc.as_record_init(3)
    for i in range(args.keys):
        wpol = asc.as_policy_write_init()
        key = asc.as_key_init_int64(args.namespace, args.set, i)
        if i < 10:
            # Only one bin (and no stored key) in the first ten records.
            asc.as_record_set_int64(rec, "test-bin-1", i)
        else:
            # Three bins, and the key sent to be stored, in the rest.
            asc.as_record_set_int64(rec, "test-bin-1", i)
            asc.as_record_set_int64(rec, "test-bin-2", 100 + i)
            asc.as_record_set_int64(rec, "test-bin-3", 1000 + i)
            wpol.key = asc.AS_POLICY_KEY_SEND
        asc.aerospike_key_put(as_, wpol, key, rec)
    LOG("insert succeeded")


def insert_records_in_one_partition(as_: Any, namespace: str, pset: str,
                                    part_id: int) -> Tuple[int, List[int]]:
    """Write the keys 0 .. 79999 that fall into partition part_id (about 20); returns how
    many, and which (for the cleanup)."""
    rec = asc.as_record_init(1)
    asc.as_record_set_int64(rec, "bin1", 55)
    written = []
    for i in range(80000):
        key = asc.as_key_init_int64(namespace, pset, i)
        asc.as_key_set_digest(key)
        if asc.as_partition_getid(key.digest.value, N_PARTITIONS) != part_id:
            continue
        asc.aerospike_key_put(as_, None, key, rec)
        written.append(i)
    return len(written), written


class DigestCounter(Counter):
    """struct counter with its digest field."""

    def __init__(self, max: int = 0) -> None:  # noqa: A002 - the C field's name
        super().__init__(max)
        self.digest: Optional[bytes] = None


def pscan_cb1(val: Any, c: DigestCounter) -> bool:
    if val is None:
        return True
    c.count += 1
    if c.count == c.max:
        c.digest = val.key[3]  # C: rec->key.digest (the key as (ns, set, user key, digest))
        return False
    return True


def pscan_cb2(val: Any, c: Counter) -> bool:
    if val is None:
        return True
    c.count += 1
    return True


def scan_partition(as_: Any, args: argparse.Namespace) -> List[int]:
    pset = f"{args.set}-pset"  # C: "pset"
    LOG("write records for partition scan")
    part_id = 1000
    rec_count, written = insert_records_in_one_partition(as_, args.namespace, pset, part_id)
    LOG("records written: %u", rec_count)

    LOG("scan partition")
    c = DigestCounter(rec_count // 2)
    scan = asc.as_scan_init(args.namespace, pset)
    pf = asc.as_partition_filter()
    asc.as_partition_filter_set_id(pf, part_id)
    asc.aerospike_scan_partitions(as_, None, scan, pf, pscan_cb1, c)
    LOG("records scanned: %u", c.count)
    counts = [rec_count, c.count]

    # Scan again, starting after the last record the first scan took.
    LOG("scan partition again from cursor")
    if c.digest is None:
        LOG("the first scan stopped before record %u", c.max)
        return counts
    asc.as_partition_filter_set_after(pf, c.digest)
    c.count = 0
    asc.aerospike_scan_partitions(as_, None, scan, pf, pscan_cb2, c)
    LOG("records scanned: %u", c.count)
    counts.append(c.count)
    asc.as_scan_destroy(scan)

    batch = asc.as_batch_init(len(written))  # not in the C program: the records go again
    for n, i in enumerate(written):
        batch[n] = (args.namespace, pset, i)
    asc.aerospike_batch_remove(as_, None, None, batch, None)
    asc.as_batch_destroy(batch)
    return counts


def insert_records_for_scan_page(as_: Any, namespace: str, set_name: str, size: int) -> None:
    rec = asc.as_record_init(1)
    asc.as_record_set_int64(rec, "bin1", 55)
    for i in range(size):
        key = asc.as_key_init_int64(namespace, set_name, i)
        asc.as_key_set_digest(key)
        asc.aerospike_key_put(as_, None, key, rec)


def scan_pages(as_: Any, args: argparse.Namespace) -> Tuple[List[int], bool]:
    set_name = f"{args.set}-scanpage"  # C: "scanpage"
    total_size = 190
    page_size = 100

    LOG("write records for scan pagination")
    insert_records_for_scan_page(as_, args.namespace, set_name, total_size)
    LOG("records written: %u", total_size)

    c = Counter()
    scan = asc.as_scan_init(args.namespace, set_name)
    asc.as_scan_set_paginate(scan, True)
    policy = asc.as_policy_scan_init()
    policy.max_records = page_size
    pages = []
    i = 1
    while i <= 3 and not asc.as_scan_is_done(scan):
        c.count = 0
        LOG("scan page: %d", i)
        asc.aerospike_scan_foreach(as_, policy, scan, pscan_cb2, c)
        LOG("records returned: %u", c.count)
        pages.append(c.count)
        i += 1
    done = asc.as_scan_is_done(scan)
    asc.as_scan_destroy(scan)
    remove_page_records(as_, args.namespace, set_name, total_size)
    return pages, done


def scan_terminate_cb(val: Any, c: Counter) -> bool:
    if val is None:
        return True
    if c.count >= c.max:
        return False
    c.count += 1
    return True


scan_resume_cb = pscan_cb2  # C: two functions with the one body


def scan_terminate_resume(as_: Any, args: argparse.Namespace) -> List[int]:
    set_name = f"{args.set}-scanresume"  # C: "scanresume"
    total_size = 200

    LOG("write records for scan terminate/resume")
    insert_records_for_scan_page(as_, args.namespace, set_name, total_size)
    LOG("records written: %u", total_size)

    LOG("start scan terminate")
    c = Counter(50)
    scan = asc.as_scan_init(args.namespace, set_name)
    asc.as_scan_set_paginate(scan, True)
    asc.aerospike_scan_foreach(as_, None, scan, scan_terminate_cb, c)
    LOG("terminate records returned: %u", c.count)
    counts = [c.count]

    LOG("start scan resume")
    parts_all = scan.parts_all  # C: as_partitions_status_reserve(scan.parts_all)
    asc.as_scan_destroy(scan)

    scan_resume = asc.as_scan_init(args.namespace, set_name)
    pf = asc.as_partition_filter()
    asc.as_partition_filter_set_partitions(pf, parts_all)
    c.count = 0
    c.max = 0
    asc.aerospike_scan_partitions(as_, None, scan_resume, pf, scan_resume_cb, c)
    LOG("resume records returned: %u", c.count)
    counts.append(c.count)
    del parts_all  # C: as_partitions_status_release(parts_all)
    asc.as_scan_destroy(scan_resume)
    return counts


def scan_terminate_resume_with_serialization(as_: Any, args: argparse.Namespace) -> List[int]:
    set_name = f"{args.set}-scanresume"  # C: "scanresume"
    total_size = 200

    LOG("write records for scan terminate/resume with serialization")
    insert_records_for_scan_page(as_, args.namespace, set_name, total_size)
    LOG("records written: %u", total_size)

    LOG("start scan terminate")
    c = Counter(50)
    scan = asc.as_scan_init(args.namespace, set_name)
    asc.as_scan_set_paginate(scan, True)
    asc.aerospike_scan_foreach(as_, None, scan, scan_terminate_cb, c)
    LOG("terminate records returned: %u", c.count)
    counts = [c.count]

    LOG("start scan resume")
    data = asc.as_scan_to_bytes(scan)
    asc.as_scan_destroy(scan)
    scan_resume = asc.as_scan_from_bytes(data)
    c.count = 0
    c.max = 0
    asc.aerospike_scan_foreach(as_, None, scan_resume, scan_resume_cb, c)
    LOG("resume records returned: %u", c.count)
    counts.append(c.count)
    asc.as_scan_destroy(scan_resume)
    remove_page_records(as_, args.namespace, set_name, total_size)
    return counts


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("standard scan example", argv)
    with example_cluster(args) as as_:
        # Start clean.
        remove_records(as_, args)
        try:
            insert_records(as_, args)

            scan = asc.as_scan_init(args.namespace, args.set)
            LOG("starting scan all ...")
            everything: List[Any] = []
            asc.aerospike_scan_foreach(as_, None, scan, scan_cb, everything)
            LOG("... scan all completed")

            # Now specify that only two bins are to be returned by the scan. The first ten
            # records do not have these two bins, so they should not be returned by the scan.
            asc.as_scan_select_inita(scan, 2)
            asc.as_scan_select(scan, "test-bin-2")
            asc.as_scan_select(scan, "test-bin-3")
            LOG("starting scan with select ...")
            selected: List[Any] = []
            asc.aerospike_scan_foreach(as_, None, scan, scan_cb, selected)
            LOG("... scan with select completed")
            asc.as_scan_destroy(scan)

            partition = scan_partition(as_, args)
            pages, pages_done = scan_pages(as_, args)
            resumed = scan_terminate_resume(as_, args)
            serialized = scan_terminate_resume_with_serialization(as_, args)
        finally:
            remove_records(as_, args)

    # What the C program prints: every record (the key stored from the eleventh on), then
    # only test-bin-2 and test-bin-3 of the records that have them (not the first ten); half the partition's records, then the other
    # half after the cursor; pages of at most 100 of the 190 records; 50 records before each
    # terminate with the other 150 on resume.
    bins = sorted((r.bins.get("test-bin-1", -1), r.bins)
                  for r in everything)
    expected_bins = [(i, {"test-bin-1": i} if i < 10 else
                      {"test-bin-1": i, "test-bin-2": 100 + i, "test-bin-3": 1000 + i})
                     for i in range(args.keys)]
    stored_keys = sorted(r.key[2] for r in everything if r.key[2] is not None)
    selected_bins = sorted(sorted(r.bins.items()) for r in selected)
    expected_selected = [[("test-bin-2", 100 + i), ("test-bin-3", 1000 + i)]
                         for i in range(10, args.keys)]
    rec_count = partition[0]
    checks = [
        (bins, expected_bins), (stored_keys, list(range(10, args.keys))),
        (selected_bins, expected_selected),
        (partition, [rec_count, rec_count // 2, rec_count - rec_count // 2]),
        (all(n <= 100 for n in pages) and (sum(pages) == 190 or not pages_done), True),
        (resumed, [50, 150]), (serialized, [50, 150]),
    ]
    for got, expected in checks:
        if got != expected:
            LOG("got %s, expected %s", got, expected)
            return 1
    LOG("standard scan examples successfully completed")
    return 0


if __name__ == "__main__":
    example_main(main)
