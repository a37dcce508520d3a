"""Derived table ``vestigingen``: one row per vestiging with its best-known attributes and location.

Sources, best first: the address files (02.), newest vintage first, the 2012/13
coordinate file, the pupil files (name and place only), newest first. Each attribute
comes from the newest address vintage that has the vestiging and a value for it; an
older vintage fills the gaps (a vestiging missing from the newest list keeps its
address, board and regions from the list before). Two files of one kind with the
same peildatum are ordered by ``bron_id`` so the result never depends on file names.
Location, per row with its method:

0. ``rd-adres``: RD coordinates delivered with the current address (the demo
   region; no DUO vintage in ``../shared/data`` has them);
1. ``rd-2013``: the 2012/13 RD coordinates, only where the 2012/13 PC6 equals
   the current PC6 (a vestiging that moved keeps no stale point);
2. ``pc4-centroide``: the centroid of the PC4 of the current postcode;
3. ``plaats-centroide``: the mean of the PC4 centroids of the vestiging's
   place (``PLAATSNAAM``), within its province where that is known;
4. ``onbekend``: none of these (reported by the import, never dropped).

Gemeente, best first: the address file; the 2012/13 ``gem_code`` (mapped to
today's gemeente through ``gemeente_naar_huidig`` when imported); the place
name; the nearest located vestiging. Region codes (COROP, RMC, ...): the
address file; the most common codes of the same gemeente; the nearest
vestiging that has them. Each row records its methods.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from dekkend.crs import in_netherlands_rd, rd_to_wgs84, wgs84_to_rd
from dekkend.ingest.formats.duo_vo import REGION_COLUMNS

_PRIORITY = {"adressen": 0, "coordinaten-2013": 1, "leerlingen": 2}
ATTRIBUTES = (
    "brin",
    "naam",
    "bestuur",
    "denominatie",
    "straat",
    "huisnummer",
    "pc6",
    "plaatsnaam",
    "gemeentecode",
    "gemeentenaam",
    "provincie",
    "structuur",
)
REGION_CODE_COLUMNS = tuple(f"{r}_{k}" for r in REGION_COLUMNS for k in ("code", "naam"))


def place_key(name: object) -> str:
    """A comparable key for a place or gemeente name: no accents, case, punctuation or 'gem x'."""
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bgem(eente)?\b.*$", "", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def _best_attributes(src: pd.DataFrame) -> pd.DataFrame:
    """Per vestiging, the first non-empty value of each attribute by source priority, newest first."""
    src = src.assign(_prio=src["bronsoort"].map(_PRIORITY).fillna(9))
    src = src.sort_values(
        ["vestigingscode", "_prio", "peildatum", "bron_id"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    cols = [c for c in (*ATTRIBUTES, *REGION_CODE_COLUMNS) if c in src.columns]
    src[cols] = src[cols].replace("", np.nan)
    best = src.groupby("vestigingscode", sort=True)[cols].first()
    first = src.groupby("vestigingscode", sort=True).first()
    best["attribuut_bron"] = first["bronsoort"]
    best["attribuut_bron_id"] = first["bron_id"]
    best["attribuut_peildatum"] = first["peildatum"]
    return best


def _place_centroids(wp: pd.DataFrame) -> pd.DataFrame:
    wp = wp.assign(_plaats=wp["woonplaats"].map(place_key), _prov=wp["provincie"].fillna("").str.lower())
    return wp.groupby(["_plaats", "_prov"])[["lat", "lon"]].mean()


def _locate(best: pd.DataFrame, src: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    n = len(best)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    method = np.array(["onbekend"] * n, dtype=object)

    # Coordinates given with the current address itself (the demo region; future vintages).
    cur = src[(src["bronsoort"] == "adressen") & src["x_rd"].notna()]
    cur = cur.sort_values("peildatum", ascending=False).drop_duplicates("vestigingscode").set_index("vestigingscode")
    cur = cur.reindex(best.index)
    use = in_netherlands_rd(cur["x_rd"].to_numpy(), cur["y_rd"].to_numpy())
    x[use], y[use] = cur["x_rd"].to_numpy()[use], cur["y_rd"].to_numpy()[use]
    method[use] = "rd-adres"

    old = src[(src["bronsoort"] == "coordinaten-2013")].drop_duplicates("vestigingscode").set_index("vestigingscode")
    old = old.reindex(best.index)
    same_pc6 = old["pc6"].notna() & (old["pc6"] == best["pc6"])
    valid = in_netherlands_rd(old["x_rd"].to_numpy(), old["y_rd"].to_numpy())
    use = same_pc6.to_numpy() & valid & np.isnan(x)
    x[use], y[use] = old["x_rd"].to_numpy()[use], old["y_rd"].to_numpy()[use]
    method[use] = "rd-2013"

    cent = tables.get("pc4_centroiden")
    if cent is not None and len(cent):
        c = cent.drop_duplicates("pc4").set_index("pc4")
        pc4 = best["pc6"].astype("string").str[:4]
        hit = pc4.map(c["x_rd"]).to_numpy(dtype=float)
        hy = pc4.map(c["y_rd"]).to_numpy(dtype=float)
        use = np.isnan(x) & ~np.isnan(hit)
        x[use], y[use] = hit[use], hy[use]
        method[use] = "pc4-centroide"

    wp = tables.get("pc4_woonplaats")
    if wp is not None and len(wp) and np.isnan(x).any():
        places = _place_centroids(wp)
        by_place = places.groupby(level=0).mean()
        for i in np.flatnonzero(np.isnan(x)):
            key = place_key(best["plaatsnaam"].iloc[i])
            prov = str(best["provincie"].iloc[i] or "").lower()
            row = (
                places.loc[(key, prov)]
                if (key, prov) in places.index
                else (by_place.loc[key] if key in by_place.index else None)
            )
            if row is not None:
                px, py = wgs84_to_rd(np.array([row["lon"]]), np.array([row["lat"]]))
                x[i], y[i] = px[0], py[0]
                method[i] = "plaats-centroide"
    lon, lat = rd_to_wgs84(x, y)
    return pd.DataFrame({"x_rd": x, "y_rd": y, "lon": lon, "lat": lat, "locatie_methode": method}, index=best.index)


def _fill_gemeente(best: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Fill a missing gemeentecode from the place name; return the method per row."""
    method = pd.Series(
        np.where(best["gemeentecode"].notna(), best["attribuut_bron"], None), index=best.index, dtype=object
    )
    method = method.map({"adressen": "adressen", "coordinaten-2013": "gemeente-2013"}).where(method.notna(), None)
    to_current = tables.get("gemeente_naar_huidig")
    if to_current is not None and len(to_current):
        mapping = to_current.drop_duplicates("gemeentecode").set_index("gemeentecode")["huidige_code"]
        mapped = best["gemeentecode"].map(mapping)
        changed = mapped.notna() & (mapped != best["gemeentecode"])
        best.loc[changed, "gemeentecode"] = mapped[changed]
        method[changed] = "gemeente-2013-via-herindeling"
    wp = tables.get("pc4_woonplaats")
    names = best.dropna(subset=["gemeentecode", "gemeentenaam"])
    name_to_code = dict(zip(names["gemeentenaam"].map(place_key), names["gemeentecode"], strict=True))
    if wp is not None and len(wp):
        place_to_gem = (
            wp.assign(_p=wp["woonplaats"].map(place_key)).groupby("_p")["gemeentenaam"].agg(lambda s: s.mode().iloc[0])
        )
        todo = best["gemeentecode"].isna()
        for code in best.index[todo]:
            gem = place_to_gem.get(place_key(best.at[code, "plaatsnaam"]))
            if gem is not None and place_key(gem) in name_to_code:
                best.at[code, "gemeentecode"] = name_to_code[place_key(gem)]
                best.at[code, "gemeentenaam"] = gem
                method[code] = "plaatsnaam"
    return method.fillna("onbekend")


