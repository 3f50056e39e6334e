"""Empirical Bayes shrinkage: hand-worked examples and Efron & Morris's (1975) baseball averages."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.shrinkage import between_variance, shrink


def test_equal_variances_shrink_to_the_mean_by_hand():
    # y = 10, 20, 30, 40, each with v = 25. Mean 25, sum of squares 225+25+25+225 = 500,
    # tau2 = 500/3 - 25 = 141.667, w = 141.667/166.667 = 0.85, shrunk = 25 + 0.85 (y - 25).
    res = shrink([10, 20, 30, 40], [25, 25, 25, 25])
    assert res.tau2 == pytest.approx(500 / 3 - 25)
    assert res.weights == pytest.approx([0.85] * 4)
    assert res.values == pytest.approx([12.25, 20.75, 29.25, 37.75])
    assert res.se == pytest.approx(np.sqrt([0.85 * 25] * 4))


def test_known_centres_and_unequal_variances_by_hand():
    # Three teams against a parent at 50: deviations 10, -10, 25 -> mean square (100+100+625)/3 = 275;
    # mean variance (100+25+400)/3 = 175; tau2 = 100. Weights 100/200, 100/125, 100/500.
    res = shrink([60, 40, 75], [100, 25, 400], centres=[50, 50, 50])
    assert res.tau2 == pytest.approx(100.0)
    assert res.weights == pytest.approx([0.5, 0.8, 0.2])
    # The small team (v = 400) at 75 comes down to 55: it no longer tops the grid by chance.
    assert res.values == pytest.approx([55.0, 42.0, 55.0])
    low, high = res.interval(0.95)
    assert (high - low)[2] == pytest.approx(2 * 1.959964 * np.sqrt(0.2 * 400), rel=1e-6)


def test_efron_morris_1975_baseball_shrinkage_factor():
    # Efron & Morris (1975, JASA 70, table 1; Scientific American 1977): 18 players' averages after 45
    # at bats; grand mean .265, James-Stein factor c = 1 - (k-3) s2 / S = .212, Clemente .400 -> .294.
    # Our method-of-moments weight is 1 - (k-1) s2 / S (tau2 = S/(k-1) - s2), so c = 1 - (k-3)/(k-1) (1-w).
    y = np.array([.400, .378, .356, .333, .311, .311, .289, .267, .244, .244,
                  .222, .222, .222, .222, .222, .200, .178, .156])
    k = y.size
    s2 = y.mean() * (1 - y.mean()) / 45
    res = shrink(y, np.full(k, s2))
    c = 1 - (k - 3) / (k - 1) * (1 - res.weights[0])
    assert y.mean() == pytest.approx(.265, abs=5e-4)
    assert c == pytest.approx(.212, abs=5e-4)
    assert y.mean() + c * (y[0] - y.mean()) == pytest.approx(.294, abs=5e-4)
    assert res.values[0] < y[0] and res.values[-1] > y[-1]  # both ends pulled in


def test_no_spread_means_everyone_takes_the_centre_and_missing_stays_missing():
    res = shrink([50, 52, np.nan], [100, 100, 100], centres=[51, 51, 51])
    assert res.tau2 == 0.0  # mean square 1 < mean variance 100
    assert res.values[:2] == pytest.approx([51, 51]) and np.isnan(res.values[2])
    assert between_variance([1.0], [1.0]) != between_variance([1.0], [1.0])  # NaN: one unit, mean estimated
    assert shrink([70], [10], centres=[50], tau2=10.0).values == pytest.approx([60.0])


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        shrink([1, 2], [1])
    with pytest.raises(ValueError):
        shrink([1, 2], [1, -1])
    with pytest.raises(ValueError):
        shrink([1, 2], [1, 1], tau2=-1)
