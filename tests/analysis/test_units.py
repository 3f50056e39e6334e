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


def _sums(wave, team, metric, respondents):
    """Sums over respondents as the SQL returns them; each respondent is a list of answer values."""
    def per(values):
        top2 = sum(v >= (5 if metric != "ces" else 6) - 1 for v in values) / len(values) if metric == "csat" \
            else sum(v >= 6 for v in values) / len(values)
        prom = sum(v >= 9 for v in values) / len(values)
        det = sum(v <= 6 for v in values) / len(values)
        return top2, prom, det, sum(values) / len(values)
    rows = [per(v) for v in respondents]
    return {"wave": wave, "team_id": team, "metric": metric, "n": len(rows),
            "top2": sum(r[0] for r in rows), "prom": sum(r[1] for r in rows), "det": sum(r[2] for r in rows),
            "mean": sum(r[3] for r in rows), "mean_sq": sum(r[3] ** 2 for r in rows),
            "top2_sq": sum(r[0] ** 2 for r in rows), "net_sq": sum((r[1] - r[2]) ** 2 for r in rows)}


def test_build_units_suppresses_small_cells_and_scores_from_counts():
    # eNPS of team 1: 4 promoters (9-10), 2 detractors (0-6), 2 passives -> 100 * (4 - 2) / 8 = 25.
    enps = pd.DataFrame([_sums(0, 1, "enps", [[10], [9], [9], [10], [3], [6], [7], [8]])])
    customer = pd.DataFrame([
        _sums(0, 1, "csat", [[5]] * 15 + [[3]] * 5),      # 15 of 20 in the top two boxes -> 75%
        _sums(0, 1, "ces", [[5]] * 10 + [[6]] * 10),      # mean 5.5
        _sums(0, 2, "csat", [[5]] * 4),                   # 4 customers < 5: hidden
    ])
    table = build_units(_dims(), enps, customer, k=5, process_target=80.0)
    f = table.frame.set_index(["unit", "wave"])
    assert math.isnan(f.loc[(2, 0), "engagement"])  # 3 respondents < 5: hidden
    assert f.loc[(2, 0), "n_engagement"] == 3
    assert f.loc[(1, 0), "engagement"] == 71.0
    assert f.loc[(1, 0), "process_gap"] == pytest.approx(80 - 61)
    assert f.loc[(1, 0), "enps"] == pytest.approx(25.0)
    assert f.loc[(1, 0), "csat"] == pytest.approx(75.0)
    assert f.loc[(1, 0), "ces"] == pytest.approx(5.5)
    assert math.isnan(f.loc[(2, 0), "csat"])
    assert table.suppressed == 2 * 2 + 1  # two small EX cells per wave, one small CX cell
    assert "process_gap" in table.ex_metrics and table.cx_metrics == ("csat", "ces")


def test_a_respondent_counts_once_when_an_instrument_has_two_items_of_a_metric():
    # Hand-worked: 6 respondents answer two CSAT items; 3 give (5, 5), 3 give (5, 2).
    # Per respondent top-two share: 1.0 or 0.5 -> team CSAT = 100 * (3 * 1 + 3 * 0.5) / 6 = 75, n = 6.
    customer = pd.DataFrame([_sums(0, 1, "csat", [[5, 5]] * 3 + [[5, 2]] * 3)])
    f = build_units(pd.DataFrame(), pd.DataFrame(), customer, k=5).frame.set_index(["unit", "wave"])
    assert f.loc[(1, 0), "n_csat"] == 6 and f.loc[(1, 0), "csat"] == pytest.approx(75.0)


def test_build_units_with_nothing_returns_empty_table():
    empty = build_units(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), k=5)
    assert empty.frame.empty and empty.ex_metrics == ()
