"""Simulating the demo region into the data model: births, children, school choice, cohorts, counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from dekkend.crs import rd_to_wgs84
from dekkend.demo import design as d
from dekkend.ingest.importer import derive
from dekkend.workspace import Workspace

ProgressFn = Callable[[str, int, int], None]
_BIRTH_FROM = 1980
_TYPE_LABELS = {
    "vmbo-b": "VMBO BL lj 3-4",
    "vmbo-k": "VMBO KL lj 3-4",
    "vmbo-g": "VMBO GL lj 3-4",
    "vmbo-t": "VMBO TL lj 3-4",
    "havo": "HAVO lj 4-5",
    "vwo": "VWO lj 4-6",
    "pro": "Praktijkonderwijs alle vj",
}


def _pc4_table(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for place in d.PLACES:
        n = len(place.pc4)
        for i, pc4 in enumerate(place.pc4):
            angle = 2 * np.pi * i / n
            r = 0.0 if n == 1 else place.spread_m * (0.6 + 0.4 * rng.random())
            rows.append(
                {
                    "pc4": pc4,
                    "woonplaats": place.naam,
                    "gemeentecode": place.gemeente,
                    "x_rd": place.x + r * np.cos(angle) + rng.normal(0, 150),
                    "y_rd": place.y + r * np.sin(angle) + rng.normal(0, 150),
                    "births_2005": place.births_2005 / n * rng.uniform(0.8, 1.2),
                    "trend": place.birth_trend,
                    "abroad": place.abroad_share,
                    "village": n == 1,
                }
            )
    frame = pd.DataFrame(rows)
    frame["lon"], frame["lat"] = rd_to_wgs84(frame["x_rd"].to_numpy(), frame["y_rd"].to_numpy())
    return frame


def _births(pc4: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Births per (pc4, year) for years _BIRTH_FROM..LAST_YEAR."""
    years = np.arange(_BIRTH_FROM, d.LAST_YEAR + 1)
    base = pc4["births_2005"].to_numpy()[:, None] * (1 + pc4["trend"].to_numpy()[:, None]) ** (years[None, :] - 2005)
    return rng.poisson(base).astype(float)


def _children(births: np.ndarray, pc4: pd.DataFrame, year: int, age: int) -> np.ndarray:
    """Children of ``age`` on 1 October of ``year`` per pc4: births aged with net migration."""
    b = year - age - _BIRTH_FROM
    if b < 0:
        raise ValueError("birth year before the simulated range")
    migration = np.where(pc4["village"].to_numpy(), 0.996, 1.002)
    return np.round(births[:, b] * migration**age)


def _distances_km(pc4: pd.DataFrame, ves: pd.DataFrame) -> np.ndarray:
    dx = pc4["x_rd"].to_numpy()[:, None] - ves["x_rd"].to_numpy()[None, :]
    dy = pc4["y_rd"].to_numpy()[:, None] - ves["y_rd"].to_numpy()[None, :]
    return np.hypot(dx, dy) / 1000.0


def _vestigingen_frame() -> pd.DataFrame:
    places = {p.naam: p for p in d.PLACES}
    gem = {g.code: g.naam for g in d.GEMEENTEN}
    rows = []
    for v in d.VESTIGINGEN:
        p = places[v.place]
        row = {
            "vestigingscode": v.code,
            "brin": v.code[:4],
            "naam": v.naam,
            "bestuur": v.bestuur,
            "denominatie": v.denominatie,
            "straat": v.straat.rsplit(" ", 1)[0],
            "huisnummer": v.straat.rsplit(" ", 1)[1],
            "pc6": v.pc6,
            "plaatsnaam": v.place.upper(),
            "gemeentecode": p.gemeente,
            "gemeentenaam": gem[p.gemeente].upper(),
            "provincie": d.PROVINCE,
            "structuur": _structure(v),
            "x_rd": p.x + v.dx,
            "y_rd": p.y + v.dy,
            "bronsoort": "adressen",
        }
        for kind, (code, name) in d.REGION_CODES.items():
            row[f"{kind}_code"], row[f"{kind}_naam"] = code, name
        rows.append(row)
    return pd.DataFrame(rows)


def _structure(v: d.Vestiging) -> str:
    if v.continues_at:
        return "BRUGJAAR"
    parts = []
    if any(lv in v.intake for lv in ("vmbo-b", "vmbo-k", "vmbo-g")):
        parts.append("VBO")
    if "vmbo-t" in v.intake:
        parts.append("MAVO")
    parts += [t.upper() for t in ("havo", "vwo") if t in v.intake]
    if "pro" in v.intake:
        parts.append("PRO")
    return "/".join(parts)


