"""The C client's public API, the checked-in ledger of what stays unbound, and docs/C_API.md.

    python scripts/c_api.py            # rewrite docs/C_API.md from the headers and the ledger
    python scripts/c_api.py --check    # exit 1 when docs/C_API.md lags them

Counted (HEADER_SETS): every header of the C client's src/include/aerospike/, and the headers of
its common module (modules/common) that define the values and containers a C user builds and
reads (COMMON_HEADERS); the rest of modules/common is the C client's own plumbing (buffers,
serializers, threads, atomics, the Lua module interface) that no client call takes.

A public name is an AS_EXTERN function, a `static inline` function, or a lower-case
function-like macro (`as_record_inita`, the `as_exp_*` builders); upper-case macros are the
headers' own helpers. A name is bound when `aerospike_c` has an attribute of that name;
otherwise docs/c_api_ledger.toml must say why it is not (tests/test_c_api_ledger.py).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, NamedTuple, Set, Tuple

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
C_CLIENT = ROOT / "vendor" / "aerospike-client-c"
CLIENT_HEADERS = C_CLIENT / "src" / "include" / "aerospike"
COMMON_HEADERS_DIR = C_CLIENT / "modules" / "common" / "src" / "include" / "aerospike"
LEDGER = ROOT / "docs" / "c_api_ledger.toml"
DOC = ROOT / "docs" / "C_API.md"

COMMON_HEADERS = [
    "as_val.h", "as_nil.h", "as_boolean.h", "as_integer.h", "as_double.h", "as_string.h",
    "as_bytes.h", "as_geojson.h", "as_list.h", "as_arraylist.h", "as_list_iterator.h",
    "as_arraylist_iterator.h", "as_map.h", "as_hashmap.h", "as_hashmap_iterator.h",
    "as_orderedmap.h", "as_map_iterator.h", "as_stringmap.h", "as_pair.h", "as_iterator.h",
    "as_msgpack_ext.h", "as_vector.h",
]

# Why a name is unbound: the reason's category (docs/c_api_ledger.toml [reasons.*].category).
CATEGORIES = {
    "internal": "internal to the C client",
    "replaced": "replaced by Python semantics",
    "unsafe": "unsafe in Python",
    "server": "needs a server feature the embedded cluster does not serve yet",
    "pending": "not bound yet: the named issue is on it",
}

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_EXTERN = re.compile(r"\bAS_EXTERN\b([^;{]*?)\b([A-Za-z_]\w*)\s*\(", re.S)
_INLINE = re.compile(r"\bstatic\s+inline\b([^;{]*?)\b([A-Za-z_]\w*)\s*\(", re.S)
_MACRO = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([a-z_][a-z0-9_]*)\(", re.M)


def header_files() -> List[Path]:
    """Every counted header, C client's first, each set in name order."""
    return (sorted(CLIENT_HEADERS.glob("*.h"))
            + [COMMON_HEADERS_DIR / name for name in COMMON_HEADERS])


def header_key(path: Path) -> str:
    """How the ledger and the doc name a header: as_key.h, or common/as_string.h."""
    return path.name if path.parent == CLIENT_HEADERS else f"common/{path.name}"


def names_in(text: str) -> List[str]:
    """The public function names a header declares (AS_EXTERN, static inline, macros)."""
    code = _COMMENT.sub(" ", text)
    found = [m.group(2) for m in _EXTERN.finditer(code)]
    found += [m.group(2) for m in _INLINE.finditer(code)]
    found += _MACRO.findall(code)
    return list(dict.fromkeys(n for n in found if not n.startswith("_")))


def public_names() -> Dict[str, List[str]]:
    """{header key: [names]}; a name declared in several headers counts in the first."""
    seen: Set[str] = set()
    result: Dict[str, List[str]] = {}
    for path in header_files():
        names = [n for n in names_in(path.read_text(errors="replace")) if n not in seen]
        seen.update(names)
        result[header_key(path)] = sorted(names)
    return result


class Reason(NamedTuple):
    key: str
    category: str
    why: str


class Ledger(NamedTuple):
    reasons: Dict[str, Reason]
    entries: Dict[str, Dict[str, str]]  # header key -> {name: reason key}

    def decided(self) -> Dict[str, Tuple[str, Reason]]:
        """{name: (header key, reason)} of every ledger entry."""
        return {name: (header, self.reasons[key])
                for header, names in self.entries.items() for name, key in names.items()}


def load_ledger(path: Path = LEDGER) -> Ledger:
    """Read docs/c_api_ledger.toml: [reasons.KEY] category/why, and per header KEY = [names]."""
    data = tomllib.loads(path.read_text())
    reasons = {}
    for key, spec in data.pop("reasons").items():
        if spec["category"] not in CATEGORIES:
            raise ValueError(f"reason {key}: unknown category {spec['category']!r}")
        reasons[key] = Reason(key, spec["category"], spec["why"].strip())
    entries: Dict[str, Dict[str, str]] = {}
    for header, groups in data.pop("headers").items():
        for key, names in groups.items():
            if key not in reasons:
                raise ValueError(f"{header}: unknown reason {key!r}")
            for name in names:
                if name in entries.setdefault(header, {}):
                    raise ValueError(f"{header}: {name} listed twice")
                entries[header][name] = key
    if data:
        raise ValueError(f"unknown ledger tables: {sorted(data)}")
    return Ledger(reasons, entries)


def bound_names(module: object, names: Iterable[str]) -> Set[str]:
    return {n for n in names if hasattr(module, n)}


