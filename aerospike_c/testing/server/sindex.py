"""Secondary indexes: their definitions, the sindex-* info commands, and finding the index a
query names (queries evaluate the index's predicate by scanning the partitions).

An index covers a bin (optionally the value at a CDT context inside it), or the value of an
expression (aerospike_index_create_exp: `exp=<base64>`, no bin); a query on an expression
index sends the same expression (FIELD_INDEX_EXPRESSION) and finds the index by it."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Optional, Tuple

from . import expressions, particles
from .results import (ERR_INDEX_NOT_FOUND, ERR_PARAMETER, INFO_BAD_INDEX_TYPE, INFO_BAD_KEY_TYPE,
                      INFO_BAD_MAPKEYS_TYPE, INFO_INDEX_LIMIT,
                      INFO_INDEX_NAME_EXISTS, INFO_NAMESPACE_NOT_ON_NODE, INFO_NO_INDEX, CommandError,
                      InfoError, info_error, info_param)

if TYPE_CHECKING:
    from .store import Namespace, NodeView, Store

#: A query's index type byte (FIELD_INDEX_TYPE) -> the index type it needs.
INDEX_TYPE_NAMES = {0: "DEFAULT", 1: "LIST", 2: "MAPKEYS", 3: "MAPVALUES"}
#: A query's particle type -> the bin types of indexes that answer it.
INDEX_BIN_TYPES = {particles.INTEGER: ("NUMERIC", "INTEGER"), particles.STRING: ("STRING",),
                   particles.BLOB: ("BLOB",), particles.GEOJSON: ("GEO2DSPHERE",)}


_WY_SECRET = (0xa0761d6478bd642f, 0xe7037ed1a0b428db, 0x8ebc6af09c88c6e3, 0x589965cc75374cc3)
_U64 = (1 << 64) - 1


def _wymix(a: int, b: int) -> int:
    product = a * b
    return (product & _U64) ^ (product >> 64)


def _wyr(data: bytes, pos: int, size: int) -> int:
    return int.from_bytes(data[pos:pos + size], "little")


def wyhash64(data: bytes) -> int:
    """cf_hash_math.h's cf_wyhash64 (wyhash final version 3): a string's or blob's value in
    a secondary index (sindex.h, as_sindex_string_to_bval / as_sindex_blob_to_bval, taken as
    a signed int64 there)."""
    secret = _WY_SECRET
    seed = 0x29FBB14cc886f ^ secret[0]
    length = len(data)
    if length <= 16:
        if length >= 4:
            shift = (length >> 3) << 2
            a = (_wyr(data, 0, 4) << 32) | _wyr(data, shift, 4)
            b = (_wyr(data, length - 4, 4) << 32) | _wyr(data, length - 4 - shift, 4)
        elif length > 0:
            a, b = (data[0] << 16) | (data[length >> 1] << 8) | data[length - 1], 0
        else:
            a = b = 0
    else:
        pos, left = 0, length
        if left > 48:
            see1 = see2 = seed
            while left > 48:
                seed = _wymix(_wyr(data, pos, 8) ^ secret[1], _wyr(data, pos + 8, 8) ^ seed)
                see1 = _wymix(_wyr(data, pos + 16, 8) ^ secret[2], _wyr(data, pos + 24, 8) ^ see1)
                see2 = _wymix(_wyr(data, pos + 32, 8) ^ secret[3], _wyr(data, pos + 40, 8) ^ see2)
                pos, left = pos + 48, left - 48
            seed ^= see1 ^ see2
        while left > 16:
            seed = _wymix(_wyr(data, pos, 8) ^ secret[1], _wyr(data, pos + 8, 8) ^ seed)
            pos, left = pos + 16, left - 16
        a = _wyr(data, pos + left - 16, 8)
        b = _wyr(data, pos + left - 8, 8)
    return _wymix(secret[1] ^ length, _wymix(a ^ secret[1], b ^ seed))


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
    expression: str = ""  # base64 packed expression of an expression index (no bin)

    def same_definition(self, other: "SecondaryIndex") -> bool:
        """True when both index the same data the same way."""
        return (self.set_name, self.bin_name, _canonical_type(self.bin_type), self.index_type,
                self.context, self.expression) == (
                    other.set_name, other.bin_name, _canonical_type(other.bin_type),
                    other.index_type, other.context, other.expression)

    def packed_expression(self) -> Optional[bytes]:
        """The expression an expression index covers, as a query sends it (None: a bin)."""
        return base64.b64decode(self.expression) if self.expression else None


def _canonical_type(bin_type: str) -> str:
    return "NUMERIC" if bin_type in ("NUMERIC", "INTEGER") else bin_type


def find_index(ns: "Namespace", set_name: Optional[bytes], bin_name: bytes, ptype: int,
               index_type: int, has_context: bool, wanted_name: Optional[bytes],
               expression: Optional[bytes] = None) -> SecondaryIndex:
    """The index a query uses: the one it names, else the expression index of its
    expression, else one on its bin, type and context; of those, the one on the query's set,
    else one on no set (sindex.c, as_sindex_lookup_by_defn: the set's id, then
    INVALID_SET_ID), so an index on another set answers nothing."""
    if wanted_name is not None:
        for index in ns.sindexes.values():
            if index.name == wanted_name.decode("utf-8", "replace"):
                return index
        raise CommandError(ERR_INDEX_NOT_FOUND)
    set_text = set_name.decode("utf-8", "replace") if set_name else ""
    defined = [index for index in ns.sindexes.values()
               if _answers(index, bin_name, ptype, index_type, has_context, expression)]
    for wanted_set in dict.fromkeys((set_text, "")):
        for index in defined:
            if index.set_name == wanted_set:
                return index
    raise CommandError(ERR_INDEX_NOT_FOUND)


def _answers(index: SecondaryIndex, bin_name: bytes, ptype: int, index_type: int,
             has_context: bool, expression: Optional[bytes]) -> bool:
    """True when the index's definition is the one a query's filter asks for."""
    if index.bin_type not in INDEX_BIN_TYPES[ptype]:
        return False
    if index.index_type != INDEX_TYPE_NAMES[index_type]:
        return False
    if expression is not None or index.expression:
        return index.packed_expression() == expression
    return (index.bin_name == bin_name.decode("utf-8", "replace")
            and bool(index.context) == has_context)


# -- info commands ------------------------------------------------------------------------
# A server keeps each index as cluster metadata keyed by its definition (namespace, set, bin,
# context, index and key types) with the index name as the value, and checks the namespace
# only where a node applies it: sindex-create on an unknown namespace answers ok and creates
# nothing; the same definition under another name renames the index.

#: The server's buffers for these parameters (AS_ID_NAMESPACE_SZ, AS_SET_NAME_MAX_SIZE,
#: INAME_MAX_SZ, AS_BIN_NAME_MAX_SZ) and its limit of indexes per namespace.
NAMESPACE_SIZE, SET_SIZE, INDEX_NAME_SIZE, BIN_SIZE = 32, 64, 64, 16
MAX_INDEXES = 256
_KEY_TYPES = ("NUMERIC", "INTEGER", "STRING", "BLOB", "GEO2DSPHERE")
_INDEX_TYPES = ("DEFAULT", "LIST", "MAPKEYS", "MAPVALUES", "SET")


def _namespace_param(params: Dict[str, str]) -> str:
    """The `namespace` parameter, or its older name `ns`."""
    if "namespace" not in params and "ns" in params:
        params = {"namespace": params["ns"]}
    return info_param(params, "namespace", NAMESPACE_SIZE) or ""


def _definition(params: Dict[str, str], index_name: str, ns_name: str,
                version: Tuple[int, ...]) -> SecondaryIndex:
    """The index a sindex-create describes, checked as a server of `version` checks it
    (InfoError)."""
    set_name = info_param(params, "set", SET_SIZE, False) or ""
    context = info_param(params, "context", 4096, False) or ""
    if context:
        try:
            base64.b64decode(context, validate=True)
        except ValueError:
            raise InfoError(info_error(ERR_PARAMETER, "'context' invalid base64")) from None
    index_type = (info_param(params, "indextype", 16, False) or "DEFAULT").upper()
    if index_type not in _INDEX_TYPES:
        raise InfoError(INFO_BAD_INDEX_TYPE)
    if index_type == "SET":
        return SecondaryIndex(ns_name, index_name, set_name, "", "SET", "SET")
    indexdata = info_param(params, "indexdata", 64, False)
    key_type = info_param(params, "type", 16, False)
    if (indexdata is None) == (key_type is None):
        raise InfoError(info_error(ERR_PARAMETER, "both 'indexdata' and 'type' are "
                                   + ("missing" if indexdata is None else "specified")))
    if key_type is not None:
        bin_name = info_param(params, "bin", BIN_SIZE, False)
        expression = info_param(params, "exp", 16384, False)
        if (bin_name is None) == (expression is None):
            raise InfoError(info_error(ERR_PARAMETER, "both 'bin' and 'exp' are "
                                       + ("missing" if bin_name is None else "specified")))
        if expression is not None:
            _check_expression(expression, version)
    else:
        bin_name, comma, key_type = (indexdata or "").partition(",")
        if not comma:
            raise InfoError(info_error(ERR_PARAMETER, "'indexdata' missing bin type"))
        if not bin_name:
            raise InfoError(info_error(ERR_PARAMETER, "'indexdata' missing bin name"))
        if len(bin_name.encode()) >= BIN_SIZE:
            raise InfoError(info_error(ERR_PARAMETER, "'indexdata' bin name too long"))
    key_type = (key_type or "").upper()
    if key_type not in _KEY_TYPES:
        raise InfoError(INFO_BAD_KEY_TYPE)
    if index_type == "MAPKEYS" and key_type == "GEO2DSPHERE":
        raise InfoError(INFO_BAD_MAPKEYS_TYPE)
    return SecondaryIndex(ns_name, index_name, set_name, bin_name or "", key_type, index_type,
                          context, params.get("exp") or "")


def _check_expression(text: str, version: Tuple[int, ...]) -> None:
    """An index expression: base64 of an expression a server builds (InfoError otherwise)."""
    try:
        packed = base64.b64decode(text, validate=True)
        expression = particles.unpack(packed)
        expressions.check_served(expression, version)
        expressions.compile_expression(expression)
    except (ValueError, particles.ParticleError):
        raise InfoError(info_error(ERR_PARAMETER, "'exp' invalid")) from None
    except CommandError as exc:
        raise InfoError(info_error(exc.code, "'exp' invalid: " + str(exc))) from None


def sindex_create(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-create:namespace=...;indexname=...;[set=...;][context=...;][indextype=...;]
    bin=...;type=...` (or the older `indexdata=<bin>,<type>`)."""
    index_name = info_param(params, "indexname", INDEX_NAME_SIZE) or ""
    ns_name = _namespace_param(params)
    index = _definition(params, index_name, ns_name, store.version)
    ns = store.namespaces.get(ns_name)
    if ns is None:
        return "ok"
    with store.lock:
        existing = ns.sindexes.get(index_name)
        if existing is not None:
            return "ok" if existing.same_definition(index) else INFO_INDEX_NAME_EXISTS
        same = [s for s in ns.sindexes.values() if s.same_definition(index)]
        if not same and len(ns.sindexes) >= MAX_INDEXES:
            return INFO_INDEX_LIMIT
        for old in same:  # a rename
            del ns.sindexes[old.name]
        ns.sindexes[index_name] = index
        if index.set_name:  # sindex.c, smd_create: the index's set gets its id
            ns.know_set(index.set_name.encode())
    return "ok"


