"""The demo's business outcomes: deterministic in the seed, tied to the planted customer latent (churn falls as
it rises), one churn figure per customer-facing team and month and one complaints figure per touchpoint."""
from __future__ import annotations

import numpy as np
import pandas as pd

from demo import DemoConfig, generate
from demo.outcomes import outcome_rows


def test_same_seed_same_outcomes_and_churn_follows_the_customer_latent():
    data = generate(DemoConfig(seed=7))
    rows = outcome_rows(data)
    pd.testing.assert_frame_equal(rows, outcome_rows(generate(DemoConfig(seed=7))))
    assert not rows.equals(outcome_rows(generate(DemoConfig(seed=8))))
    churn, complaints = rows[rows["metric"] == "churn_rate"], rows[rows["metric"] == "complaints"]
    months = data.config.waves
    assert len(complaints) == months * len(data.org.touchpoints)
    assert len(churn) == months * data.org.touchpoints["team"].nunique()
    code_of = dict(enumerate(data.org.teams["code"]))
    label_of = dict(zip(data.calendar["wave"], data.calendar["label"]))
    latents = data.latents.assign(unit=data.latents["team"].map(code_of), period=data.latents["wave"].map(label_of))
    joined = churn.merge(latents, on=["unit", "period"])
    assert len(joined) == len(churn)
    assert np.corrcoef(joined["value"].astype(float), joined["cx"])[0, 1] < -0.8
    assert churn.groupby("unit")["n"].nunique().max() == 1  # accounts fixed per team
