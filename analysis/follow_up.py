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
        closed_in_time / (closed + overdue_open) in percent with its Wilson interval (NaN when neither).
    median_hours : float
        Median hours from opening to closing over the closed cases only (NaN when nothing closed).
    confidence : float
        Level of the interval.
    overdue_open : int
        Cases still open and already past their due time: counted as not closed in time.
    """

    opened: int
    closed: int
    closed_in_time: int
    in_time_share: float
    low: float
    high: float
    median_hours: float
    confidence: float = 0.95
    overdue_open: int = 0

    @property
    def judged(self) -> int:
        """Cases with an in-time outcome: the closed ones and the open ones already late."""
        return self.closed + self.overdue_open


def case_stats(opened: int, close_hours: Iterable[float], in_time: Iterable[bool],
               confidence: float = 0.95, overdue_open: int = 0) -> CaseStatsResult:
    """Share of cases closed in time (Wilson interval), open late cases counted as late; median time to close.

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
    overdue_open : int
        Cases still open past their due time (as of the caller's `now`): already not in time.

    Returns
    -------
    CaseStatsResult
        The share is of closed cases plus open cases already past due: an open case not yet due has no
        outcome yet (counting it as late would punish a team for cases opened yesterday), but one past due
        can no longer be closed in time (leaving it out would let a team that never closes late cases score
        100%). The median covers closed cases only.
    """
    check_confidence(confidence)
    hours = sorted(float(h) for h in close_hours)
    flags = [bool(f) for f in in_time]
    if len(flags) != len(hours):
        raise ValueError("close_hours and in_time must have one entry per closed case")
    if overdue_open < 0:
        raise ValueError("overdue_open must be 0 or more")
    closed, hits, late = len(hours), sum(flags), int(overdue_open)
    judged = closed + late
    if judged == 0:
        return CaseStatsResult(int(opened), 0, 0, NAN, NAN, NAN, NAN, confidence, 0)
    lo, hi = wilson_interval(hits, judged, confidence)
    mid = closed // 2
    median = NAN if closed == 0 else hours[mid] if closed % 2 else (hours[mid - 1] + hours[mid]) / 2
    return CaseStatsResult(int(opened), closed, hits, 100.0 * hits / judged, 100.0 * lo, 100.0 * hi,
                           median, confidence, late)


def pooled_share(results: Iterable[CaseStatsResult], confidence: float = 0.95) -> CaseStatsResult:
    """Several teams' counts added up (open late cases too): share in time, Wilson interval; no median (NaN).

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
    late = sum(r.overdue_open for r in items)
    if closed + late == 0:
        return CaseStatsResult(opened, 0, 0, NAN, NAN, NAN, NAN, confidence, 0)
    lo, hi = wilson_interval(hits, closed + late, confidence)
    return CaseStatsResult(opened, closed, hits, 100.0 * hits / (closed + late), 100.0 * lo, 100.0 * hi, NAN,
                           confidence, late)
