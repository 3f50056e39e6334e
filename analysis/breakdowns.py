"""Every breakdown test of a block of daily series, for every day at once, and the day-by-day BH selection.

:func:`evaluate` runs the sudden-drop tests (the day against the 28 days before it, each complete ISO
week on its Sunday against the 8 weeks before it, each calendar month on its last day against the three
months before it) and the weekly CUSUM (a shift candidate on each Sunday the CUSUM is above its decision
interval) on one metric's series; :func:`select` keeps, day by day, the candidates whose p-value is below
their kind's threshold and whose Benjamini-Hochberg q-value over that day's tests is below the FDR.
The scan (surveys/alerts) and the tuning simulations (tests/analysis/test_detection.py) share them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .detection import DEFAULTS, Defaults, benjamini_hochberg, cusum, drop_tests
from .series_sums import moments, window_sums

KINDS = ("sudden_day", "sudden_week", "sudden_month", "shift")
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Calendar:
    """Day indices of a run of consecutive dates: ISO week ends (Sundays) and month ends."""

    first: dt.date
    days: int
    week_ends: np.ndarray = field(repr=False)
    month_ends: np.ndarray = field(repr=False)
    month_lengths: np.ndarray = field(repr=False)
    month_base: np.ndarray = field(repr=False)  # days in the three months before each month

    @classmethod
    def of(cls, first: dt.date, days: int) -> Calendar:
        """The calendar of `days` consecutive dates from `first`."""
        dates = [first + dt.timedelta(days=i) for i in range(days)]
        week_ends = np.array([i for i, d in enumerate(dates) if d.weekday() == 6], dtype=int)
        month_ends = np.array([i for i, d in enumerate(dates) if (d + dt.timedelta(days=1)).day == 1], dtype=int)
        lengths = np.array([dates[i].day for i in month_ends], dtype=int)
        base = np.array([_days_before(dates[i].replace(day=1), 3) for i in month_ends], dtype=int)
        return cls(first, days, week_ends, month_ends, lengths, base)

    def date(self, index: int) -> dt.date:
        """The date of a day index."""
        return self.first + dt.timedelta(days=int(index))


def _days_before(month_start: dt.date, months: int) -> int:
    d = month_start
    for _ in range(months):
        d = (d - dt.timedelta(days=1)).replace(day=1)
    return (month_start - d).days


@dataclass(frozen=True)
class Tests:
    """Flat arrays, one entry per test: series index, day index, kind (index into KINDS), the drop test's
    fields, and ``began`` (day index the drop is estimated to have begun)."""

    series: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    p: np.ndarray
    drop: np.ndarray
    low: np.ndarray
    high: np.ndarray
    current: np.ndarray
    baseline: np.ndarray
    n_current: np.ndarray
    n_baseline: np.ndarray
    began: np.ndarray

    def __len__(self) -> int:
        return int(self.series.size)

    def take(self, mask) -> Tests:
        """The tests where `mask` is True."""
        return Tests(*(getattr(self, f)[mask] for f in self.__dataclass_fields__))

    @staticmethod
    def concat(parts: list[Tests]) -> Tests:
        """One Tests of several."""
        return Tests(*(np.concatenate([getattr(p, f) for p in parts]) for f in Tests.__dataclass_fields__))


def _flat(t, ends, kind: int, window) -> Tests:
    ok = np.isfinite(t.p)
    s, j = np.nonzero(ok)
    day = np.asarray(ends)[j]
    began = day - np.broadcast_to(np.asarray(window), np.asarray(ends).shape)[j] + 1
    return Tests(s, day, np.full(s.size, kind), t.p[ok], t.drop[ok], t.low[ok], t.high[ok], t.current[ok],
                 t.baseline[ok], t.n_current[ok].astype(int), t.n_baseline[ok].astype(int), began)


def weekly(x: np.ndarray, cal: Calendar) -> np.ndarray:
    """Daily sums (series x days) summed over each complete ISO week (series x weeks ending cal.week_ends)."""
    full = cal.week_ends[cal.week_ends >= 6]
    return window_sums(x, full, 7)


def evaluate(n, s1, s2, kind: str, cal: Calendar, *, scale: float = 1.0, params: Defaults = DEFAULTS,
             evaluate_from: int = 0) -> tuple[Tests, np.ndarray]:
    """All tests of one metric's series (series x days) on days from `evaluate_from`, and the weekly CUSUM.

    Returns
    -------
    (Tests, numpy.ndarray)
        The tests (p-values not yet thresholded), and the CUSUM statistic per series and day (the
        latest complete week's value carried to each day; 0 before the first week).
    """
    p = params
    parts = []
    days = np.arange(evaluate_from, cal.days)
    parts.append(_flat(drop_tests(n, s1, s2, kind, days, 1, 28, scale=scale, min_n=p.min_n_day,
                                  min_base_n=p.min_n_base), days, 0, 1))
    we = cal.week_ends[cal.week_ends >= max(evaluate_from, 6)]
    parts.append(_flat(drop_tests(n, s1, s2, kind, we, 7, 56, scale=scale, min_n=p.min_n_week,
                                  min_base_n=p.min_n_base), we, 1, 7))
    sel = cal.month_ends >= evaluate_from
    me, ml, mb = cal.month_ends[sel], cal.month_lengths[sel], cal.month_base[sel]
    parts.append(_flat(drop_tests(n, s1, s2, kind, me, ml, mb, scale=scale, min_n=p.min_n_month,
                                  min_base_n=p.min_n_base), me, 2, ml))
    full = cal.week_ends[cal.week_ends >= 6]
    wn, ws, wq = (weekly(a, cal) for a in (n, s1, s2))
    cs = cusum(wn, ws, wq, kind, k=p.cusum_k, h=p.cusum_h, base_periods=p.cusum_weeks,
               min_base_n=p.min_n_base, scale=scale, min_periods=p.cusum_min_weeks)
    parts.append(_shift_tests(cs, wn, ws, wq, kind, full, scale, evaluate_from, p.cusum_weeks))
    stat = np.zeros((wn.shape[0], cal.days))
    if full.size:
        idx = np.searchsorted(full, np.arange(cal.days), side="right") - 1
        stat = np.where(idx[None, :] >= 0, cs.stat[:, np.clip(idx, 0, None)], 0.0)
    return Tests.concat(parts), stat


def _shift_tests(cs, wn, ws, wq, kind, week_ends, scale, evaluate_from, base_weeks) -> Tests:
    """A drop test for each alarmed week: the weeks since the excursion began against the frozen baseline."""
    s, t = np.nonzero(cs.alarm & (week_ends[None, :] >= evaluate_from))
    start = cs.start[s, t]
    c = [np.concatenate([np.zeros((wn.shape[0], 1)), np.cumsum(a, axis=1)], axis=1) for a in (wn, ws, wq)]
    nc, sc, qc = (cc[s, t + 1] - cc[s, start] for cc in c)
    b0 = np.clip(start - base_weeks, 0, None)
    nb, sb, qb = (cc[s, start] - cc[s, b0] for cc in c)
    mc, vc = moments(kind, nc, sc, qc)
    mb, vb = moments(kind, nb, sb, qb)
    mp, vp = moments(kind, nc + nb, sc + sb, qc + qb)
    from scipy import stats
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = mb - mc
        z = drop / np.sqrt(vp * (1 / nc + 1 / nb))
        se = np.sqrt(vc / nc + vb / nb)
    pv = np.where(np.isfinite(z), stats.norm.sf(z), np.where(drop > 0, 0.0, 1.0))
    day = week_ends[t]
    began = week_ends[start] - 6
    return Tests(s, day, np.full(s.size, 3), pv, drop * scale, (drop - Z95 * se) * scale,
                 (drop + Z95 * se) * scale, mc * scale, mb * scale, nc.astype(int), nb.astype(int), began)


def alpha_of(kind: np.ndarray, params: Defaults = DEFAULTS) -> np.ndarray:
    """Each test's per-test threshold (a shift: the CUSUM alarm and its segment's p below alpha_shift)."""
    table = np.array([params.alpha_day, params.alpha_week, params.alpha_month, params.alpha_shift])
    return table[kind]


def select(tests: Tests, extra_p: tuple[np.ndarray, np.ndarray] | None = None, *,
           params: Defaults = DEFAULTS) -> tuple[np.ndarray, np.ndarray]:
    """Which tests are raised: p below their kind's threshold and BH q over the same day's tests < fdr.

    Parameters
    ----------
    tests : Tests
        Every test of every series (all metrics), any days.
    extra_p : (day, p), optional
        Other tests raised the same days (e.g. theme surges) that join each day's BH family.
    params : Defaults

    Returns
    -------
    (raised, q) : numpy.ndarray
        Boolean mask over `tests`, and the q-values of `tests` followed by those of `extra_p`.
    """
    days, ps = tests.day, tests.p
    if extra_p is not None:
        days, ps = np.concatenate([days, extra_p[0]]), np.concatenate([ps, extra_p[1]])
    q_all = np.full(ps.size, np.nan)
    order = np.argsort(days, kind="stable")
    bounds = np.flatnonzero(np.diff(days[order])) + 1
    for grp in np.split(order, bounds):
        if grp.size:
            q_all[grp] = benjamini_hochberg(np.clip(ps[grp], 0.0, 1.0))
    raised = (tests.p < alpha_of(tests.kind, params)) & (q_all[:len(tests)] < params.fdr)
    return raised, q_all
