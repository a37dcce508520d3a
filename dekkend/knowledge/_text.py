"""Dutch text normalisation, tokenising and stemming shared by the index and the queries."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[0-9a-z]+(?:'s)?")
_CITATION = re.compile(r"\[(\d+)\]")
_CITATION_WITH_SPACE = re.compile(r"[ \t]*\[\d+\]")
_STEMMER = snowballstemmer.stemmer("dutch")

#: Words that carry no meaning in a search (articles, pronouns, auxiliaries, question words).
STOPWORDS: frozenset[str] = frozenset(
    """
    de het een en of van voor in op aan met bij naar om te tot uit over door als dan dat die
    dit deze er hoe wat wie waar wanneer welke welk we wij ons onze je jij jullie u uw zij ze
    hij zijn is was waren worden wordt werd kan kunnen moet moeten mag mogen zal zullen wil
    willen niet geen ook nog al mijn mij me heeft hebben had hadden zo maar want dus toch wel
    nu hier daar zich ik hun hen haar dan doen doet iets ander andere elk elke tussen zonder
    na sinds per via tegen vanaf rond naast tijdens hoeveel kun kunt waarom welke zoek zoeken
    af binnen
    """.split()
)

# Words the stemmer would conflate with others ("openbaar" would become "open").
_WORD_EXCEPTIONS: dict[str, str] = {
    "openbaar": "openbaar",
    "openbare": "openbaar",
    "openbaarheid": "openbaar",
}

# The snowball stemmer leaves a few frequent inflections apart; these stems are merged.
_STEM_EXCEPTIONS: dict[str, str] = {
    "grot": "groot",
    "voorbeel": "voorbeeld",
    "praktijkvoorbeel": "praktijkvoorbeeld",
    "fuser": "fusie",
    "fuseer": "fusie",
    "route": "rout",
    "bred": "breed",
    "lage": "laag",
}


def normalise(text: str) -> str:
    """Lower-case ``text`` and drop diacritics (``coöperatie`` becomes ``cooperatie``).

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The text in NFKD form without combining marks, case-folded.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """Split ``text`` into normalised words; hyphens, slashes and punctuation separate words.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        The words in order, ``'s``-plurals (``regio's``) reduced to their stem word.
    """
    return [w.removesuffix("'s") for w in _WORD.findall(normalise(text).replace("’", "'"))]


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """The Dutch snowball stem of one normalised word, with a few inflections merged.

    Parameters
    ----------
    word : str
        A word as returned by :func:`words`.

    Returns
    -------
    str
        The stem; ``kleine`` and ``klein`` share one, as do ``openbare`` and ``openbaar``.
    """
    if word in _WORD_EXCEPTIONS:
        return _WORD_EXCEPTIONS[word]
    result = str(_STEMMER.stemWord(word))
    if result == word and len(word) > 4 and word.endswith("e") and not word.endswith(("ie", "ee")):
        result = str(_STEMMER.stemWord(word[:-1]))
    return _STEM_EXCEPTIONS.get(result, result)


def stems(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Stem every word of ``text``, dropping stop words unless asked to keep them.

    Parameters
    ----------
    text : str
        Any text.
    keep_stopwords : bool, default False
        Keep words from :data:`STOPWORDS`.

    Returns
    -------
    list of str
        The stems in order.
    """
    return [stem(w) for w in words(text) if keep_stopwords or w not in STOPWORDS]


def strip_citations(text: str) -> str:
    """Remove citation markers such as ``[2]`` from ``text``."""
    return _CITATION_WITH_SPACE.sub("", text)


def citations(text: str) -> list[int]:
    """The numbers of all citation markers (``[1]``, ``[2]``, ...) in ``text``, in order."""
    return [int(m) for m in _CITATION.findall(text)]
