"""Action plans through the service: create, edit, statuses, steps, notes, history, audit and scope."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.actions import listing, service, steps
from surveys.actions.fields import Baseline
from surveys.actions.scope import Scope, get_action, scope_for
from surveys.errors import Conflict, Forbidden, NotFound, ValidationError, ValidationErrors
from surveys.models import AuditEvent

START, DUE = dt.date(2026, 12, 1), dt.date(2027, 3, 1)


@pytest.fixture
def org(make):
    root = make.team(code="ROOT", name="Company")
    ops = make.team(code="OPS", name="Operations", parent=root)
    desk = make.team(code="DESK", name="Help desk", parent=ops)
    sales = make.team(code="SALES", name="Sales", parent=root)
    lead = make.staff(role="team_lead", team=ops)
    ops.lead = lead
    other_lead = make.staff(role="team_lead", team=sales)
    sales.lead = other_lead
    hr = make.staff(role="hr_admin")
    make.session.flush()
    return dict(root=root, ops=ops, desk=desk, sales=sales, lead=lead, other_lead=other_lead, hr=hr)


def scope_of(session, person) -> Scope:
    return scope_for(session, person.id, person.role, person.team_id)


def values(org, **over):
    out = dict(title="Fix hand-offs", description="One owner per case.", owner_id=org["lead"].id,
               team_ids=[org["desk"].id], metric="process", target="70", starts_on=START, due_on=DUE,
               visibility="leaders", source="manual")
    out.update(over)
    return out


def create(db_session, org, who="lead", **over):
    person = org[who]
    return service.create_action(db_session, scope_of(db_session, person), actor_id=person.id,
                                 baseline=Baseline(61.5, 42, 55.0, 68.0, "2026 Q3"), **values(org, **over))


def test_create_stores_fields_baseline_history_and_audit(db_session, org):
    action = create(db_session, org, steps=["Map hand-offs", " ", "Pilot"])
    assert (action.status, action.metric, action.target, action.baseline, action.baseline_n) == (
        "planned", "process", 70.0, 61.5, 42)
    assert [t.code for t in action.teams] == ["DESK"] and action.owner_id == org["lead"].id
    assert [s.text for s in action.steps] == ["Map hand-offs", "Pilot"] and action.percent_complete == 0
    assert [e.what for e in action.events] == ["created", "step added", "step added"]
    assert action.events[0].actor_id == org["lead"].id and "Help desk" in action.events[0].detail
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "action.create")).all()
    assert [a.entity_id for a in audit] == [action.id] and audit[0].detail["teams"] == ["DESK"]


def test_every_problem_is_reported_at_once(db_session, org):
    with pytest.raises(ValidationErrors) as caught:
        create(db_session, org, title=" ", team_ids=[], metric="happiness", due_on=dt.date(2026, 1, 1),
               visibility="everyone")
    errors = caught.value.field_errors
    assert set(errors) == {"title", "team_ids", "metric", "due_on", "visibility"}
    assert "before the start date" in errors["due_on"][0] and "Unknown metric 'happiness'" in errors["metric"][0]


def test_target_is_range_checked_against_the_metric(db_session, org):
    with pytest.raises(ValidationError, match="eNPS runs from -100 to 100; 150 is outside"):
        create(db_session, org, metric="enps", target="150")
    with pytest.raises(ValidationError, match="not a number"):
        create(db_session, org, target="lots")
    assert create(db_session, org, target="").target is None


def test_a_team_lead_plans_only_for_their_own_teams_and_staff(db_session, org):
    with pytest.raises(ValidationError, match="Sales is not one of them"):
        create(db_session, org, team_ids=[org["desk"].id, org["sales"].id])
    with pytest.raises(ValidationError, match="works outside your teams"):
        create(db_session, org, owner_id=org["other_lead"].id)
    # HR plans for any team with any staff owner.
    action = create(db_session, org, who="hr", team_ids=[org["sales"].id], owner_id=org["other_lead"].id)
    assert action.teams == [org["sales"]]


def test_statuses_move_forward_only_and_abandoning_needs_a_reason(db_session, org):
    action = create(db_session, org)
    scope = scope_of(db_session, org["lead"])
    with pytest.raises(Conflict, match="start it first"):
        service.change_status(db_session, action.id, scope, "done", actor_id=org["lead"].id)
    service.change_status(db_session, action.id, scope, "in_progress", actor_id=org["lead"].id)
    with pytest.raises(Conflict, match="cannot go back to planned"):
        service.change_status(db_session, action.id, scope, "planned", actor_id=org["lead"].id)
    with pytest.raises(ValidationError, match="Say why"):
        service.change_status(db_session, action.id, scope, "abandoned", actor_id=org["lead"].id, reason=" ")
    service.change_status(db_session, action.id, scope, "done", actor_id=org["lead"].id)
    with pytest.raises(Conflict, match="already done"):
        service.change_status(db_session, action.id, scope, "abandoned", actor_id=org["lead"].id, reason="x")
    assert [e.detail for e in action.events if e.what == "status"] == ["planned → in progress",
                                                                       "in progress → done"]
    audited = db_session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "action.status")).all()
    assert [(d["before"], d["after"]) for d in audited] == [("planned", "in_progress"), ("in_progress", "done")]


def test_abandon_keeps_the_reason(db_session, org):
    action = create(db_session, org)
    service.change_status(db_session, action.id, scope_of(db_session, org["lead"]), "abandoned",
                          actor_id=org["lead"].id, reason="The team was merged.")
    assert action.status == "abandoned" and action.abandon_reason == "The team was merged."
    assert action.events[-1].detail == "planned → abandoned: The team was merged."


def test_steps_give_percent_complete_and_history(db_session, org):
    action = create(db_session, org)
    scope, actor = scope_of(db_session, org["lead"]), org["lead"].id
    made = [steps.add_step(db_session, action.id, scope, actor_id=actor, text=t) for t in ("a", "b", "c", "d")]
    steps.set_done(db_session, action.id, made[0].id, scope, done=True, actor_id=actor)
    steps.set_done(db_session, action.id, made[1].id, scope, done=True, actor_id=actor)
    steps.set_done(db_session, action.id, made[1].id, scope, done=True, actor_id=actor)  # no change, no row
    assert action.percent_complete == 50
    steps.set_done(db_session, action.id, made[1].id, scope, done=False, actor_id=actor)
    steps.remove_step(db_session, action.id, made[3].id, scope, actor_id=actor)
    assert action.percent_complete == 33 and [s.text for s in action.steps] == ["a", "b", "c"]
    assert [e.what for e in action.events][1:] == ["step added"] * 4 + ["step done", "step done", "step reopened",
                                                                          "step removed"]
    with pytest.raises(NotFound):
        steps.set_done(db_session, action.id, made[3].id, scope, done=True, actor_id=actor)
    with pytest.raises(ValidationError, match="Write what the step is"):
        steps.add_step(db_session, action.id, scope, actor_id=actor, text="  ")
    service.change_status(db_session, action.id, scope, "abandoned", actor_id=actor, reason="stop")
    with pytest.raises(Conflict, match="can no longer change"):
        steps.add_step(db_session, action.id, scope, actor_id=actor, text="late")


def test_notes_are_dated_and_authored(db_session, org):
    action = create(db_session, org)
    note = service.add_note(db_session, action.id, scope_of(db_session, org["lead"]), actor_id=org["lead"].id,
                            note="Mapped the hand-offs with the team.")
    assert note.author_id == org["lead"].id and note.created_at is not None and note.status == "planned"
    assert action.updates == [note] and action.events[-1].what == "note added"
    with pytest.raises(ValidationError, match="Write the progress note"):
        service.add_note(db_session, action.id, scope_of(db_session, org["lead"]), actor_id=None, note="")


def test_edit_records_each_change_and_fixes_metric_and_teams_once_started(db_session, org):
    action = create(db_session, org)
    scope, actor = scope_of(db_session, org["lead"]), org["lead"].id
    taken = []

    def retake(metric, team_ids):
        taken.append((metric, team_ids))
        return Baseline(40.0, 12, 30.0, 50.0, "2026 Q3")

    service.update_action(db_session, action.id, scope, actor_id=actor, retake_baseline=retake,
                          **values(org, title="Fix hand-offs now", metric="people", target="75"))
    assert taken == [("people", [org["desk"].id])] and action.baseline == 40.0
    whats = {e.what: e.detail for e in action.events}
    assert whats["title"] == "Fix hand-offs → Fix hand-offs now" and whats["target"] == "70 → 75"
    assert whats["metric"] == "process → people" and whats["baseline"].startswith("taken again: 40")
    service.change_status(db_session, action.id, scope, "in_progress", actor_id=actor)
    with pytest.raises(ValidationError, match="fixed once an action has started"):
        service.update_action(db_session, action.id, scope, actor_id=actor, retake_baseline=retake,
                              **values(org, metric="process", target="75"))


def test_another_lead_neither_sees_nor_changes_the_action(db_session, org):
    action = create(db_session, org)
    outsider = scope_of(db_session, org["other_lead"])
    with pytest.raises(NotFound):
        get_action(db_session, action.id, outsider)
    for attempt in (lambda: service.change_status(db_session, action.id, outsider, "in_progress", actor_id=None),
                    lambda: steps.add_step(db_session, action.id, outsider, actor_id=None, text="x"),
                    lambda: service.add_note(db_session, action.id, outsider, actor_id=None, note="x")):
        with pytest.raises(NotFound):
            attempt()
    assert action.status == "planned" and action.steps == [] and action.updates == []
    assert get_action(db_session, action.id, scope_of(db_session, org["hr"])) is action


def test_an_action_spanning_teams_outside_a_lead_is_read_only_for_them(db_session, org):
    action = create(db_session, org, who="hr", team_ids=[org["desk"].id, org["sales"].id],
                    owner_id=org["other_lead"].id)
    lead = scope_of(db_session, org["lead"])
    assert get_action(db_session, action.id, lead) is action
    with pytest.raises(Forbidden, match="Sales"):
        service.change_status(db_session, action.id, lead, "in_progress", actor_id=org["lead"].id)
    # The owner may change it, and editing keeps the teams outside their own scope.
    owner = scope_of(db_session, org["other_lead"])
    service.update_action(db_session, action.id, owner, actor_id=org["other_lead"].id,
                          **values(org, owner_id=org["other_lead"].id, team_ids=[org["sales"].id], title="New"))
    assert {t.code for t in action.teams} == {"DESK", "SALES"} and action.title == "New"


def test_overview_filters_and_counts(db_session, org):
    a = create(db_session, org)
    b = create(db_session, org, who="hr", team_ids=[org["sales"].id], owner_id=org["other_lead"].id,
               metric="enps", target="10", due_on=dt.date(2026, 12, 5))
    hr, lead = scope_of(db_session, org["hr"]), scope_of(db_session, org["lead"])
    today = dt.date(2026, 12, 10)
    everything = listing.overview(db_session, hr, listing.Filters(), today)
    assert [x.id for x in everything.actions] == [b.id, a.id] and everything.overdue == 1
    assert everything.counts["planned"] == 2
    assert [x.id for x in listing.overview(db_session, lead, listing.Filters(), today).actions] == [a.id]
    f = listing.parse_filters(db_session, hr, {"department": "OPS", "metric": "process"})
    assert not f.errors and [x.id for x in listing.overview(db_session, hr, f, today).actions] == [a.id]
    f = listing.parse_filters(db_session, hr, {"status": "overdue"})
    assert [x.id for x in listing.overview(db_session, hr, f, today).actions] == [b.id]
    bad = listing.parse_filters(db_session, lead, {"team": "SALES", "status": "nope", "metric": "x", "owner": "z"})
    assert len(bad.errors) == 4 and bad.team is None and "no team 'SALES'" in bad.errors[0]
