"""as_policy.h: every policy struct, as checked views with the C defaults.

    p = as_policy_write_init()                 # as_policy_write p; as_policy_write_init(&p);
    p.exists = AS_POLICY_EXISTS_CREATE         # fields by C name, checked (enums, ranges)
    p.base.total_timeout = 200
    aerospike_key_put(as_, p, key, rec)        # None instead of p: C's NULL, the config default

One `as_policy_<kind>_init()` per C init function: read, write, operate, remove, apply,
batch, batch_parent_write, batch_read, batch_write, batch_apply, batch_remove, scan, query,
info, admin, txn_verify, txn_roll. Each returns an instance of the class named after the C
type (`as_policy_read` ...). `filter_exp` takes None or an `as_exp` (as_exp_build); `txn` None or an
object whose `_ptr` is the C `as_txn*` (each kept alive by the policy).

API for the other bindings and the Client (stable; a policy argument for C is made by
`_calls.policy_arg(policy, ctype)`: None -> NULL, else the view's pointer):

    policy_from_config(as_, kind) -> policy     a copy of as->config.policies.<kind>
    policy_copy(policy) -> policy               a copy (what it points at kept alive)
    policy_with(base, fields: Mapping) -> base  set fields by C name; a dict sets a nested struct,
                                                and a field of `base` (total_timeout ...) may be
                                                given without the "base" level
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Dict, Tuple, Type, cast

from .._aerospike import ffi, lib
from ._cstruct import CStruct, register_field, set_fields
from ._owned import OwnedStruct, struct_ptr
from .as_config import exp_pointers
from .as_exp import as_exp, as_exp_from_base64, as_exp_to_base64, exp_object
from .as_txn import hold_txn, txn_field

__all__ = [
    "as_policy_read", "as_policy_write", "as_policy_operate", "as_policy_remove",
    "as_policy_apply", "as_policy_batch", "as_policy_batch_read", "as_policy_batch_write",
    "as_policy_batch_apply", "as_policy_batch_remove", "as_policy_scan", "as_policy_query",
    "as_policy_info", "as_policy_admin",
    "as_policy_read_init", "as_policy_write_init", "as_policy_operate_init",
    "as_policy_remove_init", "as_policy_apply_init", "as_policy_batch_init",
    "as_policy_batch_parent_write_init", "as_policy_batch_read_init",
    "as_policy_batch_write_init", "as_policy_batch_apply_init", "as_policy_batch_remove_init",
    "as_policy_scan_init", "as_policy_query_init", "as_policy_info_init", "as_policy_admin_init",
    "as_policy_txn_verify_init", "as_policy_txn_roll_init",
]


class _Policy(OwnedStruct):
    """A policy struct owned by Python (ffi.new), with what its pointer fields reference."""

    __slots__ = ("__weakref__",)  # a transaction it points at knows it is held
    ctype = ""

    def __init__(self) -> None:
        super().__init__(ffi.new(f"{self.ctype}*"), self.ctype)

    def __repr__(self) -> str:
        return f"<{self.ctype} {self.to_dict()!r}>"


def _policy_class(ctype: str) -> Type[_Policy]:
    return cast(Type[_Policy], type(ctype, (_Policy,), {
        "__slots__": (), "ctype": ctype, "__doc__": f"`{ctype}`: fields by C name, checked."}))


def _write_flags_policy(kind: str, prefix: str) -> Tuple[Type[_Policy], Callable[[], Any],
                                                        Callable[[Any, int], None]]:
    """as_<kind>_policy (bit, HLL: one `flags` field of <prefix>* bits) with its C
    as_<kind>_policy_init and as_<kind>_policy_set_write_flags."""
    ctype = f"as_{kind}_policy"
    policy_class = _policy_class(ctype)
    _flags_field(ctype, "flags", f"as_{kind}_write_flags", prefix)
    c_init = getattr(lib, f"{ctype}_init")

    def init() -> Any:
        policy = policy_class()
        c_init(policy._ptr)
        return policy

    def set_write_flags(policy: Any, flags: int) -> None:
        if not isinstance(policy, policy_class):
            raise TypeError(f"expected an {ctype}, got {type(policy).__name__}")
        policy.flags = flags

    init.__name__ = init.__qualname__ = f"{ctype}_init"
    init.__doc__ = f"{ctype}_init(&p): {prefix}DEFAULT."
    set_write_flags.__name__ = set_write_flags.__qualname__ = f"{ctype}_set_write_flags"
    set_write_flags.__doc__ = f"{ctype}_set_write_flags(): the write flags ({prefix}* or'ed)."
    return policy_class, init, set_write_flags


def _flags_field(ctype: str, field: str, flags_enum: str, prefix: str) -> None:
    """Field `field` of the CDT/bit/HLL policy `ctype` holds bits: any combination (or) of the
    values of the C enum `flags_enum` (named `prefix`*), nothing else."""
    allowed = 0
    for value in ffi.typeof(flags_enum).elements:
        allowed |= value

    def set_flags(view: CStruct, flags: Any) -> None:
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise TypeError(f"{view._path}.{field} must be an int, not {type(flags).__name__}")
        if flags < 0 or flags & ~allowed:
            raise ValueError(f"{view._path}.{field} must combine {prefix}* values, got {flags}")
        setattr(view._ptr, field, flags)

    register_field(ctype, field, lambda view: getattr(view._ptr, field), set_flags)


as_policy_read = _policy_class("as_policy_read")
as_policy_write = _policy_class("as_policy_write")
as_policy_operate = _policy_class("as_policy_operate")
as_policy_remove = _policy_class("as_policy_remove")
as_policy_apply = _policy_class("as_policy_apply")
as_policy_batch = _policy_class("as_policy_batch")
as_policy_batch_read = _policy_class("as_policy_batch_read")
as_policy_batch_write = _policy_class("as_policy_batch_write")
as_policy_batch_apply = _policy_class("as_policy_batch_apply")
as_policy_batch_remove = _policy_class("as_policy_batch_remove")
as_policy_scan = _policy_class("as_policy_scan")
as_policy_query = _policy_class("as_policy_query")
as_policy_info = _policy_class("as_policy_info")
as_policy_admin = _policy_class("as_policy_admin")

# init function suffix -> (class, C init function); txn_* and batch_parent_write are as_policy_batch.
_KINDS: Dict[str, Any] = {
    "read": as_policy_read, "write": as_policy_write, "operate": as_policy_operate,
    "remove": as_policy_remove, "apply": as_policy_apply, "batch": as_policy_batch,
    "batch_parent_write": as_policy_batch, "batch_read": as_policy_batch_read,
    "batch_write": as_policy_batch_write, "batch_apply": as_policy_batch_apply,
    "batch_remove": as_policy_batch_remove, "scan": as_policy_scan, "query": as_policy_query,
    "info": as_policy_info, "admin": as_policy_admin, "txn_verify": as_policy_batch,
    "txn_roll": as_policy_batch,
}


def _init(kind: str) -> _Policy:
    policy = _KINDS[kind]()
    getattr(lib, f"as_policy_{kind}_init")(policy._ptr)
    return policy


def as_policy_read_init() -> Any:
    """as_policy_read_init(&p): the C defaults for aerospike_key_get/select/exists."""
    return _init("read")


def as_policy_write_init() -> Any:
    """as_policy_write_init(&p): the C defaults for aerospike_key_put."""
    return _init("write")


def as_policy_operate_init() -> Any:
    """as_policy_operate_init(&p): the C defaults for aerospike_key_operate."""
    return _init("operate")


def as_policy_remove_init() -> Any:
    """as_policy_remove_init(&p): the C defaults for aerospike_key_remove."""
    return _init("remove")


def as_policy_apply_init() -> Any:
    """as_policy_apply_init(&p): the C defaults for aerospike_key_apply."""
    return _init("apply")


def as_policy_batch_init() -> Any:
    """as_policy_batch_init(&p): the C defaults for batch reads."""
    return _init("batch")


def as_policy_batch_parent_write_init() -> Any:
    """as_policy_batch_parent_write_init(&p): the C defaults for batches that write."""
    return _init("batch_parent_write")


def as_policy_batch_read_init() -> Any:
    """as_policy_batch_read_init(&p): per-record batch read defaults."""
    return _init("batch_read")


def as_policy_batch_write_init() -> Any:
    """as_policy_batch_write_init(&p): per-record batch write defaults."""
    return _init("batch_write")


def as_policy_batch_apply_init() -> Any:
    """as_policy_batch_apply_init(&p): per-record batch UDF defaults."""
    return _init("batch_apply")


def as_policy_batch_remove_init() -> Any:
    """as_policy_batch_remove_init(&p): per-record batch remove defaults."""
    return _init("batch_remove")


def as_policy_scan_init() -> Any:
    """as_policy_scan_init(&p): the C defaults for scans."""
    return _init("scan")


def as_policy_query_init() -> Any:
    """as_policy_query_init(&p): the C defaults for queries."""
    return _init("query")


def as_policy_info_init() -> Any:
    """as_policy_info_init(&p): the C defaults for info requests."""
    return _init("info")


def as_policy_admin_init() -> Any:
    """as_policy_admin_init(&p): the C defaults for user/role administration."""
    return _init("admin")


def as_policy_txn_verify_init() -> Any:
    """as_policy_txn_verify_init(&p): transaction verify defaults (an as_policy_batch)."""
    return _init("txn_verify")


def as_policy_txn_roll_init() -> Any:
    """as_policy_txn_roll_init(&p): transaction roll forward/back defaults (an as_policy_batch)."""
    return _init("txn_roll")


# -- pointer fields: filter_exp, txn --------------------------------------------------------------
def _pointer_field(field: str, ctype: str) -> Any:
    def getter(view: CStruct) -> Any:
        value = getattr(view._ptr, field)
        return None if value == ffi.NULL else value

    def setter(view: CStruct, value: Any) -> None:
        ptr = ffi.NULL if value is None else getattr(value, "_ptr", value)
        if value is not None and (not isinstance(ptr, ffi.CData)
                                  or ffi.typeof(ptr) is not ffi.typeof(f"{ctype}*")):
            raise TypeError(f"{view._path}.{field} takes None or an {ctype} (its _ptr), "
                            f"not {type(value).__name__}")
        setattr(view._ptr, field, ptr)
        # The C struct only points at it. A config's policy releases the one it replaces
        # (after aerospike_close if connected); a policy object keeps each until it is freed,
        # as a command on another thread may be reading the previous one.
        view._owner._keep_field(ffi.addressof(view._ptr[0], field), value)

    return getter, setter


def _get_filter_exp(view: CStruct) -> Any:
    return exp_object(view._ptr.filter_exp)


def _set_filter_exp(view: CStruct, value: Any) -> None:
    """filter_exp = an as_exp (from as_exp_build) or None. A policy object refuses use once
    the as_exp is destroyed; a config's policy (read by commands until aerospike_close) gets
    its own copy, so destroying the caller's as_exp never frees what C still reads."""
    where = f"{view._path}.filter_exp"
    if value is not None and not isinstance(value, as_exp):
        raise TypeError(f"{where} takes None or an as_exp (from as_exp_build), "
                        f"not {type(value).__name__}")
    ptr = ffi.NULL if value is None else struct_ptr(value, "as_exp", where)
    owner = view._owner
    if isinstance(owner, OwnedStruct):
        owner._depend(where, value)
    elif value is not None:
        value = as_exp_from_base64(as_exp_to_base64(value))
        ptr = value._ptr
    view._ptr.filter_exp = ptr
    owner._keep_field(ffi.addressof(view._ptr[0], "filter_exp"), value)


