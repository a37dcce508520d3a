"""Children per home area (PC4) and entry year, aged forward with net migration.

The gemeente totals are the reference cohorts of :mod:`dekkend.forecast.cohorts`
(sources spliced, births assumption beyond the observed years). Two steps turn
them into the children a school-choice model allocates:

1. **Net migration and mortality** (:func:`estimate_migration`). A cohort counted
   ``L`` school years before it enters secondary school changes by net migration
   (and, negligibly, mortality) until it enters. The yearly rate per gemeente is
   estimated from a population series known as of the forecast year, the best
   available first:

   - ``po-reeks``: primary pupils (bao + sbao) by home gemeente per school year
     (CBS 85701NED). If the cohorts did not migrate, the ratio of the pupils to the
     eight cohorts of primary-school age, ``q_g(S) = po_g(S) / sum_{e=S+1}^{S+8} R_g(e)``,
     would stay constant; its log-linear slope over the last :data:`SERIES_YEARS`
     school years is the migration rate;
   - ``bevolking``: two CBS PC4 population tables at least three years apart: the
     children of 5-14 in the later table against the same birth years in the
     earlier one (five-year bands spread over their ages);
   - ``geen``: neither is known; no migration.

   A gemeente's rate is shrunk towards the national rate with weight
   :data:`SHRINK_CHILDREN` (children), multiplied by :data:`DAMPING` (the rate
   of the last few years is not expected to persist in full) and clipped to
   :data:`RATE_CLIP`. A cohort counted in school year ``W`` that enters in ``e``
   is multiplied by ``exp(rate_g * max(0, e - W))``.
2. **Home areas** (:func:`area_children`). Each gemeente's children of an entry
   year are spread over its PC4 areas in proportion to the best PC4-level source
   for that entry year: primary pupils by home PC4 and age (Bo and Sbo), else
   primary pupils by school location and age (at the school's PC4), else the CBS
   population per PC4 in five-year bands. Entry years no PC4 source covers take
   the distribution of the nearest covered year.

The choice of :data:`SHRINK_CHILDREN` and :data:`DAMPING` was made on the
gemeente back-test at origins 2014, 2015, 2017, 2018 and 2019 (not on the
reported origin 2016); see ``docs/methods/forecast.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.forecast.cohorts import Cohorts, pc4_to_gemeente
from dekkend.ingest._text import estimated_count

#: Yearly log rates are clipped to this range.
RATE_CLIP = 0.03
#: Weight (in children) of the national rate when shrinking a gemeente's rate.
SHRINK_CHILDREN = 1000.0
#: Share of the estimated rate that is carried into the future.
DAMPING = 0.5
#: School years of the primary-pupil series used for the migration slope.
SERIES_YEARS = 4
#: Primary-school ages counted in the series: entry years S+1 .. S+PO_COHORTS.
PO_COHORTS = 8
#: Ages 5-14 are compared between two population tables.
POP_AGES = range(5, 15)


@dataclass(frozen=True)
class Migration:
    """Yearly net migration (and mortality) rate of school-age children per gemeente.

    ``rate`` maps gemeentecode to a yearly log rate (already shrunk, damped and
    clipped); gemeenten not in it take ``national``. ``source`` is ``po-reeks``,
    ``bevolking`` or ``geen``; ``years`` are the years of the series used.
    """

    rate: pd.Series
    national: float
    source: str
    years: tuple[int, ...] = ()

    def of(self, gemeenten: np.ndarray | list[str]) -> np.ndarray:
        """The yearly rate of each gemeente (national where unknown)."""
        return self.rate.reindex(list(gemeenten)).fillna(self.national).to_numpy(float)


NO_MIGRATION = Migration(pd.Series(dtype=float), 0.0, "geen")


def _shrink(slope: pd.Series, national: float, weight: pd.Series) -> pd.Series:
    w = weight.reindex(slope.index).fillna(0.0).clip(lower=0.0)
    shrunk = (slope * w + national * SHRINK_CHILDREN) / (w + SHRINK_CHILDREN)
    return (DAMPING * shrunk.fillna(national)).clip(-RATE_CLIP, RATE_CLIP)


def _loglinear_slope(frame: pd.DataFrame) -> pd.Series:
    """OLS slope of each row of ``frame`` (columns are years) on the year.

    A row with an infinite value (the national ratio of a year without any cohort index, in a back-test
    from an early count year) gets a non-finite slope; :func:`_from_po_series` then uses no national
    trend. numpy's warning about it (in English, on the user's screen) is silenced; the numbers are the same.
    """
    x = np.array(frame.columns, float)
    xm = x - x.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.log(frame.where(frame > 0))
        y = y.sub(y.mean(axis=1), axis=0)
        return (y * xm).sum(axis=1, min_count=2) / float((xm**2).sum())


def _po_series(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    t = tables.get("leerlingen_woongemeente_huidig")
    if t is None or t.empty:
        return pd.DataFrame()
    t = t[t["onderwijssoort"].isin(["bao", "sbao"]) & (t["geslacht"] == "totaal")]
    return t.groupby(["gemeentecode", "schooljaar"])["aantal"].sum().unstack()


def _from_po_series(tables: dict[str, pd.DataFrame], cohorts: pd.DataFrame) -> Migration | None:
    po = _po_series(tables)
    if po.empty:
        return None
    years = [y for y in sorted(po.columns) if po[y].notna().any()][-SERIES_YEARS:]
    if len(years) < 2:
        return None
    kids = cohorts.pivot_table(index="gemeentecode", columns="instroomjaar", values="kinderen", aggfunc="sum")
    index = pd.DataFrame(
        {s: kids.reindex(columns=range(s + 1, s + PO_COHORTS + 1)).sum(axis=1, min_count=PO_COHORTS) for s in years}
    )
    po = po[years].reindex(index.index)
    q = po / index.where(index > 0)
    slope = _loglinear_slope(q)
    nat = _loglinear_slope(pd.DataFrame([po.sum() / index.where(po.notna()).sum()]))
    national = float(nat.iloc[0]) if np.isfinite(nat.iloc[0]) else 0.0
    rate = _shrink(slope, national, po[years[-1]])
    return Migration(
        rate, float(np.clip(DAMPING * national, -RATE_CLIP, RATE_CLIP)), "po-reeks", tuple(int(y) for y in years)
    )


def _single_ages(pop: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Population per current gemeente and single age (bands spread evenly)."""
    from dekkend.forecast.cohorts import _current

    p = pop[(pop["geslacht"] == "totaal") & pop["leeftijd_tot"].notna() & pop["aantal"].notna()]
    p = p[p["leeftijd_tot"].astype(int) <= 24].assign(gemeentecode=lambda f: _current(f["gemeentecode"], tables))
    rows = []
    for (lo, hi), band in p.groupby(["leeftijd_van", "leeftijd_tot"]):
        tot = band.groupby("gemeentecode")["aantal"].sum().astype(float) / (int(hi) - int(lo) + 1)
        for age in range(int(lo), int(hi) + 1):
            rows.append(pd.DataFrame({"gemeentecode": tot.index, "leeftijd": age, "n": tot.to_numpy()}))
    return pd.concat(rows).pivot_table(index="gemeentecode", columns="leeftijd", values="n", aggfunc="sum")


