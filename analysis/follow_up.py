"""Close-the-loop statistics: the share of follow-up cases closed in time and the time they took to close."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._util import NAN, check_confidence, wilson_interval


@dataclass(frozen=True)
class CaseStatsResult:
    """One team's follow-up cases over a period.

    Attributes
    ----------
    opened, closed : int
        Cases opened in the period, and those of them closed since.
    closed_in_time : int
        Closed cases closed no later than their due time.
    in_time_share, low, high : float
        closed_in_time / closed in percent with its Wilson interval (NaN when nothing closed).
    median_hours : float
        Median hours from opening to closing over the closed cases (NaN when nothing closed).
    confidence : float
        Level of the interval.
    """

    opened: int
    closed: int
    closed_in_time: int
    in_time_share: float
    low: float
    high: float
    median_hours: float
    confidence: float = 0.95


def case_stats(opened: int, close_hours: Iterable[float], in_time: Iterable[bool],
               confidence: float = 0.95) -> CaseStatsResult:
    """Share of closed cases closed in time (Wilson interval) and the median time to close.

    Parameters
    ----------
    opened : int
        Cases opened (closed or not).
    close_hours : sequence of float
        Hours from opening to closing, one per closed case.
    in_time : sequence of bool
        Whether each closed case was closed by its due time (same order and length as ``close_hours``).
    confidence : float
        Interval level (default 0.95).

    Returns
    -------
    CaseStatsResult
        The share is of *closed* cases: an open case has no outcome yet, and counting it as late would
        punish a team for cases opened yesterday.
    """
    check_confidence(confidence)
    hours = sorted(float(h) for h in close_hours)
    flags = [bool(f) for f in in_time]
    if len(flags) != len(hours):
        raise ValueError("close_hours and in_time must have one entry per closed case")
    closed, hits = len(hours), sum(flags)
    if closed == 0:
        return CaseStatsResult(int(opened), 0, 0, NAN, NAN, NAN, NAN, confidence)
    lo, hi = wilson_interval(hits, closed, confidence)
    mid = closed // 2
    median = hours[mid] if closed % 2 else (hours[mid - 1] + hours[mid]) / 2
    return CaseStatsResult(int(opened), closed, hits, 100.0 * hits / closed, 100.0 * lo, 100.0 * hi,
                           median, confidence)


def pooled_share(results: Iterable[CaseStatsResult], confidence: float = 0.95) -> CaseStatsResult:
    """Several teams' counts added up: share closed in time with its Wilson interval; no median (NaN).

    Parameters
    ----------
    results : sequence of CaseStatsResult
        One per team.
    confidence : float
        Interval level.

    Returns
    -------
    CaseStatsResult
        ``median_hours`` is NaN: a median cannot be pooled from the teams' medians.
    """
    check_confidence(confidence)
    items = list(results)
    opened = sum(r.opened for r in items)
    closed = sum(r.closed for r in items)
    hits = sum(r.closed_in_time for r in items)
    if closed == 0:
        return CaseStatsResult(opened, 0, 0, NAN, NAN, NAN, NAN, confidence)
    lo, hi = wilson_interval(hits, closed, confidence)
    return CaseStatsResult(opened, closed, hits, 100.0 * hits / closed, 100.0 * lo, 100.0 * hi, NAN, confidence)
