"""Unit table and ICC from summaries (hand-worked examples; equality with agreement.icc on raw data)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.agreement import icc
from analysis.units import build_units, icc_from_summary


def test_icc_from_summary_hand_worked():
    # Groups {1,2,3} and {4,5,6}: means 2 and 5, grand mean 3.5.
    # SSB = 3(1.5^2) + 3(1.5^2) = 13.5 (df 1); SSW = 2 + 2 = 4 (df 4) -> MSB 13.5, MSW 1, k0 = 3.
    # ICC1 = (13.5 - 1) / (13.5 + 2 * 1) = 0.806452; ICC2 = 12.5 / 13.5 = 0.925926; F = 13.5.
    res = icc_from_summary([3, 3], [2.0, 5.0], [1 + 4 + 9, 16 + 25 + 36])
    assert res.icc1 == pytest.approx(12.5 / 15.5)
    assert res.icc2 == pytest.approx(12.5 / 13.5)
    assert res.f_statistic == pytest.approx(13.5) and res.group_size == pytest.approx(3.0)


def test_icc_from_summary_equals_raw_icc_with_unequal_groups():
    rng = np.random.default_rng(3)
    sizes = rng.integers(3, 12, size=25)
    groups = np.repeat(np.arange(25), sizes)
    values = rng.normal(size=25)[groups] + rng.normal(size=groups.size)
    frame = pd.DataFrame({"g": groups, "v": values})
    summary = frame.groupby("g")["v"].agg(n="count", mean="mean", sumsq=lambda v: float((v ** 2).sum()))
    raw = icc(values, groups)
    fast = icc_from_summary(summary["n"], summary["mean"], summary["sumsq"])
    for field in ("icc1", "icc2", "f_statistic", "p_value", "group_size"):
        assert getattr(fast, field) == pytest.approx(getattr(raw, field), rel=1e-9)


def test_icc_from_summary_single_group_is_nan():
    res = icc_from_summary([5], [3.0], [50.0])
    assert math.isnan(res.icc2) and res.n_groups == 1 and res.note


def _dims():
    rows = []
    for wave in (0, 1):
        for team, n in ((1, 8), (2, 3), (3, 6)):
            for dim, score in (("engagement", 70.0 + team), ("process", 60.0 + team)):
                rows.append({"wave": wave, "team_id": team, "dimension": dim, "score": score, "n": n,
                             "sumsq": n * score ** 2 + 100.0 * n})
    return pd.DataFrame(rows)


def test_build_units_suppresses_small_cells_and_scores_from_counts():
    enps = pd.DataFrame({"wave": [0], "team_id": [1], "promoters": [4], "detractors": [2], "n": [8]})
    customer = pd.DataFrame({"wave": [0, 0, 0], "team_id": [1, 1, 2], "metric": ["csat", "ces", "csat"],
                             "n": [20, 20, 4], "top2": [15, 0, 4], "promoters": [0, 0, 0],
                             "detractors": [0, 0, 0], "total": [0.0, 110.0, 0.0], "sumsq": [0.0, 650.0, 0.0]})
    table = build_units(_dims(), enps, customer, k=5, process_target=80.0)
    f = table.frame.set_index(["unit", "wave"])
    assert math.isnan(f.loc[(2, 0), "engagement"])  # 3 respondents < 5: hidden
    assert f.loc[(2, 0), "n_engagement"] == 3
    assert f.loc[(1, 0), "engagement"] == 71.0
    assert f.loc[(1, 0), "process_gap"] == pytest.approx(80 - 61)
    assert f.loc[(1, 0), "enps"] == pytest.approx(100 * (4 - 2) / 8)
    assert f.loc[(1, 0), "csat"] == pytest.approx(75.0)  # 15 of 20 in the top two boxes
    assert f.loc[(1, 0), "ces"] == pytest.approx(5.5)
    assert math.isnan(f.loc[(2, 0), "csat"])  # 4 customers < 5: hidden
    assert table.suppressed == 2 * 2 + 1  # two small EX cells per wave, one small CX cell
    assert "process_gap" in table.ex_metrics and table.cx_metrics == ("csat", "ces")


def test_build_units_with_nothing_returns_empty_table():
    empty = build_units(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), k=5)
    assert empty.frame.empty and empty.ex_metrics == ()
