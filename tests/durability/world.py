"""Seed data for the durability tests, committed on the test's own database, and the checks they share."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from surveys import rollups
from surveys.collection import queue
from surveys.models import Answer, PendingSubmission, Question, Response, SubmissionReceipt, utcnow

from ..conftest import TEST_QUEUE_KEY
from .server import answers_for

TEAM_SIZE = 8  # at least the wave's minimum group size (5): every team's batch can be released


@dataclass
class Survey:
    """An open employee wave: its id and each invitee's link token, in invitation order."""

    wave_id: int
    tokens: list[str]
    invitation_ids: list[int]


def employee_wave(make, invitees: int) -> Survey:
    """An open wave of the factory's three-question survey (one page) for `invitees` people in teams of 8."""
    now = utcnow()
    root = make.team(name="Company")
    wave = make.wave(make.program(), opens_at=now - dt.timedelta(days=1), days=30)
    tokens, ids, team = [], [], None
    for n in range(invitees):
        if n % TEAM_SIZE == 0:
            team = make.team(parent=root)
        invitation, token = make.invitation(wave=wave, person=make.person(team=team))
        invitation.sent_at = now - dt.timedelta(days=1)  # mailed already: `tandem tick` leaves it alone
        tokens.append(token)
        ids.append(invitation.id)
    make.session.commit()
    return Survey(wave.id, tokens, ids)


def session(engine) -> Session:
    """A session that can open the submission queue."""
    s = Session(engine)
    s.info["queue_key"] = TEST_QUEUE_KEY
    return s


def count(s: Session, model, *where) -> int:
    return s.scalar(select(func.count()).select_from(model).where(*where))


def receipts_of(s: Session, invitation_ids: list[int]) -> set[int]:
    """Which of these invitations have a receipt (were used to submit)."""
    return set(s.scalars(select(SubmissionReceipt.invitation_id)
                         .where(SubmissionReceipt.invitation_id.in_(invitation_ids))))


def stored_answer_sets(s: Session, wave_id: int) -> Counter:
    """Every answer set of the wave, released or still queued, as a multiset of (eng1, enps)."""
    codes = dict(s.execute(select(Question.id, Question.code)).all())
    by_response: dict[int, dict[str, int]] = {}
    rows = s.execute(select(Answer.response_id, Answer.question_id, Answer.value).join(Response)
                     .where(Response.wave_id == wave_id))
    for response_id, question_id, value in rows:
        by_response.setdefault(response_id, {})[codes[question_id]] = value
    sets = Counter((a.get("eng1"), a.get("enps")) for a in by_response.values())
    for held in queue.held(s, wave_id):
        answers = {codes[q]: v for q, v, _t in held.answers}
        sets[(answers.get("eng1"), answers.get("enps"))] += 1
    return sets


def expected_answer_sets(numbers) -> Counter:
    """The multiset stored_answer_sets should find when respondents `numbers` answered (server.answers_for)."""
    return Counter((int(answers_for(n)["q_eng1"]), int(answers_for(n)["q_enps"])) for n in numbers)


def check_stored_once(engine, survey: Survey, submitted: set[int]) -> None:
    """Respondents `submitted` (indexes) have exactly one receipt and one answer set each; nothing else is stored."""
    with session(engine) as s:
        ids = [survey.invitation_ids[n] for n in submitted]
        assert receipts_of(s, survey.invitation_ids) == set(ids)
        queued = count(s, PendingSubmission, PendingSubmission.wave_id == survey.wave_id)
        released = count(s, Response, Response.wave_id == survey.wave_id)
        assert queued + released == len(submitted)
        assert stored_answer_sets(s, survey.wave_id) == expected_answer_sets(submitted)
        assert rollups.verify(s) is None


def integrity_problems(engine) -> list[str]:
    """What the database's own integrity check finds (empty: healthy).

    SQLite: PRAGMA integrity_check and foreign_key_check. PostgreSQL: amcheck's bt_index_check on every
    B-tree index of the schema (structure of each index and that it matches its table's rows), plus a query
    for answers left without their response (PostgreSQL enforces foreign keys itself); without amcheck (a
    contrib module) only the query runs.
    """
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            problems += [] if result == ["ok"] else result
            problems += [f"foreign key: {tuple(r)}" for r in conn.exec_driver_sql("PRAGMA foreign_key_check")]
            return problems
        if conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'")).first():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            problems += _amcheck(conn)
        orphans = conn.execute(text(
            "SELECT count(*) FROM answers a LEFT JOIN responses r ON r.id = a.response_id WHERE r.id IS NULL"
        )).scalar()
        if orphans:
            problems.append(f"{orphans} answers without their response")
        conn.commit()
    return problems


def _amcheck(conn) -> list[str]:
    """amcheck's bt_index_check(index, heapallindexed) on every B-tree index of the public schema."""
    problems = []
    indexes = conn.execute(text(
        "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.amname = 'btree' AND n.nspname = 'public'")).all()
    for oid, name in indexes:
        try:
            with conn.begin_nested():
                conn.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
        except Exception as exc:  # noqa: BLE001 - every broken index is reported, not just the first
            problems.append(f"index {name}: {exc}")
    return problems

