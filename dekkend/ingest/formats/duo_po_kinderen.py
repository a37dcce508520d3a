"""DUO ``03. Leerlingen po per gemeente, postcode leerling en leeftijd``: the ``kinderen`` table.

Pupils per po school x home PC4 x age. Only ``Bo`` and ``Sbo`` pupils will
enter VO (``vo_instroom``); ``So`` and ``Vso`` are kept and flagged. DUO's
placeholder home codes (``10`` Belgium, ``20`` Germany, ``30`` other country,
``40`` unknown, space-padded) have no location: they keep ``pc4`` empty and
are reported.
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
    first_true,
    parse_counts,
    upper_columns,
    yyyymmdd,
)
from dekkend.ingest.formats.duo_po import key_columns, school_columns, school_year, text_column
from dekkend.ingest.formats.duo_vo import normalise_gemeentecode, normalise_pc6, vestigingscode

VO_INSTROOM = ("bo", "sbo")
_AGE = re.compile(r"^LEEFTIJD_(\d+|JONGER|OUDER)$")
PLACEHOLDERS = {"10": "België", "20": "Duitsland", "30": "ander land", "40": "onbekend"}


def _detect_kinderen(p: Probe) -> bool:
    return p.kind == "tekst" and p.has("POSTCODE_LEERLING", "SOORT_PO", "LEEFTIJD_4")


def _ages(columns: list[str]) -> list[tuple[str, int, str | None]]:
    """(column, leeftijd, open end) for every LEEFTIJD_ column; JONGER/OUDER become open-ended."""
    out: list[tuple[str, int, str | None]] = []
    numbers = [int(m.group(1)) for c in columns if (m := _AGE.match(c)) and m.group(1).isdigit()]
    for c in columns:
        m = _AGE.match(c)
        if not m:
            continue
        tag = m.group(1)
        if tag == "JONGER":
            out.append((c, min(numbers) - 1, "jonger"))
        elif tag == "OUDER":
            out.append((c, max(numbers) + 1, "ouder"))
        else:
            out.append((c, int(tag), None))
    return out


def _home_postcode(raw: _text.RawTable) -> tuple[pd.Series, pd.Series]:
    """The home PC4 (or <NA>) and the code as written (trimmed)."""
    code = raw.rows["POSTCODE_LEERLING"].astype(str).str.strip()
    pc4 = code.where(code.str.fullmatch(r"[1-9]\d{3}"), None)
    return pc4, code


def _check_total(raw: _text.RawTable, counts: np.ndarray, censored: np.ndarray) -> None:
    if "TOTAAL" not in raw.rows.columns:
        return
    total, tot_cens = _text.parse_count(raw, "TOTAAL")
    comparable = ~censored.any(axis=1) & ~tot_cens.to_numpy()
    diff = comparable & (counts.sum(axis=1) != total.fillna(0).to_numpy())
    if diff.any():
        pos = first_true(diff)
        raise InvoerFout(
            f"TOTAAL is {total.iloc[pos]}, de leeftijden tellen op tot {int(counts[pos].sum())}",
            file=raw.path,
            line=raw.line_of(pos),
            column="TOTAAL",
            expected="TOTAAL gelijk aan de som van de leeftijden",
        )


def read_kinderen(ctx: FileContext) -> Parsed:
    """Read ``03.-leerlingen-po-per-gemeente-postcode-leerling-leeftijd`` (any vintage, gzip or not)."""
    raw = upper_columns(_text.read_table(ctx.path))
    brin_col, vest_col = key_columns(set(raw.rows.columns))
    _text.require_columns(raw, [c for c in (brin_col, vest_col, "POSTCODE_LEERLING", "SOORT_PO") if c])
    ages = _ages(list(raw.rows.columns))
    code = vestigingscode(raw, brin_col, vest_col)
    pc4, home = _home_postcode(raw)
    soort = raw.rows["SOORT_PO"].astype(str).str.strip().str.lower()
    check_unique(
        raw,
        pd.DataFrame({"v": code, "p": home, "s": soort}),
        "vestiging/postcode leerling/soort po",
    )
    counts, censored = parse_counts(raw, [c for c, _, _ in ages])
    _check_total(raw, counts, censored)
    reference = ctx.reference_date(from_content=yyyymmdd(raw, "PEILDATUM"))
    n, k = len(raw.rows), len(ages)
    keep = ((counts > 0) | censored).ravel(order="F")
    rows = np.tile(np.arange(n), k)[keep]
    base = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "soort_po": soort,
            "vo_instroom": soort.isin(VO_INSTROOM),
            "pc4": pc4,
            "postcode_leerling": home,
            "woongebied": text_column(raw.rows, "GEMEENTENAAM_LEERLING"),
            "gemeentecode_school": normalise_gemeentecode(text_column(raw.rows, "GEMEENTENUMMER")),
        }
    )
    frame = base.iloc[rows].reset_index(drop=True)
    frame["leeftijd"] = pd.array(np.repeat([a for _, a, _ in ages], n)[keep], dtype="Int64")
    frame["leeftijd_open"] = np.repeat(np.array([o for _, _, o in ages], dtype=object), n)[keep]
    cens_flat = censored.ravel(order="F")[keep]
    frame["aantal"] = pd.array(counts.ravel(order="F")[keep], dtype="Int64")
    frame.loc[cens_flat, "aantal"] = pd.NA
    frame["gecensureerd"] = cens_flat
    frame["schooljaar"] = school_year(reference)
    pupils = int(counts.sum())
    notes = _kinderen_notes(frame)
    return Parsed(
        {
            "kinderen": with_source(frame, ctx, reference),
            "po_vestigingen_bron": with_source(_schools_from_kinderen(raw, code, soort), ctx, reference),
        },
        reference,
        n,
        notes=notes,
        pupils=pupils,
        years=(school_year(reference),),
    )


def _kinderen_notes(frame: pd.DataFrame) -> list[str]:
    notes = []
    by_soort = frame.groupby("soort_po")["aantal"].sum()
    flagged = {s: int(n) for s, n in by_soort.items() if s not in VO_INSTROOM}
    if flagged:
        notes.append(
            "niet meegeteld als vo-instroom (wel bewaard): " + ", ".join(f"{s} {n}" for s, n in sorted(flagged.items()))
        )
    unlocated = frame[frame["pc4"].isna()]
    if len(unlocated):
        parts = []
        for code, grp in unlocated.groupby("postcode_leerling"):
            label = PLACEHOLDERS.get(code, grp["woongebied"].iloc[0] or "onbekend")
            parts.append(f"'{code}' ({label}) {int(grp['aantal'].sum())}")
        notes.append("woonpostcode zonder locatie, niet gelokaliseerd: " + ", ".join(parts) + " leerlingen")
    if frame["gecensureerd"].any():
        notes.append(f"{int(frame['gecensureerd'].sum())} cellen '<5' bewaard als gecensureerd (1-4)")
    return notes


def _schools_from_kinderen(raw: _text.RawTable, code: pd.Series, soort: pd.Series) -> pd.DataFrame:
    pairs = pd.DataFrame({"vestigingscode": code, "soort_po": soort}).drop_duplicates()
    soorten = pairs.sort_values("soort_po").groupby("vestigingscode")["soort_po"].agg(",".join)
    first = pairs.drop_duplicates("vestigingscode").index
    r = raw.rows.loc[first]
    frame = pd.DataFrame(
        {
            "vestigingscode": code.loc[first],
            "brin": code.loc[first].str[:4],
            "naam": text_column(r, "INSTELLINGSNAAM_VESTIGING", "VESTIGINGSNAAM"),
            "pc6": normalise_pc6(text_column(r, "POSTCODE_VESTIGING")),
            "plaatsnaam": text_column(r, "PLAATSNAAM"),
            "gemeentecode": normalise_gemeentecode(text_column(r, "GEMEENTENUMMER")),
            "gemeentenaam": text_column(r, "GEMEENTENAAM"),
            "provincie": text_column(r, "PROVINCIE"),
            "denominatie": text_column(r, "DENOMINATIE_VESTIGING", "DENOMINATIE"),
            "bestuur": text_column(r, "BEVOEGD_GEZAG_NUMMER"),
        }
    ).reset_index(drop=True)
    frame["soort_po"] = frame["vestigingscode"].map(soorten)
    return school_columns(frame, "kinderen")


FORMATS = [
    FileFormat(
        "duo-po-postcode-leeftijd",
        "DUO po-leerlingen per postcode leerling en leeftijd",
        _detect_kinderen,
        read_kinderen,
        priority=9,
    ),
]
