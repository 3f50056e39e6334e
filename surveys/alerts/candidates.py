"""Every alert candidate of a scan, computed at once over arrays: sudden drops, shifts, theme surges and goals.

A candidate is one (touchpoint, metric, kind) condition holding on one day with its statistics; the scan
turns the day's candidates into new or updated alerts. Severity (documented in the README):
high when the drop is at least LARGE points (CSAT and NPS: 15 points; CES: 0.75) or a theme's weekly
mentions tripled; medium when at least half of that; low otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from analysis.breakdowns import KINDS, Calendar, Tests, evaluate, select
from analysis.detection import Defaults, surge_tests
from analysis.series_sums import moments, window_sums
from surveys.alerts.series import METRIC_KIND, CustomerArrays, ThemeArrays

LARGE = {"csat": 15.0, "nps": 15.0, "ces": 0.75}
THEME_WEEKS = 8


@dataclass(frozen=True)
class Candidate:
    """One condition on one day, with the numbers an alert stores."""

    day: int
    touchpoint_id: int
    metric: str
    kind: str
    began: int
    baseline: float | None
    baseline_n: int | None
    current: float | None
    current_n: int | None
    drop: float | None
    low: float | None
    high: float | None
    p: float | None
    q: float | None
    severity: str
    theme_id: int | None = None


def severity(metric: str, drop: float | None, ratio: float | None = None) -> str:
    """high / medium / low by the size of the drop (see the module docstring)."""
    if ratio is not None:
        return "high" if ratio >= 3 else "medium"
    large = LARGE.get(metric, 15.0)
    if drop is None or not np.isfinite(drop):
        return "medium"
    return "high" if drop >= large else "medium" if drop >= large / 2 else "low"


def _f(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def drop_candidates(arrays: CustomerArrays, cal: Calendar, claimed: np.ndarray, params: Defaults,
                    themes: ThemeArrays | None) -> tuple[list[Candidate], dict, int, dict[int, int]]:
    """(raised candidates of the sudden, shift and theme tests; CUSUM stats per metric; tests; tests per day)."""
    metrics = list(arrays.data)
    T = arrays.touchpoint_ids.size
    start = int(np.flatnonzero(claimed)[0]) if claimed.any() else cal.days
    parts, stats = [], {}
    for i, m in enumerate(metrics):
        kind, scale = METRIC_KIND[m]
        n, s1, s2 = arrays.data[m]
        t, stat = evaluate(n, s1, s2, kind, cal, scale=scale, params=params, evaluate_from=start)
        parts.append(replace(t, series=t.series + i * T))
        stats[m] = stat
    tests = Tests.concat(parts) if parts else None
    if tests is not None:
        tests = tests.take(claimed[tests.day])
    surge = _surges(themes, cal, claimed, params)
    extra = (surge[0], surge[1]) if surge is not None else None
    per_day: dict[int, int] = {}
    out: list[Candidate] = []
    if tests is not None:
        raised, q_all = select(tests, extra, params=params)
        for d in np.concatenate([tests.day, extra[0] if extra else np.array([], int)]):
            per_day[int(d)] = per_day.get(int(d), 0) + 1
        q = q_all[:len(tests)]
        for j in np.flatnonzero(raised):
            m = metrics[tests.series[j] // T]
            drop = _f(tests.drop[j])
            out.append(Candidate(int(tests.day[j]), int(arrays.touchpoint_ids[tests.series[j] % T]), m,
                                 KINDS[tests.kind[j]], int(tests.began[j]), _f(tests.baseline[j]),
                                 int(tests.n_baseline[j]), _f(tests.current[j]), int(tests.n_current[j]), drop,
                                 _f(tests.low[j]), _f(tests.high[j]), _f(tests.p[j]), _f(q[j]),
                                 severity(m, drop)))
        if extra is not None:
            qs = q_all[len(tests):]
            out += _surge_candidates(surge, qs, themes, params)
    n_tests = (len(tests) if tests is not None else 0)
    return out, stats, n_tests, per_day


def _surges(themes: ThemeArrays | None, cal: Calendar, claimed: np.ndarray, params: Defaults):
    """(day, p, pair index, count, expected, ratio) of every testable weekly theme count on claimed Sundays."""
    if themes is None or not themes.pairs:
        return None
    we = cal.week_ends[(cal.week_ends >= 6)]
    we = we[claimed[we]]
    if not we.size:
        return None
    s = surge_tests(themes.counts, we, 7, 7 * THEME_WEEKS, min_count=5)
    ok = np.isfinite(s.p)
    pair, j = np.nonzero(ok)
    return we[j], s.p[ok], pair, s.count[ok], s.expected[ok], s.ratio[ok]


def _surge_candidates(surge, q, themes: ThemeArrays, params: Defaults) -> list[Candidate]:
    day, p, pair, count, expected, ratio = surge
    out = []
    for j in np.flatnonzero((p < params.alpha_surge) & (q < params.fdr)):
        tp, theme = themes.pairs[pair[j]]
        rise = count[j] - expected[j]
        # Normal interval of (window count - baseline rate scaled to a week): Poisson variances.
        se = float(np.sqrt(count[j] + expected[j] / THEME_WEEKS))
        out.append(Candidate(int(day[j]), tp, f"theme:{theme}", "emerging_theme", int(day[j]) - 6,
                             float(expected[j]), None, float(count[j]), None, float(rise), float(rise - 1.96 * se),
                             float(rise + 1.96 * se), float(p[j]), float(q[j]),
                             severity("", None, _f(ratio[j]) or 99.0), theme))
    return out


def weekly_values(arrays: CustomerArrays, cal: Calendar, metric: str, ends: np.ndarray, length: int = 7
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(value on the report scale, n) of each touchpoint over the `length` days ending at each of `ends`."""
    kind, scale = METRIC_KIND[metric]
    n, s1, s2 = (window_sums(a, ends, length) for a in arrays.data[metric])
    m, _v = moments(kind, n, s1, s2)
    return m * scale, n


def below_target_candidates(arrays: CustomerArrays, cal: Calendar, claimed: np.ndarray,
                            goals: list[tuple[int, str, float]], periods: int, min_n: int) -> list[Candidate]:
    """Touchpoints under a goal's target for `periods` complete weeks in a row, on each claimed Sunday.

    `goals` lists (touchpoint id, metric, target). A week counts as missed when its value is below the
    target with at least `min_n` respondents; a week with fewer breaks no run and extends none.
    """
    out = []
    we = cal.week_ends[cal.week_ends >= 6]
    index = {int(t): i for i, t in enumerate(arrays.touchpoint_ids)}
    for tp, metric, target in goals:
        if tp not in index or metric not in arrays.data or not we.size:
            continue
        v, n = weekly_values(arrays, cal, metric, we)
        v, n = v[index[tp]], n[index[tp]]
        run, first = 0, 0
        for w in range(we.size):
            if n[w] < min_n:
                continue
            if v[w] < target:
                run, first = run + 1, (w if run == 0 else first)
            else:
                run = 0
            if run >= periods and claimed[we[w]]:
                gap = target - v[w]
                out.append(Candidate(int(we[w]), tp, metric, "below_target", int(we[first]) - 6, float(target),
                                     None, float(v[w]), int(n[w]), float(gap), None, None, None, None,
                                     severity(metric, gap)))
    return out
