"""Can individual answers be averaged into a team score? ICC(1), ICC(2), rwg."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._util import NAN, clean_values
from .results import ICCResult, RwgJResult, RwgResult

# Response proportions of the skewed null distributions for a 5-point scale
# (LeBreton & Senter, 2008, after Kozlowski & Hults, 1987). Their variances
# are the tabled 1.34 / 0.90 / 0.44; the test suite recomputes them.
SKEWED_NULL_PROPORTIONS_5 = {
    "slight_skew": (0.05, 0.15, 0.20, 0.35, 0.25),
    "moderate_skew": (0.00, 0.10, 0.15, 0.40, 0.35),
    "heavy_skew": (0.00, 0.00, 0.10, 0.40, 0.50),
}

# Null variances by number of scale points: slight, moderate, heavy skew,
# triangular, normal. LeBreton & Senter (2008), Table 4, as tabulated in the
# RWG function of LeBreton, Moeller & Senter's companion R code. Note that for
# 7 points the table gives 2.90 / 2.14 / 1.39 (not 2.20 / 1.85).
NULL_VARIANCES = {
    5: (1.34, 0.90, 0.44, 1.32, 1.04),
    6: (1.85, 1.26, 0.69, 1.45, 1.25),
    7: (2.90, 2.14, 1.39, 2.10, 1.40),
    8: (3.47, 2.79, 2.35, 2.81, 1.73),
    9: (5.66, 4.73, 3.16, 3.00, 1.58),
    10: (6.30, 5.09, 3.46, 2.89, 1.45),
    11: (7.31, 6.32, 4.02, 3.32, 1.40),
}
_NULL_NAMES = ("slight_skew", "moderate_skew", "heavy_skew", "triangular", "normal")


def null_variance(scale_points: int, null="uniform") -> float:
    """Expected variance sigma^2_E of answers under a "no agreement" null.

    Parameters
    ----------
    scale_points : int
        Number of response options A.
    null : str or float
        "uniform" ((A^2 - 1) / 12, any A), one of "slight_skew",
        "moderate_skew", "heavy_skew", "triangular", "normal" (tabled for 5 to
        11 points), or a number used as the variance directly.
    """
    if not isinstance(null, str):
        v = float(null)
        if not v > 0:
            raise ValueError("a numeric null variance must be positive")
        return v
    if null == "uniform":
        if scale_points < 2:
            raise ValueError("scale_points must be at least 2")
        return (scale_points ** 2 - 1) / 12.0
    if null not in _NULL_NAMES:
        raise ValueError(f"unknown null {null!r}; use 'uniform', {', '.join(_NULL_NAMES)} or a number")
    if scale_points not in NULL_VARIANCES:
        raise ValueError(f"the {null} null is tabled for 5-11 scale points only, got {scale_points}")
    return NULL_VARIANCES[scale_points][_NULL_NAMES.index(null)]


def icc(values, groups) -> ICCResult:
    """ICC(1) and ICC(2) from a one-way random-effects ANOVA (Bliese, 2000).

    ICC(1) = (MSB - MSW) / (MSB + (k - 1) MSW) is the share of answer
    variance that lies between groups; ICC(2) = (MSB - MSW) / MSB is the
    reliability of the group means. For unequal group sizes k is the
    adjusted mean group size k0 = (N - sum n_j^2 / N) / (J - 1) (Shrout &
    Fleiss, 1979; Snijders & Bosker), which equals the common size when sizes
    are equal. ICC(2) needs no k; it equals the Spearman-Brown step-up of
    ICC(1) at k0, so the two stay consistent. (R's multilevel::ICC1 uses the
    plain mean size N / J instead; results differ slightly for unequal
    groups.) Negative values are kept, as Bliese does: they mean less
    between-group variance than chance.

    Parameters
    ----------
    values : sequence of numbers
        One answer (or individual score) per person.
    groups : sequence
        Group label per person, same length. Pairs with a missing value or
        group are dropped.

    Returns
    -------
    ICCResult
        NaN fields and a ``note`` with fewer than 2 groups, with no
        within-group degrees of freedom (every group of size 1) or when every
        answer is identical.
    """
    values, groups = list(values), list(groups)
    if len(values) != len(groups):
        raise ValueError("values and groups must have the same length")
    df = pd.DataFrame({"v": pd.to_numeric(pd.Series(values, dtype=object), errors="coerce"),
                       "g": pd.Series(groups, dtype=object)})
    df = df.dropna()
    n_total = len(df)
    sizes = df.groupby("g")["v"].count()
    j = int(len(sizes))
    if j < 2:
        return ICCResult(NAN, NAN, NAN, NAN, j, float(n_total),
                         "ICC needs at least two groups: with one group there is no between-group variance")
    if n_total - j < 1:
        return ICCResult(NAN, NAN, NAN, NAN, j, 1.0,
                         "every group has one member, so within-group variance cannot be estimated")
    means = df.groupby("g")["v"].transform("mean")
    grand = df["v"].mean()
    ssb = float(((means - grand) ** 2).sum())
    ssw = float(((df["v"] - means) ** 2).sum())
    msb, msw = ssb / (j - 1), ssw / (n_total - j)
    k0 = float((n_total - (sizes ** 2).sum() / n_total) / (j - 1))
    if msb == 0 and msw == 0:
        return ICCResult(NAN, NAN, NAN, NAN, j, k0, "all answers are identical; ICC is undefined")
    if msw == 0:
        return ICCResult(1.0, 1.0, float("inf"), 0.0, j, k0, "no within-group variance")
    f = msb / msw
    p = float(stats.f.sf(f, j - 1, n_total - j))
    icc1 = (msb - msw) / (msb + (k0 - 1) * msw)
    icc2 = (msb - msw) / msb if msb > 0 else NAN
    return ICCResult(float(icc1), float(icc2), float(f), p, j, k0)


def rwg(values, scale_points: int, null="uniform") -> RwgResult:
    """Single-item within-group agreement rwg = 1 - s^2 / sigma^2_E.

    James, Demaree & Wolf (1984); null variances from :func:`null_variance`.
    When the observed variance exceeds the null variance rwg is truncated to
    0 (LeBreton & Senter, 2008, recommend this over reporting negatives).

    Parameters
    ----------
    values : sequence of numbers
        Answers of one group to one item; None/NaN dropped.
    scale_points : int
        Number of response options.
    null : str or float
        See :func:`null_variance`.

    Returns
    -------
    RwgResult
        rwg NaN when fewer than 2 answers (variance undefined).
    """
    sigma2 = null_variance(scale_points, null)
    arr = clean_values(values)
    n = int(arr.size)
    if n < 2:
        return RwgResult(NAN, NAN, sigma2, n)
    s2 = float(arr.var(ddof=1))
    value = 0.0 if s2 > sigma2 else 1.0 - s2 / sigma2
    return RwgResult(float(value), s2, sigma2, n)


def rwg_j(items, scale_points: int, null="uniform") -> RwgJResult:
    """Multi-item within-group agreement rwg(j) (James, Demaree & Wolf, 1984).

    rwg(j) = J (1 - m) / (J (1 - m) + m) with m = mean item variance /
    sigma^2_E and J items. When the mean observed variance exceeds the null
    variance, rwg(j) is set to 0 (the formula would otherwise leave [0, 1]).

    Parameters
    ----------
    items : DataFrame or 2-d array
        One group's answers: rows respondents, columns items. Each item's
        variance uses that item's non-missing answers.
    scale_points : int
        Number of response options (common to all items).
    null : str or float
        See :func:`null_variance`.

    Returns
    -------
    RwgJResult
        NaN when no item has 2 or more answers; ``n`` counts respondents who
        answered at least one item.
    """
    sigma2 = null_variance(scale_points, null)
    arr = items.to_numpy(dtype=float, na_value=np.nan) if isinstance(items, pd.DataFrame) \
        else np.asarray(items, dtype=float)
    if arr.ndim != 2:
        raise ValueError("items must be 2-dimensional (respondents x items)")
    n = int((~np.isnan(arr)).any(axis=1).sum())
    counts = (~np.isnan(arr)).sum(axis=0)
    usable = counts >= 2
    n_items = int(usable.sum())
    if n_items == 0:
        return RwgJResult(NAN, NAN, sigma2, arr.shape[1], n)
    variances = np.nanvar(arr[:, usable], axis=0, ddof=1)
    s2 = float(variances.mean())
    ratio = s2 / sigma2
    if ratio > 1:
        value = 0.0
    else:
        value = n_items * (1 - ratio) / (n_items * (1 - ratio) + ratio)
    return RwgJResult(float(value), s2, sigma2, n_items, n)
