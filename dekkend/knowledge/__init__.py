"""Knowledge base of cooperation forms, legal routes, practice examples and support.

The entries are Markdown files with YAML front matter in ``entries/``; see
``docs/kennisbank.md``. The public API:

- :func:`load_entries` reads and validates them;
- :class:`KnowledgeIndex` and :func:`search` search them (SQLite FTS5, Dutch stems,
  synonyms, facets ``soort``, ``gebied`` and ``jaar``);
- :func:`combine_entries` adds entries kept elsewhere (replacing shipped ones by id) for an index;
- :func:`match_knelpunten`, :func:`read_knelpunten` and :func:`advice_for_file` turn a
  region's knelpunten into ranked entries and support routes with Dutch reasons.
"""

from ._entries import (
    KNELPUNTTYPEN,
    SOORTEN,
    THEMAS,
    Entry,
    Source,
    entries_directory,
    load_entries,
    parse_entry,
)
from ._matching import (
    ERNST_WEIGHTS,
    Advice,
    Knelpunt,
    KnelpuntAdvice,
    KnelpuntenFile,
    Recommendation,
    advice_for_file,
    knelpunt_from_mapping,
    match_knelpunten,
    read_knelpunten,
)
from ._search import (
    KnowledgeIndex,
    SearchHit,
    SearchResult,
    Synonyms,
    combine_entries,
    entry_year,
    load_synonyms,
    search,
    synonyms_path,
)

__all__ = [
    "ERNST_WEIGHTS",
    "KNELPUNTTYPEN",
    "SOORTEN",
    "THEMAS",
    "Advice",
    "Entry",
    "Knelpunt",
    "KnelpuntAdvice",
    "KnelpuntenFile",
    "KnowledgeIndex",
    "Recommendation",
    "SearchHit",
    "SearchResult",
    "Source",
    "Synonyms",
    "advice_for_file",
    "combine_entries",
    "entries_directory",
    "entry_year",
    "knelpunt_from_mapping",
    "load_entries",
    "load_synonyms",
    "match_knelpunten",
    "parse_entry",
    "read_knelpunten",
    "search",
    "synonyms_path",
]
