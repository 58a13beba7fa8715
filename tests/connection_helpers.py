"""Shared by the connection-management tests: a fast tender, bounded waits, a dead port."""
from __future__ import annotations

import socket
import time
from typing import Any, Callable, List

from aerospike_c.sdk import ClusterDefinition
from aerospike_c.testing import request_info

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


def seed_peers(host: str, port: int) -> List[str]:
    """The peer entries a node reports in `peers-clear-std` (`gen,port,[[name,tls,[hosts]],...]`)."""
    body = request_info((host, port), "peers-clear-std")["peers-clear-std"].split(",", 2)[2]
    return [entry for entry in body[1:-1].split("]],") if entry]


def fast_definition(*seeds: Any, **options: Any) -> ClusterDefinition:
    """A ClusterDefinition with a fast tender and short timeouts (overridable)."""
    options.setdefault("tender_interval", TEND_INTERVAL_MS)
    options.setdefault("conn_timeout_ms", 500)
    options.setdefault("policies", {"info": {"timeout": 1000}})
    return ClusterDefinition(*seeds, **options)
