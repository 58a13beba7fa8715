"""Run the vendored C client's own test suite (src/test, unchanged) against a cluster.

    python tests/c_suite/c_suite.py                  # 1 and 3 embedded nodes, compare with ledger
    python tests/c_suite/c_suite.py --update-ledger  # rewrite ledger.txt from this run
    python tests/c_suite/c_suite.py --nodes 1 --suite key_basics   # one suite, no comparison
    python tests/c_suite/c_suite.py --hosts 127.0.0.1:3000         # a real cluster: 0 failures
    python tests/c_suite/c_suite.py --nodes 1 --user admin:pw      # security on, logged in as admin

The test binary is built by the C client's own make (`make test-build EVENT_LIB=libev`) in a
copy of the C client under build/c_suite/, so the libaerospike.a that build_ffi.py links into
our extension is never touched. Its libev is the extension's: the pinned vendor/libev sources
compiled as csrc/asc_libev.c compiles them, as a static libev.a the C client's -lev finds
first (no system libev needed). The copy is kept and reused
while the C client version and make flags stay the same.

Each suite runs in its own process of the binary (`-S suite`) with a timeout; a suite that
hangs or crashes counts its unfinished tests as failed ("timeout", "crashed: signal N").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LEDGER = HERE / "ledger.txt"
BUILD_ROOT = ROOT / "build" / "c_suite"
EVENT_LIB = "libev"
LIBEV_SOURCE = ROOT / "csrc" / "asc_libev.c"
SUITE_TIMEOUT = float(os.environ.get("C_SUITE_TIMEOUT", "180"))
NODE_COUNTS = (1, 3)
#: Summary lines of runs in this process (the pytest terminal summary prints them).
SUMMARY_LINES: List[str] = []
FLAKY = "flaky"
#: Suites run against a strong-consistency namespace "test" (their SUITE() needs g_has_sc).
SC_SUITES = frozenset({"transaction", "transaction_async"})

# ---------------------------------------------------------------------------------------------
# Building the test binary


def c_client_source() -> Path:
    """The C client checkout build_ffi.py builds (AEROSPIKE_C_CLIENT_DIR or the vendored one)."""
    override = os.environ.get("AEROSPIKE_C_CLIENT_DIR")
    path = Path(override).resolve() if override else ROOT / "vendor" / "aerospike-client-c"
    if not (path / "src" / "test" / "aerospike_test.c").is_file():
        raise RuntimeError(f"{path} holds no C client with its test sources (src/test)")
    return path


def c_client_version(source: Path) -> str:
    text = (source / "src" / "main" / "aerospike" / "version.c").read_text()
    match = re.search(r'aerospike_client_version\s*=\s*"([^"]+)"', text)
    return match.group(1) if match else "unknown"


def libev_archive() -> Tuple[Path, Path]:
    """(libev's source folder, the folder of its libev.a): the pinned libev (fetched by
    vendor/fetch_c_client.py), compiled once per source and pin into build/c_suite/."""
    sys.path.insert(0, str(ROOT / "vendor"))
    try:
        import fetch_c_client
    finally:
        sys.path.pop(0)
    libev = fetch_c_client.fetch_libev()
    stamp = LIBEV_SOURCE.read_text() + (libev / fetch_c_client.STAMP_FILE).read_text()
    folder = BUILD_ROOT / f"libev-{hashlib.sha256(stamp.encode()).hexdigest()[:10]}"
    archive = folder / "libev.a"
    if not archive.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        obj = folder / "asc_libev.o"
        for command in ([os.environ.get("CC", "cc"), "-O2", "-fPIC", f"-I{libev}", "-c",
                         str(LIBEV_SOURCE), "-o", str(obj)],
                        ["ar", "rcs", str(folder / "libev.a.tmp"), str(obj)]):
            result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True)
            if result.returncode != 0:
                raise RuntimeError(f"building libev for the C suite failed:\n{result.stdout[-3000:]}")
        (folder / "libev.a.tmp").rename(archive)
    return libev, folder


def make_args() -> List[str]:
    """The C client's make variables: libev's headers and static library, ours."""
    libev, folder = libev_archive()
    return [f"EVENT_LIB={EVENT_LIB}", f"EXT_CFLAGS=-I{libev}", f"EXT_LDFLAGS=-L{folder}"]


def build_key(source: Path) -> str:
    """Folder name for one build: C client version, event library and a hash of the flags."""
    digest = hashlib.sha256(json.dumps([str(source), make_args()]).encode()).hexdigest()[:10]
    return f"{c_client_version(source)}-{EVENT_LIB}-{digest}"


def test_binary(build: Path) -> Path:
    return build / "target" / f"{platform.system()}-{platform.machine()}" / "test" / "aerospike_test"


def build_test_binary(jobs: Optional[int] = None, log=print) -> Path:
    """Build (or reuse) the C client's test binary; returns the build folder (the binary's cwd)."""
    source = c_client_source()
    build = BUILD_ROOT / build_key(source)
    binary = test_binary(build)
    stamp = build / ".c_suite_built"
    if binary.is_file() and stamp.is_file():
        return build
    if build.exists():
        shutil.rmtree(build)
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    # Sources only: no objects or libraries of the extension's (event-lib-less) build.
    shutil.copytree(source, build, symlinks=True,
                    ignore=shutil.ignore_patterns("target", "*.o", "*.a", ".git"))
    jobs = jobs or int(os.environ.get("AEROSPIKE_C_MAKE_JOBS") or os.cpu_count() or 2)
    command = ["make", "-C", str(build), f"-j{jobs}", *make_args(), "test-build"]
    log(f"c_suite: building the C client's test binary: {' '.join(command)}")
    started = time.monotonic()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0 or not binary.is_file():
        raise RuntimeError(f"building the C client's test binary failed:\n{result.stdout[-6000:]}")
    stamp.write_text(f"built in {time.monotonic() - started:.0f}s: {' '.join(command)}\n")
    log(f"c_suite: built {binary} in {time.monotonic() - started:.0f}s")
    return build


# ---------------------------------------------------------------------------------------------
# The plan: suites and their tests, read from the test sources


def plan_suites(source: Path) -> List[str]:
    """Suites in the order aerospike_test.c's PLAN adds them (commented-out ones excluded)."""
    text = (source / "src" / "test" / "aerospike_test.c").read_text()
    plan = text[text.index("PLAN(aerospike_test)"):]
    return re.findall(r"^\s*plan_add\(\s*(\w+)\s*\)", plan, re.M)


