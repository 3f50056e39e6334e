"""Two Poisson counts as a rate ratio, against hand-worked values (conditional binomial with Wilson's interval)."""
from __future__ import annotations

import math

import pytest

from analysis.count_change import count_change


def test_twenty_against_ten_over_equal_periods():
    # p = 20/30; Wilson 95% for 20 of 30: 0.48780 to 0.80770 (z = 1.95996), so the ratio p/(1-p) runs from
    # 0.48780/0.51220 = 0.9524 to 0.80770/0.19230 = 4.2001: a doubling, but not a significant one.
    res = count_change(20, 10)
    assert res.ratio == pytest.approx(2.0)
    assert (res.ci_low, res.ci_high) == (pytest.approx(0.95236, abs=1e-4), pytest.approx(4.20007, abs=1e-4))
    assert res.difference == 10 and not res.significant


def test_exposure_makes_a_longer_month_no_rise():
    # 31 comments in a 31-day month against 30 in a 30-day month: the same daily rate.
    res = count_change(31, 30, 31, 30)
    assert res.ratio == pytest.approx(1.0)
    assert res.ci_low < 1 < res.ci_high


def test_a_clear_rise_is_significant_and_zero_counts_are_handled():
    assert count_change(40, 10).significant
    none = count_change(0, 0)
    assert math.isnan(none.ratio) and not none.significant
    new = count_change(3, 0)
    assert new.ratio == math.inf and new.ci_high == math.inf and not new.significant
    with pytest.raises(ValueError):
        count_change(-1, 3)
