"""ICC(1)/ICC(2) (Bliese, 2000) and rwg / rwg(j) (James, Demaree & Wolf, 1984)."""
import math

import numpy as np
import pytest
from scipy import stats

from analysis.agreement import NULL_VARIANCES, SKEWED_NULL_PROPORTIONS_5, icc, null_variance, rwg, rwg_j

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges. Their one-way
# ANOVA gives BMS = 11.24 and WMS = 6.26, ICC(1,1) = .17 and ICC(1,k) = .44,
# which are Bliese's ICC(1) and ICC(2) with targets as groups.
SHROUT_FLEISS = {
    1: [9, 2, 5, 8], 2: [6, 1, 3, 2], 3: [8, 4, 6, 8],
    4: [7, 1, 2, 6], 5: [10, 5, 6, 9], 6: [6, 2, 4, 7],
}


def _long(groups):
    values = [v for vs in groups.values() for v in vs]
    labels = [g for g, vs in groups.items() for _ in vs]
    return values, labels


def test_icc_matches_shrout_fleiss_table():
    res = icc(*_long(SHROUT_FLEISS))
    assert round(res.icc1, 2) == 0.17
    assert round(res.icc2, 2) == 0.44
    assert res.f_statistic == pytest.approx(11.24 / 6.26, abs=0.01)
    assert res.n_groups == 6 and res.group_size == pytest.approx(4.0)
    assert res.p_value == pytest.approx(stats.f.sf(res.f_statistic, 5, 18))


def test_icc_unequal_groups_hand_worked():
    # A = 1,2,3 (mean 2); B = 4,5 (4.5); C = 6,7,8,9 (7.5); grand mean 5, N = 9, J = 3.
    # SSB = 3*9 + 2*0.25 + 4*6.25 = 52.5 -> MSB = 26.25
    # SSW = 2 + 0.5 + 5 = 7.5 -> MSW = 7.5 / 6 = 1.25
    # k0 = (9 - (9 + 4 + 16)/9) / 2 = 26/9
    # ICC1 = 25 / (26.25 + (26/9 - 1) * 1.25) = 0.873786; ICC2 = 25 / 26.25 = 0.952381; F = 21.
    res = icc([1, 2, 3, 4, 5, 6, 7, 8, 9], list("AAABBCCCC"))
    assert res.group_size == pytest.approx(26 / 9)
    assert res.icc1 == pytest.approx(25 / (26.25 + (26 / 9 - 1) * 1.25))
    assert res.icc2 == pytest.approx(25 / 26.25)
    assert res.f_statistic == pytest.approx(21.0)
    # ICC2 is the Spearman-Brown step-up of ICC1 at k0.
    k0 = res.group_size
    assert res.icc2 == pytest.approx(k0 * res.icc1 / (1 + (k0 - 1) * res.icc1))


def test_icc_edge_cases():
    single = icc([1, 2, 3], ["a", "a", "a"])
    assert math.isnan(single.icc1) and single.n_groups == 1 and "two groups" in single.note
    singletons = icc([1, 2, 3], ["a", "b", "c"])
    assert math.isnan(singletons.icc1) and singletons.note
    same = icc([3, 3, 3, 3], ["a", "a", "b", "b"])
    assert math.isnan(same.icc1)
    no_within = icc([1, 1, 2, 2], ["a", "a", "b", "b"])
    assert no_within.icc1 == 1.0 and no_within.p_value == 0.0
    missing = icc([1, None, 3, 4, np.nan, 6], ["a", "a", "a", "b", "b", None])
    assert missing.n_groups == 2
    with pytest.raises(ValueError):
        icc([1, 2], ["a"])
    # Less between-group variance than chance: ICC1 negative, kept as Bliese does.
    assert icc([1, 5, 1, 5], ["a", "a", "b", "b"]).icc1 < 0


def test_null_variances_match_lebreton_senter():
    # The tabled 5-point skewed variances (1.34, 0.90, 0.44) follow from the
    # response proportions in LeBreton & Senter (2008).
    points = np.arange(1, 6)
    for name, tabled in zip(["slight_skew", "moderate_skew", "heavy_skew"], NULL_VARIANCES[5][:3]):
        p = np.array(SKEWED_NULL_PROPORTIONS_5[name])
        var = (p * points ** 2).sum() - (p * points).sum() ** 2
        assert var == pytest.approx(tabled, abs=0.005)
        assert null_variance(5, name) == tabled
    assert null_variance(5) == 2.0 and null_variance(7) == 4.0  # (A^2 - 1) / 12
    assert null_variance(7, "slight_skew") == 2.90
    assert null_variance(5, 1.5) == 1.5
    with pytest.raises(ValueError):
        null_variance(4, "heavy_skew")
    with pytest.raises(ValueError):
        null_variance(5, "bimodal")


def test_rwg_hand_worked_and_truncated():
    # 4, 4, 5, 5, 4: mean 4.4, s^2 = 1.2 / 4 = 0.3. Uniform 5-point sigma^2 = 2 -> rwg = 0.85.
    res = rwg([4, 4, 5, 5, 4], 5)
    assert res.observed_variance == pytest.approx(0.3)
    assert res.rwg == pytest.approx(0.85)
    assert rwg([4, 4, 5, 5, 4], 5, "slight_skew").rwg == pytest.approx(1 - 0.3 / 1.34)
    # 1, 5, 1, 5: s^2 = 16/3 > 2 -> truncated to 0.
    wide = rwg([1, 5, 1, 5], 5)
    assert wide.rwg == 0.0 and wide.observed_variance == pytest.approx(16 / 3)
    assert rwg([3, 3, 3], 5).rwg == 1.0
    small = rwg([4, None], 5)
    assert small.n == 1 and math.isnan(small.rwg)


def test_rwg_j_hand_worked():
    # Item 1: 4,4,5,5,4 (s^2 0.3); item 2: 3,4,5,4,4 (s^2 0.5). Mean 0.4, ratio 0.4/2 = 0.2.
    # rwg(j) = 2 * 0.8 / (2 * 0.8 + 0.2) = 0.8889 (James, Demaree & Wolf, 1984, eq. for J items).
    items = np.array([[4, 3], [4, 4], [5, 5], [5, 4], [4, 4]])
    res = rwg_j(items, 5)
    assert res.observed_variance == pytest.approx(0.4)
    assert res.rwg_j == pytest.approx(1.6 / 1.8)
    assert (res.n_items, res.n) == (2, 5)
    assert rwg_j(np.array([[1, 1], [5, 5], [1, 5], [5, 1]]), 5).rwg_j == 0.0
    assert math.isnan(rwg_j(np.array([[1.0, np.nan]]), 5).rwg_j)
