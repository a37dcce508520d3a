"""Issue 23, the short fuzz run: mutated real and synthetic files, scenario YAML and --regio
expressions must end in a result or in one of dekkend's own errors, never another exception
(``make fuzz`` runs longer).
"""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vo_fixtures import OLD_HEADER, OLD_ROWS

from dekkend.errors import DekkendError, InvoerFout

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("dekkend_fuzz", ROOT / "bench" / "fuzz.py")
fuzz = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = fuzz
spec.loader.exec_module(fuzz)

SYNTHETIC = [("leerlingen-2019.csv", ("\n".join([OLD_HEADER, *OLD_ROWS]) + "\n").encode("latin-1"))]
OPS = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 10**6), st.integers(0, 10**6)), max_size=5)
SHORT = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _only_own_errors(fn) -> None:
    try:
        fn()
    except DekkendError:
        pass


@pytest.fixture(scope="module")
def seeds(shared_data):
    return fuzz.text_seeds(shared_data)


@pytest.fixture(scope="module")
def region_tables(tmp_path_factory):
    return fuzz.demo_tables(tmp_path_factory.mktemp("fuzz"))


@SHORT
@given(seed=st.sampled_from(SYNTHETIC), ops=OPS, gz=st.booleans())
def test_mutated_synthetic_file(tmp_path_factory, seed, ops, gz):
    data = fuzz.mutate(seed[1], ops)
    folder = tmp_path_factory.mktemp("f")
    _only_own_errors(
        lambda: fuzz.check_file(seed[0] + (".gz" if gz else ""), gzip.compress(data) if gz else data, folder)
    )


def test_mutated_real_files(seeds, tmp_path):
    @SHORT
    @given(index=st.integers(0, len(seeds) - 1), ops=OPS)
    def one(index, ops):
        name, seed = seeds[index]
        _only_own_errors(lambda: fuzz.check_file(name, fuzz.mutate(seed, ops), tmp_path))

    assert len(seeds) >= 10
    one()


@SHORT
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.builds(
            lambda cut, extra: fuzz.SCENARIO_SEED[:cut] + extra,
            st.integers(0, len(fuzz.SCENARIO_SEED)),
            st.text(max_size=60),
        ),
    )
)
def test_scenario_yaml(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("s")
    _only_own_errors(lambda: fuzz.check_scenario(text, folder))


def test_region_syntax(region_tables):
    @SHORT
    @given(
        expression=st.one_of(
            st.sampled_from(fuzz.REGION_SEEDS),
            st.text(max_size=40),
            st.builds(lambda a, b: a + b, st.sampled_from(fuzz.REGION_SEEDS), st.text(max_size=15)),
        )
    )
    def one(expression):
        _only_own_errors(lambda: fuzz.check_region(expression, region_tables))

    one()


def test_found_by_atheris_bom_then_invalid_utf8(tmp_path):
    """A UTF-8 BOM followed by bytes that are not UTF-8 was a UnicodeDecodeError traceback."""
    data = b"\xef\xbb\xbf" + (OLD_HEADER + "\n" + OLD_ROWS[0] + "\n").encode("latin-1")
    with pytest.raises(InvoerFout, match="UTF-8-kenmerk"):
        fuzz.check_file("leerlingen-2019.csv", data, tmp_path)
