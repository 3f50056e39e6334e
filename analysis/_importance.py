"""Relative importance on stacks of correlation matrices, and the cluster bootstrap from sufficient statistics.

Every function takes correlation matrices of shape (B, m, m) with the outcome first (index 0) and the
predictors after it, so one call weighs B bootstrap samples at once: the subset regressions of one size
are a single batched solve, not B x 2^p small ones.
"""
from __future__ import annotations

import math
from functools import lru_cache
from itertools import combinations

import numpy as np


@lru_cache(maxsize=16)
def _subsets(p: int):
    """Subsets of p predictors grouped by size: (index array, bitmask array) per size 1..p."""
    out = []
    for size in range(1, p + 1):
        idx = np.array(list(combinations(range(p), size)))
        out.append((idx, (1 << idx).sum(axis=1)))
    return tuple(out)


@lru_cache(maxsize=16)
def _shapley_terms(p: int):
    """Per predictor: the masks of subsets without it and the Shapley weight of each of them."""
    masks = np.arange(1 << p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) if s < p else 0.0
                       for s in range(p + 1)])
    terms = []
    for i in range(p):
        without = masks[(masks >> i) & 1 == 0]
        terms.append((without, without | (1 << i), weight[sizes[without]]))
    return tuple(terms)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a x = b for stacks of systems; the pseudo-inverse keeps perfectly collinear subsets finite."""
    try:
        return np.linalg.solve(a, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(a) @ b[..., None])[..., 0]


def subset_r2(corr: np.ndarray) -> np.ndarray:
    """R^2 of the outcome on every subset of predictors, (B, 2^p) indexed by bitmask.

    R^2(S) = r_yS' R_SS^-1 r_yS, from the correlation matrix alone.
    """
    b, p = corr.shape[0], corr.shape[1] - 1
    rxx, rxy = corr[:, 1:, 1:], corr[:, 1:, 0]
    r2 = np.zeros((b, 1 << p))
    for idx, masks in _subsets(p):
        sub = rxx[:, idx[:, :, None], idx[:, None, :]]  # (B, C, s, s)
        vec = rxy[:, idx]  # (B, C, s)
        r2[:, masks] = (vec * _solve(sub, vec)).sum(axis=2)
    return r2


def dominance(corr: np.ndarray) -> np.ndarray:
    """General dominance weights (B, p): the Shapley decomposition of R^2 (Budescu, 1993).

    The average over subset sizes of the mean gain in R^2 when a predictor joins a subset of that size;
    the weights of one sample sum to its full-model R^2.
    """
    r2 = subset_r2(corr)
    return np.stack([(r2[:, with_] - r2[:, without]) @ w for without, with_, w in _shapley_terms(corr.shape[1] - 1)],
                    axis=1)


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights (B, p): the outcome regressed on the predictors' orthogonal counterparts."""
    rxx, rxy = corr[:, 1:, 1:], corr[:, 1:, 0]
    vals, vecs = np.linalg.eigh(rxx)
    root = np.sqrt(np.clip(vals, 0.0, None))
    vt = np.swapaxes(vecs, 1, 2)
    lam = (vecs * root[:, None, :]) @ vt  # correlations of X with its orthogonal counterpart Z
    # Outcome on Z: lam^-1 r_xy from the same eigendecomposition (a pseudo-inverse: null directions get 0).
    inv_root = np.divide(1.0, root, out=np.zeros_like(root), where=root > 1e-7 * root.max(axis=1, keepdims=True))
    beta = (vecs * inv_root[:, None, :]) @ (vt @ rxy[..., None])
    beta = beta[..., 0]
    return ((lam ** 2) @ (beta ** 2)[..., None])[..., 0]


def weigh(corr: np.ndarray, method: str) -> np.ndarray:
    """Weights (B, p) of a stack of correlation matrices by `method`."""
    return dominance(corr) if method == "dominance" else relative_weights(corr)


def cluster_sums(data: np.ndarray, cluster: np.ndarray, clusters: int):
    """Per cluster: row count (C,), column sums (C, m) and cross-products (C, m, m)."""
    m = data.shape[1]
    count = np.bincount(cluster, minlength=clusters).astype(float)
    order = np.argsort(cluster, kind="stable")
    rows = data[order]
    starts = np.searchsorted(cluster[order], np.arange(clusters))
    present = count > 0
    sums = np.zeros((clusters, m))
    cross = np.zeros((clusters, m, m))
    if len(rows):  # reduceat over sorted rows: one pass, no per-row Python
        sums[present] = np.add.reduceat(rows, starts[present], axis=0)
        cross[present] = np.add.reduceat(rows[:, :, None] * rows[:, None, :], starts[present], axis=0)
    return count, sums, cross


def resampled_correlations(counts: np.ndarray, stats) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrices (B, m, m) of the samples that take each cluster `counts[b, c]` times.

    Built from the clusters' sums, so no resample is ever materialised. Also returns which samples are
    usable: more rows than columns + 1 and no constant column.
    """
    count, sums, cross = stats
    n = counts @ count
    mean = (counts @ sums) / np.maximum(n, 1)[:, None]
    m = sums.shape[1]
    second = (counts @ cross.reshape(len(count), -1)).reshape(len(counts), m, m) / np.maximum(n, 1)[:, None, None]
    cov = second - mean[:, :, None] * mean[:, None, :]
    var = np.diagonal(cov, axis1=1, axis2=2)
    scale = np.abs(np.diagonal(second, axis1=1, axis2=2))
    # Relative tolerance: a constant column leaves rounding noise in var, not an exact zero.
    ok = (n > m + 1) & np.all(var > 1e-10 * np.maximum(scale, 1e-300), axis=1)
    sd = np.sqrt(np.where(var > 0, var, 1.0))
    corr = cov / sd[:, :, None] / sd[:, None, :]
    return np.clip(corr, -1.0, 1.0), ok