for _struct in ("as_policy_base", "as_policy_batch_read", "as_policy_batch_write",
                "as_policy_batch_apply", "as_policy_batch_remove"):
    register_field(_struct, "filter_exp", _get_filter_exp, _set_filter_exp)
register_field("as_policy_base", "txn", *txn_field())  # an as_txn, held (as_txn.py)


# -- for the other bindings and the Client --------------------------------------------------------
def policy_from_config(as_: Any, kind: str) -> Any:
    """A copy of as->config.policies.<kind> (what C uses for a NULL policy)."""
    config = as_.config  # raises once the instance is destroyed
    source = getattr(config._ptr.policies, kind)
    cls = _KINDS[kind]
    policy = cls()
    policy._ptr[0] = source
    # The copy may point at the config's expression/transaction; keep their owner alive,
    # and the expression itself (aerospike_destroy drops the config's, the copy may outlive it).
    policy._keep(as_)
    for pointer in exp_pointers(policy._ptr):
        exp = exp_object(pointer)
        if isinstance(exp, as_exp):
            policy._keep(exp)
    hold_txn(policy, policy._ptr)
    return policy


def policy_with(policy: Any, fields: Mapping[str, Any]) -> Any:
    """Set fields on a policy view by C name (see the module doc); returns the policy."""
    return set_fields(policy, fields, shortcut="base")


