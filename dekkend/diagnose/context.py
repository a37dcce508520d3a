"""Everything the knelpunt rules look at, computed once: offer per year, forecast per offering, totals."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from dekkend.coverage.offer import (
    OFFER_PROFIELEN,
    OfferThresholds,
    forecast_upper_years,
    offer_by_year,
    offer_table,
)
from dekkend.forecast import make_model
from dekkend.formatting import place_name, short_school_name
from dekkend.ingest._text import estimated_count
from dekkend.norms import Norm, Settings
from dekkend.regions import Region, boards_filled

VMBO = ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t")
#: Upper leerjaren per type (as in the derived ``aanbod``).
UPPER_LEERJAREN = {"pro": 6, "vmbo-b": 2, "vmbo-k": 2, "vmbo-g": 2, "vmbo-t": 2, "havo": 2, "vwo": 3}


def offer_thresholds(settings: Settings) -> OfferThresholds:
    """The no-action thresholds: an offering disappears when its forecast upper years fall below these.

    vmbo leerweg and profiel: the per-leerjaar drempels times the two upper leerjaren;
    havo and vwo: half of the havo/vwo-bovenbouw drempel each; pro: its drempel.
    """
    leerweg = (settings.threshold("vmbo-leerweg", "leerjaar-bovenbouw") or (25.0, ""))[0]
    profiel = (settings.threshold("vmbo-profiel", "leerjaar-bovenbouw") or (20.0, ""))[0]
    hv = (settings.threshold("havo-vwo", "bovenbouw") or (120.0, ""))[0]
    pro = (settings.threshold("pro", "school") or (60.0, ""))[0]
    return OfferThresholds(
        default=1.0,
        per_type={**{t: 2 * leerweg for t in VMBO}, "havo": hv / 2, "vwo": hv / 2, "pro": pro},
        per_profiel={p: 2 * profiel for p in OFFER_PROFIELEN},
    )


@dataclass(frozen=True, eq=False)
class Context:
    """The region, its vestigingen and boards, the offer per year and the forecast per offering."""

    tables: dict[str, pd.DataFrame]
    region: Region
    origin: int
    horizon: int
    settings: Settings
    norms: tuple[Norm, ...]
    vestigingen: pd.DataFrame
    forecast: pd.DataFrame
    offer: pd.DataFrame
    totals: pd.DataFrame
    thresholds: OfferThresholds

    @property
    def lookahead(self) -> int:
        """Years ahead within which a future breach counts (setting ``vooruitkijken_jaren``)."""
        return int(self.settings.values["vooruitkijken_jaren"])

    @cached_property
    def _first_rows(self) -> dict[str, dict]:
        """Board, name and place per vestigingscode (its first row), looked up by the texts of every rule."""
        v = self.vestigingen.drop_duplicates("vestigingscode")
        cols = [c for c in ("bestuur", "naam", "plaatsnaam") if c in v.columns]
        return dict(zip(v["vestigingscode"], v[cols].to_dict("records"), strict=True))

    def board(self, code: str) -> str:
        """The board of a vestiging ('' when unknown)."""
        r = self._first_rows.get(code)
        return str(r["bestuur"]) if r is not None and pd.notna(r["bestuur"]) else ""

    def name(self, code: str) -> str:
        """Name and place of a vestiging for Dutch texts."""
        r = self._first_rows.get(code)
        if r is None:
            return code
        place = place_name(r["plaatsnaam"])
        return f"{short_school_name(r['naam']) or code} ({code}{', ' + place if place else ''})"

    @cached_property
    def upper(self) -> SeriesLookup:
        """:func:`upper_series` of this context, grouped once for the rules' many look-ups."""
        return SeriesLookup(upper_series(self))

    def offer_in(self, year: int) -> pd.DataFrame:
        """Offerings present in ``year`` in the no-action view (base year: as counted)."""
        o = self.offer[(self.offer["jaar"] == year) & ~self.offer["verdwijnt"]]
        return o


