"""A public-link answer reads its wave FOR SHARE, so it never lands in a wave closed meanwhile."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from surveys.collection import public_links
from surveys.collection.public_links import RateLimit
from surveys.fieldwork import scheduling
from surveys.instruments import question_types
from surveys.models import Program, Question, RateLimitHit, Response, Survey, Team, Touchpoint, Wave, utcnow

from ..locking import second_session_waits

NOW = utcnow()
ANSWERS = {"csat": ["4"]}
LIMIT = RateLimit(100, 3600)


def _survey(code: str) -> Survey:
    survey = Survey(code=code, title="Lock CX", audience="customer", status="active")
    lo, hi = question_types.bounds_for("likert5", None)
    survey.questions.append(Question(code="csat", text="csat", qtype="likert5", dimension="csat", position=0,
                                     scale_min=lo, scale_max=hi))
    return survey


def _program(survey: Survey, code: str) -> tuple[Program, Wave]:
    program = Program(code=code, name="Lock CX", survey=survey, audience="customer", cadence="always_on")
    wave = Wave(program=program, survey=survey, label="now", status="open", opens_at=NOW - dt.timedelta(days=1),
                closes_at=NOW + dt.timedelta(days=5))
    return program, wave


def test_a_close_committed_before_the_submission_reads_its_wave_is_seen(db_session, make, monkeypatch):
    """The link, its wave (FOR SHARE) and the sender's hits are read by one statement, so nothing can close the
    wave between the link's lookup and the wave's read; a close that lands just before that statement (after the
    customer loaded the form) is seen, and so is one between the lookups of the step-by-step path it then takes.
    (The PostgreSQL tests below show that a close waits for the lock.)"""
    survey = make.survey(audience="customer", questions=[{"code": "csat", "qtype": "likert5"}])
    program = make.program(survey=survey, code="CXL")
    wave = make.wave(program, opens_at=NOW - dt.timedelta(days=1))
    make.touchpoint(code="DESK")
    execute = db_session.execute
    closes = []

    def close_first(statement, *args, **kwargs):
        if not closes:  # another process closes the wave right before the submission's first statement
            closes.append(execute(update(Wave).where(Wave.id == wave.id).values(status="closed")
                                  .execution_options(synchronize_session=False)))
        return execute(statement, *args, **kwargs)

    monkeypatch.setattr(db_session, "execute", close_first)
    with pytest.raises(public_links.NotCollecting, match="is not collecting feedback right now"):
        public_links.submit_public(db_session, "CXL", "DESK", ANSWERS, client="k", limit=LIMIT, now=NOW)
    monkeypatch.undo()
    assert db_session.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave.id)) == 0


def test_a_close_committed_after_the_link_lookup_is_seen_before_storing(db_session, make, monkeypatch):
    """On the step-by-step path (resolve with lock=True, as the view's refusals use it) the program and
    touchpoint are looked up first and the wave is read (FOR SHARE) after, so a close between the two is seen."""
    survey = make.survey(audience="customer", questions=[{"code": "csat", "qtype": "likert5"}])
    program = make.program(survey=survey, code="CXL")
    wave = make.wave(program, opens_at=NOW - dt.timedelta(days=1))
    make.touchpoint(code="DESK")
    execute = db_session.execute

    def lookup_then_close(statement, *args, **kwargs):
        result = execute(statement, *args, **kwargs)
        if Program in [d.get("entity") for d in getattr(statement, "column_descriptions", [])]:
            # another process closes the wave right after the link's lookup
            execute(update(Wave).where(Wave.id == wave.id).values(status="closed")
                    .execution_options(synchronize_session=False))
        return result

    monkeypatch.setattr(db_session, "execute", lookup_then_close)
    with pytest.raises(public_links.NotCollecting, match="is not collecting feedback right now"):
        public_links.resolve(db_session, "CXL", "DESK", NOW, lock=True)
    monkeypatch.undo()


@pytest.fixture
def committed_link(engine):
    """A committed customer program with an open wave and a touchpoint (two real sessions need commits)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite serialises writers with BEGIN IMMEDIATE instead")
    with Session(engine, expire_on_commit=False) as s:
        team = Team(code="LOCKCX-T", name="Lock CX team")
        touchpoint = Touchpoint(code="LOCKCX-TP", name="Desk", channel="web", team=team)
        program, wave = _program(_survey("LOCKCX-S"), "LOCKCX-P")
        s.add_all([team, touchpoint, program, wave])
        s.commit()
        wave_id = wave.id
    yield wave_id
    with Session(engine) as s:
        # Audit events stay: the trail is append-only (triggers refuse DELETE).
        s.execute(delete(Response).where(Response.wave_id == wave_id))
        s.execute(delete(RateLimitHit).where(RateLimitHit.key == "k"))
        s.execute(delete(Program).where(Program.code == "LOCKCX-P"))
        s.execute(delete(Survey).where(Survey.code == "LOCKCX-S"))
        s.execute(delete(Touchpoint).where(Touchpoint.code == "LOCKCX-TP"))
        s.execute(delete(Team).where(Team.code == "LOCKCX-T"))
        s.commit()


def test_postgresql_a_public_answer_waits_for_a_close_in_progress_and_is_refused(engine, committed_link):
    wave_id = committed_link
    with Session(engine) as closer:
        scheduling.close_wave(closer, wave_id, NOW, None)  # holds FOR UPDATE on the wave until commit
        outcome = second_session_waits(engine, lambda customer: public_links.submit_public(
            customer, "LOCKCX-P", "LOCKCX-TP", ANSWERS, client="k", limit=LIMIT, now=NOW), closer.commit)
    assert len(outcome) == 1 and isinstance(outcome[0], public_links.NotCollecting)
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave_id)) == 0


def test_postgresql_a_close_waits_for_a_public_answer_in_progress(engine, committed_link):
    wave_id = committed_link
    with Session(engine) as customer:
        public_links.submit_public(customer, "LOCKCX-P", "LOCKCX-TP", ANSWERS, client="k", limit=LIMIT,
                                   now=NOW)  # holds FOR SHARE on the wave until commit
        closed = second_session_waits(engine, lambda closer: scheduling.close_wave(closer, wave_id, NOW, None),
                                      customer.commit)
    assert closed == [0]
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave_id)) == 1
