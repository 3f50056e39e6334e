"""Difference in differences for actions: hand-worked numbers and a coverage simulation."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.effects import NOT_SHOWN, OTHER_WAY, TOO_FEW, WORKED, action_effect, effect_interval


def _frame(changes, before=60.0):
    rows = []
    for unit, ch in changes.items():
        rows += [(unit, 1, before), (unit, 2, before + ch)]
    return pd.DataFrame(rows, columns=["unit", "wave", "score"])


COMPARISON = {"c1": 0, "c2": 1, "c3": 2, "c4": 3, "c5": 4}


def test_comparison_spread_interval_hand_worked():
    # Treated changes 9, 11 (mean 10); comparison 0, 1, 2, 3, 4 (mean 2): effect 10 - 2 = 8.
    # Comparison variance s_c^2 = (4 + 1 + 0 + 1 + 4) / 4 = 2.5.
    # se^2 = 2.5 * (1/2 + 1/5) = 1.75, se = 1.3229; df = 5 - 1 = 4, t(0.975, 4) = 2.7764.
    # Half-width 2.7764 * 1.3229 = 3.6730: interval 4.327 to 11.673, above 0, so "worked".
    df = _frame({"t1": 9, "t2": 11, **COMPARISON})
    res = action_effect(df, ["t1", "t2"], "score", 1, 2, label="Process")
    assert res.effect == pytest.approx(8.0)
    assert (res.ci_low, res.ci_high) == pytest.approx((4.327, 11.673), abs=1e-3)
    assert (res.n_treated, res.n_control, res.df, res.method) == (2, 5, 4.0, "comparison")
    assert (res.treated_change, res.control_change) == pytest.approx((10.0, 2.0))
    assert res.verdict == WORKED
    assert res.sentence == ("Process rose 8 points more in the 2 teams with this action than in 5 comparable "
                            "teams (interval 4 to 12): it likely worked.")


def test_one_treated_team_and_the_other_verdicts():
    # One treated change 3: effect 1; se^2 = 2.5 * (1 + 1/5) = 3, half = 2.7764 * 1.7321 = 4.809.
    res = action_effect(_frame({"t": 3, **COMPARISON}), ["t"], "score", 1, 2, label="Culture", digits=1)
    assert (res.ci_low, res.ci_high) == pytest.approx((1 - 4.809, 1 + 4.809), abs=1e-3)
    assert res.verdict == NOT_SHOWN
    assert res.sentence == ("Culture rose 1.0 points more in the team with this action than in 5 comparable "
                            "teams (interval -3.8 to 5.8): not shown to have worked, as the interval includes "
                            "no change.")
    down = action_effect(_frame({"t": -8, **COMPARISON}), ["t"], "score", 1, 2, confidence=0.90)
    assert down.verdict == OTHER_WAY and down.ci_high < 0
    assert "score fell 10 points more" in down.sentence and "(90% interval" in down.sentence


def test_too_few_comparison_teams_gives_no_number():
    res = action_effect(_frame({"t": 9, "c1": 1, "c2": 2, "c3": 3, "c4": 2}), ["t"], "score", 1, 2)
    assert res.verdict == TOO_FEW and math.isnan(res.effect) and math.isnan(res.ci_low)
    assert res.n_control == 4 and res.sentence.startswith("Too few teams to tell")
    assert action_effect(_frame({"t": 9}), ["t"], "score", 1, 2).verdict == TOO_FEW
    fine = action_effect(_frame({"t": 9, "c1": 1, "c2": 2, "c3": 3, "c4": 2}), ["t"], "score", 1, 2,
                         min_comparison=4)
    assert fine.verdict == WORKED


def test_welch_method_matches_scipy():
    df = _frame({"t1": 8, "t2": 10, "t3": 12, "c1": 1, "c2": 2, "c3": 3, "c4": 2, "c5": 2})
    res = action_effect(df, ["t1", "t2", "t3"], "score", 1, 2, method="welch")
    ref = stats.ttest_ind([8, 10, 12], [1, 2, 3, 2, 2], equal_var=False).confidence_interval(0.95)
    assert (res.ci_low, res.ci_high) == pytest.approx((ref.low, ref.high))


def test_action_effect_edges():
    flat = action_effect(_frame({"t1": 3, "t2": 3, **{f"c{i}": 1 for i in range(5)}}), ["t1", "t2"], "score", 1, 2)
    assert flat.ci_low == flat.ci_high == 2.0 and flat.verdict == WORKED
    df = _frame({"t": 5, **COMPARISON})
    with pytest.raises(ValueError):
        action_effect(df, ["nobody"], "score", 1, 2)
    with pytest.raises(ValueError):
        action_effect(df, ["t"], "score", 1, 2, method="bootstrap")
    with pytest.raises(ValueError):
        action_effect(df, ["t"], "score", 1, 2, min_comparison=1)
    missing = _frame({"t1": 4, "t2": 6, **COMPARISON, "c6": 2})
    missing.loc[(missing.unit == "c6") & (missing.wave == 2), "score"] = np.nan
    assert action_effect(missing, ["t1", "t2"], "score", 1, 2).n_control == 5


def _simulate(n_treated, n_comparison, method, reps=2000, effect=6.0, sd=5.0, seed=0):
    """Coverage of the 95% interval: every team's change is noise with sd 5 points, the treated add 6."""
    rng = np.random.default_rng(seed)
    t = effect + rng.normal(0, sd, (reps, n_treated))
    c = rng.normal(0, sd, (reps, n_comparison))
    _d, lo, hi, _df = effect_interval(t, c, 0.95, method)
    return float(np.mean((lo <= effect) & (effect <= hi)))


