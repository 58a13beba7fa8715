"""Compile the raw C runner (bench.c) against the vendored C client's static library.

    python benchmarks/raw_c/build.py        # prints the path of the binary

The C client is built by `pip install -e .` (vendor/aerospike-client-c/target/...). The binary
goes to benchmarks/.build/ (git-ignored) and is rebuilt when bench.c or libaerospike.a changes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SOURCE = HERE / "bench.c"
BINARY = HERE.parent / ".build" / "bench_raw_c"
LINK_LIBS = ["-lssl", "-lcrypto", "-lyaml", "-lz", "-lpthread", "-lm"]
#: The C client is built on libev (its async API, EVENT_LIB=libev): the extension compiles
#: the pinned libev in through csrc/asc_libev.c, and so does this binary.
LIBEV_SOURCE = REPO / "csrc" / "asc_libev.c"
LIBEV_DIR = REPO / "vendor" / "libev"


def c_client_dir() -> Path:
    """The built C client: $AEROSPIKE_C_CLIENT_DIR or the vendored one."""
    base = Path(os.environ.get("AEROSPIKE_C_CLIENT_DIR", REPO / "vendor" / "aerospike-client-c"))
    return base / "target" / "Linux-x86_64"


def build(force: bool = False) -> Path:
    """Compile if needed; return the binary. RuntimeError says what is missing."""
    target = c_client_dir()
    library = target / "lib" / "libaerospike.a"
    if not library.exists():
        raise RuntimeError(f"{library} not found: build the package first (pip install -e .)")
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        raise RuntimeError("no C compiler (cc/gcc) on PATH")
    if not (LIBEV_DIR / "ev.c").exists():
        raise RuntimeError(f"{LIBEV_DIR} not found: build the package first (pip install -e .)")
    inputs_mtime = max(SOURCE.stat().st_mtime, library.stat().st_mtime)
    if not force and BINARY.exists() and BINARY.stat().st_mtime >= inputs_mtime:
        return BINARY
    BINARY.parent.mkdir(parents=True, exist_ok=True)
    command = [compiler, "-O2", "-g", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter",
               "-I", str(target / "include"), "-I", str(LIBEV_DIR), "-o", str(BINARY), str(SOURCE), str(LIBEV_SOURCE), str(library),
               *LINK_LIBS]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"compiling {SOURCE.name} failed:\n{result.stderr[-4000:]}")
    return BINARY


if __name__ == "__main__":
    try:
        print(build(force="--force" in sys.argv[1:]))
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
