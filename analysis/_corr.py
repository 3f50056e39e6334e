"""Correlation core: pairwise-complete Pearson/Spearman r and Fisher-z inference, vectorised."""
from __future__ import annotations

import numpy as np
from scipy import stats

from ._util import z_value

METHODS = ("pearson", "spearman")


def _col_means(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    counts = mask.sum(axis=0)
    return np.where(counts > 0, np.where(mask, a, 0.0).sum(axis=0) / np.maximum(counts, 1), 0.0)


def _pearson_matrix(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete Pearson r and n between the columns of x (m, p) and y (m, q).

    All sums are masked matrix products, so the cost is a few (p x m)(m x q)
    multiplications whatever the missingness pattern. Columns are centred on
    their overall means first to avoid cancellation in the sums of squares.
    """
    mx, my = ~np.isnan(x), ~np.isnan(y)
    xc = np.where(mx, x - _col_means(x, mx), 0.0)
    yc = np.where(my, y - _col_means(y, my), 0.0)
    fx, fy = mx.astype(float), my.astype(float)
    n = fx.T @ fy
    sx, sy = xc.T @ fy, fx.T @ yc
    sxx, syy = (xc * xc).T @ fy, fx.T @ (yc * yc)
    sxy = xc.T @ yc
    with np.errstate(invalid="ignore", divide="ignore"):
        vx = sxx - sx * sx / n
        vy = syy - sy * sy / n
        r = (sxy - sx * sy / n) / np.sqrt(vx * vy)
        # A (near) constant variable has no correlation; relative tolerance
        # because the masked sums leave rounding noise instead of exact zeros.
        flat = (vx <= 1e-12 * np.maximum(sxx, 1e-300)) | (vy <= 1e-12 * np.maximum(syy, 1e-300))
    r = np.where(flat | (n < 3), np.nan, np.clip(r, -1.0, 1.0))
    return r, n.astype(int)


def _spearman_pairs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman r: ranks are taken within each pair's complete cases (ties averaged)."""
    p, q = x.shape[1], y.shape[1]
    r, n = np.full((p, q), np.nan), np.zeros((p, q), dtype=int)
    for i in range(p):
        for j in range(q):
            keep = ~np.isnan(x[:, i]) & ~np.isnan(y[:, j])
            n[i, j] = int(keep.sum())
            if n[i, j] >= 3:
                rx = stats.rankdata(x[keep, i])[:, None]
                ry = stats.rankdata(y[keep, j])[:, None]
                r[i, j] = _pearson_matrix(rx, ry)[0][0, 0]
    return r, n


def inference(r: np.ndarray, n: np.ndarray, method: str, confidence: float):
    """p-values (t with n - 2 df) and Fisher-z intervals, element-wise."""
    z = z_value(confidence)
    r = np.asarray(r, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = n - 2
        t = r * np.sqrt(df / np.maximum(1.0 - r * r, 0.0))
        p = np.where(np.isnan(r) | (df < 1), np.nan, 2.0 * stats.t.sf(np.abs(t), np.maximum(df, 1)))
        # Spearman: Bonett & Wright (2000) variance (1 + r^2/2) / (n - 3).
        var = (1.0 + r * r / 2.0) if method == "spearman" else np.ones_like(r)
        se = np.sqrt(var / (n - 3))
        zr = np.arctanh(r)
        lo, hi = np.tanh(zr - z * se), np.tanh(zr + z * se)
    small = n < 4
    return p, np.where(small, np.nan, lo), np.where(small, np.nan, hi)


def correlations(x: np.ndarray, y: np.ndarray, method: str):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return _pearson_matrix(x, y) if method == "pearson" else _spearman_pairs(x, y)
