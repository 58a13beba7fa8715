"""Instructions per stage of the connect cycle on the calling thread, ours against raw cffi
(benchmarks/README.md, "eighth round"): the Config and Client, connect(), node_names(),
destroy(), each against the same step made of raw cffi calls (as_config_init ...
aerospike_destroy straight through `lib`), the two cycles interleaved in one process.

    python benchmarks/stages.py                 # 3-node embedded cluster, 24 cycles, ~20 s
    python benchmarks/stages.py --cycles 40

Needs valgrind and its headers (valgrind/callgrind.h). Each stage is bracketed by callgrind's
client requests, CALLGRIND_ZERO_STATS before and CALLGRIND_DUMP_STATS_AT after, from a small
C library compiled on demand into benchmarks/.build/ and loaded with ctypes. The figure is the
median of the last half of the cycles: CPython 3.11 specializes a function's bytecode only
after it has run ~8 times, and the first cycles would count unspecialized code.
"""
from __future__ import annotations

import argparse
import ctypes
import glob
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, List

HERE = Path(__file__).resolve().parent
MARKS = HERE / ".build" / "libcgmarks.so"
MARKS_SOURCE = """#include <valgrind/callgrind.h>
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(const char* name) { CALLGRIND_DUMP_STATS_AT(name); }
"""
STAGES = ("setup", "connect", "names", "destroy")


def marks_library() -> Path:
    """Compile the client-request library if needed."""
    if not MARKS.exists():
        MARKS.parent.mkdir(exist_ok=True)
        source = MARKS.with_suffix(".c")
        source.write_text(MARKS_SOURCE)
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            raise RuntimeError("no C compiler (cc or gcc) to build the callgrind marks")
        subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", str(MARKS), str(source)],
                       check=True)
    return MARKS


def child(host: str, port: int, cycles: int) -> None:
    """Under callgrind: run the two cycles, dumping the counts after each stage."""
    from aerospike_c import Client, Config
    from aerospike_c._aerospike import ffi, lib

    marks = ctypes.CDLL(str(marks_library()))

    def stage(name: str, step: Callable[[], Any]) -> Any:
        marks.cg_zero()
        result = step()
        marks.cg_dump(name.encode())
        return result

    def ours() -> None:
        client = stage("ours-setup", lambda: Client(Config([(host, port)], max_conns_per_node=300)))
        stage("ours-connect", client.connect)
        stage("ours-names", client.node_names)
        stage("ours-destroy", client.destroy)

    def raw() -> None:
        err = ffi.new("as_error*")

        def setup() -> object:
            config = ffi.new("as_config*")
            lib.as_config_init(config)
            lib.as_config_add_host(config, host.encode(), port)
            config.max_conns_per_node = 300
            instance = ffi.new("aerospike*")
            lib.aerospike_init(instance, config)
            return instance

        def names() -> None:
            count, names = ffi.new("int*"), ffi.new("char**")
            lib.as_cluster_get_node_names(instance.cluster, count, names)
            lib.free(names[0])

        def destroy() -> None:
            lib.aerospike_close(instance, err)
            lib.aerospike_destroy(instance)

        instance: Any = stage("raw-setup", setup)
        stage("raw-connect", lambda: lib.aerospike_connect(instance, err))
        stage("raw-names", names)
        stage("raw-destroy", destroy)

    for _ in range(cycles):
        ours()
        raw()


def counts(prefix: str) -> Dict[str, List[int]]:
    """Instructions of thread 1 per dump name, in dump order."""
    found: Dict[str, List[int]] = defaultdict(list)
    dumps = []
    for path in glob.glob(prefix + "*"):
        name = thread = total = None
        with open(path) as f:
            for line in f:
                if line.startswith("thread:"):
                    thread = line.split()[1]
                elif line.startswith("desc: Trigger: Client Request:"):
                    name = line.split()[-1]
                elif line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
                    break
        part = path.rsplit(".", 1)[-1].split("-")[0]
        if thread == "1" and name and total is not None and part.isdigit():
            dumps.append((int(part), name, total))
    for _, name, total in sorted(dumps):
        found[name].append(total)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=24)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    from aerospike_c.testing import SubprocessCluster

    marks_library()
    cluster = SubprocessCluster(nodes=args.nodes).start()
    try:
        host, port = cluster.hosts[0]
        with tempfile.TemporaryDirectory() as out:
            prefix = str(Path(out) / "stages.out")
            subprocess.run(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                            f"--callgrind-out-file={prefix}", sys.executable, __file__,
                            "--child", host, str(port), str(args.cycles)],
                           check=True, capture_output=True)
            found = counts(prefix)
    finally:
        cluster.stop()
    print(f"{'stage':8}  {'aerospike_c':>12}  {'raw cffi':>12}  {'ours over raw':>14}")
    total = 0.0
    for stage in STAGES:
        ours, raw = found[f"ours-{stage}"], found[f"raw-{stage}"]
        mine = statistics.median(ours[len(ours) // 2:])
        theirs = statistics.median(raw[len(raw) // 2:])
        total += mine - theirs
        print(f"{stage:8}  {mine:12,.0f}  {theirs:12,.0f}  {mine - theirs:+14,.0f}")
    print(f"{'cycle':8}  {'':12}  {'':12}  {total:+14,.0f}")


if __name__ == "__main__":
    main()