def suite_tests(source: Path) -> Dict[str, List[str]]:
    """Every suite's tests in suite_add order (a superset: some are added conditionally)."""
    suites: Dict[str, List[str]] = {}
    for path in sorted((source / "src" / "test").rglob("*.c")):
        text = path.read_text(errors="replace")
        for match in re.finditer(r"^SUITE\(\s*(\w+)\s*,", text, re.M):
            body = text[match.end():]
            end = re.search(r"^}", body, re.M)
            block = body[:end.start() if end else len(body)]
            suites[match.group(1)] = re.findall(r"^\s*suite_add\(\s*(\w+)\s*\)", block, re.M)
    return suites


# ---------------------------------------------------------------------------------------------
# Running one suite and reading its output


@dataclass
class CaseResult:
    nodes: str
    suite: str
    test: str
    passed: bool
    message: str = ""


@dataclass
class SuiteRun:
    suite: str
    results: List[CaseResult] = field(default_factory=list)
    seconds: float = 0.0
    status: str = "ok"  # ok | timeout | crashed: signal N | set-up failed | exit N


_SUITE_START = re.compile(r"^\[\+\] (\w+)\[(\d+)\] :: ")
_TEST_START = re.compile(r"^    \[\+\] (\w+)\[(\w+)\] :: ")
_TEST_FAIL = re.compile(r"^        \[✘\] (.*)$")


def parse_output(stdout: str, nodes: str, suite: str, status: str, known: Sequence[str],
                 stderr: str = "", skipped: bool = False) -> List[CaseResult]:
    """Per-test results of one `-S suite` run of the binary.

    A started test passed unless a failure line follows it. The test running when the binary
    died or hung, and the tests it never reached, fail with `status` as the reason.
    """
    declared: Optional[int] = None
    started: List[str] = []
    failures: Dict[str, str] = {}
    for line in stdout.splitlines():
        match = _SUITE_START.match(line)
        if match and match.group(1) == suite:
            declared = int(match.group(2))
            continue
        match = _TEST_START.match(line)
        if match and match.group(1) == suite:
            started.append(match.group(2))
            continue
        match = _TEST_FAIL.match(line)
        if match and started:
            failures[started[-1]] = match.group(1).strip()
    finished = status == "ok"
    results = []
    for index, test in enumerate(started):
        last = index == len(started) - 1
        if test in failures:
            results.append(CaseResult(nodes, suite, test, False, failures[test]))
        elif last and not finished:
            results.append(CaseResult(nodes, suite, test, False, status))
        else:
            results.append(CaseResult(nodes, suite, test, True))
    if declared is None:
        # The plan's set-up (connect, info commands) failed before the suite began.
        reason = status if not finished else "plan set-up failed: " + _last_error(stderr)
        declared = len(known)
    elif not started and declared and finished:
        if skipped:
            return []  # its before() declines this server version, as it would a server's
        reason = "suite set-up failed: " + _last_error(stderr)
    else:
        reason = status
    missing = [test for test in known if test not in started]
    for index in range(max(0, declared - len(started))):
        name = missing[index] if index < len(missing) else f"#{len(started) + index + 1}"
        results.append(CaseResult(nodes, suite, name, False, reason))
    return results