def _from_population(tables: dict[str, pd.DataFrame]) -> Migration | None:
    pop = tables.get("bevolking_pc4")
    if pop is None or pop.empty:
        return None
    years = sorted(int(y) for y in pop["jaar"].dropna().unique())
    if not years:
        return None
    late = years[-1]
    early = [y for y in years if late - y >= 3]
    if not early:
        return None
    y1, y2 = early[-1], late
    d = y2 - y1
    a1 = _single_ages(pop[pop["jaar"] == y1], tables)
    a2 = _single_ages(pop[pop["jaar"] == y2], tables)
    ages = [a for a in POP_AGES if a - d >= 0]
    if not ages:
        return None
    later = a2.reindex(columns=ages).sum(axis=1)
    before = a1.reindex(columns=[a - d for a in ages]).sum(axis=1)
    both = later.index.intersection(before.index)
    ratio = later[both] / before[both].where(before[both] > 0)
    slope = np.log(ratio.where(ratio > 0)) / d
    national = float(np.log(later[both].sum() / before[both].sum()) / d)
    rate = _shrink(slope, national, later[both])
    return Migration(rate, float(np.clip(DAMPING * national, -RATE_CLIP, RATE_CLIP)), "bevolking", (y1, y2))


def estimate_migration(tables: dict[str, pd.DataFrame], cohorts: Cohorts) -> Migration:
    """Yearly net migration rate of children per gemeente from the best population series known.

    ``tables`` must already be restricted to what was known (see
    :func:`dekkend.forecast.asof.as_of`); ``cohorts`` are the reference cohorts
    built from the same tables.
    """
    if cohorts.empty:
        return NO_MIGRATION
    for method in (lambda: _from_po_series(tables, cohorts.table), lambda: _from_population(tables)):
        found = method()
        if found is not None:
            return found
    return NO_MIGRATION


