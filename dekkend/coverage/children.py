"""Children aged 12-17 per home area (PC4), the weights of the reachability indicators.

For school year ``Y`` (count date 1 October) each single age ``a`` in 12..17
is estimated, in this order:

1. **aged primary-school cohorts** (``kinderen``, Bo and Sbo pupils by home
   PC4 and age): the children aged ``b = a - (Y - s)`` in the latest count
   year ``s`` where ``b`` lies in 4..11;
2. **CBS 5-year bands** (``bevolking_pc4``, 1 January of year ``J``): a band
   is spread evenly over its five ages and aged to 1 October ``Y``: a child
   aged ``b`` on 1 January is ``b + (Y - J)`` on 1 October for a quarter of
   the children and one year older for three quarters;
3. otherwise the estimate of that age for the latest earlier year that has
   one (held constant).

Missing CBS cells (secret) count as 0. The CBS table is read only through
:func:`population_bands`; adjust that function when its names change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dekkend.ingest._text import estimated_count

AGES = range(12, 18)
PO_AGES = range(4, 12)
#: Share of children whose birthday falls between 1 January and 1 October.
BIRTHDAY_BEFORE_OCTOBER = 0.75
_HOLD_BACK = 40


def population_bands(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """CBS population per PC4 in 5-year bands: ``pc4, jaar, leeftijd_van, leeftijd_tot, aantal``.

    Reads ``bevolking_pc4`` (both sexes, closed age bands, rows with a PC4).
    Returns an empty frame when the table is absent.
    """
    b = tables.get("bevolking_pc4")
    cols = ["pc4", "jaar", "leeftijd_van", "leeftijd_tot", "aantal"]
    if b is None or b.empty:
        return pd.DataFrame(columns=cols)
    keep = b["pc4"].notna() & b["leeftijd_tot"].notna() & (b["geslacht"] == "totaal")
    if "gebied" in b.columns:
        keep &= b["gebied"] == "pc4"
    out = b.loc[keep, cols].copy()
    out["pc4"] = out["pc4"].astype(str)
    for c in ("jaar", "leeftijd_van", "leeftijd_tot"):
        out[c] = out[c].astype(int)
    out["aantal"] = out["aantal"].astype("Float64").fillna(0.0).astype(float)
    return out.reset_index(drop=True)


def po_cohorts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Primary-school pupils who will enter vo, per home PC4, count year and age 4-11.

    Reads ``kinderen``; keeps ``vo_instroom`` (Bo, Sbo) rows, or ``telt_als_kind``
    where that column exists instead; censored counts count as 2.5.
    """
    k = tables.get("kinderen")
    cols = ["pc4", "schooljaar", "leeftijd", "aantal"]
    if k is None or k.empty:
        return pd.DataFrame(columns=cols)
    keep = k["pc4"].notna() & k["leeftijd"].isin(list(PO_AGES))
    for flag in ("vo_instroom", "telt_als_kind"):
        if flag in k.columns:
            keep &= k[flag].fillna(False).astype(bool)
            break
    rows = k[keep]
    out = (
        rows.assign(aantal=estimated_count(rows))
        .groupby(["pc4", "schooljaar", "leeftijd"], as_index=False)["aantal"]
        .sum()
    )
    out["pc4"] = out["pc4"].astype(str)
    return out


@dataclass(frozen=True, eq=False)
class Children:
    """Estimated children aged 12-17 per PC4 for one school year, and how each age was estimated."""

    jaar: int
    per_pc4: pd.Series
    method: dict[int, str]

    def describe(self) -> str:
        """Dutch summary, e.g. ``12-13: po-cohorten 2017; 14-17: cbs-banden 2018``."""
        groups: list[tuple[int, int, str]] = []
        for age in AGES:
            m = self.method.get(age, "geen gegevens")
            if groups and groups[-1][2] == m and groups[-1][1] == age - 1:
                groups[-1] = (groups[-1][0], age, m)
            else:
                groups.append((age, age, m))
        return "; ".join(f"{a}-{b}: {m}" if a != b else f"{a}: {m}" for a, b, m in groups)


class _Sources:
    """The two sources as quick lookups: age -> PC4 series."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        po = po_cohorts(tables)
        self.po_years = sorted(int(y) for y in po["schooljaar"].unique())
        self.po = {
            (int(s), int(a)): g.set_index("pc4")["aantal"] for (s, a), g in po.groupby(["schooljaar", "leeftijd"])
        }
        bands = population_bands(tables)
        self.cbs_years = sorted(int(y) for y in bands["jaar"].unique())
        self.single: dict[int, pd.DataFrame] = {}
        for year, g in bands.groupby("jaar"):
            per_age = {}
            for lo, hi in sorted(set(zip(g["leeftijd_van"], g["leeftijd_tot"], strict=True))):
                band = g[(g["leeftijd_van"] == lo) & (g["leeftijd_tot"] == hi)].groupby("pc4")["aantal"].sum() / (
                    hi - lo + 1
                )
                for age in range(lo, hi + 1):
                    per_age[age] = band
            self.single[int(year)] = pd.DataFrame(per_age).fillna(0.0)

    def po_age(self, year: int, age: int) -> tuple[pd.Series, str] | None:
        for s in reversed(self.po_years):
            b = age - (year - s)
            if s <= year and b in PO_AGES and (s, b) in self.po:
                return self.po[(s, b)], f"po-cohorten {s}"
        return None

    def cbs_age(self, year: int, age: int) -> tuple[pd.Series, str] | None:
        if not self.cbs_years:
            return None
        j = max([y for y in self.cbs_years if y <= year + 1] or [self.cbs_years[0]])
        table = self.single[j]
        young, old = age - (year - j), age - (year - j) - 1
        if old < 0 or young not in table.columns or old not in table.columns:
            return None
        value = (1 - BIRTHDAY_BEFORE_OCTOBER) * table[young] + BIRTHDAY_BEFORE_OCTOBER * table[old]
        return value, f"cbs-banden {j}"

    def age(self, year: int, age: int) -> tuple[pd.Series, str] | None:
        return self.po_age(year, age) or self.cbs_age(year, age)


class ChildEstimator:
    """Reads the sources once and estimates children aged 12-17 for any school year."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self._src = _Sources(tables)
        self._years: dict[int, Children] = {}

    def estimate(self, jaar: int) -> Children:
        """Children aged 12-17 per PC4 in school year ``jaar`` (computed once per year; treat as read-only)."""
        year = int(jaar)
        if year not in self._years:
            self._years[year] = _estimate(self._src, year)
        return self._years[year]


def children_12_17(tables: dict[str, pd.DataFrame], jaar: int) -> Children:
    """Estimated children aged 12-17 per PC4 in school year ``jaar`` (see the module docstring).

    Returns
    -------
    Children
        ``per_pc4`` (float, PC4 index; empty when the workspace has neither
        source) and the method per age.
    """
    return _estimate(_Sources(tables), jaar)


def _estimate(src: _Sources, jaar: int) -> Children:
    total = pd.Series(dtype=float)
    method: dict[int, str] = {}
    for age in AGES:
        found = src.age(jaar, age)
        if found is None:
            for earlier in range(jaar - 1, jaar - _HOLD_BACK, -1):
                found = src.age(earlier, age)
                if found is not None:
                    found = (found[0], f"{found[1]}, vastgehouden vanaf {earlier}")
                    break
        if found is None:
            continue
        value, method[age] = found
        total = total.add(value, fill_value=0.0)
    total.index = total.index.astype(str)
    return Children(int(jaar), total.sort_index(), method)
