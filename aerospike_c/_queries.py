"""Client methods for multi-record work (batch, scan, query, info, index, UDF, truncate).

Mixed into `aerospike_c.Client`; each method calls C-faithful functions with the
client's `aerospike` instance.
"""
from __future__ import annotations


class QueryMethods:
    """Batch, scan, query, info, index, UDF and truncate operations of `Client`."""

    __slots__ = ()
