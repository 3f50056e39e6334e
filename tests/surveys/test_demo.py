"""The demo organisation: generated frames (determinism, planted effects) and the database build."""
from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, inspect, select

import demo
import demo.breakdowns
import demo.improvements
from demo.metrics import lagged_correlations
from surveys.errors import Conflict
from surveys.instruments.library import install
from surveys.models import (
    Action,
    Answer,
    Invitation,
    Person,
    Program,
    Question,
    Response,
    SubmissionReceipt,
    Team,
    Touchpoint,
    Wave,
)
from surveys.org import accounts, branding, hierarchy

SMALL = demo.DemoConfig(seed=3, teams=8, waves=3)


# --- generated frames, no database --------------------------------------------------------------

def test_same_seed_same_frames_and_another_seed_differs():
    a, b, c = demo.generate(SMALL), demo.generate(SMALL), demo.generate(dataclasses.replace(SMALL, seed=4))
    for name in ("calendar", "latents", "invitations", "employee", "customer"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    for name in ("teams", "people", "touchpoints"):
        pd.testing.assert_frame_equal(getattr(a.org, name), getattr(b.org, name))
    assert a.actions == b.actions and a.goals == b.goals
    assert not a.employee[["eng_pride", "enps"]].equals(c.employee[["eng_pride", "enps"]])


def test_calendar_is_anchored_on_october_2026():
    cal = demo.wave_calendar(6)
    assert list(cal["label"]) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert demo.wave_calendar(12)["label"].iloc[0] == "2025-11"
    last = cal.iloc[-1]
    assert last["emp_opens"] == dt.datetime(2026, 10, 1) and last["emp_closes"] == dt.datetime(2026, 10, 15)
    assert last["cx_closes"] == dt.datetime(2026, 11, 1)


def test_organisation_shape():
    data = demo.generate(demo.DemoConfig(seed=7))
    teams, staff = data.org.teams, data.org.people
    assert (teams["level"] == "department").sum() == 5 and len(data.org.leaf_teams) == 40
    sizes = staff[staff["role"] == "employee"].groupby("team").size()
    assert sizes.between(6, 14).all() and len(sizes) == 40
    assert (teams.loc[data.org.leaf_teams, "lead"] >= 0).all()
    facing = teams.loc[data.org.leaf_teams, "customer_facing"].sum()
    assert 25 <= facing <= 35 and len(data.org.touchpoints) == facing
    assert 5 <= data.org.touchpoints["family"].nunique() <= 8
    assert staff["email"].is_unique
    rate = data.invitations["answered_at"].notna().mean()
    assert 0.7 <= rate <= 0.9
    per_tp = data.customer.groupby(["wave", "touchpoint"]).size()
    # The two touchpoints with a planted breakdown answer ~10 a day in September and October (demo/breakdowns.py).
    planted = data.org.touchpoints.index[data.org.touchpoints["code"].isin(
        [b.touchpoint for b in demo.breakdowns.PLANTED_BREAKDOWNS])]
    boosted = per_tp.index.get_level_values("touchpoint").isin(planted) & (per_tp.index.get_level_values("wave") >= 5)
    assert per_tp[~boosted].between(20, 60).all() and per_tp[boosted].between(demo.breakdowns.PER_DAY[0] * 30, demo.breakdowns.PER_DAY[1] * 31).all()
    # Most team-waves reach the anonymity threshold of 5, but not all of them.
    n = data.employee.groupby(["team", "wave"]).size()
    assert 0.8 < (n >= 5).mean() < 1.0


def test_answers_stay_inside_their_scales():
    data = demo.generate(SMALL)
    likert = data.employee.filter(regex="^(eng|cul|ppl|prc|tec)_")
    assert likert.shape[1] == 16 and likert.isin(range(1, 6)).all().all()
    assert data.employee["enps"].between(0, 10).all()
    assert data.customer["csat"].between(1, 5).all() and data.customer["ces"].between(1, 7).all()
    assert data.customer["nps"].between(0, 10).all()
    ids = pd.concat([data.employee["response_id"], data.customer["response_id"]])
    assert ids.is_unique and (ids > 0).all() and (ids < 2 ** 62).all()


def _lag1(seed: int) -> pd.DataFrame:
    data = demo.generate(demo.DemoConfig(seed=seed))
    return lagged_correlations(data.employee, data.customer, lag=1)


def test_planted_effects_are_detectable_and_the_null_stays_null():
    default = _lag1(7)
    print("\nlag-1 r, team-wave EX % favourable vs next month's CX (seed 7):\n", default.round(2))
    assert (default.loc["engagement"] > 0.3).all()
    assert (default.loc["process"] > 0.2).all()
    assert (default.loc[["culture", "technology"]].abs() < 0.2).all().all()
    mean = sum(_lag1(seed) for seed in (7, 8, 9, 10)) / 4
    print("mean over seeds 7-10:\n", mean.round(2))
    assert (mean.loc["engagement"] > 0.35).all() and (mean.loc["process"] > 0.25).all()
    assert (mean.loc[["culture", "people", "technology"]].abs() < 0.1).all().all()


def test_culture_and_technology_latents_have_no_planted_link():
    lat = demo.generate(demo.DemoConfig(seed=7)).latents
    nxt = lat[["team", "wave", "cx"]].assign(wave=lat["wave"] - 1)
    pairs = lat.drop(columns="cx").merge(nxt, on=["team", "wave"])
    r = {d: pairs[d].corr(pairs["cx"]) for d in demo.DIMENSIONS}
    assert r["engagement"] > 0.5 and r["process"] > 0.4
    assert abs(r["culture"]) < 0.1 and abs(r["technology"]) < 0.1


# --- the database build -------------------------------------------------------------------------

@pytest.fixture
def built(db_session):
    return demo.build_demo(db_session, seed=3, teams=8, waves=3)


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_build_counts_match_the_result(db_session, built):
    data = demo.generate(SMALL)
    assert built.teams == 8 and built.departments == 4
    assert _count(db_session, Team) == 1 + 4 + 8
    assert _count(db_session, Person) == built.employees + built.staff == len(data.org.people)
    assert _count(db_session, Touchpoint) == built.touchpoints == len(data.org.touchpoints)
    assert _count(db_session, Invitation) == built.invitations == built.employees * 3
    assert _count(db_session, SubmissionReceipt) == built.employee_responses
    assert _count(db_session, Invitation, Invitation.draft.is_(None)) == built.invitations  # SQL NULL
    assert _count(db_session, Response) == built.employee_responses + built.customer_responses
    assert _count(db_session, Answer) == built.answers
    assert _count(db_session, Action) == built.actions == len(demo.improvements.CATALOGUE)
    assert "lead1@northwind.example" in built.describe() and "tandem-demo" in built.describe()


def test_hierarchy_and_team_lead_scope(db_session, built):
    root = db_session.scalar(select(Team).where(Team.parent_id.is_(None)))
    assert root.code == "NW" and len(root.children) == 4
    assert all(len(dept.children) >= 1 for dept in root.children)
    leaf_teams = [team for dept in root.children for team in dept.children]
    assert all(not team.children and team.lead is not None for team in leaf_teams)
    lead1 = db_session.scalar(select(Person).where(Person.email == "lead1@northwind.example"))
    department = db_session.get(Team, lead1.team_id)
    assert department.parent_id == root.id and department.lead_id == lead1.id
    assert len(hierarchy.team_scope(db_session, department.id)) == 1 + len(department.children)
    in_scope = _count(db_session, Action, Action.teams.any(Team.id.in_(hierarchy.team_scope(db_session, department.id))))
    assert in_scope >= 3


def test_printed_logins_authenticate(db_session, built):
    for login in built.logins:
        person = accounts.authenticate(db_session, login.email, demo.DEMO_PASSWORD)
        assert person is not None and person.role == login.role
    assert [login.email.split("@")[0] for login in built.logins] == ["hr", "exec", "lead1"]
    employee = db_session.scalar(select(Person).where(Person.role == "employee"))
    assert employee.password_hash is None
    hashes = set(db_session.scalars(select(Person.password_hash).where(Person.role != "employee")))
    assert len(hashes) == 1  # hashed once, shared


def test_responses_carry_no_link_to_people(db_session, built):
    columns = {c["name"] for c in inspect(db_session.connection()).get_columns("responses")}
    assert not {"person_id", "invitation_id"} & columns
    employee = db_session.execute(
        select(Response.team_id, Response.source, Response.touchpoint_id, Response.channel)
        .join(Wave).join(Program).where(Program.code == "engagement-pulse")).all()
    assert {(source, tp, ch) for _, source, tp, ch in employee} == {("invitation", None, None)}
    teams_with_people = set(db_session.scalars(select(Person.team_id).where(Person.role == "employee")))
    assert {team for team, *_ in employee} <= teams_with_people


def test_customer_responses_follow_their_touchpoint(db_session, built):
    rows = db_session.execute(
        select(Response.team_id, Response.channel, Response.source, Touchpoint.team_id, Touchpoint.channel)
        .join(Touchpoint, Response.touchpoint_id == Touchpoint.id)).all()
    assert len(rows) == built.customer_responses
    assert all(r[0] == r[3] and r[1] == r[4] and r[2] == "public_link" for r in rows)


def test_waves_are_closed_aligned_and_dated_inside_their_window(db_session, built):
    waves = db_session.scalars(select(Wave).order_by(Wave.opens_at)).all()
    labels = {}
    for wave in waves:
        assert wave.status == "closed" and (wave.min_group_size, wave.min_comment_group_size) == (5, 10)
        labels.setdefault(wave.program.code, []).append(wave.label)
        first, last = db_session.execute(
            select(func.min(Response.submitted_on), func.max(Response.submitted_on))
            .where(Response.wave_id == wave.id)).one()
        assert wave.opens_at.date() <= first and last < wave.closes_at.date()
    assert labels["engagement-pulse"] == labels["cx-always-on"] == ["2026-08", "2026-09", "2026-10"]
    # Dated from the anchor, not the clock.
    for program in db_session.scalars(select(Program)):
        assert program.created_at == program.survey.created_at == dt.datetime(2026, 7, 18)


def test_stored_answers_reproduce_the_generated_frames(db_session, built):
    data = demo.generate(SMALL)
    stored = db_session.execute(
        select(Wave.label, func.avg(Answer.value), func.count())
        .join(Response, Answer.response_id == Response.id).join(Wave, Response.wave_id == Wave.id)
        .join(Question, Answer.question_id == Question.id).where(Question.code == "csat")
        .group_by(Wave.label).order_by(Wave.label)).all()
    expected = data.customer.groupby("wave")["csat"].agg(["mean", "size"])
    assert [n for *_, n in stored] == expected["size"].tolist()
    np.testing.assert_allclose([float(m) for _, m, _ in stored], expected["mean"], rtol=1e-9)
    comments = _count(db_session, Answer, Answer.text.is_not(None))
    assert comments == data.employee["comment"].notna().sum() + data.customer["comment"].notna().sum()


def test_action_baselines_come_from_groups_large_enough(built, db_session):
    # The baseline is the teams' pooled score in the last wave before the start (test_demo_actions.py
    # checks it equals what metric_values computes from the rollups).
    for action in db_session.scalars(select(Action)):
        assert action.owner.role == "team_lead" and action.baseline_label
        if action.baseline is None:
            assert action.baseline_n is None
        else:
            assert action.baseline_n >= 5 and action.baseline_low <= action.baseline <= action.baseline_high
            assert action.target > action.baseline or action.target == 100


def test_build_refuses_a_database_with_people(db_session, make):
    make.person()
    with pytest.raises(Conflict, match="already has people; the demo needs an empty database"):
        demo.build_demo(db_session, teams=8, waves=2)


def test_build_refuses_clashing_codes_before_writing_anything(db_session, make):
    make.team(code="CARE")
    with pytest.raises(Conflict, match="A team with code CARE already exists"):
        demo.build_demo(db_session, teams=8, waves=2)
    assert _count(db_session, Team) == 1


def test_demo_installs_a_new_version_when_the_template_is_already_installed(db_session):
    install(db_session, "engagement")
    demo.build_demo(db_session, seed=3, teams=8, waves=2)
    program = db_session.scalar(select(Program).where(Program.code == "engagement-pulse"))
    assert program.survey.version == 2


def test_large_build_code_path_on_a_tiny_configuration(db_session):
    messages = []
    tiny = dataclasses.replace(demo.LARGE, teams=6, waves=2, team_size=(3, 5), cx_total=700)
    result = demo.build_large(db_session, seed=5, progress=messages.append, config=tiny)
    stored = _count(db_session, Response, Response.touchpoint_id.is_not(None))
    assert result.customer_responses == 700 == stored
    assert _count(db_session, Answer, Answer.text.is_not(None)) <= result.employee_responses  # no cx comments
    assert messages[0].startswith("Generating") and any("customer answers" in m for m in messages)


def test_cli_builds_the_demo_and_prints_the_logins(runner, db_session):
    result = runner.invoke(args=["demo", "--teams", "8", "--waves", "2", "--seed", "11"])
    assert result.exit_code == 0, result.output
    assert "lead1@northwind.example" in result.output and "2026-09 … 2026-10" in result.output
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "was not seeded" in again.output


def test_lead1_lands_on_a_page_with_their_departments_actions(client, built):
    response = client.post("/login", data={"email": "lead1@northwind.example", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Untangle hand-offs between phone and email queues" in page
    assert "Weekly store team huddles" not in page  # another department's action stays out of scope


def test_demo_brands_the_organisation_and_titles_its_programs(db_session, built):
    brand = branding.get_branding(db_session)
    assert (brand.name, brand.colour, brand.text_colour) == ("Northwind Outfitters", "#1d4e45", "#ffffff")
    titles = dict(db_session.execute(select(Program.code, Program.public_title)).all())
    assert titles == {"engagement-pulse": "Your monthly say at Northwind", "cx-always-on": "How did we do?"}


def test_demo_has_follow_up_cases_of_consenting_unhappy_customers(db_session, built):
    from surveys.models import CustomerContact, FollowUpCase

    rows = db_session.scalars(select(FollowUpCase)).all()
    assert rows and {c.status for c in rows} <= {"open", "closed"} and any(c.status == "closed" for c in rows)
    assert all(c.contact_method in ("phone", "email") and c.closed_at > c.opened_at for c in rows if c.closed_at)
    contacts = {c.response_id for c in db_session.scalars(select(CustomerContact))}
    assert {c.response_id for c in rows} <= contacts