def migrated(cohorts: Cohorts, migration: Migration) -> Cohorts:
    """The cohorts with net migration applied from their count date to their entry year."""
    t = cohorts.table
    if t.empty or (migration.rate.abs().sum() == 0 and migration.national == 0):
        return cohorts
    lead = np.maximum(0, t["instroomjaar"].to_numpy(int) - t["waargenomen"].to_numpy(int))
    factor = np.exp(migration.of(t["gemeentecode"].to_numpy(object)) * lead)
    return Cohorts(t.assign(kinderen=t["kinderen"].to_numpy(float) * factor))


@dataclass(frozen=True, eq=False)
class AreaChildren:
    """Children entering secondary school per home area (PC4) and entry year.

    Attributes
    ----------
    pc4, gemeente, xy, zone
        The home areas (rows): postcode, current gemeentecode, RD point, water zone.
    years
        Entry years (columns), ascending and consecutive.
    children
        ``(areas, years)``: children entering in that year, migration applied.
    beyond
        ``(areas, years)``: entry years beyond the last observed cohort (births assumption).
    lead
        ``(areas, years)``: school years between the count of the cohort and its entry (0 when
        counted at or after entry): the years over which migration was applied.
    migration
        The rates that were applied.
    unplaced
        Children of gemeenten without any located home area, per entry year
        (left out of ``children``).
    """

    pc4: np.ndarray
    gemeente: np.ndarray
    xy: np.ndarray
    zone: np.ndarray
    years: np.ndarray
    children: np.ndarray
    beyond: np.ndarray
    lead: np.ndarray
    migration: Migration
    unplaced: np.ndarray

    def col(self, year: int) -> int:
        """Column index of an entry year."""
        return int(year - self.years[0])

    def areas(self) -> pd.DataFrame:
        """The home areas as a frame ``pc4, x_rd, y_rd, zone`` (rows in order)."""
        return pd.DataFrame({"pc4": self.pc4, "x_rd": self.xy[:, 0], "y_rd": self.xy[:, 1], "zone": self.zone})

    def by_gemeente(self) -> pd.DataFrame:
        """Children per gemeente (rows) and entry year (columns)."""
        return pd.DataFrame(self.children, columns=self.years).groupby(self.gemeente).sum()


