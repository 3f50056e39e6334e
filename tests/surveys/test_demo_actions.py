"""The demo's improvement loop: planted actions that worked and did not, overdue ones, history, goals.

The measured effects are computed straight from the generated frames with analysis.effects (demo/effects.py
mirrors the app's choice of waves and comparison teams), so these checks need no database.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

import demo
from demo.effects import measured_effects
from demo.improvements import CATALOGUE, WORKED, demo_today
from surveys.insights.metric_values import closed_waves, team_sums, value_of
from surveys.models import Action, Goal, Person, Team

DEFAULT = demo.DemoConfig(seed=7)  # what `tandem demo` builds


@pytest.fixture(scope="module")
def data():
    return demo.generate(DEFAULT)


@pytest.fixture(scope="module")
def effects(data):
    return measured_effects(data).set_index("key")


def test_the_planted_working_actions_are_shown_to_have_worked(effects):
    print("\nmeasured effects, seed 7:\n", effects.round(1).to_string())
    worked = effects[effects["worked"]]
    assert sorted(worked.index) == sorted(WORKED) and len(WORKED) >= 3
    assert (worked["effect"] > 15).all() and (worked["low"] > 0).all()
    assert set(worked["verdict"]) == {"worked"}


def test_the_others_are_not_shown_to_have_worked(effects):
    others = effects[~effects["worked"]]
    assert len(others) >= 5
    assert not (others["low"] > 0).any()
    assert "worked" not in set(others["verdict"])
    assert (others["verdict"] == "too few teams to tell").any()  # the abandoned one: too few answers


def test_on_average_over_seeds_the_lift_is_recovered_and_the_others_stay_at_zero():
    # One seed is one draw; over eight the planted truth shows without the luck of seed 7.
    frames = [measured_effects(demo.generate(demo.DemoConfig(seed=s))) for s in range(1, 9)]
    allf = pd.concat(frames).dropna(subset=["effect"])
    worked, others = allf[allf["worked"]]["effect"], allf[~allf["worked"]]["effect"]
    print(f"\nmean effect over seeds 1-8: worked {worked.mean():.1f}, others {others.mean():.1f}")
    assert worked.mean() > 15
    assert abs(others.mean()) < 8


def test_the_lift_touches_only_the_working_actions_teams_after_their_start(data):
    flat = demo.generate(dataclasses.replace(DEFAULT, model=dataclasses.replace(demo.DEFAULT_MODEL, action_lift=0.0)))
    diff = data.latents.set_index(["team", "wave"]) - flat.latents.set_index(["team", "wave"])
    expected = set()
    for a in data.actions:
        if a["worked"]:
            expected |= {(t, w, a["metric"]) for t in a["teams"] for w in range(a["after_wave"], DEFAULT.waves + 1)}
    changed = {(t, w, d) for d in demo.DIMENSIONS for (t, w), v in diff[d].items() if v != 0}
    assert changed == expected
    assert np.allclose(diff.loc[list({(t, w) for t, w, _d in expected}), "engagement":"technology"].max().max(),
                       demo.DEFAULT_MODEL.action_lift)
    assert diff["cx"].fillna(0).eq(0).all()  # customers follow the climate as drawn (model.py)
    # Invitations and who answered do not depend on the latents: the lift consumed no random number.
    pd.testing.assert_frame_equal(data.invitations, flat.invitations)


def test_actions_start_between_waves_and_the_working_ones_have_a_wave_after(data):
    cal = data.calendar.set_index("wave")
    for a in data.actions:
        closed = cal.at[a["before_wave"], "emp_closes"].date()
        assert closed < a["starts_on"] and a["created_at"].date() <= a["starts_on"]
        if a["after_wave"] is not None:
            assert a["starts_on"] < cal.at[a["after_wave"], "emp_opens"].date()
        assert a["due_on"] >= a["starts_on"]
    assert all(a["after_wave"] is not None for a in data.actions if a["worked"])
    assert any(a["after_wave"] is None for a in data.actions)  # one still waits for its first wave


def test_statuses_overdue_visibility_and_sources(data):
    today = demo_today(data.calendar)
    by = {a["key"]: a for a in data.actions}
    statuses = {a["status"] for a in data.actions}
    assert statuses == {"planned", "in_progress", "done", "abandoned"}
    overdue = [k for k, a in by.items() if a["status"] in ("planned", "in_progress") and a["due_on"] < today]
    assert len(overdue) >= 2 and not set(overdue) & set(WORKED)
    assert all((a["status"] == "abandoned") == bool(a["abandon_reason"]) for a in data.actions)
    assert 2 <= sum(a["visibility"] == "published" for a in data.actions) < len(data.actions)
    assert {"manual", "focus", "goal"} <= {a["source"] for a in data.actions}
    assert all(a["goal"] in {g["key"] for g in data.goals} for a in data.actions if a["source"] == "goal")
    # Every action is on the app's metric vocabulary and has a baseline from a large enough group.
    assert all(a["metric"] in demo.DIMENSIONS for a in data.actions)
    assert all(a["baseline"] is None or a["baseline_n"] >= 5 for a in data.actions)


def test_lead1_owns_actions_with_both_outcomes(data, effects):
    lead1 = int(data.org.people.index[data.org.people["email"] == "lead1@northwind.example"][0])
    mine = [a["key"] for a in data.actions if a["owner"] == lead1]
    assert len(mine) >= 3
    verdicts = set(effects.loc[[k for k in mine if k in effects.index], "verdict"])
    assert "worked" in verdicts and "not shown to have worked" in verdicts


def test_every_action_has_a_history_and_its_progress_follows_its_steps(data):
    end = dt.datetime.combine(demo_today(data.calendar), dt.time(23, 59))
    for a in data.actions:
        events = a["events"]
        assert events[0]["what"] == "created" and events[0]["at"] == a["created_at"]
        assert [e["at"] for e in events] == sorted(e["at"] for e in events) and events[-1]["at"] <= end
        assert a["updated_at"] == max(e["at"] for e in events)
        chain = [e["detail"].split(":")[0] for e in events if e["what"] == "status"]
        final = a["status"].replace("_", " ")
        assert (chain[-1].endswith(final) if chain else a["status"] == "planned"), a["key"]
        done = [s for s in a["steps"] if s["done"]]
        assert all(s["done_at"] <= end for s in done)
        assert sum(e["what"] == "step done" for e in events) == len(done)
        if a["status"] == "done":
            assert len(done) == len(a["steps"]) and a["updates"][-1]["progress"] == 100
        for u in a["updates"]:
            if u["progress"] is not None and u["status"] != "done":
                ticked = sum(1 for s in done if s["done_at"] <= u["created_at"])
                assert u["progress"] == round(100 * ticked / len(a["steps"]))
    assert sum(bool(a["steps"]) for a in data.actions) == len(data.actions)
    assert any(0 < sum(s["done"] for s in a["steps"]) < len(a["steps"]) for a in data.actions)


def test_goals_are_due_after_today_with_targets_above_the_latest_value(data):
    today = demo_today(data.calendar)
    kinds = {(g["metric"], g["team"] is None) for g in data.goals}
    assert {("engagement", True), ("process", False), ("csat", False)} <= kinds
    assert all(g["due_on"] > today and 0 < g["target"] <= 100 for g in data.goals)


# --- in the database ----------------------------------------------------------------------------

SMALL = demo.DemoConfig(seed=3, teams=8, waves=3)


@pytest.fixture
def built(db_session):
    return demo.build_demo(db_session, seed=SMALL.seed, teams=SMALL.teams, waves=SMALL.waves)


def test_stored_actions_keep_teams_steps_notes_history_and_goals(db_session, built):
    data = demo.generate(SMALL)
    actions = db_session.scalars(select(Action).order_by(Action.id)).all()
    assert len(actions) == built.actions == len(CATALOGUE)
    codes = data.org.teams["code"]
    for stored, planned in zip(actions, data.actions):
        assert stored.title == planned["title"]
        assert [t.code for t in stored.teams] == sorted(codes[t] for t in planned["teams"])
        assert len(stored.steps) == len(planned["steps"]) and len(stored.events) == len(planned["events"])
        assert stored.events[0].what == "created" and stored.updated_at == planned["updated_at"]
        assert stored.owner.role == "team_lead" and stored.created_by is not None
        if stored.status != "done" and stored.steps:
            assert stored.percent_complete == round(100 * sum(s.done for s in stored.steps) / len(stored.steps))
    goals = db_session.scalars(select(Goal)).all()
    assert len(goals) == built.goals == 3
    assert any(g.team_id is None for g in goals)
    linked = [a for a in actions if a.source == "goal"]
    assert linked and all(a.goal_id in {g.id for g in goals} for a in linked)
    today = demo_today(data.calendar)
    assert sum(a.is_overdue(today) for a in actions) == built.overdue >= 2


def test_stored_baselines_are_what_metric_values_computes_from_the_rollups(db_session, built):
    data = demo.generate(SMALL)
    waves = {w.label: w for w in closed_waves(db_session)}
    for action in db_session.scalars(select(Action)):
        wave = waves[action.baseline_label]
        sums = team_sums(db_session, action.metric, [wave])
        total = None
        for team in action.teams:
            s = sums.get((wave.index, team.id))
            total = s if total is None else total if s is None else total + s
        expected = value_of(action.metric, total, wave.label, 5)
        assert (action.baseline, action.baseline_n, action.baseline_low, action.baseline_high) == (
            expected.value, expected.n, expected.low, expected.high), action.title
    assert data.actions[0]["baseline_label"] in waves


def test_lead1_sees_their_departments_actions_only(db_session, built):
    lead1 = db_session.scalar(select(Person).where(Person.email == "lead1@northwind.example"))
    department = db_session.get(Team, lead1.team_id)
    inside = {t.id for t in department.children}
    mine = db_session.scalars(select(Action).where(Action.owner_id == lead1.id)).all()
    assert len(mine) >= 3 and all({t.id for t in a.teams} <= inside for a in mine)
