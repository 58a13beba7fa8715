"""What every Python runner shares: the command line, the record shapes, the timed loop and
the result line. Imported by runners that run in other environments (the official client's
venv), so it uses the standard library only.

A runner is one process for one workload: `python RUNNER --hosts H --workload W --ops N ...`
prints one JSON object (the result fields below) on stdout. The raw C runner
(benchmarks/raw_c/bench.c) takes the same options and prints the same fields.
"""
from __future__ import annotations

import argparse
import array
import asyncio
import json
import os
import resource
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

#: Workloads a runner understands (the harness picks sets, counts and threads).
WORKLOADS = ("connect", "put_small", "get_small", "put_wide", "get_wide", "operate",
             "batch_get", "batch_bins", "scan", "mix", "memory", "batch_get_filtered",
             "scan_filtered", "aget", "aput")
#: Workloads run from one asyncio loop with --inflight awaits at once (small records).
ASYNC_WORKLOADS = ("aget", "aput")

BLOB = bytes(i % 251 for i in range(1024))

Hosts = List[Tuple[str, int]]
Call = Callable[[int], int]
AsyncCall = Callable[[int], Any]  # async def call(i) -> records


class Unsupported(Exception):
    """The client under test cannot run this workload (yet); the harness shows n/a."""


def default_set(workload: str) -> str:
    """The set a workload uses unless --set is given (as bench.c's default_set)."""
    if "wide" in workload:
        return "wide"
    if workload == "operate":
        return "ops"
    if workload.startswith("scan"):
        return "scan"
    return "small"


def is_wide_set(set_name: str) -> bool:
    """Records of this set have the 10-bin shape."""
    return set_name == "wide"


def small_bins(i: int) -> Dict[str, Any]:
    """The small record: one int bin."""
    return {"i": i}


def wide_bins(i: int) -> Dict[str, Any]:
    """The 10-bin record: 4 ints, 3 strings, a 1 KiB blob, a list and a map."""
    return {
        "i1": i, "i2": i * 2, "i3": i * 3, "i4": -i,
        "s1": f"user-{i:06d}", "s2": "alpha beta gamma delta",
        "s3": "the quick brown fox jumps over the lazy dog",
        "blob": BLOB,
        "list": [1, 2, i, "four", "five"],
        "map": {"a": 1, "b": "two", "c": i},
    }


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """The runner command line (the same options as bench.c)."""
    parser = argparse.ArgumentParser(description="Run one benchmark workload; print JSON.")
    parser.add_argument("--hosts", required=True, help="host:port,host:port (the first is the seed)")
    parser.add_argument("--workload", required=True, choices=WORKLOADS)
    parser.add_argument("--nodes", type=int, help="cluster size to wait for (default: number of hosts)")
    parser.add_argument("--namespace", default="test")
    parser.add_argument("--set", dest="set_name")
    parser.add_argument("--ops", type=int, default=1000, help="calls (batches for batch_get)")
    parser.add_argument("--keys", type=int, default=10000, help="key space: keys 0..keys-1")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=100, help="keys per batch_get call")
    parser.add_argument("--inflight", type=int, default=1,
                        help="awaits in flight at once (the async workloads)")
    parser.add_argument("--aio", choices=("native", "threads", "executor"), default="native",
                        help="aerospike_c's asyncio flavour: aio (its default loop_mode), aio "
                             "with loop_mode='threads' (C event loop threads), or aio_executor")
    args = parser.parse_args(argv)
    if min(args.ops, args.keys, args.threads, args.batch, args.inflight) <= 0:
        parser.error("--ops, --keys, --threads, --batch and --inflight must be positive")
    args.set_name = args.set_name or default_set(args.workload)
    args.host_list = parse_hosts(args.hosts)
    args.nodes = args.nodes or len(args.host_list)
    return args


def parse_hosts(text: str) -> Hosts:
    """`host:port,[::1]:port` into (host, port) pairs."""
    hosts = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        host, _, port = item.rpartition(":")
        hosts.append((host.strip("[]"), int(port)))
    if not hosts:
        raise SystemExit("--hosts is empty")
    return hosts


