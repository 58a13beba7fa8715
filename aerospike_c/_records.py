"""Client methods for single-record work (put, get, operate, apply …), over the bindings.

Mixed into `aerospike_c.Client`; each method calls one C-faithful function with the
client's `aerospike` instance.
"""
from __future__ import annotations


class RecordMethods:
    """Single-record operations of `Client`."""

    __slots__ = ()
