"""Reference cohorts: how many children will enter secondary school, per gemeente and entry year.

A child enters leerjaar 1 in the school year in which it is 12 on 1 October, so a
child aged ``a`` on 1 October of year ``S`` belongs to entry year ``S + 12 - a``.
Three sources, best first, each taken from its latest file known as of the
forecast year (the caller applies :func:`dekkend.forecast.asof.as_of`):

1. ``po-woonadres``: primary pupils by home PC4 and age (DUO 03., only Bo and Sbo,
   ``vo_instroom``), ages 5-10, and every pupil aged 11 or older in one group:
   they are the pupils in their last primary year, who enter the next school
   year (age 11 alone undercounts that group: late-born and held-back children
   are 12). Age 4 is left out: not every four-year-old is enrolled yet;
2. ``po-schoollocatie``: the same per school location (DUO 2012/13 file),
   counted in the school's gemeente;
3. ``bevolking``: CBS population per PC4 on 1 January in 5-year bands, each band
   spread evenly over its five ages (age ``a`` on 1 January of ``P`` is taken as
   age ``a`` on 1 October of ``P - 1``).

The home-address pupils come first; the other two follow in order of recency
(the newest file first). Where a lower source fills entry years a better one lacks, it is first scaled to
the better one's level on the entry years both cover (per gemeente), so that
splicing sources never creates a jump. Beyond the youngest observed entry year
the **births assumption** applies: the log-linear trend of the last five
observed cohorts of the gemeente, its yearly change clipped to
:data:`TREND_CLIP`; those years are flagged ``aanname``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.ingest._text import estimated_count

SOURCES = ("po-woonadres", "po-schoollocatie", "bevolking")
PO_AGES = range(5, 11)
#: Children still in primary school at this age or older enter secondary school next year.
PO_LAST_AGE = 11
TREND_YEARS = 5
TREND_CLIP = (-0.05, 0.03)


@dataclass(frozen=True)
class Cohorts:
    """Children per gemeente and entry year, with the source of every value.

    ``table`` has columns ``gemeentecode``, ``instroomjaar``, ``kinderen``,
    ``bron`` (one of :data:`SOURCES` or ``aanname``), ``waargenomen`` (the school
    year, 1 October, in which the cohort was counted; for ``aanname`` rows the
    year of the last observed cohort) and ``jaren_voorbij`` (entry years beyond
    the last observed one; 0 for observed cohorts).
    """

    table: pd.DataFrame

    @property
    def empty(self) -> bool:
        """True when no source had any children."""
        return self.table.empty

    def matrix(self, gemeenten: list[str], years: range) -> tuple[np.ndarray, np.ndarray]:
        """``(children, years_beyond)`` arrays of shape (gemeenten, years); NaN where unknown."""
        t = self.table[self.table["gemeentecode"].isin(gemeenten)]
        kids = t.pivot_table(index="gemeentecode", columns="instroomjaar", values="kinderen", aggfunc="sum")
        beyond = t.pivot_table(index="gemeentecode", columns="instroomjaar", values="jaren_voorbij", aggfunc="max")
        kids = kids.reindex(index=gemeenten, columns=list(years))
        beyond = beyond.reindex(index=gemeenten, columns=list(years))
        return kids.to_numpy(dtype=float), beyond.to_numpy(dtype=float)


def pc4_to_gemeente(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """PC4 -> current gemeentecode (see :func:`dekkend.regions.pc4_gemeenten`)."""
    from dekkend.regions import pc4_gemeenten

    return pc4_gemeenten(tables).set_index("pc4")["gemeentecode"]


def _current(codes: pd.Series, tables: dict[str, pd.DataFrame]) -> pd.Series:
    mapping = tables.get("gemeente_naar_huidig")
    if mapping is None or mapping.empty:
        return codes
    m = mapping.drop_duplicates("gemeentecode").set_index("gemeentecode")["huidige_code"]
    return codes.map(m).fillna(codes)


def _latest(frame: pd.DataFrame, year_col: str) -> pd.DataFrame:
    return frame[frame[year_col] == frame[year_col].max()] if len(frame) else frame


def _entry(frame: pd.DataFrame) -> pd.Series:
    """Entry year of primary pupils: ``schooljaar + 12 - age``, all ages >= 11 entering next year."""
    age = frame["leeftijd"].astype(int).clip(upper=PO_LAST_AGE)
    return frame["schooljaar"].astype(int) + 12 - age


def _from_home_po(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    kids = tables.get("kinderen")
    if kids is None or kids.empty:
        return pd.DataFrame()
    k = kids[kids["vo_instroom"].astype(bool) & kids["pc4"].notna() & kids["leeftijd"].notna()]
    k = _latest(k[k["leeftijd"] >= PO_AGES.start], "schooljaar")
    if k.empty:
        return k
    gem = k["pc4"].map(pc4_to_gemeente(tables))
    out = pd.DataFrame(
        {
            "gemeentecode": gem,
            "instroomjaar": _entry(k),
            "kinderen": estimated_count(k),
            "waargenomen": k["schooljaar"].astype(int),
        }
    )
    return _sum(out)


def _from_school_po(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    po = tables.get("po_leerlingen_leeftijd")
    schools = tables.get("po_vestigingen")
    if po is None or po.empty or schools is None:
        return pd.DataFrame()
    p = po[po["leeftijd"].notna()]
    p = _latest(p[p["leeftijd"] >= PO_AGES.start], "schooljaar")
    gem = p["vestigingscode"].map(schools.drop_duplicates("vestigingscode").set_index("vestigingscode")["gemeentecode"])
    out = pd.DataFrame(
        {
            "gemeentecode": _current(gem, tables),
            "instroomjaar": _entry(p),
            "kinderen": estimated_count(p),
            "waargenomen": p["schooljaar"].astype(int),
        }
    )
    return _sum(out)


def _from_population(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    pop = tables.get("bevolking_pc4")
    if pop is None or pop.empty:
        return pd.DataFrame()
    p = pop[(pop["geslacht"] == "totaal") & pop["leeftijd_tot"].notna() & pop["aantal"].notna()]
    p = p[p["leeftijd_tot"].astype(int) <= 19]
    p = _latest(p, "jaar")
    if p.empty:
        return p
    gem = _current(p["gemeentecode"], tables) if "gemeentecode" in p.columns else p["pc4"].map(pc4_to_gemeente(tables))
    rows = []
    for lo, hi in p[["leeftijd_van", "leeftijd_tot"]].drop_duplicates().itertuples(index=False):
        band = p[(p["leeftijd_van"] == lo) & (p["leeftijd_tot"] == hi)]
        width = int(hi) - int(lo) + 1
        for age in range(int(lo), int(hi) + 1):
            rows.append(
                pd.DataFrame(
                    {
                        "gemeentecode": gem.loc[band.index],
                        "instroomjaar": band["jaar"].astype(int) - 1 + 12 - age,
                        "kinderen": band["aantal"].astype(float) / width,
                        "waargenomen": band["jaar"].astype(int) - 1,
                    }
                )
            )
    return _sum(pd.concat(rows, ignore_index=True))


def _sum(out: pd.DataFrame) -> pd.DataFrame:
    """Children per gemeente and entry year (one source, one count date)."""
    return (
        out.dropna(subset=["gemeentecode"])
        .groupby(["gemeentecode", "instroomjaar"], as_index=False)
        .agg(kinderen=("kinderen", "sum"), waargenomen=("waargenomen", "max"))
    )


def _splice(better: pd.DataFrame, lower: pd.DataFrame, name: str) -> pd.DataFrame:
    """Add ``lower``'s entry years that ``better`` lacks, scaled to ``better``'s level per gemeente."""
    if lower.empty:
        return better
    lower = lower.assign(bron=name)
    if better.empty:
        return lower
    both = better.merge(lower, on=["gemeentecode", "instroomjaar"], suffixes=("", "_l"))
    sums = both.groupby("gemeentecode")[["kinderen", "kinderen_l"]].sum()
    ratio = (sums["kinderen"] / sums["kinderen_l"].where(sums["kinderen_l"] > 0)).astype(float)
    extra = lower.merge(
        better[["gemeentecode", "instroomjaar"]], how="left", indicator=True, on=["gemeentecode", "instroomjaar"]
    )
    extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
    extra["kinderen"] = (
        extra["kinderen"].astype(float) * extra["gemeentecode"].map(ratio).astype(float).fillna(1.0).to_numpy()
    )
    return pd.concat([better, extra], ignore_index=True)


def band_growth(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Yearly growth per gemeente from the two youngest population bands (0-4 against 5-9)."""
    pop = tables.get("bevolking_pc4")
    if pop is None or pop.empty:
        return pd.Series(dtype=float)
    p = _latest(pop[(pop["geslacht"] == "totaal") & pop["aantal"].notna() & pop["leeftijd_tot"].notna()], "jaar")
    p = p.assign(gemeentecode=_current(p["gemeentecode"], tables))
    bands = p.groupby(["gemeentecode", "leeftijd_van"])["aantal"].sum().astype(float).unstack()
    if 0 not in bands.columns or 5 not in bands.columns:
        return pd.Series(dtype=float)
    return ((bands[0] / bands[5]) ** (1 / 5) - 1).replace([np.inf, -np.inf], np.nan).dropna()


