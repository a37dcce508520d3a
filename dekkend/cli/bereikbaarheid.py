"""``dekkend bereikbaarheid``: a thin Dutch shell over :func:`dekkend.coverage.reachability`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.table import Table

from dekkend import ConfiguratieFout, InvoerFout
from dekkend.cli.support import (
    RegioOptie,
    WerkmapOptie,
    console,
    count,
    number,
    percent,
    school_year,
)
from dekkend.geo import CYCLING_SPEED_KMH, DETOUR_FACTOR

if TYPE_CHECKING:
    from dekkend.coverage import Reachability

#: Workspace tables the analysis reads (the rest is not loaded).
NEEDED_TABLES = (
    "aanbod",
    "aanbod_opgave",
    "vestigingen",
    "pc4_centroiden",
    "pc4_woonplaats",
    "pc4_gemeente",
    "kinderen",
    "bevolking_pc4",
    "prognose",
)
#: Groups shown in the summary on screen.
SUMMARY_KINDS = ("pro", "vmbo", "havo", "vwo", "havo-vwo", "vo", "vo-openbaar")


def load_forecast(tables: dict[str, pd.DataFrame], path: Path | None) -> pd.DataFrame | None:
    """The forecast frame: from ``--prognose`` (.csv, .xlsx or .parquet), else the workspace table ``prognose``."""
    if path is None:
        return tables.get("prognose")
    if not path.is_file():
        raise InvoerFout("prognosebestand bestaat niet", file=path)
    suffix = path.suffix.lower()
    types = {"vestigingscode": str, "onderwijstype": str, "profiel": str, "methode": str}
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig") as fh:
            head = fh.readline()
        frame = pd.read_csv(
            path,
            dtype=types,
            sep=";" if head.count(";") > head.count(",") else ",",
            encoding="utf-8-sig",
        )
    elif suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=types, engine="openpyxl")
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        raise ConfiguratieFout(
            f"prognosebestand {path}: onbekende extensie '{path.suffix}'; gebruik .csv, .xlsx of .parquet"
        )
    frame["profiel"] = frame["profiel"].where(frame["profiel"].notna(), None) if "profiel" in frame else None
    return frame


def _rounded(table: pd.DataFrame, digits: dict[str, int]) -> pd.DataFrame:
    out = table.copy()
    for col, n in digits.items():
        out[col] = out[col].astype(float).round(n)
    return out


def _summary(result: Reachability, indicators: pd.DataFrame | None, vestigingen: tuple[str, ...] | None) -> None:
    t = result.table
    kids = t.drop_duplicates("pc4")["kinderen_12_17"].sum()
    kids_text = count(kids)
    console.print(
        f"Schooljaar {school_year(result.jaar)}: {count(t['pc4'].nunique())} postcodegebieden, "
        f"{kids_text} kinderen van 12-17 jaar (geschat: {result.children_method})"
    )
    console.print(f"Afstanden: {result.distances}")
    if result.jaar > result.basisjaar:
        off = result.offer[(result.offer["jaar"] == result.jaar) & result.offer["verdwijnt"]]
        where = "in Nederland"
        if vestigingen is not None:
            off, where = (
                off[off["vestigingscode"].isin(vestigingen)],
                "bij de vestigingen van de regio",
            )
        console.print(
            f"Aanbod zonder ingrijpen volgens de prognose: {count(len(off))} aanbiedingen {where} "
            f"verdwenen tot en met {result.jaar}"
        )
    if result.pc4_without_location:
        console.print(
            f"[yellow]Let op:[/] {count(len(result.pc4_without_location))} postcodegebieden zonder middelpunt "
            f"overgeslagen: {', '.join(result.pc4_without_location[:10])}"
        )
    if indicators is None:
        return
    year = result.jaar if (indicators["jaar"] == result.jaar).any() else int(indicators["jaar"].min())
    rows = indicators[(indicators["jaar"] == year) & indicators["onderwijstype"].isin(SUMMARY_KINDS)]
    table = Table(title=f"Binnen de normafstand, {school_year(year)}")
    for col in ("onderwijstype", "aandeel binnen norm", "gem. km", "p90 km", "witte vlekken (PC4)"):
        table.add_column(col, justify="left" if col == "onderwijstype" else "right")
    for r in rows.itertuples():
        table.add_row(
            r.onderwijstype,
            percent(r.aandeel_binnen_norm, 1),
            number(r.gem_km, 1),
            number(r.p90_km, 1),
            count(r.pc4_buiten_norm),
        )
    console.print(table)


def bereikbaarheid(
    werkmap: WerkmapOptie,
    jaar: Annotated[
        int,
        typer.Option(
            "--jaar",
            help="Schooljaar (jaar van 1 oktober). Een jaar na de laatste telling "
            "gebruikt het aanbod zonder ingrijpen volgens de prognose.",
        ),
    ],
    uitvoer: Annotated[
        Path,
        typer.Option("--uitvoer", "-o", help="Tabel per postcodegebied x onderwijstype (.csv of .xlsx)."),
    ],
    regio: RegioOptie = None,
    indicatoren: Annotated[
        Path | None,
        typer.Option(
            "--indicatoren",
            help="Schrijf ook de indicatoren per jaar x "
            "onderwijstype (.csv of .xlsx), voor het laatste getelde jaar en elk "
            "prognosejaar.",
        ),
    ] = None,
    prognose: Annotated[
        Path | None,
        typer.Option(
            "--prognose",
            help="Prognosebestand (.csv, .xlsx, .parquet) met "
            "vestigingscode,jaar,onderwijstype,profiel,leerjaar,verwacht,...; "
            "zonder: de tabel 'prognose' van de werkmap, als die er is.",
        ),
    ] = None,
    afstanden: Annotated[
        Path | None,
        typer.Option(
            "--afstanden",
            help="Herkomst-bestemmingsbestand van een routeplanner "
            "(pc4,vestigingscode,km,minuten); paren die ontbreken worden geschat.",
        ),
    ] = None,
    norm: Annotated[
        list[str] | None,
        typer.Option(
            "--norm",
            help="Normafstand in km (standaard 12, commissie-Dijkgraaf), of per type: --norm pro=20. Herhaalbaar.",
        ),
    ] = None,
    drempel: Annotated[
        list[str] | None,
        typer.Option(
            "--drempel",
            help="Minimum verwachte leerlingen in de bovenbouw om een "
            "aanbod te houden (standaard: de drempels van docs/diagnose.md), of per type/profiel: --drempel havo=30 "
            "--drempel profiel:groen=10. Herhaalbaar.",
        ),
    ] = None,
    omrijfactor: Annotated[
        float,
        typer.Option(
            "--omrijfactor",
            help="Wegafstand gedeeld door hemelsbrede afstand (zie docs/methods/reachability.md).",
        ),
    ] = DETOUR_FACTOR,
    fietssnelheid: Annotated[float, typer.Option("--fietssnelheid", help="Fietssnelheid in km/u.")] = CYCLING_SPEED_KMH,
    min_leerlingen: Annotated[
        float,
        typer.Option(
            "--min-leerlingen",
            help="Leerlingen in de bovenbouw om in een geteld jaar van aanbod te spreken.",
        ),
    ] = 1.0,
) -> None:
    """Bereikbaarheid van elk onderwijstype, vmbo-profiel en elke groep vanuit elk postcodegebied
    (fietsafstand, normafstand).

    De regio kiest de woongebieden; scholen buiten de regio tellen altijd mee.
    """
    _run(
        werkmap,
        jaar,
        uitvoer,
        regio,
        indicatoren,
        prognose,
        afstanden,
        norm or [],
        drempel or [],
        omrijfactor,
        fietssnelheid,
        min_leerlingen,
    )


def _run(
    werkmap: Path,
    jaar: int,
    uitvoer: Path,
    regio: str | None,
    indicatoren: Path | None,
    prognose: Path | None,
    afstanden: Path | None,
    norm: list[str],
    drempel: list[str],
    omrijfactor: float,
    fietssnelheid: float,
    min_leerlingen: float,
) -> None:
    from dekkend import Workspace, select_region, write_table
    from dekkend.coverage import Norms, OfferThresholds, reachability
    from dekkend.geo import TravelModel, apply_od, distance_matrix, read_od_file

    for path in (uitvoer, indicatoren):
        if path is not None and path.suffix.lower() not in (".csv", ".xlsx"):
            raise ConfiguratieFout(
                f"uitvoerbestand {path}: onbekende extensie '{path.suffix or '(geen)'}'; gebruik .csv of .xlsx"
            )
    ws = Workspace(werkmap).require()
    tables = {name: ws.table(name) for name in NEEDED_TABLES if ws.has(name)}
    if "vestigingen" not in tables:
        raise ConfiguratieFout("de werkmap bevat geen vestigingen; importeer eerst gegevens")
    model = TravelModel(omrijfactor, fietssnelheid)
    norms = Norms.parse(norm)
    if drempel:
        thresholds = OfferThresholds.parse(drempel)
    else:  # the cited viability thresholds of the norms engine (docs/diagnose.md)
        from dekkend.diagnose import offer_thresholds
        from dekkend.norms import load_settings

        thresholds = offer_thresholds(load_settings())
    region = select_region(tables, regio)
    forecast = load_forecast(tables, prognose)
    last_count = int(tables["aanbod"]["schooljaar"].max()) if "aanbod" in tables and len(tables["aanbod"]) else jaar
    if forecast is None and (jaar > last_count or indicatoren is not None) and ws.has("leerlingen"):
        from dekkend.forecast import make_model

        codes = None if region.expression == "nl" else tuple(region.vestigingen)
        forecast = make_model("cohort").fit(ws.tables(), last_count, codes).predict(max(15, jaar - last_count))
        console.print(f"Prognose: het cohortmodel van dekkend, vanaf de telling van {school_year(last_count)}")
    matrix = distance_matrix(tables, model)
    if afstanden is not None:
        matrix, report = apply_od(matrix, read_od_file(afstanden), afstanden)
        console.print(f"Afstandenbestand: {report.summary()}")
    result = reachability(
        tables,
        jaar,
        region=region,
        matrix=matrix,
        forecast=forecast,
        thresholds=thresholds,
        norms=norms,
        indicators=indicatoren is not None,
        min_leerlingen=min_leerlingen,
    )
    console.print(f"[bold]Bereikbaarheid vanuit {region.label}[/]")
    table = _rounded(result.table, {"afstand_km": 2, "reistijd_fiets_min": 1, "kinderen_12_17": 1})
    write_table(table, uitvoer, sheet="bereikbaarheid")
    ind = None
    if indicatoren is not None and result.indicators is not None:
        ind = _rounded(
            result.indicators,
            {"aandeel_binnen_norm": 4, "gem_km": 2, "p90_km": 2, "kinderen_buiten_norm": 1},
        )
        write_table(ind, indicatoren, sheet="indicatoren")
    _summary(result, ind, None if region.expression == "nl" else region.vestigingen)
    if ind is not None and not result.prognosejaren:
        console.print("Geen prognose beschikbaar: de indicatoren gelden alleen voor het laatste getelde jaar.")
    console.print(f"[green]Geschreven:[/] {uitvoer}" + (f" en {indicatoren}" if ind is not None else ""))
