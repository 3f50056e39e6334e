"""Small shared helpers: input cleaning and textbook intervals."""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

NAN = float("nan")


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` as a float, refusing values outside (0, 1)."""
    c = float(confidence)
    if not 0.0 < c < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    return c


@functools.lru_cache(maxsize=64)
def z_value(confidence: float) -> float:
    """Two-sided normal quantile, e.g. 1.96 for 0.95 (memoised: scipy's ppf costs ~0.2 ms a call and a
    report grid asks for the same few levels thousands of times)."""
    return float(stats.norm.ppf(0.5 + check_confidence(confidence) / 2.0))


@functools.lru_cache(maxsize=4096)
def _t_quantile(confidence: float, dof: float) -> float:
    return float(stats.t.ppf(0.5 + check_confidence(confidence) / 2.0, dof))


def clean_values(values: Iterable) -> np.ndarray:
    """1-d float array with None/NaN answers dropped (unanswered is not zero)."""
    if isinstance(values, (pd.Series, pd.Index)):
        arr = pd.to_numeric(values, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    else:
        seq = list(values) if not isinstance(values, np.ndarray) else values.ravel()
        arr = np.array([np.nan if v is None else v for v in seq], dtype=float)
    return arr[~np.isnan(arr)]


def wilson_interval(successes: float, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a proportion, as proportions (0-1).

    Chosen over the Wald interval because it stays inside [0, 1] and keeps
    near-nominal coverage for the small n and extreme shares that small teams
    and touchpoints produce.
    """
    if n <= 0:
        return NAN, NAN
    z = z_value(confidence)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def t_interval(mean: float, sd: float, n: int, confidence: float) -> tuple[float, float]:
    """Student t interval for a mean; NaN when n < 2."""
    if n < 2 or not np.isfinite(sd):
        return NAN, NAN
    t = _t_quantile(float(confidence), n - 1)
    half = t * sd / math.sqrt(n)
    return mean - half, mean + half


def fmt(x: float, digits: int = 2) -> str:
    """Format a number for a sentence; 'n/a' for NaN."""
    if x is None or not np.isfinite(x):
        return "n/a"
    return f"{x:.{digits}f}"
