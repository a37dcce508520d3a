"""CBS StatLine 85701NED: pupils by home gemeente and onderwijssoort per school year.

The export is a full grid of gemeente names x years: a blank cell means the
gemeente did not exist that year (missing, never 0). Names carry CBS
suffixes and there is a pseudo-row ``Gemeenten; niet in te delen`` (pupils
without a known home gemeente): it is kept, marked ``ingedeeld = False``.
The source table keeps names as written; the derived tables resolve them to
the gemeente code of that year (``leerlingen_woongemeente``) and add them up
on today's gemeenten (``leerlingen_woongemeente_huidig``).
"""

from __future__ import annotations

import re

import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.formatting import school_year
from dekkend.ingest import _text
from dekkend.ingest import gemeenten as gm
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source
from dekkend.ingest.formats._common import check_unique, first_true, parse_cbs_count

#: Known StatLine labels of ``Onderwijssoort`` (spelling as published, typos included).
ONDERWIJSSOORTEN = {
    "totaal (speciaal) basisonderwijs": "po-totaal",
    "basisonderwijs": "bao",
    "speciaal basisonderwijs": "sbao",
    "totaal (voortgezet) speciaal onderwijs": "so-vso-totaal",
    "speciaal onderwijs": "so",
    "voortgezet speciaal onderwijs": "vso",
    "voortgezet speciaal ondewijs": "vso",
    "totaal voortgezet onderwijs": "vo-totaal",
    "voortgezet onderwijs": "vo-totaal",
}
GESLACHTEN = {"totaal mannen en vrouwen": "totaal", "mannen": "m", "vrouwen": "v"}
_PERIOD = re.compile(r"^(\d{4})\s*/\s*'?(\d{2})(\*{0,2})$")
_REGION_COLS = ("REGIOKENMERKEN", "REGIO'S", "WOONGEMEENTE")