@pytest.mark.parametrize("n_treated", [1, 2, 3])
@pytest.mark.parametrize("n_comparison", [10, 20, 30])
def test_comparison_interval_covers_the_true_effect_95_percent(n_treated, n_comparison):
    # With changes equally spread on both sides, (d - effect) / se is exactly t(n_c - 1), so coverage
    # is 95%; 2000 replications give a standard error of 0.5 points, and 0.93-0.97 is four of them.
    cover = _simulate(n_treated, n_comparison, "comparison", seed=n_treated * 100 + n_comparison)
    assert 0.93 <= cover <= 0.97


@pytest.mark.parametrize("n_treated, at_most", [(2, 0.91), (3, 0.94)])
def test_welch_on_the_treated_side_under_covers(n_treated, at_most):
    # Welch puts the treated teams' own variance in se: from two or three changes it has one or two
    # degrees of freedom, and when the few teams happen to agree the interval is far too narrow. The
    # Satterthwaite df does not make up for it: with 10, 20 and 30 comparison teams coverage is about
    # 0.90, 0.88, 0.87 with two treated teams and 0.93, 0.93, 0.92 with three, instead of 0.95 (and
    # worse the more comparison teams there are, as their small variance pulls the df towards n_t - 1).
    # Averaged over 12000 replications the standard error is 0.002: the bounds are 6 or more away.
    covers = [_simulate(n_treated, n_c, "welch", reps=4000, seed=n_c) for n_c in (10, 20, 30)]
    assert np.mean(covers) < at_most


def test_action_effect_agrees_with_the_vectorised_interval():
    rng = np.random.default_rng(3)
    changes = {f"t{i}": v for i, v in enumerate(rng.normal(6, 5, 2))}
    changes.update({f"c{i}": v for i, v in enumerate(rng.normal(0, 5, 12))})
    res = action_effect(_frame(changes), ["t0", "t1"], "score", 1, 2)
    d, lo, hi, df = effect_interval([changes["t0"], changes["t1"]], [changes[f"c{i}"] for i in range(12)])
    assert (res.effect, res.ci_low, res.ci_high, res.df) == pytest.approx((float(d), float(lo), float(hi), float(df)))


def test_an_effect_that_rounds_to_nothing_is_said_plainly():
    # Treated change 2.3 against comparison mean 2: effect 0.3, shown with no decimals as no difference.
    res = action_effect(_frame({"t": 2.3, **COMPARISON}), ["t"], "score", 1, 2, label="eNPS")
    assert res.sentence.startswith("eNPS changed as much in the team with this action as in 5 comparable teams")
    assert res.verdict == NOT_SHOWN
