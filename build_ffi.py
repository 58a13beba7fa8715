"""Build aerospike_c._aerospike: cffi out-of-line API mode over the Aerospike C client.

The C declarations live in cdefs/, one file per C header, named after it; CDEF_HEADERS
gives their order (a header comes after the ones whose types it uses). The same list
gives the #include lines of the generated C source, so a header is named once.

The C client is compiled by its own Makefile into libaerospike.a, which is linked
statically into the extension: a wheel needs no libaerospike on the system. It is built
with EVENT_LIB=libev (its async API) against the pinned libev sources in vendor/libev/,
which csrc/asc_libev.c compiles into the extension: a wheel needs no libev either.

Environment:
    AEROSPIKE_C_CLIENT_DIR   build against this C client checkout instead of
                             vendor/aerospike-client-c (which is fetched when missing)
    AEROSPIKE_C_MAKE_JOBS    parallel jobs for the C client's make (default: CPU count)
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parent
CDEF_DIR = ROOT / "cdefs"
CSRC_DIR = ROOT / "csrc"
VENDOR_DIR = ROOT / "vendor"

# Order matters: each header after those it depends on.
CDEF_HEADERS = [
    "stdlib.h",
    "as_vector.h",
    "as_status.h",
    "as_subcode.h",
    "as_error.h",
    "as_version.h",
    "as_log.h",
    "as_host.h",
    "as_metrics.h",
    "as_policy.h",
    "as_config.h",
    "as_event.h",
    "aerospike.h",
    "aerospike_stats.h",
    "as_cluster.h",
    "as_val.h",
    "as_nil.h",
    "as_boolean.h",
    "as_integer.h",
    "as_double.h",
    "as_string.h",
    "as_bytes.h",
    "as_geojson.h",
    "as_list.h",
    "as_arraylist.h",
    "as_map.h",
    "as_iterator.h",
    "as_pair.h",
    "as_orderedmap.h",
    "as_msgpack_ext.h",
    "as_rec.h",
    "as_bin.h",
    "as_key.h",
    "as_txn.h",
    "as_txn_monitor.h",
    "as_record.h",
    "as_record_iterator.h",
    "as_cdt_order.h",
    "as_cdt_ctx.h",
    "as_operations.h",
    "as_list_operations.h",
    "as_map_operations.h",
    "as_bit_operations.h",
    "as_hll_operations.h",
    "as_string_operations.h",
    "as_exp.h",
    "as_exp_operations.h",
    "aerospike_key.h",
    "aerospike_txn.h",
    "as_info.h",
    "aerospike_info.h",
    "as_udf.h",
    "aerospike_udf.h",
    "aerospike_index.h",
    "as_job.h",
    "as_partition_filter.h",
    "as_scan.h",
    "aerospike_scan.h",
    "as_query.h",
    "aerospike_query.h",
    "as_batch.h",
    "aerospike_batch.h",
    "as_admin.h",
    "aerospike_c.h",
    "asc_key.h",
    "asc_aerospike.h",
    "asc_batch.h",
    "asc_udf.h",
    "asc_async.h",
    "asc_async_scan.h",
    "asc_async_batch.h",
    "asc_txn.h",
    "asc_metrics.h",
]

# Where a cdef file's C header is found when it is not <aerospike/NAME>.
SYSTEM_HEADERS = {"stdlib.h": "<stdlib.h>"}
# Headers declared together with another cdef file but included on their own.
EXTRA_INCLUDES = ["<aerospike/as_node.h>"]

LINK_LIBRARIES = ["ssl", "crypto", "yaml", "z", "pthread", "m"]

#: The C client's event library (its Makefile's EVENT_LIB), compiled in from vendor/libev/.
EVENT_LIB = "libev"
EVENT_LIB_DEFINE = "AS_USE_LIBEV"
#: Our C sources compiled into the extension besides cffi's own (the event library).
EXTRA_SOURCES = ["asc_libev.c"]


def include_line(header: str) -> str:
    """Our own headers live in csrc/ (same name); the rest are the C client's or the system's."""
    if (CSRC_DIR / header).is_file():
        return f'#include "{header}"'
    return f"#include {SYSTEM_HEADERS.get(header) or f'<aerospike/{header}>'}"


def read_cdefs() -> str:
    missing = sorted({p.name for p in CDEF_DIR.glob("*.h")} - set(CDEF_HEADERS))
    if missing:
        raise RuntimeError(f"cdefs/ files not listed in CDEF_HEADERS: {missing}")
    return "\n".join((CDEF_DIR / name).read_text() for name in CDEF_HEADERS)


def c_source() -> str:
    lines = [include_line(h) for h in CDEF_HEADERS] + [f"#include {h}" for h in EXTRA_INCLUDES]
    return "\n".join(lines) + "\n"


def c_client_dir() -> Path:
    """The C client to build: AEROSPIKE_C_CLIENT_DIR, else the pinned vendored copy."""
    override = os.environ.get("AEROSPIKE_C_CLIENT_DIR")
    if override:
        path = Path(override).resolve()
        if not (path / "Makefile").is_file() or not (path / "src" / "include").is_dir():
            raise RuntimeError(f"AEROSPIKE_C_CLIENT_DIR={override} is not a C client checkout")
        return path
    return fetch_vendored("fetch", "the pinned C client")


def fetch_vendored(function: str, what: str) -> Path:
    """vendor/fetch_c_client.py's `function`(): the folder it filled (or found current)."""
    sys.path.insert(0, str(VENDOR_DIR))
    try:
        import fetch_c_client
    finally:
        sys.path.pop(0)
    try:
        return getattr(fetch_c_client, function)()  # type: ignore[no-any-return]
    except fetch_c_client.FetchError as exc:
        raise RuntimeError(f"cannot get {what}: {exc}") from exc


