"""Scores: favourability, NPS, CSAT, CES, reverse scoring, dimension scores.

Definitions: the README's "Statistical definitions" (Reichheld, 2003, for NPS categories).
Expected values are worked by hand in each test.
"""
import math
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.scoring import ces, csat, dimension_scores, favorability, nps, process_gap, reverse_score


def test_favorability_five_point_hand_worked():
    # Answers 1,2,3,4,5,5 (None and NaN are unanswered): favourable 4,5,5 = 3/6,
    # neutral 3 = 1/6, unfavourable 1,2 = 2/6, mean 20/6.
    res = favorability([1, 2, 3, 4, 5, 5, None, float("nan")], 5)
    assert res.n == 6
    assert res.favorable == pytest.approx(50.0)
    assert res.neutral == pytest.approx(100 / 6)
    assert res.unfavorable == pytest.approx(200 / 6)
    assert res.mean == pytest.approx(20 / 6)
    assert res.favorable + res.neutral + res.unfavorable == pytest.approx(100.0)


def test_favorability_seven_point_neutral_is_three_to_five():
    res = favorability([1, 2, 3, 4, 5, 6, 7], 7)
    assert res.favorable == pytest.approx(200 / 7)  # 6, 7
    assert res.unfavorable == pytest.approx(200 / 7)  # 1, 2
    assert res.neutral == pytest.approx(300 / 7)  # 3, 4, 5


def test_favorability_custom_set_mirrors_unfavourable():
    res = favorability([1, 2, 4, 5], 5, favorable=[5])
    assert res.favorable == 25.0 and res.unfavorable == 25.0 and res.neutral == 50.0


def test_favorability_empty_and_invalid():
    res = favorability([None, np.nan], 5)
    assert res.n == 0 and math.isnan(res.favorable) and math.isnan(res.mean)
    with pytest.raises(ValueError):
        favorability([6], 5)
    with pytest.raises(ValueError):
        favorability([1, 2], 3)
    assert asdict(res)["n"] == 0


def test_nps_ten_answers_margin_near_fifty():
    # 4 promoters (10, 9, 9, 10), 2 passives (8, 7), 4 detractors (6, 5, 0, 3):
    # score 40 - 40 = 0; se = 100 sqrt((0.4 + 0.4 - 0^2)/10) = 28.28; 1.96 * se = 55.4.
    res = nps([10, 9, 9, 8, 7, 6, 5, 0, 10, 3])
    assert res.score == pytest.approx(0.0)
    assert (res.promoters, res.passives, res.detractors, res.n) == (40.0, 20.0, 40.0, 10)
    half = 1.959964 * 100 * math.sqrt(0.08)
    assert res.ci_low == pytest.approx(-half, rel=1e-5)
    assert res.ci_high == pytest.approx(half, rel=1e-5)


def test_nps_interval_clipped_and_level_is_an_argument():
    # 9 promoters, 1 detractor: score 80, se = 100 sqrt((1.0 - 0.64)/10) = 18.97; 80 + 37.2 > 100.
    res = nps([10] * 9 + [0])
    assert res.score == pytest.approx(80.0)
    assert res.ci_high == 100.0
    assert res.ci_low == pytest.approx(80 - 1.959964 * 100 * math.sqrt(0.036), rel=1e-5)
    narrow = nps([10] * 9 + [0], confidence=0.80)
    assert narrow.ci_low > res.ci_low


def test_nps_edge_cases():
    with pytest.raises(ValueError):
        nps([11])
    with pytest.raises(ValueError):
        nps([-1, 5])
    empty = nps([])
    assert empty.n == 0 and math.isnan(empty.score)
    all_promoters = nps([9, 10, 10])
    assert all_promoters.score == 100.0 and all_promoters.ci_low == 100.0


def test_csat_wilson_interval_hand_worked():
    # 8 of 10 in the top two boxes. Wilson (z = 1.959964): centre (0.8 + z^2/20)/(1 + z^2/10)
    # = 0.71674, half-width z sqrt(0.016 + z^2/400)/(1 + z^2/10) = 0.22657 -> 49.02 to 94.33.
    res = csat([5, 5, 4, 4, 4, 5, 4, 4, 3, 1])
    assert res.score == pytest.approx(80.0)
    assert res.ci_low == pytest.approx(49.016, abs=0.01)
    assert res.ci_high == pytest.approx(94.331, abs=0.01)
    # Independent implementation: statsmodels' Wilson interval.
    lo, hi = proportion_confint(8, 10, alpha=0.05, method="wilson")
    assert (res.ci_low, res.ci_high) == pytest.approx((100 * lo, 100 * hi))


