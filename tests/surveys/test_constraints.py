"""The database itself refuses what the code also refuses: a second submission, an out-of-range answer."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from surveys.models import Answer, Invitation, Response, SubmissionReceipt


def _response(make, wave=None):
    wave = wave or make.wave()
    return Response(wave_id=wave.id, team_id=make.team().id, source="invitation",
                    submitted_on=dt.date(2026, 1, 5))


def test_second_receipt_for_one_invitation_is_refused(db_session, make):
    invitation, _ = make.invitation()
    db_session.add(SubmissionReceipt(invitation_id=invitation.id))
    db_session.flush()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(SubmissionReceipt(invitation_id=invitation.id))
        db_session.flush()


@pytest.fixture
def stored(db_session, make):
    """A survey (likert5 'eng1', scale0_10 'enps', text 'comment') and a flushed response to it."""
    survey = make.survey()
    response = _response(make)
    db_session.add(response)
    db_session.flush()
    return {q.qtype: q for q in survey.questions}, response


def _refused(db_session, answer: Answer) -> None:
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(answer)
        db_session.flush()


@pytest.mark.parametrize("value", [0, 6, -1])
def test_out_of_range_answer_is_refused(db_session, stored, value):
    questions, response = stored
    _refused(db_session, Answer(response_id=response.id, question_id=questions["likert5"].id, scale_min=1,
                                scale_max=5, value=value))


def test_answer_cannot_claim_wider_bounds_than_its_question(db_session, stored):
    questions, response = stored
    # The composite foreign key pins the copied bounds to the question's own.
    _refused(db_session, Answer(response_id=response.id, question_id=questions["likert5"].id, scale_min=0,
                                scale_max=10, value=9))


def test_numeric_value_on_a_text_question_is_refused(db_session, stored):
    questions, response = stored
    _refused(db_session, Answer(response_id=response.id, question_id=questions["text"].id, value=3))


def test_valid_answers_are_stored(db_session, stored):
    questions, response = stored
    for q in questions.values():
        value = None if q.qtype == "text" else q.scale_max
        db_session.add(Answer(response_id=response.id, question_id=q.id, scale_min=q.scale_min,
                              scale_max=q.scale_max, value=value, text="ok" if value is None else None))
    db_session.flush()
    assert len(db_session.get(Response, response.id).answers) == 3


def test_invitation_targets_a_person_or_a_touchpoint_not_both(db_session, make):
    wave = make.wave()
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(Invitation(wave_id=wave.id, person_id=make.person().id,
                                  touchpoint_id=make.touchpoint().id, token_hash="x" * 64))
        db_session.flush()


def test_one_invitation_per_person_and_wave(db_session, make):
    wave, person = make.wave(), make.person()
    make.invitation(wave=wave, person=person)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        make.invitation(wave=wave, person=person)


def test_no_column_links_a_response_or_answer_to_a_person(engine):
    inspector = inspect(engine)
    for table in ("responses", "answers"):
        columns = {c["name"] for c in inspector.get_columns(table)}
        assert not columns & {"person_id", "invitation_id", "email", "token_hash"}, (table, columns)
        for fk in inspector.get_foreign_keys(table):
            assert fk["referred_table"] not in ("people", "invitations", "submission_receipts")


def test_sqlite_connections_are_configured_for_safety(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
        assert pragma("secure_delete") == 1


def test_errors_do_not_show_statement_parameters(engine):
    assert engine.hide_parameters
