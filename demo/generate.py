"""Generate the whole demo data set as frames: a pure function of the configuration and its seed.

All randomness comes from one numpy Generator seeded with `config.seed`, consumed in a fixed order,
and every date hangs off a fixed anchor (the last wave is October 2026), so the same configuration
always yields identical frames. Only invitation tokens are left random on purpose (see writer.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from demo.answers import customer_counts, customer_responses, employee_responses, latent_cube, unique_ids
from demo.breakdowns import plant_breakdowns
from demo.goals import plan_goals
from demo.improvements import plan_actions, planted_lift, with_baselines
from demo.model import DEFAULT_MODEL, PlantedModel, simulate_latents
from demo.org import OrgPlan, plan_organisation

LAST_WAVE_MONTH = (2026, 10)  # the anchor: waves are the months up to and including this one
EMPLOYEE_WAVE_DAYS = 14


@dataclass(frozen=True)
class DemoConfig:
    """Size and shape of a demo build."""

    seed: int = 7
    teams: int = 40
    waves: int = 6
    team_size: tuple[int, int] = (6, 14)          # employees per team, lead not included
    cx_per_touchpoint: tuple[int, int] = (20, 60)  # customer responses per touchpoint and wave ...
    cx_total: int | None = None                   # ... or exactly this many in all (large build)
    response_rate: float = 0.8
    employee_comment_rate: float = 0.25
    customer_comment_rate: float = 0.2
    model: PlantedModel = field(default=DEFAULT_MODEL)
    breakdowns: bool = True  # plant the two service breakdowns (demo/breakdowns.py) when the data allow


LARGE = DemoConfig(teams=500, waves=12, team_size=(14, 28), cx_total=1_000_000,
                   employee_comment_rate=0.1, customer_comment_rate=0.0)


@dataclass(frozen=True)
class DemoData:
    """Everything the writer inserts, plus the latent scores behind it (for checks and docs)."""

    config: DemoConfig
    org: OrgPlan
    calendar: pd.DataFrame     # wave, label, emp_opens, emp_closes, cx_opens, cx_closes
    latents: pd.DataFrame      # team, wave (0 = unobserved prior), five dimensions, cx
    invitations: pd.DataFrame  # wave, person, answered_at (NaT when not answered; never stored)
    employee: pd.DataFrame     # response_id, wave, team, submitted_on, one column per question
    customer: pd.DataFrame     # response_id, wave, team, touchpoint, submitted_on, csat, nps, ces, comment
    actions: list[dict]        # planted improvement actions (improvements.py), with their baselines
    goals: list[dict]          # planted goals (goals.py)


def wave_calendar(n_waves: int) -> pd.DataFrame:
    """Monthly waves ending at LAST_WAVE_MONTH: employee waves run 14 days from the 1st, customer
    waves the whole month. Labels are 'YYYY-MM' and identical in both programs."""
    year, month = LAST_WAVE_MONTH
    rows = []
    for k in range(n_waves):
        index = year * 12 + month - 1 - (n_waves - 1 - k)
        first = dt.datetime(index // 12, index % 12 + 1, 1)
        nxt = dt.datetime((index + 1) // 12, (index + 1) % 12 + 1, 1)
        rows.append(dict(wave=k + 1, label=first.strftime("%Y-%m"), emp_opens=first,
                         emp_closes=first + dt.timedelta(days=EMPLOYEE_WAVE_DAYS), cx_opens=first,
                         cx_closes=nxt))
    return pd.DataFrame(rows)


def generate(config: DemoConfig = DemoConfig()) -> DemoData:
    """Build every frame of the demo from `config` alone (no database, no clock)."""
    if config.waves < 1:
        raise ValueError("The demo needs at least one wave.")
    rng = np.random.default_rng(config.seed)
    org = plan_organisation(rng, config.teams, config.team_size)
    calendar = wave_calendar(config.waves)
    teams = org.leaf_teams
    facing = org.teams["customer_facing"].to_numpy()[teams]
    # The actions are placed before the latents are drawn: the ones that worked lift them.
    actions = plan_actions(org, calendar)
    lift = planted_lift(actions, teams, config.waves, config.model)
    latents = simulate_latents(rng, teams, config.waves, config.model, groups=facing, lift=lift)
    cube = latent_cube(latents, teams, config.waves)
    invitations, employee = employee_responses(rng, org, cube, teams, calendar, config.model,
                                               config.response_rate, config.employee_comment_rate)
    counts = customer_counts(rng, config.waves, len(org.touchpoints), config.cx_per_touchpoint,
                             config.cx_total)
    customer = customer_responses(rng, org, cube, teams, calendar, config.model, counts,
                                  config.customer_comment_rate)
    ids = unique_ids(rng, len(employee) + len(customer))
    employee.insert(0, "response_id", ids[: len(employee)])
    customer.insert(0, "response_id", ids[len(employee):])
    actions = with_baselines(actions, employee, calendar)
    goals = plan_goals(org, calendar, employee, customer)
    if config.breakdowns and config.cx_total is None:  # the benchmark set keeps its exact size
        customer, latents = plant_breakdowns(customer, latents, org.touchpoints, cube, teams, calendar, config.model,
                                             config.seed)
    return DemoData(config, org, calendar, latents, invitations, employee, customer, actions, goals)