def render_doc(headers: Mapping[str, List[str]], bound: Set[str], ledger: Ledger) -> str:
    """docs/C_API.md: the porting rules, then per header what is bound and why the rest is not."""
    decided = ledger.decided()
    total = sum(len(v) for v in headers.values())
    n_bound = sum(1 for v in headers.values() for n in v if n in bound)
    out = [PREAMBLE.replace("{total}", str(total)).replace("{bound}", str(n_bound))
           .replace("{unbound}", str(total - n_bound)).rstrip(), ""]
    out += ["## Per header", "",
            "| header | bound | unbound |", "| --- | ---: | ---: |"]
    for header, names in headers.items():
        b = sum(1 for n in names if n in bound)
        out.append(f"| [{header}](#{_anchor(header)}) | {b} | {len(names) - b} |")
    out.append("")
    for header, names in headers.items():
        out += [f"### {header}", ""]
        if not names:
            out += ["Declares no functions.", ""]
            continue
        here = [n for n in names if n in bound]
        if here:
            out += ["Bound: " + ", ".join(f"`{n}`" for n in here) + ".", ""]
        by_reason: Dict[str, List[str]] = {}
        for name in names:
            if name not in bound and name in decided:
                by_reason.setdefault(decided[name][1].key, []).append(name)
        for key, unbound in by_reason.items():
            reason = ledger.reasons[key]
            out += [f"Not bound ({CATEGORIES[reason.category]}: {reason.why}): "
                    + ", ".join(f"`{n}`" for n in unbound) + ".", ""]
        undecided = [n for n in names if n not in bound and n not in decided]
        if undecided:
            out += ["Undecided: " + ", ".join(f"`{n}`" for n in undecided) + ".", ""]
    return "\n".join(out).rstrip() + "\n"


def _anchor(header: str) -> str:
    return re.sub(r"[^a-z0-9_ -]", "", header.lower()).replace(" ", "-")


PREAMBLE = """\
# The C API in aerospike_c

Generated by `python scripts/c_api.py` from the C client's headers and
[c_api_ledger.toml](c_api_ledger.toml); `tests/test_c_api_ledger.py` fails when either
changes without the other, and when this file lags them.

Counted: every `AS_EXTERN` function, every `static inline` function and every lower-case
function-like macro (`as_record_inita`, the `as_exp_*` builders) of the C client's
`src/include/aerospike/*.h`, and of the headers of its common module that define the values
a C user builds and reads (`common/`: as_val, as_nil, as_boolean, as_integer, as_double,
as_string, as_bytes, as_geojson, as_list, as_arraylist, the list/map iterators, as_map,
as_hashmap, as_orderedmap, as_stringmap, as_pair, as_iterator, as_msgpack_ext, as_vector).
The rest of the common module (buffers, serializers, msgpack, threads, atomics, the Lua
module and `as_rec` record interface of mod-lua) is plumbing no client call takes.

**{total} names: {bound} bound under their C names, {unbound} decided unbound.**

A name that is not bound is one of: *internal to the C client*; *replaced by Python
semantics* (the replacement named); *unsafe in Python* (why); *needs a server feature the
embedded cluster does not serve yet* (the issue that builds it); *not bound yet* (the issue
that binds it).

## Porting rules

**Out-parameters become return values.** What C writes through a pointer argument the
binding returns; a C function that fills a struct the caller declared returns a new one.

```c
as_record* rec = NULL;                              | rec = aerospike_key_get(as_, None, key)
aerospike_key_get(&as, &err, NULL, &key, &rec);     |
as_policy_read p; as_policy_read_init(&p);          | p = as_policy_read_init()
```

**Errors are exceptions.** `as_error* err` is dropped from every argument list; a status
other than `AEROSPIKE_OK` raises the `AerospikeError` subclass for that code with the C
client's `code`, `message`, `file`, `line`, `in_doubt`. A C function that returns `false`
for bad input raises `ParamError` (`AEROSPIKE_ERR_PARAM`); a wrong Python type is a
`TypeError`, an out-of-range number a `ValueError`. NULL is `None`.

```c
if (aerospike_key_remove(&as, &err, NULL, &key) != AEROSPIKE_OK) {   | try:
    if (err.code == AEROSPIKE_ERR_RECORD_NOT_FOUND) { ... }          |     aerospike_key_remove(as_, None, key)
}                                                                    | except RecordNotFoundError: ...
```

C code that passes an `as_error` between its own functions keeps doing so: `as_error()` is the
struct, with `as_error_init`/`_reset`/`_copy`/`_append`/`_update`/`_set_message`/`_set_in_doubt`;
`as_error_copy(err, exc)` fills it from a raised `AerospikeError`, as the C call would have.

**Ownership follows C, memory is Python's.** An object made by `*_init`/`*_new`/`*_inita`
is one Python object (C's stack and heap variants are the same call); `*_destroy` frees its
C memory at once, and any later use raises `LifecycleError` instead of touching freed
memory; an object never destroyed is freed when collected. A struct handed to C keeps what
it points at alive. The `p` variants (`as_key_init_strp`, `as_record_set_rawp` ...) take
the same arguments as in C, `free` included, and copy the value (Python keeps its own).

```c
as_record rec;                                      | rec = as_record_inita(2)
as_record_inita(&rec, 2);                           |
as_record_set_strp(&rec, "name", strdup(s), true);  | as_record_set_strp(rec, "name", s, True)
as_record_destroy(&rec);                            | as_record_destroy(rec)   # rec unusable after
```
"""


def main(argv: List[str]) -> int:
    import aerospike_c
    headers = public_names()
    ledger = load_ledger()
    names = [n for ns in headers.values() for n in ns]
    text = render_doc(headers, bound_names(aerospike_c, names), ledger)
    if "--check" in argv:
        if DOC.read_text() != text:
            print(f"{DOC} lags the headers or the ledger: run python scripts/c_api.py")
            return 1
        return 0
    DOC.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
