"""`tandem audit verify`, `tandem person export|erase`, sign-in events and the retention step of `tandem tick`."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, text

from surveys import audit
from surveys.models import Answer, AuditEvent, Person, Question, Response

from ..conftest import STAFF_PASSWORD


def test_audit_verify_passes_then_names_an_edited_event(runner, db_session):
    event = audit.record(db_session, None, "test.event", "thing", 1, n=1)
    db_session.commit()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "Audit trail intact" in ok.output
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        db_session.execute(text("DROP TRIGGER audit_events_no_update"))
    db_session.execute(text("UPDATE audit_events SET detail = '{\"n\": 2}' WHERE id = :id"), {"id": event.id})
    db_session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and f"event id {event.id}" in broken.output and "edited" in broken.output


def test_person_export_prints_json_and_erase_keeps_the_row(runner, db_session, make):
    team = make.team(code="OPS")
    person = make.person(team=team, email="ann@example.com")
    make.staff(role="hr_admin")  # someone else runs the organisation
    db_session.commit()
    exported = runner.invoke(args=["person", "export", "ann@example.com"])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert data["person"]["email"] == "ann@example.com" and data["person"]["team"]["code"] == "OPS"
    erased = runner.invoke(args=["person", "erase", "ann@example.com", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "anonymous answers kept" in erased.output and "ann@example.com" not in erased.output
    assert db_session.get(Person, person.id).email.startswith("erased-")
    missing = runner.invoke(args=["person", "export", "ann@example.com"])
    assert missing.exit_code == 1 and "no person with email ann@example.com" in missing.output


def test_erasing_the_last_hr_admin_is_refused(runner, db_session, make):
    for other in db_session.scalars(select(Person).where(Person.role == "hr_admin")):
        other.active = False
    make.staff(role="hr_admin", email="only@example.com")
    db_session.commit()
    result = runner.invoke(args=["person", "erase", "only@example.com", "--yes"])
    assert result.exit_code == 1 and "last active HR admin" in result.output


def test_sign_ins_are_audited_without_the_address(client, db_session, make):
    person = make.staff(role="hr_admin", email="hr@example.com")
    db_session.commit()
    client.post("/login", data={"email": "hr@example.com", "password": "wrong-password-here"})
    client.post("/login", data={"email": "hr@example.com", "password": STAFF_PASSWORD})
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action.like("auth.%"))
                                     .order_by(AuditEvent.seq)))
    assert [(e.action, e.actor_id) for e in events][-2:] == [("auth.login_failed", None), ("auth.login", person.id)]
    assert "hr@example.com" not in json.dumps([e.detail for e in events])
    assert events[-2].detail["email_hmac"] == audit.email_digest(client.application.config["SECRET_KEY"],
                                                                  "hr@example.com")


def test_tick_blanks_old_comments_when_retention_is_set(app, runner, db_session, make):
    program = make.program(survey=make.survey(questions=[
        {"code": "comment", "qtype": "text", "dimension": "comment", "required": False}]))
    wave = make.wave(program=program, status="closed", opens_at=dt.datetime(2026, 1, 1), days=30)
    response = Response(wave_id=wave.id, team_id=make.team().id, source="import", submitted_on=dt.date(2026, 1, 5))
    db_session.add(response)
    db_session.flush()
    question = db_session.scalar(select(Question).where(Question.survey_id == wave.survey_id))
    db_session.add(Answer(response_id=response.id, question_id=question.id, text="old remark"))
    db_session.commit()
    off = runner.invoke(args=["tick", "--now", "2026-11-01T08:00"])
    assert off.exit_code == 0 and "comments blanked" not in off.output
    app.config["COMMENT_RETENTION_DAYS"] = 90
    on = runner.invoke(args=["tick", "--now", "2026-11-01T08:00"])
    assert on.exit_code == 0 and "comments blanked 0, answers deleted 1" in on.output, on.output
    assert db_session.scalar(select(Answer.text).where(Answer.response_id == response.id)) is None
