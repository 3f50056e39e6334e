"""Key-driver analysis: how much of an outcome's R^2 each predictor accounts for."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _importance
from ._util import check_confidence
from .linkage_results import DriverBootstrap, DriverResult, DriverWeight

MAX_DOMINANCE_PREDICTORS = 12  # 2^12 = 4,096 subset regressions; beyond that use relative weights


def _weights(data: np.ndarray, method: str) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(data, rowvar=False)
    if np.isnan(corr).any():
        raise ValueError("a predictor or the outcome has zero variance; drivers are undefined")
    return _importance.weigh(corr[None], method)[0]


def _check_method(method: str, preds: list) -> None:
    """Refuse an unknown method, no predictors, or more predictors than exact dominance can take."""
    if method not in ("dominance", "relative_weights"):
        raise ValueError(f"method must be 'dominance' or 'relative_weights', got {method!r}")
    if not preds:
        raise ValueError("give at least one predictor")
    if method == "dominance" and len(preds) > MAX_DOMINANCE_PREDICTORS:
        raise ValueError(f"dominance analysis is exact up to {MAX_DOMINANCE_PREDICTORS} predictors; "
                         f"got {len(preds)} - use method='relative_weights'")


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
        :class:`analysis.linkage_results.DriverResult` for the pair layout.

    Raises
    ------
    ValueError
        Unknown method or columns, no predictors, more than 12 predictors for
        dominance, too few complete rows (n must exceed predictors + 1), or a
        constant variable.
    """
    check_confidence(confidence)
    preds = list(predictors)
    _check_method(method, preds)
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


def bootstrap_drivers(frame: pd.DataFrame, outcome: str, predictors, cluster: str | None = None,
                      method: str = "dominance", samples: int = 200, confidence: float = 0.95, top: int = 3,
                      seed=0) -> DriverBootstrap:
    """Relative importance with a cluster-bootstrap interval and rank stability for every predictor.

    Each resample draws as many clusters as there are, with replacement, and keeps all rows of each
    drawn cluster (e.g. all waves of a team). The resamples are weighed together: every cluster's sums
    and cross-products are computed once, a resample's correlation matrix is a weighted sum of them,
    and the subset regressions of all resamples are solved in one batch per subset size.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit (e.g. team-wave); rows missing the outcome, a predictor or the cluster are dropped.
    outcome : str
        Outcome column.
    predictors : sequence of str
        Predictor columns (at most 12 for dominance).
    cluster : str, optional
        Column naming the resampled unit (e.g. the team); None resamples rows.
    method : {"dominance", "relative_weights"}
        General dominance (exact Shapley decomposition of R^2; Budescu, 1993) or Johnson's (2000)
        relative weights, the fast approximation for many predictors.
    samples : int
        Number of bootstrap resamples (at least 1).
    confidence : float
        Level of the percentile intervals.
    top : int
        Rank cut-off for rank stability: ``top_share`` is the fraction of usable resamples in which the
        predictor's weight is among the ``top`` largest.
    seed : int or numpy Generator
        Seed of the resampling; the same seed gives the same intervals.

    Returns
    -------
    DriverBootstrap
        Point weights from the full sample (as :func:`relative_importance`), percentile intervals of
        the weights, of their shares of R^2 (percent) and of R^2, ranks and rank stability. Intervals
        are NaN when no resample was usable.

    Raises
    ------
    ValueError
        As :func:`relative_importance`, and for samples < 1, top < 1 or an unknown cluster column.
    """
    check_confidence(confidence)
    preds = list(predictors)
    if int(samples) < 1 or int(top) < 1:
        raise ValueError("samples and top must be at least 1")
    _check_method(method, preds)
    missing = [c for c in [outcome] + preds + ([cluster] if cluster else []) if c not in frame.columns]
    if missing:
        raise ValueError(f"columns not in frame: {missing}" if not cluster or cluster not in missing
                         else f"cluster column not in frame: {cluster!r}")
    data = frame[[outcome] + preds].to_numpy(dtype=float, na_value=np.nan)
    keep = ~np.isnan(data).any(axis=1)
    if cluster:
        labels = frame[cluster].to_numpy()
        keep &= pd.notna(labels)
    data = data[keep]
    n = len(data)
    if n <= len(preds) + 1:
        raise ValueError(f"need more complete rows than predictors + 1; got n = {n} for {len(preds)} predictors")
    point = _weights(data, method)  # raises on a constant variable
    r2 = float(point.sum())
    rescaled = point / r2 * 100 if r2 > 0 else np.full_like(point, np.nan)
    codes = pd.factorize(labels[keep])[0] if cluster else np.arange(n)
    clusters = int(codes.max()) + 1
    stats = _importance.cluster_sums(data - data.mean(axis=0), codes, clusters)  # centred: no cancellation
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(clusters, np.full(clusters, 1.0 / clusters), size=int(samples)).astype(float)
    corr, ok = _importance.resampled_correlations(counts, stats)
    draws = _importance.weigh(corr[ok], method) if ok.any() else np.empty((0, len(preds)))
    r2s = draws.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = draws / r2s[:, None] * 100
    tail = (1 - confidence) / 2 * 100
    q = [tail, 100 - tail]

    def bounds(values):
        values = values[np.isfinite(values).all(axis=1)] if values.ndim == 2 else values[np.isfinite(values)]
        if not len(values):
            return np.full((2,) + values.shape[1:], np.nan)
        return np.percentile(values, q, axis=0)

    w_lo, w_hi = bounds(draws)
    s_lo, s_hi = bounds(shares)
    r2_lo, r2_hi = bounds(r2s)
    # Rank 0 = largest weight; ties keep the predictors' order.
    ranks = np.argsort(np.argsort(-draws, axis=1, kind="stable"), axis=1, kind="stable")
    stability = (ranks < top).mean(axis=0) if len(draws) else np.full(len(preds), np.nan)
    full_rank = np.argsort(np.argsort(-point, kind="stable"), kind="stable") + 1
    drivers = tuple(DriverWeight(p, float(point[i]), float(w_lo[i]), float(w_hi[i]), float(rescaled[i]),
                                 float(s_lo[i]), float(s_hi[i]), int(full_rank[i]), float(stability[i]))
                    for i, p in enumerate(preds))
    return DriverBootstrap(outcome, drivers, r2, float(r2_lo), float(r2_hi), n, clusters, int(ok.sum()),
                           int(top), method, float(confidence))
