"""The agreement's PDF annex: computed from the frozen scenario by the library, printed by Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from web.afspraken_fixtures import afspraak_world, as_request, record  # noqa: F401 - fixture


def test_the_annex_pdf_holds_the_agreement_its_figures_and_confirmations(
    afspraak_world,  # noqa: F811
    analysed,
    django_capture_on_commit_callbacks,
):
    from django.conf import settings

    from dekkend import report
    from dekkend.web.afspraken import annex, services
    from dekkend.web.models import Taak

    if report.find_browser() is None:
        pytest.skip("geen Chromium: de PDF-bijlage kan niet worden afgedrukt (apt-get install chromium)")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext ontbreekt (apt-get install poppler-utils)")
    w = afspraak_world
    made = record(w, inhoud="Het Baken sluit de vestiging Zandbrug; de besturen vangen de leerlingen op.")
    services.submit(as_request(w["people"]["regiocoordinator"]), made)
    for who in ("bestuur", "bestuur2"):
        services.answer(as_request(w["people"][who]), made, w["people"][who].bestuur, "ingestemd")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_annex(made, w["people"]["adviseur"])
    job = Taak.objects.get(pk=job.pk)
    assert job.status == "klaar", job.fout
    assert "pdf" in job.resultaat, job.resultaat.get("pdf_melding")
    pdf = Path(settings.WEB_MAP) / job.resultaat["pdf"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert made.titel in flat and "de besturen vangen de leerlingen op" in flat
    for board in w["boards"][:2]:
        assert str(board) in flat and board.code in flat
    assert flat.count("ingestemd") >= 2 and "bestuur2@test.nl" in flat
    assert "Kerncijfers van het scenario" in flat and "art. 4.19 WVO 2020" in flat
    # the key figures: the library's numbers for this scenario, as stored beside the annex and printed in it
    numbers = json.loads((Path(settings.WEB_MAP) / job.resultaat["kerncijfers"]).read_text(encoding="utf-8"))
    assert numbers["scenario"] == "Sluit Zandbrug"
    for key in ("leerlingen_zonder_ingrijpen", "leerlingen_met_scenario", "knelpunten_zonder", "knelpunten_met"):
        assert annex._nl(numbers[key]) in flat, key
    # "zonder ingrijpen" is the region's own forecast (the workspace's cached analysis of the same werkmap)
    last = next(r for r in analysed["prognose"]["regio"] if r["jaar"] == numbers["eindjaar"])
    assert numbers["leerlingen_zonder_ingrijpen"] == pytest.approx(last["verwacht"], abs=0.11)
    assert numbers["leerlingen_met_scenario"] <= numbers["leerlingen_zonder_ingrijpen"] + 0.1
    assert "Wie leerlingen krijgt en wie ze verliest" in flat, "the scenario's map is in the annex"