def _label(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def _detect(p: Probe) -> bool:
    return (
        p.kind == "tekst"
        and p.has("ONDERWIJSSOORT", "PERIODEN")
        and any(c in p.header for c in _REGION_COLS)
        and any("LEERLINGEN" in h for h in p.header)
    )


def _value_column(columns: list[str], path) -> str:
    for c in columns:
        if "leerlingen" in c.lower():
            return c
    raise InvoerFout(
        "kolom met het aantal leerlingen ontbreekt",
        file=path,
        line=1,
        expected="'Leerlingen/studenten (aantal)'",
    )


def _periods(raw: _text.RawTable, column: str) -> tuple[pd.Series, pd.Series]:
    labels = raw.rows[column].astype(str).str.strip()
    parsed = {
        lab: m
        for lab in labels.unique()
        if (m := _PERIOD.match(lab)) is not None and (int(m.group(1)) + 1) % 100 == int(m.group(2))
    }
    bad = labels.map(lambda lab: lab not in parsed)
    if bad.any():
        pos = first_true(bad)
        raise InvoerFout(
            f"'{labels.iloc[pos]}' is geen schooljaar",
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected="een schooljaar als 2019/'20",
        )
    year = labels.map(lambda lab: int(parsed[lab].group(1)))
    provisional = labels.map(lambda lab: bool(parsed[lab].group(3)))
    return year, provisional


def read_85701(ctx: FileContext) -> Parsed:
    """Read a StatLine 85701NED export (``;``, UTF-8 with BOM, CRLF)."""
    raw = _text.read_table(ctx.path)
    cols = {c.upper(): c for c in raw.rows.columns}
    region_col = next(cols[c] for c in _REGION_COLS if c in cols)
    value_col = _value_column(list(raw.rows.columns), ctx.path)
    year, provisional = _periods(raw, cols["PERIODEN"])
    soort_raw = raw.rows[cols["ONDERWIJSSOORT"]].astype(str)
    soort = soort_raw.map(lambda s: ONDERWIJSSOORTEN.get(_label(s), "onbekend"))
    sex_raw = (
        raw.rows[cols["GESLACHT"]].astype(str)
        if "GESLACHT" in cols
        else pd.Series("Totaal mannen en vrouwen", index=raw.rows.index)
    )
    sex = sex_raw.map(lambda s: GESLACHTEN.get(_label(s), "onbekend"))
    region = raw.rows[region_col].astype(str).str.strip().str.replace(r"\s+", " ", regex=True)
    check_unique(
        raw,
        pd.DataFrame({"g": sex_raw.str.strip(), "o": soort_raw.str.strip(), "p": year, "r": region}),
        "geslacht/onderwijssoort/periode/regio",
    )
    count = parse_cbs_count(raw, value_col)  # blank is missing, never 0
    frame = pd.DataFrame(
        {
            "schooljaar": year,
            "voorlopig": provisional,
            "onderwijssoort": soort,
            "label_onderwijssoort": soort_raw.str.strip(),
            "geslacht": sex,
            "gemeentenaam_bron": region,
            "ingedeeld": ~region.map(gm.is_pseudo_region),
            "aantal": count,
        }
    )
    skipped, notes = {}, []
    for kind, column in (("onderwijssoort", "label_onderwijssoort"), ("geslacht", None)):
        unknown = frame[kind] == "onbekend"
        if unknown.any():
            labels = (frame.loc[unknown, column] if column else sex_raw[unknown]).unique()
            skipped[f"onbekend {kind}-label: {', '.join(map(str, labels[:3]))}"] = int(unknown.sum())
    blanks = int(count.isna().sum())
    notes.append(f"{blanks} lege cellen (gemeente bestond dat jaar niet) bewaard als ontbrekend, niet als 0")
    pseudo = ~frame["ingedeeld"]
    if pseudo.any():
        notes.append(
            f"{int(pseudo.sum())} regels zonder woongemeente ('{region[pseudo].iloc[0]}') bewaard als niet ingedeeld"
        )
    years = tuple(sorted(frame["schooljaar"].unique()))
    reference = ctx.reference_date(from_content=pd.Timestamp(f"{max(years)}-10-01").date())
    vo = frame[
        (frame["onderwijssoort"] == "vo-totaal") & (frame["geslacht"] == "totaal") & (frame["schooljaar"] == max(years))
    ]
    if len(vo):
        notes.append(
            f"voortgezet onderwijs {school_year(max(years))}: {int(vo['aantal'].sum())} leerlingen (afgerond op "
            "tientallen)"
        )
    return Parsed(
        {"leerlingen_woongemeente_bron": with_source(frame, ctx, reference)},
        reference,
        len(raw.rows),
        skipped=skipped,
        notes=notes,
        years=tuple(int(y) for y in years),
    )


# -- derived ---------------------------------------------------------------------------
def _resolve(src: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    aliases = tables.get("gemeente_alias")
    if aliases is None or aliases.empty:
        aliases = gm.alias_table(gm.builtin_register())
    resolver = gm.Resolver.from_aliases(aliases)
    pairs = src.loc[src["ingedeeld"], ["gemeentenaam_bron", "schooljaar"]].drop_duplicates()
    lookup = {(n, y): resolver.code(n, int(y)) for n, y in pairs.itertuples(index=False)}
    codes = [
        lookup.get((n, y)) if ok else None
        for n, y, ok in src[["gemeentenaam_bron", "schooljaar", "ingedeeld"]].itertuples(index=False)
    ]
    return src.assign(gemeentecode=pd.array(codes, dtype="string"))


def _on_today(rows: pd.DataFrame, to_current: pd.DataFrame) -> pd.DataFrame:
    mapping = to_current[["gemeentecode", "huidige_code", "huidige_naam", "aandeel", "methode"]]
    known = rows[rows["gemeentecode"].notna() & rows["aantal"].notna()]
    joined = known.merge(mapping, on="gemeentecode", how="inner")
    joined["deel"] = joined["aantal"].astype(float) * joined["aandeel"]
    joined["via_opsplitsing"] = joined["methode"] == "opsplitsing"
    keys = ["schooljaar", "voorlopig", "onderwijssoort", "geslacht", "huidige_code", "huidige_naam"]
    out = joined.groupby(keys, sort=True).agg(
        aantal=("deel", "sum"),
        bronregels=("deel", "size"),
        via_opsplitsing=("via_opsplitsing", "any"),
    )
    out = out.reset_index().rename(columns={"huidige_code": "gemeentecode", "huidige_naam": "gemeentenaam"})
    return out


def derive_woongemeente(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Resolve 85701NED names to codes and add them up on today's gemeenten."""
    src = tables.get("leerlingen_woongemeente_bron")
    if src is None or src.empty:
        return {}
    rows = _resolve(src, tables)
    to_current = tables.get("gemeente_naar_huidig")
    out = {"leerlingen_woongemeente": rows}
    if to_current is not None and not to_current.empty:
        out["leerlingen_woongemeente_huidig"] = _on_today(rows, to_current)
    return out


def unresolved_names(rows: pd.DataFrame) -> pd.DataFrame:
    """Gemeente names with a count that did not resolve to a code (for reports and tests)."""
    bad = rows["ingedeeld"] & rows["gemeentecode"].isna() & rows["aantal"].notna()
    return rows.loc[bad, ["gemeentenaam_bron", "schooljaar"]].drop_duplicates().reset_index(drop=True)


FORMATS = [FileFormat("cbs-85701ned", "CBS 85701NED leerlingen naar woongemeente", _detect, read_85701, priority=8)]

DERIVE = [derive_woongemeente]
