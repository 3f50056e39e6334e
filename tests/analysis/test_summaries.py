"""Scores from sums (analysis.summaries) against hand-worked values."""
import math

import pytest

from analysis import summaries
from analysis.summaries import Sums


def test_share_is_the_wilson_interval():
    # Hand-worked Wilson interval (Newcombe 1998, method 3): p = 0.8, n = 50, z = 1.96
    # centre = (0.8 + z²/100) / (1 + z²/50) = 0.778594; half = z·√(0.0032 + z²/10000) / 1.076832 = 0.108969
    est = summaries.share(40, 50)
    assert est.value == pytest.approx(80.0)
    assert est.ci_low == pytest.approx(66.9625, abs=1e-3)
    assert est.ci_high == pytest.approx(88.7563, abs=1e-3)
    assert est.n == 50


def test_net_score_uses_the_multinomial_margin():
    # 5 promoters, 3 passives, 2 detractors of 10: NPS 30, SE = 100·√((0.5 + 0.2 − 0.3²)/10) = 24.698
    est = summaries.estimate(Sums("net", 10, 5 - 2, 5 + 2, 100.0))
    assert est.value == pytest.approx(30.0)
    half = 1.959964 * 100 * math.sqrt((0.5 + 0.2 - 0.09) / 10)
    assert est.ci_low == pytest.approx(30 - half, abs=1e-3)
    assert est.ci_high == pytest.approx(30 + half, abs=1e-3)


def test_mean_uses_the_t_interval():
    # 1..5: mean 3, sd 1.5811, t(0.975, 4) = 2.776445 -> half-width 1.9632
    values = [1, 2, 3, 4, 5]
    est = summaries.estimate(Sums("mean", 5, sum(values), sum(v * v for v in values)))
    assert est.value == pytest.approx(3.0)
    assert (est.ci_low, est.ci_high) == pytest.approx((1.0368, 4.9632), abs=1e-4)
    assert est.sd == pytest.approx(1.58114, abs=1e-5)


def test_empty_group_is_nan():
    est = summaries.estimate(Sums("mean", 0, 0, 0))
    assert math.isnan(est.value) and est.n == 0


def test_sums_add_and_subtract_and_refuse_mixing():
    a, b = Sums("mean", 3, 6, 14), Sums("mean", 2, 9, 41)
    assert (a + b) - b == a
    with pytest.raises(ValueError):
        a + Sums("share", 1, 1, 0, 100.0)
    with pytest.raises(ValueError):
        Sums("median", 1, 1)


def test_difference_of_shares_is_newcombe():
    # Newcombe (1998) Table II example (e): 56/70 vs 48/80 -> difference 0.2, interval 0.0524 to 0.3339
    res = summaries.difference(Sums("share", 70, 56, 0, 100.0), Sums("share", 80, 48, 0, 100.0))
    assert res.change == pytest.approx(20.0)
    assert (res.ci_low, res.ci_high) == pytest.approx((5.24, 33.39), abs=0.01)
    assert res.significant


def test_difference_of_means_is_welch():
    # Welch: group 2,4,6 (mean 4, var 4) minus reference 1,2,3 (mean 2, var 1): d = 2, se = √(4/3 + 1/3),
    # df = (5/3)² / ((4/3)²/2 + (1/3)²/2) = 2.9412, t(0.975, 2.9412) = 3.2188 -> 2 ± 4.1554
    g, r = [2, 4, 6], [1, 2, 3]
    res = summaries.difference(Sums("mean", 3, sum(g), sum(v * v for v in g)),
                               Sums("mean", 3, sum(r), sum(v * v for v in r)))
    assert res.change == pytest.approx(2.0)
    assert res.ci_high - res.change == pytest.approx(4.1554, abs=1e-3)
    assert not res.significant


def test_p_value_from_a_symmetric_interval():
    res = summaries.difference(Sums("net", 400, 120, 200, 100.0), Sums("net", 400, 40, 200, 100.0))
    assert res.significant
    assert summaries.p_value(res) < 0.05


def test_a_bounded_mean_keeps_its_interval_inside_the_scale():
    # 0, 0, 100 on a 0-100 index: mean 33.3, t interval -110 to 177 before the cut
    est = summaries.estimate(Sums("mean", 3, 100, 10_000, 1.0, (0.0, 100.0)))
    assert (est.ci_low, est.ci_high) == (0.0, 100.0)
    assert (Sums("mean", 1, 1, 1, 1.0, (1, 7)) + Sums("mean", 1, 2, 4, 1.0, (1, 7))).bounds == (1, 7)
