"""Change between waves and breakdown detection for touchpoint metrics.

Two kinds of metric, two kinds of interval:

* percent metrics (percent favourable, CSAT, % agree) with their n: the
  difference of two proportions with Newcombe's (1998) hybrid score interval
  (method 10), built from the two Wilson intervals; it behaves well for small
  n and shares near 0 or 100, where the Wald interval does not;
* mean metrics (CES, item means): Welch's unequal-variance t interval.
"""
from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from ._util import NAN, check_confidence, clean_values, fmt, wilson_interval
from .results import BreakdownResult, ChangeResult


def proportion_change(p1: float, n1: int, p2: float, n2: int, confidence: float = 0.95) -> ChangeResult:
    """Change of a percent metric from wave 1 (p1, n1) to wave 2 (p2, n2).

    Parameters
    ----------
    p1, p2 : float
        Percents 0-100 (e.g. percent favourable) before and after.
    n1, n2 : int
        Numbers of answers behind each percent.
    confidence : float
        Interval level.

    Returns
    -------
    ChangeResult
        ``change`` = p2 - p1 in percentage points with the Newcombe hybrid
        score interval; NaN when either n is 0.
    """
    check_confidence(confidence)
    for p in (p1, p2):
        if not 0 <= p <= 100:
            raise ValueError(f"percents must lie in 0..100, got {p}")
    n1, n2 = int(n1), int(n2)
    if n1 <= 0 or n2 <= 0:
        return ChangeResult(NAN, NAN, NAN, n1, n2, False, "newcombe")
    a, b = p1 / 100, p2 / 100
    l1, u1 = wilson_interval(a * n1, n1, confidence)
    l2, u2 = wilson_interval(b * n2, n2, confidence)
    d = b - a
    lo = d - math.sqrt((b - l2) ** 2 + (u1 - a) ** 2)
    hi = d + math.sqrt((u2 - b) ** 2 + (a - l1) ** 2)
    return ChangeResult(100 * d, 100 * lo, 100 * hi, n1, n2, bool(lo > 0 or hi < 0), "newcombe")


def wave_change(previous: tuple[float, int], current: tuple[float, int], confidence: float = 0.95) -> ChangeResult:
    """Change of a percent metric between two waves given as ``(percent, n)`` pairs.

    Shorthand for :func:`proportion_change`; use :func:`mean_change` for
    continuous scores.
    """
    return proportion_change(previous[0], previous[1], current[0], current[1], confidence)


def _welch(m1, v1, n1, m2, v2, n2, confidence):
    """Welch interval for m2 - m1 from summary statistics (variances, not sds)."""
    se2 = v1 / n1 + v2 / n2
    d = m2 - m1
    if se2 == 0:
        return d, d, d  # no spread at all: the observed change is exact
    df = se2 ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    half = stats.t.ppf(0.5 + confidence / 2, df) * math.sqrt(se2)
    return d, d - half, d + half


def mean_change(before, after, confidence: float = 0.95) -> ChangeResult:
    """Change of a mean score (after - before) with Welch's t interval.

    Parameters
    ----------
    before, after : sequences of numbers
        Individual scores in each wave; None/NaN dropped.
    confidence : float
        Interval level.

    Returns
    -------
    ChangeResult
        NaN interval when either wave has fewer than 2 scores; a zero-width
        interval when neither wave varies.
    """
    check_confidence(confidence)
    a, b = clean_values(before), clean_values(after)
    n1, n2 = int(a.size), int(b.size)
    if n1 == 0 or n2 == 0:
        return ChangeResult(NAN, NAN, NAN, n1, n2, False, "welch")
    if n1 < 2 or n2 < 2:
        return ChangeResult(float(b.mean() - a.mean()), NAN, NAN, n1, n2, False, "welch")
    d, lo, hi = _welch(a.mean(), a.var(ddof=1), n1, b.mean(), b.var(ddof=1), n2, confidence)
    return ChangeResult(float(d), float(lo), float(hi), n1, n2, bool(lo > 0 or hi < 0), "welch")


def _baseline_means(base: pd.DataFrame) -> tuple[float, float, int]:
    """Pooled mean and variance of the baseline waves from per-wave n, mean, sd."""
    n = base["n"].to_numpy(float)
    m = base["score"].to_numpy(float)
    sd = base["sd"].to_numpy(float)
    total = n.sum()
    mean = float((n * m).sum() / total)
    # Within-wave plus between-wave variation, so a drifting baseline widens the interval.
    var = float(((n - 1) * sd ** 2 + n * (m - mean) ** 2).sum() / (total - 1)) if total > 1 else NAN
    return mean, var, int(total)


