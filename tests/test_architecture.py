"""The public API stays curated and imports point one way (ingest -> geo/norms -> ... -> cli)."""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import Path

import dekkend

PACKAGE = Path(dekkend.__file__).parent

#: Layers from bottom to top; a module may import its own layer and the ones below.
LAYERS = [
    {"errors", "crs", "workspace", "output", "formatting", "safe_yaml"},
    {"ingest"},
    {"regions", "geo", "norms"},
    {"forecast"},
    {"coverage"},
    {"diagnose", "overview"},
    {"scenarios"},
    {"optimise"},
    {"knowledge"},
    {"demo"},
    {"report"},
    {"cli", "cli_kennis", "cli_download", "__main__", "__init__"},
]
LEVEL = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    name = rel.parts[0].removesuffix(".py")
    return "cli" if name.startswith("cli_") else name


def test_every_exported_name_exists_and_public_names_are_exported():
    for name in dekkend.__all__:
        assert hasattr(dekkend, name), name
    public = {n for n in vars(dekkend) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(dekkend.__all__)


def test_imports_point_one_way():
    problems = []
    for path in PACKAGE.rglob("*.py"):
        unit = _unit(path)
        if unit not in LEVEL:
            problems.append(f"{path}: module/package '{unit}' has no layer in LAYERS")
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dekkend."):
                target = node.module.split(".")[1]
                target = "cli" if target.startswith("cli_") else target
                if target in LEVEL and LEVEL[target] > LEVEL[unit]:
                    problems.append(f"{path.relative_to(PACKAGE)} imports dekkend.{target} (a higher layer)")
    assert not problems, "\n".join(problems)


def test_every_module_has_a_docstring():
    missing = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
               if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert not missing, missing


def _runtime_imports(tree: ast.Module, modules: Collection[str]) -> list[str]:
    """Modules of ``modules`` a file imports when it runs (``if TYPE_CHECKING:`` blocks left out).

    ``from X import y`` imports the submodule ``X.y`` when there is one, else a name of ``X``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            out += [sub if sub in modules else node.module for sub in subs]
    return [m for m in out if m in modules]


def _module_name(path: Path) -> str:
    parts = ("dekkend", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that returns to its start, or ``None``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle_inside_a_package():
    """Within each package the modules import one another one way.

    Imports inside functions count; imports only for type checkers do not. A package's
    ``__init__`` may import its modules, not the reverse."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = ".".join(name.split(".")[:2])
        targets = _runtime_imports(ast.parse(path.read_text(encoding="utf-8")), modules)
        inside = {t for t in targets if t != name}
        graph[name] = {t for t in inside if t == package or t.startswith(package + ".")}
    assert _find_cycle(graph) is None, " -> ".join(_find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
