"""Empirical Bayes shrinkage of unit estimates towards a prior centre (e.g. each team towards its parent).

Each unit's estimate ``y_i`` has sampling variance ``v_i`` (its squared standard error). Units' true
values are taken to vary around their centre ``c_i`` with between-unit variance ``tau2``; the posterior
mean is ``c_i + w_i (y_i - c_i)`` with weight ``w_i = tau2 / (tau2 + v_i)``, so a small team (large
``v_i``) is pulled most of the way to its centre and a large one keeps nearly its own value. ``tau2`` is
the method-of-moments estimate: observed spread around the centres minus the average sampling variance,
floored at zero (Morris 1983, "Parametric empirical Bayes inference", JASA 78, section 2; with equal
variances and the grand mean as centre it is the estimate behind James-Stein, Efron & Morris 1975).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._util import check_confidence, z_value


@dataclass(frozen=True)
class ShrinkageResult:
    """Shrunken estimates and how they were made.

    Attributes
    ----------
    values : numpy.ndarray
        Posterior means ``c + w (y - c)``; NaN where the input estimate or variance was missing.
    weights : numpy.ndarray
        Weight of each unit's own estimate, ``tau2 / (tau2 + v)`` (0 = all centre, 1 = all own).
    se : numpy.ndarray
        Posterior standard deviations ``sqrt(w v)`` (treating ``tau2`` as known).
    centres : numpy.ndarray
        The centre each estimate was shrunk towards.
    tau2 : float
        Between-unit variance used.
    """

    values: np.ndarray
    weights: np.ndarray
    se: np.ndarray
    centres: np.ndarray
    tau2: float

    def interval(self, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Normal posterior interval (low, high) around each shrunken value."""
        half = z_value(check_confidence(confidence)) * self.se
        return self.values - half, self.values + half


def between_variance(estimates, variances, centres=None) -> float:
    """Method-of-moments between-unit variance ``tau2``.

    Parameters
    ----------
    estimates : array-like
        Units' estimates ``y_i``.
    variances : array-like
        Their sampling variances ``v_i`` (squared standard errors).
    centres : array-like, optional
        Known prior centres ``c_i`` (e.g. each team's parent). When omitted the centre is the mean of the
        estimates and one degree of freedom is spent on it.

    Returns
    -------
    float
        ``max(0, sum((y - c)^2) / (m - d) - mean(v))`` with ``d`` = 1 when the centre is estimated and 0
        when given; NaN when fewer than ``d + 1`` units have both an estimate and a variance.
    """
    y, v, c, ok = _inputs(estimates, variances, centres)
    y, v = y[ok], v[ok]
    dof = 1 if centres is None else 0
    m = y.size
    if m <= dof:
        return float("nan")
    centre = np.full(m, y.mean()) if centres is None else c[ok]
    spread = float(((y - centre) ** 2).sum() / (m - dof))
    return max(0.0, spread - float(v.mean()))


def shrink(estimates, variances, centres=None, tau2: float | None = None) -> ShrinkageResult:
    """Shrink each estimate towards its centre by the weight ``tau2 / (tau2 + v)``.

    Parameters
    ----------
    estimates, variances : array-like
        Units' estimates and sampling variances (NaN = missing: left NaN in the result).
    centres : array-like, optional
        Prior centres; default the mean of the estimates (James-Stein-style shrinkage to the grand mean).
    tau2 : float, optional
        Between-unit variance; default `between_variance` of the same inputs. Pass it to shrink a few
        units with a variance estimated from many (a handful of siblings says little about ``tau2``).

    Returns
    -------
    ShrinkageResult
        With ``tau2`` = 0 (no detectable spread) every unit takes its centre; with NaN ``tau2`` (too few
        units) nothing is shrunk.
    """
    y, v, c, ok = _inputs(estimates, variances, centres)
    if centres is None:
        c = np.full(y.shape, y[ok].mean() if ok.any() else np.nan)
    t2 = between_variance(y, v, None if centres is None else c) if tau2 is None else float(tau2)
    if t2 < 0:
        raise ValueError("tau2 must not be negative")
    with np.errstate(invalid="ignore", divide="ignore"):
        if np.isnan(t2):
            w = np.where(ok, 1.0, np.nan)
        else:
            w = np.where(ok, np.where(t2 + v > 0, t2 / (t2 + v), 1.0), np.nan)
        values = c + w * (y - c)
        se = np.sqrt(w * v)
    return ShrinkageResult(values, w, se, c, t2)


def _inputs(estimates, variances, centres):
    y = np.asarray(estimates, dtype=float).ravel()
    v = np.asarray(variances, dtype=float).ravel()
    if y.shape != v.shape:
        raise ValueError("estimates and variances must have the same length")
    if np.any(v < 0):
        raise ValueError("variances must not be negative")
    c = None if centres is None else np.asarray(centres, dtype=float).ravel()
    if c is not None and c.shape != y.shape:
        raise ValueError("centres must have the same length as the estimates")
    ok = ~np.isnan(y) & ~np.isnan(v)
    if c is not None:
        ok &= ~np.isnan(c)
    return y, v, c, ok
