"""The public API stays curated and imports point one way (ingest -> geo/norms -> ... -> cli).

Inside ``dekkend/cli/`` every module is its own unit: a command module imports the support module
and the library's public API only (``dekkend`` and ``dekkend.<name>``, never
``dekkend.<name>.<module>``);
the app imports the command modules; no command module imports another.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import Path

import dekkend

PACKAGE = Path(dekkend.__file__).parent

#: Layers from bottom to top; a module may import its own layer and the ones below.
LAYERS = [
    {"errors", "crs", "workspace", "cache", "output", "formatting", "safe_yaml"},
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
    {"web"},
    {"cli", "__main__", "__init__"},
]
LEVEL = {name: i for i, layer in enumerate(LAYERS) for name in layer}


CLI = PACKAGE / "cli"
#: Which modules of dekkend/cli/ each CLI module may import (every one may import the library).
CLI_MAY_IMPORT = {"__init__": {"app"}, "app": "every command module", "support": set()}


def _unit(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_modules(path: Path) -> list[str]:
    """Every ``dekkend...`` module a file imports (``from dekkend.cli import y``: ``.cli.y``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "dekkend":
            found.append(node.module)
            if node.module == "dekkend.cli":
                found.extend(f"dekkend.cli.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name.split(".")[0] == "dekkend")
    return found


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
                if target in LEVEL and LEVEL[target] > LEVEL[unit]:
                    problems.append(f"{path.relative_to(PACKAGE)} imports dekkend.{target} (a higher layer)")
    assert not problems, "\n".join(problems)


def test_every_module_has_a_docstring():
    missing = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
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
                return [*stack[stack.index(nxt) :], nxt]
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


def test_each_cli_module_is_its_own_unit():
    modules = {p.stem for p in CLI.glob("*.py")}
    commands = modules - set(CLI_MAY_IMPORT)
    assert commands, "no command modules found in dekkend/cli/"
    problems = []
    for path in CLI.glob("*.py"):
        allowed = CLI_MAY_IMPORT.get(path.stem, {"support"})
        allowed = commands | {"support"} if allowed == "every command module" else allowed
        for module in _imported_modules(path):
            parts = module.split(".")
            if parts[:2] == ["dekkend", "cli"] and len(parts) > 2 and parts[2] not in allowed:
                problems.append(f"cli/{path.name} imports {module}")
    assert not problems, "\n".join(problems)


def test_the_cli_uses_only_the_public_api():
    """``dekkend`` and ``dekkend.<name>`` (namespace or top-level module), never a level deeper."""
    deep = [
        f"cli/{path.name} imports {module}"
        for path in CLI.glob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[1:2] != ["cli"] and len(module.split(".")) > 2
    ]
    assert not deep, "\n".join(deep)


def test_nothing_outside_the_cli_imports_it():
    users = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if _unit(p) not in ("cli", "__main__") and any(m.split(".")[1:2] == ["cli"] for m in _imported_modules(p))
    ]
    assert not users, users


def test_the_web_uses_only_the_public_api():
    """The web workspace, like the CLI, imports ``dekkend`` and ``dekkend.<name>`` only, and its own modules."""
    deep = [
        f"web/{path.relative_to(PACKAGE / 'web')} imports {module}"
        for path in (PACKAGE / "web").rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[1:2] != ["web"] and len(module.split(".")) > 2
    ]
    assert not deep, "\n".join(deep)
