"""CBS gemeente lists: codes and names per year, mergers and splits; and the derived gemeente tables.

Derived after every import (see :func:`derive_gemeenten`):

- ``gemeenten``: today's gemeenten;
- ``gemeente_alias``: every known spelling of every gemeente name;
- ``gemeente_naar_huidig``: every code of every year to today's gemeente(n).

A split gemeente's rows in ``gemeente_naar_huidig`` carry the share of its
population that went to each successor (``aandeel``). The share is computed
from the data when possible (``aandeel_methode = bevolking-pc4``): the
population of each PC4 of the old gemeente, in the latest CBS PC4 table that
still has it, goes to the successor whose boundary (newest boundary file)
contains the PC4 centroid. Otherwise the shipped share is used
(``standaard``), else equal shares (``gelijk``).
"""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text
from dekkend.ingest import gemeenten as gm
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source
from dekkend.ingest.formats._common import check_unique, first_true
from dekkend.ingest.formats._geometrie import contains


# -- gemeenten per jaar -------------------------------------------------------------
def _cols(raw: _text.RawTable) -> dict[str, str]:
    return {c.lower(): c for c in raw.rows.columns}


def _detect_per_jaar(p: Probe) -> bool:
    return (
        p.kind == "tekst"
        and p.has("JAAR")
        and (p.has("CODE") or p.has("GEMEENTECODE"))
        and p.has("GEMEENTENAAM")
        and not p.has("CODE_OUD")
    )


def _years(raw: _text.RawTable, column: str) -> pd.Series:
    values = raw.rows[column].astype(str).str.strip()
    ok = values.str.fullmatch(r"(18|19|20|21)\d{2}")
    if not ok.all():
        pos = first_true(~ok)
        raise InvoerFout(
            f"'{values.iloc[pos]}' is geen jaartal",
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected="een jaar als 2019",
        )
    return values.astype(int)


def _codes(raw: _text.RawTable, column: str) -> pd.Series:
    codes = raw.rows[column].map(gm.normalise_code)
    if codes.isna().any():
        pos = first_true(codes.isna())
        raise InvoerFout(
            f"'{raw.rows[column].iloc[pos]}' is geen gemeentecode",
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected="een code van 1 tot 4 cijfers, eventueel met GM ervoor",
        )
    return codes


def _clean_name(name: str) -> str:
    text = gm.repair_mojibake(str(name)).strip()
    text = re.sub(r"(?<=[a-zâêîôûú])\d+$", "", text)  # footnote marks: 'De Friese Meren1'
    return re.sub(r"^s-(?=[A-Z])", "'s-", text)  # 's-Gravenhage written without its apostrophe


def read_per_jaar(ctx: FileContext) -> Parsed:
    """Read a list of gemeente codes and names per year (``jaar, gemeentenaam, code``)."""
    raw = _text.read_table(ctx.path)
    cols = _cols(raw)
    code_col = cols.get("code") or cols["gemeentecode"]
    years = _years(raw, cols["jaar"])
    codes = _codes(raw, code_col)
    check_unique(raw, pd.DataFrame({"jaar": years, "code": codes}), "jaar/gemeente")
    names = raw.rows[cols["gemeentenaam"]].map(_clean_name)
    frame = pd.DataFrame({"jaar": years, "gemeentecode": codes, "gemeentenaam": names})
    reference = ctx.reference_date(month=1, from_content=date(int(years.max()), 1, 1))
    notes = [
        f"{frame['jaar'].nunique()} jaren ({years.min()}-{years.max()}), {frame['gemeentecode'].nunique()} "
        "gemeentecodes"
    ]
    return Parsed({"gemeenten_jaar": with_source(frame, ctx, reference)}, reference, len(frame), notes=notes)


# -- mergers and splits ---------------------------------------------------------------
def _is_change_list(p: Probe) -> bool:
    return p.kind == "tekst" and p.has("JAAR", "CODE_OUD", "CODE_NIEUW")


def _detect_opsplitsingen(p: Probe) -> bool:
    return _is_change_list(p) and p.has("GEMEENTE_NAAM_NIEUW")


def _detect_samenvoegingen(p: Probe) -> bool:
    return _is_change_list(p) and not p.has("GEMEENTE_NAAM_NIEUW")


def _name_col(cols: dict[str, str], side: str) -> str | None:
    for key in (f"gemeentenaam_{side}", f"gemeente_naam_{side}", f"naam_{side}"):
        if key in cols:
            return cols[key]
    return None


