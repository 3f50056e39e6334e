"""Improvement actions planted in the demo's history: some worked, some did not, some are overdue.

The catalogue below is the story; `plan_actions` places it on the organisation and the calendar
without drawing a random number, `planted_lift` turns the actions that worked into the latent lift
the model adds (model.py), and `with_baselines` freezes each action's baseline from the generated
answers, as the app does when an action is created.

Worked or not is planted, measured is chance: a team of ~10 respondents moves ~19 points favourable
between waves by chance alone, so even the large planted lift (model.action_lift, ~+25 points) is shown
to have worked (interval above zero) only one time in four to two for 2-3 teams measured against their
department, and three times in four for 4 teams against the organisation. The working actions' teams
and metrics were chosen so that the default build (seed 7) shows all three as having worked and none
of the others; tests/surveys/test_demo_actions.py checks that, and checks over other seeds that the
planted lift, not luck, is what the measurement recovers on average.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.summaries import Sums, estimate
from demo.metrics import favourable
from demo.model import DIMENSIONS, PlantedModel
from demo.org import OrgPlan

MIN_GROUP_SIZE = 5  # a baseline is a team score: never take one from a group smaller than this
START_DAYS = 5      # an action starts five days after the wave whose results prompted it closed


@dataclass(frozen=True)
class Plan:
    """One planted action. Team positions count the department's teams from the largest."""

    key: str
    title: str
    description: str
    department: int               # 0 is lead1's department (Customer Care in the default demo)
    metric: str
    teams: tuple[int, ...]
    worked: bool                  # the model lifts `metric` in these teams after the start
    waves_back: int               # starts after wave n - waves_back closes (0: after the last wave)
    due_on: dt.date
    owner: str = "department"     # the department's lead (lead1@ for department 0) or "team" lead
    created_by: str = "owner"     # "owner" or "hr"
    visibility: str = "leaders"
    source: str = "manual"
    goal: str | None = None       # key of a planted goal (demo/goals.py) when source is "goal"
    # Checklist: (text, when it was ticked as a share of the time from start to today; None: open).
    steps: tuple[tuple[str, float | None], ...] = ()
    # Progress notes: (share of the time from start to today, note, new status or None).
    notes: tuple[tuple[float, str, str | None], ...] = ()
    abandon_reason: str | None = None

    @property
    def status(self) -> str:
        """The status after the last note that changed it."""
        return next((s for _f, _n, s in reversed(self.notes) if s), "planned")


