"""Nothing stored orders or dates a submission next to a person, and no answer lands after a wave closed."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from surveys.collection import opening, queue, submission
from surveys.fieldwork import scheduling
from surveys.instruments import question_types
from surveys.models import (
    Invitation,
    PendingSubmission,
    Person,
    Program,
    Question,
    Response,
    SubmissionReceipt,
    Survey,
    Team,
    Wave,
    utcnow,
)
from tests.conftest import TEST_QUEUE_KEY

from ..factories import DRAFT_KEY as KEY
from ..locking import second_session_waits

NOW = utcnow()
QUESTIONS = [{"code": "eng1", "qtype": "likert5", "dimension": "engagement"}]


@pytest.fixture
def wave(make):
    program = make.program(survey=make.survey(questions=QUESTIONS))
    return make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))


def submit(db_session, invitation_id: int, value: str = "4") -> None:
    submission.start(db_session, invitation_id, NOW, key=KEY)
    assert submission.record_page(db_session, invitation_id, 0, {"eng1": [value]}, "submit", NOW, key=KEY).submitted


def test_invitations_have_no_submission_time(db_session):
    columns = {c["name"] for c in inspect(db_session.connection()).get_columns("invitations")}
    # The whole list, so that a time of use added under any name fails here.
    # unit_team_id and counted are fixed when the wave opens and draft_key_id when a draft is sealed:
    # none of them dates a use. results_sent_at is set after the wave closed, for every invitee alike
    # (surveys/fieldwork/results_mail.py never looks at receipts), so it dates the close, not an answer.
    assert columns == {"id", "wave_id", "person_id", "touchpoint_id", "token_hash", "created_at", "sent_at",
                       "reminded_at", "draft", "draft_key_id", "unit_team_id", "counted", "results_sent_at"}
    assert not any("submit" in c.key for c in inspect(Invitation).columns)
    # `released` flips when the team's batch leaves the submission queue: it dates nothing finer than a batch.
    assert {c.key for c in inspect(SubmissionReceipt).columns} == {"invitation_id", "released"}


def test_responses_and_answers_have_no_hidden_rowid_on_sqlite(db_session):
    conn = db_session.connection()
    if conn.dialect.name != "sqlite":
        pytest.skip("rowid is SQLite's; see the PostgreSQL note in the README")
    for table in ("responses", "answers"):
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                           {"t": table}).scalar_one()
        assert sql.rstrip().endswith("WITHOUT ROWID"), sql
        with pytest.raises(OperationalError, match="rowid"), conn.begin_nested():
            conn.execute(text(f"SELECT rowid FROM {table}"))


def test_two_submissions_cannot_be_put_in_order(db_session, make, wave):
    team = make.team()
    invs = [make.invitation(wave, make.person(team=team))[0] for _ in range(12)]
    for inv in invs:  # submitted one after the other, same team, same day
        submit(db_session, inv.id)
    queue.release_ready(db_session)  # one batch of 12 from the submission queue
    rows = db_session.execute(select(Response.__table__).where(Response.wave_id == wave.id)).mappings().all()
    assert len(rows) == len(invs)
    # Every column but the random id is identical, so no column tells first from last ...
    assert len({tuple(v for k, v in row.items() if k != "id") for row in rows}) == 1
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids) and max(ids) > 2 ** 40  # random 62-bit ids, not a sequence
    if db_session.get_bind().dialect.name == "sqlite":  # WITHOUT ROWID: stored, and so read, by id
        assert [r for (r,) in db_session.execute(text("SELECT id FROM responses WHERE wave_id = :w"),
                                                   {"w": wave.id})] == sorted(ids)
    # ... and the invitations keep nothing that differs between those used first and last.
    kept = db_session.execute(select(Invitation.draft, Invitation.sent_at, Invitation.reminded_at)
                              .where(Invitation.id.in_([i.id for i in invs]))).all()
    assert set(kept) == {(None, None, None)}


def test_a_close_committed_meanwhile_is_seen_before_writing(db_session, make, wave):
    inv, _ = make.invitation(wave, make.person(team=make.team()))
    submission.start(db_session, inv.id, NOW, key=KEY)
    assert inv.wave.status == "open"
    # Another process closed the wave and erased drafts; this session still holds the old wave object.
    db_session.execute(update(Wave).where(Wave.id == wave.id).values(status="closed")
                       .execution_options(synchronize_session=False))
    assert inv.wave.status == "open"
    with pytest.raises(opening.WaveNotOpen, match="closed early"):
        submission.record_page(db_session, inv.id, 0, {"eng1": ["4"]}, "save", NOW, key=KEY)
    with pytest.raises(opening.WaveNotOpen):
        submission.submit_invitation(db_session, inv.id, now=NOW, key=KEY)
    assert db_session.get(SubmissionReceipt, inv.id) is None


@pytest.fixture
def committed_wave(engine):
    """A committed open wave with one invited person (PostgreSQL lock tests need two real sessions)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite serialises writers with BEGIN IMMEDIATE instead")
    with Session(engine, expire_on_commit=False) as s:
        team = Team(code="LOCK-T", name="Lock team")
        person = Person(email="lock@example.com", name="Lock", role="employee", team=team)
        survey = Survey(code="LOCK-S", title="Lock", audience="employee", status="active")
        lo, hi = question_types.bounds_for("likert5", None)
        survey.questions.append(Question(code="eng1", text="eng1", qtype="likert5", dimension="engagement",
                                         position=0, scale_min=lo, scale_max=hi))
        program = Program(code="LOCK-P", name="Lock", survey=survey, audience="employee", cadence="custom")
        w = Wave(program=program, survey=survey, label="L", opens_at=NOW - dt.timedelta(days=1),
                 closes_at=NOW + dt.timedelta(days=5), status="open")
        inv = Invitation(wave=w, person=person, token_hash="lock" * 16)
        s.add_all([team, person, survey, program, w, inv])
        s.flush()
        inv.unit_team_id = team.id
        submission.save_draft(inv, KEY, 0, {})
        s.commit()
        ids = (w.id, inv.id)
    yield ids
    with Session(engine) as s:
        # Audit events stay: the trail is append-only (triggers refuse DELETE).
        s.execute(delete(Program).where(Program.code == "LOCK-P"))
        s.execute(delete(Survey).where(Survey.code == "LOCK-S"))
        s.execute(delete(Person).where(Person.email == "lock@example.com"))
        s.execute(delete(Team).where(Team.code == "LOCK-T"))
        s.commit()


