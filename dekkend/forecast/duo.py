"""DUO's own prognosis (table ``prognose_vo``, per BRIN) as a comparison model in back-tests.

DUO publishes a forecast per instelling (BRIN) and onderwijstype. As of a year,
the newest prognosis whose count date lies on or before 1 October of that year
is used (the as-of rule dates a prognosis by its file, not by the years it
forecasts). Its BRIN total per year (the sum over the types, or the ``totaal``
row where the file has only that) is split over the BRIN's vestigingen in
proportion to their pupils in the last count known; a BRIN without a known
count is booked on its ``00`` vestiging.
"""

from __future__ import annotations

import pandas as pd

from dekkend.forecast.asof import as_of as restrict
from dekkend.ingest._text import estimated_count


def duo_brin_forecast(
    tables: dict[str, pd.DataFrame], as_of: int, targets: tuple[int, ...], units: tuple[str, ...] | None = None
) -> pd.DataFrame | None:
    """DUO's forecast per vestiging and target year: ``vestigingscode, jaar, verwacht`` (``None`` if unknown)."""
    known = restrict({k: v for k, v in tables.items() if k in ("prognose_vo", "leerlingen")}, as_of)
    prog = known.get("prognose_vo")
    if prog is None or prog.empty:
        return None
    prog = prog[prog["peiljaar"] == prog["peiljaar"].max()]
    prog = prog[prog["jaar"].isin(targets) & prog["aantal"].notna()]
    if prog.empty:
        return None
    typed = prog[~prog["onderwijstype"].isin(["totaal", "onbekend"])]
    has_types = typed.groupby("brin").size()
    use = pd.concat([typed, prog[(prog["onderwijstype"] == "totaal") & ~prog["brin"].isin(has_types.index)]])
    brin = use.groupby(["brin", "jaar"], as_index=False)["aantal"].sum()
    p = known["leerlingen"]
    p = p[p["schooljaar"] == p["schooljaar"].max()]
    if units is not None:
        p = p[p["vestigingscode"].isin(units)]
        brin = brin[brin["brin"].isin({u[:4] for u in units})]
    per = p.assign(n=estimated_count(p)).groupby("vestigingscode")["n"].sum()
    share = (per / per.groupby(per.index.str.slice(0, 4)).transform("sum")).rename("aandeel").reset_index()
    share["brin"] = share["vestigingscode"].str.slice(0, 4)
    out = brin.merge(share, on="brin", how="left")
    out["vestigingscode"] = out["vestigingscode"].fillna(out["brin"] + "00")
    out["aandeel"] = out["aandeel"].fillna(1.0)
    out["verwacht"] = out["aantal"] * out["aandeel"]
    return out[["vestigingscode", "jaar", "verwacht"]].reset_index(drop=True)
