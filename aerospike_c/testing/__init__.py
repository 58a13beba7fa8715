"""An embedded, wire-level Aerospike test cluster.

Real TCP servers on 127.0.0.1 speak Aerospike's info, admin and message protocols well enough
for the unchanged C client to seed, discover, tend and use them::

    from aerospike_c.testing import EmbeddedCluster

    with EmbeddedCluster(nodes=3) as cluster:
        host, port = cluster.seed          # connect a client to any one node
        cluster.kill_node(1)               # the client's tender drops it ...
        cluster.restart_node(1)            # ... and adds it back

`SubprocessCluster` runs the same cluster in a child process; `python -m aerospike_c.testing`
runs it standalone.
"""

from __future__ import annotations

from ._subprocess import SubprocessCluster
from .server.cluster import DEFAULT_BUILD, EmbeddedCluster, Peer
from .server.info import request_info
from .server.node import Node
from .server.security import client_password_hash
from .server.store import N_PARTITIONS
from .server.wire import ProtocolError

__all__ = [
    "DEFAULT_BUILD",
    "N_PARTITIONS",
    "EmbeddedCluster",
    "Node",
    "Peer",
    "ProtocolError",
    "SubprocessCluster",
    "client_password_hash",
    "request_info",
]
