"""Expressions for `Client` users: the as_exp.h builders with short names and Python literals.

    from aerospike_c import exp

    adult = exp.and_(exp.ge(exp.bin_int("age"), 18), exp.bin_exists("name"))
    client.get(key, filter_exp=adult)                  # any data method takes filter_exp=
    client.scan("test", "users", filter_exp=exp.eq(exp.bin_str("city"), "Oslo"))
    client.operate(key, [ops.exp_write("total", exp.add(exp.bin_int("a"), exp.bin_int("b"))),
                         ops.exp_read("twice", exp.mul(exp.bin_int("a"), 2))])

Every `as_exp_<name>` builder is `exp.<name>` with the C arguments (`and_`, `or_`, `not_`
for the keywords; `eq`, `ne`, `gt`, `ge`, `lt`, `le`, `regex`, `geo` for `cmp_*`). Where the C
macro takes an expression, a Python value is a literal: bool, int, float, str, bytes, None,
list, dict, GeoJSON. Integer arguments (return types, flags) stay ints. Bad input raises
TypeError/ValueError naming the argument before anything is sent. `exp.build(e)` compiles
one (as_exp_build); filter_exp= and ops.exp_* compile what they are given.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict

from . import bindings as c
from .bindings.as_exp import _as_exp_def, as_exp, as_exp_entries
from .bindings.as_val import GeoJSON

__all__ = ["build", "literal", "compiled", "as_exp", "as_exp_entries"]

#: Short names that are not the C name without its as_exp_ prefix.
_RENAMED = {"and": "and_", "or": "or_", "not": "not_", "cmp_eq": "eq", "cmp_ne": "ne",
            "cmp_gt": "gt", "cmp_ge": "ge", "cmp_lt": "lt", "cmp_le": "le",
            "cmp_regex": "regex", "cmp_geo": "geo_cmp", "int": "int_", "float": "float_",
            "str": "str_", "bool": "bool_", "bytes": "bytes_", "def": "def_"}
#: Builders that are not expressions of their own (as_exp.h's compile and base64 functions).
_NOT_BUILDERS = {"as_exp_build", "as_exp_build_b64", "as_exp_compile", "as_exp_compile_b64",
                 "as_exp_to_base64", "as_exp_from_base64", "as_exp_destroy", "as_exp_destroy_b64",
                 "as_exp_destroy_base64", "as_exp_get_ctx_type", "as_exp_get_list_type",
                 "as_exp_get_map_type", "as_exp_entries"}


#: Expression parameters of the builders as_exp.py writes out (the generated ones say theirs).
_WRITTEN_OUT = {"as_exp_def": {"expr": "as_exp_entries"}}


def literal(value: Any, where: str = "value") -> as_exp_entries:
    """A Python value as an expression (an expression stays itself)."""
    if isinstance(value, as_exp_entries):
        return value
    if isinstance(value, as_exp):
        return c.as_exp_expr(value)
    if value is None:
        return c.as_exp_nil()
    if isinstance(value, bool):
        return c.as_exp_bool(value)
    if isinstance(value, int):
        return c.as_exp_int(value)
    if isinstance(value, float):
        return c.as_exp_float(value)
    if isinstance(value, GeoJSON):
        return c.as_exp_geo(str(value))
    if isinstance(value, str):
        return c.as_exp_str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return c.as_exp_bytes(bytes(value), len(value))
    if isinstance(value, (list, tuple, dict)):
        return c.as_exp_val(list(value) if isinstance(value, tuple) else value)
    raise TypeError(f"{where}: {type(value).__name__} is not an expression or a literal value")


def build(expression: Any) -> as_exp:
    """as_exp_build(): the compiled expression (a literal is compiled as one)."""
    return c.as_exp_build(literal(expression, "exp.build: expression"))


def compiled(expression: Any, where: str) -> as_exp:
    """What filter_exp= and ops.exp_* take: an as_exp as is, anything else built."""
    if isinstance(expression, as_exp):
        return expression
    return c.as_exp_build(literal(expression, where))


def _short(builder: Callable[..., as_exp_entries], short: str) -> Callable[..., as_exp_entries]:
    c_name = builder.__name__
    if getattr(builder, "exp_variadic", False) or c_name == "as_exp_let":
        def variadic(*exprs: Any) -> as_exp_entries:
            return builder(*[e if isinstance(e, _as_exp_def)
                             else literal(e, f"exp.{short}: argument {i + 1}")
                             for i, e in enumerate(exprs)])
        function: Callable[..., as_exp_entries] = variadic
    else:
        kinds = dict(getattr(builder, "exp_params", ())) or _WRITTEN_OUT.get(c_name, {})
        signature = inspect.signature(builder)

        def fixed(*args: Any, **kwargs: Any) -> as_exp_entries:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"exp.{short}({', '.join(signature.parameters)}): {exc}") from None
            values = {name: literal(value, f"exp.{short}: {name}")
                      if kinds.get(name) == "as_exp_entries" else value
                      for name, value in bound.arguments.items()}
            return builder(**values)
        fixed.__signature__ = signature  # type: ignore[attr-defined]
        function = fixed
    function.__name__ = function.__qualname__ = short
    function.__doc__ = f"exp.{short}: {c_name}() with Python values as literals."
    return function


_SHORT: Dict[str, Callable[..., as_exp_entries]] = {}
for _c_name in sorted(n for n in c.__all__ if n.startswith("as_exp_") and n not in _NOT_BUILDERS
                      and inspect.isfunction(getattr(c, n))):  # not the as_exp_* enums
    _name = _c_name[len("as_exp_"):]
    _SHORT[_RENAMED.get(_name, _name)] = _short(getattr(c, _c_name), _RENAMED.get(_name, _name))
globals().update(_SHORT)
__all__ += sorted(_SHORT)
