"""Two Poisson counts as a rate ratio, against hand-worked values (conditional binomial, Clopper-Pearson interval)."""
from __future__ import annotations

import math

import pytest

from analysis.count_change import count_change


def test_twenty_against_ten_over_equal_periods():
    # p = 20/30; Clopper-Pearson 95% for 20 of 30: 0.47188 to 0.82713 (beta quantiles), so the ratio p/(1-p)
    # runs from 0.47188/0.52812 = 0.8935 to 0.82713/0.17287 = 4.7846: a doubling, but not a significant one.
    res = count_change(20, 10)
    assert res.ratio == pytest.approx(2.0)
    assert (res.ci_low, res.ci_high) == (pytest.approx(0.89351, abs=1e-4), pytest.approx(4.78455, abs=1e-4))
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


@pytest.mark.parametrize(("current", "p_value"), [(4, 0.125), (5, 0.0625)])
def test_a_few_new_events_against_none_are_not_a_significant_rise(current, p_value):
    # All n events in the current period: Clopper-Pearson's lower bound is 0.025^(1/n) (0.3976 for 4, 0.4782 for
    # 5), a ratio of 0.660 / 0.916 < 1, as the exact two-sided binomial test agrees (p = 2 * 0.5^n).
    from scipy.stats import binomtest

    res = count_change(current, 0, 7, 7)
    assert binomtest(current, current).pvalue == pytest.approx(p_value)
    low_p = 0.025 ** (1 / current)
    assert res.ci_low == pytest.approx(low_p / (1 - low_p)) and res.ci_high == math.inf
    assert not res.significant


def test_six_against_none_and_forty_against_ten_are_significant():
    # 6 of 6: lower bound 0.025^(1/6) = 0.54074, ratio 1.1774 > 1 (exact test p = 0.03125).
    assert count_change(6, 0, 7, 7).ci_low == pytest.approx(1.17742, abs=1e-4)
    assert count_change(6, 0, 7, 7).significant
    # 40 of 50: scipy's exact interval 0.66282 to 0.89970 -> ratio 1.9657 to 8.9699 (p = 2.4e-5).
    res = count_change(40, 10)
    assert (res.ci_low, res.ci_high) == (pytest.approx(1.96575, abs=1e-4), pytest.approx(8.96987, abs=1e-4))
    assert res.significant
