"""The public API of dekkend.knowledge: ``__all__`` is complete and documented in the docs."""

from __future__ import annotations

from pathlib import Path

import dekkend.knowledge as knowledge

DOCS = Path(__file__).resolve().parents[1] / "docs" / "kennisbank.md"


def test_all_lists_every_public_name_and_nothing_else():
    public = {name for name in vars(knowledge) if not name.startswith("_")}
    assert set(knowledge.__all__) == public
    assert all(getattr(knowledge, name) for name in knowledge.__all__)


def test_every_public_callable_has_a_docstring():
    for name in knowledge.__all__:
        obj = getattr(knowledge, name)
        if callable(obj):
            assert obj.__doc__, name


def test_the_docs_explain_kinds_knelpunt_types_and_the_commands():
    text = DOCS.read_text(encoding="utf-8")
    for word in [
        *knowledge.SOORTEN,
        *knowledge.KNELPUNTTYPEN,
        "dekkend kennis zoek",
        "dekkend kennis toon",
        "dekkend kennis advies",
        "synoniemen.yaml",
    ]:
        assert word in text, word
