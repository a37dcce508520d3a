"""``dekkend prognose`` and ``dekkend backtest``: pupil forecasts and how well they would have done."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dekkend.cli.support import (
    RegioOptie,
    WerkmapOptie,
    console,
    count,
    number,
    percent,
    progress_bar,
    school_year,
)


def prognose(
    werkmap: WerkmapOptie,
    peiljaar: Annotated[int, typer.Option("--peiljaar", help="Alleen gegevens bekend op 1 oktober van dit jaar.")],
    uitvoer: Annotated[Path, typer.Option("--uitvoer", "-o", help="Uitvoerbestand .csv of .xlsx.")],
    horizon: Annotated[int, typer.Option("--horizon", help="Aantal schooljaren vooruit (1-30).")] = 15,
    regio_: RegioOptie = None,
    model: Annotated[str, typer.Option("--model", help="geen-verandering, trend of cohort.")] = "cohort",
    verval: Annotated[
        float | None,
        typer.Option(
            "--verval",
            help="Cohortmodel: verlies aan aantrekkelijkheid per km (0,3 = elke km 30% minder). "
            "Leeg: geschat uit leerlingen naar woonpostcode als die er zijn, anders 0,3.",
        ),
    ] = None,
    trekkingen: Annotated[
        int,
        typer.Option(
            "--trekkingen",
            help="Cohortmodel: aantal Monte-Carlotrekkingen van de onzekere invoer "
            "(cohorten, overgang, afstandsverval); schrijft ook UITVOER-trekkingen.csv. 0: geen.",
        ),
    ] = 0,
    zaad: Annotated[
        int, typer.Option("--zaad", help="Startgetal voor de trekkingen (zelfde zaad, zelfde trekkingen).")
    ] = 0,
) -> None:
    """Maak een leerlingenprognose per vestiging, onderwijstype, profiel en leerjaar, met intervallen."""
    import numpy as np

    from dekkend.errors import ConfiguratieFout
    from dekkend.forecast import ChoiceParameters, CohortModel, make_model, simulate, sum_band
    from dekkend.output import write_table
    from dekkend.regions import select_region
    from dekkend.workspace import Workspace

    if (verval is not None or trekkingen) and model != "cohort":
        raise ConfiguratieFout("--verval en --trekkingen horen bij het cohortmodel (--model cohort)")
    if trekkingen < 0:
        raise ConfiguratieFout(f"--trekkingen {trekkingen}: geef 0 of meer")
    with progress_bar() as bar:
        task = bar.add_task("Prognose", total=3 + bool(trekkingen), item="gegevens laden")
        tables = Workspace(werkmap).require().tables()
        units = select_region(tables, regio_).vestigingen if regio_ else None
        bar.update(task, completed=1, item=f"model {model} schatten")
        forecaster = CohortModel(choice=ChoiceParameters.from_loss(verval)) if verval is not None else make_model(model)
        forecaster.fit(tables, peiljaar, units)
        if peiljaar > forecaster.prepared.origin + MAX_YEARS_AFTER_COUNT:
            raise ConfiguratieFout(
                f"--peiljaar {peiljaar}: de laatste telling in de werkmap is van 1 oktober "
                f"{forecaster.prepared.origin}; "
                f"de jaren {forecaster.prepared.origin + 1}-{peiljaar} zouden stil worden overgeslagen. Kies een "
                "peiljaar "
                f"tot en met {forecaster.prepared.origin + MAX_YEARS_AFTER_COUNT} of importeer nieuwere tellingen; "
                "de prognose vanaf de laatste telling maakt u met --peiljaar "
                f"{forecaster.prepared.origin} en een langere --horizon"
            )
        if peiljaar > forecaster.prepared.origin:
            console.print(
                f"[yellow]Let op:[/] --peiljaar {peiljaar} ligt na de laatste telling (1 oktober "
                f"{forecaster.prepared.origin}); de prognose begint bij die telling en toont de jaren vanaf "
                f"{peiljaar + 1}."
            )
        bar.update(task, completed=2, item="vooruitrekenen")
        frame = forecaster.predict(horizon)
        draws = None
        if trekkingen:
            bar.update(task, completed=3, item=f"{trekkingen} trekkingen")
            draws = simulate(forecaster, horizon, trekkingen, seed=zaad)
        bar.update(task, completed=3 + bool(trekkingen), item="klaar")
    write_table(
        frame.round({c: 2 for c in ("verwacht", "laag80", "hoog80", "laag95", "hoog95")}), uitvoer, sheet="prognose"
    )
    prep = forecaster.prepared
    totals = frame.groupby("jaar")["verwacht"].sum()
    console.print(
        f"Prognose ({model}) met peiljaar {peiljaar} (laatste telling: 1 oktober {prep.origin}): "
        f"{count(len(prep.codes))} vestigingen, {count(len(frame))} rijen → {uitvoer}"
    )
    band = sum_band(frame, 80).set_index("jaar")
    for year in sorted({totals.index[0], totals.index[min(4, len(totals) - 1)], totals.index[-1]}):
        console.print(
            f"  {school_year(year)}: {count(totals[year])} leerlingen verwacht "
            f"(80%: {count(band.at[year, 'laag'])}-{count(band.at[year, 'hoog'])})"
        )
    methods = frame.drop_duplicates("vestigingscode")["methode"].value_counts()
    console.print("Methode per vestiging: " + ", ".join(f"{k} {count(v)}" for k, v in methods.items()))
    catchment = getattr(forecaster, "catchment", None)
    if catchment is not None:
        cal = catchment.calibration
        console.print(
            f"Schoolkeuze: verval {percent(cal.model.params.loss_per_km)} per km ({catchment.decay_source}), "
            f"instroom gekalibreerd tot op {number(cal.max_deviation, 2)} leerling; migratie van kinderen: "
            f"{catchment.children.migration.source}"
        )
    if prep.closed:
        console.print(
            f"Niet voorspeld: {count(len(prep.closed))} vestigingen met leerlingen in een eerdere telling "
            f"hadden op 1 oktober {prep.origin} geen leerlingen meer (gestopt): "
            + ", ".join(prep.closed[:10])
            + (" ..." if len(prep.closed) > 10 else "")
        )
    if draws is not None:
        path = uitvoer.with_name(f"{uitvoer.stem}-trekkingen.csv")
        write_table(draws.summary().round(2), path, sheet="trekkingen")
        nat = draws.totals.sum(axis=1)
        last = len(draws.years) - 1
        console.print(
            f"{count(trekkingen)} trekkingen (zaad {zaad}), alleen onzekerheid in de invoer: "
            f"{school_year(draws.years[last])} "
            f"tussen {count(np.quantile(nat[:, last], 0.1))} en {count(np.quantile(nat[:, last], 0.9))} leerlingen "
            f"(80%) → {path}"
        )


#: ``prognose --peiljaar`` may lie at most this many years after the last count (a count is
#: published about a year late; beyond that the gap is an error, not a choice). dekkend's own choice.
MAX_YEARS_AFTER_COUNT = 2


def backtest(
    werkmap: WerkmapOptie,
    peiljaar: Annotated[
        int, typer.Option("--peiljaar", help="Prognose met alleen wat op 1 oktober van dit jaar bekend was.")
    ],
    doel: Annotated[str, typer.Option("--doel", help="Doeljaar of doeljaren, komma-gescheiden (bijv. 2017,2018).")],
    niveau: Annotated[
        str, typer.Option("--niveau", help="vestiging, brin (school) of gemeente (woongemeente, CBS 85701NED).")
    ] = "vestiging",
    regio_: RegioOptie = None,
    verslag: Annotated[
        Path | None,
        typer.Option("--verslag", help="Markdown-verslag waarin dit blok wordt bijgewerkt (zonder: geen verslag)."),
    ] = None,
) -> None:
    """Toets de prognosemodellen achteraf: WAPE, MAPE, bias en intervaldekking per model, horizon en grootteklasse."""
    from dekkend.errors import ConfiguratieFout
    from dekkend.forecast import run_backtest, write_accuracy_section
    from dekkend.regions import select_region
    from dekkend.workspace import Workspace

    try:
        targets = tuple(sorted(int(x) for x in doel.split(",") if x.strip()))
    except ValueError as exc:
        raise ConfiguratieFout(
            f"--doel '{doel}': verwacht jaartallen gescheiden door komma's, zoals 2017,2018"
        ) from exc
    tables = Workspace(werkmap).require().tables()
    units = select_region(tables, regio_).vestigingen if regio_ and niveau != "gemeente" else None
    with progress_bar() as bar:
        task = bar.add_task("Backtest", total=None, item=f"{niveau}, peiljaar {peiljaar}")
        result = run_backtest(tables, peiljaar, targets, niveau, units)
        bar.update(task, total=1, completed=1, item="klaar")
    table = Table(title=f"Backtest {niveau}: peiljaar {peiljaar}")
    for col in ("model", "doeljaar", "eenheden", "WAPE", "MAPE", "bias", "dekking 80%", "dekking 95%"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for r in result.scores.sort_values(["jaar", "model"]).itertuples():
        table.add_row(
            r.model,
            str(r.jaar),
            count(r.eenheden),
            *(percent(v, 1) for v in (r.wape, r.mape, r.bias, r.dekking80, r.dekking95)),
        )
    console.print(table)
    for note in result.notes:
        console.print(note)
    command = (
        f"dekkend backtest --werkmap WERKMAP --peiljaar {peiljaar} --doel {','.join(map(str, targets))} "
        f"--niveau {niveau}"
    )
    if regio_:
        command += f" --regio {regio_}"
    if verslag is not None:
        write_accuracy_section(verslag, result, command)
        console.print(f"Bijgewerkt: {verslag}")
