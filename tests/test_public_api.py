"""The public API: namespaces reachable from ``dekkend``, full ``__all__``, typed entry points."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest

import dekkend

#: The pipeline's namespaces that issue 18 asks to be reachable from ``dekkend``.
REQUIRED = ("forecast", "coverage", "diagnose", "scenarios", "optimise", "report", "knowledge")
ROOT = Path(dekkend.__file__).parent


def _namespace(name: str) -> types.ModuleType:
    return importlib.import_module(f"dekkend.{name}")


def _unannotated(fn: object) -> list[str]:
    """The parameters (and ``return``) of a function without a type annotation."""
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    bad = [
        p.name
        for p in sig.parameters.values()
        if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty
    ]
    if sig.return_annotation is inspect.Signature.empty and fn.__name__ != "__init__":  # type: ignore[attr-defined]
        bad.append("return")
    return bad


def _entry_points(module: types.ModuleType) -> list[tuple[str, object]]:
    """Every public function in ``__all__``, and the public methods of its classes."""
    found: list[tuple[str, object]] = []
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isfunction(value):
            found.append((name, value))
        elif inspect.isclass(value) and value.__module__.startswith("dekkend."):
            members = dict(vars(value))
            if dataclasses.is_dataclass(value):
                members.pop("__init__", None)  # generated from the annotated fields
            for attr, member in members.items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                if isinstance(member, classmethod | staticmethod):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                if inspect.isfunction(member):
                    found.append((f"{name}.{attr}", member))
    return found


def test_import_dekkend_loads_no_analysis_until_asked():
    code = (
        "import sys, dekkend; heavy = [m for m in ('pandas', 'numpy', 'dekkend.forecast') "
        "if m in sys.modules]; print(heavy); dekkend.forecast.CohortModel; "
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]


@pytest.mark.parametrize("name", REQUIRED)
def test_each_namespace_is_reachable_from_dekkend(name):
    assert name in dekkend.__all__ and name in dekkend.NAMESPACES
    assert getattr(dekkend, name) is _namespace(name)


def test_an_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="geen_naam"):
        dekkend.geen_naam  # noqa: B018


@pytest.mark.parametrize("name", ("", *dekkend.NAMESPACES))
def test_every_exported_name_exists_and_every_public_name_is_exported(name):
    module = _namespace(name) if name else dekkend
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing
    assert len(set(module.__all__)) == len(module.__all__)
    defined_here = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and not isinstance(v, types.ModuleType)
        and (getattr(v, "__module__", "") or "").startswith("dekkend")
    }
    assert defined_here <= set(module.__all__), sorted(defined_here - set(module.__all__))


@pytest.mark.parametrize("name", dekkend.NAMESPACES)
def test_the_entry_points_have_type_annotations(name):
    module = _namespace(name)
    points = _entry_points(module)
    assert points
    untyped = {label: bad for label, fn in points if (bad := _unannotated(fn))}
    assert not untyped


def test_the_package_ships_the_py_typed_marker():
    assert (ROOT / "py.typed").is_file()
    pyproject = ROOT.parent / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("installed without the source tree: the marker above came with the package")
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    shipped = data["tool"]["setuptools"]["package-data"]
    assert "py.typed" in shipped.get("dekkend", []) + shipped.get("*", [])


#: Modules inside a namespace package that the command line imports directly instead of the
#: namespace's ``__all__``: none (issue 18, item 1); tests/test_architecture.py holds it there.
CLI_DEEP_IMPORTS: frozenset[str] = frozenset()


def test_the_command_line_reaches_into_no_new_submodules():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"cli"}
    files = [*ROOT.glob("cli*.py"), *(ROOT / "cli").rglob("*.py")]
    deep = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] == "dekkend" and len(parts) > 2 and parts[1] in packages:
                    deep.add(node.module)
    assert deep <= CLI_DEEP_IMPORTS, sorted(deep - CLI_DEEP_IMPORTS)
    for module in CLI_DEEP_IMPORTS:
        namespace = _namespace(module.split(".")[1])
        assert all(hasattr(namespace, n) for n in _names_imported_from(files, module)), module


def _names_imported_from(files: list[Path], module: str) -> set[str]:
    names = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == module:
                names.update(a.name for a in node.names)
    return names
