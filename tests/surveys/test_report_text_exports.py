"""The CSV and JSON of a report are the bytes the plain writers gave: `to_json` (flat figures through json's C
encoder) is json.dumps(indent=2) of `as_json()`; `safe_row`'s fast cells are escape_cell's answers;
`Report.rows` and `columns` as one dict per figure per column gave them."""
from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

from surveys.exports.csvsafe import escape_cell, safe_row
from surveys.exports.reports import to_json
from surveys.insights.figures import EXPORT_COLUMNS, Figure, Report


def _report(figures, **kw) -> Report:
    return Report("heatmap", "Heat <map> \u00e9", {"unit": None, "wave": "W\u20ac1"}, tuple(figures),
                  notes=("Fewer than 5 \u2014 hidden", 'a "quote"'), threshold=5, **kw)


FIGURES = [
    Figure("ORG", "Organisation", "engagement", 62.3, 1200, 60.1, 64.0, False, "W1",
           (("change", None), ("q_value", None), ("flagged", None))),
    Figure("A\u00e9", 'Team "A" <b>', "enps", -12.5, 30, -40.0, 15.0, False, "W1",
           (("change", -3.25), ("q_value", 0.0413), ("flagged", True))),
    Figure("B", "Team B", "ces", None, None, None, None, True, "W1",
           (("change", None), ("q_value", None), ("flagged", None))),
    Figure("C", "Team C", "csat", float("nan"), 7, float("inf"), -0.0, False, None,
           (("change", np.float64(1.5)), ("q_value", np.int64(1)), ("flagged", np.bool_(False)))),
    Figure("D", "Team D", "nps", 1e-17, 10**18, 5e300, 123456789.125, False, "W1", (("extra_only_here", 1),)),
]


def _plain(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2, default=str, allow_nan=False)


@pytest.mark.parametrize("figures", [FIGURES, FIGURES[:1], [], [FIGURES[2]] * 3])
def test_to_json_is_json_dumps_indent_2(figures):
    report = _report(figures)
    assert to_json(report) == _plain(report)


def test_to_json_falls_back_for_nested_and_unusual_values():
    nested = Figure("E", "E", "m", 1.0, 5, extra=(("parts", [1, 2]), ("when", {"a": dt.date(2026, 1, 1)})))
    odd = Figure("F", "F", "m", 1.0, 5, extra=(("when", dt.date(2026, 1, 2)),))
    for figures in ([nested], [FIGURES[0], odd]):
        report = _report(figures)
        assert to_json(report) == _plain(report)


def test_rows_and_columns_as_one_dict_per_cell_gave_them():
    report = _report(FIGURES)
    extras: dict = {}
    for f in FIGURES:
        for name, _v in f.extra:
            extras.setdefault(name, None)
    columns = EXPORT_COLUMNS + tuple(extras)
    assert report.columns() == columns
    assert report.rows() == [[f.as_dict().get(c) for c in columns] for f in FIGURES]


def test_safe_row_is_escape_cell_cell_by_cell():
    row = [None, 0, -3, 2.5, -0.0, math.nan, math.inf, -math.inf, True, False, np.float64(1.5), np.float64("nan"),
           np.int64(4), "=1+1", "-0.42", "", "plain", dt.date(2026, 1, 1), 10**20]
    got, want = safe_row(row), [escape_cell(v) for v in row]
    assert [(type(g), repr(g)) for g in got] == [(type(w), repr(w)) for w in want]
