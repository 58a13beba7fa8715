"""Secondary indexes: their definitions, the sindex-* info commands, and finding the index a
query names (queries evaluate the index's predicate by scanning the partitions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Optional

from . import particles
from .results import (ERR_INDEX_NOT_FOUND, INFO_BIN_NAME_TOO_LONG, INFO_EXPRESSION_INDEX_UNSUPPORTED,
                      INFO_INDEX_DEFINITION_EXISTS, INFO_INDEX_NAME_EXISTS, INFO_INVALID_INDEX_DEFINITION,
                      INFO_INVALID_INDEX_NAME, INFO_INVALID_INDEX_TYPE, INFO_NAMESPACE_NOT_FOUND, INFO_NO_INDEX,
                      CommandError)

if TYPE_CHECKING:
    from .store import Namespace, NodeView, Store

#: A query's index type byte (FIELD_INDEX_TYPE) -> the index type it needs.
INDEX_TYPE_NAMES = {0: "DEFAULT", 1: "LIST", 2: "MAPKEYS", 3: "MAPVALUES"}
#: A query's particle type -> the bin types of indexes that answer it.
INDEX_BIN_TYPES = {particles.INTEGER: ("NUMERIC", "INTEGER"), particles.STRING: ("STRING",),
                   particles.BLOB: ("BLOB",), particles.GEOJSON: ("GEO2DSPHERE",)}


@dataclass
class SecondaryIndex:
    """A secondary index definition."""

    namespace: str
    name: str
    set_name: str
    bin_name: str
    bin_type: str  # NUMERIC / INTEGER / STRING / BLOB / GEO2DSPHERE
    index_type: str = "DEFAULT"  # DEFAULT / LIST / MAPKEYS / MAPVALUES
    context: str = ""  # base64 packed CDT context, as sent by the client

    def same_definition(self, other: "SecondaryIndex") -> bool:
        """True when both index the same data the same way."""
        return (self.set_name, self.bin_name, _canonical_type(self.bin_type), self.index_type,
                self.context) == (other.set_name, other.bin_name, _canonical_type(other.bin_type),
                                  other.index_type, other.context)


def _canonical_type(bin_type: str) -> str:
    return "NUMERIC" if bin_type in ("NUMERIC", "INTEGER") else bin_type


def find_index(ns: "Namespace", bin_name: bytes, ptype: int, index_type: int, has_context: bool,
               wanted_name: Optional[bytes]) -> SecondaryIndex:
    """The index a query uses: the one it names, else one on its bin, type and context."""
    bin_text = bin_name.decode("utf-8", "replace")
    for index in ns.sindexes.values():
        if wanted_name is not None:
            if index.name == wanted_name.decode("utf-8", "replace"):
                return index
            continue
        if (index.bin_name == bin_text
                and index.bin_type in INDEX_BIN_TYPES[ptype]
                and index.index_type == INDEX_TYPE_NAMES[index_type]
                and bool(index.context) == has_context):
            return index
    raise CommandError(ERR_INDEX_NOT_FOUND)


# -- info commands ------------------------------------------------------------------------

def sindex_create(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-create:ns=...;indexname=...;...`"""
    ns_name = params.get("namespace", params.get("ns", ""))
    ns = store.namespaces.get(ns_name)
    if ns is None:
        return INFO_NAMESPACE_NOT_FOUND
    index_name = params.get("indexname", "")
    if not index_name or len(index_name) > 255:
        return INFO_INVALID_INDEX_NAME
    if "exp" in params:
        return INFO_EXPRESSION_INDEX_UNSUPPORTED
    index_type = params.get("indextype", "DEFAULT").upper()
    if "bin" in params:
        bin_name, bin_type = params["bin"], params.get("type", "")
    else:
        bin_name, _, bin_type = params.get("indexdata", "").partition(",")
    bin_type = bin_type.upper()
    if index_type == "SET":
        bin_name, bin_type = "", "SET"
    elif not bin_name or bin_type not in ("NUMERIC", "INTEGER", "STRING", "BLOB",
                                          "GEO2DSPHERE"):
        return INFO_INVALID_INDEX_DEFINITION
    if len(bin_name.encode()) > 15:
        return INFO_BIN_NAME_TOO_LONG
    if index_type not in ("DEFAULT", "LIST", "MAPKEYS", "MAPVALUES", "SET"):
        return INFO_INVALID_INDEX_TYPE
    index = SecondaryIndex(ns_name, index_name, params.get("set", ""), bin_name, bin_type,
                           index_type, params.get("context", ""))
    with store.lock:
        existing = ns.sindexes.get(index_name)
        if existing is not None:
            if existing.same_definition(index):
                return "OK"
            return INFO_INDEX_NAME_EXISTS
        if any(s.same_definition(index) for s in ns.sindexes.values()):
            return INFO_INDEX_DEFINITION_EXISTS
        ns.sindexes[index_name] = index
    return "OK"


def sindex_delete(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-delete:ns=...;indexname=...`"""
    ns = store.namespaces.get(params.get("namespace", params.get("ns", "")))
    if ns is None:
        return INFO_NAMESPACE_NOT_FOUND
    with store.lock:
        ns.sindexes.pop(params.get("indexname", ""), None)
    return "OK"


def sindex_list(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-list` (also `sindex`), optionally for one namespace."""
    only_ns = params.get("namespace", params.get("ns"))
    entries = []
    with store.lock:
        for ns in store.namespaces.values():
            if only_ns and ns.name != only_ns:
                continue
            for s in ns.sindexes.values():
                entries.append(
                    f"ns={s.namespace}:indexname={s.name}:set={s.set_name or 'NULL'}:"
                    f"bin={s.bin_name or 'NULL'}:type={s.bin_type.lower()}:"
                    f"indextype={s.index_type.lower()}:context={s.context or 'NULL'}:"
                    f"exp=NULL:state=RW")
    return "".join(e + ";" for e in entries)


def sindex_stat_params(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-stat:ns=...;indexname=...`"""
    return sindex_stat(store, params.get("namespace", params.get("ns", "")),
                       params.get("indexname", ""))


def sindex_stat(store: "Store", ns_name: str, index_name: str) -> str:
    """Statistics of one index (`sindex/<ns>/<name>` and `sindex-stat`)."""
    ns = store.namespaces.get(ns_name)
    if ns is None:
        return INFO_NAMESPACE_NOT_FOUND
    with store.lock:
        if index_name not in ns.sindexes:
            return INFO_NO_INDEX
    return "keys=0;entries=0;memory_used=0;load_pct=100;loadtime=0;stat_gc_recs=0"


def sindex_exists(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-exists:ns=...;indexname=...`"""
    ns = store.namespaces.get(params.get("namespace", params.get("ns", "")))
    with store.lock:
        return "true" if ns is not None and params.get("indexname") in ns.sindexes else "false"
