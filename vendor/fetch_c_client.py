#!/usr/bin/env python3
"""Fill vendor/aerospike-client-c/ with the pinned Aerospike C client, vendor/libev/ with libev.

The C client is not committed. vendor/pin.json names a registry package (the official
Python client's sdist, which bundles the C client), its version and its sha256. This
script downloads that sdist with pip, refuses it unless the hash matches, and extracts
only the C client folder. Extraction goes to a temporary folder that is renamed into
place at the end, so a failure never leaves a half-filled vendor/aerospike-client-c/.

    python vendor/fetch_c_client.py                 # download with pip, check, extract
    python vendor/fetch_c_client.py --archive F     # use an sdist already on disk
    python vendor/fetch_c_client.py --check         # exit 1 unless the folder matches the pin

After extraction, the patches in vendor/patches/*.patch (ours, if any) are applied in name order.

libev, the event library the C client's async API runs on (compiled into the extension,
csrc/asc_libev.c), comes the same way: vendor/libev.json pins a registry package that
bundles its sources (gevent's sdist, deps/libev/) and fetch_libev() extracts only that folder.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Callable

VENDOR_DIR = Path(__file__).resolve().parent
PIN_FILE = VENDOR_DIR / "pin.json"
TARGET_DIR = VENDOR_DIR / "aerospike-client-c"
LIBEV_PIN_FILE = VENDOR_DIR / "libev.json"
LIBEV_DIR = VENDOR_DIR / "libev"
STAMP_FILE = ".aerospike_c-pin"  # inside TARGET_DIR: the sha256 the folder was extracted from
PATCH_DIR = VENDOR_DIR / "patches"


class FetchError(RuntimeError):
    """The pinned C client could not be downloaded, verified or extracted."""


def load_pin(path: Path = PIN_FILE) -> dict[str, str]:
    with path.open() as f:
        return json.load(f)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_current(pin: dict[str, str], target: Path = TARGET_DIR) -> bool:
    """True when target holds a complete extraction of the pinned archive."""
    stamp = target / STAMP_FILE
    return stamp.is_file() and stamp.read_text().strip() == pin["sha256"]


def pip_python(pin: dict[str, str], running: "tuple[int, ...]" = tuple(sys.version_info[:3])) -> str:
    """An interpreter whose pip can download the pinned sdist: pip skips a release whose
    Requires-Python excludes its interpreter and prepares an sdist's metadata with it. The
    pin's `requires_python` is the oldest Python that works (3.10 for aerospike 19.3.0 and
    gevent 26.9.0): this one when it is new enough, else the newest python3.N (or python3)
    on PATH that is and has pip."""
    need = tuple(int(part) for part in pin.get("requires_python", "3").split("."))
    if running[:len(need)] >= need:
        return sys.executable
    check = f"import sys, pip; sys.exit(sys.version_info[:{len(need)}] < {need!r})"
    for name in [f"python3.{minor}" for minor in range(20, 9, -1)] + ["python3"]:
        found = shutil.which(name)
        if found and subprocess.run([found, "-c", check], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL).returncode == 0:
            return found
    raise FetchError(
        f"{pin['package']}=={pin['version']} prepares its metadata on Python "
        f"{pin['requires_python']}+ only, and no such python3.N with pip is on PATH: install "
        f"one, or run `python3.10 vendor/fetch_c_client.py` once before building here"
    )


def download(pin: dict[str, str], dest: Path) -> Path:
    """Download the pinned sdist with pip into dest and return its path."""
    command = [
        # Only the pinned package itself as an sdist: its build requirements (pip prepares its
        # metadata) may come as wheels, instead of being compiled from source too (Cython, greenlet).
        pip_python(pin), "-m", "pip", "download", "--no-deps", "--no-binary", pin["package"],
        "--disable-pip-version-check", "-d", str(dest), f"{pin['package']}=={pin['version']}",
    ]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    archive = dest / pin["filename"]
    if result.returncode != 0 or not archive.is_file():
        raise FetchError(
            f"pip could not download {pin['package']}=={pin['version']} "
            f"(exit {result.returncode}):\n{result.stdout[-2000:]}"
        )
    return archive


def verify(pin: dict[str, str], archive: Path) -> None:
    actual = sha256_of(archive)
    if actual != pin["sha256"]:
        raise FetchError(
            f"{archive.name}: sha256 {actual} does not match the pin {pin['sha256']}; refusing it"
        )


def extract(pin: dict[str, str], archive: Path, target: Path = TARGET_DIR,
            finish: "Callable[[dict[str, str], Path], None] | None" = None) -> None:
    """Extract the pinned member of archive into target, atomically; finish(pin, staging)
    checks (and patches) the extracted tree first (default: the C client's patches and version)."""
    prefix = pin["member"]
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=target.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = []
            for member in tar.getmembers():
                if not member.name.startswith(prefix) or member.name == prefix.rstrip("/"):
                    continue
                relative = member.name[len(prefix):]
                if member.issym() or member.islnk() or ".." in Path(relative).parts:
                    raise FetchError(f"unexpected link or path in archive: {member.name}")
                member.name = relative
                members.append(member)
            if not members:
                raise FetchError(f"{archive.name} holds no {prefix}")
            tar.extractall(staging, members=members)  # noqa: S202 - names checked above
        (finish or finish_c_client)(pin, staging)
        (staging / STAMP_FILE).write_text(pin["sha256"] + "\n")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def finish_c_client(pin: dict[str, str], tree: Path) -> None:
    apply_patches(tree)
    check_version(pin, tree)


def finish_libev(pin: dict[str, str], tree: Path) -> None:
    header = tree / "ev.h"
    text = header.read_text() if header.is_file() else ""
    major, minor = pin["libev_version"].split(".")
    if f"EV_VERSION_MAJOR {major}\n" not in text or f"EV_VERSION_MINOR {minor}\n" not in text:
        raise FetchError(f"extracted libev is not version {pin['libev_version']}")


def apply_patches(tree: Path) -> None:
    for patch in sorted(PATCH_DIR.glob("*.patch")):
        result = subprocess.run(
            ["patch", "-p1", "--forward", "--batch", "-i", str(patch)],
            cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        if result.returncode != 0:
            raise FetchError(f"patch {patch.name} failed:\n{result.stdout}")


def check_version(pin: dict[str, str], tree: Path) -> None:
    version_c = tree / "src" / "main" / "aerospike" / "version.c"
    text = version_c.read_text() if version_c.is_file() else ""
    if f'"{pin["c_client_version"]}"' not in text:
        raise FetchError(f"extracted C client is not version {pin['c_client_version']}")


def fetch(archive: Path | None = None, target: Path = TARGET_DIR) -> Path:
    """Make target hold the pinned C client; download only when it does not already."""
    pin = load_pin()
    if is_current(pin, target):
        return target
    with tempfile.TemporaryDirectory(prefix=".download-", dir=target.parent) as tmp:
        if archive is None:
            archive = download(pin, Path(tmp))
        verify(pin, archive)
        extract(pin, archive, target)
    return target


def fetch_libev(archive: Path | None = None, target: Path = LIBEV_DIR) -> Path:
    """Make target hold the pinned libev sources; download only when it does not already."""
    pin = load_pin(LIBEV_PIN_FILE)
    if is_current(pin, target):
        return target
    with tempfile.TemporaryDirectory(prefix=".download-", dir=target.parent) as tmp:
        if archive is None:
            archive = download(pin, Path(tmp))
        verify(pin, archive)
        extract(pin, archive, target, finish_libev)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="use this sdist instead of downloading")
    parser.add_argument("--check", action="store_true", help="only check the extracted folder")
    args = parser.parse_args(argv)
    pin = load_pin()
    if args.check:
        ok = is_current(pin)
        print(f"{TARGET_DIR}: {'matches' if ok else 'does not match'} the pin")
        return 0 if ok else 1
    try:
        path = fetch(args.archive)
        libev = fetch_libev()
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"C client {pin['c_client_version']} ready in {os.path.relpath(path)}, "
          f"libev in {os.path.relpath(libev)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