def test_postgresql_a_draft_waits_for_a_close_in_progress_and_is_refused(engine, committed_wave):
    wave_id, inv_id = committed_wave
    with Session(engine) as closer:
        scheduling.close_wave(closer, wave_id, NOW, None)  # holds FOR UPDATE on the wave until commit
        outcome = second_session_waits(engine, lambda respondent: submission.record_page(
            respondent, inv_id, 0, {"eng1": ["4"]}, "save", NOW, key=KEY), closer.commit)
    assert len(outcome) == 1 and isinstance(outcome[0], opening.WaveNotOpen)
    with Session(engine) as check:
        assert check.get(Invitation, inv_id).draft is None  # erased by the close, not written back


def test_postgresql_a_close_waits_for_a_submission_in_progress(engine, committed_wave):
    wave_id, inv_id = committed_wave
    def close(closer):
        closer.info["queue_key"] = TEST_QUEUE_KEY
        return scheduling.close_wave(closer, wave_id, NOW, None)

    with Session(engine) as respondent:
        respondent.info["queue_key"] = TEST_QUEUE_KEY
        submission.record_page(respondent, inv_id, 0, {"eng1": ["4"]}, "submit", NOW, key=KEY)  # holds FOR SHARE
        closed = second_session_waits(engine, close, respondent.commit)
    assert closed == [0]  # the submission erased its own draft; nothing was left to erase
    with Session(engine) as check:
        assert check.get(SubmissionReceipt, inv_id) is not None
        # The close waited for the submission and then saw it: a lone answer stays sealed in the queue.
        assert check.scalar(select(PendingSubmission.id).where(PendingSubmission.wave_id == wave_id)) is not None