def sindex_delete(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-delete:namespace=...;indexname=...` (ok when there is no such index)."""
    index_name = info_param(params, "indexname", INDEX_NAME_SIZE) or ""
    ns = store.namespaces.get(_namespace_param(params))
    if ns is not None:
        with store.lock:
            ns.sindexes.pop(index_name, None)
    return "ok"


def _local_namespace(store: "Store", params: Dict[str, str]) -> "Namespace":
    ns = store.namespaces.get(_namespace_param(params))
    if ns is None:
        raise InfoError(INFO_NAMESPACE_NOT_ON_NODE)
    return ns


def sindex_list(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-list[:namespace=...]` (also `sindex`)."""
    if "namespace" in params or "ns" in params:
        selected = [_local_namespace(store, params)]
    else:
        selected = list(store.namespaces.values())
    entries = []
    with store.lock:
        for ns in selected:
            for s in ns.sindexes.values():
                entries.append(
                    f"ns={s.namespace}:indexname={s.name}:set={s.set_name or 'null'}:"
                    f"bin={s.bin_name or 'null'}:type={_canonical_type(s.bin_type).lower()}:"
                    f"indextype={s.index_type.lower()}:context={s.context or 'null'}:"
                    f"exp={s.expression or 'null'}:state=RW")
    return ";".join(entries)


def sindex_stat_params(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-stat:namespace=...;indexname=...`"""
    index_name = info_param(params, "indexname", INDEX_NAME_SIZE) or ""
    return _stats(store, _local_namespace(store, params), index_name)


def sindex_stat(store: "Store", ns_name: str, index_name: str) -> str:
    """Statistics of one index (`sindex/<ns>/<name>`)."""
    ns = store.namespaces.get(ns_name)
    if ns is None:
        return "ns_type=unknown"
    return _stats(store, ns, index_name)


def _stats(store: "Store", ns: "Namespace", index_name: str) -> str:
    with store.lock:
        if index_name not in ns.sindexes:
            return INFO_NO_INDEX
    return ("entries=0;used_bytes=0;entries_per_bval=0;entries_per_rec=0;load_pct=100;"
            "load_time=0;stat_gc_recs=0")


def sindex_exists(store: "Store", params: Dict[str, str], node: "NodeView") -> str:
    """`sindex-exists:namespace=...;indexname=...`"""
    index_name = info_param(params, "indexname", INDEX_NAME_SIZE) or ""
    ns = _local_namespace(store, params)
    with store.lock:
        return "true" if index_name in ns.sindexes else "false"
