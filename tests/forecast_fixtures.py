"""Small synthetic workspaces for forecast tests, built in code."""

from __future__ import annotations

import numpy as np
import pandas as pd

STREAMS = [
    ("brugjaar", None, 1),
    ("brugjaar", None, 2),
    ("vmbo-k", "zorg-welzijn", 3),
    ("vmbo-k", "groen", 3),
    ("vmbo-k", "zorg-welzijn", 4),
    ("havo-vwo", None, 3),
    ("havo", None, 4),
    ("havo", None, 5),
    ("vwo", None, 4),
    ("vwo", None, 5),
    ("vwo", None, 6),
]


def pupil_rows(code: str, year: int, counts: dict[tuple[str, str | None, int], int | None]) -> list[dict]:
    """One leerlingen row per stream; a count of None is a censored ``<5``."""
    rows = []
    for (typ, prof, lj), n in counts.items():
        rows.append(
            {
                "vestigingscode": code,
                "brin": code[:4],
                "schooljaar": year,
                "leerjaar": lj,
                "geslacht": None,
                "onderwijstype": typ,
                "profiel": prof,
                "aantal": n,
                "gecensureerd": n is None,
                "bron_id": f"t{year}",
                "peildatum": pd.Timestamp(year, 10, 1),
            }
        )
    return rows


def workspace(
    rng: np.random.Generator,
    n_ves: int = 3,
    years: range = range(2015, 2020),
    kids: bool = True,
    censor: float = 0.0,
    zero: float = 0.1,
) -> dict[str, pd.DataFrame]:
    """A random region: vestigingen in two gemeenten with counts per stream and children per PC4."""
    rows = []
    ves = []
    for i in range(n_ves):
        code = f"00T{i}00"
        gem = "0001" if i % 2 == 0 else "0002"
        ves.append(
            {
                "vestigingscode": code,
                "gemeentecode": gem,
                "corop_code": "01",
                "pc6": f"100{i}AA",
                "huisnummer": "1",
                "x_rd": 150_000.0 + 3000 * i,
                "y_rd": 450_000.0,
                "naam": f"School {i}",
                "bestuur": "1",
            }
        )
        for y in years:
            counts = {}
            for s in STREAMS:
                r = rng.random()
                counts[s] = 0 if r < zero else (None if r < zero + censor else int(rng.integers(1, 200)))
            rows += pupil_rows(code, y, counts)
    tables = {"leerlingen": pd.DataFrame(rows), "vestigingen": pd.DataFrame(ves)}
    tables["leerlingen"]["aantal"] = tables["leerlingen"]["aantal"].astype("Int64")
    if kids:
        krows = []
        for pc4 in ("1000", "2000"):
            for age in range(4, 13):
                krows.append(
                    {
                        "pc4": pc4,
                        "leeftijd": age,
                        "aantal": int(rng.integers(50, 500)),
                        "vo_instroom": True,
                        "gecensureerd": False,
                        "schooljaar": max(years) - 1,
                        "peildatum": pd.Timestamp(max(years) - 1, 10, 1),
                        "bron_id": "k",
                    }
                )
        tables["kinderen"] = pd.DataFrame(krows)
        tables["kinderen"]["aantal"] = tables["kinderen"]["aantal"].astype("Int64")
        tables["pc4_gemeente"] = pd.DataFrame({"pc4": ["1000", "2000"], "gemeentecode": ["0001", "0002"]})
        tables["pc4_centroiden"] = pd.DataFrame(
            {"pc4": ["1000", "2000"], "x_rd": [150_000.0, 160_000.0], "y_rd": [450_000.0, 450_000.0]}
        )
    return tables


# -- school choice ---------------------------------------------------------------------------------
CHOICE_OFFERS = [  # pro, vmbo-bk, vmbo-gt, havo, vwo
    (False, True, True, True, True),
    (False, False, False, True, True),
    (True, True, False, False, False),
    (False, True, True, False, False),
    (False, False, False, False, True),
    (False, True, True, True, True),
]


def choice_region(
    rng: np.random.Generator, n_side: int = 5
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """A grid of home areas (2 km apart) and six vestigingen with different offers.

    Returns ``(areas, offer, children, intake)``: areas ``pc4, x_rd, y_rd``; an offer
    table for :class:`~dekkend.forecast.ChoiceModel`; children per area; an observed
    intake per vestiging whose total is 97% of the children.
    """
    xs, ys = np.meshgrid(np.arange(n_side) * 2000.0 + 150_000.0, np.arange(n_side) * 2000.0 + 445_000.0)
    areas = pd.DataFrame(
        {"pc4": [str(1000 + i) for i in range(n_side * n_side)], "x_rd": xs.ravel(), "y_rd": ys.ravel()}
    )
    rows = []
    for i, levels in enumerate(CHOICE_OFFERS):
        rows.append(
            {
                "vestigingscode": f"99{chr(65 + i)}A00",
                "x_rd": float(rng.uniform(150_000, 150_000 + 2000 * (n_side - 1))),
                "y_rd": float(rng.uniform(445_000, 445_000 + 2000 * (n_side - 1))),
                **dict(zip(("pro", "vmbo-bk", "vmbo-gt", "havo", "vwo"), levels, strict=True)),
            }
        )
    offer = pd.DataFrame(rows)
    children = rng.integers(20, 200, len(areas)).astype(float)
    weights = (
        rng.uniform(0.5, 1.5, len(offer)) * offer[["pro", "vmbo-bk", "vmbo-gt", "havo", "vwo"]].sum(axis=1).to_numpy()
    )
    intake = 0.97 * children.sum() * weights / weights.sum()
    return areas, offer, children, intake


def herkomst_csv(path, areas: pd.DataFrame, offer: pd.DataFrame, flows: np.ndarray):
    """Write flows (areas x vestigingen, leerjaar 1) as DUO's old pupils-by-home-postcode layout (latin-1, ';')."""
    head = (
        "BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;POSTCODE LEERLING;PLAATSNAAM LEERLING;GEMEENTENUMMER "
        "LEERLING;"
        "GEMEENTENAAM LEERLING;" + ";".join(f"LEER- OF VERBLIJFSJAAR {k}" for k in range(1, 7))
    )
    lines = [head]
    for j, code in enumerate(offer["vestigingscode"]):
        for i, pc4 in enumerate(areas["pc4"]):
            if flows[i, j] > 0:
                lines.append(f"{code[:4]};{int(code[4:])};School {code};{pc4};DORP;9999;Dorp;{flows[i, j]};0;0;0;0;0")
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return path
