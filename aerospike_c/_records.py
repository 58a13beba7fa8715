"""Client methods for single-record work (put, get, operate, apply …), over the bindings.

Mixed into `aerospike_c.Client`; each method calls the C-faithful bindings with the
client's `aerospike` instance (`self._as`).

    key = ("test", "demo", "user-1")                 # (namespace, set, user key[, digest])
    client.put(key, {"name": "Ann", "visits": 1}, ttl=3600)
    record = client.get(key)                         # Record(key, meta, bins)
    record.bins["visits"], record.meta["gen"]
    client.increment(key, "visits", 1)               # -> the new value
    client.operate(key, [ops.list_append("tags", "new"), ops.read("tags")])

Keys are tuples (namespace, set, user_key) with an int, str or bytes user key, or
(namespace, set, None, digest), or an `as_key`. A `policy` argument is None (the client's
default from its config, C's NULL), a policy view (`as_policy_write_init()` …), or a dict
of fields by C name applied to a copy of the client's default ({"exists":
AS_POLICY_EXISTS_CREATE, "total_timeout": 50}: base fields may skip the "base" level).
Errors are the AerospikeError subclasses of `aerospike_c.exceptions`.

`ops` builds the operations of `operate()`: ops.write/read/incr/append/prepend/touch/delete,
and ops.list_<x> / ops.map_<x> for every as_operations_list_<x> / as_operations_map_<x>
function of the C client (same arguments after the bin name, C order; `ctx` and `policy`
by keyword: ctx an as_cdt_ctx or a list like [("map_key", "a"), ("list_index", 0)], policy
an as_list_policy / as_map_policy or a dict {"order": ..., "flags": ...}). ops.bit_<x> and
ops.hll_<x> are the as_operations_bit_<x> / as_operations_hll_<x> functions the same way,
without ctx (the server runs them on bins only) and, for bit values, without the byte count
C passes before the buffer (it is len(value)); policy an as_bit_policy / as_hll_policy or
{"flags": AS_BIT_WRITE_* / AS_HLL_WRITE_*}:

    client.operate(key, [ops.bit_set("bits", 13, 3, b"\xe0"), ops.bit_count("bits", 0, 40),
                         ops.hll_add("visitors", ["ann", "bob"], 12), ops.hll_get_count("visitors")])
ops.string_<x> is every as_operations_string_<x> (server 8.2; policy an as_string_policy or
{"flags": ...}), plus ops.to_string(bin).
"""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple, cast

from . import bindings as c
from .bindings.aerospike_key import (
    apply_udf, exists_meta, get_record, operate_record, put_bins, remove_key,
)
from .bindings import asc_key
from .bindings._cstruct import CStruct
from .bindings.as_policy import policy_copy, policy_from_config, policy_with
from .bindings.as_record import Record
from .exp import compiled
from ._txn import txn_policy

__all__ = ["RecordMethods", "Operation", "ops", "Record"]


class Operation(NamedTuple):
    """One operation for Client.operate(): a C-faithful as_operations_* function and its
    arguments after `ops`."""

    function: Callable[..., Any]
    args: Tuple[Any, ...]

    def add_to(self, operations: Any) -> None:
        """Add this operation to an as_operations."""
        self.function(operations, *self.args)


asc_key.operation_class(Operation)

#: Operation((function, args)) without the Python-level __new__ a NamedTuple adds: the simple
#: factories below run once per operation of every operate() call.
_operation = cast(Callable[[Tuple[Callable[..., Any], Tuple[Any, ...]]], Operation],
                  functools.partial(tuple.__new__, Operation))


def _cdt_ctx(ctx: Any) -> Any:
    """None, an as_cdt_ctx, or [(kind, *args), ...] -> as_cdt_ctx_add_<kind>(ctx, *args)."""
    if ctx is None or isinstance(ctx, c.as_cdt_ctx):
        return ctx
    if isinstance(ctx, (str, bytes)) or not isinstance(ctx, Sequence):
        raise TypeError(f"ctx must be an as_cdt_ctx or a list of (kind, value) items, "
                        f"not {type(ctx).__name__}")
    built = c.as_cdt_ctx_init(len(ctx))
    for item in ctx:
        if not isinstance(item, tuple) or not item or not isinstance(item[0], str):
            raise TypeError(f"a ctx item is a tuple (kind, *args) such as ('map_key', 'a'), not {item!r}")
        add = getattr(c, f"as_cdt_ctx_add_{item[0]}", None)
        if add is None:
            raise ValueError(f"unknown ctx kind {item[0]!r} (as_cdt_ctx_add_<kind> of the C client)")
        args = item[1:]
        if item[0] in _FILTER_KINDS and len(args) == 1:  # an exp.* expression, compiled
            args = (compiled(args[0], f"ctx item {item[0]!r}: filter"),)
        add(built, *args)
    return built