CATALOGUE = (
    Plan("handoffs", "Untangle hand-offs between phone and email queues",
         "Cases bounce between queues; agree one owner per case and a shared checklist.", 0, "process",
         (0, 1), True, 3, dt.date(2027, 1, 29), visibility="published", source="focus",
         steps=(("Map the most common hand-offs with both teams", 0.15), ("Agree one owner per case", 0.3),
                ("Pilot single ownership on billing queries", 0.55), ("Roll out to every queue", None)),
         notes=((0.02, "Kick-off with both teams; everyone has seen the process results.", "in_progress"),
                (0.2, "Mapped the five most common hand-offs.", None),
                (0.6, "Single case owner piloted on billing queries: far fewer bounced cases.", None))),
    Plan("recognition", "Monthly recognition round-up",
         "Five minutes in the monthly huddle to name good work, nominated by peers.", 0, "people",
         (2,), False, 2, dt.date(2026, 12, 18), owner="team", visibility="published",
         steps=(("Set up the nomination form", 0.1), ("Hold the first round-up", 0.3),
                ("Make it a fixed item on the huddle agenda", 0.7)),
         notes=((0.05, "Nomination form is live.", "in_progress"),
                (0.35, "First round-up held; twelve nominations.", None),
                (0.75, "Now a fixed item on the huddle agenda.", "done"))),
    Plan("kb-search", "Replace the knowledge-base search",
         "Agents cannot find answers quickly; trial the new search with IT.", 0, "technology",
         (3,), False, 3, dt.date(2026, 9, 30),
         steps=(("Agree requirements with the IT service desk", 0.1), ("Run a two-week trial", None),
                ("Switch every agent over", None)),
         notes=((0.05, "Requirements agreed with the IT service desk.", "in_progress"),
                (0.25, "Waiting for IT to provide the trial licence.", None))),
    Plan("refunds", "Shorten the refund approval chain",
         "Refunds under £50 no longer need a second approval.", 0, "process",
         (4,), False, 2, dt.date(2026, 10, 9), created_by="hr", source="goal", goal="care-process",
         steps=(("Agree a trial limit with Finance", 0.2), ("Update the refund guide", 0.5),
                ("Train the team on the new limit", None), ("Review refund errors after a month", None)),
         notes=((0.05, "Started with Finance.", "in_progress"),
                (0.3, "Finance agreed to raise the limit for a three-month trial.", None),
                (0.55, "Refund guide updated; training still to book.", None))),
    Plan("quiet-hour", "A quiet hour for the chat queue",
         "One hour a day without new chats, for follow-ups and learning.", 0, "culture",
         (5,), False, 3, dt.date(2026, 12, 11), owner="team", source="focus",
         steps=(("Agree the hour with workforce planning", 0.2), ("Try it for four weeks", None)),
         notes=((0.05, "Asked workforce planning for a slot.", "in_progress"),
                (0.45, "Abandoned: the queue cannot spare the hour during the channel launch.", "abandoned")),
         abandon_reason="The chat queue could not spare an hour a day while the new messaging channel "
                        "launched; the follow-ups are now part of the hand-offs action."),
    Plan("coaching", "Coaching circles for new starters",
         "New starters meet an experienced colleague every fortnight for their first three months.", 0,
         "people", (6,), False, 0, dt.date(2027, 2, 26),
         steps=(("Pair each new starter with a coach", None), ("First circle", None),
                ("Ask the new starters how it went", None))),
    Plan("huddles", "Weekly store team huddles",
         "A short stand-up before opening to share what customers asked about.", 1, "culture",
         (0, 1, 2), True, 3, dt.date(2026, 12, 31), visibility="published",
         steps=(("Agree a time that suits both shifts", 0.05), ("Run huddles before morning opening", 0.2),
                ("Extend to the evening shift", 0.6)),
         notes=((0.02, "Huddles start on Monday.", "in_progress"),
                (0.3, "Huddles running in the mornings; evenings next.", None),
                (0.7, "Both shifts huddle every week now.", "done"))),
    Plan("rota-app", "A rota app for shift swaps",
         "Swap shifts in an app instead of on the staff-room board.", 1, "technology",
         (3, 4), False, 2, dt.date(2026, 11, 27), visibility="published",
         steps=(("Choose the app", 0.1), ("Load the rotas", 0.3), ("Show every colleague how to swap", 0.6)),
         notes=((0.05, "App chosen with the store managers.", "in_progress"),
                (0.65, "Everyone can swap shifts in the app.", "done"))),
    Plan("walk-rounds", "Manager walk-rounds on busy Saturdays",
         "The store manager spends the Saturday peak on the shop floor with the team.", 1, "people",
         (5,), False, 3, dt.date(2026, 10, 2), owner="team",
         steps=(("Block the Saturday peak in the manager's diary", 0.1), ("Four walk-rounds", None)),
         notes=((0.1, "First walk-round done.", "in_progress"),)),
    Plan("release-checklist", "A release checklist for checkout changes",
         "Every checkout change goes through one shared checklist and a named reviewer.", 2, "process",
         (0, 1, 2, 3), True, 2, dt.date(2027, 3, 31),
         steps=(("Write the checklist", 0.1), ("Name a reviewer per team", 0.25), ("Use it for a month", 0.7),
                ("Review what it caught", None)),
         notes=((0.05, "Checklist drafted with both teams.", "in_progress"),
                (0.75, "Every change this month went through the checklist.", None))),
)
WORKED = tuple(p.key for p in CATALOGUE if p.worked)


def _label(status: str) -> str:
    return status.replace("_", " ")


def department_teams(org: OrgPlan, department: int) -> list[int]:
    """The department's teams, largest first (ties by row): the biggest teams make the clearest story."""
    teams = org.teams
    rows = [int(r) for r in org.leaf_teams if teams.at[r, "department"] == department]
    size = org.people[org.people["role"] == "employee"].groupby("team").size()
    return sorted(rows, key=lambda r: (-int(size.get(r, 0)), r))


def _at(start: dt.datetime, end: dt.datetime, share: float, i: int) -> dt.datetime:
    # A day between start and end, at a plausible office time that differs from event to event.
    day = start + (end - start) * share
    return dt.datetime(day.year, day.month, day.day, 9 + i % 8, 5 * (i % 12))


def demo_today(calendar: pd.DataFrame) -> dt.date:
    """The demo's "today": a few days after the last employee wave closed (its results are out and the
    actions they prompt are being planned); overdue means still open and due before it."""
    return (pd.Timestamp(calendar["emp_closes"].iloc[-1]) + pd.Timedelta(days=START_DAYS)).date()


