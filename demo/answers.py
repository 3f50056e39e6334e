"""Employee and customer answers drawn from the latent team scores (pure numpy/pandas, no database).

Both functions return wide frames: one row per response, one column per question code, plus `wave`
(1-based), `team` (row in OrgPlan.teams) and `submitted_on`. Row order follows the people and
touchpoints; the writer stores responses in the order of their random ids instead.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from demo.comments import customer_comments, employee_comments
from demo.model import DIMENSIONS, PlantedModel, ordinal, zero_to_ten
from demo.org import OrgPlan
from surveys.instruments.library import ENGAGEMENT

LIKERT_ITEMS = tuple(q for q in ENGAGEMENT.questions if q.qtype == "likert5")
ITEM_OFFSET_SD = 0.25  # fixed item "difficulty": some statements are easier to agree with


def latent_cube(latents: pd.DataFrame, teams: np.ndarray, n_waves: int) -> dict[str, np.ndarray]:
    """Latent scores as arrays indexed [position of team in `teams`, wave]."""
    frame = latents.set_index(["team", "wave"]).sort_index()
    cube = {}
    for col in DIMENSIONS + ("cx",):
        cube[col] = frame[col].unstack("wave").reindex(index=teams, columns=range(n_waves + 1)).to_numpy()
    return cube


def employee_responses(rng: np.random.Generator, plan: OrgPlan, cube: dict[str, np.ndarray],
                       teams: np.ndarray, calendar: pd.DataFrame, model: PlantedModel,
                       response_rate: float, comment_rate: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (invitations, responses): every employee is invited to every wave; ~70-90% answer."""
    people = plan.people
    employees = np.flatnonzero(people["role"].to_numpy() == "employee")
    team_row = people["team"].to_numpy()[employees]
    team_pos = np.searchsorted(teams, team_row)  # `teams` is sorted, so this is the cube row
    disposition = model.person_sd * rng.standard_normal(len(employees))
    item_dim = np.array([DIMENSIONS.index(q.dimension) for q in LIKERT_ITEMS])
    item_offset = ITEM_OFFSET_SD * rng.standard_normal(len(LIKERT_ITEMS))
    reverse = np.array([q.reverse_keyed for q in LIKERT_ITEMS])
    means = np.array([model.dimension_mean[d] for d in DIMENSIONS])
    invitations, responses = [], []
    for w in calendar.itertuples():
        # A team's response rate drifts from wave to wave; individuals answer independently.
        team_rate = np.clip(response_rate + 0.06 * rng.standard_normal(len(teams)), 0.6, 0.97)
        answered = rng.random(len(employees)) < team_rate[team_pos]
        # Most people answer in the first days after the invitation; the wave lasts 14 days.
        day = np.minimum(np.floor(rng.exponential(3.0, size=len(employees))), 13).astype(int)
        minute = rng.integers(7 * 60, 21 * 60, size=len(employees))
        opens = pd.Timestamp(w.emp_opens)
        # The time exists only in memory, to decide who gets a reminder; the database never stores it.
        answered_at = opens + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minute, unit="min")
        invitations.append(pd.DataFrame({
            "wave": w.wave, "person": employees, "answered_at": answered_at.where(answered, pd.NaT)}))

        who = np.flatnonzero(answered)
        n = len(who)
        pos = team_pos[who]
        latent = np.stack([cube[d][pos, w.wave] for d in DIMENSIONS], axis=1)
        scores = (means + model.team_sd * latent + disposition[who, None]
                  + model.occasion_sd * rng.standard_normal((n, len(DIMENSIONS))))
        x = scores[:, item_dim] + item_offset + model.item_sd * rng.standard_normal((n, len(LIKERT_ITEMS)))
        values = ordinal(x, model.likert5_cuts)
        values[:, reverse] = 6 - values[:, reverse]  # agreeing with a negative statement is unfavourable
        frame = pd.DataFrame(values, columns=[q.code for q in LIKERT_ITEMS])
        engagement = scores[:, DIMENSIONS.index("engagement")]
        frame["enps"] = zero_to_ten(engagement + model.item_sd * rng.standard_normal(n),
                                    model.enps_intercept, model.enps_slope)
        frame["comment"] = employee_comments(rng, scores, comment_rate)
        frame.insert(0, "wave", w.wave)
        frame.insert(1, "team", teams[pos])
        frame.insert(2, "submitted_on", (opens + pd.to_timedelta(day[who], unit="D")).date)
        responses.append(frame)
    return (pd.concat(invitations, ignore_index=True),
            pd.concat(responses, ignore_index=True))


def customer_counts(rng: np.random.Generator, n_waves: int, n_touchpoints: int,
                    per_touchpoint: tuple[int, int] | None, total: int | None) -> np.ndarray:
    """Responses per (wave, touchpoint): uniform in `per_touchpoint`, or an exact `total` split unevenly."""
    if total is None:
        lo, hi = per_touchpoint
        return rng.integers(lo, hi + 1, size=(n_waves, n_touchpoints))
    weight = rng.uniform(0.5, 1.5, size=n_waves * n_touchpoints)
    return rng.multinomial(total, weight / weight.sum()).reshape(n_waves, n_touchpoints)


def customer_responses(rng: np.random.Generator, plan: OrgPlan, cube: dict[str, np.ndarray],
                       teams: np.ndarray, calendar: pd.DataFrame, model: PlantedModel,
                       counts: np.ndarray, comment_rate: float) -> pd.DataFrame:
    """Customer responses per touchpoint and wave; the owning team's latent Y drives all three scores."""
    tp = plan.touchpoints
    tp_team = tp["team"].to_numpy()
    tp_pos = np.searchsorted(teams, tp_team)
    frames = []
    for w in calendar.itertuples():
        n_by_tp = counts[w.wave - 1]
        which = np.repeat(np.arange(len(tp)), n_by_tp)
        n = len(which)
        y = model.cx_mean + cube["cx"][tp_pos[which], w.wave] + rng.standard_normal(n)
        csat = ordinal(y + model.cx_item_sd * rng.standard_normal(n), model.csat_cuts)
        nps = zero_to_ten(y + model.cx_item_sd * rng.standard_normal(n), model.nps_intercept, model.nps_slope)
        ces = ordinal(y + model.cx_item_sd * rng.standard_normal(n), model.ces_cuts)
        opens = pd.Timestamp(w.cx_opens)
        days = (pd.Timestamp(w.cx_closes) - opens).days
        day = rng.integers(0, days, size=n)
        frame = pd.DataFrame({
            "wave": w.wave, "team": tp_team[which], "touchpoint": which,
            "submitted_on": (opens + pd.to_timedelta(day, unit="D")).date,
            "csat": csat, "nps": nps, "ces": ces,
            "comment": customer_comments(rng, csat, comment_rate),
        })
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def unique_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct ids in [1, 2**62), drawn from the seeded generator (the app draws them from
    `secrets`; both are random so that an id says nothing about when or by whom it was made)."""
    ids = rng.integers(1, 2 ** 62, size=n, dtype=np.int64)
    while len(np.unique(ids)) < n:  # a collision has odds ~n²/2**63: redraw just the duplicates
        _, first = np.unique(ids, return_index=True)
        dup = np.setdiff1d(np.arange(n), first)
        ids[dup] = rng.integers(1, 2 ** 62, size=len(dup), dtype=np.int64)
    return ids
