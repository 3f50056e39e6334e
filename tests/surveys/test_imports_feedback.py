"""Customer feedback import: wave by date, ranges from the registry, duplicates refused, all or nothing."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from surveys.errors import NotFound, ValidationError
from surveys.ingestion import import_feedback
from surveys.models import Answer, AuditEvent, Question, Response

HEADER = "touchpoint,date,channel,csat,nps,ces,comment\n"
CX_QUESTIONS = [
    {"code": "csat", "qtype": "likert5", "dimension": "csat"},
    {"code": "nps", "qtype": "scale0_10", "dimension": "nps"},
    {"code": "ces", "qtype": "likert7", "dimension": "ces"},
    {"code": "comment", "qtype": "text", "dimension": "comment", "required": False},
]


@pytest.fixture
def cx(make):
    """A customer program with January and February waves and a phone touchpoint owned by team OPS."""
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    jan = make.wave(program, label="2026-01", opens_at=dt.datetime(2026, 1, 1), days=31, status="closed")
    feb = make.wave(program, label="2026-02", opens_at=dt.datetime(2026, 2, 1), days=28)
    ops = make.team(code="OPS")
    tp = make.touchpoint(team=ops, code="TEL", channel="phone")
    return program, jan, feb, ops, tp


def run(db_session, text: str, header: str = HEADER, **kwargs):
    return import_feedback(db_session, io.BytesIO((header + text).encode()), **kwargs)


def reasons(result) -> list[str]:
    return [str(e) for e in result.errors]


def n_responses(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Response))


def test_rows_land_in_the_wave_covering_their_date(db_session, cx):
    _program, jan, feb, ops, tp = cx
    result = run(db_session, "TEL,2026-01-31,,5,9,,Great\nTEL,2026-02-01,chat,4,,,\n")
    assert result.ok, reasons(result)
    assert result.created == 2 and result.counts == {"responses in wave 2026-01": 1, "responses in wave 2026-02": 1}
    rows = db_session.execute(select(Response.wave_id, Response.team_id, Response.touchpoint_id, Response.source,
                                     Response.channel, Response.submitted_on).order_by(Response.submitted_on)).all()
    assert rows == [(jan.id, ops.id, tp.id, "import", "phone", dt.date(2026, 1, 31)),
                    (feb.id, ops.id, tp.id, "import", "chat", dt.date(2026, 2, 1))]
    answers = db_session.execute(select(Question.code, Answer.value, Answer.text)
                                 .join(Question, Question.id == Answer.question_id)).all()
    assert sorted(answers) == [("comment", None, "Great"), ("csat", 4, None), ("csat", 5, None), ("nps", 9, None)]


def test_ranges_dates_and_channels_are_checked_like_the_web_form(db_session, cx):
    result = run(db_session, "TEL,2026-01-05,,6,,,\nTEL,2026-01-05,,,11,,\nTEL,05/01/2026,,3,,,\n"
                             "TEL,2026-02-30,,3,,,\nTEL,2026-01-05,fax,3,,,\nNOPE,2026-01-05,,3,,,\n"
                             "TEL,2026-01-05,,4.5,,,\nTEL,2026-01-05,,,,,\n")
    assert reasons(result) == [
        "line 2, column csat: 6 is outside the allowed range 1–5.",
        "line 3, column nps: 11 is outside the allowed range 0–10.",
        "line 4, column date: '05/01/2026' is not a date in the format YYYY-MM-DD (e.g. 2026-03-04).",
        "line 5, column date: '2026-02-30' is not a real date.",
        "line 6, column channel: 'fax' is not a valid channel; use one of web, phone, store, chat, email, social, "
        "other.",
        "line 7, column touchpoint: Unknown touchpoint 'NOPE'.",
        "line 8, column csat: '4.5' is not a whole number.",
        "line 9: The row has no score and no comment; fill at least one of csat, nps, ces, comment.",
    ]
    assert n_responses(db_session) == 0


def test_one_bad_row_imports_nothing(db_session, cx):
    events = db_session.scalar(select(func.count()).select_from(AuditEvent))  # other tests' committed ones stay
    good = "".join(f"TEL,2026-01-{d:02d},,4,8,5,\n" for d in range(1, 29))
    result = run(db_session, good + "TEL,2026-03-04,,4,,,\n")
    uncovered = ("No wave of program CX covers 2026-03-04. Tandem creates past waves for feedback only before "
                 "the program's first wave (2026-01-01); for a later day, add a past wave that covers it on the "
                 "program page (Add a past wave for imported results).")
    assert reasons(result) == [f"line 30, column date: {uncovered}"]
    also_range = run(db_session, "TEL,2026-03-04,,4,11,,\n")
    assert reasons(also_range) == [f"line 2, column date: {uncovered}",
                                   "line 2, column nps: 11 is outside the allowed range 0–10."]
    assert n_responses(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_same_file_twice_is_refused_even_when_saved_differently(db_session, cx):
    text = "TEL,2026-01-05,,4,,,\n"
    first = run(db_session, text)
    assert first.ok
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "import.feedback"))
    assert event.detail["rows"] == 1 and len(event.detail["sha256"]) == 64
    again = run(db_session, text)
    assert not again.ok and "already imported" in reasons(again)[0]
    resaved = import_feedback(db_session, io.BytesIO(b"\xef\xbb\xbf" + (HEADER + text).replace("\n", "\r\n")
                                                     .replace(",", ";").encode()))
    assert "Same rows, saved differently" in reasons(resaved)[0]
    assert n_responses(db_session) == 1


def test_dry_run_writes_nothing_and_does_not_block_the_real_import(db_session, cx):
    text = "TEL,2026-01-05,,4,,,\n"
    check = run(db_session, text, dry_run=True)
    assert check.ok and check.created == 1 and check.summary() == (
        "Check only, nothing was changed: 1 row is valid; importing would add 1 response.")
    assert n_responses(db_session) == 0
    assert run(db_session, text).ok
    assert n_responses(db_session) == 1


def test_optional_columns_may_be_left_out(db_session, cx):
    result = run(db_session, "TEL,2026-01-05,3\n", header="touchpoint,date,nps\n")
    assert result.ok, reasons(result)
    assert db_session.scalar(select(Response.channel)) == "phone"


def test_file_without_answer_columns_or_rows(db_session, cx):
    assert "no answer column" in reasons(run(db_session, "TEL,2026-01-05\n", header="touchpoint,date\n"))[0]
    assert reasons(run(db_session, "")) == ["file: The file has a header but no rows."]


def test_value_for_a_question_the_survey_lacks(db_session, make):
    survey = make.survey(audience="customer", questions=[{"code": "csat", "qtype": "likert5"}])
    program = make.program(survey=survey, code="CX2")
    make.wave(program, label="Q1", opens_at=dt.datetime(2026, 1, 1), days=90)
    make.touchpoint(code="WEB")
    result = run(db_session, "WEB,2026-01-05,,4,,5,\n")
    assert reasons(result) == ["line 2, column ces: The survey of wave Q1 has no 'ces' question; "
                               "leave this column blank."]


def test_choosing_the_customer_program(db_session, cx, make):
    make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX-B")
    with pytest.raises(ValidationError, match=r"several customer programs \(CX, CX-B\)"):
        run(db_session, "TEL,2026-01-05,,4,,,\n")
    assert run(db_session, "TEL,2026-01-05,,4,,,\n", program_code="CX").ok
    with pytest.raises(NotFound, match="no program with code 'NOPE'"):
        run(db_session, "", program_code="NOPE")
    employee = make.program(code="EX")
    with pytest.raises(ValidationError, match="employee program"):
        run(db_session, "", program_code=employee.code)


def test_program_without_waves(db_session, make):
    make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    assert "has no waves" in reasons(run(db_session, "TEL,2026-01-05,,4,,,\n"))[0]


def test_boundary_day_goes_to_the_wave_open_at_the_end_of_it(db_session, make):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    make.wave(program, label="A", opens_at=dt.datetime(2026, 1, 1, 12), days=10)
    b = make.wave(program, label="B", opens_at=dt.datetime(2026, 1, 11, 12), days=10)
    make.touchpoint(code="TEL")
    assert run(db_session, "TEL,2026-01-11,,4,,,\n").ok
    assert db_session.scalar(select(Response.wave_id)) == b.id
