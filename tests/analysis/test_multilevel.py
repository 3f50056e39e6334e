"""Between/within mixed model (analysis.linkage.multilevel)."""
import math
import warnings
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from analysis.linkage import multilevel


def _ratings(seed=5, n_teams=40, waves=3, per=15):
    """Simulated truth: rating = 2 + 0.8 * team mean EX + 0.3 * within-team change + u_team + e."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(n_teams):
        base = rng.normal()
        u = rng.normal(scale=0.5)
        for w in range(waves):
            ex = base + rng.normal(scale=0.7)
            rows.append(pd.DataFrame({"team": t, "wave": w, "engagement score": ex, "_base": base,
                                      "_u": u}, index=range(per)))
    df = pd.concat(rows, ignore_index=True)
    mean = df.groupby("team")["engagement score"].transform("mean")
    df["rating"] = 2 + 0.8 * mean + 0.3 * (df["engagement score"] - mean) + df["_u"] + rng.normal(size=len(df))
    return df


def test_multilevel_recovers_between_and_within_effects():
    df = _ratings()
    res = multilevel(df, ["engagement score"], "rating", "team")
    assert res.converged and res.n_groups == 40 and res.n_obs == len(df)
    between, within = res.term("engagement score_between"), res.term("engagement score_within")
    # Simulation check: true values 0.8 and 0.3 lie inside the intervals.
    assert between.ci_low < 0.8 < between.ci_high
    assert within.ci_low < 0.3 < within.ci_high
    assert within.p_value < 0.05
    assert [t.term for t in res.terms] == ["Intercept", "engagement score_between", "engagement score_within"]
    assert isinstance(asdict(res)["terms"][1]["coef"], float)


def test_multilevel_convergence_warning_is_reported_not_raised(monkeypatch):
    original = MixedLM.fit

    def noisy_fit(self, *args, **kwargs):
        warnings.warn("simulated", ConvergenceWarning)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MixedLM, "fit", noisy_fit)
    res = multilevel(_ratings(n_teams=10), ["engagement score"], "rating", "team")
    assert res.converged is False and "converge" in res.note


def test_multilevel_degenerate_inputs_do_not_raise():
    df = _ratings(n_teams=3)
    one = multilevel(df[df.team == 0], ["engagement score"], "rating", "team")
    assert not one.converged and math.isnan(one.terms[1].coef)
    # A predictor constant within teams has no within part to estimate.
    flat = multilevel(df, ["_base"], "rating", "team")
    assert not flat.converged and "no variation" in flat.note
    with pytest.raises(ValueError):
        multilevel(df, ["nope"], "rating", "team")