#: Context items that take a filter expression.
_FILTER_KINDS = ("all_children_with_filter", "and_filter")


def _cdt_policy(policy: Any, kind: str) -> Any:
    """None, a list/map/bit/HLL policy view, or {"order", "flags"[, "persist_index"]}
    ({"flags"} for bit and HLL). A missing map policy is the default one (what C does for NULL
    where it accepts NULL; increment/decrement/set_policy need one)."""
    if policy is None and kind == "map":
        return c.as_map_policy_init()
    if policy is None or isinstance(policy, CStruct):
        return policy
    if not isinstance(policy, Mapping):
        raise TypeError(f"a {kind} policy is an as_{kind}_policy or a dict, not {type(policy).__name__}")
    if kind == "string":
        if set(policy) - {"flags"}:
            raise ValueError(f"unknown string policy field(s): {sorted(set(policy) - {'flags'})}")
        built = c.as_string_policy_init()
        c.as_string_policy_set(built, policy.get("flags", c.AS_STRING_WRITE_FLAGS_DEFAULT))
        return built
    fields = {"list": {"order", "flags"}, "map": {"order", "flags", "persist_index"}}.get(
        kind, {"flags"})
    unknown = set(policy) - fields
    if unknown:
        raise ValueError(f"unknown {kind} policy field(s): {sorted(unknown)}")
    if kind == "list":
        built = c.as_list_policy_init()
        c.as_list_policy_set(built, policy.get("order", c.AS_LIST_UNORDERED),
                             policy.get("flags", c.AS_LIST_WRITE_DEFAULT))
    elif kind == "map":
        built = c.as_map_policy_init()
        c.as_map_policy_set_all(built, policy.get("order", c.AS_MAP_UNORDERED),
                                policy.get("flags", c.AS_MAP_WRITE_DEFAULT),
                                policy.get("persist_index", False))
    else:
        built = getattr(c, f"as_{kind}_policy_init")()
        getattr(c, f"as_{kind}_policy_set_write_flags")(built, policy.get("flags", 0))
    return built


_CTX_ARG = "struct as_cdt_ctx *"
_POLICY_ARGS = ("struct as_list_policy_s *", "struct as_map_policy_s *",
                "struct as_bit_policy_s *", "struct as_hll_policy_s *", "struct as_string_policy_s *")
_BUFFER_ARGS = ("uint8_t *", "unsigned char *")


def _cdt_factory(function: Callable[..., bool], kind: str) -> Callable[..., Operation]:
    """ops.<kind>_<x>(bin, *args, ctx=None, policy=None) for as_operations_<kind>_<x>; bit and
    HLL ones take no ctx, and a bit value's byte count (the argument before it) is len(value)."""
    c_args: Tuple[str, ...] = function.c_args  # type: ignore[attr-defined]
    takes_policy = any(a in _POLICY_ARGS for a in c_args)
    takes_ctx = _CTX_ARG in c_args and kind in ("list", "map", "string")
    sizes = {i - 1 for i, a in enumerate(c_args) if a in _BUFFER_ARGS} if kind == "bit" else set()
    value_args = [a for i, a in enumerate(c_args)
                  if a != _CTX_ARG and a not in _POLICY_ARGS and i not in sizes]

    def factory(bin_name: str, *args: Any, ctx: Any = None, policy: Any = None) -> Operation:
        if len(args) != len(value_args):
            raise TypeError(f"{factory.__name__}(bin, {', '.join(value_args) or ''}) takes "
                            f"{len(value_args)} value argument(s), got {len(args)}")
        if policy is not None and not takes_policy:
            raise TypeError(f"{factory.__name__} takes no policy")
        if ctx is not None and not takes_ctx:
            raise TypeError(f"{factory.__name__} takes no ctx" + (
                f" (the server runs {kind} operations on bins only)" if kind in ("bit", "hll") else ""))
        values = iter(args)
        full: List[Any] = [bin_name]
        for i, arg in enumerate(c_args):
            if arg == _CTX_ARG:
                full.append(_cdt_ctx(ctx))
            elif arg in _POLICY_ARGS:
                full.append(_cdt_policy(policy, kind))
            elif i in sizes:
                full.append(None)  # filled from the buffer after it
            else:
                full.append(next(values))
                if i - 1 in sizes:
                    buffer = full[-1]
                    full[-2] = len(buffer) if isinstance(buffer, (bytes, bytearray, memoryview)) else 0
        return Operation(function, tuple(full))

    name = function.__name__[len("as_operations_"):]
    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = (f"ops.{name}(bin, {', '.join(value_args)}"
                       f"{', ctx=None' if takes_ctx else ''}"
                       f"{', policy=None' if takes_policy else ''}): {function.__name__}.")
    return factory


