"""Own words: no entry copies a sequence of 8 or more words from the facts files.

The facts files live in ``../shared/knowledge`` beside the repository (or where
``DEKKEND_SHARED_KNOWLEDGE`` points); without them the check cannot run and is skipped.
Source addresses are left out of the facts (entries must keep them verbatim), as are the
entries' source titles and legal references (names of laws and regulations must be exact).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dekkend.knowledge import Entry, load_entries
from dekkend.knowledge._text import strip_citations, words

ROOT = Path(__file__).resolve().parents[1]
_DATA = os.environ.get("DEKKEND_SHARED_DATA")
FACTS_DIR = Path(
    os.environ.get(
        "DEKKEND_SHARED_KNOWLEDGE",
        Path(_DATA).parent / "knowledge" if _DATA else ROOT.parent / "shared" / "knowledge",
    )
)
FACTS_FILES = sorted(FACTS_DIR.glob("*.md")) if FACTS_DIR.is_dir() else []
N = 8


def ngrams(text: str, n: int = N) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def own_text(entry: Entry) -> str:
    parts = [
        entry.titel,
        entry.samenvatting,
        entry.body,
        *entry.voorwaarden,
        *(reason for _, reason in entry.knelpunttypen),
    ]
    return strip_citations("\n".join(parts))


def copied_sequences(text: str, facts: set[tuple[str, ...]]) -> list[str]:
    return [" ".join(g) for g in sorted(ngrams(text) & facts)]


@pytest.fixture(scope="module")
def facts_ngrams() -> set[tuple[str, ...]]:
    if not FACTS_FILES:
        pytest.skip(
            f"de feitenbestanden ontbreken ({FACTS_DIR}); de eigen-woorden-toets "
            "kan alleen draaien naast ../shared/knowledge"
        )
    text = "\n".join(re.sub(r"https?://\S+", " ", f.read_text(encoding="utf-8")) for f in FACTS_FILES)
    return ngrams(text)


def test_the_detector_finds_a_copied_sentence():
    facts = ngrams("the pupil stays enrolled at and is the responsibility of the vo-school")
    text = "Wij schrijven: the pupil stays enrolled at and is the responsibility of, zo staat het."
    assert copied_sequences(text, facts)
    assert not copied_sequences("De leerling blijft ingeschreven bij de eigen school.", facts)


@pytest.mark.parametrize("entry", load_entries(), ids=lambda e: e.id)
def test_no_entry_copies_eight_words_from_the_facts(entry, facts_ngrams):
    copied = copied_sequences(own_text(entry), facts_ngrams)
    assert not copied, f"{entry.id} neemt woordreeksen letterlijk over: {copied[:3]}"