def _extend(table: pd.DataFrame, until: int, growth_by_gem: pd.Series) -> pd.DataFrame:
    """Apply the births assumption beyond each gemeente's last observed entry year.

    The yearly change is the change between the two youngest population bands
    where the population is known, else the log-linear trend of the last
    :data:`TREND_YEARS` observed cohorts; clipped to :data:`TREND_CLIP`.
    """
    t = table.sort_values(["gemeentecode", "instroomjaar"])
    tail = t.groupby("gemeentecode").tail(TREND_YEARS)
    g = tail.groupby("gemeentecode")
    last = g["instroomjaar"].max()
    todo = last[last < until].index
    if len(todo) == 0:
        return table.assign(jaren_voorbij=0)
    x = tail["instroomjaar"].astype(float)
    y = np.log(np.maximum(tail["kinderen"].to_numpy(float), 0.5))
    frame = pd.DataFrame({"g": tail["gemeentecode"].to_numpy(), "x": x.to_numpy(), "y": y})
    frame["xm"] = frame["x"] - frame.groupby("g")["x"].transform("mean")
    frame["ym"] = frame["y"] - frame.groupby("g")["y"].transform("mean")
    sxx = (frame["xm"] ** 2).groupby(frame["g"]).sum()
    sxy = (frame["xm"] * frame["ym"]).groupby(frame["g"]).sum()
    trend = np.expm1((sxy / sxx.where(sxx > 0)).fillna(0.0))
    growth = growth_by_gem.reindex(trend.index).fillna(trend).clip(*TREND_CLIP)
    n = g.size()
    base = g["kinderen"].mean() * (1 + growth) ** ((n - 1) / 2)
    seen = g["waargenomen"].last()
    lasts = last[todo].to_numpy(int)
    count = until - lasts
    gem = np.repeat(np.asarray(todo, dtype=object), count)
    ahead = np.concatenate([np.arange(1, c + 1) for c in count])
    start = np.repeat(lasts, count)
    extra = pd.DataFrame(
        {
            "gemeentecode": gem,
            "instroomjaar": start + ahead,
            "kinderen": np.repeat(base[todo].to_numpy(float), count)
            * (1 + np.repeat(growth[todo].to_numpy(float), count)) ** ahead,
            "bron": "aanname",
            "waargenomen": np.repeat(seen[todo].to_numpy(int), count),
            "jaren_voorbij": ahead,
        }
    )
    return pd.concat([table.assign(jaren_voorbij=0), extra], ignore_index=True)