class ops:  # noqa: N801 - a namespace of factories, used as ops.write(...)
    """Operation factories for Client.operate() (see the module doc)."""

    @staticmethod
    def write(bin_name: str, value: Any) -> Operation:
        """Write a bin (as_operations_add_write); None deletes the bin."""
        return _operation((c.as_operations_add_write, (bin_name, value)))

    @staticmethod
    def read(bin_name: Optional[str] = None) -> Operation:
        """Read a bin, or every bin when no name is given."""
        if bin_name is None:
            return _operation((c.as_operations_add_read_all, ()))
        return _operation((c.as_operations_add_read, (bin_name,)))

    @staticmethod
    def incr(bin_name: str, by: Any = 1) -> Operation:
        """Add an int or a float to a bin (as_operations_add_incr / _incr_double)."""
        if isinstance(by, float):
            return _operation((c.as_operations_add_incr_double, (bin_name, by)))
        return _operation((c.as_operations_add_incr, (bin_name, by)))

    @staticmethod
    def append(bin_name: str, value: Any) -> Operation:
        """Append a str or bytes to a bin."""
        if isinstance(value, str):
            return _operation((c.as_operations_add_append_str, (bin_name, value)))
        return _operation((c.as_operations_add_append_raw, (bin_name, value, len(value))))

    @staticmethod
    def prepend(bin_name: str, value: Any) -> Operation:
        """Prepend a str or bytes to a bin."""
        if isinstance(value, str):
            return _operation((c.as_operations_add_prepend_str, (bin_name, value)))
        return _operation((c.as_operations_add_prepend_raw, (bin_name, value, len(value))))

    @staticmethod
    def exp_read(name: str, expression: Any, flags: int = 0) -> Operation:
        """The value of an expression, returned under `name` (as_operations_exp_read;
        flags AS_EXP_READ_*). The expression is an as_exp or one of aerospike_c.exp's."""
        return Operation(c.as_operations_exp_read,
                         (name, compiled(expression, "ops.exp_read: expression"), flags))

    @staticmethod
    def exp_write(name: str, expression: Any, flags: int = 0) -> Operation:
        """Write an expression's value to bin `name` (as_operations_exp_write; flags
        AS_EXP_WRITE_*)."""
        return Operation(c.as_operations_exp_write,
                         (name, compiled(expression, "ops.exp_write: expression"), flags))

    @staticmethod
    def touch() -> Operation:
        """Reset the record's TTL (to operate()'s ttl, else the namespace default)."""
        return _operation((c.as_operations_add_touch, ()))

    @staticmethod
    def delete() -> Operation:
        """Delete the record."""
        return _operation((c.as_operations_add_delete, ()))

    @staticmethod
    def select_by_path(bin_name: str, ctx: Any,
                       flags: int = c.AS_EXP_PATH_SELECT_MATCHING_TREE) -> Operation:
        """Read what a path context selects in a list/map bin (as_operations_select_by_path):
        ctx such as [("map_key", "books"), ("all_children_with_filter", exp.le(...)),
        ("map_key", "price")] (filters: exp.* expressions or as_exp); flags
        AS_EXP_PATH_SELECT_* (the matching tree, or a list of the values, map keys or keys
        and values)."""
        return _operation((c.as_operations_select_by_path, (bin_name, _cdt_ctx(ctx), flags)))

    @staticmethod
    def modify_by_path(bin_name: str, ctx: Any, mod_exp: Any,
                       flags: int = c.AS_EXP_PATH_MODIFY_DEFAULT) -> Operation:
        """Replace each element a path context selects by the value of `mod_exp` (an exp.*
        expression or as_exp reading the element through exp.loopvar_*; exp.remove_result()
        removes it) (as_operations_modify_by_path)."""
        return _operation((c.as_operations_modify_by_path, (
            bin_name, _cdt_ctx(ctx), compiled(mod_exp, "ops.modify_by_path: mod_exp"), flags)))


