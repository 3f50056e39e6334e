"""Goals: the service's rules and audit trail, and progress against each goal (statuses by hand)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.errors import Conflict, NotFound, ValidationError
from surveys.goals import service
from surveys.insights import goal_progress, metric_values
from surveys.models import AuditEvent, Goal
from tests.surveys import goal_data

TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def org(db_session, make):
    return goal_data.build(db_session, make, c_in_w2=6)


def _goal(session, target, metric="engagement", team=None, **kwargs):
    return service.create_goal(session, metric=metric, team_id=team.id if team else None, target=target,
                               due_on=kwargs.pop("due_on", "2026-12-31"), today=TODAY, **kwargs)


# --- the service ---------------------------------------------------------------------------------------

def test_create_edit_archive_restore_with_audit(db_session, make):
    team = make.team(code="SALES", name="Sales")
    hr = make.staff()
    goal = service.create_goal(db_session, metric=" eNPS ", team_id=str(team.id), target="10,5",
                               due_on="2026-12-31", note="Up from -5", actor_id=hr.id, today=TODAY)
    assert (goal.metric, goal.team_id, goal.target, goal.due_on, goal.created_by_id) == (
        "enps", team.id, 10.5, dt.date(2026, 12, 31), hr.id)
    service.update_goal(db_session, goal.id, metric="enps", team_id="", target=15, due_on="2026-12-31",
                        note="Up from -5", actor_id=hr.id, today=TODAY)
    assert goal.team_id is None and goal.target == 15.0
    service.set_archived(db_session, goal.id, True, actor_id=hr.id)
    service.set_archived(db_session, goal.id, True, actor_id=hr.id)  # twice: nothing more happens
    with pytest.raises(Conflict, match="archived; restore it"):
        service.update_goal(db_session, goal.id, metric="enps", team_id="", target=20, due_on="2026-12-31")
    service.set_archived(db_session, goal.id, False, actor_id=hr.id)
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "goal")
                                .order_by(AuditEvent.seq)).all()
    assert [e.action for e in events] == ["goal.create", "goal.update", "goal.archive", "goal.restore"]
    assert events[0].detail == {"metric": "enps", "unit": "SALES", "target": 10.5, "due_on": "2026-12-31"}
    assert events[1].detail == {"unit": ["SALES", "ORG"], "target": [10.5, 15.0]}
    assert all(e.actor_id == hr.id for e in events)


def test_outcome_keys_are_accepted_without_a_range(db_session):
    goal = service.create_goal(db_session, metric="outcome:revenue", team_id=None, target=1e6,
                               due_on="2026-12-31", today=TODAY)
    assert goal.metric == "outcome:revenue"


@pytest.mark.parametrize("field, values, message", [
    ("metric", {"metric": "happiness"}, "Unknown metric 'happiness'"),
    ("target", {"target": 120}, "Engagement runs from 0 to 100; 120 is outside that range."),
    ("target", {"metric": "enps", "target": -101}, "eNPS runs from -100 to 100"),
    ("target", {"metric": "ces", "target": 8}, "CES runs from 1 to 7"),
    ("target", {"target": "seventy"}, "The target must be a number, such as 70; got 'seventy'."),
    ("target", {"target": "nan"}, "finite number"),
    ("due_on", {"due_on": "2026-03-14"}, "The due date 2026-03-14 is in the past; choose 2026-03-15 or later."),
    ("due_on", {"due_on": "31/12/2026"}, "YYYY-MM-DD; got '31/12/2026'"),
    ("team_id", {"team_id": "999999"}, "The team chosen does not exist"),
    ("team_id", {"team_id": "x'; drop"}, "The team chosen does not exist"),
    ("note", {"note": "x" * 1001}, "longer than 1000 characters"),
])
def test_bad_input_names_the_field(db_session, field, values, message):
    args = {"metric": "engagement", "team_id": None, "target": 70, "due_on": "2026-12-31", **values}
    with pytest.raises(ValidationError) as exc:
        service.create_goal(db_session, today=TODAY, **args)
    assert message in exc.value.field_errors[field][0]
    assert db_session.scalar(select(Goal.id)) is None


def test_every_problem_is_reported_at_once(db_session):
    with pytest.raises(ValidationError) as exc:
        service.create_goal(db_session, metric="engagement", team_id="0", target=200, due_on="2020-01-01",
                            today=TODAY)
    assert set(exc.value.field_errors) == {"team_id", "target", "due_on"}


def test_a_goal_past_its_date_can_still_be_edited_but_not_moved_into_the_past(db_session):
    goal = _goal(db_session, 70, due_on="2026-03-20")
    later = dt.date(2026, 4, 1)
    service.update_goal(db_session, goal.id, metric="engagement", team_id=None, target=72, due_on="2026-03-20",
                        today=later)
    with pytest.raises(ValidationError, match="in the past"):
        service.update_goal(db_session, goal.id, metric="engagement", team_id=None, target=72,
                            due_on="2026-03-25", today=later)


def test_the_same_goal_twice_is_refused(db_session):
    first = _goal(db_session, 70)
    with pytest.raises(ValidationError, match=f"Goal #{first.id} already targets Engagement for the organisation"):
        _goal(db_session, 75)
    _goal(db_session, 75, due_on="2027-06-30")  # a later milestone on the same metric is fine


def test_unknown_goal(db_session):
    with pytest.raises(NotFound, match="no goal #12345"):
        service.get_goal(db_session, "12345")
    with pytest.raises(NotFound):
        service.set_archived(db_session, "abc", True)


def test_relevant_teams_are_the_subtree_and_its_ancestors(db_session, org):
    ids = service.relevant_team_ids(db_session, [org["a"].id])
    assert ids == {org["a"].id, org["dept"].id}
    on_b, on_dept, on_org = (_goal(db_session, 50, team=org["b"]), _goal(db_session, 50, team=org["dept"]),
                             _goal(db_session, 50))
    assert service.list_goals(db_session, ids) == [on_org, on_dept]
    assert service.list_goals(db_session) == [on_org, on_b, on_dept]  # then by due date and age


# --- progress -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, status, distance", [
    # Organisation engagement in W2: A, B and C, 9 of 18 favourable -> 50; sd = sqrt(18 * 50^2 / 17) = 51.45,
    # se = 12.13, t(0.975, 17) = 2.110 (t table): 50 -/+ 25.6 -> 24.4 to 75.6.
    (20, "met", 30.0),         # the low end 24.4 clears 20
    (40, "at_target", 10.0),   # 50 >= 40 but the interval still includes 40
    (60, "below", -10.0),      # 75.6 reaches 60: the shortfall may be chance
    (80, "below", -30.0),      # the whole interval is below 80
])
def test_statuses_by_hand(db_session, org, target, status, distance):
    p, = goal_progress.progress(db_session, [_goal(db_session, target)], 5, today=TODAY)
    assert (p.now.value, p.now.low, p.now.high, p.now.n, p.now.period) == (50.0, 24.4, 75.6, 18, "W2")
    assert (p.status, p.check.distance, p.unit_code, p.unit_name) == (status, distance, "ORG", "Organisation")
    words = {"met": "Reached", "at_target": "interval still includes it", "below": "Below the target"}[status]
    assert words in p.status_text
    assert ("may be chance" in p.status_text) == (target == 60)


def test_a_team_goal_reads_its_subtree_and_customer_goals_read_owned_touchpoints(db_session, org):
    dept, csat = goal_progress.progress(db_session, [_goal(db_session, 30, "enps", org["dept"]),
                                                     _goal(db_session, 70, "csat", org["a"])], 5, today=TODAY)
    # DEPT = A + B in W2: 12 respondents, eNPS 33.33 with se 100 * sqrt(0.5556 / 12) = 21.52; 1.96 * 21.52
    # = 42.17 -> -8.8 to 75.5.
    assert (dept.now.value, dept.now.n, dept.now.low, dept.now.high, dept.status) == (33.3, 12, -8.8, 75.5,
                                                                                      "at_target")
    assert (csat.now.value, csat.now.low, csat.status, csat.unit) == (75.0, 40.9, "at_target", "% satisfied")


def test_a_team_that_would_give_away_a_hidden_sibling_is_hidden(db_session, make):
    org = goal_data.build(db_session, make, b_in_w2=3, c_in_w2=6)
    p, = goal_progress.progress(db_session, [_goal(db_session, 40, team=org["a"])], 5, today=TODAY)
    # A alone has 6 answers, but B (3) is hidden and DEPT (9) is shown: A's figure would reveal B's.
    assert metric_values.latest(db_session, "engagement", [org["a"].id], 5).suppressed
    assert p.now.suppressed and p.now.value is None and p.status == "no_value"
    assert "smaller than 5" in p.status_text


def test_value_when_set_and_overdue(db_session, org):
    goal = _goal(db_session, 40, due_on="2026-03-15")
    goal.created_at = dt.datetime(2026, 1, 20)  # after W1 closed (11 Jan), before W2 closed (11 Feb)
    p, = goal_progress.progress(db_session, [goal], 5, today=dt.date(2026, 3, 16))
    # W1: A 1 of 6, B 1 of 6, C 6 of 6 favourable -> 8 of 18 = 44.4.
    assert (p.when_set.period, p.when_set.value, p.when_set.n) == ("W1", 44.4, 18)
    assert p.overdue and p.status == "at_target"
    goal.created_at = dt.datetime(2026, 1, 5)
    p, = goal_progress.progress(db_session, [goal], 5, today=dt.date(2026, 3, 15))
    assert p.when_set.value is None and "when the goal was set" in p.when_set.note and not p.overdue


def test_outcome_goal_waits_for_imports(db_session, org):
    goal = service.create_goal(db_session, metric="outcome:revenue", team_id=None, target=5, due_on="2026-12-31",
                               today=TODAY)
    p, = goal_progress.progress(db_session, [goal], 5, today=TODAY)
    assert p.status == "no_value" and "not imported yet" in p.status_text
