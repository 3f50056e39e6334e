"""Close-the-loop statistics against hand-worked values (Wilson score interval: Wilson 1927; Newcombe 1998,
Statistics in Medicine 17:857, Table I, method 3)."""
from __future__ import annotations

import math

import pytest

from analysis.follow_up import case_stats, pooled_share


def test_share_interval_and_median_by_hand():
    # 3 of 4 closed cases in time; hours 2, 10, 30, 60 -> median (10 + 30) / 2 = 20.
    # Wilson 95%, p = .75, n = 4, z = 1.959964: denominator 1 + z^2/4 = 1.960365,
    # centre (0.75 + z^2/8) / 1.960365 = 0.627527, half z * sqrt(0.046875 + z^2/64) / 1.960365 = 0.326885
    # -> 30.06% to 95.44%.
    s = case_stats(5, [30, 2, 60, 10], [True, True, False, True])
    assert (s.opened, s.closed, s.closed_in_time) == (5, 4, 3)
    assert s.in_time_share == pytest.approx(75.0)
    assert s.median_hours == pytest.approx(20.0)
    assert s.low == pytest.approx(30.06, abs=0.01) and s.high == pytest.approx(95.44, abs=0.01)


def test_newcombe_table_one_example():
    # Newcombe (1998) Table I: 81/263, Wilson 95% interval 0.2553 to 0.3662.
    s = case_stats(263, [1.0] * 263, [True] * 81 + [False] * 182)
    assert s.low / 100 == pytest.approx(0.2553, abs=1e-4) and s.high / 100 == pytest.approx(0.3662, abs=1e-4)


def test_nothing_closed_gives_no_share_and_an_odd_count_its_middle_value():
    empty = case_stats(3, [], [])
    assert empty.closed == 0 and math.isnan(empty.in_time_share) and math.isnan(empty.median_hours)
    assert case_stats(3, [5, 1, 9], [True, True, True]).median_hours == 5
    with pytest.raises(ValueError):
        case_stats(1, [1.0], [])


def test_pooled_share_adds_the_counts():
    a = case_stats(4, [1, 2], [True, False])
    b = case_stats(2, [3], [True])
    p = pooled_share([a, b])
    assert (p.opened, p.closed, p.closed_in_time) == (6, 3, 2) and math.isnan(p.median_hours)
    assert p.low == pytest.approx(20.77, abs=0.01) and p.high == pytest.approx(93.85, abs=0.01)


def test_open_cases_past_due_count_as_not_in_time():
    # A team that closed 2 cases in time and left 2 open past due: 2 of 4 (50%), not 100%. Wilson 95% for 2 of 4:
    # centre (0.5 + z^2/8) / (1 + z^2/4) = 0.5, half z * sqrt(1/16 + z^2/64) / (1 + z^2/4) = 0.35 -> 15% to 85%.
    # The median is over the two closed cases only: (2 + 10) / 2 = 6.
    s = case_stats(5, [2, 10], [True, True], overdue_open=2)
    assert (s.closed, s.closed_in_time, s.overdue_open, s.judged) == (2, 2, 2, 4)
    assert s.in_time_share == pytest.approx(50.0) and s.median_hours == pytest.approx(6.0)
    assert s.low == pytest.approx(15.00, abs=0.01) and s.high == pytest.approx(85.00, abs=0.01)
    never = case_stats(3, [], [], overdue_open=3)  # nothing closed, all late: 0%, no median
    assert never.in_time_share == 0.0 and math.isnan(never.median_hours)
    pooled = pooled_share([s, never])
    assert (pooled.closed_in_time, pooled.overdue_open) == (2, 5) and pooled.in_time_share == pytest.approx(200 / 7)