# -- copies and the base initializers -------------------------------------------------------------
as_policy_base = _policy_class("as_policy_base")


def _base_init(c_function: Any) -> Any:
    policy = as_policy_base()
    c_function(policy._ptr)
    return policy


def as_policy_base_read_init() -> Any:
    """as_policy_base_read_init(&p): the timeouts and retries of a read (an as_policy_base)."""
    return _base_init(lib.as_policy_base_read_init)


def as_policy_base_write_init() -> Any:
    """as_policy_base_write_init(&p): the timeouts and retries of a write."""
    return _base_init(lib.as_policy_base_write_init)


def as_policy_base_query_init() -> Any:
    """as_policy_base_query_init(&p): the timeouts and retries of a query."""
    return _base_init(lib.as_policy_base_query_init)


def policy_copy(src: Any, name: str = "policy_copy") -> Any:
    """A new policy of src's type with every field of src (*trg = *src, as in C), keeping
    what src points at alive."""
    if not isinstance(src, _Policy):
        raise TypeError(f"{name}: src must be a policy, not {type(src).__name__}")
    src._check_writable(name)
    trg = type(src)()
    trg._ptr[0] = src._ptr[0]
    for obj in src._keepalive:  # the expression/transaction both now point at
        trg._keep(obj)
    for field, other in (src._deps or {}).items():  # and refuses use once it is destroyed
        trg._depend(field, other)
    hold_txn(trg, trg._ptr)
    return trg


