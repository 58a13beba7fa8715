"""Fixtures for the multi-record tests (info, batch, scan, query, index, UDF, truncate).

`client`: a connected `Client` on `aerospike_hosts` (the embedded cluster, or the real one
named by AEROSPIKE_HOSTS), shared by a test module. `set_name`: a set no other test uses,
so the tests stay valid on a shared real server. Import the fixtures into a test module:

    from multi_record_fixtures import client, set_name  # noqa: F401 - pytest fixtures
"""
from __future__ import annotations

import uuid
from typing import Iterator, List, Tuple

import pytest

import aerospike_c as asc

NAMESPACE = "test"


@pytest.fixture(scope="module")
def client(aerospike_hosts: List[Tuple[str, int]]) -> Iterator[asc.Client]:
    """A connected client for the test module (closed and destroyed after it)."""
    with asc.Client(asc.Config(hosts=aerospike_hosts)) as connected:
        yield connected


@pytest.fixture
def set_name() -> str:
    """A set name no other test writes to."""
    return f"t_{uuid.uuid4().hex[:16]}"
