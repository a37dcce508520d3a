"""Gemeente names, codes and history: aliases, name resolution and the mapping to today's gemeenten.

CBS, DUO and others write gemeente names in many ways: with CBS suffixes
(``Groningen (gemeente)``, ``Beek (L.)``), without the apostrophe
(``s-Gravenhage``), in Frisian or Dutch (``Súdwest-Fryslân``,
``Zuidwest-Friesland``), upper case, or in mojibake (``S˙dwest-Frysl‚n``).
This module turns any of those into a gemeente code, and maps the code of any
year to the gemeente(n) of today through mergers and splits.

The package ships a register of gemeente codes and names per year and the
mergers and splits since 2013 (``gemeenten_register.csv``,
``gemeente_wijzigingen.csv``, both derived from the CBS files) plus the
aliases no CBS table holds (``gemeente_aliassen.csv``). Imported CBS tables
extend them: a newer ``gemeenten_per_jaar`` file moves "today" forward.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import NamedTuple

import pandas as pd

#: Province suffixes CBS and DUO append to ambiguous names, normalised.
PROVINCE_SUFFIXES = {
    "l": "l",
    "lb": "l",
    "li": "l",
    "lim": "l",
    "nh": "nh",
    "nholl": "nh",
    "zh": "zh",
    "zholl": "zh",
    "o": "o",
    "ov": "o",
    "ovl": "o",
    "z": "z",
    "zl": "z",
    "zld": "z",
    "g": "gld",
    "gld": "gld",
    "gl": "gld",
    "gel": "gld",
    "u": "u",
    "ut": "u",
    "utr": "u",
    "nb": "nb",
    "nbr": "nb",
    "fr": "fr",
    "f": "fr",
    "fl": "fl",
    "flev": "fl",
    "gr": "gr",
    "gron": "gr",
    "dr": "dr",
}
_GEMEENTE_WORDS = {"gemeente", "gem", "gemeenten"}
_PSEUDO = re.compile(r"niet in te delen|onbekend|buitenland|totaal|nederland$", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*\(([^()]*)\)\s*$")
_DOTTED_SUFFIX = re.compile(r"\s+((?:[A-Za-z]{1,4}\.){1,2})\s*$")
_PREFIX = re.compile(r"^\s*gem(?:eente|\.)?\s+", re.IGNORECASE)
_PLAUSIBLE = set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -'.,()&/âêîôûúéèëïöüáàäóòçÂÊÎÔÛÚÉÈËÏÖÜ’"
)


class NameKey(NamedTuple):
    """A comparable key for a gemeente name: the base and a province suffix ('' when none)."""

    base: str
    provincie: str


def _implausible(text: str) -> int:
    return sum(ch not in _PLAUSIBLE for ch in text)


_REPAIRS = (
    lambda t: t.encode("mac_roman").decode("latin-1"),
    lambda t: t.encode("cp1252").decode("mac_roman").encode("latin-1").decode("utf-8"),
    lambda t: t.encode("latin-1").decode("utf-8"),
    lambda t: t.encode("cp1252").decode("utf-8"),
)


def repair_mojibake(text: str) -> str:
    """Undo the mojibake seen in CBS and DUO files, when a repair makes the text plausible.

    Handles latin-1 text read as Mac-Roman (``S˙dwest-Frysl‚n``), UTF-8 read as
    latin-1 and then written as Mac-Roman (``SÌ¼dwest-FryslÌ¢n``) and UTF-8
    read as latin-1/cp1252 (``SÃºdwest``). Text that is already plausible is
    returned unchanged.

    Parameters
    ----------
    text
        A name as read from a file.

    Returns
    -------
    str
        The repaired name, or ``text`` itself.
    """
    best, score = text, _implausible(text)
    if score == 0:
        return text
    for fix in _REPAIRS:
        try:
            candidate = fix(text)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        cand_score = _implausible(candidate)
        if cand_score < score:
            best, score = candidate, cand_score
    return best


def _ascii_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", text)


def name_key(name: object) -> NameKey:
    """The comparable key of a gemeente name.

    Case, accents, apostrophes, hyphens and spaces do not count; a trailing
    ``(gemeente)`` is dropped, a leading ``Gemeente`` too; a province suffix
    such as ``(L.)``, ``(NH)`` or ``N.H.`` is kept apart so ``Bergen (L.)``
    and ``Bergen (NH.)`` stay different while ``Beek`` still finds
    ``Beek (L.)``.

    Parameters
    ----------
    name
        Any gemeente name as written in a source file.

    Returns
    -------
    NameKey
        ``(base, provincie)``, both lower-case ASCII.
    """
    text = repair_mojibake(str(name if name is not None else "")).strip()
    text = _PREFIX.sub("", text)
    provincie = ""
    while True:
        m = _SUFFIX.search(text) or _DOTTED_SUFFIX.search(text)
        if not m:
            break
        inner = _ascii_key(m.group(1))
        if inner in _GEMEENTE_WORDS:
            text = text[: m.start()]
        elif inner in PROVINCE_SUFFIXES and not provincie:
            provincie = PROVINCE_SUFFIXES[inner]
            text = text[: m.start()]
        else:
            break
    return NameKey(_ascii_key(text), provincie)


def is_pseudo_region(name: object) -> bool:
    """True for StatLine pseudo-rows such as ``Gemeenten; niet in te delen``."""
    return bool(_PSEUDO.search(str(name or "")))


def normalise_code(value: object) -> str | None:
    """``197``, ``0197``, ``GM0197``, ``2022GM0197`` -> ``0197``; None for anything else."""
    text = str(value if value is not None else "").strip().upper()
    m = re.fullmatch(r"(?:\d{4})?(?:GM)?(\d{1,4})(?:\.0)?", text)
    return m.group(1).zfill(4) if m else None


# -- the shipped register ---------------------------------------------------------
def _read_data(name: str) -> pd.DataFrame:
    with resources.files("dekkend.ingest").joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, comment="#", keep_default_na=False)


@cache
def builtin_register() -> pd.DataFrame:
    """The shipped register, one row per year: ``jaar``, ``gemeentecode``, ``gemeentenaam``.

    Derived from CBS' gemeente lists 2013-2025 (names repaired); gemeenten
    that ended in a merger before 2013 appear in the last year they existed.
    """
    spans = _read_data("gemeenten_register.csv")
    rows = []
    for code, naam, first, last in spans[["gemeentecode", "gemeentenaam", "eerste_jaar", "laatste_jaar"]].itertuples(
        index=False
    ):
        for year in range(int(first), int(last) + 1):
            rows.append((year, code, naam))
    return pd.DataFrame(rows, columns=["jaar", "gemeentecode", "gemeentenaam"])


@cache
def builtin_changes() -> pd.DataFrame:
    """The shipped mergers, splits and code changes (see :data:`CHANGE_COLUMNS`)."""
    frame = _read_data("gemeente_wijzigingen.csv")
    frame["jaar"] = frame["jaar"].astype(int)
    frame["aandeel"] = pd.to_numeric(frame["aandeel"].replace("", None), errors="coerce")
    return frame


@cache
def builtin_aliases() -> pd.DataFrame:
    """The shipped aliases: ``alias``, ``gemeentecode``, ``soort``, ``toelichting``."""
    return _read_data("gemeente_aliassen.csv")


#: Columns of a change table: one row per old code and new code.
CHANGE_COLUMNS = ("jaar", "soort", "code_oud", "naam_oud", "code_nieuw", "naam_nieuw", "aandeel")


def combine_register(imported: pd.DataFrame | None) -> pd.DataFrame:
    """The shipped register with imported years added; an imported name wins for its year."""
    base = builtin_register()
    if imported is None or imported.empty:
        return base
    imp = imported[["jaar", "gemeentecode", "gemeentenaam"]].astype({"jaar": int})
    out = pd.concat([imp, base], ignore_index=True).drop_duplicates(["jaar", "gemeentecode"], keep="first")
    return out.sort_values(["jaar", "gemeentecode"], kind="stable").reset_index(drop=True)


def combine_changes(imported: pd.DataFrame | None) -> pd.DataFrame:
    """The shipped changes plus imported ones (an imported row replaces the same old/new pair)."""
    base = builtin_changes()
    if imported is None or imported.empty:
        return base
    imp = imported[list(CHANGE_COLUMNS)].copy()
    shipped = base.set_index(["code_oud", "code_nieuw"])["aandeel"]
    pairs = pd.MultiIndex.from_frame(imp[["code_oud", "code_nieuw"]])
    imp["aandeel"] = imp["aandeel"].astype(float).where(imp["aandeel"].notna(), shipped.reindex(pairs).to_numpy())
    out = pd.concat([imp, base], ignore_index=True).drop_duplicates(["code_oud", "code_nieuw"], keep="first")
    return out.sort_values(["jaar", "code_oud", "code_nieuw"], kind="stable").reset_index(drop=True)


# -- aliases and resolving --------------------------------------------------------
def alias_table(register: pd.DataFrame, aliases: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every known spelling of every gemeente with its code and the years it applies.

    Parameters
    ----------
    register
        One row per year and gemeente (``jaar``, ``gemeentecode``, ``gemeentenaam``).
    aliases
        Extra spellings (``alias``, ``gemeentecode``, ``soort``); by default the shipped ones.

    Returns
    -------
    pandas.DataFrame
        ``alias``, ``sleutel``, ``provincie``, ``gemeentecode``, ``eerste_jaar``,
        ``laatste_jaar`` (Int64, <NA> for an alias that is not tied to years) and ``soort``.
    """
    aliases = builtin_aliases() if aliases is None else aliases
    spans = (
        register.groupby(["gemeentecode", "gemeentenaam"], sort=True)["jaar"]
        .agg(["min", "max"])
        .reset_index()
        .rename(columns={"gemeentenaam": "alias", "min": "eerste_jaar", "max": "laatste_jaar"})
    )
    spans["soort"] = "officieel"
    extra = aliases[["alias", "gemeentecode", "soort"]].copy()
    extra["eerste_jaar"] = pd.NA
    extra["laatste_jaar"] = pd.NA
    table = pd.concat([spans, extra], ignore_index=True)
    keys = table["alias"].map(name_key)
    table["sleutel"] = keys.map(lambda k: k.base)
    table["provincie"] = keys.map(lambda k: k.provincie)
    table["eerste_jaar"] = table["eerste_jaar"].astype("Int64")
    table["laatste_jaar"] = table["laatste_jaar"].astype("Int64")
    table = table.drop_duplicates(["alias", "gemeentecode", "eerste_jaar"])
    cols = ["alias", "sleutel", "provincie", "gemeentecode", "eerste_jaar", "laatste_jaar", "soort"]
    return table[cols].sort_values(["sleutel", "provincie", "gemeentecode"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class _Candidate:
    code: str
    provincie: str
    first: int | None
    last: int | None


@dataclass(frozen=True)
class Resolver:
    """Finds the gemeente code for a name, optionally for a given year.

    Build it with :meth:`from_aliases`. A name that fits several gemeenten
    in the same year (``Bergen`` without a suffix) resolves to None: the
    caller reports it, nothing is guessed.
    """

    index: dict[str, tuple[_Candidate, ...]] = field(repr=False)

    @classmethod
    def from_aliases(cls, aliases: pd.DataFrame) -> Resolver:
        """Index an :func:`alias_table`."""
        index: dict[str, list[_Candidate]] = defaultdict(list)
        for key, prov, code, first, last in aliases[
            ["sleutel", "provincie", "gemeentecode", "eerste_jaar", "laatste_jaar"]
        ].itertuples(index=False):
            cand = _Candidate(
                code,
                prov,
                None if pd.isna(first) else int(first),
                None if pd.isna(last) else int(last),
            )
            if cand not in index[key]:
                index[key].append(cand)
        return cls({k: tuple(v) for k, v in index.items()})

    def candidates(self, name: object, year: int | None = None) -> tuple[str, ...]:
        """Every code the name can mean (in ``year`` when given and known), sorted."""
        key = name_key(name)
        cands = [c for c in self.index.get(key.base, ()) if not key.provincie or c.provincie in ("", key.provincie)]
        if key.provincie and any(c.provincie == key.provincie for c in cands):
            named = {c.code for c in cands if c.provincie == key.provincie}
            cands = [c for c in cands if c.code in named]
        if year is not None:
            in_year = [c for c in cands if c.first is not None and c.first <= year <= (c.last or 9999)]
            if in_year:
                cands = in_year
            else:
                gaps = [
                    (c, min(abs(year - c.first), abs(year - (c.last or c.first)))) for c in cands if c.first is not None
                ]
                if gaps:
                    nearest = min(gap for _, gap in gaps)
                    near = [c for c, gap in gaps if gap == nearest]
                    cands = near + [c for c in cands if c.first is None and c.code in {n.code for n in near}]
        return tuple(sorted({c.code for c in cands}))

    def code(self, name: object, year: int | None = None) -> str | None:
        """The one code the name means, or None when unknown or ambiguous."""
        codes = self.candidates(name, year)
        return codes[0] if len(codes) == 1 else None


# -- mergers and splits ---------------------------------------------------------
def current_codes(register: pd.DataFrame) -> set[str]:
    """The gemeente codes of the latest year in the register."""
    last = int(register["jaar"].max())
    return set(register.loc[register["jaar"] == last, "gemeentecode"])


def _successors(changes: pd.DataFrame) -> dict[str, list[tuple[str, float, str, int]]]:
    succ: dict[str, list[tuple[str, float, str, int]]] = defaultdict(list)
    for old, new, share, kind, year in changes[["code_oud", "code_nieuw", "aandeel", "soort", "jaar"]].itertuples(
        index=False
    ):
        if old == new:
            continue
        succ[old].append((new, float(share) if pd.notna(share) else float("nan"), kind, int(year)))
    for old, targets in succ.items():
        missing = [t for t in targets if pd.isna(t[1])]
        if missing:
            known = sum(t[1] for t in targets if not pd.isna(t[1]))
            rest = max(0.0, 1.0 - known) / len(missing)
            succ[old] = [(t[0], rest if pd.isna(t[1]) else t[1], t[2], t[3]) for t in targets]
    return succ


def map_to_current(register: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Map every gemeente code ever used to today's gemeente(n).

    A merged code maps wholly to its successor; a split code maps to each
    successor with its ``aandeel`` (the share of its population that went
    there; see :mod:`dekkend.ingest.formats.cbs_gemeenten` for how it is
    computed). Chains are followed (``1921`` -> ``1940``; ``0241`` ->
    ``1945``) and shares multiply along a chain.

    Parameters
    ----------
    register
        One row per year and gemeente; its latest year is "today".
    changes
        Mergers, splits and code changes with :data:`CHANGE_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        The ``gemeente_naar_huidig`` table, one row per old code and current
        code, largest share first within an old code.
    """
    today = current_codes(register)
    succ = _successors(changes)
    names = register.sort_values("jaar").groupby("gemeentecode")["gemeentenaam"].last()
    last_year = register.groupby("gemeentecode")["jaar"].max()
    codes = sorted(set(register["gemeentecode"]) | set(changes["code_oud"]) | set(changes["code_nieuw"]))
    memo: dict[str, dict[str, tuple[float, frozenset[str], str]]] = {}

    def resolve(code: str, depth: int = 0) -> dict[str, tuple[float, frozenset[str], str]]:
        if code not in memo:
            if code in today or code not in succ or depth > 20:
                memo[code] = {code: (1.0, frozenset(), code)} if code in today else {}
            else:
                out: dict[str, tuple[float, frozenset[str], str]] = {}
                for new, share, kind, _ in succ[code]:
                    for cur, (sub, kinds, path) in resolve(new, depth + 1).items():
                        prev = out.get(cur, (0.0, frozenset(), ""))
                        out[cur] = (
                            prev[0] + share * sub,
                            prev[1] | kinds | {kind},
                            prev[2] or f"{code}>{path}",
                        )
                memo[code] = out
        return memo[code]

    rows = []
    for code in codes:
        for cur, (share, kinds, path) in resolve(code).items():
            method = next(
                (k for k in ("opsplitsing", "samenvoeging", "naamswijziging") if k in kinds),
                "ongewijzigd",
            )
            rows.append(
                {
                    "gemeentecode": code,
                    "gemeentenaam": names.get(code),
                    "laatste_jaar": int(last_year[code]) if code in last_year.index else pd.NA,
                    "huidige_code": cur,
                    "huidige_naam": names.get(cur),
                    "aandeel": share,
                    "methode": method,
                    "keten": path,
                }
            )
    table = pd.DataFrame(rows)
    table["laatste_jaar"] = table["laatste_jaar"].astype("Int64")
    return table.sort_values(
        ["gemeentecode", "aandeel", "huidige_code"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)


def classify_changes(changes: pd.DataFrame) -> pd.Series:
    """The kind of each change row, from the pattern of codes.

    ``opsplitsing`` when the old code goes to several new codes;
    ``samenvoeging`` when a gemeente continues itself (old = new) or the new
    code takes in several old codes in that year; ``naamswijziging`` for a
    single old code that continues under a new code (``Groesbeek`` ->
    ``Berg en Dal``).
    """
    moved = changes[changes["code_oud"] != changes["code_nieuw"]]
    n_new = moved.groupby("code_oud")["code_nieuw"].nunique()
    n_old = changes.groupby(["jaar", "code_nieuw"])["code_oud"].nunique()
    kinds = []
    for year, old, new in changes[["jaar", "code_oud", "code_nieuw"]].itertuples(index=False):
        if n_new.get(old, 0) > 1:
            kinds.append("opsplitsing")
        elif old == new or n_old.get((year, new), 0) > 1:
            kinds.append("samenvoeging")
        else:
            kinds.append("naamswijziging")
    return pd.Series(kinds, index=changes.index, dtype=object)


def effective_years(changes: pd.DataFrame, register: pd.DataFrame) -> pd.Series:
    """The first year the new situation holds, corrected by the register.

    CBS lists some changes under the year they were decided rather than the
    year they took effect (Haaren: listed 2020, gone from 1 January 2021);
    when the old code still exists in the listed year, the year after its
    last appearance is used.
    """
    last = register.groupby("gemeentecode")["jaar"].max()
    first_year, last_year = int(register["jaar"].min()), int(register["jaar"].max())
    years = []
    for year, old, new in changes[["jaar", "code_oud", "code_nieuw"]].itertuples(index=False):
        end = last.get(old)
        if old != new and end is not None and first_year <= end < last_year and end + 1 != year:
            years.append(int(end) + 1)
        else:
            years.append(int(year))
    return pd.Series(years, index=changes.index, dtype="int64")