def detect_breakdowns(series: pd.DataFrame, baseline_waves: int = 4, target: float | None = None,
                      persistent_waves: int = 3, confidence: float = 0.95) -> tuple[BreakdownResult, ...]:
    """Flag touchpoints whose latest wave dropped below their recent baseline.

    For each touchpoint the latest wave is compared with the pooled previous
    ``baseline_waves`` waves (fewer if fewer exist; at least one needed).
    Pooling weights each wave by its n and treats the baseline as one
    sample, so the test asks "is the latest wave worse than the recent
    normal?". Percent metrics use the Newcombe interval, mean metrics (an
    ``sd`` column present) a Welch interval whose baseline variance includes
    the wave-to-wave spread. ``persistent`` is True when the last
    ``persistent_waves`` waves are all below ``target``.

    Parameters
    ----------
    series : pandas.DataFrame
        Tidy columns ``touchpoint, wave, score, n`` and optionally ``sd``
        (then scores are means, else percents 0-100). Rows with missing
        score or n are ignored.
    baseline_waves : int
        How many waves before the latest form the baseline.
    target : float, optional
        Target score for the persistence rule; None disables it.
    persistent_waves : int
        Consecutive waves below target needed to call a problem persistent.
    confidence : float
        Interval level.

    Returns
    -------
    tuple of BreakdownResult
        One per touchpoint, in touchpoint order; baseline and interval NaN
        (not significant) when there is no earlier wave.
    """
    check_confidence(confidence)
    need = {"touchpoint", "wave", "score", "n"}
    if not need <= set(series.columns):
        raise ValueError(f"series needs columns {sorted(need)}")
    means = "sd" in series.columns
    out = []
    clean = series.dropna(subset=["score", "n"])
    for tp, g in clean.groupby("touchpoint", sort=True):
        g = g.sort_values("wave")
        last = g.iloc[-1]
        base = g.iloc[:-1].tail(int(baseline_waves))
        score, n_last = float(last["score"]), int(last["n"])
        if len(base) == 0 or n_last == 0:
            baseline, drop, lo, hi = NAN, NAN, NAN, NAN
        elif means:
            b_mean, b_var, b_n = _baseline_means(base)
            if n_last > 1 and b_n > 1 and not math.isnan(last["sd"]):
                d, clo, chi = _welch(score, float(last["sd"]) ** 2, n_last, b_mean, b_var, b_n, confidence)
                baseline, drop, lo, hi = b_mean, d, clo, chi
            else:
                baseline, drop, lo, hi = b_mean, b_mean - score, NAN, NAN
        else:
            b_n = int(base["n"].sum())
            baseline = float((base["score"] * base["n"]).sum() / b_n)
            ch = proportion_change(score, n_last, baseline, b_n, confidence)
            drop, lo, hi = ch.change, ch.ci_low, ch.ci_high
        significant = bool(lo > 0)
        tail = g.tail(int(persistent_waves))
        persistent = bool(target is not None and len(tail) >= persistent_waves
                          and (tail["score"] < target).all())
        out.append(BreakdownResult(str(tp), int(last["wave"]), score, float(baseline), float(drop),
                                   float(lo), float(hi), significant, persistent,
                                   _sentence(str(tp), int(last["wave"]), score, baseline, drop, lo, hi,
                                             significant, persistent, target, persistent_waves, confidence)))
    return tuple(out)


def _sentence(tp, wave, score, baseline, drop, lo, hi, significant, persistent, target, k, confidence) -> str:
    if math.isnan(baseline):
        text = f"{tp}: {fmt(score, 1)} in wave {wave}; no earlier waves to compare with."
    else:
        move = "down" if drop > 0 else "up"
        text = (f"{tp}: {fmt(score, 1)} in wave {wave}, {move} {fmt(abs(drop), 1)} from the recent baseline "
                f"of {fmt(baseline, 1)} ({round(confidence * 100)}% CI for the drop {fmt(lo, 1)} to {fmt(hi, 1)}); ")
        text += "a significant drop." if significant else "not a significant drop."
    if persistent:
        text += f" Below the target of {fmt(target, 1)} for {k} consecutive waves."
    return text
