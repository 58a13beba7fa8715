"""User-space instructions per call, counted by callgrind: the figure the machine's load does
not move (benchmarks/README.md, "Where the time went").

    python benchmarks/instructions.py                          # every case, aerospike_c/official/raw_c
    python benchmarks/instructions.py --cases get_small,batch_100 --clients aerospike_c

Each (case, client) runs the harness's own runner twice under
`valgrind --tool=callgrind --separate-threads=yes` against an embedded cluster (1 node, or --nodes) in its
own process, with `--low` and `--high` calls; the difference of the two runs' instruction
counts divided by the difference of calls is the cost of one call (start-up, imports and the
connection cancel out). Counted: the calling thread (thread 1; for connect every thread, as
the tend thread discovers the nodes). Batch cases report per call and per record.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import CLIENT_DIR, PEERS, peer_python  # noqa: E402
from raw_c import build as raw_c_build  # noqa: E402
from clients._common import small_bins, wide_bins  # noqa: E402

#: case -> (workload, set, batch size, (low, high) calls)
CASES: Dict[str, Tuple[str, str, int, Tuple[int, int]]] = {
    "get_small": ("get_small", "small", 1, (200, 1200)),
    "put_small": ("put_small", "small", 1, (200, 1200)),
    "get_wide": ("get_wide", "wide", 1, (200, 1200)),
    "put_wide": ("put_wide", "wide", 1, (200, 1200)),
    "operate": ("operate", "ops", 1, (200, 1200)),
    "batch_100": ("batch_get", "wide", 100, (10, 60)),
    "batch_1000": ("batch_get", "wide", 1000, (2, 7)),
    "connect": ("connect", "small", 1, (5, 45)),  # GC phase moved 3-vs-13 by ±20,000
}
KEYS = 1000


def instructions(out_prefix: str, all_threads: bool) -> int:
    """Ir of the callgrind output files of one run (thread 1, or all threads)."""
    total = 0
    for path in glob.glob(out_prefix + "*"):
        if not all_threads and not path.endswith("-01"):
            continue
        with open(path) as f:
            for line in f:
                if line.startswith("totals:") or line.startswith("summary:"):
                    total += int(line.split()[1])
                    break
    return total


def run_once(command: List[str], args: List[str], ops: int, out_dir: str, tag: str,
             all_threads: bool) -> int:
    prefix = os.path.join(out_dir, f"{tag}-{ops}.out")
    full = ["valgrind", "--tool=callgrind", "--separate-threads=yes",
            f"--callgrind-out-file={prefix}", *command, *args, "--ops", str(ops)]
    done = subprocess.run(full, capture_output=True, text=True, timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {"error": done.stderr[-500:]}
    if done.returncode != 0 or result.get("error") or result.get("unsupported"):
        raise RuntimeError(f"{tag}: {result.get('error') or result.get('unsupported')}")
    return instructions(prefix, all_threads)


def preload(hosts: List[Tuple[str, int]]) -> None:
    from aerospike_c import Client, Config

    with Client(Config(hosts)) as client:
        for i in range(KEYS):
            client.put(("test", "small", i), small_bins(i))
            client.put(("test", "wide", i), wide_bins(i))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="aerospike_c,official,raw_c")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--hosts", help="host:port,... of a running cluster (default: embedded)")
    parser.add_argument("--nodes", type=int, default=1, help="nodes of the embedded cluster (or of --hosts)")
    parser.add_argument("--keep", help="keep the callgrind files in this folder")
    args = parser.parse_args(argv)
    commands: Dict[str, List[str]] = {}
    for name in args.clients.split(","):
        if name == "raw_c":
            commands[name] = [str(raw_c_build.build())]
        elif name == "aerospike_c":
            commands[name] = [sys.executable, str(CLIENT_DIR / "aerospike_c_runner.py")]
        else:
            python, reason = peer_python(name, None, sys.stderr)
            if not python:
                print(f"{name}: not run: {reason}", file=sys.stderr)
                continue
            commands[name] = [python, str(CLIENT_DIR / PEERS[name][2])]
    cluster = None
    if args.hosts:
        hosts_text = args.hosts
        hosts = [(h, int(p)) for h, _, p in (one.rpartition(":") for one in hosts_text.split(","))]
    else:
        from aerospike_c.testing import SubprocessCluster

        cluster = SubprocessCluster(nodes=args.nodes).start()
        hosts = cluster.hosts
        hosts_text = ",".join(f"{h}:{p}" for h, p in hosts)
    out_dir = args.keep or tempfile.mkdtemp(prefix="callgrind-")
    os.makedirs(out_dir, exist_ok=True)
    try:
        preload(hosts)
        print(f"{'case':<12} {'client':<12} {'Ir/call':>12} {'Ir/record':>10}")
        for case in args.cases.split(","):
            workload, set_name, batch, (low, high) = CASES[case]
            for name, command in commands.items():
                runner_args = ["--hosts", hosts_text, "--nodes", str(args.nodes), "--workload", workload,
                               "--set", set_name, "--keys", str(KEYS), "--batch", str(batch)]
                tag = f"{case}-{name}"
                try:
                    counts = [run_once(command, runner_args, ops, out_dir, tag, case == "connect")
                              for ops in (low, high)]
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    print(f"{case:<12} {name:<12} failed: {exc}")
                    continue
                per_call = (counts[1] - counts[0]) / (high - low)
                print(f"{case:<12} {name:<12} {per_call:>12,.0f} {per_call / batch:>10,.0f}",
                      flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
