"""Breakdown detection on daily series of respondent sums: sudden drops, persistent shifts, theme surges.

Every function works on whole arrays (series x days) so a year of history for hundreds of touchpoints is
evaluated at once. Inputs are the customer rollup's sums over respondents for one metric: ``n``, ``s1``
(the sum of respondents' values) and ``s2`` (the sum of their squares), with ``kind`` as in
:class:`analysis.summaries.Sums`: ``share`` (CSAT: respondents' top-two shares, x 100), ``net`` (NPS: the
promoter - detractor share, x 100) or ``mean`` (CES: respondents' mean answers on 1-7).
Windows of them are summed, and turned into means and variances, by :mod:`analysis.series_sums`.

* :func:`drop_tests` -- a window (a day, a week, a month) against the trailing baseline just before it:
  one-sided z test of "the window is lower", with the pooled variance under the null (the textbook
  two-sample test for proportions, and its analogue for means and net scores). The 95% interval of the
  drop is Agresti-Caffo's for shares (add one success and one failure to each group) and the unpooled
  normal interval otherwise.
* :func:`cusum` -- a one-sided CUSUM of standardised weekly values against a baseline frozen at the start
  of each excursion; the change is dated to the first week after the CUSUM was last 0.
* :func:`surge_tests` -- a count (a theme's mentions in a week) against its baseline weeks: exact
  conditional test of two Poisson rates (the binomial split of the total).
* :func:`benjamini_hochberg` -- q-values over the tests of one day (reused from :mod:`analysis.linkage`).

The thresholds in :data:`DEFAULTS` were tuned by simulation (tests/analysis/test_detection.py and
:mod:`analysis._detection_sim`): see the README, "Breakdown alerts", for the measured rates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .linkage import benjamini_hochberg
from .series_sums import moments, window_sums

__all__ = ["DropTests", "Cusum", "SurgeTests", "DEFAULTS", "drop_tests", "cusum", "surge_tests",
           "benjamini_hochberg"]

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Defaults:
    """Detection thresholds (tuned by simulation; every one can be overridden by the caller)."""

    alpha_day: float = 1e-5      # per-test p below which a day is a candidate (before BH)
    alpha_week: float = 1e-5
    alpha_month: float = 5e-5
    alpha_surge: float = 1e-4
    alpha_shift: float = 1.0     # the segment since the CUSUM was last 0 against its baseline
    fdr: float = 0.05            # BH q-value below which a candidate is raised
    cusum_k: float = 0.75        # reference value, in standard errors of a week
    cusum_h: float = 9.0         # decision interval
    cusum_weeks: int = 26        # baseline weeks before an excursion
    cusum_min_weeks: int = 26    # fewest of them: shorter baselines cried wolf in the simulations
    min_n_day: int = 20
    min_n_week: int = 20
    min_n_month: int = 30
    min_n_base: int = 50


DEFAULTS = Defaults()


@dataclass(frozen=True)
class DropTests:
    """One test per series and day (arrays series x days); NaN where a day was not testable.

    ``drop`` = baseline - current on the value's scale (positive = worse), ``low``/``high`` its 95%
    interval, ``p`` the one-sided p-value of "current is lower".
    """

    current: np.ndarray
    baseline: np.ndarray
    n_current: np.ndarray
    n_baseline: np.ndarray
    drop: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p: np.ndarray


@dataclass(frozen=True)
class Cusum:
    """The CUSUM per series and week (arrays series x weeks).

    ``stat`` the CUSUM after each week; ``alarm`` True where it exceeds ``h``; ``start`` the index of the
    week the current excursion began (the week after the CUSUM was last 0), -1 when it is 0;
    ``baseline``/``baseline_n`` the frozen baseline the week was compared with (value scale).
    """

    stat: np.ndarray
    alarm: np.ndarray
    start: np.ndarray
    baseline: np.ndarray
    baseline_n: np.ndarray
    z: np.ndarray


@dataclass(frozen=True)
class SurgeTests:
    """Counts in a window against their baseline rate: ``expected`` is the baseline's rate scaled to the
    window, ``ratio`` = count / expected, ``p`` the one-sided exact p-value of "the rate rose"."""

    count: np.ndarray
    expected: np.ndarray
    ratio: np.ndarray
    p: np.ndarray


def drop_tests(n, s1, s2, kind: str, ends, window, baseline, *, scale: float = 1.0, min_n: int = 20,
               min_base_n: int = 50) -> DropTests:
    """Test whether each window is lower than the trailing baseline just before it.

    Parameters
    ----------
    n, s1, s2 : numpy.ndarray
        Daily respondent counts, sums and sums of squares, shape (series, days).
    kind : {"share", "net", "mean"}
        How the values are summarised (see the module docstring).
    ends : numpy.ndarray of int
        Index of each window's last day (the day evaluated).
    window, baseline : int or numpy.ndarray of int
        Lengths in days of the window and of the baseline that ends the day before the window starts
        (arrays: one per end, e.g. calendar months).
    scale : float
        Multiplies values, drops and intervals (100 for shares and net scores).
    min_n, min_base_n : int
        Fewest respondents in the window and in the baseline for a test; fewer give NaN.

    Returns
    -------
    DropTests
        Arrays of shape (series, len(ends)).
    """
    if kind not in ("share", "net", "mean"):
        raise ValueError(f"kind must be share, net or mean, got {kind!r}")
    ends = np.asarray(ends, dtype=int)
    window = np.broadcast_to(np.asarray(window, dtype=int), ends.shape)
    nc, sc, qc = (window_sums(a, ends, window) for a in (n, s1, s2))
    nb, sb, qb = (window_sums(a, ends - window, baseline) for a in (n, s1, s2))
    # A baseline cut short by the start of the data is not a baseline.
    short = (ends - window - np.asarray(baseline) + 1) < 0
    ok = (nc >= min_n) & (nb >= min_base_n) & ~short[None, :]
    mc, vc = moments(kind, nc, sc, qc)
    mb, vb = moments(kind, nb, sb, qb)
    mp, vp = moments(kind, nc + nb, sc + sb, qc + qb)
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = mb - mc
        se0 = np.sqrt(vp * (1 / nc + 1 / nb))
        z = np.where(se0 > 0, drop / np.where(se0 > 0, se0, 1), np.where(drop > 0, np.inf, 0.0))
        p = stats.norm.sf(z)
        if kind == "share":
            # Agresti & Caffo (2000): one success and one failure added to each group.
            pc, pb = (sc + 1) / (nc + 2), (sb + 1) / (nb + 2)
            mid = pb - pc
            se = np.sqrt(pc * (1 - pc) / (nc + 2) + pb * (1 - pb) / (nb + 2))
        else:
            mid = drop
            se = np.sqrt(vc / nc + vb / nb)
        low, high = mid - Z95 * se, mid + Z95 * se
    nan = np.nan
    return DropTests(np.where(ok, mc * scale, nan), np.where(ok, mb * scale, nan), nc, nb,
                     np.where(ok, drop * scale, nan), np.where(ok, low * scale, nan),
                     np.where(ok, high * scale, nan), np.where(ok, p, nan))


def cusum(n, s1, s2, kind: str, *, k: float = DEFAULTS.cusum_k, h: float = DEFAULTS.cusum_h,
          base_periods: int = DEFAULTS.cusum_weeks, min_base_n: int = DEFAULTS.min_n_base,
          scale: float = 1.0, reset: bool = False, min_periods: int | None = None) -> Cusum:
    """One-sided (downward) CUSUM of standardised period values, per series.

    Each period's value is standardised against a baseline of the ``base_periods`` periods before the
    current excursion (frozen while the CUSUM is above 0, so a slow slide does not drag its own
    baseline down): z = (baseline - value) / sqrt(var (1/n + 1/n_base)); S = max(0, S + z - k).
    Periods without respondents, or without a full baseline, leave S unchanged.

    Parameters
    ----------
    n, s1, s2 : numpy.ndarray
        Period (e.g. weekly) sums, shape (series, periods).
    kind : {"share", "net", "mean"}
    k, h : float
        Reference value and decision interval, in standard errors of one period.
    base_periods : int
        Baseline length in periods.
    min_periods : int, optional
        Fewest baseline periods before the first period (default: all of ``base_periods``).
    min_base_n : int
        Fewest respondents in the baseline.
    scale : float
        Multiplies the reported baseline.
    reset : bool
        Restart the CUSUM at 0 after each alarm (for counting false alarms); the scan keeps it running
        so an open alert lasts as long as the shift.

    Returns
    -------
    Cusum
    """
    n = np.asarray(n, dtype=float)
    S, W = n.shape
    c = [np.concatenate([np.zeros((S, 1)), np.cumsum(a, axis=1)], axis=1) for a in (n, s1, s2)]
    stat = np.zeros((S, W))
    start = np.full((S, W), -1)
    base_m = np.full((S, W), np.nan)
    base_n = np.zeros((S, W))
    zs = np.zeros((S, W))
    alarm = np.zeros((S, W), dtype=bool)
    cur = np.zeros(S)
    anchor = np.zeros(S, dtype=int)  # the first period of the current excursion
    rows = np.arange(S)
    m_t, v_t = moments(kind, n, s1, s2)
    for t in range(W):
        anchor = np.where(cur <= 0, t, anchor)
        lo = anchor - base_periods
        full = anchor >= (base_periods if min_periods is None else min_periods)
        lo = np.clip(lo, 0, None)
        nb, sb, qb = (cc[rows, anchor] - cc[rows, lo] for cc in c)
        mb, vb = moments(kind, nb, sb, qb)
        nt = n[:, t]
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(vb * (1 / nt + 1 / nb))
            z = (mb - m_t[:, t]) / se
        use = full & (nb >= min_base_n) & (nt > 0) & np.isfinite(z)
        z = np.where(use, z, 0.0)
        cur = np.where(use, np.maximum(0.0, cur + z - k), cur)
        stat[:, t], zs[:, t] = cur, z
        start[:, t] = np.where(cur > 0, anchor, -1)
        base_m[:, t] = np.where(full, mb * scale, np.nan)
        base_n[:, t] = nb
        alarm[:, t] = cur > h
        if reset:
            cur = np.where(cur > h, 0.0, cur)
    return Cusum(stat, alarm, start, base_m, base_n, zs)


def surge_tests(counts: np.ndarray, ends, window: int, baseline: int, *, min_count: int = 5) -> SurgeTests:
    """Test whether counts in a window rose against the baseline just before it (two Poisson rates).

    Given the total c + b of window and baseline counts, under equal rates the window's count is
    Binomial(c + b, w / (w + B)); the p-value is P(X >= c). Exact for any counts.

    Parameters
    ----------
    counts : numpy.ndarray
        Daily counts, shape (series, days).
    ends : numpy.ndarray of int
        Last day of each window.
    window, baseline : int
        Lengths in days.
    min_count : int
        Fewest counts in the window for a test (fewer give NaN).

    Returns
    -------
    SurgeTests
    """
    ends = np.asarray(ends, dtype=int)
    c = window_sums(counts, ends, window)
    b = window_sums(counts, ends - window, baseline)
    short = (ends - window - baseline + 1) < 0
    frac = window / (window + baseline)
    p = stats.binom.sf(c - 1, c + b, frac)
    expected = b * window / baseline
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(expected > 0, c / np.where(expected > 0, expected, 1), np.inf)
    ok = (c >= min_count) & ~short[None, :]
    return SurgeTests(c, expected, np.where(ok, ratio, np.nan), np.where(ok, p, np.nan))
