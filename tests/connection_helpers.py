"""Shared by the connection-management tests: a fast tender, bounded waits, a dead port."""
from __future__ import annotations

import socket
import time
from typing import Any, Callable

from aerospike_c.sdk import ClusterDefinition

#: The C client's minimum tend interval: node changes are seen within a few of these.
TEND_INTERVAL_MS = 250
#: Upper bound for any wait on the tender (many tend intervals).
WAIT_S = 10.0


def wait_until(predicate: Callable[[], bool], timeout: float = WAIT_S, interval: float = 0.02) -> bool:
    """Poll `predicate` until it is true (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def closed_port() -> int:
    """A loopback port nothing listens on (just released by the OS)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fast_definition(*seeds: Any, **options: Any) -> ClusterDefinition:
    """A ClusterDefinition with a fast tender and short timeouts (overridable)."""
    options.setdefault("tender_interval", TEND_INTERVAL_MS)
    options.setdefault("conn_timeout_ms", 500)
    options.setdefault("policies", {"info": {"timeout": 1000}})
    return ClusterDefinition(*seeds, **options)