def _fill_regions(best: pd.DataFrame) -> pd.Series:
    """Region codes for rows without them, from the most common codes in their gemeente."""
    method = pd.Series(None, index=best.index, dtype=object)
    method[best["corop_code"].notna()] = "adressen"
    known = best[best["corop_code"].notna() & best["gemeentecode"].notna()]
    if known.empty:
        return method.fillna("onbekend")
    cols = list(REGION_CODE_COLUMNS)
    per_gem = known.groupby("gemeentecode")[cols].agg(lambda s: s.mode().iloc[0] if s.notna().any() else None)
    todo = best["corop_code"].isna() & best["gemeentecode"].isin(per_gem.index)
    best.loc[todo, cols] = per_gem.loc[best.loc[todo, "gemeentecode"], cols].to_numpy()
    method[todo] = "via-gemeente"
    return method.fillna("onbekend")


def _nearest_fallback(best: pd.DataFrame, method: pd.Series, columns: list[str], label: str) -> pd.Series:
    """Fill ``columns`` of rows whose method is 'onbekend' from the nearest located vestiging that has them."""
    todo = (method == "onbekend") & best["x_rd"].notna()
    donors = best[(method != "onbekend") & best["x_rd"].notna() & best[columns[0]].notna()]
    if not todo.any() or donors.empty:
        return method
    dx = best.loc[todo, "x_rd"].to_numpy()[:, None] - donors["x_rd"].to_numpy()[None, :]
    dy = best.loc[todo, "y_rd"].to_numpy()[:, None] - donors["y_rd"].to_numpy()[None, :]
    nearest = np.argmin(dx * dx + dy * dy, axis=1)
    best.loc[todo, columns] = donors[columns].to_numpy()[nearest]
    method = method.copy()
    method[todo] = label
    return method