#: Suites whose before() declines to run below a server version (read in their sources:
#: string.c, error_detail_integration.c): on such a server they run no test, as on ours.
MIN_SERVER_VERSION = {
    "string": (8, 2, 0),
    "error_detail_sync": (8, 2, 0),
    "error_detail_async": (8, 2, 0),
}


#: The build the embedded cluster reports for the suites of MIN_SERVER_VERSION.
NEWER_BUILD = "8.2.0.0"


def server_version(hosts: str, user: Optional[Tuple[str, str]] = None) -> Tuple[int, ...]:
    """The `build` the first seed reports, as a tuple of ints (logged in as `user`, if any)."""
    from aerospike_c import Client, Config
    from aerospike_c.testing import request_info

    host, _, port = hosts.split(",")[0].rpartition(":")
    if user is None:
        build = request_info((host.strip("[]"), int(port)), "build")["build"]
    else:
        with Client(Config(hosts, user=user[0], password=user[1])) as client:
            build = client.info("build")
    return tuple(int(part) for part in re.findall(r"\d+", build)[:4])


def suite_skipped(suite: str, version: Tuple[int, ...]) -> Optional[str]:
    """Why the suite runs no test on a server of this version, or None when it must run."""
    minimum = MIN_SERVER_VERSION.get(suite)
    if minimum is not None and version[:3] < minimum:
        wanted = ".".join(map(str, minimum))
        return f"skipped: its before() needs server >= {wanted}"
    return None


def _last_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if "ERROR" in line or "error" in line]
    return lines[-1][:200] if lines else "(no message)"


def run_suite(binary: Path, cwd: Path, hosts: str, suite: str, nodes: str,
              known: Sequence[str], skip: Optional[str] = None,
              timeout: float = SUITE_TIMEOUT, user: Optional[Tuple[str, str]] = None) -> SuiteRun:
    """Run one suite of the binary (`-h hosts -S suite`, `-U user -Ppassword`) with a timeout."""
    command = ["stdbuf", "-oL", "-eL", str(binary), "-h", hosts, "-S", suite]
    if user is not None:
        command += ["-U", user[0], f"-P{user[1]}"]
    env = dict(os.environ)
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    status = "ok"
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        status = f"timeout after {timeout:.0f}s"
    if status == "ok" and process.returncode < 0:
        status = f"crashed: signal {-process.returncode} ({signal.Signals(-process.returncode).name})"
    stdout = out.decode("utf-8", "replace")
    stderr = err.decode("utf-8", "replace")
    results = parse_output(stdout, nodes, suite, status, known, stderr, skip is not None)
    if not results and status == "ok" and skip:
        status = skip
    return SuiteRun(suite, results, time.monotonic() - started, status)


def run_all(build: Path, hosts: str, nodes: str, suites: Iterable[str],
            log=print, user: Optional[Tuple[str, str]] = None) -> List[SuiteRun]:
    source = build
    known = suite_tests(source)
    binary = test_binary(build)
    version = server_version(hosts, user)
    runs = []
    for suite in suites:
        run = run_suite(binary, build, hosts, suite, nodes, known.get(suite, []),
                        suite_skipped(suite, version), user=user)
        failed = sum(1 for r in run.results if not r.passed)
        log(f"c_suite: [{nodes}] {suite}: {len(run.results) - failed}/{len(run.results)} passed "
            f"({run.seconds:.1f}s{'' if run.status == 'ok' else ', ' + run.status})")
        runs.append(run)
    return runs


