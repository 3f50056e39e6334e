"""Focus ranking (gap × leverage) against a hand-worked example.

Hand-worked: driver weights (parts of engagement's R²) culture .05, people .10, process .20, technology .15;
linked pairs process→CSAT lag 1 r = .42 and process→NPS lag 0 r = .30 (the larger counts), people→CSAT
r = .50 is not linked (ignored), culture→CES r = -.35 is linked but negative (ignored).
Leverage: process .20 + .42 = .62, people .10, culture .05, technology .15.
Gaps: process 14 (6 to 22), people 20 (2 to 38), culture 5 (-3 to 13), technology -4 (not a shortfall),
and a gap without an interval (left out).
Scores: process 14 × .62 = 8.68, people 20 × .10 = 2.00, culture 5 × .05 = 0.25.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.focus import Leverage, focus_sentence, leverage_table, rank_focus

WEIGHTS = {"culture": 0.05, "people": 0.10, "process": 0.20, "technology": 0.15}
LINKS = pd.DataFrame([("process", "csat", 1, 0.42, True), ("process", "nps", 0, 0.30, True),
                      ("people", "csat", 0, 0.50, False), ("culture", "ces", 1, -0.35, True)],
                     columns=["ex_metric", "cx_metric", "lag", "r", "linked"])
GAPS = pd.DataFrame([("process", "Process", 14.0, 6.0, 22.0, "organisation"),
                     ("people", "People", 20.0, 2.0, 38.0, "organisation"),
                     ("culture", "Culture", 5.0, -3.0, 13.0, "organisation"),
                     ("technology", "Technology", -4.0, -12.0, 4.0, "organisation"),
                     ("engagement", "Engagement", 30.0, math.nan, math.nan, "organisation")],
                    columns=["metric", "label", "gap", "gap_low", "gap_high", "against"])


def test_leverage_is_the_driver_weight_plus_the_strongest_positive_linked_r():
    lev = leverage_table(WEIGHTS, LINKS, list(WEIGHTS))
    assert lev["process"].value == pytest.approx(0.62)
    assert (lev["process"].link_outcome, lev["process"].link_lag) == ("csat", 1)
    assert lev["people"].value == pytest.approx(0.10) and lev["people"].link_outcome is None
    assert lev["culture"].value == pytest.approx(0.05) and lev["culture"].link_outcome is None
    assert lev["technology"].value == pytest.approx(0.15)


def test_ranking_matches_the_hand_worked_scores():
    areas = rank_focus(GAPS, leverage_table(WEIGHTS, LINKS, list(WEIGHTS)), top=None)
    assert [a.metric for a in areas] == ["process", "people", "culture"]
    assert [a.score for a in areas] == pytest.approx([8.68, 2.00, 0.25])
    assert rank_focus(GAPS, leverage_table(WEIGHTS, LINKS, list(WEIGHTS)), top=2)[1].metric == "people"


def test_the_sentence_gives_the_numbers():
    top = rank_focus(GAPS, leverage_table(WEIGHTS, LINKS, list(WEIGHTS)))[0]
    assert top.sentence == ("Process is 14 points below the organisation (interval 6 to 22); across teams, it "
                            "accounts for 20% of the differences in engagement and goes with CSAT one wave later, "
                            "r = 0.42.")
    only_link = Leverage("process", math.nan, 0.42, "csat", 1)
    assert focus_sentence("Process", 14, 6, 22, "organisation", only_link) == (
        "Process is 14 points below the organisation (interval 6 to 22); across teams, process goes with CSAT "
        "one wave later, r = 0.42.")


def test_without_leverage_the_larger_gap_comes_first_and_a_goal_gap_says_so():
    gaps = GAPS.assign(against=["goal", "organisation", "organisation", "organisation", "organisation"])
    areas = rank_focus(gaps, {}, top=None)
    assert [a.metric for a in areas] == ["people", "process", "culture"]
    assert all(a.score == 0 for a in areas)
    assert areas[1].sentence.startswith("Process is 14 points below its goal (interval 6 to 22)")
    assert areas[2].sentence.startswith("Culture is 5 points below the organisation (interval -3 to 13, so it may "
                                        "be chance)")


def test_missing_columns_are_refused():
    with pytest.raises(ValueError, match="gap_low"):
        rank_focus(GAPS.drop(columns=["gap_low"]), {})


def test_a_measured_but_negligible_leverage_says_so():
    small = Leverage("culture", 0.004, math.nan, None, None)
    assert focus_sentence("Culture", 3, 1, 5, "organisation", small) == (
        "Culture is 3 points below the organisation (interval 1 to 5); across teams it accounts for less than 1% "
        "of the differences in engagement and is linked to no customer outcome, so it ranks low.")
