"""Past waves for imported results: created closed, never run, ignored by the scheduler; every refusal."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from surveys.errors import Conflict, ValidationError
from surveys.fieldwork import cadence, past_waves
from surveys.ingestion import import_feedback, import_history, import_responses
from surveys.models import Response, Wave

from .test_imports_feedback import CX_QUESTIONS

NOW = dt.datetime(2026, 11, 30, 9, 0)
KW = {"now": NOW, "min_group_size": 6, "min_comment_group_size": 12}


def add(db_session, program, label="2025-Q1", opens="2025-01-06", closes="2025-01-20"):
    return past_waves.add_past_wave(db_session, program, label, dt.date.fromisoformat(opens),
                                    dt.date.fromisoformat(closes), **KW)


def test_a_past_wave_is_closed_historical_with_frozen_thresholds(db_session, make):
    program = make.program(code="EX")
    wave = add(db_session, program)
    assert (wave.status, wave.historical, wave.min_group_size, wave.min_comment_group_size) == \
        ("closed", True, 6, 12)
    assert (wave.opens_at, wave.closes_at) == (dt.datetime(2025, 1, 6), dt.datetime(2025, 1, 21))
    assert wave.survey.frozen
    for action, message in ((lambda: wave.open(NOW, 5, 10), "already closed"),
                            (lambda: wave.close(NOW), "already closed"),
                            (lambda: wave.extend(NOW + dt.timedelta(days=1), NOW), "cannot be reopened")):
        with pytest.raises(Conflict, match=message):
            action()


@pytest.mark.parametrize(("opens", "closes", "message"), [
    ("2026-11-20", "2026-11-30", "The closing date 2026-11-30 is not in the past"),
    ("2026-12-01", "2026-12-05", "The opening date 2026-12-01 is not in the past"),
    ("2025-02-01", "2025-01-01", "The closing date 2025-01-01 is before the opening date 2025-02-01."),
    ("1995-01-01", "1995-01-10", "The opening date 1995-01-01 is more than 25 years ago"),
])
def test_bad_past_wave_dates_are_refused(db_session, make, opens, closes, message):
    with pytest.raises(ValidationError, match=message):
        add(db_session, make.program(), opens=opens, closes=closes)


def test_a_past_wave_cannot_overlap_or_reuse_a_label(db_session, make):
    program = make.program(code="EX")
    add(db_session, program)
    with pytest.raises(ValidationError, match="overlap wave 2025-Q1"):
        add(db_session, program, label="other", opens="2025-01-20", closes="2025-01-25")
    with pytest.raises(ValidationError, match="already has a wave labelled '2025-Q1'"):
        add(db_session, program, opens="2025-04-01", closes="2025-04-10")


def test_the_scheduler_ignores_past_waves(db_session, make):
    program = make.program(cadence="quarterly")
    make.wave(program, status="draft", label="2026-Q4", opens_at=dt.datetime(2026, 12, 15))
    add(db_session, program, label="2027-Q1", opens="2025-01-06", closes="2025-01-20")  # odd label, old dates
    make.wave(program, status="open", label="2026-Q4b", opens_at=dt.datetime(2026, 11, 20), days=5)
    db_session.delete(db_session.scalar(select(Wave).where(Wave.label == "2026-Q4")))
    db_session.flush()
    assert cadence.schedule_due(db_session, NOW) == 1
    nxt = db_session.scalar(select(Wave).where(Wave.program_id == program.id, Wave.status == "draft"))
    # Anchored on the program's own first wave (20 Nov), not on the past wave (6 Jan); the label a
    # past wave took is skipped rather than blocking the schedule.
    assert (nxt.label, nxt.opens_at) == ("2027-Q2", dt.datetime(2027, 5, 20))


def test_always_on_does_not_start_early_because_of_history(db_session, make):
    program = make.program(audience="customer", cadence="always_on")
    make.wave(program, status="draft", label="2026-12", opens_at=dt.datetime(2026, 12, 1), days=31)
    add(db_session, program, label="2025-05", opens="2025-05-01", closes="2025-05-31")
    assert cadence.schedule_due(db_session, NOW) == 0


HEADER = "team_code,submitted_on,eng1,enps\n"


def history(db_session, text, **kwargs):
    args = {"program_code": "EX", "label": "2025-Q1", "opens_on": dt.date(2025, 1, 6),
            "closes_on": dt.date(2025, 1, 20), **KW, **kwargs}
    return import_history(db_session, io.BytesIO((HEADER + text).encode()), **args)


def test_history_creates_the_wave_once_and_reuses_it(db_session, make):
    make.program(code="EX")
    make.team(code="OPS")
    first = history(db_session, "OPS,2025-01-07,4,9\n")
    assert first.ok and first.changes[0].startswith("created past wave 2025-Q1 (2025-01-06 to 2025-01-20")
    again = history(db_session, "OPS,2025-01-08,5,9\n", opens_on=None, closes_on=None)
    assert again.ok and not any("past wave" in c for c in again.changes)
    assert db_session.scalar(select(func.count()).select_from(Response)) == 2


def test_history_refusals_name_the_problem(db_session, make):
    make.program(code="EX")
    make.program(code="CX", audience="customer")
    make.team(code="OPS")
    with pytest.raises(ValidationError, match="Program CX is a customer program; import customer feedback"):
        history(db_session, "OPS,2025-01-07,4,9\n", program_code="CX")
    with pytest.raises(ValidationError, match="has no wave '2025-Q2' yet; give its opening and closing dates"):
        history(db_session, "OPS,2025-04-07,4,9\n", label="2025-Q2", opens_on=None, closes_on=None)
    history(db_session, "OPS,2025-01-07,4,9\n")
    with pytest.raises(ValidationError, match="runs from 2025-01-06 to 2025-01-20; give the same dates"):
        history(db_session, "OPS,2025-01-08,4,9\n", closes_on=dt.date(2025, 1, 31))
    bad = history(db_session, "OPS,2025-03-01,4,9\n", label="2025-Q2", opens_on=dt.date(2025, 4, 1),
                  closes_on=dt.date(2025, 4, 10))
    assert [str(e) for e in bad.errors] == [
        "line 2, column submitted_on: 2025-03-01 is outside wave 2025-Q2 (2025-04-01 to 2025-04-10)."]


def test_history_refuses_a_wave_tandem_runs(db_session, make):
    program = make.program(code="EX")
    make.wave(program, status="closed", label="2026-10", opens_at=dt.datetime(2026, 10, 1))
    with pytest.raises(ValidationError, match=r"Wave 2026-10 of program EX is a wave Tandem runs \(closed\)"):
        history(db_session, "", label="2026-10", opens_on=None, closes_on=None)


def test_responses_into_a_draft_wave_are_refused_because_no_report_counts_them(db_session, make):
    program = make.program(code="EX")
    make.wave(program, status="draft", label="2027-Q1", opens_at=dt.datetime(2027, 1, 1))
    make.team(code="OPS")
    with pytest.raises(ValidationError, match="Wave 2027-Q1 of program EX is still a draft: it never ran, and "
                                              "reports count only waves that ran"):
        import_responses(db_session, io.BytesIO(b"team_code,submitted_on,eng1\nOPS,2027-01-02,4\n"),
                         program_code="EX", wave_label="2027-Q1")
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


@pytest.fixture
def cx(make):
    """A customer program that Tandem runs from 1 September 2026, with touchpoint TEL."""
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX",
                           cadence="always_on")
    make.wave(program, label="2026-09", opens_at=dt.datetime(2026, 9, 1), days=30, status="closed")
    make.wave(program, label="2026-11", opens_at=dt.datetime(2026, 11, 10), days=20, status="open")
    make.touchpoint(team=make.team(code="OPS"), code="TEL", channel="phone")
    return program


def feedback(db_session, text, **kwargs):
    return import_feedback(db_session, io.BytesIO(("touchpoint,date,csat\n" + text).encode()),
                           **{**KW, **kwargs})


def test_feedback_before_the_first_wave_gets_past_month_waves(db_session, cx):
    check = feedback(db_session, "TEL,2025-07-04,4\nTEL,2025-07-20,5\nTEL,2026-08-31,3\n", dry_run=True)
    assert check.ok and check.changes[:2] == (
        "create past wave 2025-07 (2025-07-01 to 2025-07-31, closed, for imported feedback only)",
        "create past wave 2026-08 (2026-08-01 to 2026-08-31, closed, for imported feedback only)")
    assert db_session.scalar(select(func.count()).select_from(Wave).where(Wave.historical)) == 0
    result = feedback(db_session, "TEL,2025-07-04,4\nTEL,2025-07-20,5\nTEL,2026-08-31,3\n")
    assert result.ok and result.counts == {"responses in wave 2025-07": 2, "responses in wave 2026-08": 1}
    waves = db_session.scalars(select(Wave).where(Wave.historical).order_by(Wave.opens_at)).all()
    assert [(w.label, w.status, w.min_group_size) for w in waves] == [("2025-07", "closed", 6),
                                                                     ("2026-08", "closed", 6)]
    assert feedback(db_session, "TEL,2025-07-09,2\n").counts == {"responses in wave 2025-07": 1}  # reused


def test_feedback_refusals_name_the_problem(db_session, cx):
    result = feedback(db_session, "TEL,2026-10-15,4\nTEL,2026-11-30,4\nTEL,2026-12-01,4\nTEL,1990-01-01,4\n")
    assert [str(e) for e in result.errors] == [
        "line 2, column date: No wave of program CX covers 2026-10-15. Tandem creates past waves for feedback "
        "only before the program's first wave (2026-09-01); for a later day, add a past wave that covers it on "
        "the program page (Add a past wave for imported results).",
        "line 3, column date: No wave of program CX covers 2026-11-30 (today); past waves end before today, so "
        "import it once a wave covers it.",
        "line 4, column date: 2026-12-01 is in the future; only feedback already given can be imported.",
        "line 5, column date: 1990-01-01 is more than 25 years ago; check the year.",
    ]
    assert db_session.scalar(select(func.count()).select_from(Wave).where(Wave.historical)) == 0


def test_a_past_month_is_clipped_to_the_days_no_wave_covers(db_session, make):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    make.wave(program, label="2026-06-run", opens_at=dt.datetime(2026, 6, 15, 12), days=30, status="closed")
    add(db_session, program, label="old", opens="2026-06-01", closes="2026-06-03")
    make.touchpoint(code="TEL")
    result = feedback(db_session, "TEL,2026-06-10,4\n")
    assert result.ok and result.changes[0].startswith("created past wave 2026-06-04 to 2026-06-14 (2026-06-04")