def run_embedded(build: Path, node_counts: Sequence[int], suites: Optional[Sequence[str]] = None,
                 log=print, user: Optional[Tuple[str, str]] = None) -> List[CaseResult]:
    """Run the suites against a fresh embedded cluster of each size; with `user` (name,
    password) the cluster has security on and that user holds every predefined role."""
    from aerospike_c.testing import EmbeddedCluster

    suites = list(suites or plan_suites(build))
    # The suites that need a newer server run on a second cluster that reports that build.
    newer = [suite for suite in suites if suite in MIN_SERVER_VERSION]
    results: List[CaseResult] = []
    for count in node_counts:
        # The transaction suites add their tests only when namespace "test" is
        # strong-consistency (g_has_sc); the others expect an AP namespace (non-durable
        # deletes); the suites that need a newer server run where the cluster reports that
        # build. Each kind gets its own cluster, as a real deployment would have.
        groups = ((False, None, [s for s in suites if s not in SC_SUITES and s not in newer]),
                  (True, None, [s for s in suites if s in SC_SUITES]),
                  (False, NEWER_BUILD, [s for s in newer if s not in SC_SUITES]))
        for strong, build_name, chosen in groups:
            if not chosen:
                continue
            options = {"build": build_name} if build_name else {}
            with EmbeddedCluster(nodes=count, strong_consistency=strong,
                                 users=dict([user]) if user else None, **options) as cluster:
                hosts = ",".join(f"{host}:{port}" for host, port in cluster.hosts)
                for run in run_all(build, hosts, str(count), chosen, log, user):
                    results.extend(run.results)
    return results


# ---------------------------------------------------------------------------------------------
# The ledger: `<nodes> <suite> <test> [flaky]  # reason`, one failing test a line, sorted


@dataclass
class LedgerEntry:
    nodes: str
    suite: str
    test: str
    reason: str
    flaky: bool = False

    @property
    def key(self) -> Tuple[str, str, str]:
        return (self.nodes, self.suite, self.test)

    def line(self) -> str:
        words = " ".join([self.nodes, self.suite, self.test] + ([FLAKY] if self.flaky else []))
        return f"{words}  # {self.reason}"


def read_ledger(path: Path = LEDGER) -> Dict[Tuple[str, str, str], LedgerEntry]:
    entries: Dict[Tuple[str, str, str], LedgerEntry] = {}
    if not path.is_file():
        return entries
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        text, _, reason = raw.partition("#")
        words = text.split()
        if not words:
            continue
        if len(words) not in (3, 4) or (len(words) == 4 and words[3] != FLAKY):
            raise ValueError(f"{path}:{number}: expected '<nodes> <suite> <test> [flaky]  # reason'")
        entry = LedgerEntry(words[0], words[1], words[2], reason.strip(), len(words) == 4)
        entries[entry.key] = entry
    return entries


def _sort_key(entry: LedgerEntry) -> Tuple[int, str, str]:
    return (int(entry.nodes) if entry.nodes.isdigit() else 0, entry.suite, entry.test)


def write_ledger(results: Sequence[CaseResult], path: Path = LEDGER) -> int:
    """Rewrite the ledger from a run: keep reasons (and flaky marks) already there."""
    old = read_ledger(path)
    ran = {(r.nodes, r.suite, r.test) for r in results}
    entries = [entry for key, entry in old.items() if entry.flaky and key in ran]
    flaky_keys = {entry.key for entry in entries}
    for result in results:
        key = (result.nodes, result.suite, result.test)
        if result.passed or key in flaky_keys:
            continue
        previous = old.get(key)
        reason = previous.reason if previous else "NEW: " + result.message[:160]
        entries.append(LedgerEntry(*key, reason))
    header = [line for line in (path.read_text().splitlines() if path.is_file() else [])
              if line.startswith("#")]
    body = [entry.line() for entry in sorted(entries, key=_sort_key)]
    path.write_text("\n".join(header + body) + "\n")
    return len(body)


@dataclass
class Comparison:
    passed: int
    failed: int
    unexpected: List[CaseResult]  # failing, not in the ledger
    fixed: List[LedgerEntry]      # in the ledger (not flaky), now passing
    stale: List[LedgerEntry]      # in the ledger, not run at all

    @property
    def ok(self) -> bool:
        return not self.unexpected and not self.fixed and not self.stale


