"""Vectorised counterparts of :mod:`analysis.summaries`: many groups' estimates and differences at once.

They give bit-for-bit the scalar functions' values (a report grid asks for thousands): squares go
through Python's float power (libm pow, which numpy's x*x and SIMD pow do not always match in the last
bit), ``_max``/``_min`` keep Python's max/min handling of NaN, and scipy's t quantile takes an array of
degrees of freedom through the same ufunc the scalar call uses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._util import NAN, check_confidence, z_value
from .results import ChangeResult
from .summaries import KINDS, Estimate



@dataclass(frozen=True)
class Estimates:
    """Arrays of :class:`Estimate` fields, one element per group; ``at(i)`` gives one as an Estimate."""

    value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n: np.ndarray
    sd: np.ndarray
    kind: str
    confidence: float

    def at(self, i: int) -> Estimate:
        """The ``i``-th group's Estimate, exactly what :func:`estimate` returns for it."""
        return Estimate(float(self.value[i]), float(self.ci_low[i]), float(self.ci_high[i]), int(self.n[i]),
                        float(self.sd[i]), self.kind, self.confidence)

    def results(self) -> list[Estimate]:
        """Every group's Estimate, in order (the arrays read once: much faster than ``at`` in a loop)."""
        return [Estimate(v, lo, hi, n, sd, self.kind, self.confidence) for v, lo, hi, n, sd in
                zip(self.value.tolist(), self.ci_low.tolist(), self.ci_high.tolist(), self.n.tolist(),
                    self.sd.tolist())]


@dataclass(frozen=True)
class Changes:
    """Arrays of :class:`ChangeResult` fields, one element per pair; ``at(i)`` gives one ChangeResult."""

    change: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    n_before: np.ndarray
    n_after: np.ndarray
    significant: np.ndarray
    method: np.ndarray

    def at(self, i: int) -> ChangeResult:
        """The ``i``-th pair's ChangeResult, exactly what :func:`difference` returns for it."""
        return ChangeResult(float(self.change[i]), float(self.ci_low[i]), float(self.ci_high[i]),
                            int(self.n_before[i]), int(self.n_after[i]), bool(self.significant[i]),
                            str(self.method[i]))

    def results(self) -> list[ChangeResult]:
        """Every pair's ChangeResult, in order (the arrays read once: much faster than ``at`` in a loop)."""
        return [ChangeResult(*row) for row in zip(self.change.tolist(), self.ci_low.tolist(),
                                                  self.ci_high.tolist(), self.n_before.tolist(),
                                                  self.n_after.tolist(), self.significant.tolist(),
                                                  self.method.tolist())]


def _max(a, b):
    return np.where(b > a, b, a)  # Python's max(a, b): a unless b is larger (so max(nan, 0) is nan)


def _min(a, b):
    return np.where(b < a, b, a)


