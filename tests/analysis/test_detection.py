"""Breakdown detection: hand-worked test values, BH on the published example, and seeded simulations of
false alarms on stable touchpoints and the delay to detect planted drops and slides."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pytest

from analysis import _detection_sim as sim
from analysis import breakdowns
from analysis.breakdowns import Calendar, evaluate, select
from analysis.detection import DEFAULTS, benjamini_hochberg, cusum, drop_tests, surge_tests

START = dt.date(2025, 1, 6)  # a Monday


def test_day_drop_is_the_pooled_two_proportion_z_test():
    # 28 baseline days of 10 answers, 8 top-two (224/280 = 80%); the day: 10 of 20 (50%).
    n = np.array([[10.0] * 28 + [20.0]])
    s = np.array([[8.0] * 28 + [10.0]])
    t = drop_tests(n, s, s, "share", np.array([28]), 1, 28, scale=100, min_n=20, min_base_n=50)
    # By hand: pooled p = 234/300 = 0.78; se = sqrt(0.78*0.22*(1/20 + 1/280)) = 0.095880; z = 0.3/0.09588.
    z = 0.3 / math.sqrt(0.78 * 0.22 * (1 / 20 + 1 / 280))
    assert z == pytest.approx(3.1289, abs=1e-4)
    assert t.drop[0, 0] == pytest.approx(30.0)
    assert t.p[0, 0] == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=1e-9)
    # Agresti-Caffo: (225/282 - 11/22) +- 1.96 sqrt(.)
    pb, pc = 225 / 282, 11 / 22
    half = 1.959964 * math.sqrt(pb * (1 - pb) / 282 + pc * (1 - pc) / 22)
    assert t.low[0, 0] == pytest.approx(100 * (pb - pc - half), abs=1e-3)
    assert t.high[0, 0] == pytest.approx(100 * (pb - pc + half), abs=1e-3)


def test_too_few_respondents_give_no_test():
    n = np.array([[10.0] * 28 + [19.0]])
    s = n * 0.8
    assert np.isnan(drop_tests(n, s, s, "share", np.array([28]), 1, 28, min_n=20).p[0, 0])


def test_mean_drop_uses_the_pooled_variance():
    # Baseline: 60 answers of 5 and 60 of 7 (mean 6, sd); window: 20 answers of 4 and 20 of 6 (mean 5).
    n = np.array([[120.0, 40.0]])
    s1 = np.array([[60 * 5 + 60 * 7.0, 20 * 4 + 20 * 6.0]])
    s2 = np.array([[60 * 25 + 60 * 49.0, 20 * 16 + 20 * 36.0]])
    t = drop_tests(n, s1, s2, "mean", np.array([1]), 1, 1, min_n=20, min_base_n=50)
    allv = np.array([5] * 60 + [7] * 60 + [4] * 20 + [6] * 20, dtype=float)
    z = 1.0 / (allv.std(ddof=1) * math.sqrt(1 / 40 + 1 / 120))
    assert t.drop[0, 0] == pytest.approx(1.0)
    assert t.p[0, 0] == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=1e-9)


def test_bh_on_benjamini_hochberg_1995_example():
    # The 15 p-values of Benjamini & Hochberg (1995), section 4: four are rejected at q = 0.05.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
         0.6528, 0.7590, 1.000]
    q = benjamini_hochberg(p)
    assert int((q < 0.05).sum()) == 4
    assert q[3] == pytest.approx(0.0095 * 15 / 4)
    assert q[4] == pytest.approx(0.0201 * 15 / 5)


def test_surge_is_the_exact_conditional_poisson_test():
    counts = np.zeros((1, 63))
    counts[0, 0:56:7] = 1  # 8 mentions over the 8 baseline weeks
    counts[0, 60] = 10  # 10 in the week
    s = surge_tests(counts, np.array([62]), 7, 56, min_count=5)
    # P(X >= 10), X ~ Binomial(18, 1/9)
    p = sum(math.comb(18, x) * (1 / 9) ** x * (8 / 9) ** (18 - x) for x in range(10, 19))
    assert s.p[0, 0] == pytest.approx(p, rel=1e-6)
    assert s.ratio[0, 0] == pytest.approx(10.0)


def test_cusum_step_by_hand():
    # 26 baseline weeks of 100 answers at 80%, then a week at 60%.
    n = np.full((1, 27), 100.0)
    s = np.full((1, 27), 80.0)
    s[0, 26] = 60.0
    c = cusum(n, s, s, "share", k=0.75, h=9, base_periods=26, min_base_n=50, scale=100)
    z = 0.2 / (0.4 * math.sqrt(1 / 100 + 1 / 2600))
    assert c.stat[0, 26] == pytest.approx(z - 0.75)
    assert c.start[0, 26] == 26 and c.baseline[0, 26] == pytest.approx(80.0)
    assert not c.alarm[0, 26]


# -- simulations ---------------------------------------------------------------------------------------------

WARM = 200  # days before the measured period: the CUSUM's 26-week baseline


def _run(volume, series, days, seed, params=DEFAULTS, **plant):
    """Every raised test of simulated touchpoints (3 metrics), with BH over each day's tests."""
    rng = np.random.default_rng(seed)
    data = sim.simulate(rng, series, days, volume, **plant)
    cal = Calendar.of(START, days)
    parts = []
    for i, (m, (n, s1, s2)) in enumerate(data.items()):
        kind, scale = sim.KIND_OF[m]
        t, _stat = evaluate(n, s1, s2, kind, cal, scale=scale, params=params)
        parts.append(replace(t, series=t.series + i * series))
    tests = breakdowns.Tests.concat(parts)
    raised, _q = select(tests, params=params)
    return tests.take(raised)


