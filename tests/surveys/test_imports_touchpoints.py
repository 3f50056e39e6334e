"""Touchpoint import: upsert by code, channel vocabulary, unknown teams, dry run."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from surveys.ingestion import import_touchpoints
from surveys.models import Touchpoint

HEADER = "code,name,channel,team_code\n"


def run(db_session, text: str, **kwargs):
    return import_touchpoints(db_session, io.BytesIO((HEADER + text).encode()), **kwargs)


def touchpoint(db_session, code) -> Touchpoint:
    return db_session.scalar(select(Touchpoint).where(Touchpoint.code == code))


def test_create_update_and_idempotent_rerun(db_session, make):
    ops, sales = make.team(code="OPS"), make.team(code="SALES")
    make.touchpoint(team=ops, code="TEL", channel="phone")
    text = "WEB,Web shop,WEB,OPS\nTEL,Phone line,phone,SALES\n"
    result = run(db_session, text)
    assert result.ok and (result.created, result.updated) == (1, 1)
    assert result.changes[1].startswith("line 3: update touchpoint TEL: name 'Touchpoint ")
    assert result.changes[1].endswith("' → 'Phone line', team OPS → SALES")
    assert any("keep the team they were given" in n for n in result.notes)
    tel = touchpoint(db_session, "TEL")
    assert (tel.name, tel.team_id) == ("Phone line", sales.id)
    assert touchpoint(db_session, "WEB").channel == "web"
    again = run(db_session, text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_every_bad_row_is_reported_and_nothing_is_written(db_session, make):
    make.team(code="OPS")
    result = run(db_session, "WEB,Web,web,OPS\nTEL,Phone,fax,OPS\nCHAT,Chat,chat,NOPE\nWEB,Again,web,OPS\n"
                             ",Blank,web,OPS\n")
    assert [str(e) for e in result.errors] == [
        "line 3, column channel: 'fax' is not a valid channel; use one of web, phone, store, chat, email, social, "
        "other.",
        "line 4, column team_code: Unknown team 'NOPE'. Import the organisation first.",
        "line 5, column code: Touchpoint code 'WEB' already appears on line 2.",
        "line 6, column code: The touchpoint code is blank.",
    ]
    assert "Nothing was imported" in result.summary()
    assert db_session.scalar(select(func.count()).select_from(Touchpoint)) == 0


def test_dry_run_changes_nothing(db_session, make):
    make.team(code="OPS")
    result = run(db_session, "WEB,Web,web,OPS\n", dry_run=True)
    assert result.ok and result.created == 1 and result.changes == (
        "line 2: create touchpoint WEB 'Web' (web) for team OPS",)
    assert touchpoint(db_session, "WEB") is None


def test_header_only_file_is_fine_and_changes_nothing(db_session):
    result = run(db_session, "")
    assert result.ok and result.rows == 0