def derive_vestigingen(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Build ``vestigingen`` from ``vestigingen_bron`` and the PC4 geography."""
    src = tables.get("vestigingen_bron")
    if src is None or src.empty:
        return {}
    for col in ("x_rd", "y_rd", *ATTRIBUTES, *REGION_CODE_COLUMNS):
        if col not in src.columns:
            src = src.assign(**{col: np.nan})
    best = _best_attributes(src)
    for col in (*ATTRIBUTES, *REGION_CODE_COLUMNS):
        best[col] = best[col].astype(object) if col in best.columns else None
    best["gemeente_methode"] = _fill_gemeente(best, tables)
    best["regio_methode"] = _fill_regions(best)
    best = best.join(_locate(best, src, tables))
    best["gemeente_methode"] = _nearest_fallback(
        best, best["gemeente_methode"], ["gemeentecode", "gemeentenaam"], "dichtstbijzijnde-vestiging"
    )
    best["regio_methode"] = _nearest_fallback(
        best, best["regio_methode"], list(REGION_CODE_COLUMNS), "dichtstbijzijnde-vestiging"
    )
    pupils = tables.get("leerlingen")
    if pupils is not None and len(pupils):
        last = pupils.groupby("vestigingscode")["schooljaar"].max()
        best["laatste_schooljaar"] = last.reindex(best.index).astype("Int64")
    else:
        best["laatste_schooljaar"] = pd.array([pd.NA] * len(best), dtype="Int64")
    addr = src[src["bronsoort"] == "adressen"]
    best["in_adressenbestand"] = best.index.isin(addr["vestigingscode"])
    newest = addr["peildatum"].max() if len(addr) else None
    in_newest = addr.loc[addr["peildatum"] == newest, "vestigingscode"]
    best["in_nieuwste_adressenbestand"] = best.index.isin(in_newest)
    best["bron_id"] = best.pop("attribuut_bron_id")
    best["peildatum"] = best.pop("attribuut_peildatum")
    return {"vestigingen": best.reset_index()}


DERIVE = [derive_vestigingen]
