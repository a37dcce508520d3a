"""Distance matrices: straight line x detour factor, blocks, zones and the crossings over water."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dekkend.errors import ConfiguratieFout
from dekkend.geo import CROSSINGS, MAINLAND, ZONES, TravelModel, assign_zones, estimate_matrix
from dekkend.geo import matrix as matrix_module
from dekkend.geo.water import ZONE_NAMES


def _points(rows: list[tuple[str, float, float, str]], key: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[key, "x_rd", "y_rd", "zone"])


def _crossing(name_part: str):
    return next(c for c in CROSSINGS if name_part in c.name)


def test_same_zone_is_straight_line_times_detour_and_time_at_speed():
    o = _points([("1000", 0.0, 0.0, MAINLAND)], "pc4")
    d = _points([("00AA00", 3000.0, 4000.0, MAINLAND)], "vestigingscode")
    m = estimate_matrix(o, d, TravelModel(1.3, 15.0))
    assert m.km[0, 0] == pytest.approx(5.0 * 1.3, rel=1e-6)
    assert m.minutes[0, 0] == pytest.approx(5.0 * 1.3 / 15.0 * 60.0, rel=1e-6)
    assert m.km.dtype == np.float32


def test_blocks_give_the_same_matrix_as_one_computation(monkeypatch):
    rng = np.random.default_rng(3)
    o = pd.DataFrame(
        {
            "pc4": [str(1000 + i) for i in range(50)],
            "x_rd": rng.uniform(0, 9e4, 50),
            "y_rd": rng.uniform(3e5, 4e5, 50),
        }
    )
    d = pd.DataFrame(
        {
            "vestigingscode": [f"00AA{i:02d}" for i in range(30)],
            "x_rd": rng.uniform(0, 9e4, 30),
            "y_rd": rng.uniform(3e5, 4e5, 30),
        }
    )
    monkeypatch.setattr(matrix_module, "BLOCK_ROWS", 7)
    m = estimate_matrix(o, d)
    direct = np.hypot(
        o["x_rd"].to_numpy()[:, None] - d["x_rd"].to_numpy(),
        o["y_rd"].to_numpy()[:, None] - d["y_rd"].to_numpy(),
    )
    np.testing.assert_allclose(m.km, direct / 1000 * 1.3, rtol=1e-6)
    sub = m.select(pc4=["1003", "1001"], vestigingen=["00AA05"])
    assert list(sub.pc4) == ["1001", "1003"] and sub.km.shape == (2, 1)
    assert len(m.long()) == 50 * 30


def test_island_to_mainland_goes_through_the_ferry_with_its_time():
    ferry = _crossing("Texel")
    (hx, hy), (mx, my) = ferry.b.rd, ferry.a.rd  # b: 't Horntje (Texel), a: Den Helder
    o = _points([("1791", hx + 3000.0, hy + 4000.0, "texel")], "pc4")
    d = _points([("00AA00", mx - 600.0, my - 800.0, MAINLAND)], "vestigingscode")
    model = TravelModel(1.3, 15.0)
    m = estimate_matrix(o, d, model)
    expected_km = 5.0 * 1.3 + ferry.length_km + 1.0 * 1.3
    assert m.km[0, 0] == pytest.approx(expected_km, rel=1e-5)
    assert m.minutes[0, 0] == pytest.approx((5.0 + 1.0) * 1.3 / 15.0 * 60.0 + ferry.minutes, rel=1e-5)
    straight = math.hypot(hx + 3000.0 - (mx - 600.0), hy + 4000.0 - (my - 800.0)) / 1000
    assert m.km[0, 0] != pytest.approx(straight * 1.3, rel=1e-3)  # not the straight line over the Marsdiep


def test_zeeuws_vlaanderen_uses_the_better_of_ferry_and_tunnel():
    ferry, tunnel = _crossing("Breskens"), _crossing("tunnel")
    (bx, by), (vx, vy) = ferry.b.rd, ferry.a.rd
    (tzx, tzy), (tnx, tny) = tunnel.b.rd, tunnel.a.rd
    o = _points([("4511", bx, by, "zeeuws-vlaanderen"), ("4531", tzx, tzy, "zeeuws-vlaanderen")], "pc4")
    d = _points([("00AA00", vx, vy, MAINLAND), ("00BB00", tnx, tny, MAINLAND)], "vestigingscode")
    m = estimate_matrix(o, d, TravelModel(1.3, 15.0))
    assert m.km[0, 0] == pytest.approx(ferry.length_km, rel=1e-5)  # Breskens -> Vlissingen: the ferry
    assert m.km[1, 1] == pytest.approx(6.6, rel=1e-5)  # Terneuzen -> north mouth: the tunnel
    assert m.minutes[0, 0] == pytest.approx(ferry.minutes, rel=1e-5)
    assert m.minutes[1, 1] == pytest.approx(tunnel.minutes, rel=1e-5)


def test_between_islands_via_the_mainland_and_no_crossing_means_unreachable():
    t, v = _crossing("Terschelling"), _crossing("Vlieland")
    o = _points([("8881", *t.b.rd, "terschelling")], "pc4")
    d = _points([("00AA00", *v.b.rd, "vlieland")], "vestigingscode")
    m = estimate_matrix(o, d)
    assert m.km[0, 0] == pytest.approx(t.length_km + v.length_km, rel=1e-5)
    assert m.minutes[0, 0] == pytest.approx(t.minutes + v.minutes, rel=1e-5)
    cut = estimate_matrix(o, d, crossings=())
    assert np.isinf(cut.km[0, 0]) and np.isinf(cut.minutes[0, 0])


def test_assign_zones_needs_range_and_box():
    texel = next(z for z in ZONES if z.name == "texel")
    x0, y0, x1, y1 = texel.box
    codes = np.array(["1791", "1791", "1781", None, "abc", "4511"], dtype=object)
    x = np.array([(x0 + x1) / 2, 245_000, (x0 + x1) / 2, (x0 + x1) / 2, 0.0, np.nan])
    y = np.array([(y0 + y1) / 2, 470_000, (y0 + y1) / 2, (y0 + y1) / 2, 0.0, np.nan])
    assert list(assign_zones(codes, x, y)) == [
        "texel",
        MAINLAND,
        MAINLAND,
        MAINLAND,
        MAINLAND,
        "zeeuws-vlaanderen",
    ]


def test_every_zone_has_a_crossing_to_the_mainland_and_crossings_are_plausible():
    reached = {c.b.zone for c in CROSSINGS if c.a.zone == MAINLAND} | {
        c.a.zone for c in CROSSINGS if c.b.zone == MAINLAND
    }
    assert reached == set(ZONE_NAMES) - {MAINLAND}
    for c in CROSSINGS:
        assert c.a.zone != c.b.zone and 1.0 < c.length_km < 40.0 and 0 < c.minutes <= 120, c.name
        assert c.source


def test_travel_model_rejects_impossible_values_in_dutch():
    with pytest.raises(ConfiguratieFout, match="omrijfactor 0.5 valt buiten"):
        TravelModel(0.5, 15.0)
    with pytest.raises(ConfiguratieFout, match="fietssnelheid"):
        TravelModel(1.3, 100.0)
    with pytest.raises(ConfiguratieFout, match="RD-coördinaten"):
        estimate_matrix(
            pd.DataFrame({"pc4": ["1000"], "x_rd": [np.nan], "y_rd": [1.0]}),
            pd.DataFrame({"vestigingscode": ["00AA00"], "x_rd": [1.0], "y_rd": [1.0]}),
        )
