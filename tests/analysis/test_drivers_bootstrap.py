"""Driver weights with a cluster-bootstrap interval and rank stability (analysis.drivers.bootstrap_drivers)."""
import numpy as np
import pandas as pd
import pytest

from analysis import _importance
from analysis.drivers import bootstrap_drivers, relative_importance

from .test_drivers import AZEN_BUDESCU, GENERAL_DOMINANCE, _data_with_correlation


def _exact(corr, columns, n=240, seed=1):
    """A sample whose correlation matrix is exactly `corr`."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, corr.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    return pd.DataFrame(z @ np.linalg.cholesky(corr).T, columns=columns)


def test_orthogonal_predictors_hand_worked():
    # Hand-worked: with uncorrelated predictors every subset's R^2 is the sum of its squared validities,
    # so each predictor's general dominance weight is r_yi^2: .36, .09, .01; R^2 = .46 and the shares of
    # R^2 are 36/.46 = 78.26%, 9/.46 = 19.57%, 1/.46 = 2.17%.
    corr = np.eye(4)
    corr[0, 1:] = corr[1:, 0] = [0.6, 0.3, 0.1]
    frame = _exact(corr, ["y", "a", "b", "c"]).assign(team=np.arange(240) // 4)
    res = bootstrap_drivers(frame, "y", ["a", "b", "c"], cluster="team", samples=300, seed=3)
    assert [d.weight for d in res.drivers] == pytest.approx([0.36, 0.09, 0.01])
    assert [d.share for d in res.drivers] == pytest.approx([78.261, 19.565, 2.174], abs=1e-3)
    assert res.r2 == pytest.approx(0.46) and res.n == 240 and res.clusters == 60
    assert [d.rank for d in res.drivers] == [1, 2, 3]
    for d in res.drivers:
        assert d.weight_low <= d.weight <= d.weight_high and d.share_low <= d.share <= d.share_high
    assert res.r2_low < 0.46 < res.r2_high
    # Three predictors: every one ranks in the top three of every resample.
    assert [d.top_share for d in res.drivers] == [1.0, 1.0, 1.0]
    assert res.driver("a").weight == pytest.approx(0.36)


def test_point_weights_match_azen_budescu_2003():
    # Azen & Budescu (2003) correlation matrix; general dominance from R's dominanceanalysis tests.
    df = _data_with_correlation(AZEN_BUDESCU)
    res = bootstrap_drivers(df, "y", ["x1", "x2", "x3", "x4"], samples=50, seed=1)
    assert [d.weight for d in res.drivers] == pytest.approx(list(GENERAL_DOMINANCE), abs=0.002)
    assert [d.rank for d in res.drivers] == [1, 4, 3, 2]  # x1 .292 > x4 .121 > x3 .095 > x2 .076


def test_one_predictor_clearly_dominates():
    # Constructed: y is x1 plus a little noise; x2..x4 are unrelated. x1 takes nearly all of R^2 in every
    # resample, so its interval sits near 100% and it ranks first (hence in the top three) every time.
    rng = np.random.default_rng(11)
    n = 400
    x = rng.normal(size=(n, 4))
    frame = pd.DataFrame({"y": x[:, 0] + 0.2 * rng.normal(size=n), "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2],
                          "x4": x[:, 3], "team": np.arange(n) // 2})
    res = bootstrap_drivers(frame, "y", ["x1", "x2", "x3", "x4"], cluster="team", samples=200, seed=0)
    x1 = res.driver("x1")
    assert x1.rank == 1 and x1.top_share == 1.0 and x1.share_low > 98
    others = [d for d in res.drivers if d.predictor != "x1"]
    assert all(d.share_high < 2 for d in others)
    # Four predictors, top three: the three noise predictors share the remaining two places.
    assert sum(d.top_share for d in others) == pytest.approx(2.0)


def test_resampled_correlations_equal_the_materialised_resamples():
    # The sufficient-statistics shortcut against the slow way: repeat each cluster's rows as often as
    # the resample draws it and compute the correlation matrix directly.
    rng = np.random.default_rng(5)
    data = rng.normal(size=(30, 4)) @ rng.normal(size=(4, 4))
    codes = np.repeat(np.arange(10), 3)
    stats = _importance.cluster_sums(data, codes, 10)
    counts = rng.multinomial(10, np.full(10, 0.1), size=5).astype(float)
    corr, ok = _importance.resampled_correlations(counts, stats)
    for b in range(5):
        rows = np.concatenate([np.flatnonzero(codes == c).repeat(int(k)) for c, k in enumerate(counts[b])])
        assert ok[b]
        np.testing.assert_allclose(corr[b], np.corrcoef(data[rows], rowvar=False), atol=1e-10)
    frame = pd.DataFrame(data[rows], columns=["y", "a", "b", "c"])
    for method in ("dominance", "relative_weights"):
        one = [w for _p, w in relative_importance(frame, "y", ["a", "b", "c"], method=method).weights]
        np.testing.assert_allclose(_importance.weigh(corr[4:5], method)[0], one, atol=1e-10)


def test_seeded_and_relative_weights_for_many_items():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 15))
    frame = pd.DataFrame(x, columns=[f"i{k}" for k in range(15)]).assign(
        y=x[:, 0] + 0.5 * x[:, 1] + rng.normal(size=300), team=np.arange(300) // 3)
    items = [f"i{k}" for k in range(15)]
    a = bootstrap_drivers(frame, "y", items, cluster="team", method="relative_weights", samples=100, seed=4)
    b = bootstrap_drivers(frame, "y", items, cluster="team", method="relative_weights", samples=100, seed=4)
    assert a == b and a.method == "relative_weights" and a.samples == 100
    assert a.driver("i0").rank == 1 and a.driver("i1").rank == 2 and a.driver("i0").top_share == 1.0
    assert sum(d.share for d in a.drivers) == pytest.approx(100.0)


def test_constant_resamples_are_dropped_and_bad_input_refused():
    frame = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6, 7, 9], "x": [1.0, 1, 1, 1, 2, 3, 5, 4], "z": [0.0, 1, 0, 1, 0, 1, 1, 0],
                          "team": [0, 0, 0, 0, 1, 2, 3, 4]})
    res = bootstrap_drivers(frame, "y", ["x", "z"], cluster="team", samples=200, seed=0)
    assert 0 < res.samples < 200  # resamples drawing team 0 alone, with x constant, were left out
    with pytest.raises(ValueError):
        bootstrap_drivers(frame, "y", ["x", "z"], samples=0)
    with pytest.raises(ValueError, match="cluster"):
        bootstrap_drivers(frame, "y", ["x", "z"], cluster="nope")