def compare(results: Sequence[CaseResult],
            ledger: Dict[Tuple[str, str, str], LedgerEntry]) -> Comparison:
    by_key = {(r.nodes, r.suite, r.test): r for r in results}
    unexpected = [r for key, r in by_key.items() if not r.passed and key not in ledger]
    fixed = [e for key, e in ledger.items()
             if not e.flaky and key in by_key and by_key[key].passed]
    ran_nodes = {r.nodes for r in results}
    ran_suites = {r.suite for r in results}
    stale = [e for key, e in ledger.items()
             if key not in by_key and e.nodes in ran_nodes and e.suite in ran_suites]
    failed = sum(1 for r in results if not r.passed)
    return Comparison(len(results) - failed, failed, unexpected, fixed, stale)


def summary_line(results: Sequence[CaseResult], target: str = "embedded cluster") -> str:
    failed = sum(1 for r in results if not r.passed)
    return f"C client suite vs {target}: {len(results) - failed} passed, {failed} failed"


def report(comparison: Comparison) -> str:
    lines = []
    for r in comparison.unexpected:
        lines.append(f"NEW FAILURE  {r.nodes} {r.suite} {r.test}: {r.message}")
    for e in comparison.fixed:
        lines.append(f"NOW PASSES   {e.line()}   (remove it from the ledger)")
    for e in comparison.stale:
        lines.append(f"NOT RUN      {e.line()}   (no such test any more?)")
    return "\n".join(lines)


def suite_table(results: Sequence[CaseResult]) -> str:
    """Markdown table: per suite, tests run/passed/failed for each node count."""
    counts: Dict[Tuple[str, str], List[int]] = {}
    order: List[str] = []
    node_sets = sorted({r.nodes for r in results})
    for r in results:
        if r.suite not in order:
            order.append(r.suite)
        cell = counts.setdefault((r.suite, r.nodes), [0, 0])
        cell[0] += 1
        cell[1] += 0 if r.passed else 1
    head = "| suite | " + " | ".join(f"{n} node(s): run / passed / failed" for n in node_sets) + " |"
    lines = [head, "|---" * (len(node_sets) + 1) + "|"]
    for suite in order + ["**total**"]:
        cells = []
        for nodes in node_sets:
            if suite == "**total**":
                run = sum(c[0] for (s, n), c in counts.items() if n == nodes)
                failed = sum(c[1] for (s, n), c in counts.items() if n == nodes)
            else:
                run, failed = counts.get((suite, nodes), [0, 0])
            cells.append(f"{run} / {run - failed} / {failed}")
        lines.append(f"| {suite} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, action="append",
                        help="embedded cluster size (repeatable; default 1 and 3)")
    parser.add_argument("--suite", action="append", help="run only this suite (repeatable)")
    parser.add_argument("--hosts", help="run against this real cluster (host:port,...), expect 0 failures")
    parser.add_argument("--user", metavar="USER:PASSWORD",
                        help="log in as this user (embedded: security on, the user holds every "
                             "predefined role); never with --update-ledger")
    parser.add_argument("--update-ledger", action="store_true",
                        help="rewrite ledger.txt from this run (keeps reasons and flaky marks)")
    parser.add_argument("--table", action="store_true", help="print a per-suite table")
    parser.add_argument("--json", help="write all per-test results to this file")
    args = parser.parse_args(argv)

    user: Optional[Tuple[str, str]] = None
    if args.user:
        name, sep, password = args.user.partition(":")
        if not sep or not name or not password:
            parser.error("--user expects USER:PASSWORD")
        if args.update_ledger:
            parser.error("the ledger records runs without security: no --user with --update-ledger")
        user = (name, password)
    build = build_test_binary()
    if args.hosts:
        suites = args.suite or plan_suites(build)
        results = [r for run in run_all(build, args.hosts, "real", suites, user=user)
                   for r in run.results]
    else:
        results = run_embedded(build, args.nodes or NODE_COUNTS, args.suite, user=user)
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in results], indent=1))
    if args.table:
        print(suite_table(results))
    target = f"cluster {args.hosts}" if args.hosts else "embedded cluster"
    print(summary_line(results, target))
    if args.hosts:
        for r in results:
            if not r.passed:
                print(f"FAILED {r.suite} {r.test}: {r.message}")
        return 1 if any(not r.passed for r in results) else 0
    if args.update_ledger:
        if args.suite or args.nodes:
            parser.error("--update-ledger needs a full run (no --suite/--nodes)")
        print(f"c_suite: wrote {write_ledger(results)} entries to {LEDGER}")
        return 0
    if args.suite or args.nodes:
        for r in results:
            if not r.passed:
                print(f"FAILED {r.nodes} {r.suite} {r.test}: {r.message}")
        return 0
    comparison = compare(results, read_ledger())
    if not comparison.ok:
        print(report(comparison))
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
