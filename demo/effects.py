"""The planted actions' measured effects, straight from the generated frames (no database).

Mirrors how the app measures an action (surveys/insights/action_effects.py): difference in differences
of the team scores between the last wave before the start and the first wave after; comparison teams
are the department's teams without another started, not abandoned action on the same metric (the
organisation's when fewer than five remain); the interval takes its spread from the comparison teams'
changes, se² = s_c² (1/n_t + 1/n_c) with n_c - 1 df. Used by the tests and to write the README.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.effects import action_effect
from demo.metrics import employee_team_waves

MIN_COMPARISON = 5


def _comparison(data, action: dict, scores: pd.DataFrame) -> list[int]:
    teams = data.org.teams
    opens = pd.Timestamp(data.calendar["emp_opens"].iloc[action["after_wave"] - 1]).date()
    busy = {t for b in data.actions if b["metric"] == action["metric"] and b["status"] != "abandoned"
            and b["starts_on"] <= opens for t in b["teams"]} | set(action["teams"])
    pool = [int(t) for t in data.org.leaf_teams if t not in busy]
    measured = set(scores.loc[scores["wave"] == action["before_wave"], "team"]) & set(
        scores.loc[scores["wave"] == action["after_wave"], "team"])
    department = teams.at[action["teams"][0], "department"]
    local = [t for t in pool if teams.at[t, "department"] == department and t in measured]
    return local if len(local) >= MIN_COMPARISON else [t for t in pool if t in measured]


def measured_effects(data, confidence: float = 0.95) -> pd.DataFrame:
    """One row per action with a wave after its start: effect, interval, teams on each side, verdict."""
    scores = employee_team_waves(data.employee)
    rows = []
    for a in data.actions:
        if a["after_wave"] is None:
            continue
        comparison = _comparison(data, a, scores)
        frame = scores[scores["team"].isin(a["teams"] + comparison)]
        row = dict(key=a["key"], worked=a["worked"], metric=a["metric"], effect=math.nan, low=math.nan,
                   high=math.nan, n_treated=0, n_comparison=len(comparison), verdict="too few teams to tell")
        try:
            result = action_effect(frame, a["teams"], a["metric"], a["before_wave"], a["after_wave"],
                                   unit_col="team")
        except ValueError:  # no treated team reached the anonymity threshold in both waves
            rows.append(row)
            continue
        wide = frame.pivot(index="team", columns="wave", values=a["metric"])
        change = (wide[a["after_wave"]] - wide[a["before_wave"]]).dropna()
        spread = change[~change.index.isin(a["teams"])].std(ddof=1)
        nt, nc = result.n_treated, result.n_control
        row.update(effect=result.effect, n_treated=nt, n_comparison=nc)
        if nc >= MIN_COMPARISON:
            half = stats.t.ppf(0.5 + confidence / 2, nc - 1) * spread * np.sqrt(1 / nt + 1 / nc)
            low, high = result.effect - half, result.effect + half
            verdict = "worked" if low > 0 else "went the other way" if high < 0 else "not shown to have worked"
            row.update(low=low, high=high, verdict=verdict)
        rows.append(row)
    return pd.DataFrame(rows)
