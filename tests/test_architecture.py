"""The public API stays curated and imports point one way (ingest -> geo/norms -> ... -> cli)."""

from __future__ import annotations

import ast
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
