"""The two-pass bulk runner: rows spooled in chunks come back whole, in every chunk; a row failing late
leaves nothing; a database changed between the check and the write is a Conflict, never half an import."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from surveys import rollups
from surveys.errors import Conflict
from surveys.ingestion import bulk
from surveys.models import Answer, Response, Touchpoint

from .test_imports_feedback import cx, n_responses, reasons, run  # noqa: F401 - cx is a fixture


def _rows(n: int, day0: dt.date = dt.date(2026, 1, 1)) -> str:
    return "".join(f"TEL,{day0 + dt.timedelta(days=i % 31)},,{i % 5 + 1},{i % 11},,"
                   f"{'Note ' + str(i) if i % 3 else ''}\n" for i in range(n))


def test_rows_in_many_chunks_are_all_stored_once_and_the_rollups_agree(db_session, cx, monkeypatch):  # noqa: F811
    monkeypatch.setattr(bulk, "CHUNK", 4)
    result = run(db_session, _rows(23))
    assert result.ok, reasons(result)
    assert result.created == n_responses(db_session) == 23
    texts = db_session.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
    assert sorted(texts) == sorted(f"Note {i}" for i in range(23) if i % 3)
    assert db_session.scalar(select(func.count()).select_from(Answer)) == 23 * 2 + len(texts)
    assert rollups.verify(db_session) is None


def test_a_bad_row_after_many_good_chunks_writes_nothing(db_session, cx, monkeypatch):  # noqa: F811
    monkeypatch.setattr(bulk, "CHUNK", 4)
    result = run(db_session, _rows(21) + "TEL,2026-01-05,,9,,,\n")
    assert not result.ok and reasons(result) == ["line 23, column csat: 9 is outside the allowed range 1–5."]
    assert n_responses(db_session) == 0


def test_a_touchpoint_deleted_between_check_and_write_is_a_conflict(db_session, cx, monkeypatch):  # noqa: F811
    real = bulk._insert_all

    def meanwhile(session, *args):
        session.execute(delete(Touchpoint).where(Touchpoint.code == "TEL"))  # as another session could
        return real(session, *args)

    monkeypatch.setattr(bulk, "_insert_all", meanwhile)
    with pytest.raises(Conflict, match="database changed while the file was being imported"):
        run(db_session, _rows(3))
