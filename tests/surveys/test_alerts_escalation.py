"""The escalation clock with a fixed `now`, who is mailed at each level, and the mails through `tandem tick` and a
real SMTP server on loopback: each once, HTML and text, a link to the alert, escalation recorded once."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.alerts import escalation, workflow
from surveys.alerts.access import scope_for
from surveys.alerts.escalation import EscalationSettings
from surveys.models import Alert, Reminder
from webapp.config import ConfigError, load_config

from ..alert_rows import make_alert

BASE_URL = "https://tandem.example"
RAISED = dt.datetime(2026, 10, 14, 6, 0)
SETTINGS = EscalationSettings(ack_days=2, persist_days=14)


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server[1], "BASE_URL": BASE_URL,
            "SMTP_SENDER": "alerts@tandem.example"}


@pytest.fixture
def org(make):
    """Company > Operations (department, head: ops lead) > Help desk (no lead) > Web team (lead)."""
    root = make.team(code="ROOT", name="Company")
    ops = make.team(code="OPS", name="Operations", parent=root)
    desk = make.team(code="DESK", name="Help desk", parent=ops)
    web = make.team(code="WEB", name="Web team", parent=desk)
    head = make.staff(role="team_lead", team=ops, email="head@example.com")
    ops.lead = head
    web_lead = make.staff(role="team_lead", team=web, email="web-lead@example.com")
    web.lead = web_lead
    ceo = make.staff(role="executive", email="ceo@example.com")
    cfo = make.staff(role="executive", email="cfo@example.com")
    make.staff(role="executive", email="gone@example.com", active=False)
    web_tp, desk_tp = make.touchpoint(team=web, code="WEB-CHECKOUT"), make.touchpoint(team=desk, code="DESK-CHAT")
    web_tp.name, desk_tp.name = "Web checkout", "Help chat"
    make.session.flush()
    return dict(root=root, ops=ops, desk=desk, web=web, head=head, web_lead=web_lead, ceo=ceo, cfo=cfo,
                web_tp=web_tp, desk_tp=desk_tp)


def test_the_clock_of_a_new_alert_counts_acknowledgement_days(db_session, org):
    alert = make_alert(db_session, org["web_tp"], created_at=RAISED)
    first = escalation.clock(alert, SETTINGS)
    assert (first.level, first.next_level, first.next_due, first.reason) == (
        0, 1, RAISED + dt.timedelta(days=2), "not acknowledged")
    assert first.days_left(RAISED + dt.timedelta(hours=1)) == 2
    assert first.days_left(RAISED + dt.timedelta(days=1, hours=1)) == 1
    assert first.days_left(RAISED + dt.timedelta(days=3)) == 0
    assert escalation.due_level(alert, RAISED + dt.timedelta(days=2) - dt.timedelta(seconds=1), SETTINGS) == 0
    assert escalation.due_level(alert, RAISED + dt.timedelta(days=2), SETTINGS) == 1
    assert escalation.due_level(alert, RAISED + dt.timedelta(days=4), SETTINGS) == 2


def test_once_acknowledged_only_persistence_escalates_and_a_closed_alert_stops(db_session, org):
    alert = make_alert(db_session, org["web_tp"], created_at=RAISED, status="acknowledged")
    assert escalation.clock(alert, SETTINGS).next_due == RAISED + dt.timedelta(days=14)
    assert escalation.clock(alert, SETTINGS).reason == "still open"
    assert escalation.due_level(alert, RAISED + dt.timedelta(days=13), SETTINGS) == 0
    assert escalation.due_level(alert, RAISED + dt.timedelta(days=14), SETTINGS) == 1
    assert escalation.due_level(alert, RAISED + dt.timedelta(days=28), SETTINGS) == 2
    alert.escalation_level = 2
    assert escalation.clock(alert, SETTINGS).next_level is None
    alert.status, alert.escalation_level = "resolved", 0
    assert escalation.due_level(alert, RAISED + dt.timedelta(days=100), SETTINGS) == 0
    assert escalation.clock(alert, SETTINGS).next_due is None


def test_recipients_climb_from_the_nearest_lead_to_the_department_head_to_every_executive(db_session, org):
    web_alert = make_alert(db_session, org["web_tp"])
    desk_alert = make_alert(db_session, org["desk_tp"])  # Help desk has no lead: the next lead up hears of it
    assert [p.email for p in escalation.recipients(db_session, web_alert, 0)] == ["web-lead@example.com"]
    assert [p.email for p in escalation.recipients(db_session, desk_alert, 0)] == ["head@example.com"]
    assert [p.email for p in escalation.recipients(db_session, web_alert, 1)] == ["head@example.com"]
    assert escalation.department_of(db_session, org["web"]).code == "OPS"
    assert [p.email for p in escalation.recipients(db_session, web_alert, 2)] == ["ceo@example.com",
                                                                                    "cfo@example.com"]


def tick(runner, when: dt.datetime) -> str:
    result = runner.invoke(args=["tick", "--now", when.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_tick_routes_at_once_then_escalates_each_level_once(runner, db_session, org, smtp_server):
    inbox = smtp_server[0]
    alert = make_alert(db_session, org["web_tp"], created_at=RAISED)
    closed = make_alert(db_session, org["desk_tp"], created_at=RAISED, status="dismissed")
    db_session.commit()
    alert_id, closed_id = alert.id, closed.id

    assert "alerts routed 1" in tick(runner, RAISED + dt.timedelta(hours=1))
    (routed,) = inbox.messages
    assert routed["To"] == "web-lead@example.com" and routed["Subject"] == "New alert: CSAT drop at Web checkout"
    text = routed.get_body(preferencelist=("plain",)).get_content()
    html = routed.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert f"{BASE_URL}/alerts/{alert.id}" in body and "Web team" in body
        assert "7.5 to 28.5" in body and "not acknowledged within 2 days" in body
    assert "alerts routed 0" in tick(runner, RAISED + dt.timedelta(hours=2))

    assert "alerts routed 1" in tick(runner, RAISED + dt.timedelta(days=2, hours=1))
    escalated = inbox.messages[1]
    assert escalated["To"] == "head@example.com"
    assert escalated["Subject"] == "Escalated (not acknowledged): CSAT drop at Web checkout"
    assert "escalated to the department head" in escalated.get_body(preferencelist=("plain",)).get_content()
    alert = db_session.get(Alert, alert_id)
    assert alert.escalation_level == 1 and alert.escalated_at == RAISED + dt.timedelta(days=2, hours=1)
    assert [(e.what, e.detail) for e in alert.events] == [
        ("escalated", "to the department head (not acknowledged after 2 days)")]

    # Acknowledged: only persistence escalates it now, at 2 x 14 days to the executives.
    workflow.acknowledge(db_session, alert.id, scope_for(db_session, org["head"].id, "team_lead", org["ops"].id),
                         actor_id=org["head"].id)
    db_session.commit()
    assert "alerts routed 0" in tick(runner, RAISED + dt.timedelta(days=27))
    assert "alerts routed 2" in tick(runner, RAISED + dt.timedelta(days=28))
    assert sorted(m["To"] for m in inbox.messages[2:]) == ["ceo@example.com", "cfo@example.com"]
    assert inbox.messages[2]["Subject"] == "Escalated (still open): CSAT drop at Web checkout"
    assert "alerts routed 0" in tick(runner, RAISED + dt.timedelta(days=60))
    alert = db_session.get(Alert, alert_id)
    assert alert.escalation_level == 2 and [e.what for e in alert.events].count("escalated") == 2
    assert db_session.scalar(select(func.count()).select_from(Reminder).where(Reminder.kind == "alert")) == 4
    assert not any(r.startswith(f"alert:{closed_id}:") for r in db_session.scalars(select(Reminder.key)))


def test_unreachable_smtp_server_gives_every_claim_back(app, runner, db_session, org, smtp_server):
    make_alert(db_session, org["web_tp"], created_at=RAISED)
    db_session.commit()
    from ..mailserver import free_port

    app.config["SMTP_PORT"] = free_port()
    result = runner.invoke(args=["tick", "--now", (RAISED + dt.timedelta(hours=1)).isoformat()])
    assert "alerts routed 0" in result.output and "alert mail(s) not sent" in result.output
    assert db_session.scalar(select(func.count()).select_from(Reminder).where(Reminder.kind == "alert")) == 0
    app.config["SMTP_PORT"] = smtp_server[1]
    assert "alerts routed 1" in tick(runner, RAISED + dt.timedelta(hours=2))


def test_settings_come_from_tandem_variables(tmp_path):
    config = load_config({"TANDEM_ALERT_ACK_DAYS": "3", "TANDEM_ALERT_PERSIST_DAYS": "21"}, tmp_path)
    assert EscalationSettings.from_config(config) == EscalationSettings(3, 21)
    assert EscalationSettings.from_config(load_config({}, tmp_path)) == EscalationSettings(2, 14)
    for name, value in (("TANDEM_ALERT_ACK_DAYS", "0"), ("TANDEM_ALERT_PERSIST_DAYS", "two weeks")):
        with pytest.raises(ConfigError, match=name):
            load_config({name: value}, tmp_path)


def test_a_department_head_who_is_the_level_0_lead_gets_one_mail(runner, db_session, org, smtp_server):
    inbox = smtp_server[0]
    org["web"].lead = org["head"]
    make_alert(db_session, org["web_tp"], created_at=RAISED)
    db_session.commit()
    tick(runner, RAISED + dt.timedelta(hours=1))
    tick(runner, RAISED + dt.timedelta(days=2, hours=1))  # escalated to the department head: the same person
    assert [m["To"] for m in inbox.messages] == ["head@example.com"]
