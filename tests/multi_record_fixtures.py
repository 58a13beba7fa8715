"""Fixtures for the multi-record tests (info, batch, scan, query, index, UDF, truncate).

`client`: the plugin's connected `aerospike_client` (on the embedded cluster, or the real
one named by AEROSPIKE_HOSTS). `set_name` / `unique_set()`: a set no other test uses, so
the tests stay valid on a shared real server. `fill()` writes numbered records. Import the
fixtures into a test module:

    from multi_record_fixtures import client, set_name  # noqa: F401 - pytest fixtures
"""
from __future__ import annotations

import uuid

import pytest

import aerospike_c as asc

NAMESPACE = "test"


@pytest.fixture(scope="session")
def client(aerospike_client: asc.Client) -> asc.Client:
    """The session's connected client (the plugin's `aerospike_client`)."""
    return aerospike_client


def unique_set() -> str:
    """A set name no other test writes to."""
    return f"t_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def set_name() -> str:
    """A set name no other test writes to."""
    return unique_set()


def fill(client: asc.Client, set_name: str, count: int) -> None:
    """Write records 0..count-1 of `set_name`: bins i (the number) and s ("s<i mod 10>")."""
    for i in range(count):
        client.put((NAMESPACE, set_name, i), {"i": i, "s": f"s{i % 10}"})


def index_names(client: asc.Client) -> set:
    """Index names every node reports (sindex-list, understood by every server version)."""
    names = set()
    for value in client.info_all("sindex-list").values():
        for entry in filter(None, value.split(";")):
            fields = dict(part.split("=", 1) for part in entry.split(":") if "=" in part)
            names.add(fields.get("indexname"))
    return names
