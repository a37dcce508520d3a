"""No hidden global state in scenarios and the optimiser (issue 18).

What a region shares is an explicit :class:`~dekkend.scenarios.Baseline`, so two regions in two
threads give exactly their serial results.
"""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import dekkend
from dekkend.demo import build_demo_workspace
from dekkend.optimise import OptimiseOptions, optimise
from dekkend.scenarios import ScenarioResult, baseline, parse_scenario, run_scenario
from dekkend.workspace import Workspace

PACKAGE = Path(dekkend.__file__).parent
#: The packages that must keep no state between calls.
STATELESS = ("scenarios", "optimise")
_MUTABLE_CALLS = {
    "dict",
    "list",
    "set",
    "OrderedDict",
    "defaultdict",
    "WeakValueDictionary",
    "WeakKeyDictionary",
    "Counter",
    "deque",
}
_MUTATORS = {
    "append",
    "extend",
    "insert",
    "add",
    "update",
    "setdefault",
    "pop",
    "popitem",
    "clear",
    "remove",
    "discard",
    "move_to_end",
    "appendleft",
}

#: Two regions of the demo workspace (gemeenten Veenstad and Wolderveen) with a measure each.
REGIONS = {
    "gemeente:9901": [{"soort": "sluit-vestiging", "vestiging": "99DD01", "vanaf": 2026}],
    "gemeente:9903": [
        {"soort": "sluit-vestiging", "vestiging": "99BB02", "vanaf": 2026},
        {"soort": "stop-aanbod", "vestiging": "99BB03", "onderwijstype": "vmbo-k", "vanaf": 2027},
    ],
}


def _modules() -> list[Path]:
    return [p for name in STATELESS for p in (PACKAGE / name).rglob("*.py")]


def _mutable_globals(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            value = node.value
            mutable = isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp)
            if isinstance(value, ast.Call):
                func = value.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                mutable = name in _MUTABLE_CALLS
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if mutable:
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _global_state_problems(source: str, rel: str) -> list[str]:
    """Module-level containers that are changed, ``global``, private attributes set on other
    objects, process-wide function caches."""
    tree = ast.parse(source)
    problems = []
    mutable = _mutable_globals(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            problems.append(f"{rel}:{node.lineno}: global {', '.join(node.names)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in mutable:
                problems.append(f"{rel}:{node.lineno}: module-level {owner.id} is changed ({node.func.attr})")
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AugAssign | ast.AnnAssign)
            else []
        )
        for t in targets:
            if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in mutable:
                problems.append(f"{rel}:{node.lineno}: module-level {t.value.id} is changed (item set)")
            if (
                isinstance(t, ast.Attribute)
                and t.attr.startswith("_")
                and not (isinstance(t.value, ast.Name) and t.value.id in ("self", "cls"))
            ):
                problems.append(f"{rel}:{node.lineno}: private attribute {t.attr} set from outside its object")
        if isinstance(node, ast.FunctionDef):
            for d in node.decorator_list:
                name = ast.unparse(d)
                if any(c in name for c in ("lru_cache", "functools.cache")) or name == "cache":
                    problems.append(f"{rel}:{node.lineno}: {node.name} keeps a process-wide cache ({name})")
    return problems


def test_no_module_level_cache_in_scenarios_and_optimise():
    assert not (PACKAGE / "scenarios" / "shared.py").exists()
    problems = [
        p
        for path in _modules()
        for p in _global_state_problems(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))
    ]
    assert not problems, "\n".join(problems)


MEMO = """
import functools
_MEMO = {}
_SEEN: list[str] = []
TABLE = {"a": 1}


def get(k, model):
    _MEMO[k] = TABLE["a"]
    _SEEN.append(k)
    model._cache = 2


@functools.lru_cache
def f():
    return 1
"""


def test_the_scan_finds_a_memo_and_passes_a_constant_table():
    problems = _global_state_problems(MEMO, "memo.py")
    assert sorted(p.split(": ", 1)[1] for p in problems) == sorted(
        [
            "module-level _MEMO is changed (item set)",
            "module-level _SEEN is changed (append)",
            "private attribute _cache set from outside its object",
            "f keeps a process-wide cache (functools.lru_cache)",
        ]
    )


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w")).tables()


def _region(tables: dict[str, pd.DataFrame], regio: str) -> list[ScenarioResult]:
    """A baseline and two scenarios of one region, as a web request would run them."""
    base = baseline(tables, regio, horizon=8)
    scenario = parse_scenario({"naam": regio, "maatregelen": REGIONS[regio]})
    first = parse_scenario({"naam": "eerste", "maatregelen": REGIONS[regio][:1]})
    return [run_scenario(tables, s, regio, baseline=base) for s in (scenario, first)]


def _same(a: ScenarioResult, b: ScenarioResult) -> None:
    assert a.summary == b.summary
    for name in ("forecast", "baseline", "per_vestiging", "moves", "indicators", "boards", "flows"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    assert [k.titel for k in a.diagnosis.knelpunten] == [k.titel for k in b.diagnosis.knelpunten]
    assert [k.titel for k in a.baseline_diagnosis.knelpunten] == [k.titel for k in b.baseline_diagnosis.knelpunten]


def test_two_regions_in_parallel_threads_give_the_serial_results(tables):
    serial = {regio: _region(tables, regio) for regio in REGIONS}
    assert serial["gemeente:9901"][0].summary != serial["gemeente:9903"][0].summary
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {(regio, i): pool.submit(_region, tables, regio) for i in range(2) for regio in REGIONS}
        parallel = {key: f.result() for key, f in futures.items()}
    for (regio, _), results in parallel.items():
        for mine, theirs in zip(results, serial[regio], strict=True):
            _same(mine, theirs)


def test_one_baseline_shared_by_threads_computes_its_parts_once_and_alike(tables):
    base = baseline(tables, "gemeente:9903", horizon=8)
    s = parse_scenario({"naam": "x", "maatregelen": REGIONS["gemeente:9903"]})
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: run_scenario(tables, s, "gemeente:9903", baseline=base), range(3)))
    for r in results[1:]:
        _same(r, results[0])
    _same(results[0], run_scenario(tables, s, "gemeente:9903", horizon=8))


def test_the_optimiser_on_a_baseline_gives_what_it_computes_itself(tables):
    base = baseline(tables, None, horizon=10)
    options = OptimiseOptions(max_changes=4)
    mine = optimise(tables, None, 2025, options, baseline=base).to_dict()
    own = optimise(tables, None, 2025, options).to_dict()
    mine.pop("rekentijd_s")
    own.pop("rekentijd_s")
    assert mine == own