def _source_date(tables: dict[str, pd.DataFrame], name: str) -> pd.Timestamp:
    frame = tables.get(name)
    if frame is None or frame.empty or "peildatum" not in frame.columns:
        return pd.Timestamp.min
    return pd.to_datetime(frame["peildatum"]).max()


def _ordered_sources(tables: dict[str, pd.DataFrame]) -> list[tuple[str, pd.DataFrame]]:
    """Home-address pupils first, then school-location pupils and population, newest first."""
    rest = [
        ("po-schoollocatie", "po_leerlingen_leeftijd", _from_school_po),
        ("bevolking", "bevolking_pc4", _from_population),
    ]
    rest.sort(key=lambda r: _source_date(tables, r[1]), reverse=True)
    return [("po-woonadres", _from_home_po(tables)), *((name, fn(tables)) for name, _, fn in rest)]


def reference_cohorts(tables: dict[str, pd.DataFrame], until: int) -> Cohorts:
    """Children per current gemeente and entry year, observed and assumed up to ``until``."""
    table = pd.DataFrame(columns=["gemeentecode", "instroomjaar", "kinderen", "bron", "waargenomen"])
    for name, frame in _ordered_sources(tables):
        table = _splice(table, frame, name) if not frame.empty else table
    if table.empty:
        return Cohorts(table.assign(jaren_voorbij=pd.Series(dtype=float)))
    table["instroomjaar"] = table["instroomjaar"].astype(int)
    table["waargenomen"] = table["waargenomen"].astype(int)
    return Cohorts(
        _extend(table, until, band_growth(tables)).sort_values(["gemeentecode", "instroomjaar"]).reset_index(drop=True)
    )