# The three the benchmarks' operate() builds per call, in C (asc_key.operation_factory): the
# Python factories above stay their documentation and take keywords and errors.
for _name, _code, _function, _other in (
        ("write", asc_key.OP_WRITE, c.as_operations_add_write, None),
        ("read", asc_key.OP_READ, c.as_operations_add_read, c.as_operations_add_read_all),
        ("incr", asc_key.OP_INCR, c.as_operations_add_incr, c.as_operations_add_incr_double)):
    setattr(ops, _name, asc_key.operation_factory(Operation, getattr(ops, _name), _code,
                                                  _function, _other))
del _code, _function, _other

for _name in c.__all__:
    for _kind in ("list", "map", "bit", "hll", "string"):
        if _name.startswith(f"as_operations_{_kind}_") or (
                _kind == "string" and _name == "as_operations_to_string"):
            _factory = _cdt_factory(getattr(c, _name), _kind)
            setattr(ops, _factory.__name__, staticmethod(_factory))
del _name, _kind, _factory


def _operations(operations: Any, ttl: Optional[int], gen: Optional[int]) -> Any:
    """An as_operations from a list of Operation (or the as_operations itself)."""
    if isinstance(operations, c.as_operations):
        built = operations
    else:
        if isinstance(operations, Operation) or not isinstance(operations, Sequence):
            raise TypeError("operations must be a list of ops.* operations or an as_operations")
        built = c.as_operations_init(len(operations))
        for operation in operations:
            if not isinstance(operation, Operation):
                raise TypeError(f"expected an operation from ops.*, got {type(operation).__name__}")
            operation.add_to(built)
    if ttl is not None:
        built.ttl = ttl
    if gen is not None:
        built.gen = gen
    return built


