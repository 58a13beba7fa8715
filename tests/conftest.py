"""The test session's C event loops, made before any instance connects (C's rule: an instance
connected without them cannot run async commands, and none may be made while one is
connected). aerospike_c.aio and tests/test_async.py run their commands on them; every other
test runs with them present, as an application that uses aio does."""
from __future__ import annotations

from aerospike_c import aio


def pytest_configure(config: object) -> None:
    aio.create_event_loops(2)
