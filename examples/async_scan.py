"""Port of the C client's async_examples/async_scan: insert records with async puts, then an
async scan, a paginated scan read in pages of 11 records, and a scan terminated after 11
records and resumed where it stopped; each step started from the previous one's listener."""
from __future__ import annotations

import threading
from typing import Any, List, Optional

import aerospike_c as asc
from _common import LOG, dump_record, example_cluster, example_main
from _multi import insert_records_async, parse_multi_key_args, remove_records

monitor = threading.Event()  # C: as_monitor
status = {"ok": False}


class Counter:
    """C: struct counter (scan, page, count, max: only used in terminate/resume)."""

    def __init__(self, scan: Any, page: int, max_: int = 0) -> None:
        self.scan = scan
        self.page = page
        self.count = 0
        self.max = max_


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_multi_key_args("async scan example", argv)
    asc.as_event_create_loops(1)  # example_create_event_loop(): before connecting, as in C
    try:
        with example_cluster(args) as as_:
            remove_records(as_, args)  # start clean
            counts: List[int] = []     # records per step, checked at the end

            # -- async scan regular ---------------------------------------------------------
            def scan_listener(err, record, udata, event_loop):
                if err is not None:
                    LOG("aerospike_scan_async() returned %d - %s", err.code, err.message)
                    monitor.set()
                    return False
                if record is None:
                    LOG("Scan is complete")
                    counts.append(udata[0])
                    run_first_page_scan(event_loop)
                    return False
                LOG("Scan returned record:")
                dump_record(record)
                udata[0] += 1
                return True

            def run_scan(event_loop):
                scan = asc.as_scan_init(args.namespace, args.set)
                LOG("Execute scan")
                p = asc.as_policy_scan_init()
                p.base.socket_timeout = 5000
                try:
                    asc.aerospike_scan_async(as_, p, scan, None, scan_listener, [0], event_loop)
                except asc.AerospikeError as err:
                    scan_listener(err, None, None, event_loop)
                asc.as_scan_destroy(scan)

            # -- async scan page ------------------------------------------------------------
            def scan_page_listener(err, record, c, event_loop):
                if err is not None:
                    LOG("scan page returned %d - %s", err.code, err.message)
                    asc.as_scan_destroy(c.scan)
                    monitor.set()
                    return False
                if record is None:
                    LOG("Scan page %u complete: count=%u", c.page, c.count)
                    counts.append(c.count)
                    if c.page < 2:
                        c.count = 0
                        c.page += 1
                        run_page_scan(event_loop, c)
                    else:
                        asc.as_scan_destroy(c.scan)
                        scan_terminate_with_serialization(event_loop)
                    return False
                c.count += 1
                return True

            def run_first_page_scan(event_loop):
                # The scan's as_partitions_status is written during the scan (paginate): the
                # as_scan lives on in the counter, as C keeps it on the heap.
                scan = asc.as_scan_init(args.namespace, args.set)
                asc.as_scan_set_paginate(scan, True)
                run_page_scan(event_loop, Counter(scan, 1))

            def run_page_scan(event_loop, c):
                LOG("Scan page %u", c.page)
                p = asc.as_policy_scan_init()
                p.base.socket_timeout = 5000
                p.max_records = 11
                try:
                    asc.aerospike_scan_async(as_, p, c.scan, None, scan_page_listener, c, event_loop)
                except asc.AerospikeError as err:
                    scan_page_listener(err, None, c, event_loop)

            # -- async scan terminate/resume ------------------------------------------------
            def scan_terminate_listener(err, record, c, event_loop):
                if err is not None:
                    LOG("Scan terminate returned %d - %s", err.code, err.message)
                    asc.as_scan_destroy(c.scan)
                    monitor.set()
                    return False
                if record is None:
                    LOG("Scan terminate unexpectedly complete: count=%u", c.count)
                    asc.as_scan_destroy(c.scan)
                    monitor.set()
                    return False
                if c.count >= c.max:
                    # Since we are terminating the scan here, the scan last digest will not be
                    # set and the current record will be returned again if the scan resumes.
                    LOG("Terminate scan after %u records", c.count)
                    counts.append(c.count)
                    data = asc.as_scan_to_bytes(c.scan)
                    asc.as_scan_destroy(c.scan)
                    LOG("Resume scan")
                    scan_resume_with_serialization(event_loop, data)
                    return False
                c.count += 1
                return True

            def scan_terminate_with_serialization(event_loop):
                LOG("Scan to be terminated")
                scan = asc.as_scan_init(args.namespace, args.set)
                asc.as_scan_set_paginate(scan, True)
                c = Counter(scan, 1, 11)
                try:
                    asc.aerospike_scan_async(as_, None, c.scan, None, scan_terminate_listener, c,
                                             event_loop)
                except asc.AerospikeError as err:
                    scan_terminate_listener(err, None, c, event_loop)

            def scan_resume_listener(err, record, c, event_loop):
                if err is not None:
                    LOG("Scan resume returned %d - %s", err.code, err.message)
                    asc.as_scan_destroy(c.scan)
                    monitor.set()
                    return False
                if record is None:
                    LOG("Scan resume complete: count=%u", c.count)
                    counts.append(c.count)
                    asc.as_scan_destroy(c.scan)
                    status["ok"] = True
                    monitor.set()
                    return False
                c.count += 1
                return True

            def scan_resume_with_serialization(event_loop, data):
                scan = asc.as_scan_from_bytes_new(data)
                c = Counter(scan, 2)
                try:
                    asc.aerospike_scan_async(as_, None, c.scan, None, scan_resume_listener, c,
                                             event_loop)
                except asc.AerospikeError as err:
                    scan_resume_listener(err, None, c, event_loop)

            # Start inserting records; the scans run when insertions are complete.
            insert_records_async(as_, args, run_scan, monitor.set)
            monitor.wait(60)  # wait till the commands have completed before shutting down
            remove_records(as_, args)
    finally:
        asc.as_event_close_loops()
    # The scan reads every record, two pages at most 11 each (C spreads max_records over the
    # nodes: a page may hold fewer), the terminated scan 11 and its resumption the rest.
    keys, terminated = args.keys, min(11, args.keys)
    ok = status["ok"] and len(counts) == 5 and counts[0] == keys \
        and max(counts[1:3]) <= 11 and counts[1] + counts[2] <= keys \
        and counts[3:] == [terminated, keys - terminated]
    if ok:
        LOG("async scan example successfully completed")
        return 0
    LOG("records per step %s", counts)
    return 1


if __name__ == "__main__":
    example_main(main)
