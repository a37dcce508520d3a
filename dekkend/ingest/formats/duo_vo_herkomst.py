"""DUO ``02. Leerlingen per vestiging naar postcode leerling en leerjaar``: VO pupils by home postcode.

The columns follow DUO's published layout as used by the open-data tools that
read it since 2012 (``BRIN NUMMER``, ``VESTIGINGSNUMMER``, ``POSTCODE
LEERLING``, ``PLAATSNAAM LEERLING``, ``GEMEENTENUMMER LEERLING``,
``GEMEENTENAAM LEERLING``, ``LEER- OF VERBLIJFSJAAR 1`` .. ``6``); newer
vintages use ``INSTELLINGSCODE`` + ``VESTIGINGSCODE``, UTF-8 with BOM and
``<5`` for counts 1-4. A home code that is not a PC4 (foreign or unknown,
like DUO's ``10``/``20``/``30``/``40`` in the po file, or a shortened postcode)
keeps ``pc4`` empty and is reported.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source
from dekkend.ingest.formats._common import (
    check_unique,
    parse_counts,
    school_year_reference,
    upper_columns,
    yyyymmdd,
)
from dekkend.ingest.formats.duo_vo import normalise_gemeentecode, vestigingscode

_YEAR_COL = re.compile(r"^(?:LEER- OF VERBLIJFSJAAR|LEERJAAR|VERBLIJFSJAAR)\s*(\d)$")
_POSTCODE_COLS = ("POSTCODE LEERLING", "POSTCODE_LEERLING", "POSTCODECIJFERS LEERLING")


def _postcode_col(cols) -> str | None:
    return next((c for c in _POSTCODE_COLS if c in cols), None)


def _detect(p: Probe) -> bool:
    if p.kind != "tekst" or _postcode_col(p.header) is None or p.has("SOORT_PO"):
        return False
    has_key = p.has("VESTIGINGSNUMMER") or p.has("VESTIGINGSCODE")
    return has_key and any(_YEAR_COL.match(h) for h in p.header)


def _keys(cols: set[str]) -> tuple[str | None, str]:
    if "INSTELLINGSCODE" in cols and "VESTIGINGSCODE" in cols:
        return "INSTELLINGSCODE", "VESTIGINGSCODE"
    brin = next((c for c in ("BRIN NUMMER", "BRIN_NUMMER", "BRIN") if c in cols), None)
    return brin, "VESTIGINGSNUMMER" if "VESTIGINGSNUMMER" in cols else "VESTIGINGSCODE"


def _col(rows: pd.DataFrame, *names: str) -> pd.Series:
    for n in names:
        if n in rows.columns:
            return rows[n].astype(str).str.strip()
    return pd.Series(None, index=rows.index, dtype=object)


def read_herkomst(ctx: FileContext) -> Parsed:
    """Read a ``02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar`` file of any vintage."""
    raw = upper_columns(_text.read_table(ctx.path))
    cols = set(raw.rows.columns)
    brin_col, vest_col = _keys(cols)
    pc_col = _postcode_col(cols)
    year_cols = [(c, int(m.group(1))) for c in raw.rows.columns if (m := _YEAR_COL.match(c))]
    if pc_col is None or not year_cols:
        raise InvoerFout("kolommen POSTCODE LEERLING en LEER- OF VERBLIJFSJAAR ontbreken", file=ctx.path, line=1)
    code = vestigingscode(raw, brin_col, vest_col)
    home = raw.rows[pc_col].astype(str).str.strip()
    pc4 = home.where(home.str.fullmatch(r"[1-9]\d{3}"), None)
    place = _col(raw.rows, "PLAATSNAAM LEERLING", "WOONPLAATS LEERLING")
    gem = normalise_gemeentecode(_col(raw.rows, "GEMEENTENUMMER LEERLING", "GEMEENTECODE LEERLING"))
    check_unique(
        raw,
        pd.DataFrame({"v": code, "p": home, "w": place.fillna(""), "g": gem.fillna("")}),
        "vestiging/postcode leerling",
    )
    counts, censored = parse_counts(raw, [c for c, _ in year_cols])
    reference = school_year_reference(ctx, yyyymmdd(raw, "PEILDATUM"))
    n, k = len(raw.rows), len(year_cols)
    keep = ((counts > 0) | censored).ravel(order="F")
    base = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "pc4": pc4,
            "postcode_leerling": home,
            "plaatsnaam_leerling": place,
            "gemeentecode_leerling": gem,
            "gemeentenaam_leerling": _col(raw.rows, "GEMEENTENAAM LEERLING"),
        }
    )
    frame = base.iloc[np.tile(np.arange(n), k)[keep]].reset_index(drop=True)
    frame["leerjaar"] = pd.array(np.repeat([lj for _, lj in year_cols], n)[keep], dtype="Int64")
    cens = censored.ravel(order="F")[keep]
    frame["aantal"] = pd.array(counts.ravel(order="F")[keep], dtype="Int64")
    frame.loc[cens, "aantal"] = pd.NA
    frame["gecensureerd"] = cens
    frame["schooljaar"] = reference.year if reference.month >= 8 else reference.year - 1
    notes = []
    unlocated = frame[frame["pc4"].isna()]
    if len(unlocated):
        per = unlocated.groupby("postcode_leerling")["aantal"].sum()
        notes.append(
            "woonpostcode zonder locatie, niet gelokaliseerd: " + ", ".join(f"'{c}' {int(v)}" for c, v in per.items())
        )
    if cens.any():
        notes.append(f"{int(cens.sum())} cellen '<5' bewaard als gecensureerd (1-4)")
    return Parsed(
        {"leerlingen_herkomst": with_source(frame, ctx, reference)},
        reference,
        n,
        notes=notes,
        pupils=int(counts.sum()),
        years=(int(frame["schooljaar"].iloc[0]),) if len(frame) else (),
    )


FORMATS = [
    FileFormat(
        "duo-vo-herkomst",
        "DUO vo-leerlingen per vestiging naar postcode leerling en leerjaar",
        _detect,
        read_herkomst,
        priority=9,
    )
]
