"""The offer (``aanbod``): derived from the pupil counts, or declared by a user in a CSV template.

Template (``aanbod-opgave``), one row per offering, header exactly::

    vestigingscode,onderwijstype,profiel,vanaf_jaar,tot_jaar

``onderwijstype`` is one of the upper-year types (``pro``, ``vmbo-b``,
``vmbo-k``, ``vmbo-g``, ``vmbo-t``, ``havo``, ``vwo``) or ``onderbouw``;
``profiel`` is a vmbo profiel slug or empty; ``vanaf_jaar`` and ``tot_jaar``
are school years (the year of 1 October), ``tot_jaar`` inclusive and optional.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text, labels
from dekkend.ingest._text import estimated_count
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source
from dekkend.ingest.formats.duo_vo import vestigingscode

TEMPLATE_COLUMNS = ("vestigingscode", "onderwijstype", "profiel", "vanaf_jaar", "tot_jaar")
OFFER_TYPES = ("pro", *labels.VMBO_LEERWEGEN, "havo", "vwo", "onderbouw")

#: Which leerjaren are the upper years of each type (pro: all years).
UPPER_YEARS = {
    "pro": range(1, 7),
    "vmbo-b": (3, 4),
    "vmbo-k": (3, 4),
    "vmbo-g": (3, 4),
    "vmbo-t": (3, 4),
    "havo": (4, 5),
    "vwo": (4, 5, 6),
    "internationaal": range(1, 8),
}


def _detect_template(p: Probe) -> bool:
    return p.kind == "tekst" and {c.upper() for c in TEMPLATE_COLUMNS} == set(p.header)


def _year(raw: _text.RawTable, column: str, required: bool) -> pd.Series:
    v = raw.rows[column].astype(str).str.strip()
    ok = v.str.fullmatch(r"(19|20)\d\d") | (~required & v.eq(""))
    if not ok.all():
        pos = int(np.flatnonzero(~ok.to_numpy())[0])
        raise InvoerFout(
            f"'{v.iloc[pos]}' is geen schooljaar",
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected="een jaartal zoals 2024" + ("" if required else " of leeg"),
        )
    return pd.to_numeric(v.where(v != "", None)).astype("Int64")


def _check_vocabulary(raw: _text.RawTable, column: str, allowed: tuple[str, ...], allow_blank: bool) -> pd.Series:
    v = raw.rows[column].astype(str).str.strip().str.lower()
    ok = v.isin(allowed) | (allow_blank & v.eq(""))
    if not ok.all():
        pos = int(np.flatnonzero(~ok.to_numpy())[0])
        raise InvoerFout(
            f"'{raw.rows[column].iloc[pos]}' is geen bekende waarde",
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected=", ".join(allowed) + (" of leeg" if allow_blank else ""),
        )
    return v.where(v != "", None)


def read_template(ctx: FileContext) -> Parsed:
    """Read a user's declared offer (``aanbod-opgave``)."""
    raw = _text.read_table(ctx.path)
    raw.rows.columns = [c.lower() for c in raw.rows.columns]
    code = vestigingscode(raw, None, "vestigingscode")
    typ = _check_vocabulary(raw, "onderwijstype", OFFER_TYPES, False)
    prof = _check_vocabulary(raw, "profiel", labels.PROFIEL_SLUGS, True)
    bad = prof.notna() & ~typ.isin(labels.VMBO_LEERWEGEN)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvoerFout(
            "een profiel hoort alleen bij een vmbo-leerweg",
            file=ctx.path,
            line=raw.line_of(pos),
            column="profiel",
            expected="leeg, of onderwijstype vmbo-b/-k/-g/-t",
        )
    start = _year(raw, "vanaf_jaar", True)
    end = _year(raw, "tot_jaar", False)
    wrong = end.notna() & (end < start)
    if wrong.any():
        pos = int(np.flatnonzero(wrong.to_numpy())[0])
        raise InvoerFout(
            "tot_jaar ligt voor vanaf_jaar",
            file=ctx.path,
            line=raw.line_of(pos),
            column="tot_jaar",
            expected=f"een jaar vanaf {start.iloc[pos]}",
        )
    frame = pd.DataFrame(
        {"vestigingscode": code, "onderwijstype": typ, "profiel": prof, "vanaf_jaar": start, "tot_jaar": end}
    )
    reference = ctx.reference_date(from_content=pd.Timestamp(int(start.min()), 10, 1).date())
    return Parsed({"aanbod_opgave": with_source(frame, ctx, reference)}, reference, len(frame))


def derive_aanbod(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Offerings per vestiging and school year from the type-detailed counts.

    One row per (vestiging, schooljaar, onderwijstype, profiel) with the pupils
    in its upper years; ``profiel`` empty is the type as a whole. VAVO pupils
    (taught outside the school) do not make an offering. ``onderbouw`` counts
    the first years of any type (brugjaren, leerjaar 1-2, havo/vwo 3).
    Censored counts (1-4) count with their estimate, :data:`CENSORED_ESTIMATE`.
    """
    pupils = tables.get("leerlingen")
    if pupils is None or pupils.empty:
        return {}
    p = pupils[
        (pupils["onderwijstype"] != "totaal")
        & ~pupils.get("vavo", pd.Series(False, index=pupils.index)).fillna(False).astype(bool)
    ]
    if p.empty:
        return {"aanbod": _empty_offer()}
    p = p.assign(aanbod_n=estimated_count(p))
    upper = pd.Series(False, index=p.index)
    for typ, years in UPPER_YEARS.items():
        upper |= (p["onderwijstype"] == typ) & p["leerjaar"].isin(list(years))
    keys = ["vestigingscode", "schooljaar", "onderwijstype"]
    up = p[upper]
    whole = up.groupby(keys, as_index=False).agg(
        leerlingen=("aanbod_n", "sum"), bron_id=("bron_id", "first"), peildatum=("peildatum", "first")
    )
    whole["profiel"] = None
    prof = up[up["profiel"].notna() & up["onderwijstype"].isin(labels.VMBO_LEERWEGEN)]
    by_prof = prof.groupby([*keys, "profiel"], as_index=False).agg(
        leerlingen=("aanbod_n", "sum"), bron_id=("bron_id", "first"), peildatum=("peildatum", "first")
    )
    lower = p[~upper & (p["leerjaar"] <= 3) & ~p["onderwijstype"].isin(["pro", "internationaal"])]
    ob = lower.groupby(["vestigingscode", "schooljaar"], as_index=False).agg(
        leerlingen=("aanbod_n", "sum"), bron_id=("bron_id", "first"), peildatum=("peildatum", "first")
    )
    ob["onderwijstype"] = "onderbouw"
    ob["profiel"] = None
    out = pd.concat([whole, by_prof, ob], ignore_index=True)
    out = out[out["leerlingen"] > 0]
    out["bron"] = "telling"
    cols = ["vestigingscode", "schooljaar", "onderwijstype", "profiel", "leerlingen", "bron", "bron_id", "peildatum"]
    out = out[cols].sort_values(
        ["vestigingscode", "schooljaar", "onderwijstype", "profiel"], na_position="first", kind="stable"
    )
    return {"aanbod": out.reset_index(drop=True)}


def _empty_offer() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "vestigingscode",
            "schooljaar",
            "onderwijstype",
            "profiel",
            "leerlingen",
            "bron",
            "bron_id",
            "peildatum",
        ]
    )


FORMATS = [FileFormat("aanbod-opgave", "Opgave aanbod (eigen sjabloon)", _detect_template, read_template, priority=20)]
DERIVE = [derive_aanbod]
