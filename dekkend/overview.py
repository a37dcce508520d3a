"""A region at a glance: pupils per year, per vestiging and per type, and the current offer."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dekkend.ingest._text import estimated_count
from dekkend.regions import Region, select_region


@dataclass(frozen=True)
class RegionOverview:
    """Tidy tables describing a region; every count is traceable to ``bron_id`` in ``bestanden``."""

    region: Region
    #: schooljaar, leerlingen (region total per count year)
    per_year: pd.DataFrame
    #: vestigingscode, naam, plaatsnaam, bestuur, denominatie, leerlingen (latest count year)
    per_vestiging: pd.DataFrame
    #: onderwijstype, leerlingen (latest year, where type detail exists)
    per_type: pd.DataFrame
    #: vestigingscode x onderwijstype: upper-year pupils in the latest year
    offer: pd.DataFrame
    latest_year: int | None


def region_overview(tables: dict[str, pd.DataFrame], expression: str | None) -> RegionOverview:
    """Summarise the pupils and offer of the region ``expression`` (None: everything)."""
    region = select_region(tables, expression)
    ves = tables["vestigingen"]
    pupils = tables.get("leerlingen", pd.DataFrame(columns=["vestigingscode", "schooljaar", "onderwijstype", "aantal"]))
    pupils = pupils[pupils["vestigingscode"].isin(region.vestigingen)].assign(n=lambda d: estimated_count(d))
    per_year = pupils.groupby("schooljaar", as_index=False)["n"].sum().rename(columns={"n": "leerlingen"})
    latest = int(per_year["schooljaar"].max()) if len(per_year) else None
    last = pupils[pupils["schooljaar"] == latest]
    per_ves = last.groupby("vestigingscode", as_index=False)["n"].sum().rename(columns={"n": "leerlingen"})
    per_ves = ves[["vestigingscode", "naam", "plaatsnaam", "bestuur", "denominatie"]].merge(
        per_ves, on="vestigingscode"
    )
    per_type = (
        last[last["onderwijstype"] != "totaal"]
        .groupby("onderwijstype", as_index=False)["n"]
        .sum()
        .rename(columns={"n": "leerlingen"})
    )
    offer = tables.get(
        "aanbod", pd.DataFrame(columns=["vestigingscode", "schooljaar", "onderwijstype", "profiel", "leerlingen"])
    )
    offer = offer[
        offer["vestigingscode"].isin(region.vestigingen) & (offer["schooljaar"] == latest) & offer["profiel"].isna()
    ]
    matrix = offer.pivot_table(index="vestigingscode", columns="onderwijstype", values="leerlingen", aggfunc="sum")
    return RegionOverview(
        region, per_year, per_ves.sort_values("leerlingen", ascending=False), per_type, matrix, latest
    )