def _copier(kind: str) -> Any:
    cls = _KINDS[kind]
    name = f"as_policy_{kind}_copy"

    def copy(src: Any) -> Any:
        if not isinstance(src, cls):
            raise TypeError(f"{name}: src must be an {cls.ctype}, not {type(src).__name__}")
        return policy_copy(src, name)

    copy.__name__ = copy.__qualname__ = name
    copy.__doc__ = f"{name}(src, &trg): a new {cls.ctype} with every field of src."
    return copy


as_policy_read_copy = _copier("read")
as_policy_write_copy = _copier("write")
as_policy_operate_copy = _copier("operate")
as_policy_remove_copy = _copier("remove")
as_policy_apply_copy = _copier("apply")
as_policy_batch_copy = _copier("batch")
as_policy_scan_copy = _copier("scan")
as_policy_query_copy = _copier("query")
as_policy_info_copy = _copier("info")
as_policy_admin_copy = _copier("admin")
as_policy_txn_verify_copy = _copier("txn_verify")
as_policy_txn_roll_copy = _copier("txn_roll")

__all__ += [
    "as_policy_base", "as_policy_base_read_init", "as_policy_base_write_init",
    "as_policy_base_query_init", "as_policy_read_copy", "as_policy_write_copy",
    "as_policy_operate_copy", "as_policy_remove_copy", "as_policy_apply_copy",
    "as_policy_batch_copy", "as_policy_scan_copy", "as_policy_query_copy", "as_policy_info_copy",
    "as_policy_admin_copy", "as_policy_txn_verify_copy", "as_policy_txn_roll_copy",
]