def _intake(rng: np.random.Generator, kids12: np.ndarray, pc4: pd.DataFrame, dist: np.ndarray) -> np.ndarray:
    """First-year pupils per (vestiging, level) from the children aged 12, by a distance-decay choice."""
    levels = list(d.LEVEL_SHARES)
    out = np.zeros((len(d.VESTIGINGEN), len(levels)))
    attr = np.array([v.attractiveness for v in d.VESTIGINGEN])
    for j, level in enumerate(levels):
        offers = np.array([level in v.intake for v in d.VESTIGINGEN])
        share = d.LEVEL_SHARES[level]
        for i in range(len(pc4)):
            village = pc4["village"].iat[i]
            s = share * (
                0.85
                if village and level in ("havo", "vwo")
                else 1.12
                if village and level in ("vmbo-k", "vmbo-t")
                else 1.0
            )
            n = int(rng.binomial(int(kids12[i]), min(1.0, s * (1 - pc4["abroad"].iat[i]))))
            w = np.where(offers, attr * np.exp(-d.DISTANCE_DECAY_PER_KM * dist[i]), 0.0)
            if n and w.sum() > 0:
                out[:, j] += rng.multinomial(n, w / w.sum())
    return out


def _simulate_cohorts(
    rng: np.random.Generator, pc4: pd.DataFrame, births: np.ndarray, ves: pd.DataFrame
) -> dict[int, np.ndarray]:
    """Pupils per year as arrays (vestiging, level, leerjaar 1..6)."""
    levels = list(d.LEVEL_SHARES)
    dist = _distances_km(pc4, ves) * 1.3
    index = {v.code: i for i, v in enumerate(d.VESTIGINGEN)}
    state = np.zeros((len(d.VESTIGINGEN), len(levels), 6))
    out = {}
    for year in range(d.WARMUP_FROM, d.LAST_YEAR + 1):
        new = np.zeros_like(state)
        new[:, :, 0] = _intake(rng, _children(births, pc4, year, 12), pc4, dist)
        for j, level in enumerate(levels):
            last = d.LEERJAREN[level]
            for k in range(1, last):
                new[:, j, k] = rng.binomial(state[:, j, k - 1].astype(int), 0.975)
        for i, v in enumerate(d.VESTIGINGEN):  # onderbouw-only: move on in leerjaar 3
            for level, target in v.continues_at.items():
                j = levels.index(level)
                new[index[target], j, 2:] += new[i, j, 2:]
                new[i, j, 2:] = 0
        state = new
        if year >= d.FIRST_YEAR:
            out[year] = state.copy()
    return out


def _row(
    v: d.Vestiging, year: int, leerjaar: int, n: int, level: str, rng: np.random.Generator, **labels: object
) -> list[dict]:
    boys = int(rng.binomial(n, d.BOYS.get(level, 0.5)))
    base = {
        "vestigingscode": v.code,
        "brin": v.code[:4],
        "leerjaar": leerjaar,
        "schooljaar": year,
        "elementcode": "",
        "label_afdeling": "N.v.t.",
        "label_sector": "N.v.t.",
        "vavo": False,
        "internationaal": False,
        "lwoo": False,
        "gymnasium": False,
        "niveau": None,
        "profiel": None,
        "hv_profiel": None,
        "route": None,
        "sector": None,
        "gecensureerd": False,
        **labels,
    }
    return [{**base, "geslacht": g, "aantal": c} for g, c in (("m", boys), ("v", n - boys)) if c > 0]


def _split(rng: np.random.Generator, n: int, weights: dict[str, float]) -> dict[str, int]:
    keys = list(weights)
    w = np.array([weights[k] for k in keys], float)
    return dict(zip(keys, rng.multinomial(n, w / w.sum()), strict=True))


def _pupil_rows(rng: np.random.Generator, year: int, counts: np.ndarray) -> list[dict]:
    levels = list(d.LEVEL_SHARES)
    rows: list[dict] = []
    for i, v in enumerate(d.VESTIGINGEN):
        for k in range(6):
            lj = k + 1
            groups: dict[str, int] = {}
            for j, level in enumerate(levels):
                n = int(counts[i, j, k])
                if n == 0:
                    continue
                if lj <= 2 and level != "pro":
                    groups[v.groups[level]] = groups.get(v.groups[level], 0) + n
                else:
                    rows += _level_rows(rng, v, year, lj, n, level)
            for niveau, n in sorted(groups.items()):
                rows += _row(
                    v,
                    year,
                    lj,
                    n,
                    "vmbo-t",
                    rng,
                    onderwijstype="brugjaar",
                    niveau=niveau,
                    label_onderwijstype="Brugjaar 1-2",
                    label_opleiding="Ljvb op " + niveau.upper().replace(",", "/"),
                )
    return rows


