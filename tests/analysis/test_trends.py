"""Wave-to-wave change and breakdown detection."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from analysis.trends import detect_breakdowns, mean_change, proportion_change, wave_change


def test_newcombe_interval_matches_published_example():
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 vs 48/80, difference 0.2000,
    # hybrid score interval (method 10) 0.0524 to 0.3339.
    res = proportion_change(100 * 48 / 80, 80, 100 * 56 / 70, 70)
    assert res.change == pytest.approx(20.0)
    assert res.ci_low == pytest.approx(5.24, abs=0.005)
    assert res.ci_high == pytest.approx(33.39, abs=0.005)
    assert res.significant and res.method == "newcombe"
    lo, hi = confint_proportions_2indep(56, 70, 48, 80, method="newcomb")
    assert (res.ci_low, res.ci_high) == pytest.approx((100 * lo, 100 * hi))
    assert wave_change((60.0, 80), (80.0, 70)) == res


def test_proportion_change_edges():
    assert math.isnan(proportion_change(50, 0, 60, 10).change)
    same = proportion_change(0.0, 10, 0.0, 10)
    assert same.change == 0 and same.ci_low < 0 < same.ci_high and not same.significant
    with pytest.raises(ValueError):
        proportion_change(120, 10, 50, 10)


def test_mean_change_matches_welch():
    a = [3.0, 4.0, 5.0, 4.0, 3.5, 4.5]
    b = [5.0, 6.0, 5.5, 6.5, 7.0]
    res = mean_change(a, b)
    ref = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert res.change == pytest.approx(np.mean(b) - np.mean(a))
    assert (res.ci_low, res.ci_high) == pytest.approx((ref.low, ref.high))
    assert res.significant and (res.n_before, res.n_after) == (6, 5)


def test_mean_change_edges():
    one = mean_change([3.0], [4.0, 5.0])
    assert one.change == pytest.approx(1.5) and math.isnan(one.ci_low)
    flat = mean_change([3, 3], [4, 4])
    assert flat.ci_low == flat.ci_high == 1.0
    assert math.isnan(mean_change([], [1, 2]).change)


def _series():
    rows = []
    for w, s in zip(range(1, 7), [80, 81, 79, 80, 80, 62]):  # checkout drops in wave 6
        rows.append(("checkout", w, s, 200))
    for w, s in zip(range(1, 7), [60, 61, 59, 60, 58, 59]):  # support: flat but below target
        rows.append(("support", w, s, 200))
    rows.append(("new", 6, 70, 50))
    return pd.DataFrame(rows, columns=["touchpoint", "wave", "score", "n"])


def test_detect_breakdowns_flags_drop_and_persistence():
    out = {r.touchpoint: r for r in detect_breakdowns(_series(), target=65)}
    co = out["checkout"]
    # Baseline = waves 2-5 pooled (n-weighted): (81 + 79 + 80 + 80) / 4 = 80.
    assert co.baseline == pytest.approx(80.0) and co.drop == pytest.approx(18.0)
    ref = proportion_change(62, 200, 80, 800)
    assert (co.ci_low, co.ci_high) == pytest.approx((ref.ci_low, ref.ci_high))
    assert co.significant and not co.persistent and "significant drop" in co.sentence
    sp = out["support"]
    assert not sp.significant and sp.persistent and "consecutive" in sp.sentence
    new = out["new"]
    assert math.isnan(new.baseline) and not new.significant and "no earlier waves" in new.sentence


def test_detect_breakdowns_for_means():
    df = pd.DataFrame({"touchpoint": "app", "wave": [1, 2, 3, 4],
                       "score": [5.5, 5.6, 5.4, 4.8], "n": [100, 100, 100, 100], "sd": [1.0, 1.0, 1.0, 1.0]})
    (res,) = detect_breakdowns(df, baseline_waves=3)
    assert res.baseline == pytest.approx(5.5) and res.drop == pytest.approx(0.7)
    assert res.significant and not res.persistent
    with pytest.raises(ValueError):
        detect_breakdowns(df.drop(columns="n"))