def _kids_home(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    kids = tables.get("kinderen")
    if kids is None or kids.empty:
        return pd.DataFrame()
    k = kids[kids["vo_instroom"].astype(bool) & kids["pc4"].notna() & kids["leeftijd"].notna()]
    k = k[k["leeftijd"] >= 5]
    if k.empty:
        return k
    k = k[k["schooljaar"] == k["schooljaar"].max()]
    entry = k["schooljaar"].astype(int) + 12 - k["leeftijd"].astype(int).clip(upper=11)
    return pd.DataFrame({"pc4": k["pc4"].astype(str), "instroomjaar": entry, "x": estimated_count(k)})


def _kids_school(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    po, schools = tables.get("po_leerlingen_leeftijd"), tables.get("po_vestigingen")
    if po is None or po.empty or schools is None or schools.empty:
        return pd.DataFrame()
    p = po[po["leeftijd"].notna() & (po["leeftijd"] >= 5)]
    if p.empty:
        return p
    p = p[p["schooljaar"] == p["schooljaar"].max()]
    pc4 = schools.drop_duplicates("vestigingscode").set_index("vestigingscode")["pc6"].astype("string").str.slice(0, 4)
    entry = p["schooljaar"].astype(int) + 12 - p["leeftijd"].astype(int).clip(upper=11)
    return pd.DataFrame({"pc4": p["vestigingscode"].map(pc4), "instroomjaar": entry, "x": estimated_count(p)}).dropna(
        subset=["pc4"]
    )


def _kids_population(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    pop = tables.get("bevolking_pc4")
    if pop is None or pop.empty:
        return pd.DataFrame()
    p = pop[(pop["geslacht"] == "totaal") & pop["pc4"].notna() & pop["leeftijd_tot"].notna() & pop["aantal"].notna()]
    p = p[p["leeftijd_tot"].astype(int) <= 19]
    if p.empty:
        return p
    p = p[p["jaar"] == p["jaar"].max()]
    rows = []
    for (lo, hi), band in p.groupby(["leeftijd_van", "leeftijd_tot"]):
        for age in range(int(lo), int(hi) + 1):
            rows.append(
                pd.DataFrame(
                    {
                        "pc4": band["pc4"].astype(str),
                        "instroomjaar": band["jaar"].astype(int) - 1 + 12 - age,
                        "x": band["aantal"].astype(float) / (int(hi) - int(lo) + 1),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _shares(
    areas: pd.DataFrame, gem_index: np.ndarray, n_gem: int, years: np.ndarray, tables: dict[str, pd.DataFrame]
) -> tuple[np.ndarray, np.ndarray]:
    """Share of each area in its gemeente per entry year, and which gemeente-years have a source."""
    n, t = len(areas), len(years)
    share = np.full((n, t), np.nan)
    filled = np.zeros((n_gem, t), bool)
    pos = pd.Series(np.arange(n), index=areas["pc4"].to_numpy())
    for source in (_kids_home, _kids_school, _kids_population):
        src = source(tables)
        if src.empty:
            continue
        src = src[src["pc4"].isin(pos.index) & src["instroomjaar"].between(years[0], years[-1])]
        if src.empty:
            continue
        x = np.zeros((n, t))
        np.add.at(
            x, (pos[src["pc4"]].to_numpy(), src["instroomjaar"].to_numpy(int) - years[0]), src["x"].to_numpy(float)
        )
        gsum = np.zeros((n_gem, t))
        np.add.at(gsum, gem_index, x)
        new = (gsum > 0) & ~filled
        take = new[gem_index]
        share = np.where(take, x / np.where(gsum[gem_index] > 0, gsum[gem_index], 1.0), share)
        filled |= new
    if np.isnan(share).all():
        share[:] = np.nan
    share = pd.DataFrame(share).ffill(axis=1).bfill(axis=1).to_numpy()
    return share, np.asarray(filled.any(axis=1))


def area_children(
    tables: dict[str, pd.DataFrame], cohorts: Cohorts, migration: Migration, years: range
) -> AreaChildren:
    """Children per located home area (``pc4_centroiden``) for the entry ``years``.

    ``tables`` must already be restricted to what was known. Gemeenten whose
    areas have no PC4-level source get an even spread over their areas; those
    without any located area are counted in ``unplaced``.
    """
    from dekkend.geo import home_areas

    yrs = np.arange(years.start, years.stop)
    try:
        areas = home_areas(tables)
    except Exception:  # no centroids: nothing to place
        areas = pd.DataFrame(columns=["pc4", "x_rd", "y_rd", "zone"])
    gem_of = pc4_to_gemeente(tables) if len(areas) else pd.Series(dtype=object)
    areas = areas.assign(gemeente=areas["pc4"].map(gem_of)).dropna(subset=["gemeente"]).reset_index(drop=True)
    cm = migrated(cohorts, migration)
    gems = sorted(set(cm.table["gemeentecode"])) if not cm.empty else []
    kids, beyond = cm.matrix(gems, years) if gems else (np.zeros((0, len(yrs))), np.zeros((0, len(yrs))))
    kids = pd.DataFrame(kids).ffill(axis=1).bfill(axis=1).fillna(0.0).to_numpy()
    beyond = pd.DataFrame(beyond).ffill(axis=1).bfill(axis=1).fillna(0.0).to_numpy()
    if gems:
        t = cm.table.assign(lead=np.maximum(0, cm.table["instroomjaar"] - cm.table["waargenomen"]))
        lead = t.pivot_table(index="gemeentecode", columns="instroomjaar", values="lead", aggfunc="max")
        lead = lead.reindex(index=gems, columns=list(years)).ffill(axis=1).bfill(axis=1).fillna(0.0).to_numpy()
    else:
        lead = np.zeros((0, len(yrs)))
    gpos = {g: i for i, g in enumerate(gems)}
    located = areas["gemeente"].isin(gpos)
    areas = areas[located].reset_index(drop=True)
    gidx = areas["gemeente"].map(gpos).to_numpy(int) if len(areas) else np.zeros(0, int)
    share, has = _shares(areas, gidx, len(gems), yrs, tables)
    # gemeenten with areas but no PC4 source: spread evenly over their areas
    count = np.bincount(gidx, minlength=len(gems)).astype(float)
    even = 1.0 / np.maximum(count[gidx], 1.0)
    share = np.where(np.isnan(share) | ~has[gidx][:, None], even[:, None], share)
    children = share * kids[gidx]
    unplaced = kids[count == 0].sum(axis=0) if len(gems) else np.zeros(len(yrs))
    return AreaChildren(
        areas["pc4"].to_numpy(object),
        areas["gemeente"].to_numpy(object),
        areas[["x_rd", "y_rd"]].to_numpy(float),
        areas["zone"].to_numpy(object),
        yrs,
        children,
        beyond[gidx],
        lead[gidx],
        migration,
        unplaced,
    )
