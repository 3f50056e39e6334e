"""Key-driver analysis: how much of an outcome's R^2 each predictor accounts for."""
from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd

from ._util import check_confidence
from .results import DriverResult

MAX_DOMINANCE_PREDICTORS = 12  # 2^12 = 4,096 subset regressions; beyond that use relative weights


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R^2 of the outcome (index 0) on every subset of predictors, indexed by bitmask.

    Uses the correlation matrix: R^2(S) = r_yS' R_SS^-1 r_yS. Subsets of the
    same size are solved in one batched call; the pseudo-inverse keeps
    perfectly collinear subsets finite.
    """
    p = corr.shape[0] - 1
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    r2 = np.zeros(1 << p)
    for size in range(1, p + 1):
        idx = np.array(list(combinations(range(p), size)))
        sub = rxx[idx[:, :, None], idx[:, None, :]]
        vec = rxy[idx]
        try:
            sol = np.linalg.solve(sub, vec[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            sol = (np.linalg.pinv(sub) @ vec[:, :, None])[:, :, 0]
        masks = (1 << idx).sum(axis=1)
        r2[masks] = (vec * sol).sum(axis=1)
    return r2


def _dominance(corr: np.ndarray) -> np.ndarray:
    """General dominance weights (Budescu, 1993; Azen & Budescu, 2003).

    The average, over subset sizes 0..p-1, of the mean increase in R^2 when
    the predictor joins a subset of that size; identical to the Shapley value
    of R^2, so the weights sum to the full-model R^2.
    """
    p = corr.shape[0] - 1
    r2 = _subset_r2(corr)
    masks = np.arange(1 << p)
    sizes = np.array([bin(m).count("1") for m in masks])
    # Shapley weight of a subset of size s that excludes the predictor.
    shap = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) if s < p else 0.0
                     for s in range(p + 1)])
    out = np.empty(p)
    for i in range(p):
        without = masks[(masks >> i) & 1 == 0]
        out[i] = np.sum(shap[sizes[without]] * (r2[without | (1 << i)] - r2[without]))
    return out


def _relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights: regress on the orthogonal counterparts of the predictors."""
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    vals, vecs = np.linalg.eigh(rxx)
    vals = np.clip(vals, 0.0, None)
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T  # correlations of X with its orthogonal counterpart Z
    beta = np.linalg.pinv(lam) @ rxy  # outcome on Z
    return (lam ** 2) @ (beta ** 2)


def _weights(data: np.ndarray, method: str) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(data, rowvar=False)
    if np.isnan(corr).any():
        raise ValueError("a predictor or the outcome has zero variance; drivers are undefined")
    return _dominance(corr) if method == "dominance" else _relative_weights(corr)


def relative_importance(frame: pd.DataFrame, outcome: str, predictors, method: str = "dominance",
                        bootstrap: int = 0, confidence: float = 0.95, seed=None) -> DriverResult:
    """Share of an outcome's explained variance (R^2) owed to each predictor.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit (e.g. team-wave); rows with any missing value in
        the outcome or predictors are dropped.
    outcome : str
        Outcome column.
    predictors : sequence of str
        Predictor columns (at most 12 for dominance, which is exact).
    method : {"dominance", "relative_weights"}
        General dominance (exact Shapley decomposition of R^2) or Johnson's
        (2000) relative weights, a fast approximation that usually agrees to
        about .01.
    bootstrap : int
        Number of bootstrap resamples of rows (units) for percentile
        intervals of the weights; 0 for none. Resamples in which a variable
        is constant are skipped.
    confidence : float
        Interval level.
    seed : int or numpy Generator, optional
        Seed for the bootstrap.

    Returns
    -------
    DriverResult
        ``weights`` (sum to ``r2``), ``rescaled`` (percent of R^2, sum to 100;
        NaN when R^2 is 0), n and optional ``ci``; see
        :class:`analysis.results.DriverResult` for the pair layout.

    Raises
    ------
    ValueError
        Unknown method or columns, no predictors, more than 12 predictors for
        dominance, too few complete rows (n must exceed predictors + 1), or a
        constant variable.
    """
    check_confidence(confidence)
    preds = list(predictors)
    if method not in ("dominance", "relative_weights"):
        raise ValueError(f"method must be 'dominance' or 'relative_weights', got {method!r}")
    if not preds:
        raise ValueError("give at least one predictor")
    if method == "dominance" and len(preds) > MAX_DOMINANCE_PREDICTORS:
        raise ValueError(f"dominance analysis is exact up to {MAX_DOMINANCE_PREDICTORS} predictors; "
                         f"got {len(preds)} - use method='relative_weights'")
    missing = [c for c in [outcome] + preds if c not in frame.columns]
    if missing:
        raise ValueError(f"columns not in frame: {missing}")
    data = frame[[outcome] + preds].apply(pd.to_numeric, errors="coerce").dropna().to_numpy(dtype=float)
    n = data.shape[0]
    if n <= len(preds) + 1:
        raise ValueError(f"need more complete rows than predictors + 1; got n = {n} for {len(preds)} predictors")
    w = _weights(data, method)
    r2 = float(w.sum())
    rescaled = w / r2 * 100 if r2 > 0 else np.full_like(w, np.nan)
    ci = None
    if bootstrap and bootstrap > 0:
        rng = np.random.default_rng(seed)
        draws = []
        for _ in range(int(bootstrap)):
            sample = data[rng.integers(0, n, n)]
            try:
                draws.append(_weights(sample, method))
            except ValueError:
                continue
        if draws:
            tail = (1 - confidence) / 2 * 100
            lo, hi = np.percentile(np.array(draws), [tail, 100 - tail], axis=0)
            ci = tuple((p, float(a), float(b)) for p, a, b in zip(preds, lo, hi))
    return DriverResult(
        weights=tuple((p, float(v)) for p, v in zip(preds, w)),
        rescaled=tuple((p, float(v)) for p, v in zip(preds, rescaled)),
        r2=r2, n=int(n), ci=ci, method=method)
