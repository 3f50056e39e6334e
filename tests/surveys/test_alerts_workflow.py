"""The alert workflow through its service: transitions, required notes and reasons, history, audit, scoping,
and one click from an alert to an action of the improvement loop."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.actions.fields import Baseline
from surveys.alerts import workflow
from surveys.alerts.access import scope_for
from surveys.errors import Conflict, NotFound, ValidationError
from surveys.models import Action, AuditEvent

from ..alert_rows import make_alert

TODAY = dt.date(2026, 12, 1)


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
    executive = make.staff(role="executive")
    checkout = make.touchpoint(team=desk, code="WEB-CHECKOUT")
    checkout.name = "Web checkout"
    make.session.flush()
    return dict(root=root, ops=ops, desk=desk, sales=sales, lead=lead, other_lead=other_lead, hr=hr,
                executive=executive, checkout=checkout)


def scope_of(session, person):
    return scope_for(session, person.id, person.role, person.team_id)


def audit_actions(session, alert_id):
    return [(e.action, e.detail) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "alert", AuditEvent.entity_id == alert_id)
        .order_by(AuditEvent.seq))]


def test_acknowledge_then_resolve_with_a_note_writes_history_and_audit(db_session, org):
    alert = make_alert(db_session, org["checkout"])
    scope = scope_of(db_session, org["lead"])
    workflow.acknowledge(db_session, alert.id, scope, actor_id=org["lead"].id)
    assert alert.status == "acknowledged" and alert.acknowledged_at is not None and alert.open_key is not None
    with pytest.raises(ValidationError) as missing:
        workflow.resolve(db_session, alert.id, scope, actor_id=org["lead"].id, note="   ")
    assert missing.value.field == "note" and "note" in missing.value.message
    workflow.resolve(db_session, alert.id, scope, actor_id=org["lead"].id, note="Payment provider fixed.")
    assert alert.status == "resolved" and alert.closed_at is not None and alert.open_key is None
    assert alert.status_note == "Payment provider fixed."
    assert [(e.what, e.actor_id) for e in alert.events] == [("acknowledged", org["lead"].id),
                                                            ("resolved", org["lead"].id)]
    assert audit_actions(db_session, alert.id) == [
        ("alert.status", {"before": "new", "after": "acknowledged"}),
        ("alert.status", {"before": "acknowledged", "after": "resolved", "note": "Payment provider fixed."})]


def test_dismissing_needs_a_reason_and_closes_from_any_open_status(db_session, org):
    scope = scope_of(db_session, org["hr"])
    for status in ("new", "acknowledged", "action_planned"):
        tp = org["checkout"] if status == "new" else type(org["checkout"])(
            code=f"TP-{status}", name=status, channel="web", team=org["desk"])
        alert = make_alert(db_session, tp, status=status)
        with pytest.raises(ValidationError) as blank:
            workflow.dismiss(db_session, alert.id, scope, actor_id=org["hr"].id, reason="")
        assert blank.value.field == "reason"
        with pytest.raises(ValidationError, match="longer than"):
            workflow.dismiss(db_session, alert.id, scope, actor_id=org["hr"].id, reason="x" * 6000)
        workflow.dismiss(db_session, alert.id, scope, actor_id=org["hr"].id, reason="A test campaign.")
        assert (alert.status, alert.status_note, alert.open_key) == ("dismissed", "A test campaign.", None)


def test_illegal_transitions_raise_a_conflict_and_change_nothing(db_session, org):
    scope = scope_of(db_session, org["hr"])
    alert = make_alert(db_session, org["checkout"], status="acknowledged")
    with pytest.raises(Conflict, match="already acknowledged"):
        workflow.acknowledge(db_session, alert.id, scope, actor_id=org["hr"].id)
    workflow.dismiss(db_session, alert.id, scope, actor_id=org["hr"].id, reason="Known outage, over.")
    for change in (lambda: workflow.acknowledge(db_session, alert.id, scope, actor_id=None),
                   lambda: workflow.resolve(db_session, alert.id, scope, actor_id=None, note="done"),
                   lambda: workflow.plan_action(db_session, alert.id, scope, actor_id=org["hr"].id, today=TODAY)):
        with pytest.raises(Conflict, match="closed alert"):
            change()
    assert alert.status == "dismissed" and len(alert.events) == 1


def test_a_team_lead_acts_on_their_subtree_only_hr_and_executives_on_every_alert(db_session, org):
    alert = make_alert(db_session, org["checkout"])
    with pytest.raises(NotFound):
        workflow.acknowledge(db_session, alert.id, scope_of(db_session, org["other_lead"]),
                             actor_id=org["other_lead"].id)
    with pytest.raises(NotFound):
        workflow.acknowledge(db_session, "not-an-id", scope_of(db_session, org["hr"]), actor_id=None)
    assert alert.status == "new"
    workflow.acknowledge(db_session, alert.id, scope_of(db_session, org["executive"]),
                         actor_id=org["executive"].id)
    assert alert.status == "acknowledged"


def test_plan_an_action_creates_a_linked_action_with_a_frozen_baseline(db_session, org):
    alert = make_alert(db_session, org["checkout"])
    scope = scope_of(db_session, org["lead"])
    baseline = Baseline(81.2, 240, 76.0, 85.6, "customers from 2026-06-01 to 2026-08-31")
    action = workflow.plan_action(db_session, alert.id, scope, actor_id=org["lead"].id, today=TODAY,
                                  baseline=baseline)
    assert action.title == "Fix: CSAT drop at Web checkout"
    assert (action.source, action.metric, action.status, action.visibility) == ("alert", "csat", "planned", "leaders")
    assert [t.code for t in action.teams] == ["DESK"] and action.owner_id == org["lead"].id
    assert (action.baseline, action.baseline_n, action.baseline_low, action.baseline_high) == (81.2, 240, 76.0, 85.6)
    assert action.starts_on == TODAY and action.due_on == TODAY + dt.timedelta(days=90)
    assert "alert #" in action.description and "18.0 (95% interval 7.5 to 28.5)" in action.description
    assert alert.action_id == action.id and alert.status == "action_planned" and alert.acknowledged_at is not None
    assert alert.events[-1].what == "action planned" and f"action #{action.id}" in alert.events[-1].detail
    assert [a for a, _d in audit_actions(db_session, alert.id)] == ["alert.status"]
    assert db_session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "action",
                                                             AuditEvent.entity_id == action.id)) == "action.create"
    with pytest.raises(Conflict, match="already has an action"):
        workflow.plan_action(db_session, alert.id, scope, actor_id=org["lead"].id, today=TODAY)
    assert db_session.scalar(select(Action.id).where(Action.id != action.id, Action.source == "alert")) is None


def test_an_emerging_theme_plans_a_csat_action_owned_by_hr_when_the_team_has_no_lead(db_session, org):
    tp = type(org["checkout"])(code="SHOP", name="Shop floor", channel="store", team=org["sales"])
    org["sales"].lead = None
    alert = make_alert(db_session, tp, kind="emerging_theme", metric="theme:3", status="acknowledged")
    action = workflow.plan_action(db_session, alert.id, scope_of(db_session, org["hr"]), actor_id=org["hr"].id,
                                  today=TODAY)
    assert action.metric == "csat" and action.owner_id == org["hr"].id and action.baseline is None
    assert action.title == "Fix: Rising complaint theme at Shop floor"


def test_the_action_baseline_is_empty_without_a_closed_wave(db_session, org):
    alert = make_alert(db_session, org["checkout"])
    assert workflow.action_baseline(db_session, alert, 5) == Baseline()