def test_csat_empty_and_out_of_range():
    assert math.isnan(csat([None]).score)
    with pytest.raises(ValueError):
        csat([0, 5])


def test_ces_t_interval_hand_worked():
    # 7, 6, 5, 4, 7: mean 5.8, s^2 = 6.8/4 = 1.7, t(0.975, 4) = 2.776445,
    # half = 2.776445 * sqrt(1.7 / 5) = 1.6189; agree (5-7) = 4/5.
    res = ces([7, 6, 5, 4, 7])
    assert res.mean == pytest.approx(5.8)
    assert res.ci_low == pytest.approx(5.8 - 1.61893, abs=1e-4)
    assert res.ci_high == pytest.approx(5.8 + 1.61893, abs=1e-4)
    assert res.agree == pytest.approx(80.0)


def test_ces_small_and_constant():
    one = ces([6])
    assert one.n == 1 and math.isnan(one.ci_low)
    same = ces([5, 5, 5])
    assert same.ci_low == same.ci_high == 5.0


def test_reverse_score_and_process_gap():
    assert list(reverse_score([1, 5, None], 5)[:2]) == [5.0, 1.0]
    assert math.isnan(reverse_score([1, 5, None], 5)[2])
    s = reverse_score(pd.Series([1, 7], index=["a", "b"]), 7)
    assert list(s.index) == ["a", "b"] and list(s) == [7.0, 1.0]
    assert process_gap(70.0) == 10.0
    assert process_gap(85.0) == 0.0
    assert process_gap(50.0, target=60) == 10.0
    assert math.isnan(process_gap(float("nan")))
    assert list(process_gap(np.array([90.0, 75.0]))) == [0.0, 5.0]


def _survey():
    answers = pd.DataFrame({
        "team": ["a", "a", "b", "b"],
        "e1": [5, 4, 2, np.nan],
        "e2": [1, 2, 5, np.nan],      # reverse-keyed: 1 -> 5, 2 -> 4, 5 -> 1
        "p1": [3, 5, 4, 4],
    })
    questions = [
        {"code": "e1", "dimension": "engagement", "reverse_keyed": False, "scale_points": 5},
        {"code": "e2", "dimension": "engagement", "reverse_keyed": True, "scale_points": 5},
        {"code": "p1", "dimension": "process", "reverse_keyed": False, "scale_points": 5},
    ]
    return answers, questions


def test_dimension_scores_per_respondent_then_unit():
    answers, questions = _survey()
    res = dimension_scores(answers, questions, unit="team")
    # Respondent engagement: r0 (5, rev 1 -> 5) 100; r1 (4, rev 2 -> 4) 100;
    # r2 (2, rev 5 -> 1) 0; r3 unanswered -> NaN.
    eng = res.respondents["engagement"].tolist()
    assert eng[:3] == [100.0, 100.0, 0.0] and math.isnan(eng[3])
    units = res.units.set_index(["unit", "dimension"])
    assert units.loc[("a", "engagement"), "score"] == 100.0
    assert units.loc[("b", "engagement"), "score"] == 0.0
    assert units.loc[("b", "engagement"), "n"] == 1
    assert units.loc[("a", "process"), "score"] == 50.0  # 3 -> 0, 5 -> 100
    assert units.loc[("b", "process"), "n"] == 2
    assert list(res.units.columns) == ["unit", "dimension", "score", "n"]
    assert set(res.engagement()["unit"]) == {"a", "b"}


def test_dimension_scores_without_unit_and_partial_answers():
    answers, questions = _survey()
    answers.loc[0, "e2"] = np.nan  # r0 answered one engagement item: 1 of 1 favourable
    res = dimension_scores(answers.drop(columns="team"), pd.DataFrame(questions))
    assert res.respondents.loc[0, "engagement"] == 100.0
    eng = res.units[res.units["dimension"] == "engagement"].iloc[0]
    assert eng["unit"] is None and eng["n"] == 3
    assert eng["score"] == pytest.approx((100 + 100 + 0) / 3)


def test_dimension_scores_errors():
    answers, questions = _survey()
    with pytest.raises(ValueError):
        dimension_scores(answers.drop(columns="e1"), questions)
    with pytest.raises(ValueError):
        dimension_scores(answers, [{"code": "e1", "dimension": "engagement"}])  # no scale
    res = dimension_scores(answers, [{"code": "e1", "dimension": "engagement"}], scale_points=5)
    assert res.respondents["engagement"].iloc[0] == 100.0
