"""aerospike_c: the Aerospike C client, faithfully, from Python.

The C-faithful layer (C names and semantics, see `aerospike_c.bindings`) is importable
from here, so a port reads like the C. On top: the idiomatic `Config` and `Client`
(with `ops` for operate and `BatchRead`/`BatchWrite`/… for batches), and the SDK-shaped
`ClusterDefinition` → `Cluster` → `Session` (`aerospike_c.aio` has the asyncio flavour).
Errors are `AerospikeError` subclasses (`aerospike_c.exceptions`).
"""
from __future__ import annotations

from ._version import __version__
from .bindings import *  # noqa: F401,F403
from .bindings import __all__ as _bindings_all
from .bindings.version import C_CLIENT_VERSION
from ._admin import Admin, Privilege, Role, User
from ._queries import BatchApply, BatchRead, BatchRemove, BatchResult, BatchWrite
from ._records import Operation, ops
from .client import Client, Config
from .sdk import Cluster, ClusterDefinition, ClusterStats, Host, NodeStats, Session
from .exceptions import *  # noqa: F401,F403
from .exceptions import __all__ as _exceptions_all

__all__ = [
    "__version__", "C_CLIENT_VERSION", "Client", "Config", "ops", "Operation",
    "BatchRead", "BatchWrite", "BatchApply", "BatchRemove", "BatchResult",
    "Host", "ClusterDefinition", "Cluster", "Session", "ClusterStats", "NodeStats",
    "Admin", "Privilege", "User", "Role",
] + _bindings_all + _exceptions_all
