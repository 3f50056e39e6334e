"""General dominance and relative weights."""
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from analysis.drivers import relative_importance

# Azen & Budescu (2003) example correlation matrix (y, x1..x4), as used in the
# test suite of R's dominanceanalysis package (test-daAzenBudescu2003.R), whose
# average contributions by level (0..3) are:
#   x1 .360 .300 .263 .246 | x2 .090 .074 .069 .071 | x3 .160 .095 .063 .061 | x4 .250 .152 .073 .010
AZEN_BUDESCU = np.array([
    [1.0, 0.6, 0.3, 0.4, 0.5],
    [0.6, 1.0, 0.8, 0.1, 0.3],
    [0.3, 0.8, 1.0, 0.1, 0.1],
    [0.4, 0.1, 0.1, 1.0, 0.5],
    [0.5, 0.3, 0.1, 0.5, 1.0],
])
GENERAL_DOMINANCE = np.mean([[0.360, 0.090, 0.160, 0.250], [0.300, 0.074, 0.095, 0.152],
                             [0.263, 0.069, 0.063, 0.073], [0.246, 0.071, 0.061, 0.010]], axis=0)


def _data_with_correlation(corr, n=200, seed=0):
    """Sample whose correlation matrix equals ``corr`` exactly (whiten, then colour)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, corr.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    data = z @ np.linalg.cholesky(corr).T
    return pd.DataFrame(data, columns=["y", "x1", "x2", "x3", "x4"])


def test_general_dominance_matches_azen_budescu():
    df = _data_with_correlation(AZEN_BUDESCU)
    res = relative_importance(df, "y", ["x1", "x2", "x3", "x4"])
    assert [w for _, w in res.weights] == pytest.approx(list(GENERAL_DOMINANCE), abs=0.002)
    assert sum(w for _, w in res.weights) == pytest.approx(res.r2)
    assert sum(v for _, v in res.rescaled) == pytest.approx(100.0)
    # R^2 of the full model from the normal equations.
    rxx, rxy = AZEN_BUDESCU[1:, 1:], AZEN_BUDESCU[1:, 0]
    assert res.r2 == pytest.approx(rxy @ np.linalg.solve(rxx, rxy))


def test_relative_weights_close_to_dominance_and_sum_to_r2():
    df = _data_with_correlation(AZEN_BUDESCU)
    dom = relative_importance(df, "y", ["x1", "x2", "x3", "x4"])
    rw = relative_importance(df, "y", ["x1", "x2", "x3", "x4"], method="relative_weights")
    assert rw.r2 == pytest.approx(dom.r2)
    assert [w for _, w in rw.weights] == pytest.approx([w for _, w in dom.weights], abs=0.01)
    assert rw.method == "relative_weights"


def test_two_predictor_hand_worked():
    # General dominance of x1 = (R^2(x1) + (R^2(x1,x2) - R^2(x2))) / 2 (Budescu, 1993).
    rng = np.random.default_rng(4)
    x1, x2 = rng.normal(size=300), rng.normal(size=300)
    y = 0.5 * x1 + 0.3 * x2 + rng.normal(size=300)
    df = pd.DataFrame({"y": y, "x1": x1 + 0.3 * x2, "x2": x2})

    def r2(cols):
        X = np.column_stack([np.ones(len(df))] + [df[c] for c in cols])
        beta, *_ = np.linalg.lstsq(X, df["y"], rcond=None)
        resid = df["y"] - X @ beta
        return 1 - resid.var() / df["y"].var()

    res = dict(relative_importance(df, "y", ["x1", "x2"]).weights)
    assert res["x1"] == pytest.approx((r2(["x1"]) + r2(["x1", "x2"]) - r2(["x2"])) / 2)
    assert res["x2"] == pytest.approx((r2(["x2"]) + r2(["x1", "x2"]) - r2(["x1"])) / 2)


def test_bootstrap_interval_reproducible_and_serialisable():
    df = _data_with_correlation(AZEN_BUDESCU, n=120)
    a = relative_importance(df, "y", ["x1", "x2", "x3", "x4"], bootstrap=60, seed=7)
    b = relative_importance(df, "y", ["x1", "x2", "x3", "x4"], bootstrap=60, seed=7)
    assert a.ci == b.ci and len(a.ci) == 4
    for (name, w), (name2, lo, hi) in zip(a.weights, a.ci):
        assert name == name2 and lo <= hi
    assert asdict(a)["weights"][0][0] == "x1"
    assert relative_importance(df, "y", ["x1"]).ci is None


def test_driver_errors():
    df = _data_with_correlation(AZEN_BUDESCU, n=30)
    with pytest.raises(ValueError):
        relative_importance(df, "y", [])
    with pytest.raises(ValueError):
        relative_importance(df, "y", ["x1"], method="shapley-ish")
    wide = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 14)), columns=[f"c{i}" for i in range(14)])
    with pytest.raises(ValueError, match="12"):
        relative_importance(wide, "c0", [f"c{i}" for i in range(1, 14)])
    assert relative_importance(wide, "c0", [f"c{i}" for i in range(1, 14)], method="relative_weights").n == 50
    with pytest.raises(ValueError):
        relative_importance(df.head(3), "y", ["x1", "x2"])
    flat = df.assign(x1=1.0)
    with pytest.raises(ValueError, match="zero variance"):
        relative_importance(flat, "y", ["x1", "x2"])
    with_missing = df.copy()
    with_missing.loc[0, "x1"] = np.nan
    assert relative_importance(with_missing, "y", ["x1", "x2"]).n == 29