def _level_rows(rng: np.random.Generator, v: d.Vestiging, year: int, lj: int, n: int, level: str) -> list[dict]:
    """The rows of ``n`` pupils of one level outside the brugjaren (praktijkonderwijs in every leerjaar)."""
    if level == "pro":
        return _row(
            v,
            year,
            lj,
            n,
            level,
            rng,
            onderwijstype="pro",
            label_onderwijstype=_TYPE_LABELS["pro"],
            label_opleiding="Praktijkonderwijs",
        )
    if lj == 3 and level in ("havo", "vwo"):
        return _row(
            v,
            year,
            lj,
            n,
            level,
            rng,
            onderwijstype="havo-vwo",
            label_onderwijstype="HAVO/VWO lj 3",
            label_opleiding="HAVO" if level == "havo" else "VWO-ATHENEUMSTROOM",
        )
    if level in ("havo", "vwo"):
        return _row(
            v,
            year,
            lj,
            n,
            level,
            rng,
            onderwijstype=level,
            label_onderwijstype=_TYPE_LABELS[level],
            label_opleiding=level.upper(),
        )
    rows: list[dict] = []
    if level == "vmbo-t":
        for sector, m in _split(rng, n, d.VMBO_T_SECTORS).items():
            if m:
                rows += _row(
                    v,
                    year,
                    lj,
                    m,
                    level,
                    rng,
                    onderwijstype=level,
                    sector=sector,
                    label_onderwijstype=_TYPE_LABELS[level],
                    label_sector=sector,
                    label_opleiding=f"MAVO/Theor Lw-Profiel {sector}",
                )
        return rows
    weights = v.profielen.get(level) or {"dienstverlening-producten": 1.0}
    for profiel, m in _split(rng, n, weights).items():
        if m:
            rows += _row(
                v,
                year,
                lj,
                m,
                level,
                rng,
                onderwijstype=level,
                profiel=profiel,
                label_onderwijstype=_TYPE_LABELS[level],
                label_afdeling=profiel,
                label_opleiding=f"{level.upper()} {profiel}",
            )
    return rows