class Adapter:
    """One client under test. Subclasses build per-workload calls over their client."""

    name = "?"

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    def connect(self, seed_only: bool) -> None:
        """Connect to the first host only (seed_only) or to all hosts."""
        raise NotImplementedError

    def node_count(self) -> int:
        """Nodes the connected client knows."""
        raise NotImplementedError

    def close(self) -> None:
        """Close and free the client."""
        raise NotImplementedError

    def call_for(self, workload: str) -> Call:
        """A function doing one call of the workload with operation index i; returns records."""
        raise NotImplementedError

    async def aconnect(self) -> None:
        """Connect the client's asyncio form (the async workloads)."""
        raise Unsupported(f"{self.name}: no asyncio client in this runner")

    async def aclose(self) -> None:
        raise NotImplementedError

    def async_call(self, workload: str) -> "AsyncCall":
        """The awaitable call for an async workload (after aconnect)."""
        raise NotImplementedError

    def acall_for(self, workload: str, get: Callable[[Any], Any], put: Callable[[Any, Any], Any],
                  key_of: Callable[[int], Any] = lambda k: k) -> "AsyncCall":
        """aget/aput over the client's awaitable get(key) and put(key, bins)."""
        keys = self.args.keys

        async def aget(i: int) -> int:
            await get(key_of(i % keys))
            return 1

        async def aput(i: int) -> int:
            await put(key_of(i % keys), small_bins(i))
            return 1

        return {"aget": aget, "aput": aput}[workload]

    def tuple_key_calls(self, put: Callable[[Any, Any], Any], get: Callable[[Any], Any]
                        ) -> Dict[str, Call]:
        """The single-record workloads (and the put/get mix) for a client whose put(key, bins)
        and get(key) take (namespace, set, user key) tuples; the key is built in the loop."""
        ns, set_name, keys = self.args.namespace, self.args.set_name, self.args.keys
        bins_of = wide_bins if is_wide_set(set_name) else small_bins

        def do_put(i: int) -> int:
            put((ns, set_name, i % keys), bins_of(i))
            return 1

        def do_get(i: int) -> int:
            get((ns, set_name, i % keys))
            return 1

        def mix(i: int) -> int:
            return do_get(i // 2) if i & 1 else do_put(i // 2)

        return {"put_small": do_put, "put_wide": do_put, "get_small": do_get,
                "get_wide": do_get, "mix": mix, "memory": mix}

    def batch_keys(self, i: int) -> List[Tuple[str, str, int]]:
        """The key tuples of batch call i (--batch consecutive keys)."""
        ns, set_name, keys, batch = self.args.namespace, self.args.set_name, self.args.keys, self.args.batch
        first = i * batch
        return [(ns, set_name, (first + k) % keys) for k in range(batch)]


class ModuleClientAdapter(Adapter):
    """A client made by `module.client({"hosts": [...]}).connect()` and ended by close(): the
    official client's API, which aerospike-py follows. Subclasses set `module`."""

    module: Any = None

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.client: Any = None

    def connect(self, seed_only: bool) -> None:
        hosts = self.args.host_list[:1] if seed_only else self.args.host_list
        self.client = self.module.client({"hosts": hosts, "max_conns_per_node": 300}).connect()

    def close(self) -> None:
        self.client.close()
        self.client = None


def count_records(run: Callable[[Callable[[Any], Any]], Any]) -> int:
    """run(callback) (a scan's foreach), counting the records the callback gets (not None)."""
    count = 0

    def each(record: Any) -> None:
        nonlocal count
        if record is not None:
            count += 1

    run(each)
    return count


def current_rss_kb() -> int:
    """Resident set size now, in KiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            resident_pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return resident_pages * os.sysconf("SC_PAGE_SIZE") // 1024


def percentile_us(sorted_ns: List[int], q: float) -> float:
    """The q-quantile (nearest rank) of sorted nanosecond samples, in microseconds."""
    if not sorted_ns:
        return 0.0
    return sorted_ns[int(q * (len(sorted_ns) - 1) + 0.5)] / 1000.0


def wait_for_nodes(adapter: Adapter, expect: int, timeout: float = 5.0) -> None:
    """Poll (bounded) until the client knows `expect` nodes."""
    deadline = time.monotonic() + timeout
    while adapter.node_count() < expect:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {adapter.node_count()} of {expect} nodes discovered")
        time.sleep(0.001)


class _Worker:
    """One thread's share of the calls and its latency samples."""

    def __init__(self, call: Call, first: int, count: int) -> None:
        self.call = call
        self.first = first
        self.count = count
        # int64 slots allocated up front: recording a sample allocates nothing (the memory
        # case measures RSS growth across the loop)
        self.latencies = array.array("q", bytes(8 * count))
        self.records = 0
        self.error = ""

    def run(self) -> None:
        call, latencies, clock = self.call, self.latencies, time.perf_counter_ns
        records = 0
        index = self.first
        try:
            for k in range(self.count):
                start = clock()
                records += call(index + k)
                latencies[k] = clock() - start
        except Exception as exc:  # the figure is invalid: report it instead of a number
            self.error = f"{type(exc).__name__}: {exc}"
        self.records += records


def _result(adapter: Adapter, ops: int, records: int, error: str, seconds: float,
            before: Any, after: Any, latencies: List[int], rss_start: int,
            rss_end: int) -> Dict[str, Any]:
    latencies.sort()
    return {
        "client": adapter.name, "workload": adapter.args.workload,
        "threads": adapter.args.threads, "ops": ops, "records": records,
        "errors": 1 if error else 0, "error": error, "seconds": seconds,
        "cpu_user": after.ru_utime - before.ru_utime, "cpu_sys": after.ru_stime - before.ru_stime,
        "p50_us": percentile_us(latencies, 0.50), "p99_us": percentile_us(latencies, 0.99),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "rss_start_kb": rss_start, "rss_end_kb": rss_end,
        # context switches: with threads, how often a call had to wait (for the GIL, mostly)
        "vcsw": after.ru_nvcsw - before.ru_nvcsw, "ivcsw": after.ru_nivcsw - before.ru_nivcsw,
    }


def _measure_connect(adapter: Adapter) -> Dict[str, Any]:
    """connect: seed → fully discovered cluster → close, --ops times."""
    args = adapter.args
    latencies: List[int] = []
    error = ""
    rss_start = current_rss_kb()
    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    for _ in range(args.ops):
        start = time.perf_counter_ns()
        try:
            adapter.connect(seed_only=True)
            try:
                wait_for_nodes(adapter, args.nodes)
            finally:
                adapter.close()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            break
        latencies.append(time.perf_counter_ns() - start)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    return _result(adapter, len(latencies), len(latencies), error, seconds, before, after,
                   latencies, rss_start, current_rss_kb())


def _measure_calls(adapter: Adapter) -> Dict[str, Any]:
    args = adapter.args
    call = adapter.call_for(args.workload)
    per_thread = args.ops // args.threads
    workers = [_Worker(call, t * per_thread, per_thread) for t in range(args.threads)]
    rss_start = current_rss_kb()
    if args.workload == "memory":  # RSS after a warm-up tenth, then at the end
        _Worker(call, 0, per_thread // 10).run()
        rss_start = current_rss_kb()
    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    if args.threads == 1:
        workers[0].run()
    else:
        threads = [threading.Thread(target=worker.run) for worker in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    rss_end = current_rss_kb()  # before the samples become a list
    latencies = [ns for worker in workers for ns in worker.latencies]
    error = next((worker.error for worker in workers if worker.error), "")
    return _result(adapter, per_thread * args.threads, sum(w.records for w in workers), error,
                   seconds, before, after, latencies, rss_start, rss_end)


async def _measure_async(adapter: Adapter) -> Dict[str, Any]:
    """--ops awaits from one asyncio loop, --inflight at a time (each task awaits its share
    one after the other); connect and close outside the timed part."""
    args = adapter.args
    await adapter.aconnect()
    try:
        call = adapter.async_call(args.workload)
        per_task = args.ops // args.inflight
        latencies = array.array("q", bytes(8 * per_task * args.inflight))
        errors: List[str] = []

        async def task(t: int) -> int:
            clock, base, records = time.perf_counter_ns, t * per_task, 0
            try:
                for k in range(per_task):
                    start = clock()
                    records += await call(base + k)
                    latencies[base + k] = clock() - start
            except Exception as exc:  # the figure is invalid: report it instead of a number
                errors.append(f"{type(exc).__name__}: {exc}")
            return records

        rss_start = current_rss_kb()
        before = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        records = sum(await asyncio.gather(*(task(t) for t in range(args.inflight))))
        seconds = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_SELF)
        rss_end = current_rss_kb()
    finally:
        await adapter.aclose()
    result = _result(adapter, per_task * args.inflight, records, errors[0] if errors else "",
                     seconds, before, after, list(latencies), rss_start, rss_end)
    result["inflight"] = args.inflight
    return result


def main(adapter_class: Callable[[argparse.Namespace], Adapter],
         argv: Optional[Sequence[str]] = None) -> int:
    """Run the workload named on the command line with this adapter; print the JSON result."""
    args = parse_args(argv)
    adapter = adapter_class(args)
    try:
        if args.workload == "connect":
            result = _measure_connect(adapter)
        elif args.workload in ASYNC_WORKLOADS:
            result = asyncio.run(_measure_async(adapter))
        else:
            adapter.connect(seed_only=False)
            try:
                wait_for_nodes(adapter, args.nodes)
                result = _measure_calls(adapter)
            finally:
                adapter.close()
    except Unsupported as exc:
        print(json.dumps({"client": adapter.name, "workload": args.workload,
                          "unsupported": str(exc)}))
        return 0
    print(json.dumps(result))
    return 1 if result["error"] else 0


def run_as_script(adapter_class: Callable[[argparse.Namespace], Adapter]) -> None:
    """`if __name__ == "__main__"` body of a runner."""
    sys.exit(main(adapter_class))
