"""The benchmark harness: one command runs the same workloads with aerospike_c, the official
`aerospike` client and raw C against the same server, and reports what each client costs.

    python benchmarks/run.py                  # embedded 3-node cluster, ~10 minutes on 2 cores
    python benchmarks/run.py --quick          # ~1 minute
    python benchmarks/run.py --hosts 127.0.0.1:3000 --clients aerospike_c,official

Every (case, client, run) is its own process, so CPU time and peak RSS belong to that client
alone; the embedded cluster runs in yet another process (`--pin` puts it on a core of its own). Results: a table on the console, benchmarks/results/<time>.json (and latest.json),
and benchmarks/results/chart.png when matplotlib is installed. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402
from raw_c import build as raw_c_build  # noqa: E402

CLIENT_DIR = HERE / "clients"
RESULTS_DIR = HERE / "results"
PEER_VENV = HERE / ".venv-peers"
#: The other Python clients: (module to import, pip requirement, runner script). They share one
#: venv of their own (never with aerospike_c importable), made on first use.
PEERS = {
    "official": ("aerospike", "aerospike>=19,<20", "official_runner.py"),
    "aerospike_py": ("aerospike_py", "aerospike-py>=0.14,<1", "aerospike_py_runner.py"),
    "aerospike_sdk": ("aerospike_sdk", "aerospike-sdk>=1,<2", "aerospike_sdk_runner.py"),
}
RUNNER_TIMEOUT = 600.0
#: The async cases: gets/puts from one asyncio loop with this many awaits in flight, run by
#: the clients that have an asyncio API (aerospike_c_exec: aerospike_c.aio_executor;
#: aerospike_c_thr: aerospike_c.aio with loop_mode="threads").
ASYNC_INFLIGHT = (1, 16, 256)
ASYNC_WORKLOADS = ("aget", "aput")
ASYNC_CLIENTS = ("aerospike_c", "aerospike_c_thr", "aerospike_c_exec", "aerospike_py", "aerospike_sdk")
ASYNC_ONLY = ("aerospike_c_thr", "aerospike_c_exec")  # no sync cases


@dataclass
class Case:
    """One workload with its parameters; `ops` is calls per run (batches for batch_get)."""

    name: str
    workload: str
    ops: int
    threads: int = 1
    batch: int = 100
    set_name: Optional[str] = None
    keys: int = 10000  # key space: the records preloaded in the "small" and "wide" sets
    repeat: bool = True  # False: measured once, not in every run
    inflight: int = 1  # awaits at once from one asyncio loop (the async workloads)

    def runner_args(self, hosts: str, namespace: str, nodes: int) -> List[str]:
        args = ["--hosts", hosts, "--nodes", str(nodes), "--namespace", namespace,
                "--workload", self.workload,
                "--ops", str(self.ops), "--threads", str(self.threads), "--batch", str(self.batch),
                "--keys", str(self.keys), "--inflight", str(self.inflight)]
        return args + (["--set", self.set_name] if self.set_name else [])


def make_cases(scale: float, keys: int, scan_records: int, memory_ops: int) -> List[Case]:
    """The workloads of the issue, with counts scaled (scale 1: the default ~10-minute run)."""
    def n(count: int, least: int = 1) -> int:
        return max(least, int(count * scale))

    cases = [
        Case("connect", "connect", n(20, 3)),
        Case("put_small", "put_small", n(5000, 50)),
        Case("get_small", "get_small", n(5000, 50)),
        Case("put_wide", "put_wide", n(3000, 50)),
        Case("get_wide", "get_wide", n(3000, 50)),
        Case("operate", "operate", n(3000, 50)),
        Case("batch_100", "batch_get", n(100, 2), batch=100, set_name="wide"),
        Case("batch_1000", "batch_get", n(20, 2), batch=1000, set_name="wide"),
        Case("batch_1000_small", "batch_get", n(20, 2), batch=1000, set_name="small"),
        Case("batch_1000_bins", "batch_bins", n(20, 2), batch=1000, set_name="wide"),
        Case("scan", "scan", 1, set_name="scan", keys=scan_records),
        Case("batch_1000_filtered", "batch_get_filtered", n(20, 2), batch=1000, set_name="wide"),
        Case("scan_filtered", "scan_filtered", 1, set_name="scan", keys=scan_records),
        Case("mix_t1", "mix", n(6000, 64), threads=1),
        Case("mix_t4", "mix", n(6000, 64), threads=4),
        Case("mix_t16", "mix", n(6000, 64), threads=16),
        Case("get_t16", "get_small", n(6000, 64), threads=16),
        Case("put_t16", "put_small", n(6000, 64), threads=16),
        *(Case(f"a{kind}_{inflight}", f"a{kind}", n(6000, 256), inflight=inflight)
          for kind in ("get", "put") for inflight in ASYNC_INFLIGHT),
        Case("memory", "memory", memory_ops, repeat=False),
    ]
    for case in cases:
        if not case.workload.startswith("scan"):
            case.keys = keys
    return cases


# -- the clients ---------------------------------------------------------------------------

@dataclass
class ClientRunner:
    """How to start one client's runner process (command prefix), or why it cannot run."""

    name: str
    command: List[str] = field(default_factory=list)
    unavailable: str = ""


