"""The as-of rule, in one place: a forecast made "as of" year Y sees only what was known then.

A row is known as of Y when its reference date is on or before 1 October of Y.
A row's reference date is, in this order: the ``peildatum`` of its file for
published forecasts (``prognose_vo``: a prognosis is known from the count it was
made after, whatever year it forecasts); 1 October of its ``schooljaar`` (for
tables that hold several school years in one file, such as CBS 85701NED); its
``jaar`` on 1 January (population tables); else the ``peildatum`` of its file.
Rows without any date (reference geography such as PC4 centroids) are always
known. Every model and back-test takes its data through :func:`as_of`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Tables describing places rather than counts; they are never filtered.
TIMELESS = {
    "pc4_centroiden",
    "pc4_woonplaats",
    "pc4_gemeente",
    "gemeenten",
    "gemeente_alias",
    "gemeente_naar_huidig",
    "gemeente_wijzigingen",
    "gemeenten_jaar",
    "gemeentegrenzen",
    "bestanden",
}
#: Derived tables that are rebuilt from filtered sources instead of filtered themselves.
DERIVED = {"aanbod", "vestigingen", "po_vestigingen"}
#: Published forecasts: dated by their file (the count they start from), never by the forecast year.
PUBLISHED = {"prognose_vo"}


def cutoff(year: int) -> pd.Timestamp:
    """The last reference date known as of ``year``: 1 October of that year."""
    return pd.Timestamp(year, 10, 1)


def row_dates(frame: pd.DataFrame, name: str | None = None) -> pd.Series:
    """The reference date of every row (NaT where the row has none)."""
    if name in PUBLISHED and "peildatum" in frame.columns:
        return pd.to_datetime(frame["peildatum"])
    if "schooljaar" in frame.columns:
        return pd.to_datetime(frame["schooljaar"].astype("Int64").astype("string") + "-10-01", errors="coerce")
    if "jaar" in frame.columns and "peildatum" in frame.columns and frame["peildatum"].notna().any():
        jan = pd.to_datetime(frame["jaar"].astype("Int64").astype("string") + "-01-01", errors="coerce")
        return jan.where(jan.notna(), pd.to_datetime(frame["peildatum"]))
    if "peildatum" in frame.columns:
        return pd.to_datetime(frame["peildatum"])
    return pd.Series(pd.NaT, index=frame.index)


def known_rows(frame: pd.DataFrame, year: int, name: str | None = None) -> np.ndarray:
    """Boolean mask of the rows known on 1 October of ``year`` (the same rule as :func:`row_dates`, on integers).

    1 October of ``schooljaar`` <= 1 October of ``year`` exactly when ``schooljaar <= year``;
    1 January of ``jaar`` <= 1 October of ``year`` exactly when ``jaar <= year``.
    """
    limit = cutoff(year)
    if name in PUBLISHED and "peildatum" in frame.columns:
        d = pd.to_datetime(frame["peildatum"])
        return (d.isna() | (d <= limit)).to_numpy()
    if "schooljaar" in frame.columns:
        y = pd.to_numeric(frame["schooljaar"], errors="coerce").to_numpy(float)
        return np.isnan(y) | (y <= year)
    if "jaar" in frame.columns and "peildatum" in frame.columns and frame["peildatum"].notna().any():
        y = pd.to_numeric(frame["jaar"], errors="coerce").to_numpy(float)
        d = pd.to_datetime(frame["peildatum"])
        by_file = (d.isna() | (d <= limit)).to_numpy()
        return np.where(np.isnan(y), by_file, y <= year)
    if "peildatum" in frame.columns:
        d = pd.to_datetime(frame["peildatum"])
        return (d.isna() | (d <= limit)).to_numpy()
    return np.ones(len(frame), bool)


def as_of(tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """The tables as known on 1 October of ``year``.

    Count tables keep only rows dated on or before the cutoff (a table with
    nothing later is passed on as is); derived tables that were given are
    rebuilt from the filtered sources so no later count leaks into them;
    ``bestanden`` keeps the files that still contribute a row.
    """
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        if name in TIMELESS or name in DERIVED:
            out[name] = frame
            continue
        mask = known_rows(frame, year, name)
        out[name] = frame if mask.all() else frame[mask].reset_index(drop=True)  # nothing later: no copy
    _rebuild_derived(out, tables)
    used = set().union(
        *(set(f["bron_id"].dropna().unique()) for n, f in out.items() if "bron_id" in f.columns and n != "bestanden")
    )
    if "bestanden" in out:
        files = out["bestanden"]
        out["bestanden"] = files[files["bron_id"].isin(used)].reset_index(drop=True)
    return out


def _rebuild_derived(out: dict[str, pd.DataFrame], original: dict[str, pd.DataFrame]) -> None:
    from dekkend.ingest.formats.aanbod import derive_aanbod

    if "leerlingen" in out and "aanbod" in original:  # a derived table is rebuilt when it was given
        out.update(derive_aanbod(out))
    # vestigingen keeps its location and attributes (addresses are not counts), but only
    # vestigingen known by the cutoff, with the last school year seen by then.
    if "vestigingen" in original and "leerlingen" in out:
        ves = original["vestigingen"].copy()
        last = out["leerlingen"].groupby("vestigingscode")["schooljaar"].max()
        ves["laatste_schooljaar"] = last.reindex(ves["vestigingscode"]).astype("Int64").to_numpy()
        out["vestigingen"] = ves