def _alarms(r: breakdowns.Tests, series: int) -> int:
    """Distinct alarms: a touchpoint x metric x kind raised again within 28 days is the same open alert."""
    key = r.series * 10 + r.kind
    order = np.lexsort((r.day, key))
    k, d = key[order], r.day[order]
    new = np.ones(k.size, bool)
    new[1:] = (k[1:] != k[:-1]) | (d[1:] - d[:-1] > 28)
    return int(new.sum())


@pytest.mark.parametrize("volume", [1.5, 10.0])
def test_false_alarms_on_stable_touchpoints_stay_below_one_per_20_touchpoint_years(volume):
    series, years = 250, 1
    r = _run(volume, series, WARM + 365 * years, seed=11)
    r = r.take(r.day >= WARM)
    rate = _alarms(r, series) / (series * years)
    assert rate < 0.05, f"{rate:.3f} false alarms per touchpoint-year at {volume}/day (3 metrics, all kinds)"


def _delays(volume, ramp, size, series=150, seed=5):
    start = WARM + 100
    r = _run(volume, series, start + 150, seed, start=start, size=size, ramp=ramp)
    r = r.take(r.day >= start)
    first = np.full(series * 3, np.inf)
    np.minimum.at(first, r.series, r.day - start)
    return first.reshape(3, series).min(axis=0)  # per touchpoint, any metric


def test_sudden_drop_at_ten_a_day_is_caught_at_the_end_of_its_week():
    delay = _delays(10.0, ramp=1, size=30)
    assert np.median(delay) <= 7 and np.mean(delay <= 14) >= 0.95, f"within 7 days: {np.mean(delay <= 7):.2f}"


def test_fifteen_point_drop_at_ten_a_day_is_caught_by_the_month_test():
    delay = _delays(10.0, ramp=1, size=15)
    assert np.median(delay) <= 35, f"median delay {np.median(delay)} days"


def test_fifteen_point_slide_over_two_months_at_ten_a_day():
    delay = _delays(10.0, ramp=60, size=15)
    # Measured: median about 8 weeks (the false-alarm budget does not allow six at this volume).
    assert np.median(delay) <= 63, f"median delay {np.median(delay)} days; within 42: {np.mean(delay <= 42):.2f}"
    assert np.mean(delay <= 90) >= 0.9


def test_thirty_point_slide_at_demo_volume_is_caught():
    delay = _delays(1.5, ramp=60, size=30)
    assert np.median(delay) <= 84, f"median delay {np.median(delay)} days; within 42: {np.mean(delay <= 42):.2f}"


def test_a_window_ending_before_the_series_began_is_empty():
    """A baseline window before day 0 (a short series) sums to nothing instead of wrapping around."""
    from analysis.series_sums import window_sums

    x = np.arange(1.0, 16.0).reshape(1, 15)  # 15 days: 1, 2, ..., 15
    got = window_sums(x, np.array([-22, -1, 0, 6, 14]), 7)
    assert got.tolist() == [[0.0, 0.0, 1.0, 28.0, 9.0 + 10 + 11 + 12 + 13 + 14 + 15]]
