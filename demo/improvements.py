"""Improvement actions for the demo, so a team lead's landing page has something to show."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from demo.metrics import employee_team_waves
from demo.org import OrgPlan

MIN_GROUP_SIZE = 5  # a baseline is a team score: never take one from a group smaller than this

# (title, description, dimension, status, updates as (days after creation, note, progress, status))
TEMPLATES = (
    ("Untangle hand-offs between phone and email queues",
     "Cases bounce between queues; agree one owner per case and a shared checklist.", "process",
     "in_progress", ((21, "Mapped the five most common hand-offs with the team.", 30, "in_progress"),
                     (49, "Single case owner piloted on billing queries.", 55, None))),
    ("Monthly recognition round-up",
     "Five minutes in the monthly huddle to name good work, nominated by peers.", "people", "done",
     ((14, "First round-up held; twelve nominations.", 50, "in_progress"),
      (45, "Now a fixed item on the huddle agenda.", 100, "done"))),
    ("Replace the knowledge-base search",
     "Agents cannot find answers quickly; trial the new search with IT.", "technology", "planned",
     ((10, "Requirements agreed with the IT service desk.", 10, None),)),
    ("Shorten the refund approval chain",
     "Refunds under £50 no longer need a second approval.", "process", "in_progress",
     ((30, "Finance agreed to raise the limit for a three-month trial.", 40, "in_progress"),)),
    ("Weekly store team huddles",
     "A short stand-up before opening to share what customers asked about.", "engagement", "in_progress",
     ((7, "Huddles running in the mornings; evenings next.", 35, "in_progress"),)),
)


def _baseline(scores: pd.DataFrame, team: int, dimension: str) -> float | None:
    rows = scores[(scores["team"] == team) & (scores["n"] >= MIN_GROUP_SIZE)].sort_values("wave")
    return None if rows.empty else round(float(rows.iloc[0][dimension]), 1)


def plan_actions(org: OrgPlan, calendar: pd.DataFrame, employee: pd.DataFrame) -> list[dict]:
    """Four actions in the first department (lead1's scope) and one in the second, with updates."""
    teams = org.teams
    leaf = org.leaf_teams
    first = leaf[teams["department"].to_numpy()[leaf] == 0]
    second = leaf[teams["department"].to_numpy()[leaf] == 1]
    targets = [int(first[i % len(first)]) for i in range(4)] + [int(second[0])]
    scores = employee_team_waves(employee, min_group_size=MIN_GROUP_SIZE)
    # Actions start just after the first wave closes, as they would after the first results.
    start = pd.Timestamp(calendar["emp_closes"].iloc[0]).to_pydatetime() + dt.timedelta(days=3)
    actions = []
    for i, (team, (title, description, dimension, status, updates)) in enumerate(zip(targets, TEMPLATES)):
        created = start + dt.timedelta(days=2 * i, hours=10)
        baseline = _baseline(scores, team, dimension)
        lead = int(teams.at[team, "lead"])
        actions.append(dict(
            team=team, owner=lead, title=title, description=description,
            metric=dimension, baseline=baseline,
            target=None if baseline is None else float(np.minimum(baseline + 10.0, 95.0)),
            due_on=(created + dt.timedelta(days=120)).date(), status=status, created_at=created,
            updates=[dict(author=lead, note=note, progress=progress, status=st,
                          created_at=created + dt.timedelta(days=days))
                     for days, note, progress, st in updates],
        ))
    return actions
