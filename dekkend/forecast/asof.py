"""The as-of rule, in one place: a forecast made "as of" year Y sees only what was known then.

A row is known as of Y when its reference date is on or before 1 October of Y.
A row's reference date is, in this order: 1 October of its ``schooljaar`` (for
tables that hold several school years in one file, such as CBS 85701NED); its
``jaar`` on 1 January (population tables); else the ``peildatum`` of its file.
Rows without any date (reference geography such as PC4 centroids) are always
known. Every model and back-test takes its data through :func:`as_of`.
"""

from __future__ import annotations

import pandas as pd

#: Tables describing places rather than counts; they are never filtered.
TIMELESS = {"pc4_centroiden", "pc4_woonplaats", "pc4_gemeente", "gemeenten", "gemeente_alias",
            "gemeente_naar_huidig", "gemeente_wijzigingen", "gemeenten_jaar", "gemeentegrenzen", "bestanden"}
#: Derived tables that are rebuilt from filtered sources instead of filtered themselves.
DERIVED = {"aanbod", "vestigingen", "po_vestigingen"}


def cutoff(year: int) -> pd.Timestamp:
    """The last reference date known as of ``year``: 1 October of that year."""
    return pd.Timestamp(year, 10, 1)


def row_dates(frame: pd.DataFrame) -> pd.Series:
    """The reference date of every row (NaT where the row has none)."""
    if "schooljaar" in frame.columns:
        return pd.to_datetime(frame["schooljaar"].astype("Int64").astype("string") + "-10-01", errors="coerce")
    if "jaar" in frame.columns and "peildatum" in frame.columns and frame["peildatum"].notna().any():
        jan = pd.to_datetime(frame["jaar"].astype("Int64").astype("string") + "-01-01", errors="coerce")
        return jan.where(jan.notna(), pd.to_datetime(frame["peildatum"]))
    if "peildatum" in frame.columns:
        return pd.to_datetime(frame["peildatum"])
    return pd.Series(pd.NaT, index=frame.index)


def as_of(tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """The tables as known on 1 October of ``year``.

    Count tables keep only rows dated on or before the cutoff; derived tables
    are rebuilt from the filtered sources so no later count leaks into them;
    ``bestanden`` keeps the files that still contribute a row.
    """
    limit = cutoff(year)
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        if name in TIMELESS or name in DERIVED:
            out[name] = frame
            continue
        dates = row_dates(frame)
        out[name] = frame[dates.isna() | (dates <= limit)].reset_index(drop=True)
    _rebuild_derived(out, tables)
    used = set().union(*(set(f["bron_id"].dropna().unique()) for n, f in out.items()
                         if "bron_id" in f.columns and n != "bestanden"))
    if "bestanden" in out:
        files = out["bestanden"]
        out["bestanden"] = files[files["bron_id"].isin(used)].reset_index(drop=True)
    return out


def _rebuild_derived(out: dict[str, pd.DataFrame], original: dict[str, pd.DataFrame]) -> None:
    from dekkend.ingest.formats.aanbod import derive_aanbod

    if "leerlingen" in out:
        out.update(derive_aanbod(out))
    # vestigingen keeps its location and attributes (addresses are not counts), but only
    # vestigingen known by the cutoff, with the last school year seen by then.
    if "vestigingen" in original and "leerlingen" in out:
        ves = original["vestigingen"].copy()
        last = out["leerlingen"].groupby("vestigingscode")["schooljaar"].max()
        ves["laatste_schooljaar"] = last.reindex(ves["vestigingscode"]).astype("Int64").to_numpy()
        out["vestigingen"] = ves