class RecordMethods:
    """Single-record operations of `Client`."""

    __slots__ = ()
    _as: Any

    def _policy(self, kind: str, policy: Any, filter_exp: Any = None, txn: Any = None) -> Any:
        """None / a policy view as given; a dict: the client's default with these fields.
        With a filter_exp (an as_exp, or an aerospike_c.exp expression): a copy of that
        policy (or of the client's default) with it; with a txn (a Transaction or an as_txn),
        a copy in that transaction."""
        if txn is not None:
            return txn_policy(self._as, kind, self._policy(kind, policy, filter_exp), txn)
        if filter_exp is not None:
            if policy is None or isinstance(policy, Mapping):
                base = policy_with(policy_from_config(self._as, kind), policy or {})
            elif isinstance(policy, CStruct):
                base = policy_copy(policy)
            else:
                base = self._policy(kind, policy)  # raises the TypeError below
            return policy_with(base, {"filter_exp": compiled(filter_exp, "filter_exp")})
        if policy is None or isinstance(policy, CStruct):
            return policy
        if isinstance(policy, Mapping):
            return policy_with(policy_from_config(self._as, kind), policy)
        raise TypeError(f"policy must be None, an as_policy_{kind} or a dict of its fields, "
                        f"not {type(policy).__name__}")

    def put(self, key: Any, bins: Mapping[str, Any], *, ttl: Optional[int] = None,
            gen: Optional[int] = None, policy: Any = None, filter_exp: Any = None,
            txn: Any = None) -> None:
        """Write bins (aerospike_key_put); a None value deletes that bin. ttl in seconds
        (AS_RECORD_NO_EXPIRE_TTL: never, AS_RECORD_NO_CHANGE_TTL: keep); gen is checked
        with a write policy gen of AS_POLICY_GEN_EQ / _GT."""
        if policy is not None or filter_exp is not None or txn is not None:
            policy = self._policy("write", policy, filter_exp, txn)
        if asc_key.put(self._as, policy, key, bins, ttl, gen) is None:
            put_bins(self._as, policy, key, bins, ttl, gen)

    def get(self, key: Any, bins: Optional[Sequence[str]] = None, *, policy: Any = None,
            filter_exp: Any = None, txn: Any = None) -> Record:
        """Read the record, or only the named bins (aerospike_key_get / _select).
        RecordNotFoundError when there is no record."""
        if policy is not None or filter_exp is not None or txn is not None:
            policy = self._policy("read", policy, filter_exp, txn)
        if bins is None:
            record = asc_key.get(self._as, policy, key)
            if record is not None:
                return record
        return get_record(self._as, policy, key, bins)

    def select(self, key: Any, bins: Sequence[str], *, policy: Any = None,
               filter_exp: Any = None, txn: Any = None) -> Record:
        """Read the named bins only (aerospike_key_select)."""
        return self.get(key, bins, policy=policy, filter_exp=filter_exp, txn=txn)

    def exists(self, key: Any, *, policy: Any = None,
               filter_exp: Any = None, txn: Any = None) -> Optional[Dict[str, int]]:
        """The record's metadata {"gen", "ttl"} (aerospike_key_exists), None when absent."""
        if policy is not None or filter_exp is not None or txn is not None:
            policy = self._policy("read", policy, filter_exp, txn)
        meta = asc_key.exists(self._as, policy, key)
        if meta is None:
            return exists_meta(self._as, policy, key)
        return meta or None

    def remove(self, key: Any, *, policy: Any = None, filter_exp: Any = None,
               txn: Any = None) -> None:
        """Delete the record (aerospike_key_remove); RecordNotFoundError when absent."""
        if policy is not None or filter_exp is not None or txn is not None:
            policy = self._policy("remove", policy, filter_exp, txn)
        if asc_key.remove(self._as, policy, key) is None:
            remove_key(self._as, policy, key)

    def operate(self, key: Any, operations: Any, *, ttl: Optional[int] = None,
                gen: Optional[int] = None, policy: Any = None, filter_exp: Any = None,
                txn: Any = None) -> Record:
        """Run operations atomically (aerospike_key_operate); the Record's bins hold what
        they returned (the last result when a bin is named twice: see operate_ordered)."""
        if policy is not None or filter_exp is not None or txn is not None:
            policy = self._policy("operate", policy, filter_exp, txn)
        record = asc_key.operate(self._as, policy, key, operations, ttl, gen, False)
        if record is not None:
            return record  # type: ignore[no-any-return]
        return operate_record(self._as, policy, key, _operations(operations, ttl, gen))

    def operate_ordered(self, key: Any, operations: Any, *, ttl: Optional[int] = None,
                        gen: Optional[int] = None, policy: Any = None, filter_exp: Any = None,
                        txn: Any = None) -> Tuple[Any, Dict[str, int], List[Tuple[str, Any]]]:
        """Like operate(), with the results as [(bin, value), ...] in order, repeats kept.

        Sets the operate policy's respond_all_ops (on a copy), so that every operation, write
        operations included, has its place in the results (a server answers nil for those)."""
        if isinstance(policy, CStruct):
            given, policy = policy, policy_from_config(self._as, "operate")
            policy._ptr[0] = given._ptr[0]
            policy._keep(given)
            policy.respond_all_ops = True
        else:
            policy = self._policy("operate", {**(policy or {}), "respond_all_ops": True})
        if filter_exp is not None or txn is not None:
            policy = self._policy("operate", policy, filter_exp, txn)
        result = asc_key.operate(self._as, policy, key, operations, ttl, gen, True)
        if result is not None:
            return result  # type: ignore[no-any-return]
        return operate_record(self._as, policy, key, _operations(operations, ttl, gen), ordered=True)

    def touch(self, key: Any, ttl: Optional[int] = None, *, policy: Any = None,
              filter_exp: Any = None, txn: Any = None) -> Dict[str, int]:
        """Reset the record's time to live (a touch operation); returns the new metadata."""
        return self.operate(key, [ops.touch()], ttl=ttl, policy=policy, filter_exp=filter_exp,
                            txn=txn).meta

    def increment(self, key: Any, bin_name: str, by: Any = 1, *, ttl: Optional[int] = None,
                  policy: Any = None, filter_exp: Any = None, txn: Any = None) -> Any:
        """Add `by` (int or float) to a bin, creating it; returns the bin's new value."""
        record = self.operate(key, [ops.incr(bin_name, by), ops.read(bin_name)], ttl=ttl,
                              policy=policy, filter_exp=filter_exp, txn=txn)
        return record.bins.get(bin_name)

    def append(self, key: Any, bin_name: str, value: Any, *, ttl: Optional[int] = None,
               policy: Any = None, filter_exp: Any = None, txn: Any = None) -> None:
        """Append a str (or bytes) to a bin."""
        self.operate(key, [ops.append(bin_name, value)], ttl=ttl, policy=policy,
                     filter_exp=filter_exp, txn=txn)

    def prepend(self, key: Any, bin_name: str, value: Any, *, ttl: Optional[int] = None,
                policy: Any = None, filter_exp: Any = None, txn: Any = None) -> None:
        """Prepend a str (or bytes) to a bin."""
        self.operate(key, [ops.prepend(bin_name, value)], ttl=ttl, policy=policy,
                     filter_exp=filter_exp, txn=txn)

    def apply(self, key: Any, module: str, function: str, args: Sequence[Any] = (), *,
              policy: Any = None, filter_exp: Any = None, txn: Any = None) -> Any:
        """Run a record UDF (aerospike_key_apply); its result as a Python value."""
        return apply_udf(self._as, self._policy("apply", policy, filter_exp, txn), key, module,
                                   function, args)
