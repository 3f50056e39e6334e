"""Difference in differences for actions."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.effects import action_effect


def _frame(changes, before=60.0):
    rows = []
    for unit, ch in changes.items():
        rows += [(unit, 1, before), (unit, 2, before + ch)]
    return pd.DataFrame(rows, columns=["unit", "wave", "score"])


def test_did_with_welch_interval_hand_checked():
    # Treated changes 8, 10, 12 (mean 10); control 1, 2, 3, 2 (mean 2): effect 8.
    df = _frame({"t1": 8, "t2": 10, "t3": 12, "c1": 1, "c2": 2, "c3": 3, "c4": 2})
    res = action_effect(df, ["t1", "t2", "t3"], "score", 1, 2)
    assert res.effect == pytest.approx(8.0)
    assert (res.treated_change, res.control_change) == pytest.approx((10.0, 2.0))
    ref = stats.ttest_ind([8, 10, 12], [1, 2, 3, 2], equal_var=False).confidence_interval(0.95)
    assert (res.ci_low, res.ci_high) == pytest.approx((ref.low, ref.high))
    assert (res.n_treated, res.n_control) == (3, 4)
    assert "difference of 8.0" in res.sentence


def test_single_treated_unit_uses_prediction_interval():
    # One treated change 9; controls 1, 2, 3 (mean 2, sd 1): se = 1 * sqrt(1 + 1/3), df = 2.
    df = _frame({"t": 9, "c1": 1, "c2": 2, "c3": 3})
    res = action_effect(df, ["t"], "score", 1, 2, confidence=0.90)
    half = stats.t.ppf(0.95, 2) * math.sqrt(1 + 1 / 3)
    assert res.effect == pytest.approx(7.0)
    assert (res.ci_low, res.ci_high) == pytest.approx((7 - half, 7 + half))


def test_action_effect_edges():
    df = _frame({"t": 5, "c": 1})
    one_each = action_effect(df, ["t"], "score", 1, 2)
    assert one_each.effect == 4 and math.isnan(one_each.ci_low) and "too few" in one_each.sentence
    flat = action_effect(_frame({"t1": 3, "t2": 3, "c1": 1, "c2": 1}), ["t1", "t2"], "score", 1, 2)
    assert flat.ci_low == flat.ci_high == 2.0
    with pytest.raises(ValueError):
        action_effect(df, ["nobody"], "score", 1, 2)
    with pytest.raises(ValueError):
        action_effect(df, ["t", "c"], "score", 1, 2)
    missing = _frame({"t1": 4, "t2": 6, "c1": 1, "c2": 3, "c3": 2})
    missing.loc[(missing.unit == "c3") & (missing.wave == 2), "score"] = np.nan
    assert action_effect(missing, ["t1", "t2"], "score", 1, 2).n_control == 2