def _expand_unknown_targets(frame: pd.DataFrame, raw: _text.RawTable) -> pd.DataFrame:
    """Code ``0000`` with a name like ``s-Hertogenbosch/Oss`` is a split over the named gemeenten."""
    unknown = frame["code_nieuw"] == "0000"
    if not unknown.any():
        return frame
    resolver = gm.Resolver.from_aliases(gm.alias_table(gm.builtin_register()))
    rows = []
    for pos in np.flatnonzero(unknown.to_numpy()):
        row = frame.iloc[pos]
        parts = [p.strip() for p in str(row["naam_nieuw"]).split("/") if p.strip()]
        codes = [resolver.code(_clean_name(p)) for p in parts]
        if len(parts) < 2 or any(c is None for c in codes):
            raise InvoerFout(
                f"nieuwe gemeentecode 0000 met naam '{row['naam_nieuw']}' is niet te herleiden",
                file=raw.path,
                line=raw.line_of(int(pos)),
                expected="een gemeentecode of namen gescheiden door '/'",
            )
        for part, code in zip(parts, codes, strict=True):
            rows.append({**row.to_dict(), "code_nieuw": code, "naam_nieuw": _clean_name(part)})
    return pd.concat([frame[~unknown], pd.DataFrame(rows)], ignore_index=True)


def read_changes(ctx: FileContext) -> Parsed:
    """Read a CBS list of mergers or splits (``jaar, code_oud, gemeentenaam_oud, code_nieuw, ...``)."""
    raw = _text.read_table(ctx.path)
    cols = _cols(raw)
    years = _years(raw, cols["jaar"])
    old, new = _codes(raw, cols["code_oud"]), raw.rows[cols["code_nieuw"]].map(gm.normalise_code)
    if new.isna().any():
        pos = first_true(new.isna())
        raise InvoerFout(
            f"'{raw.rows[cols['code_nieuw']].iloc[pos]}' is geen gemeentecode",
            file=ctx.path,
            line=raw.line_of(pos),
            column=cols["code_nieuw"],
        )
    check_unique(raw, pd.DataFrame({"jaar": years, "oud": old, "nieuw": new}), "jaar/oude code/nieuwe code")
    name_old, name_new = _name_col(cols, "oud"), _name_col(cols, "nieuw")
    frame = pd.DataFrame(
        {
            "jaar": years,
            "code_oud": old,
            "naam_oud": raw.rows[name_old].map(_clean_name) if name_old else None,
            "code_nieuw": new,
            "naam_nieuw": raw.rows[name_new].map(_clean_name) if name_new else None,
        }
    )
    frame = _expand_unknown_targets(frame, raw)
    frame["soort"] = gm.classify_changes(frame)
    frame["aandeel"] = np.nan
    frame = frame[list(gm.CHANGE_COLUMNS)]
    reference = ctx.reference_date(month=1, from_content=date(int(years.max()), 1, 1))
    counts = frame.loc[frame["code_oud"] != frame["code_nieuw"], "soort"].value_counts()
    notes = [", ".join(f"{n} x {k}" for k, n in counts.items())] if len(counts) else []
    return Parsed(
        {"gemeente_wijzigingen": with_source(frame, ctx, reference)},
        reference,
        len(raw.rows),
        notes=notes,
    )


# -- derived tables ------------------------------------------------------------------
def _latest_pc4_population(bevolking: pd.DataFrame, code: str) -> pd.DataFrame:
    rows = bevolking[
        (bevolking["gemeentecode"] == code)
        & (bevolking["gebied"] == "pc4")
        & (bevolking["geslacht"] == "totaal")
        & (bevolking["leeftijdsklasse"] == "totaal")
    ]
    if rows.empty:
        return rows
    return rows[rows["jaar"] == rows["jaar"].max()]


