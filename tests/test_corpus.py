"""Issue 23: the broken-file corpus (bench/corpus.py), made from the real files at test time.

Every case must end as promised: a Dutch error with exit code 2 that leaves the workspace byte for
byte unchanged, or an import with exactly the promised number of pupils. Never a traceback.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from dekkend.ingest import _text
from dekkend.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


def _corpus_module():
    spec = importlib.util.spec_from_file_location("dekkend_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_corpus_case_ends_as_promised(shared_data, tmp_path, monkeypatch):
    corpus = _corpus_module()
    monkeypatch.setattr(_text, "MAX_UNPACKED_BYTES", 8 * 2**20)  # the bomb stays small; same code path
    cases = corpus.build(shared_data, tmp_path / "corpus", bomb_size=12 * 2**20)
    assert len(cases) >= 25
    base = tmp_path / "basis"
    clean = next(c for c in cases if c.name == "schoon")
    code, _ = corpus.run_case(clean, base)
    assert code == 0
    before = _digest(base)
    failures = []
    for case in cases:
        werkmap = tmp_path / f"w-{case.name}"
        shutil.copytree(base, werkmap)
        if case.outcome == "goed":
            shutil.rmtree(werkmap)
        code, text = corpus.run_case(case, werkmap)
        flat = " ".join(text.split())
        if "Traceback" in text:
            failures.append(f"{case.name}: traceback")
        if case.outcome == "fout":
            if code != 2 or case.message not in flat or "Fout:" not in flat:
                failures.append(f"{case.name}: exit {code}, {flat[-300:]}")
            elif _digest(werkmap) != before:
                failures.append(f"{case.name}: de werkmap is veranderd")
        else:
            pupils = int(Workspace(werkmap).table("leerlingen")["aantal"].sum()) if code == 0 else None
            if code != 0 or pupils != case.pupils or case.message not in flat:
                failures.append(f"{case.name}: exit {code}, {pupils} leerlingen (verwacht {case.pupils})")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", ["schoon"])
def test_corpus_is_written_outside_the_repository(shared_data, tmp_path, name):
    corpus = _corpus_module()
    cases = corpus.build(shared_data, tmp_path, bomb_size=2**20)
    assert all(tmp_path in f.parents for c in cases for f in c.files)