def libev_dir() -> Path:
    """The pinned libev sources (vendor/libev/, fetched when missing)."""
    return fetch_vendored("fetch_libev", "the pinned libev")


def make_args(libev: Path) -> list[str]:
    """The C client's make variables: its async API on libev, libev's headers from vendor/."""
    return [f"EVENT_LIB={EVENT_LIB}", f"EXT_CFLAGS=-I{libev}"]


def target_dir(client: Path) -> Path:
    """The C client's own output folder, target/<OS>-<ARCH> as in its settings.mk."""
    return client / "target" / f"{platform.system()}-{platform.machine()}"


def build_c_client(client: Path, libev: Path) -> Path:
    """Run the C client's make (incremental) and return its target folder.

    make does not track flags: a target built with other make variables (an older tree
    built without an event library) is removed first, as the stamp in it tells."""
    jobs = os.environ.get("AEROSPIKE_C_MAKE_JOBS") or str(os.cpu_count() or 2)
    variables = make_args(libev)
    stamp = target_dir(client) / ".aerospike_c-make"
    if target_dir(client).exists() and (not stamp.is_file() or stamp.read_text() != repr(variables)):
        shutil.rmtree(target_dir(client))
    command = ["make", "-C", str(client), f"-j{jobs}", *variables]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-8000:])
        raise RuntimeError(f"building the C client failed: {' '.join(command)}")
    target = target_dir(client)
    if not (target / "lib" / "libaerospike.a").is_file():
        raise RuntimeError(f"make did not produce {target}/lib/libaerospike.a")
    stamp.write_text(repr(variables))
    return target


def lua_include_dirs(client: Path) -> list[Path]:
    """mod-lua's and Lua's headers (csrc/asc_udf.h runs the embedded server's UDFs with them)."""
    return [client / "modules" / "mod-lua" / "src" / "include", client / "modules" / "lua"]


def make_ffi() -> FFI:
    client = c_client_dir()
    libev = libev_dir()
    target = build_c_client(client, libev)
    ffi = FFI()
    ffi.cdef(read_cdefs())
    ffi.set_source(
        "aerospike_c._aerospike",
        c_source(),
        sources=[str(CSRC_DIR / name) for name in EXTRA_SOURCES],
        include_dirs=[str(target / "include"), str(CSRC_DIR), str(libev),
                      *map(str, lua_include_dirs(client))],
        define_macros=[(EVENT_LIB_DEFINE, None)],
        extra_objects=[str(target / "lib" / "libaerospike.a")],
        libraries=LINK_LIBRARIES,
        extra_compile_args=["-std=gnu99", "-D_GNU_SOURCE", "-fno-strict-aliasing", "-Wno-unused-function"],
    )
    return ffi


# cffi's setuptools hook runs this file with __name__ == "__cffi__"; importing it (tests) does not build.
ffibuilder = make_ffi() if __name__ in ("__main__", "__cffi__") else None

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
