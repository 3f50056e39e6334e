"""The demo's business outcomes: churn per customer-facing team and month, complaints per touchpoint and month.

Both follow the planted customer latent Y of the owning team in that month's wave (demo/model.py), so they
move with CSAT, NPS and CES, and so with the previous month's engagement and process:

    churn_rate(j, t)  = clip(3.0 - 0.9 * Y_j,t + N(0, 0.25^2), 0.2, 15)   % of the team's accounts, n fixed per team
    complaints(p, t) ~ Poisson(exp(1.8 - 0.35 * Y_team(p),t))               per touchpoint

They are written through the importer itself (`tandem import outcomes`), after the main write, from their
own random stream (seed, 11): the rest of the demo is the same with or without them.
"""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from demo.generate import DemoData
from surveys.ingestion.outcomes import import_outcomes

STREAM = 11  # the outcomes' own random stream: np.random.default_rng((seed, STREAM))


def outcome_rows(data: DemoData) -> pd.DataFrame:
    """The outcome file's rows (period, unit, metric, value, n), deterministic in the demo's seed."""
    rng = np.random.default_rng((data.config.seed, STREAM))
    latents = data.latents[data.latents["wave"] >= 1].set_index(["team", "wave"])["cx"]
    labels = dict(zip(data.calendar["wave"], data.calendar["label"]))
    teams = data.org.teams
    owners = sorted(set(int(t) for t in data.org.touchpoints["team"]))
    accounts = {team: int(n) for team, n in zip(owners, rng.integers(300, 1200, len(owners)))}
    rows = []
    for wave, label in labels.items():
        for team in owners:
            y = latents.get((team, wave), np.nan)
            if np.isnan(y):
                continue
            churn = float(np.clip(3.0 - 0.9 * y + 0.25 * rng.standard_normal(), 0.2, 15.0))
            rows.append((label, teams["code"].iloc[team], "churn_rate", round(churn, 2), accounts[team]))
        for tp in data.org.touchpoints.itertuples():
            y = latents.get((int(tp.team), wave), 0.0)
            rows.append((label, tp.code, "complaints", int(rng.poisson(np.exp(1.8 - 0.35 * y))), None))
    return pd.DataFrame(rows, columns=["period", "unit", "metric", "value", "n"])


def write_outcomes(session: Session, data: DemoData) -> int:
    """Import the demo's outcomes (after the organisation is written); the number of figures. Flushes."""
    frame = outcome_rows(data)
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%g")
    today = (data.calendar["cx_closes"].iloc[-1] - dt.timedelta(days=1)).date()  # the demo's last day of data
    result = import_outcomes(session, io.BytesIO(text.encode()), today=today)
    if not result.ok:  # a bug in the generator, never the user's doing
        raise RuntimeError("demo outcomes rejected: " + "; ".join(map(str, result.errors[:3])))
    return result.created + result.updated