def _python_can_import(python: str, module: str) -> str:
    """'' if `python -c 'import module'` works, else the error."""
    try:
        result = subprocess.run([python, "-c", f"import {module}"], capture_output=True,
                                text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return "" if result.returncode == 0 else (result.stderr.strip().splitlines() or ["?"])[-1]


def peer_python(name: str, explicit: Optional[str], log: Any) -> Tuple[str, str]:
    """(python, '') for a peer client's environment: `explicit`, else benchmarks/.venv-peers,
    created and given the client's requirement on demand; ('', reason) when it cannot be had."""
    module, requirement, _ = PEERS[name]
    if explicit:
        error = _python_can_import(explicit, module)
        return (explicit, "") if not error else ("", f"{explicit}: {error}")
    python = PEER_VENV / "bin" / "python"
    if python.exists() and not _python_can_import(str(python), module):
        return str(python), ""
    print(f"installing {requirement} into {PEER_VENV} (once) ...", file=log, flush=True)
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True,
                           capture_output=True, text=True, timeout=300)
        result = subprocess.run([str(python), "-m", "pip", "install", "-q", requirement],
                                capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        return "", f"could not set up {PEER_VENV}: {exc}"
    if result.returncode != 0:
        return "", f"pip install {requirement} failed: {result.stderr.strip()[-500:]}"
    error = _python_can_import(str(python), module)
    return (str(python), "") if not error else ("", error)


def prepare_clients(names: Sequence[str], args: argparse.Namespace, log: Any) -> List[ClientRunner]:
    """Build or find each requested client's runner."""
    runners = []
    for name in names:
        if name == "raw_c":
            try:
                runners.append(ClientRunner(name, [str(raw_c_build.build())]))
            except RuntimeError as exc:
                runners.append(ClientRunner(name, unavailable=str(exc)))
        elif name in PEERS:
            explicit = args.official_python if name == "official" else args.peer_python
            python, reason = peer_python(name, explicit, log)
            runners.append(ClientRunner(name, [python, str(CLIENT_DIR / PEERS[name][2])])
                           if python else ClientRunner(name, unavailable=reason))
        elif name in ("aerospike_c", "aerospike_c_thr", "aerospike_c_exec"):
            python = args.aerospike_c_python or sys.executable
            error = _python_can_import(python, "aerospike_c")
            flavour = {"aerospike_c_exec": ["--aio", "executor"],
                       "aerospike_c_thr": ["--aio", "threads"]}.get(name, [])
            runners.append(ClientRunner(name, [python, str(CLIENT_DIR / "aerospike_c_runner.py"),
                                               *flavour])
                           if not error else ClientRunner(name, unavailable=error))
        else:
            raise SystemExit(f"unknown client {name!r}; known: {', '.join(report.CLIENTS)}")
    return runners


@dataclass
class Target:
    """Where the runners go: hosts, namespace, cluster size, the CPUs they are pinned to."""

    hosts: str
    namespace: str
    nodes: int
    cpus: Optional[Set[int]] = None


def run_one(runner: ClientRunner, case: Case, target: Target,
            timeout: float = RUNNER_TIMEOUT) -> Dict[str, Any]:
    """One runner process for one case; its JSON result (with an error when it failed)."""
    command = runner.command + case.runner_args(target.hosts, target.namespace, target.nodes)
    cpus = target.cpus

    def pin() -> None:
        if cpus:
            os.sched_setaffinity(0, cpus)

    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=pin)
    except subprocess.TimeoutExpired:
        return {"client": runner.name, "workload": case.workload,
                "error": f"timed out after {timeout:.0f}s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return {"client": runner.name, "workload": case.workload, "error": tail}
    result: Dict[str, Any] = json.loads(lines[-1])
    return result


# -- the server ----------------------------------------------------------------------------

@contextlib.contextmanager
def server(args: argparse.Namespace, server_cpus: Optional[Set[int]], log: Any) -> Iterator[str]:
    """Yield the hosts string: the given --hosts, or an embedded 3-node cluster in its own process."""
    if args.hosts:
        yield args.hosts
        return
    from aerospike_c.testing import SubprocessCluster

    own = os.sched_getaffinity(0)
    if server_cpus:  # the child inherits the affinity of this process at start
        os.sched_setaffinity(0, server_cpus)
    try:
        cluster = SubprocessCluster(nodes=args.nodes).start()
    finally:
        os.sched_setaffinity(0, own)
    try:
        hosts = ",".join(f"{host}:{port}" for host, port in cluster.hosts)
        print(f"embedded cluster: {args.nodes} nodes at {hosts}"
              + (f" (pinned to CPU {sorted(server_cpus)})" if server_cpus else ""), file=log, flush=True)
        yield hosts
    finally:
        cluster.stop()


def preload(runners: List[ClientRunner], target: Target, keys: int, scan_records: int,
            log: Any) -> None:
    """Write the records the read workloads use (sets small, wide, scan) with the fastest
    available client: raw C batch writes, else puts from 4 threads. A set no client can
    write is reported (its read cases then fail)."""
    loads = [("small", keys), ("wide", keys), ("scan", scan_records)]
    available = [r for r in runners if not r.unavailable]
    if not available:
        return
    loader = next((r for r in available if r.name == "raw_c"), None)
    for set_name, count in loads:
        t0 = time.perf_counter()
        if loader:
            case = Case(f"load_{set_name}", "load", (count + 499) // 500, batch=500,
                        set_name=set_name, keys=count)
            results = [run_one(loader, case, target)]
        else:
            workload = "put_wide" if set_name == "wide" else "put_small"
            results = []
            for runner in available:
                case = Case(f"load_{set_name}", workload, (count + 3) // 4 * 4, threads=4,
                            set_name=set_name, keys=count)
                results = [run_one(runner, case, target)]
                if not results[0].get("error") and not results[0].get("unsupported"):
                    break
        result = results[0]
        if result.get("error") or result.get("unsupported"):
            print(f"preloading set {set_name!r} failed: "
                  f"{result.get('error') or result.get('unsupported')}", file=log, flush=True)
            continue
        print(f"preloaded {result['records']} records into {target.namespace}.{set_name} "
              f"in {time.perf_counter() - t0:.1f}s", file=log, flush=True)


# -- the command ---------------------------------------------------------------------------

def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", help="a real cluster: host:port,... (default: embedded cluster)")
    parser.add_argument("--namespace", default="test")
    parser.add_argument("--nodes", type=int, help="cluster size: of the embedded cluster (default 3), "
                        "or what connect waits for with --hosts (default: the number of hosts)")
    parser.add_argument("--clients", default=",".join(report.CLIENTS),
                        help=f"comma-separated subset of {','.join(report.CLIENTS)}")
    parser.add_argument("--cases", help="comma-separated subset of the cases (default: all)")
    parser.add_argument("--runs", type=int, help="runs per case (default 5, --quick 2)")
    parser.add_argument("--scale", type=float, help="multiply operation counts (default 1)")
    parser.add_argument("--keys", type=int, help="records in the small and wide sets (default 10000)")
    parser.add_argument("--scan-records", type=int, help="records in the scanned set (default 100000)")
    parser.add_argument("--memory-ops", type=int, help="operations of the memory case (default 100000)")
    parser.add_argument("--quick", action="store_true", help="small counts: about a minute")
    parser.add_argument("--official-python", help="python with `aerospike` installed "
                        "(default: benchmarks/.venv-peers, created on demand)")
    parser.add_argument("--peer-python", help="python with `aerospike_py` / `aerospike_sdk` "
                        "installed (default: benchmarks/.venv-peers, created on demand)")
    parser.add_argument("--aerospike-c-python", help="python with aerospike_c (default: this one)")
    parser.add_argument("--pin", action="store_true",
                        help="pin the embedded server to the first CPU and the clients to the others "
                        "(on this 2-core VM that doubles every client's CPU per round trip: "
                        "cross-core wake-ups; see README)")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR, help="results folder")
    parser.add_argument("--no-chart", action="store_true")
    args = parser.parse_args(argv)
    quick_defaults = dict(runs=2, scale=0.2, keys=10000, scan_records=20000, memory_ops=20000)
    full_defaults = dict(runs=5, scale=1.0, keys=10000, scan_records=100000, memory_ops=100000)
    for key, value in (quick_defaults if args.quick else full_defaults).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.nodes is None:
        args.nodes = len(args.hosts.split(",")) if args.hosts else 3
    if min(args.nodes, args.runs, args.scale, args.keys, args.scan_records, args.memory_ops) <= 0:
        parser.error("--runs, --scale, --keys, --scan-records and --memory-ops must be positive")
    return args