def build_context(
    tables: dict[str, pd.DataFrame],
    region: Region,
    settings: Settings,
    norms: tuple[Norm, ...],
    as_of: int | None = None,
    horizon: int = 10,
    forecast: pd.DataFrame | None = None,
) -> Context:
    """Forecast the region (cohort model) and derive the no-action offer per year.

    A ``forecast`` made earlier (for instance nationally, to diagnose many
    regions) is reused: its first year minus one is the origin.
    """
    pupils = tables["leerlingen"]
    codes = tuple(region.vestigingen)
    if forecast is None:
        as_of = int(pupils.loc[pupils["vestigingscode"].isin(codes), "schooljaar"].max()) if as_of is None else as_of
        model = make_model("cohort").fit(tables, as_of, codes)
        origin = model.prepared.origin
        forecast = model.predict(horizon)
    else:
        origin = int(forecast["jaar"].min()) - 1
        forecast = forecast[forecast["vestigingscode"].isin(codes)]
    aanbod = offer_table(tables)
    aanbod = aanbod[aanbod["vestigingscode"].isin(codes) & (aanbod["schooljaar"] <= origin)]
    thresholds = offer_thresholds(settings)
    offer = offer_by_year(
        aanbod,
        forecast,
        thresholds,
        basisjaar=origin,
        opgave=tables.get("aanbod_opgave"),
        locations=locations_of(tables),
    )
    base = pupils[pupils["vestigingscode"].isin(codes) & (pupils["schooljaar"] == origin)]
    base_tot = base.assign(n=estimated_count(base)).groupby("vestigingscode")["n"].sum().rename(origin)
    fc_tot = forecast.groupby(["vestigingscode", "jaar"])["verwacht"].sum().unstack("jaar")
    totals = pd.concat([base_tot, fc_tot], axis=1).fillna(0.0)
    all_ves = tables["vestigingen"]
    filled, derived = boards_filled(all_ves)
    ves = all_ves.assign(bestuur=filled, bestuur_van_brin=all_ves["vestigingscode"].map(derived))
    ves = ves[ves["vestigingscode"].isin(codes)].reset_index(drop=True)
    return Context(tables, region, origin, horizon, settings, norms, ves, forecast, offer, totals, thresholds)


def locations_of(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """RD coordinates per vestiging (``vestigingscode, x_rd, y_rd``) for the re-choice of pupils."""
    ves = tables["vestigingen"]
    return ves[["vestigingscode", "x_rd", "y_rd"]].drop_duplicates("vestigingscode")


def upper_series(ctx: Context) -> pd.DataFrame:
    """Pupils per offering (vestiging, type, profiel) per year: observed in the origin year, then forecast."""
    base = ctx.offer[ctx.offer["jaar"] == ctx.origin][["vestigingscode", "onderwijstype", "profiel", "leerlingen"]]
    base = base.assign(jaar=ctx.origin).rename(columns={"leerlingen": "verwacht"})
    fc = forecast_upper_years(ctx.forecast)
    out = pd.concat([base, fc[fc["vestigingscode"].isin(ctx.region.vestigingen)]], ignore_index=True)
    out["profiel"] = out["profiel"].astype(object).where(out["profiel"].notna(), None)
    return out


def series_of(frame: pd.DataFrame, **keys: object) -> dict[int, float]:
    """``{year: pupils}`` for the rows matching ``keys`` (``profiel=None`` matches the type as a whole)."""
    mask = np.ones(len(frame), dtype=bool)
    for k, v in keys.items():
        mask &= frame[k].isna().to_numpy() if v is None else (frame[k] == v).to_numpy()
    sub = frame[mask]
    return {int(y): float(n) for y, n in sub.groupby("jaar")["verwacht"].sum().items()}


#: Stands for "no profiel" in :class:`SeriesLookup` keys (a profiel slug never looks like this).
_WHOLE = "\0geheel"


class SeriesLookup:
    """:func:`series_of` by vestiging, type and profiel for many offerings of one frame.

    The frame (``vestigingscode, onderwijstype, profiel, jaar, verwacht``) is
    grouped once; every group sums the same rows in the same order as
    :func:`series_of` on that offering, so the sums are identical.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        prof = frame["profiel"].astype(object).where(frame["profiel"].notna(), _WHOLE)
        sums = (
            frame.assign(_p=prof)
            .groupby(["vestigingscode", "onderwijstype", "_p", "jaar"], sort=True)["verwacht"]
            .sum()
        )
        self._series: dict[tuple[str, str, str], dict[int, float]] = {}
        for (code, typ, p, year), n in sums.items():
            self._series.setdefault((code, typ, p), {})[int(year)] = float(n)

    def of(self, vestigingscode: str, onderwijstype: str, profiel: str | None = None) -> dict[int, float]:
        """``{year: pupils}`` of one offering (``profiel=None``: the rows without a profiel), as :func:`series_of`."""
        return dict(self._series.get((vestigingscode, onderwijstype, _WHOLE if profiel is None else profiel), {}))
