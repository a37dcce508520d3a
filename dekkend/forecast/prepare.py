"""Turning the workspace into arrays a forecast model works on: base year, history, streams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.errors import ConfiguratieFout
from dekkend.forecast.asof import as_of as restrict
from dekkend.ingest._text import estimated_count

LEERJAREN = 6
VMBO = ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t")
#: Vestigingen counted at most this many years before the origin but not in it are listed as stopped (not forecast).
RECENTLY_CLOSED = 2


@dataclass(frozen=True)
class Prepared:
    """Everything a model needs, as known on 1 October of ``as_of``.

    ``origin`` is the last count year on or before ``as_of``; ``codes`` the
    vestigingen counted in that year; ``history[year]`` holds leerjaar totals
    (vestigingen x 6) for every count year up to ``origin``; ``streams`` splits
    each leerjaar of each vestiging over (onderwijstype, profiel) by its shares
    in the origin year.
    """

    as_of: int
    origin: int
    codes: np.ndarray
    #: leerjaar totals per count year (see above); ``closed``: vestigingen counted in the
    #: :data:`RECENTLY_CLOSED` years before the origin but not in it (stopped, not forecast)
    history: dict[int, np.ndarray]
    streams: pd.DataFrame
    first_year: np.ndarray
    region: np.ndarray
    gemeente: np.ndarray
    xy: np.ndarray
    closed: tuple[str, ...]
    tables: dict[str, pd.DataFrame]
    #: pupils per (COROP region, count year) over every vestiging counted then, closed ones included
    region_totals: pd.DataFrame
    #: vestigingen that continue an earlier code (see :func:`changed_codes`)
    renamed: tuple[str, ...] = ()
    #: progression group (BRIN) of each vestiging, as an index into ``group_history`` rows
    group: np.ndarray | None = None
    #: leerjaar totals per count year and group (groups x 6), over every vestiging of the
    #: group counted then, closed ones included: pupils moving between locations of one
    #: school cancel out
    group_history: dict[int, np.ndarray] | None = None
    #: COROP region of each group (that of its first vestiging)
    group_region: np.ndarray | None = None

    @property
    def base(self) -> np.ndarray:
        """Leerjaar totals in the origin year (vestigingen x 6)."""
        return self.history[self.origin]


def _stream_keys(pupils: pd.DataFrame) -> pd.DataFrame:
    profiel = (
        pupils["profiel"].where(pupils["onderwijstype"].isin(VMBO) & (pupils["leerjaar"] >= 3))
        if "profiel" in pupils
        else None
    )
    return pupils.assign(profiel_uit=profiel, n=estimated_count(pupils))


def changed_codes(pupils: pd.DataFrame, vestigingen: pd.DataFrame | None, origin: int) -> dict[str, str]:
    """Old code -> new code for vestigingen that changed code just before the origin.

    A code last counted the year before the origin and a code first counted in
    the origin year, at the same address (PC6 and house number, or RD point),
    are one vestiging under a new code: the new code inherits the history.
    """
    if vestigingen is None or (origin - 1) not in set(pupils["schooljaar"]):
        return {}
    seen = pupils.groupby("vestigingscode")["schooljaar"].agg(["min", "max"])
    gone = seen.index[seen["max"] == origin - 1]
    new = seen.index[seen["min"] == origin]
    if not len(gone) or not len(new):
        return {}
    v = vestigingen.drop_duplicates("vestigingscode").set_index("vestigingscode")
    key = v["pc6"].astype("string").fillna("") + "|" + v["huisnummer"].astype("string").fillna("")
    key = key.where(v["pc6"].notna(), v["x_rd"].round(0).astype("string") + "|" + v["y_rd"].round(0).astype("string"))
    old_by_key = {key[c]: c for c in gone if c in key.index and pd.notna(key[c])}
    out = {}
    for c in new:
        k = key.get(c)
        if k is not None and pd.notna(k) and k in old_by_key:
            out[old_by_key.pop(k)] = c
    return out


def known_locations(known: dict[str, pd.DataFrame], as_of: int) -> pd.DataFrame:
    """RD location of every vestiging as known on 1 October of ``as_of`` (index: vestigingscode).

    The derived ``vestigingen`` table holds the newest location; where that comes
    from a file dated after the cutoff, the newest location of a source known by
    then (``vestigingen_bron`` with coordinates, e.g. the 2012/13 file) is used.
    """
    from dekkend.forecast.asof import cutoff

    ves = known.get("vestigingen")
    if ves is None or ves.empty:
        return pd.DataFrame(columns=["x_rd", "y_rd"])
    out = ves.drop_duplicates("vestigingscode").set_index("vestigingscode")[["x_rd", "y_rd"]].astype(float)
    if "peildatum" not in ves.columns:
        return out
    late = ves.drop_duplicates("vestigingscode").set_index("vestigingscode")["peildatum"]
    late = pd.to_datetime(late) > cutoff(as_of)
    src = known.get("vestigingen_bron")
    if src is not None and len(src) and late.any() and {"x_rd", "y_rd", "peildatum"} <= set(src.columns):
        s = src.dropna(subset=["x_rd", "y_rd"]).sort_values("peildatum").drop_duplicates("vestigingscode", keep="last")
        s = s.set_index("vestigingscode")[["x_rd", "y_rd"]].astype(float)
        take = late[late].index.intersection(s.index)
        out.loc[take, ["x_rd", "y_rd"]] = s.loc[take].to_numpy()
    return out


def prepare(tables: dict[str, pd.DataFrame], as_of: int, vestigingen: tuple[str, ...] | None = None) -> Prepared:
    """Restrict to what was known ``as_of`` and arrange the pupils for the models."""
    known = restrict(tables, as_of)
    pupils = known.get("leerlingen")
    if pupils is None or pupils.empty:
        raise ConfiguratieFout(f"er zijn geen leerlingentellingen op of voor 1 oktober {as_of} in de werkmap")
    if vestigingen is not None:
        pupils = pupils[pupils["vestigingscode"].isin(vestigingen)]
        if pupils.empty:
            raise ConfiguratieFout(f"de gekozen regio heeft geen leerlingentellingen op of voor 1 oktober {as_of}")
    pupils = _stream_keys(pupils[pupils["leerjaar"].between(1, LEERJAREN)])
    origin = int(pupils["schooljaar"].max())
    renamed = changed_codes(pupils, known.get("vestigingen"), origin)
    if renamed:
        pupils = pupils.assign(vestigingscode=pupils["vestigingscode"].replace(renamed))
    per = pupils.groupby(["schooljaar", "vestigingscode", "leerjaar"])["n"].sum()
    codes = np.array(sorted(pupils.loc[pupils["schooljaar"] == origin, "vestigingscode"].unique()))
    index = pd.Index(codes)
    history: dict[int, np.ndarray] = {}
    for year, frame in per.groupby(level=0):
        m = frame.droplevel(0).unstack("leerjaar").reindex(index=index, columns=range(1, LEERJAREN + 1)).fillna(0.0)
        history[int(year)] = m.to_numpy(float)
    first = pupils.groupby("vestigingscode")["schooljaar"].min().reindex(index).to_numpy(int)
    last_seen = pupils.groupby("vestigingscode")["schooljaar"].max()
    closed = tuple(sorted(last_seen[(last_seen < origin) & (last_seen >= origin - RECENTLY_CLOSED)].index))
    renamed_to = tuple(sorted(set(renamed.values())))

    base = pupils[pupils["schooljaar"] == origin]
    streams = (
        base.groupby(["vestigingscode", "leerjaar", "onderwijstype", "profiel_uit"], dropna=False)["n"]
        .sum()
        .reset_index()
    )
    tot = streams.groupby(["vestigingscode", "leerjaar"])["n"].transform("sum")
    streams["aandeel"] = np.where(tot > 0, streams["n"] / tot.where(tot > 0, 1), 0.0)
    streams = streams.rename(columns={"profiel_uit": "profiel"}).drop(columns="n")

    ves = known.get("vestigingen")
    attrs = (
        ves.drop_duplicates("vestigingscode").set_index("vestigingscode").reindex(index) if ves is not None else None
    )
    region = (
        attrs["corop_code"].fillna("?").astype(str).to_numpy() if attrs is not None else np.array(["?"] * len(codes))
    )
    gemeente = attrs["gemeentecode"].astype(object).to_numpy() if attrs is not None else np.array([None] * len(codes))
    located = known_locations(known, as_of)
    xy = located.reindex(index)[["x_rd", "y_rd"]].to_numpy(float) if len(located) else np.full((len(codes), 2), np.nan)
    all_region = (
        pupils["vestigingscode"].map(ves.drop_duplicates("vestigingscode").set_index("vestigingscode")["corop_code"])
        if ves is not None
        else pd.Series("?", index=pupils.index)
    )
    region_totals = (
        pupils.assign(regio=all_region.fillna("?").astype(str))
        .groupby(["regio", "schooljaar"])["n"]
        .sum()
        .unstack(fill_value=0.0)
    )
    group, group_history, group_region = _groups(per, codes, region)
    return Prepared(
        as_of,
        origin,
        codes,
        history,
        streams,
        first,
        region,
        gemeente,
        xy,
        closed,
        known,
        region_totals,
        renamed_to,
        group,
        group_history,
        group_region,
    )


def brin_of(codes: np.ndarray) -> np.ndarray:
    """The BRIN (first four characters) of each vestigingscode: the progression group."""
    return np.array([str(c)[:4] for c in codes], dtype=object)


def _groups(
    per: pd.Series, codes: np.ndarray, region: np.ndarray
) -> tuple[np.ndarray, dict[int, np.ndarray], np.ndarray]:
    """Group index per vestiging, leerjaar totals per count year and group, and the region of each group."""
    brins, group = np.unique(brin_of(codes), return_inverse=True)
    frame = per.rename("n").reset_index()
    frame["brin"] = brin_of(frame["vestigingscode"].to_numpy())
    frame = frame[frame["brin"].isin(brins)]
    index = pd.Index(brins)
    history: dict[int, np.ndarray] = {}
    for year, f in frame.groupby("schooljaar"):
        m = f.groupby(["brin", "leerjaar"])["n"].sum().unstack("leerjaar")
        history[int(year)] = m.reindex(index=index, columns=range(1, LEERJAREN + 1)).fillna(0.0).to_numpy(float)
    _, first = np.unique(group, return_index=True)
    return group.astype(int), history, np.asarray(region)[first]
