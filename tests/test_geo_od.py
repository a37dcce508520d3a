"""The pluggable origin-destination file ``pc4,vestigingscode,km,minuten``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dekkend.errors import InvoerFout
from dekkend.geo import apply_od, estimate_matrix, read_od_file


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def _matrix():
    o = pd.DataFrame({"pc4": ["1000", "1001"], "x_rd": [0.0, 1000.0], "y_rd": [0.0, 0.0]})
    d = pd.DataFrame({"vestigingscode": ["00AA00", "00BB01"], "x_rd": [0.0, 5000.0], "y_rd": [2000.0, 0.0]})
    return estimate_matrix(o, d)


def test_read_and_apply_replaces_only_the_pairs_given(tmp_path):
    path = _write(
        tmp_path / "od.csv",
        "pc4;vestigingscode;km;minuten\n1000;00aa00;7,5;31\n1001;00BB01;4.0;15\n9999;00AA00;1;1\n1000;99ZZ99;1;1\n",
    )
    od = read_od_file(path)
    assert list(od.columns) == ["pc4", "vestigingscode", "km", "minuten"] and od["vestigingscode"].iloc[0] == "00AA00"
    m = _matrix()
    new, report = apply_od(m, od, path)
    assert new.km[0, 0] == pytest.approx(7.5) and new.minutes[0, 0] == pytest.approx(31.0)
    assert new.km[1, 1] == pytest.approx(4.0)
    assert new.km[0, 1] == m.km[0, 1] and new.km[1, 0] == m.km[1, 0]
    assert (
        report.rows,
        report.used,
        report.unknown_pc4,
        report.unknown_vestigingen,
        report.estimated_pairs,
    ) == (4, 2, 1, 1, 2)
    assert "2 van 4 paren" in report.summary() and "od.csv" in new.source
    assert np.shares_memory(m.km, new.km) is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pc4,vestiging,km,minuten\n1000,00AA00,1,1\n", "kopregel"),
        ("pc4,vestigingscode,km,minuten\n1000,00AA00,1,1\n100,00AA00,1,1\n", "regel 3"),
        ("pc4,vestigingscode,km,minuten\n1000,00AA00,-1,1\n", "negatief"),
        ("pc4,vestigingscode,km,minuten\n1000,00AA00,x,1\n", "geen getal"),
        ("pc4,vestigingscode,km,minuten\n1000,AA,1,1\n", "geen vestigingscode"),
        ("pc4,vestigingscode,km,minuten\n1000,00AA00,1,1\n1000,00AA00,2,2\n", "dubbel"),
    ],
)
def test_bad_files_name_line_and_column_in_dutch(tmp_path, text, message):
    with pytest.raises(InvoerFout, match=message):
        read_od_file(_write(tmp_path / "od.csv", text))
