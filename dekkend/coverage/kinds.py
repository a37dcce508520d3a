"""What a home area can reach: the onderwijstypen, vmbo profielen and groups, as sets of vestigingen."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dekkend.coverage.offer import BEROEPSGERICHT, TECHNIEK_PROFIELEN, TECHNIEK_ROUTE, UPPER_TYPES
from dekkend.ingest.labels import PROFIEL_SLUGS, VMBO_LEERWEGEN

#: The groups and what makes a vestiging count for them. ``vmbo-techniek``: a technical profiel
#: (DUO sector techniek) or a technical route without profiel in basis, kader or gemengd.
GROUPS = ("onderbouw", "vmbo", "vmbo-techniek", "havo-vwo", "vo", "vo-openbaar")

#: Every ``onderwijstype`` value of the reachability table, in output order.
REACH_KINDS = (*UPPER_TYPES, *(f"profiel:{p}" for p in PROFIEL_SLUGS), *GROUPS)

#: Denominations (DUO spelling, case-insensitive prefix) that count for ``vo-openbaar``:
#: openbare scholen and samenwerkingsscholen.
OPENBAAR_PREFIXES = ("openbaar",)


def is_openbaar(denominatie: pd.Series) -> pd.Series:
    """True for an openbare school or a samenwerkingsschool (a school of public and private denomination).

    DUO writes ``Openbaar`` for public schools and ``Samenwerking Opb., ...`` for
    samenwerkingsscholen with a public part; ``Samenwerking PC, RK`` and the like
    are cooperations of private denominations only and do not count.
    """
    text = denominatie.fillna("").astype(str).str.strip().str.lower()
    return text.str.startswith(OPENBAAR_PREFIXES) | (text.str.startswith("samenwerking") & text.str.contains("opb"))


def offer_masks(offer: pd.DataFrame, vestigingen: np.ndarray, openbaar: pd.Series | None = None) -> np.ndarray:
    """Which vestigingen offer each kind of :data:`REACH_KINDS`.

    Parameters
    ----------
    offer
        Offerings present in a year: ``vestigingscode, onderwijstype, profiel``.
    vestigingen
        The matrix columns (vestigingscodes), length ``m``.
    openbaar
        Boolean per vestigingscode (index): counts for ``vo-openbaar``.

    Returns
    -------
    numpy.ndarray
        Boolean ``(len(REACH_KINDS), m)``.
    """
    col = pd.Index(vestigingen)
    masks = np.zeros((len(REACH_KINDS), len(vestigingen)), dtype=bool)
    pos = col.get_indexer(offer["vestigingscode"].astype(str))
    known = pos >= 0
    typ = offer["onderwijstype"].to_numpy(object)[known]
    missing = offer["profiel"].isna().to_numpy(bool)[known]
    prof = offer["profiel"].astype(object).where(offer["profiel"].notna(), "").to_numpy(object)[known]
    pos = pos[known]
    whole = missing
    row = {k: i for i, k in enumerate(REACH_KINDS)}
    for t in UPPER_TYPES:
        masks[row[t], pos[whole & (typ == t)]] = True
    for p in PROFIEL_SLUGS:
        masks[row[f"profiel:{p}"], pos[prof == p]] = True
    masks[row["onderbouw"], pos[typ == "onderbouw"]] = True
    masks[row["vmbo"], pos[np.isin(typ, VMBO_LEERWEGEN)]] = True
    technical = np.isin(prof, (*TECHNIEK_PROFIELEN, TECHNIEK_ROUTE)) & np.isin(typ, BEROEPSGERICHT)
    masks[row["vmbo-techniek"], pos[technical]] = True
    masks[row["havo-vwo"], pos[np.isin(typ, ("havo", "vwo"))]] = True
    masks[row["vo"], pos] = True
    if openbaar is not None:
        public = openbaar.reindex(col).fillna(False).to_numpy(bool)
        masks[row["vo-openbaar"]] = masks[row["vo"]] & public
    return masks
