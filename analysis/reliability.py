"""Internal consistency of a scale: Cronbach's alpha with the Feldt interval."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._util import NAN, check_confidence
from .results import AlphaResult


def cronbach_alpha(items, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's alpha for a set of items, with the Feldt (1965) interval.

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the total),
    variances with ddof = 1. The interval treats (1 - alpha_hat) / (1 - alpha)
    as F-distributed with df1 = n - 1 and df2 = (n - 1)(k - 1) (Feldt, 1965;
    Feldt, Woodruff & Salih, 1987), the interval psych::alpha and pingouin
    report.

    Parameters
    ----------
    items : DataFrame or 2-d array
        Rows are respondents, columns items, already reverse-scored.
        Rows with any missing item are dropped (listwise deletion) so that
        every variance comes from the same people.
    confidence : float
        Interval level.

    Returns
    -------
    AlphaResult
        NaN alpha and interval when fewer than 2 complete respondents remain
        or the total score has zero variance; NaN interval when n < 3.

    Raises
    ------
    ValueError
        With fewer than two items (alpha is undefined for one item).
    """
    check_confidence(confidence)
    arr = items.to_numpy(dtype=float, na_value=np.nan) if isinstance(items, pd.DataFrame) \
        else np.asarray(items, dtype=float)
    if arr.ndim != 2:
        raise ValueError("items must be 2-dimensional (respondents x items)")
    k = arr.shape[1]
    if k < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items, got {k}")
    arr = arr[~np.isnan(arr).any(axis=1)]
    n = arr.shape[0]
    if n < 2:
        return AlphaResult(NAN, NAN, NAN, k, n)
    total_var = arr.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return AlphaResult(NAN, NAN, NAN, k, n)
    alpha = k / (k - 1) * (1.0 - arr.var(axis=0, ddof=1).sum() / total_var)
    if n < 3:
        return AlphaResult(float(alpha), NAN, NAN, k, n)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1.0 - confidence) / 2.0
    lo = 1.0 - (1.0 - alpha) * stats.f.isf(tail, df1, df2)
    hi = 1.0 - (1.0 - alpha) * stats.f.ppf(tail, df1, df2)
    return AlphaResult(float(alpha), float(lo), float(hi), k, n)
