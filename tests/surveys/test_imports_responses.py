"""Historical employee responses: question columns, team scope, wave window, anonymity, duplicates."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select

from surveys.errors import NotFound, ValidationError
from surveys.ingestion import import_responses
from surveys.models import Answer, Question, Response

QUESTIONS = [
    {"code": "eng1", "qtype": "likert5", "dimension": "engagement"},
    {"code": "enps", "qtype": "scale0_10", "dimension": "enps"},
    {"code": "site", "qtype": "single_choice", "choices": ["Office", "Remote"]},
    {"code": "tools", "qtype": "multi_choice", "choices": ["Mail", "Chat", "Wiki"], "required": False},
    {"code": "comment", "qtype": "text", "dimension": "comment", "required": False},
]
HEADER = "team_code,submitted_on,eng1,enps,site,tools,comment\n"


@pytest.fixture
def ex(make):
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EX")
    wave = make.wave(program, label="2025-Q1", opens_at=dt.datetime(2025, 1, 1), days=90, status="closed")
    return program, wave, make.team(code="OPS")


def run(db_session, text: str, header: str = HEADER, **kwargs):
    kwargs.setdefault("program_code", "EX")
    kwargs.setdefault("wave_label", "2025-Q1")
    return import_responses(db_session, io.BytesIO((header + text).encode()), **kwargs)


def reasons(result) -> list[str]:
    return [str(e) for e in result.errors]


def test_rows_become_anonymous_responses_with_their_answers(db_session, ex):
    _program, wave, ops = ex
    result = run(db_session, "OPS,2025-02-03,4,9,Remote,Chat|Mail,Good year\nOPS,2025-03-31,2,,Office,,\n")
    assert result.ok, reasons(result)
    assert result.created == 2 and result.counts == {"responses in wave 2025-Q1": 2}
    rows = db_session.execute(select(Response.wave_id, Response.team_id, Response.source, Response.touchpoint_id)
                              ).all()
    assert rows == [(wave.id, ops.id, "import", None)] * 2
    answers = dict(((code, value), text) for code, value, text in db_session.execute(
        select(Question.code, Answer.value, Answer.text).join(Question, Question.id == Answer.question_id)))
    assert answers[("site", 1)] is None and answers[("site", 0)] is None
    assert json.loads(answers[("tools", None)]) == ["Mail", "Chat"]
    assert answers[("comment", None)] == "Good year"
    assert db_session.scalar(select(func.count()).select_from(Answer)) == 7  # blanks store nothing


def test_question_columns_may_be_a_subset_and_in_any_case(db_session, ex):
    result = run(db_session, "OPS,2025-02-03,5\n", header="team_code,submitted_on,ENG1\n")
    assert result.ok, reasons(result)


def test_unknown_and_missing_columns(db_session, ex):
    result = run(db_session, "", header="team_code,eng1,q99\n")
    assert reasons(result) == [
        "line 1: Missing column submitted_on; the header line must be: team_code,submitted_on,eng1,enps,site,"
        "tools,comment",
        "line 1: Unknown column q99; expected: team_code,submitted_on,eng1,enps,site,tools,comment",
    ]
    assert "no question column" in reasons(run(db_session, "OPS,2025-02-03\n", header="team_code,submitted_on\n"))[0]


def test_every_bad_cell_is_reported_and_nothing_is_written(db_session, ex, make):
    make.team(code="OTHER")
    result = run(db_session, "OPS,2025-02-03,4,9,Office,,\nNOPE,2025-02-03,6,,Home,Fax,\n"
                             "OPS,2025-04-01,3,,,,\nOPS,2025-02-03,,,,,\n")
    assert reasons(result) == [
        "line 3, column team_code: Unknown team 'NOPE'.",
        "line 3, column eng1: 6 is outside the allowed range 1–5.",
        "line 3, column site: 'Home' is not one of the choices: Office, Remote.",
        "line 3, column tools: 'Fax' is not one of the choices. Choices: Mail, Chat, Wiki (separate several with "
        "'|').",
        "line 4, column submitted_on: 2025-04-01 is outside wave 2025-Q1 (2025-01-01 to 2025-03-31).",
        "line 5: The row has no answers.",
    ]
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0


def test_team_must_be_in_the_programs_scope(db_session, ex, make):
    program, _wave, ops = ex
    child = make.team(code="OPS-N", parent=ops)
    make.team(code="SALES")
    program.teams.append(ops)
    db_session.flush()
    result = run(db_session, "OPS-N,2025-02-03,4,,,,\nSALES,2025-02-03,4,,,,\n")
    assert reasons(result) == ["line 3, column team_code: Team SALES is not one of the teams program EX surveys."]
    assert child.id


def test_same_file_is_refused_the_second_time(db_session, ex):
    assert run(db_session, "OPS,2025-02-03,4,,,,\n").ok
    assert "already imported" in reasons(run(db_session, "OPS,2025-02-03,4,,,,\n"))[0]


def test_program_and_wave_must_exist_and_be_employee(db_session, ex, make):
    with pytest.raises(NotFound, match=r"no wave 'Q9' \(its waves: 2025-Q1\)"):
        run(db_session, "", wave_label="Q9")
    with pytest.raises(NotFound, match="no program"):
        run(db_session, "", program_code="NOPE")
    cx = make.program(audience="customer", code="CX")
    with pytest.raises(ValidationError, match="customer program"):
        run(db_session, "", program_code=cx.code)


def test_a_wave_with_invitations_refuses_imported_rows(db_session, make):
    """Rows planted in a live wave would let the importer recover a small team's real count."""
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EX")
    wave = make.wave(program, label="now", opens_at=dt.datetime(2026, 1, 1), status="open")
    make.team(code="OPS")
    make.invitation(wave=wave)
    with pytest.raises(ValidationError, match="is open and collects answers through Tandem"):
        run(db_session, "OPS,2026-01-02,4,,,,\n", wave_label="now")
    wave.status = "closed"
    with pytest.raises(ValidationError, match="collected answers through Tandem's own invitations; historical "
                                              "results can only go into a wave that sent none"):
        run(db_session, "OPS,2026-01-02,4,,,,\n", wave_label="now")
    assert db_session.scalar(select(func.count()).select_from(Response)) == 0