def _share_from_data(
    old: str, targets: list[str], to_current: dict[str, str], tables: dict[str, pd.DataFrame]
) -> dict[str, float] | None:
    """Population share per successor code, or None when the data are not there."""
    bev, cent, grens = (tables.get(n) for n in ("bevolking_pc4", "pc4_centroiden", "gemeentegrenzen"))
    if bev is None or cent is None or grens is None or bev.empty or cent.empty or grens.empty:
        return None
    pop = _latest_pc4_population(bev, old)
    if pop.empty:
        return None
    pts = pop.merge(cent.drop_duplicates("pc4")[["pc4", "lon", "lat"]], on="pc4")
    newest = grens[grens["jaar"] == grens["jaar"].max()]
    polygons: dict[str, list[dict]] = {}
    for code, geom in newest[["gemeentecode", "geometrie"]].itertuples(index=False):
        polygons.setdefault(to_current.get(code, code), []).append(json.loads(geom))
    weights = {}
    for target in targets:
        cur = to_current.get(target)
        inside = np.zeros(len(pts), dtype=bool)
        for geom in polygons.get(cur, []) if cur is not None else []:
            inside |= contains(geom, pts["lon"].to_numpy(), pts["lat"].to_numpy())
        weights[target] = float(pts.loc[inside, "aantal"].fillna(0).sum())
    total = sum(weights.values())
    if total <= 0:
        return None
    return {t: w / total for t, w in weights.items()}


def split_shares(changes: pd.DataFrame, register: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Fill ``aandeel`` and ``aandeel_methode`` for every split in ``changes``.

    Parameters
    ----------
    changes
        Changes with the shipped ``aandeel`` where known.
    register
        The combined register (its last year is today).
    tables
        The workspace tables; ``bevolking_pc4``, ``pc4_centroiden`` and
        ``gemeentegrenzen`` are used when present.

    Returns
    -------
    pandas.DataFrame
        ``changes`` with ``aandeel`` set for splits (and 1 otherwise) and ``aandeel_methode``.
    """
    changes = changes.copy()
    changes["aandeel_methode"] = None
    merged = changes.copy()
    merged.loc[merged["soort"] == "opsplitsing", "aandeel"] = np.nan
    plain = gm.map_to_current(register, merged[merged["soort"] != "opsplitsing"])
    to_current = plain.drop_duplicates("gemeentecode").set_index("gemeentecode")["huidige_code"].to_dict()
    for old, group in changes[changes["soort"] == "opsplitsing"].groupby("code_oud"):
        targets = list(group["code_nieuw"])
        shares = _share_from_data(old, targets, to_current, tables)
        if shares is not None:
            changes.loc[group.index, "aandeel"] = group["code_nieuw"].map(shares).to_numpy()
            changes.loc[group.index, "aandeel_methode"] = "bevolking-pc4"
        elif group["aandeel"].notna().all():
            changes.loc[group.index, "aandeel_methode"] = "standaard"
        else:
            changes.loc[group.index, "aandeel"] = 1.0 / len(group)
            changes.loc[group.index, "aandeel_methode"] = "gelijk"
    rest = changes["soort"] != "opsplitsing"
    changes.loc[rest, "aandeel"] = 1.0
    return changes


def derive_gemeenten(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Build ``gemeenten``, ``gemeente_alias`` and ``gemeente_naar_huidig``."""
    register = gm.combine_register(tables.get("gemeenten_jaar"))
    imported = tables.get("gemeente_wijzigingen")
    changes = gm.combine_changes(imported)
    changes["jaar"] = gm.effective_years(changes, register)
    changes["soort"] = gm.classify_changes(changes)
    changes = split_shares(changes, register, tables)
    to_current = gm.map_to_current(register, changes)
    method = changes.drop_duplicates("code_oud").set_index("code_oud")["aandeel_methode"]
    to_current["aandeel_methode"] = to_current["gemeentecode"].map(method).where(to_current["methode"] == "opsplitsing")
    today = int(register["jaar"].max())
    current = register[register["jaar"] == today][["gemeentecode", "gemeentenaam"]].copy()
    current["jaar"] = today
    aliases = gm.alias_table(register)
    return {
        "gemeenten": current.sort_values("gemeentecode").reset_index(drop=True),
        "gemeente_alias": aliases,
        "gemeente_naar_huidig": to_current,
    }


FORMATS = [
    FileFormat(
        "cbs-gemeenten-per-jaar",
        "CBS gemeentecodes en -namen per jaar",
        _detect_per_jaar,
        read_per_jaar,
        priority=6,
    ),
    FileFormat(
        "cbs-samenvoegingen",
        "CBS gemeentelijke samenvoegingen",
        _detect_samenvoegingen,
        read_changes,
        priority=6,
    ),
    FileFormat(
        "cbs-opsplitsingen",
        "CBS gemeentelijke opsplitsingen",
        _detect_opsplitsingen,
        read_changes,
        priority=6,
    ),
]

DERIVE = [derive_gemeenten]
