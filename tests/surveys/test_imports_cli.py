"""`tandem import ...` through the CLI runner: reports, exit status, commit only on a clean real run.

Set-up data is committed first: each invocation ends its app context, which closes the shared test
session and so would discard anything not committed (the outer test transaction is still rolled back).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from surveys.models import Person, Response, Team, Touchpoint

from .test_imports_feedback import CX_QUESTIONS

TEAMS = "team_code,team_name,parent_code,lead_email\nOPS-N,North,OPS,lee@example.com\nOPS,Operations,,\n"
PEOPLE = "email,name,team_code,role\nlee@example.com,Lee Park,OPS-N,team_lead\nana@example.com,Ana,OPS-N,employee\n"


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_org_with_both_files_then_rerun(runner, db_session, tmp_path):
    teams, people = write(tmp_path, "teams.csv", TEAMS), write(tmp_path, "people.csv", PEOPLE)
    result = runner.invoke(args=["import", "org", people, teams])
    assert result.exit_code == 0, result.output
    assert "Imported 4 rows: created 4" in result.output
    assert "teams created: 2" in result.output and "people created: 2" in result.output
    assert "cannot sign in until one is set" in result.output and "lee@example.com" in result.output
    assert db_session.scalar(select(Team).where(Team.code == "OPS-N")).lead.email == "lee@example.com"
    again = runner.invoke(args=["import", "org", teams, people])
    assert again.exit_code == 0 and "created 0, updated 0, left 4 unchanged" in again.output


def test_org_dry_run_prints_changes_and_changes_nothing(runner, db_session, tmp_path):
    result = runner.invoke(args=["import", "org", "--dry-run", write(tmp_path, "teams.csv",
                                                                        TEAMS.replace(",lee@example.com", ","))])
    assert result.exit_code == 0, result.output
    assert "Check only, nothing was changed" in result.output and "would create 2" in result.output
    assert "line 2: create team OPS-N 'North', parent OPS" in result.output
    assert count(db_session, Team) == 0


def test_rejected_file_prints_the_report_and_exits_1(runner, db_session, tmp_path, make):
    make.team(code="OPS")
    db_session.commit()
    path = write(tmp_path, "tp.csv", "code,name,channel,team_code\nWEB,Web,web,OPS\nTEL,Phone,fax,OPS\n")
    result = runner.invoke(args=["import", "touchpoints", path])
    assert result.exit_code == 1
    assert "Rejected: 1 problem in 1 line. Nothing was imported" in result.output
    assert "line 3, column channel: 'fax' is not a valid channel" in result.output
    assert count(db_session, Touchpoint) == 0


def test_unknown_org_file_kind_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["import", "org", write(tmp_path, "x.csv", "foo,bar\n1,2\n")])
    assert result.exit_code == 1 and "neither a teams file" in result.output


def test_feedback_with_program_option_and_duplicate_refusal(runner, db_session, tmp_path, make):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    make.wave(program, label="2026-01", opens_at=dt.datetime(2026, 1, 1), days=31)
    make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX2")
    make.touchpoint(code="TEL")
    db_session.commit()
    path = write(tmp_path, "fb.csv", "touchpoint,date,channel,csat,nps,ces,comment\nTEL,2026-01-05,,5,10,,\n")
    ambiguous = runner.invoke(args=["import", "feedback", path])
    assert ambiguous.exit_code == 1 and "several customer programs (CX, CX2)" in ambiguous.output
    result = runner.invoke(args=["import", "feedback", path, "--program", "CX"])
    assert result.exit_code == 0, result.output
    assert "responses in wave 2026-01: 1" in result.output
    again = runner.invoke(args=["import", "feedback", path, "--program", "CX"])
    assert again.exit_code == 1 and "already imported" in again.output
    assert count(db_session, Response) == 1


def test_responses_command(runner, db_session, tmp_path, make):
    program = make.program(code="EX")
    make.wave(program, label="2025-Q1", opens_at=dt.datetime(2025, 1, 1), days=90, status="closed")
    make.team(code="OPS")
    db_session.commit()
    path = write(tmp_path, "r.csv", "team_code,submitted_on,eng1,enps,comment\nOPS,2025-01-10,4,8,\n")
    result = runner.invoke(args=["import", "responses", path, "--program", "EX", "--wave", "2025-Q1"])
    assert result.exit_code == 0, result.output
    assert count(db_session, Response) == 1
    missing = runner.invoke(args=["import", "responses", path, "--program", "EX", "--wave", "nope"])
    assert missing.exit_code == 1 and "has no wave 'nope'" in missing.output


def test_people_deactivate_missing_flag(runner, db_session, tmp_path, make):
    ops = make.team(code="OPS-N")
    gone_id = make.person(email="gone@example.com", team=ops).id
    db_session.commit()
    result = runner.invoke(args=["import", "org", "--deactivate-missing", write(tmp_path, "p.csv", PEOPLE)])
    assert result.exit_code == 0, result.output
    assert "deactivated 1" in result.output
    assert db_session.scalar(select(Person.active).where(Person.id == gone_id)) is False
