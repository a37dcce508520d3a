"""Gemeente boundaries (GeoJSON, shapefile), polygon helpers and population shares of split gemeenten."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from population_fixtures import geojson, shapefile, square

from dekkend.crs import wgs84_to_rd
from dekkend.errors import InvoerFout
from dekkend.ingest import _text, import_paths
from dekkend.ingest import gemeenten as gm
from dekkend.ingest.formats import FileContext, probe, recognise
from dekkend.ingest.formats._geometrie import area_and_centroid, contains
from dekkend.ingest.formats.cbs_gemeenten import split_shares
from dekkend.workspace import Workspace


def _read(path: Path):
    fmt = recognise(probe(path))
    assert fmt is not None, f"{path.name} niet herkend"
    return fmt, fmt.read(FileContext(path, _text.sha256_of(path)))


def test_contains_with_hole():
    geom = {"type": "Polygon", "coordinates": [square(0, 0, 10), square(4, 4, 2)]}
    inside = contains(geom, np.array([1, 5, 11, 9.9]), np.array([1, 5, 5, 9.9]))
    assert inside.tolist() == [True, False, False, True]


def test_area_and_centroid_of_projected_square():
    area, cx, cy = area_and_centroid([[np.array(square(0, 0, 1000), dtype=float)]])
    assert area == pytest.approx(1e6) and (cx, cy) == pytest.approx((500, 500))


def test_geojson_year_from_content_area_and_holes(tmp_path):
    fmt, parsed = _read(geojson(tmp_path / "grenzen.geojson", year=2022))
    assert fmt.key == "gemeentegrenzen-geojson" and parsed.reference_date.year == 2022
    g = parsed.tables["gemeentegrenzen"].set_index("gemeentecode")
    assert list(g.index) == ["0014", "0034"] and (g["jaar"] == 2022).all()
    # Almere's square has a hole of a quarter of its side: 1/16 of the area
    ratio = g.loc["0034", "oppervlakte_km2"] / (4 * g.loc["0014", "oppervlakte_km2"])
    assert ratio == pytest.approx(15 / 16, rel=0.02)
    geom = json.loads(g.loc["0014", "geometrie"])
    assert geom["type"] == "MultiPolygon"
    assert contains(geom, np.array([g.loc["0014", "lon"]]), np.array([g.loc["0014", "lat"]])).all()


def test_geojson_in_rd_is_converted(tmp_path):
    x, y = wgs84_to_rd(np.array([6.5, 6.6]), np.array([53.1, 53.2]))
    ring = [[x[0], y[0]], [x[1], y[0]], [x[1], y[1]], [x[0], y[1]], [x[0], y[0]]]
    _, parsed = _read(
        geojson(
            tmp_path / "rd.geojson",
            [("GM0014", "Groningen", [[ring]])],
            crs="urn:ogc:def:crs:EPSG::28992",
        )
    )
    g = parsed.tables["gemeentegrenzen"].iloc[0]
    assert 6.5 < g["lon"] < 6.6 and 53.1 < g["lat"] < 53.2
    assert parsed.notes == ["coördinaten omgezet van RD naar WGS84"]


def test_shapefile_with_sidecars(tmp_path):
    shp = shapefile(tmp_path / "Gemeentegrenzen_2019" / "Gemeentegrenzen_2019.shp")
    fmt, parsed = _read(shp)
    assert fmt.key == "gemeentegrenzen-shapefile" and parsed.reference_date.year == 2019
    g = parsed.tables["gemeentegrenzen"]
    assert g["gemeentecode"].tolist() == ["0014", "0034"] and g["oppervlakte_km2"].gt(0).all()
    result = import_paths([shp.parent], Workspace(tmp_path / "w"))
    reasons = {f.path.suffix: f.reason for f in result.files if f.status == "overgeslagen"}
    assert set(reasons) == {".dbf", ".shx", ".prj"}


def test_duplicate_gemeente_and_bad_code(tmp_path):
    feats = [("GM0014", "Groningen", [[square(6.5, 53.1, 0.1)]])] * 2
    with pytest.raises(InvoerFout) as err:
        _read(geojson(tmp_path / "dup.geojson", feats))
    assert err.value.line == 2 and "regel 2" in str(err.value) and "0014" in str(err.value)
    with pytest.raises(InvoerFout) as err:
        _read(geojson(tmp_path / "bad.geojson", [("Groningen", "Groningen", [[square(6.5, 53.1, 0.1)]])]))
    assert err.value.line == 1 and err.value.column == "feature"


def test_truncated_geojson(tmp_path):
    path = geojson(tmp_path / "kapot-2022.geojson")
    path.write_text(path.read_text()[:-40])
    with pytest.raises(InvoerFout) as err:
        import_paths([path], Workspace(tmp_path / "w"))
    assert "geen geldige GeoJSON" in str(err.value) and err.value.line is not None
    assert not (tmp_path / "w" / "tabellen").exists()


def test_split_shares_from_population_and_boundaries():
    """An old gemeente with three PC4s split over two successors: shares follow where the people live."""
    grenzen = pd.DataFrame(
        {
            "jaar": [2022, 2022],
            "gemeentecode": ["0014", "0034"],
            "geometrie": [
                json.dumps({"type": "Polygon", "coordinates": [square(0, 0, 1)]}),
                json.dumps({"type": "Polygon", "coordinates": [square(1, 0, 1)]}),
            ],
        }
    )
    cent = pd.DataFrame({"pc4": ["9001", "9002", "9003"], "lon": [0.5, 0.6, 1.5], "lat": [0.5, 0.5, 0.5]})
    bev = pd.DataFrame(
        {
            "gemeentecode": ["0999"] * 3,
            "gebied": ["pc4"] * 3,
            "geslacht": ["totaal"] * 3,
            "leeftijdsklasse": ["totaal"] * 3,
            "pc4": ["9001", "9002", "9003"],
            "aantal": pd.array([300, 300, 400], dtype="Int64"),
            "jaar": [2018] * 3,
        }
    )
    changes = pd.DataFrame(
        {
            "jaar": [2021, 2021],
            "soort": ["opsplitsing"] * 2,
            "code_oud": ["0999"] * 2,
            "naam_oud": ["Oud"] * 2,
            "code_nieuw": ["0014", "0034"],
            "naam_nieuw": ["Groningen", "Almere"],
            "aandeel": [np.nan, np.nan],
        }
    )
    register = pd.concat(
        [
            gm.builtin_register(),
            pd.DataFrame({"jaar": [2020], "gemeentecode": ["0999"], "gemeentenaam": ["Oud"]}),
        ]
    )
    out = split_shares(
        changes,
        register,
        {"bevolking_pc4": bev, "pc4_centroiden": cent, "gemeentegrenzen": grenzen},
    )
    assert out["aandeel"].tolist() == pytest.approx([0.6, 0.4])
    assert set(out["aandeel_methode"]) == {"bevolking-pc4"}
    fallback = split_shares(changes, register, {})
    assert fallback["aandeel"].tolist() == [0.5, 0.5] and set(fallback["aandeel_methode"]) == {"gelijk"}


@pytest.mark.realdata
def test_real_boundaries_match_the_gemeente_lists(shared_data):
    _, b2019 = _read(shared_data / "geo" / "gemeentegrenzen-2019" / "Gemeentegrenzen_2019.shp")
    _, b2022 = _read(shared_data / "geo" / "gemeenten-2022.geojson")
    register = gm.builtin_register()
    for parsed, year, n in ((b2019, 2019, 355), (b2022, 2022, 345)):
        g = parsed.tables["gemeentegrenzen"]
        assert len(g) == n and (g["jaar"] == year).all()
        assert set(g["gemeentecode"]) == set(register.loc[register["jaar"] == year, "gemeentecode"])
        assert 33_000 < g["oppervlakte_km2"].sum() < 42_000  # land (and some water) of the Netherlands
        assert g["lat"].between(50.7, 53.6).all() and g["lon"].between(3.3, 7.3).all()
    drimmelen = b2019.tables["gemeentegrenzen"].set_index("gemeentecode").loc["1719", "oppervlakte_km2"]
    assert drimmelen == pytest.approx(119.43, rel=1e-3)  # Shape__Are in the shapefile itself
