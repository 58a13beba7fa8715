"""Every public function of the C client's headers is bound under its C name or decided.

scripts/c_api.py reads the vendored headers (which ones, and what counts as public, is said
there) and docs/c_api_ledger.toml, the record of what stays unbound and why. A new C client
version that adds a function fails here until it is bound or given a reason; a ledger entry
that is now bound, or that no header declares any more, fails too, so the ledger stays true.
docs/C_API.md is generated from both and must match.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Dict, List

import pytest

import aerospike_c

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def c_api() -> ModuleType:
    spec = importlib.util.spec_from_file_location("c_api", ROOT / "scripts" / "c_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def headers(c_api: ModuleType) -> Dict[str, List[str]]:
    found = c_api.public_names()
    assert sum(len(names) for names in found.values()) > 1000  # the parser found the headers
    return found


def test_every_public_c_name_is_bound_or_decided(c_api: ModuleType,
                                                 headers: Dict[str, List[str]]) -> None:
    decided = c_api.load_ledger().decided()
    names = [n for ns in headers.values() for n in ns]
    bound = [n for n in names if hasattr(aerospike_c, n)]
    unbound = [n for n in names if n not in bound and n in decided]
    undecided = [f"{h}: {n}" for h, ns in headers.items() for n in ns
                 if n not in bound and n not in decided]
    print(f"C API: {len(bound)} bound, {len(unbound)} decided unbound, {len(undecided)} undecided")
    assert not undecided, "bind these or give them a reason in docs/c_api_ledger.toml:\n" + \
        "\n".join(undecided)


def test_the_ledger_lists_only_unbound_names_of_their_header(
        c_api: ModuleType, headers: Dict[str, List[str]]) -> None:
    stale = []
    for name, (header, reason) in c_api.load_ledger().decided().items():
        if hasattr(aerospike_c, name):
            stale.append(f"{header}: {name} is bound now (drop it from the ledger)")
        elif name not in headers.get(header, ()):
            stale.append(f"{header}: {name} is not declared there ({reason.key})")
    assert not stale, "\n".join(stale)


def test_every_reason_is_used_and_says_why(c_api: ModuleType) -> None:
    ledger = c_api.load_ledger()
    used = {reason.key for _, reason in ledger.decided().values()}
    assert set(ledger.reasons) == used
    for reason in ledger.reasons.values():
        assert reason.category in c_api.CATEGORIES and len(reason.why) > 20
        if reason.category == "server":  # names the issue that builds it, or the server version
            assert "issue 1" in reason.why or "server 8.2" in reason.why, reason.key


def test_the_parser_finds_each_kind_of_public_name(c_api: ModuleType) -> None:
    text = """
    /* AS_EXTERN bool commented_out(int x); */
    AS_EXTERN as_status
    aerospike_thing(aerospike* as, as_error* err);
    static inline void
    as_thing_inline(int x) { }
    #define as_thing_inita(__t, __n) do { } while (0)
    #define AS_THING_MACRO(x) (x)
    #define as_thing_constant 3
    """
    assert c_api.names_in(text) == ["aerospike_thing", "as_thing_inline", "as_thing_inita"]


def test_docs_c_api_md_is_generated_from_the_ledger(c_api: ModuleType,
                                                    headers: Dict[str, List[str]]) -> None:
    names = [n for ns in headers.values() for n in ns]
    expected = c_api.render_doc(headers, c_api.bound_names(aerospike_c, names), c_api.load_ledger())
    assert (ROOT / "docs" / "C_API.md").read_text() == expected, \
        "docs/C_API.md lags the headers or the ledger: run python scripts/c_api.py"
