"""Follow-up case mails through a real SMTP server: the lead when a case opens, the department head once it is
overdue, then the executives; each (case, level) once across ticks, a failed server retried, none once closed."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.collection import public_links
from surveys.collection.public_links import RateLimit
from surveys.models import CaseEvent, FollowUpCase, Person, Reminder
from surveys.voice import cases, contacts

from ..mailserver import free_port

BASE_URL = "https://tandem.example"
MONDAY = dt.datetime(2026, 11, 23, 9, 0)  # the case opens now: due Wednesday 09:00; executives from Friday 09:00
CX_QUESTIONS = [{"code": "nps", "qtype": "scale0_10", "dimension": "nps"}]


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server[1], "BASE_URL": BASE_URL,
            "SMTP_SENDER": "cases@tandem.example", "CONTACT_RETENTION_DAYS": 0}


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[0]


@pytest.fixture
def case(make, db_session):
    """Company > Service (head: dept@) > Care (lead: lead@); one executive; one consenting detractor at Care's desk."""
    root = make.team(code="CO")
    dept = make.team(code="SERVICE", parent=root)
    care = make.team(code="CARE", name="Care", parent=dept)
    dept.lead = make.staff(role="team_lead", team=dept, email="dept@example.com")
    care.lead = make.staff(role="team_lead", team=care, email="lead@example.com")
    make.staff(role="executive", email="exec@example.com")
    make.staff(role="executive", email="gone@example.com", active=False)
    make.touchpoint(team=care, code="DESK", channel="phone")
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    make.wave(program=program, opens_at=MONDAY - dt.timedelta(days=1))
    public_links.submit_public(db_session, "CX", "DESK", {"nps": ["1"]}, client="c", limit=RateLimit(9, 60),
                               now=MONDAY, contact=contacts.ContactRequest("Ana", "ana@example.com", ""))
    db_session.commit()
    return db_session.scalar(select(FollowUpCase))


def tick(runner, when: dt.datetime):
    result = runner.invoke(args=["tick", "--now", when.isoformat()])
    assert result.exit_code == 0, result.output
    return result


def test_lead_then_department_head_then_executives_each_once(runner, db_session, case, inbox):
    result = tick(runner, MONDAY + dt.timedelta(minutes=1))
    assert "cases escalated 0" in result.output
    [mail] = inbox.messages
    assert mail["To"] == "lead@example.com" and "call back a customer (NPS 1)" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert f"{BASE_URL}/cases/{case.id}" in body and "ana@example.com" not in body  # contacts stay on the page
    tick(runner, MONDAY + dt.timedelta(hours=2))
    assert len(inbox.messages) == 1  # claimed once
    result = tick(runner, dt.datetime(2026, 11, 25, 9, 30))  # Wednesday, past due
    assert "cases escalated 1" in result.output
    assert [m["To"] for m in inbox.messages[1:]] == ["dept@example.com"]
    assert "Overdue follow-up case" in inbox.messages[1]["Subject"]
    tick(runner, dt.datetime(2026, 11, 26, 9, 30))
    assert len(inbox.messages) == 2
    result = tick(runner, dt.datetime(2026, 11, 27, 9, 30))  # Friday: two working days after due
    assert "cases escalated 1" in result.output
    assert [m["To"] for m in inbox.messages[2:]] == ["exec@example.com"]  # the inactive executive gets nothing
    db_session.expire_all()
    row = db_session.get(FollowUpCase, case.id)
    assert row.escalation_level == 2
    assert [e.what for e in db_session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                               .order_by(CaseEvent.id))] == ["opened", "notified", "escalated",
                                                                             "escalated"]
    people = {e: db_session.scalar(select(Person.id).where(Person.email == e))
              for e in ("lead@example.com", "dept@example.com", "exec@example.com")}
    assert sorted(db_session.scalars(select(Reminder.key).where(Reminder.kind == "case"))) == \
        [f"case:{case.id}:level:{n}:{pid}" for n, pid in enumerate(people.values())]
    tick(runner, dt.datetime(2026, 12, 7, 9, 30))
    assert len(inbox.messages) == 3


def test_a_closed_case_is_not_escalated(runner, db_session, case, inbox):
    cases.close_case(db_session, db_session.get(FollowUpCase, case.id), None, "Called the same day", now=MONDAY)
    db_session.commit()
    tick(runner, dt.datetime(2026, 11, 30, 9, 0))
    assert inbox.messages == []


def test_an_unreachable_server_leaves_the_mail_for_the_next_tick(app, runner, db_session, case, inbox):
    port, app.config["SMTP_PORT"] = app.config["SMTP_PORT"], free_port()
    result = tick(runner, MONDAY + dt.timedelta(minutes=1))
    assert "follow-up case mail was not sent, will retry" in result.output and "failed 1" in result.output
    assert db_session.scalar(select(func.count()).select_from(Reminder)) == 0
    app.config["SMTP_PORT"] = port
    tick(runner, MONDAY + dt.timedelta(minutes=2))
    assert [m["To"] for m in inbox.messages] == ["lead@example.com"]


def test_a_refused_executive_address_does_not_resend_to_the_others(make, runner, db_session, case, inbox):
    make.staff(role="executive", email="bounce@example.com")
    db_session.commit()
    inbox.refuse.add("bounce@example.com")
    tick(runner, MONDAY + dt.timedelta(minutes=1))
    tick(runner, dt.datetime(2026, 11, 25, 9, 30))
    result = tick(runner, dt.datetime(2026, 11, 27, 9, 30))
    assert "bounce@example.com" in result.output and "failed 1" in result.output
    tick(runner, dt.datetime(2026, 11, 27, 10, 30))  # the refused one is retried; exec@ is not mailed again
    assert [m["To"] for m in inbox.messages] == ["lead@example.com", "dept@example.com", "exec@example.com"]
    inbox.refuse.clear()
    tick(runner, dt.datetime(2026, 11, 27, 11, 30))
    assert [m["To"] for m in inbox.messages[3:]] == ["bounce@example.com"]


def test_a_department_head_who_leads_the_team_is_mailed_once(runner, db_session, case, inbox):
    care = db_session.get(FollowUpCase, case.id).team
    care.lead = care.parent.lead  # dept@ leads Care too
    db_session.commit()
    tick(runner, MONDAY + dt.timedelta(minutes=1))
    tick(runner, dt.datetime(2026, 11, 25, 9, 30))
    tick(runner, dt.datetime(2026, 11, 27, 9, 30))
    assert [m["To"] for m in inbox.messages] == ["dept@example.com", "exec@example.com"]
    assert "call back a customer" in inbox.messages[0]["Subject"]
