"""The build: declarations in one place, every symbol the package uses declared, vendoring by hash."""
from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "aerospike_c"


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_ffi = load_module(ROOT / "build_ffi.py", "build_ffi")
fetch_c_client = load_module(ROOT / "vendor" / "fetch_c_client.py", "fetch_c_client")


def test_every_lib_symbol_the_package_uses_is_declared():
    from aerospike_c._aerospike import lib

    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= {(m, path.name) for m in re.findall(r"\blib\.([A-Za-z_]\w*)", path.read_text())}
    assert len(used) > 20
    missing = sorted(f"{name} ({where})" for name, where in used if not hasattr(lib, name))
    assert missing == []


def test_every_cdef_file_is_listed_once_and_named_after_a_real_header():
    listed = build_ffi.CDEF_HEADERS
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(p.name for p in (ROOT / "cdefs").glob("*.h"))
    include_root = ROOT / "vendor" / "aerospike-client-c"
    if not include_root.is_dir():
        pytest.skip("vendored C client not extracted")
    headers = {p.name for p in include_root.rglob("src/include/aerospike/*.h")}
    for name in listed:
        line = build_ffi.include_line(name)
        if "<aerospike/" in line:
            assert name in headers, f"cdefs/{name} is not named after a C client header"


def test_include_lines_follow_the_cdef_list():
    source = build_ffi.c_source()
    assert "#include <aerospike/as_config.h>" in source
    assert '#include "aerospike_c.h"' in source
    assert "#include <stdlib.h>" in source
    positions = [source.index(build_ffi.include_line(h)) for h in build_ffi.CDEF_HEADERS]
    assert positions == sorted(positions)


def test_another_c_client_checkout_is_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("AEROSPIKE_C_CLIENT_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="not a C client checkout"):
        build_ffi.c_client_dir()
    (tmp_path / "Makefile").write_text("")
    (tmp_path / "src" / "include").mkdir(parents=True)
    assert build_ffi.c_client_dir() == tmp_path.resolve()


def test_the_compiled_library_is_the_pinned_c_client():
    import aerospike_c

    pin = json.loads((ROOT / "vendor" / "pin.json").read_text())
    assert aerospike_c.C_CLIENT_VERSION == pin["c_client_version"]


def fake_sdist(path: Path, version: str) -> Path:
    """A tar.gz shaped like the official sdist, holding a tiny 'C client'."""
    files = {
        "aerospike-19.3.0/aerospike-client-c/Makefile": b"all:\n",
        "aerospike-19.3.0/aerospike-client-c/src/main/aerospike/version.c":
            f'char* aerospike_client_version = "{version}";\n'.encode(),
        "aerospike-19.3.0/src/main/client.c": b"/* not the C client */\n",
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_wrong_hash_is_refused_and_nothing_is_extracted(tmp_path):
    archive = fake_sdist(tmp_path / "aerospike-19.3.0.tar.gz", "7.6.1")
    target = tmp_path / "aerospike-client-c"
    with pytest.raises(fetch_c_client.FetchError, match="does not match the pin"):
        fetch_c_client.fetch(archive, target)
    assert not target.exists()


def test_extraction_takes_only_the_c_client_and_is_atomic(tmp_path):
    pin = dict(fetch_c_client.load_pin())
    target = tmp_path / "aerospike-client-c"
    fetch_c_client.extract(pin, fake_sdist(tmp_path / "good.tar.gz", pin["c_client_version"]), target)
    assert (target / "Makefile").is_file()
    assert not (target / "src" / "main" / "client.c").exists()
    assert fetch_c_client.is_current(pin, target)

    other = tmp_path / "other"
    with pytest.raises(fetch_c_client.FetchError, match="not version"):
        fetch_c_client.extract(pin, fake_sdist(tmp_path / "bad.tar.gz", "6.0.0"), other)
    assert not other.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".extract-")] == []


def test_libev_is_pinned_by_hash_and_checked_by_version(tmp_path):
    pin = fetch_c_client.load_pin(fetch_c_client.LIBEV_PIN_FILE)
    assert pin["package"] == "gevent" and len(pin["sha256"]) == 64 and pin["libev_version"]
    archive = fake_sdist(tmp_path / pin["filename"], "7.6.1")  # not the pinned archive
    with pytest.raises(fetch_c_client.FetchError, match="does not match the pin"):
        fetch_c_client.fetch_libev(archive, tmp_path / "libev")
    assert not (tmp_path / "libev").exists()
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "ev.h").write_text("#define EV_VERSION_MAJOR 3\n#define EV_VERSION_MINOR 9\n")
    with pytest.raises(fetch_c_client.FetchError, match="not version"):
        fetch_c_client.finish_libev(pin, tmp_path / "tree")


def test_the_c_client_is_built_with_its_libev_event_loops():
    import aerospike_c

    assert build_ffi.make_args(Path("/x"))[0] == "EVENT_LIB=libev"
    assert "asc_libev.c" in build_ffi.EXTRA_SOURCES
    assert aerospike_c.as_event_loop_size() >= 1  # tests/conftest.py made them: libev runs


def test_the_sdist_is_downloaded_by_a_python_new_enough_to_prepare_it(tmp_path, monkeypatch):
    pin = dict(fetch_c_client.load_pin())
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert fetch_c_client.pip_python({**pin, "requires_python": running}) == sys.executable
    # An older interpreter than the sdist needs: a new enough python3.N on PATH downloads it.
    newer = tmp_path / f"python3.{sys.version_info[1] + 1}"
    newer.symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert fetch_c_client.pip_python({**pin, "requires_python": running}, (3, 0)) == str(newer)
    with pytest.raises(fetch_c_client.FetchError, match=r"Python 3\.99\+ only"):
        fetch_c_client.pip_python({**pin, "requires_python": "3.99"})