def plan_actions(org: OrgPlan, calendar: pd.DataFrame) -> list[dict]:
    """Place the catalogue on the organisation and the calendar (no randomness, no answers needed)."""
    n = len(calendar)
    today = demo_today(calendar)
    end = dt.datetime.combine(today, dt.time(18, 0))
    actions = []
    for k, plan in enumerate(CATALOGUE):
        ranked = department_teams(org, plan.department)
        teams = sorted({ranked[p % len(ranked)] for p in plan.teams})
        before = n if plan.waves_back == 0 or n == 1 else min(max(1, n - plan.waves_back), n - 1)
        closed = pd.Timestamp(calendar["emp_closes"].iloc[before - 1]).to_pydatetime()
        created = closed + dt.timedelta(days=START_DAYS - 2, hours=10, minutes=k)
        start = (closed + dt.timedelta(days=START_DAYS)).date()
        dept_lead = int(org.teams.at[1 + plan.department, "lead"])
        owner = dept_lead if plan.owner == "department" else int(org.teams.at[teams[0], "lead"])
        creator = owner if plan.created_by == "owner" else 0  # people row 0 is hr@
        span = (dt.datetime.combine(start, dt.time(9)), max(end, dt.datetime.combine(start, dt.time(18))))
        actions.append(dict(
            key=plan.key, title=plan.title, description=plan.description, metric=plan.metric, teams=teams,
            worked=plan.worked, before_wave=before, after_wave=before + 1 if before < n else None,
            owner=owner, created_by=creator, created_at=created, starts_on=start,
            due_on=max(plan.due_on, start + dt.timedelta(days=14)), status=plan.status,
            abandon_reason=plan.abandon_reason, visibility=plan.visibility, source=plan.source,
            goal=plan.goal, **_history(plan, owner, creator, created, span)))
    return actions


def _history(plan: Plan, owner: int, creator: int, created: dt.datetime,
             span: tuple[dt.datetime, dt.datetime]) -> dict:
    """Steps, progress notes and events; each note's progress is the share of steps ticked by then."""
    steps = [dict(text=text, done=share is not None,
                  done_at=None if share is None else _at(*span, share, i + 1))
             for i, (text, share) in enumerate(plan.steps)]
    events = [dict(actor=creator, at=created, what="created",
                   detail=f"{plan.title} ({plan.metric}, source: {plan.source})")]
    events += [dict(actor=owner, at=s["done_at"], what="step done", detail=s["text"]) for s in steps if s["done"]]
    updates, status = [], "planned"
    for j, (share, note, new_status) in enumerate(plan.notes):
        at = _at(*span, share, 20 + j)
        ticked = sum(1 for s in steps if s["done"] and s["done_at"] <= at)
        progress = 100 if new_status == "done" else round(100 * ticked / len(steps)) if steps else None
        updates.append(dict(author=owner, note=note, progress=progress, status=new_status, created_at=at))
        events.append(dict(actor=owner, at=at, what="note", detail=note))
        if new_status and new_status != status:
            detail = f"{_label(status)} → {_label(new_status)}"
            if new_status == "abandoned":
                detail += f": {plan.abandon_reason}"
            events.append(dict(actor=owner, at=at, what="status", detail=detail))
            if new_status == "in_progress" and plan.visibility == "published":
                events.append(dict(actor=owner, at=at, what="visibility", detail="leaders → published"))
            status = new_status
    events.sort(key=lambda e: e["at"])
    return dict(steps=steps, updates=updates, events=events, updated_at=max(e["at"] for e in events))


def planted_lift(actions: list[dict], teams: np.ndarray, n_waves: int, model: PlantedModel) -> np.ndarray:
    """Latent lift (dimensions x teams x waves 0..n_waves) of the actions that worked."""
    lift = np.zeros((len(DIMENSIONS), len(teams), n_waves + 1))
    for a in actions:
        if a["worked"] and a["after_wave"] is not None:
            pos = np.searchsorted(teams, a["teams"])
            lift[DIMENSIONS.index(a["metric"]), pos, a["after_wave"]:] += model.action_lift
    return lift


def baseline(employee: pd.DataFrame, teams: list[int], metric: str, wave: int, label: str) -> dict:
    """The teams' pooled score in one wave as the app freezes it: mean of respondents' % favourable
    with its t interval (surveys/insights/metric_values), nothing below the anonymity threshold."""
    rows = employee[(employee["wave"] == wave) & employee["team"].isin(teams)]
    fav = favourable(rows)[metric].to_numpy() * 100.0
    if len(fav) < MIN_GROUP_SIZE:
        return dict(baseline=None, baseline_n=None, baseline_low=None, baseline_high=None, baseline_label=label)
    est = estimate(Sums("mean", len(fav), float(fav.sum()), float((fav * fav).sum()), 1.0, (0.0, 100.0)))
    return dict(baseline=round(est.value, 1), baseline_n=est.n, baseline_low=round(est.ci_low, 1),
                baseline_high=round(est.ci_high, 1), baseline_label=label)


def with_baselines(actions: list[dict], employee: pd.DataFrame, calendar: pd.DataFrame) -> list[dict]:
    """Each action with the baseline of its teams from the last wave before its start, and a target."""
    labels = calendar.set_index("wave")["label"]
    out = []
    for a in actions:
        base = baseline(employee, a["teams"], a["metric"], a["before_wave"], labels[a["before_wave"]])
        target = None if base["baseline"] is None else float(min(round(base["baseline"]) + 10, 100))
        out.append({**a, **base, "target": target})
    return out