def _sq(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return np.array([v ** 2 for v in x.ravel().tolist()], dtype=float).reshape(x.shape)


def _sqrt(x) -> np.ndarray:
    if np.any(x < 0):
        raise ValueError("math domain error")  # as math.sqrt would in the scalar function
    return np.sqrt(x)


def _wilson_many(successes, n, confidence):
    """:func:`analysis._util.wilson_interval` element-wise (``n`` whole numbers); NaN where n is 0."""
    z = z_value(confidence)
    ok = n > 0
    nn = np.where(ok, n, 1.0)
    p = successes / nn
    denom = 1.0 + z * z / nn
    centre = (p + z * z / (2 * nn)) / denom
    half = z * _sqrt(np.where(ok, p * (1 - p) / nn + z * z / (4 * nn * nn), 0.0)) / denom
    return np.where(ok, _max(0.0, centre - half), NAN), np.where(ok, _min(1.0, centre + half), NAN)


def estimate_many(kind: str, n, s1, s2=None, scale: float = 1.0, bounds: tuple[float, float] | None = None,
                  confidence: float = 0.95) -> Estimates:
    """:func:`analysis.summaries.estimate` for many groups of one kind at once, with the same values.

    Parameters
    ----------
    kind : {"share", "net", "mean"}
        The groups' kind (see :class:`analysis.summaries.Sums`).
    n, s1, s2 : array_like
        The groups' sums, one element per group; ``s2`` (unused for shares) defaults to zeros.
    scale, bounds : float, tuple or None
        As in :class:`analysis.summaries.Sums`, shared by every group.
    confidence : float
        Interval level.

    Returns
    -------
    Estimates
        Arrays of values, intervals, n (int) and sds; NaN where n is 0 or less, NaN interval for means and
        net scores with fewer than 2 respondents.
    """
    check_confidence(confidence)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    n = np.asarray(n, dtype=float)
    s1 = np.asarray(s1, dtype=float)
    s2 = np.zeros_like(n) if s2 is None else np.asarray(s2, dtype=float)
    if np.isnan(n).any():
        raise ValueError("cannot convert float NaN to integer")  # as int(round(n)) in the scalar function
    live = n > 0
    with np.errstate(all="ignore"):
        nn = np.where(live, n, 1.0)
        mean = s1 / nn
        rounded = np.round(nn)
        if kind == "share":
            p = _min(_max(mean, 0.0), 1.0)
            lo, hi = _wilson_many(np.where(live, p * nn, 0.0), np.where(live, rounded, 0.0), confidence)
            sd = np.sqrt(p * (1 - p))
        else:
            var = _max(s2 / nn - mean * mean, 0.0)
            if kind == "mean":
                var = np.where(nn > 1, var * nn / (nn - 1), NAN)
            sd = np.where(nn > 1, np.sqrt(var), NAN)
            if kind == "net":
                half = np.where(nn > 1, z_value(confidence) * sd / np.sqrt(nn), NAN)
                lo, hi = _max(mean - half, -1.0), _min(mean + half, 1.0)
            else:
                whole = np.trunc(nn)  # t_interval takes int(n)
                ok = (whole >= 2) & np.isfinite(sd)
                t = stats.t.ppf(0.5 + confidence / 2.0, np.where(ok, whole - 1, 1.0))
                half = t * sd / np.sqrt(whole)
                lo, hi = np.where(ok, mean - half, NAN), np.where(ok, mean + half, NAN)
                if bounds is not None:
                    lo, hi = _max(lo, bounds[0] / scale), _min(hi, bounds[1] / scale)
        s = scale
        dead = ~live
        return Estimates(np.where(dead, NAN, s * mean), np.where(dead, NAN, s * lo), np.where(dead, NAN, s * hi),
                         np.where(dead, 0, rounded).astype(np.int64), np.where(dead, NAN, s * sd), kind,
                         confidence)


def difference_many(kind: str, n, s1, s2, ref_n, ref_s1, ref_s2, scale: float = 1.0,
                    confidence: float = 0.95) -> Changes:
    """:func:`analysis.summaries.difference` for many pairs of groups of one kind, with the same values.

    Parameters
    ----------
    kind : {"share", "net", "mean"}
        The groups' kind (see :class:`analysis.summaries.Sums`).
    n, s1, s2 : array_like
        The groups' sums (``s2`` may be None for shares), one element per pair.
    ref_n, ref_s1, ref_s2 : array_like
        The references' sums, independent of the groups (e.g. the rest of the organisation).
    scale : float
        As in :class:`analysis.summaries.Sums`, shared by every group.
    confidence : float
        Interval level.

    Returns
    -------
    Changes
        Arrays of group - reference with intervals (Newcombe for shares, normal for net scores, Welch for
        means), n_before (the reference's n), n_after, significance and method; NaN as in ``difference``.
    """
    check_confidence(confidence)
    a = estimate_many(kind, ref_n, ref_s1, ref_s2, scale, None, confidence)
    b = estimate_many(kind, n, s1, s2, scale, None, confidence)
    na, nb = a.n.astype(float), b.n.astype(float)
    with np.errstate(all="ignore"):
        if kind == "share":
            live = (a.n != 0) & (b.n != 0)
            bad = live & ~((a.value >= 0) & (a.value <= 100) & (b.value >= 0) & (b.value <= 100))
            if bad.any():
                i = int(np.argmax(bad))
                p = a.value[i] if not 0 <= a.value[i] <= 100 else b.value[i]
                raise ValueError(f"percents must lie in 0..100, got {float(p)}")
            p1, p2 = a.value / 100, b.value / 100
            l1, u1 = _wilson_many(np.where(live, p1 * na, 0.0), np.where(live, na, 0.0), confidence)
            l2, u2 = _wilson_many(np.where(live, p2 * nb, 0.0), np.where(live, nb, 0.0), confidence)
            d = p2 - p1
            lo = d - _sqrt(np.where(live, _sq(p2 - l2) + _sq(u1 - p1), 0.0))
            hi = d + _sqrt(np.where(live, _sq(u2 - p2) + _sq(p1 - l1), 0.0))
            sig = live & ((lo > 0) | (hi < 0))
            nan = np.full(d.shape, NAN)
            return Changes(np.where(live, 100 * d, nan), np.where(live, 100 * lo, nan),
                           np.where(live, 100 * hi, nan), a.n, b.n, sig, np.full(d.shape, "newcombe"))
        few = (a.n < 2) | (b.n < 2)
        d = b.value - a.value
        if kind == "net":
            half = z_value(confidence) * _sqrt(_sq(a.sd) / na + _sq(b.sd) / nb)
            lo, hi = d - half, d + half
        else:
            v1, v2 = _sq(a.sd), _sq(b.sd)
            se2 = v1 / na + v2 / nb
            df = _sq(se2) / (_sq(v1 / na) / (na - 1) + _sq(v2 / nb) / (nb - 1))
            half = stats.t.ppf(0.5 + confidence / 2, np.where(few | (se2 == 0), 1.0, df)) * _sqrt(se2)
            lo, hi = np.where(se2 == 0, d, d - half), np.where(se2 == 0, d, d + half)
        lo, hi = np.where(few, NAN, lo), np.where(few, NAN, hi)
        change = np.where(few & ((a.n == 0) | (b.n == 0)), NAN, d)
        method = np.where(few, "welch", "normal" if kind == "net" else "welch")
        return Changes(change, lo, hi, a.n, b.n, ~few & ((lo > 0) | (hi < 0)), method)
