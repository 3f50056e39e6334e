"""Goals planted in the demo: one for the organisation, one for lead1's department, one for a team.

Targets sit a little above the latest generated value (rounded up to a multiple of 5), so the goal
pages show progress still to make; every due date lies after the demo's "today".
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from analysis.metrics import is_favourable
from demo.improvements import CATALOGUE, department_teams
from demo.metrics import favourable
from demo.org import OrgPlan

# (key, metric, whose: "organisation" | "department" | "team", headroom in points, due, creator, note)
GOALS = (
    ("org-engagement", "engagement", "organisation", 5, dt.date(2027, 6, 30), 1,
     "Engagement up across Northwind by next summer."),
    ("care-process", "process", "department", 8, dt.date(2027, 3, 31), 0,
     "Customer Care's processes should help, not hinder: fewer hand-offs and approvals."),
    ("team-csat", "csat", "team", 5, dt.date(2027, 1, 29), 0,
     "Customers of our largest support team should leave satisfied."),
)
assert {p.goal for p in CATALOGUE if p.goal} <= {g[0] for g in GOALS}


def _up_to_five(value: float, headroom: float) -> float:
    return float(min(100, 5 * math.ceil((value + headroom) / 5)))


def plan_goals(org: OrgPlan, calendar: pd.DataFrame, employee: pd.DataFrame,
               customer: pd.DataFrame) -> list[dict]:
    """The planted goals with targets a little above the latest wave's value."""
    n = len(calendar)
    last_emp = employee[employee["wave"] == n]
    set_after = pd.Timestamp(calendar["emp_closes"].iloc[max(1, n - 3) - 1]).to_pydatetime()
    care = department_teams(org, 0)
    goals = []
    for i, (key, metric, whose, headroom, due, creator, note) in enumerate(GOALS):
        if whose == "organisation":
            team, rows = None, last_emp
        elif whose == "department":
            team, rows = 1, last_emp[last_emp["team"].isin(care)]  # team row 1 is the first department
        else:
            team = care[0]
            rows = customer[(customer["wave"] == n) & (customer["team"] == team)]
        if metric == "csat":
            current = float(is_favourable(rows["csat"], 1, 5).mean() * 100) if len(rows) else 50.0
        else:
            current = float(favourable(rows)[metric].mean() * 100) if len(rows) else 50.0
        goals.append(dict(key=key, metric=metric, team=team, target=_up_to_five(current, headroom),
                          due_on=due, note=note, created_by=creator,
                          created_at=set_after + dt.timedelta(days=2, hours=11, minutes=i)))
    return goals