def cpu_split(pin: bool) -> Tuple[Optional[Set[int]], Optional[Set[int]]]:
    """(server CPUs, client CPUs): one core for the embedded server, the rest for clients."""
    cpus = sorted(os.sched_getaffinity(0))
    if not pin or len(cpus) < 2:
        return None, None
    return {cpus[0]}, set(cpus[1:])


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    log = sys.stderr
    cases = make_cases(args.scale, args.keys, args.scan_records, args.memory_ops)
    if args.cases:
        wanted = args.cases.split(",")
        unknown = set(wanted) - {case.name for case in cases}
        if unknown:
            raise SystemExit(f"unknown cases {sorted(unknown)}; known: {[c.name for c in cases]}")
        cases = [case for case in cases if case.name in wanted]
    runners = prepare_clients(args.clients.split(","), args, log)
    for runner in runners:
        if runner.unavailable:
            print(f"{runner.name}: not run: {runner.unavailable}", file=log, flush=True)
    available = [r for r in runners if not r.unavailable]
    if not available:
        print("no client can run", file=log)
        return 1
    server_cpus, client_cpus = cpu_split(args.pin and not args.hosts)
    results: List[Dict[str, Any]] = []
    started = time.time()
    load_before = os.getloadavg()
    with server(args, server_cpus, log) as hosts:
        target = Target(hosts, args.namespace, args.nodes, client_cpus)
        preload(available, target, args.keys, args.scan_records, log)
        for run in range(args.runs):
            for case in cases:
                if run > 0 and not case.repeat:
                    continue
                order = available[run % len(available):] + available[:run % len(available)]
                for runner in order:
                    if (case.workload in ASYNC_WORKLOADS) != (runner.name in ASYNC_CLIENTS) and \
                            (case.workload in ASYNC_WORKLOADS or runner.name in ASYNC_ONLY):
                        result = {"client": runner.name, "workload": case.workload,
                                  "unsupported": "no asyncio API" if runner.name not in ASYNC_ONLY
                                  else "runs the async cases only"}
                    else:
                        result = run_one(runner, case, target)
                    result.update(case=case.name, run=run)
                    results.append(result)
                    status = result.get("unsupported") or result.get("error") or \
                        f"{result['records'] / max(result['seconds'], 1e-9):,.0f} rec/s"
                    print(f"run {run + 1}/{args.runs} {case.name:<17} {runner.name:<12} {status}",
                          file=log, flush=True)
    summary = report.summarise(results)
    case_order = [case.name for case in cases]
    print()
    print(report.table(summary, case_order))
    print()
    print(report.targets_text(report.targets(summary)))
    saved = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "server": args.hosts or f"embedded cluster, {args.nodes} nodes (separate process)",
        "pinned": {"server": sorted(server_cpus or []), "clients": sorted(client_cpus or [])},
        # other work on the machine skews every figure: the 1-minute load average around the run
        "load_average": {"before": load_before[0], "after": os.getloadavg()[0],
                         "cpus": os.cpu_count()},
        "clients": {r.name: r.unavailable or "ok" for r in runners},
        "cases": [asdict(case) for case in cases], "case_order": case_order,
        "runs": args.runs, "summary": summary, "targets": report.targets(summary),
        "results": results,
    }
    args.output.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(started))
    for name in (f"{stamp}.json", "latest.json"):
        (args.output / name).write_text(json.dumps(saved, indent=1))
    print(f"\nJSON: {args.output / f'{stamp}.json'} (and latest.json); took {saved['seconds']:.0f}s; "
          f"load average {load_before[0]:.1f} before, {saved['load_average']['after']:.1f} after "
          f"on {os.cpu_count()} CPUs", file=log)
    if not args.no_chart:
        chart_path = args.output / "chart.png"
        reason = report.chart(summary, case_order, str(chart_path))
        print(reason or f"chart: {chart_path}", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
