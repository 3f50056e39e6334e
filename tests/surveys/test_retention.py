"""Comment retention: texts of old responses are blanked, numbers stay, the rollups do not move."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surveys import rollups
from surveys.models import Answer, AuditEvent, Question, Response
from surveys.retention import purge_comments

QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "comment", "qtype": "text", "dimension": "comment", "required": False}]
TODAY = dt.date(2026, 11, 30)


def _answered(db_session, make, day: dt.date) -> int:
    """A response on `day` with a number, a text-only comment, and a number that carries a text too."""
    program = make.program(survey=make.survey(questions=QUESTIONS))
    wave = make.wave(program=program, status="closed", opens_at=dt.datetime(2026, 1, 1), days=360)
    response = Response(wave_id=wave.id, team_id=make.team().id, source="import", submitted_on=day)
    db_session.add(response)
    db_session.flush()
    e1, comment = db_session.scalars(select(Question).where(Question.survey_id == wave.survey_id)
                                     .order_by(Question.position))
    db_session.add_all([
        Answer(response_id=response.id, question_id=e1.id, scale_min=e1.scale_min, scale_max=e1.scale_max,
               value=4, text="other: free text"),
        Answer(response_id=response.id, question_id=comment.id, text="A remark"),
    ])
    db_session.flush()
    rollups.add_responses(db_session, [response.id])  # as every write path does
    return response.id


def _answers(db_session, response_id: int) -> list[tuple]:
    return sorted(db_session.execute(select(Answer.value, Answer.text).where(Answer.response_id == response_id)),
                  key=str)


def test_zero_days_keeps_comments_forever(db_session, make):
    old = _answered(db_session, make, dt.date(2020, 1, 1))
    assert not purge_comments(db_session, TODAY, 0).ran
    assert _answers(db_session, old) == [(4, "other: free text"), (None, "A remark")]


def test_old_comments_are_blanked_and_numbers_stay(db_session, make):
    old = _answered(db_session, make, TODAY - dt.timedelta(days=31))
    edge = _answered(db_session, make, TODAY - dt.timedelta(days=30))
    assert rollups.verify(db_session) is None
    result = purge_comments(db_session, TODAY, 30)
    assert (result.blanked, result.deleted) == (1, 1)
    assert _answers(db_session, old) == [(4, None)]
    assert _answers(db_session, edge) == [(4, "other: free text"), (None, "A remark")]
    assert rollups.verify(db_session) is None  # text answers are not in the report rollups
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "comments.purge"))
    assert event.detail == {"before": "2026-10-31", "retention_days": 30, "blanked": 1, "deleted": 1}


def test_a_purge_runs_once_per_cutoff_day(db_session, make):
    _answered(db_session, make, TODAY - dt.timedelta(days=40))
    assert purge_comments(db_session, TODAY, 30).ran
    assert not purge_comments(db_session, TODAY, 30).ran
    assert purge_comments(db_session, TODAY + dt.timedelta(days=1), 30).ran
