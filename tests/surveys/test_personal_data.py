"""Personal data: export everything about a person, erase it keeping anonymous answers; no answers in audit."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select

from surveys import audit
from surveys.collection import queue, submission
from surveys.errors import Conflict, NotFound
from surveys.ingestion import import_feedback
from surveys.models import Answer, AuditEvent, Invitation, Person, Response, SubmissionReceipt, Team, utcnow
from surveys.org import accounts, personal_data

NOW = utcnow()
SECRET = "test-secret-key-0123456789"
from ..factories import DRAFT_KEY

SECRET_COMMENT = "My manager Dana shouts at us"
QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "comment", "qtype": "text", "dimension": "comment", "required": False}]


@pytest.fixture
def answered(make, db_session):
    """An employee who answered one wave (with a comment) and was invited to another."""
    team = make.team(code="OPS")
    person = make.person(team=team, email="ann@example.com")
    program = make.program(survey=make.survey(questions=QUESTIONS), code="PULSE")
    first = make.wave(program=program, label="w1", opens_at=NOW - dt.timedelta(days=1))
    inv, _token = make.invitation(wave=first, person=person)
    submission.start(db_session, inv.id, NOW, key=DRAFT_KEY)
    submission.record_page(db_session, inv.id, 0, {"e1": ["4"], "comment": [SECRET_COMMENT]}, "submit", NOW,
                           key=DRAFT_KEY)
    make.peers(first, team, 4)  # colleagues answered too, so the queue releases the batch
    queue.release(db_session, first.id)
    other = make.wave(program=make.program(survey=make.survey(questions=QUESTIONS)), label="w2",
                      opens_at=NOW - dt.timedelta(days=1))
    make.invitation(wave=other, person=person)
    team.lead_id = person.id
    db_session.flush()
    return person


def _all_details(db_session) -> str:
    return json.dumps([e.detail for e in db_session.scalars(select(AuditEvent))])


def test_submissions_and_imports_leave_no_answer_content_in_the_audit_trail(db_session, make, answered):
    program = make.program(survey=make.survey(audience="customer", questions=[
        {"code": "csat", "qtype": "likert5", "dimension": "csat"},
        {"code": "comment", "qtype": "text", "dimension": "comment", "required": False}]), code="CX")
    make.wave(program, label="2026-01", opens_at=dt.datetime(2026, 1, 1), days=31, status="closed")
    make.touchpoint(team=make.team(code="DESK"), code="TEL", channel="phone")
    csv = "touchpoint,date,channel,csat,comment\nTEL,2026-01-05,,5,Imported secret remark\n"
    assert import_feedback(db_session, io.BytesIO(csv.encode())).ok
    texts = set(db_session.scalars(select(Answer.text).where(Answer.text.is_not(None))))
    assert {SECRET_COMMENT, "Imported secret remark"} <= texts
    details = _all_details(db_session)
    assert "import.feedback" in set(db_session.scalars(select(AuditEvent.action)))
    for text in texts:
        assert text not in details


def test_export_lists_what_is_stored_without_the_password_hash(db_session, answered):
    audit.record(db_session, answered.id, "test.did", "thing", 1)
    data = personal_data.export_person(db_session, " ANN@example.com", SECRET)
    assert data["person"]["email"] == "ann@example.com" and data["person"]["password_set"] is False
    assert data["person"]["team"]["code"] == "OPS" and data["person"]["leads_teams"] == ["OPS"]
    assert sorted((i["wave"], i["used"]) for i in data["invitations"]) == [("w1", True), ("w2", False)]
    assert data["sessions"] == []  # never signed in: no staff session
    assert [e["action"] for e in data["audit_events_caused"]] == ["test.did"]
    assert "password_hash" not in json.dumps(data) and SECRET_COMMENT not in json.dumps(data)
    json.dumps(data)  # plain JSON


def test_export_shows_role_history_and_failed_sign_ins(db_session):
    accounts.create_user(db_session, email="lead@example.com", name="L", role="team_lead",
                                  password="long-enough-password")
    audit.record(db_session, None, "auth.login_failed", "person", None,
                 email_hmac=audit.email_digest(SECRET, "lead@example.com"))
    data = personal_data.export_person(db_session, "lead@example.com", SECRET)
    assert data["person"]["password_set"] is True
    assert [(e["action"], e["detail"]) for e in data["role_history"]] == [("user.create", {"role": "team_lead"})]
    assert data["failed_sign_ins"] == 1


def test_erase_keeps_anonymous_answers_and_removes_everything_personal(db_session, answered):
    responses = db_session.scalar(select(func.count()).select_from(Response))
    answers = db_session.scalar(select(func.count()).select_from(Answer))
    result = personal_data.erase_person(db_session, "ann@example.com", SECRET)
    assert result.invitations == 2
    person = db_session.get(Person, answered.id)
    assert person.email == result.tombstone and result.tombstone.startswith("erased-")
    assert (person.name, person.password_hash, person.active, person.team_id) == ("Erased person", None, False, None)
    assert db_session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.person_id == answered.id)) == 0
    assert db_session.scalar(select(func.count()).select_from(SubmissionReceipt)) == 0
    assert db_session.scalar(select(Team.lead_id).where(Team.code == "OPS")) is None
    assert db_session.scalar(select(func.count()).select_from(Response)) == responses
    assert db_session.scalar(select(func.count()).select_from(Answer)) == answers
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "person.erase"))
    assert event.detail["email_hmac"] == audit.email_digest(SECRET, "ann@example.com")
    assert "ann@example.com" not in _all_details(db_session)
    assert audit.verify(db_session).ok
    with pytest.raises(NotFound):
        personal_data.export_person(db_session, "ann@example.com")


def test_the_last_hr_admin_cannot_be_erased(db_session, make):
    for other in db_session.scalars(select(Person).where(Person.role == "hr_admin")):
        other.active = False  # committed admins of other tests must not count
    admin = make.staff(role="hr_admin", email="boss@example.com")
    with pytest.raises(Conflict, match="last active HR admin"):
        personal_data.erase_person(db_session, admin.email, SECRET)
    make.staff(role="hr_admin", email="second@example.com")
    assert personal_data.erase_person(db_session, admin.email, SECRET).person_id == admin.id
