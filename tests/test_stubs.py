"""The type stubs scripts/gen_stubs.py writes say exactly what the package makes at import time.

mypy reads these stubs instead of the modules that bind names at run time (constants, enums,
the operation wrappers) or compute `__all__` (the two package __init__ files). A stub that
lags the package hides names from type checkers, or promises names that are gone: the fix is
`python scripts/gen_stubs.py`. The stubs are read from the imported package, so an installed
wheel that lacks them fails here too.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Dict, List, Set

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUBBED = ["aerospike_c.bindings.constants", "aerospike_c.bindings.enums",
           "aerospike_c.bindings", "aerospike_c"]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_stubs", ROOT / "scripts" / "gen_stubs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stub_tree(module_name: str) -> ast.Module:
    source = Path(importlib.import_module(module_name).__file__ or "")
    stub = source.with_suffix(".pyi")
    assert stub.exists(), f"{stub} is missing (python scripts/gen_stubs.py; is *.pyi package data?)"
    return ast.parse(stub.read_text())


def literal_all(tree: ast.Module) -> List[str]:
    for node in tree.body:
        targets = [getattr(t, "id", None) for t in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and targets == ["__all__"]:
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return value
    raise AssertionError("the stub has no literal __all__")


def test_the_stubs_are_what_the_generator_makes_now(generator: ModuleType) -> None:
    stale = [str(path) for path, _, _ in generator.stale_stubs()]
    assert stale == [], "out of date: run python scripts/gen_stubs.py"


@pytest.mark.parametrize("module_name", STUBBED)
def test_each_stub_exports_the_names_the_module_exports(module_name: str) -> None:
    runtime = importlib.import_module(module_name).__all__
    declared = literal_all(stub_tree(module_name))
    assert len(declared) == len(set(declared))
    assert sorted(declared) == sorted(set(runtime))


def test_constants_stub_declares_every_constant_of_the_compiled_module_as_an_int() -> None:
    from aerospike_c.bindings import constants

    declared = {node.target.id: ast.unparse(node.annotation)
                for node in stub_tree(constants.__name__).body
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}
    assert set(declared.values()) == {"int"}
    assert set(declared) == set(constants.__all__)
    assert all(isinstance(getattr(constants, name), int) for name in declared)
    assert {"AEROSPIKE_ERR_TIMEOUT", "AS_POLICY_KEY_SEND", "AS_LOG_LEVEL_DEBUG"} <= set(declared)


def test_enums_stub_declares_every_enum_with_its_members() -> None:
    from aerospike_c.bindings import enums

    declared: Dict[str, List[str]] = {}
    for node in stub_tree(enums.__name__).body:
        if isinstance(node, ast.ClassDef):
            assert [ast.unparse(base) for base in node.bases] == ["IntEnum"]
            declared[node.name] = [t.id for stmt in node.body if isinstance(stmt, ast.Assign)
                                   for t in stmt.targets if isinstance(t, ast.Name)]
    runtime = {name: list(getattr(enums, name).__members__) for name in enums.__all__}
    assert declared == runtime
    assert "AEROSPIKE_ERR_RECORD_NOT_FOUND" in declared["as_status"]


def bound_names(tree: ast.Module, package: str) -> Set[str]:
    """What a type checker finds in a package stub: `x as x` imports, defs, and the __all__
    of each generated stub it star-imports."""
    bound: Set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            bound.add(node.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                if alias.name == "*":
                    module = f"{package}.{node.module}"
                    assert module in STUBBED, f"star import of {module}: no literal __all__"
                    bound |= set(literal_all(stub_tree(module)))
                elif alias.asname is not None:
                    bound.add(alias.asname)
    return bound


@pytest.mark.parametrize("package", ["aerospike_c.bindings", "aerospike_c"])
def test_package_stub_binds_every_name_it_exports(package: str) -> None:
    tree = stub_tree(package)
    assert bound_names(tree, package) == set(literal_all(tree))


def test_bindings_stub_types_each_generated_operation_wrapper_with_its_c_arity() -> None:
    import aerospike_c.bindings as bindings
    from aerospike_c._aerospike import ffi, lib

    defs = {node.name: node for node in stub_tree("aerospike_c.bindings").body
            if isinstance(node, ast.FunctionDef)}
    wrappers = {name for name in bindings.__all__ if hasattr(getattr(bindings, name), "c_args")}
    builders = {name for name in bindings.__all__
                if hasattr(getattr(bindings, name), ("exp_params")) or
                hasattr(getattr(bindings, name), "exp_variadic")}
    assert set(defs) == wrappers | builders
    assert {"as_operations_add_incr", "as_operations_list_append",
            "as_operations_map_put"} <= wrappers
    for name, node in defs.items():
        if name in builders:
            continue
        assert len(node.args.posonlyargs) == len(ffi.typeof(getattr(lib, name)).args), name
        assert ast.unparse(node.returns) == "bool"
    incr = defs["as_operations_add_incr"].args.posonlyargs
    assert [(a.arg, ast.unparse(a.annotation)) for a in incr] == [
        ("ops", "as_operations"), ("name", "str"), ("value", "int")]


def test_bindings_stub_types_each_generated_expression_builder_with_its_c_parameters() -> None:
    """as_exp.py makes the as_exp_* builders at import time; the stub gives each its C
    macro's parameter names, in order, and the as_exp_entries it returns."""
    import inspect

    import aerospike_c.bindings as bindings

    defs = {node.name: node for node in stub_tree("aerospike_c.bindings").body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("as_exp_")}
    assert {"as_exp_cmp_eq", "as_exp_and", "as_exp_list_get_by_index", "as_exp_bit_add"} <= set(defs)
    for name, node in defs.items():
        builder = getattr(bindings, name)
        assert ast.unparse(node.returns) == "as_exp_entries", name
        if hasattr(builder, "exp_variadic"):
            assert node.args.vararg is not None and not node.args.args, name
        else:
            assert [a.arg.rstrip("_") for a in node.args.args] == list(
                inspect.signature(builder).parameters), name
    eq = defs["as_exp_cmp_eq"].args.args
    assert [(a.arg, ast.unparse(a.annotation)) for a in eq] == [
        ("left", "as_exp_entries"), ("right", "as_exp_entries")]