def _population(births: np.ndarray, pc4: pd.DataFrame) -> pd.DataFrame:
    """Population on 1 January per PC4 in 5-year bands 0-4 .. 15-19 (both sexes), like CBS."""
    gem = {g.code: g.naam for g in d.GEMEENTEN}
    parts = []
    for year in range(d.FIRST_YEAR, d.LAST_YEAR + 1):
        for lo in (0, 5, 10, 15):
            # age a on 1 January of ``year`` is age a on 1 October of ``year - 1`` for most children
            n = sum(_children(births, pc4, year - 1, a) for a in range(lo, lo + 5) if year - 1 - a >= _BIRTH_FROM)
            parts.append(
                pd.DataFrame(
                    {
                        "pc4": pc4["pc4"],
                        "gemeentecode": pc4["gemeentecode"],
                        "gemeentenaam": pc4["gemeentecode"].map(gem),
                        "gebied": "pc4",
                        "geslacht": "totaal",
                        "leeftijdsklasse": f"{lo}-{lo + 4}",
                        "leeftijd_van": lo,
                        "leeftijd_tot": lo + 4,
                        "aantal": np.asarray(n, dtype=np.int64),
                        "jaar": year,
                        "bron_id": "demo-bevolking",
                        "peildatum": pd.Timestamp(year, 1, 1),
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    for col in ("leeftijd_van", "leeftijd_tot", "aantal"):
        out[col] = out[col].astype("Int64")
    return out


def _bron(frame: pd.DataFrame, bron_id: str, peildatum: date) -> pd.DataFrame:
    frame = frame.copy()
    frame["bron_id"] = bron_id
    frame["peildatum"] = pd.Timestamp(peildatum)
    return frame


def demo_tables(seed: int = 2024, progress: ProgressFn | None = None) -> dict[str, pd.DataFrame]:
    """All source tables of the demo region (before derivation), deterministic for a seed."""
    rng = np.random.default_rng(seed)
    steps = ["gebieden", "geboorten", "schoolkeuze", "tellingen"]
    tick = (lambda i: progress(steps[i] if i < len(steps) else "", i, len(steps))) if progress else (lambda i: None)
    tick(0)
    pc4 = _pc4_table(rng)
    gem = {g.code: g.naam for g in d.GEMEENTEN}
    files: list[dict] = []
    tables: dict[str, pd.DataFrame] = {}
    geo_date = date(d.LAST_YEAR, 1, 1)
    tables["pc4_centroiden"] = _bron(pc4[["pc4", "lat", "lon", "x_rd", "y_rd"]], "demo-pc4", geo_date)
    wp = pc4.assign(gemeentenaam=pc4["gemeentecode"].map(gem), provincie=d.PROVINCE, soort="Woonplaats")
    tables["pc4_woonplaats"] = _bron(
        wp[["pc4", "woonplaats", "gemeentenaam", "provincie", "soort", "lat", "lon"]], "demo-pc4", geo_date
    )
    tables["pc4_gemeente"] = _bron(wp[["pc4", "gemeentecode", "gemeentenaam"]], "demo-pc4", geo_date)
    files.append(
        {
            "bron_id": "demo-pc4",
            "formaat": "demo-gebieden",
            "titel": "Demoregio: postcodegebieden",
            "peildatum": geo_date,
            "rijen": len(pc4),
        }
    )

    tick(1)
    births = _births(pc4, rng)
    kids = []
    for year in range(d.FIRST_YEAR, d.LAST_YEAR + 1):
        for age in range(4, 12):
            kids.append(
                pd.DataFrame(
                    {
                        "pc4": pc4["pc4"],
                        "leeftijd": age,
                        "aantal": _children(births, pc4, year, age).astype(int),
                        "schooljaar": year,
                        "peildatum": pd.Timestamp(year, 10, 1),
                    }
                )
            )
    kinderen = pd.concat(kids, ignore_index=True)
    kinderen["soort_po"] = "Bo"
    kinderen["vo_instroom"] = True
    kinderen["gecensureerd"] = False
    kinderen["bron_id"] = "demo-kinderen"
    tables["kinderen"] = kinderen
    files.append(
        {
            "bron_id": "demo-kinderen",
            "formaat": "demo-kinderen",
            "titel": "Demoregio: basisschoolleerlingen naar woon-PC4 en leeftijd",
            "peildatum": date(d.LAST_YEAR, 10, 1),
            "rijen": len(kinderen),
        }
    )

    tables["bevolking_pc4"] = _population(births, pc4)
    files.append(
        {
            "bron_id": "demo-bevolking",
            "formaat": "demo-bevolking",
            "titel": "Demoregio: bevolking 0-19 jaar naar PC4 en leeftijdsklasse",
            "peildatum": date(d.LAST_YEAR, 1, 1),
            "rijen": len(tables["bevolking_pc4"]),
        }
    )

    tick(2)
    ves = _vestigingen_frame()
    tables["vestigingen_bron"] = _bron(ves, "demo-adressen", date(d.LAST_YEAR, 12, 1))
    files.append(
        {
            "bron_id": "demo-adressen",
            "formaat": "demo-adressen",
            "titel": "Demoregio: vestigingen met adres en besturen",
            "peildatum": date(d.LAST_YEAR, 12, 1),
            "rijen": len(ves),
        }
    )
    cohorts = _simulate_cohorts(rng, pc4, births, ves)

    tick(3)
    parts = []
    for year, counts in cohorts.items():
        frame = pd.DataFrame(_pupil_rows(rng, year, counts))
        frame["aantal"] = frame["aantal"].astype("Int64")
        parts.append(_bron(frame, f"demo-leerlingen-{year}", date(year, 10, 1)))
        files.append(
            {
                "bron_id": f"demo-leerlingen-{year}",
                "formaat": "demo-leerlingen",
                "peildatum": date(year, 10, 1),
                "titel": f"Demoregio: leerlingen vo per vestiging naar onderwijstype, {year}",
                "rijen": len(frame),
                "leerlingen": int(frame["aantal"].sum()),
            }
        )
    tables["leerlingen"] = pd.concat(parts, ignore_index=True)
    bestanden = pd.DataFrame(files)
    bestanden["bestandsnaam"] = f"(synthetisch, zaad {seed})"
    bestanden["sha256"] = ""
    bestanden["peildatum"] = pd.to_datetime(bestanden["peildatum"])
    tables["bestanden"] = bestanden
    tick(4)
    return tables


def build_demo_workspace(workspace: Workspace, seed: int = 2024, progress: ProgressFn | None = None) -> Workspace:
    """Build the demo region into ``workspace`` (replacing what was there) and return it."""
    tables, derived = derive(demo_tables(seed, progress))
    workspace.replace(tables, meta={"afgeleid": sorted(derived), "demo": {"zaad": seed, "regio": d.REGION_NAME}})
    return workspace
