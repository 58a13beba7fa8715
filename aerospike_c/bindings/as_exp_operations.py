"""as_exp_operations.h: operations that read or write the value of an expression.

    exp = as_exp_build(as_exp_add(as_exp_bin_int("a"), as_exp_int(1)))
    as_operations_exp_write(ops, "b", exp, AS_EXP_WRITE_DEFAULT)   # b = a + 1
    as_operations_exp_read(ops, "sum", exp, AS_EXP_READ_DEFAULT)   # the value, in bin "sum"

C packs the expression into the operation at once: the as_exp may be destroyed afterwards.
Flags are the AS_EXP_WRITE_* / AS_EXP_READ_* bits (ValueError for any other bit).
"""
from __future__ import annotations

from typing import Any

from .._aerospike import lib
from ..exceptions import ParamError
from .as_exp import as_exp, exp_arg
from .as_operations import as_operations, ops_arg
from .as_record import bin_name
from .as_status import as_status

__all__ = ["as_operations_exp_write", "as_operations_exp_read"]

_WRITE_FLAGS = (lib.AS_EXP_WRITE_CREATE_ONLY | lib.AS_EXP_WRITE_UPDATE_ONLY
                | lib.AS_EXP_WRITE_ALLOW_DELETE | lib.AS_EXP_WRITE_POLICY_NO_FAIL
                | lib.AS_EXP_WRITE_EVAL_NO_FAIL)
_READ_FLAGS = lib.AS_EXP_READ_EVAL_NO_FAIL


def _flags(flags: Any, allowed: int, what: str) -> int:
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise TypeError(f"{what}: flags must be an int, not {type(flags).__name__}")
    if flags & ~allowed:
        raise ValueError(f"{what}: unknown flag bits {flags & ~allowed:#x} in {flags:#x}")
    return flags


def _add(function: Any, what: str, ops: as_operations, name: str, exp: as_exp, flags: int) -> bool:
    ops = ops_arg(ops)
    c_name = bin_name(name)
    binops = ops._ptr.binops
    if binops.size >= binops.capacity:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM,
                         f"{what}: the as_operations is full ({binops.capacity} operations)")
    exp_ptr = exp_arg(exp, what)
    with ops._use(what) as ptr:
        ok = function(ptr, c_name, exp_ptr, flags)
    if not ok:
        raise ParamError(as_status.AEROSPIKE_ERR_PARAM, f"{what} failed")
    return True


def as_operations_exp_write(ops: as_operations, name: str, exp: as_exp, flags: int) -> bool:
    """as_operations_exp_write(ops, name, exp, flags): write the expression's value to bin
    name (AS_EXP_WRITE_* flags)."""
    what = "as_operations_exp_write"
    return _add(lib.as_operations_exp_write, what, ops, name, exp,
                _flags(flags, _WRITE_FLAGS, what))


def as_operations_exp_read(ops: as_operations, name: str, exp: as_exp, flags: int) -> bool:
    """as_operations_exp_read(ops, name, exp, flags): return the expression's value under
    name (AS_EXP_READ_* flags)."""
    what = "as_operations_exp_read"
    return _add(lib.as_operations_exp_read, what, ops, name, exp,
                _flags(flags, _READ_FLAGS, what))
