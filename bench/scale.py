"""Grow a built benchmark data set k times over in SQL: the growth benchmark's fast generator.

The base is the demo builder's data (bench/data.py). Copy c of the organisation (c = 1 .. k-1) adds a
copy of every leaf team (code ``CODE~c``, same department), its employees, touchpoints, invitations,
receipts, responses and answers, with INSERT ... SELECT statements that run inside the database (no
rows pass through Python), copies the rollup rows with the copy's team and touchpoint (the rows
``surveys.rollups.rebuild`` would compute, in seconds instead of its minutes; ``rebuild=True`` runs the
rebuild instead) and refreshes the planner's statistics. A k-times organisation is therefore k times as many teams,
people, responses and answers over the same waves and questions: what a company k times the size sees.

Response ids of copy c are the original's + c * 2**40 (the originals are random 62-bit ids, so the
copies stay unique). Copies are built incrementally: growing a database that already holds copies
1 .. j-1 only adds j .. k-1, so 3x can be copied on to 10x.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from surveys import rollups
from surveys.rollups.aggregates import AGGREGATES, PARTICIPATION, THEMES
from surveys.models import Answer, Invitation, Person, Response, SubmissionReceipt, Team, Touchpoint

SHIFT = 2 ** 40  # response id offset per copy
ORIGINAL = "t.code NOT LIKE '%~%'"
LEAF = "NOT EXISTS (SELECT 1 FROM teams ch WHERE ch.parent_id = t.id)"


def _copies(first: int, last: int) -> str:
    """A one-column derived table m(c) holding first .. last."""
    return "(" + " UNION ALL ".join(f"SELECT {c} AS c" for c in range(first, last + 1)) + ") m"


def _suffix(column: str) -> str:
    return f"{column} || '~' || CAST(m.c AS VARCHAR(8))"


def _insert(session: Session, table: Table, subs: dict[str, str], source: str, skip=("id",), order="") -> int:
    """INSERT INTO table (every column but `skip`) SELECT s.column or its substitute FROM `source`."""
    columns = [c.name for c in table.columns if c.name not in skip]
    exprs = [subs.get(c, f"s.{c}") for c in columns]
    # In key order, copy by copy: the primary-key index then fills in one sweep, not at random places.
    order = f" ORDER BY {order}" if order else ""
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}{order}"
    return session.execute(text(sql)).rowcount


def copies_present(session: Session) -> int:
    """How many times over the organisation is already there (1 = the base alone)."""
    found = session.scalar(text("SELECT count(DISTINCT substr(code, instr(code, '~'))) FROM teams "
                                "WHERE code LIKE '%~%'")) if session.get_bind().dialect.name == "sqlite" else \
        session.scalar(text("SELECT count(DISTINCT split_part(code, '~', 2)) FROM teams WHERE code LIKE '%~%'"))
    return 1 + int(found or 0)


def grow(session: Session, factor: int, say: Callable[[str], None] = print, rebuild: bool = False) -> dict[str, float]:
    """Make the organisation `factor` times its base size (adds what is missing); returns step seconds.

    The rollups of the copies are copied too, or with `rebuild` recomputed by surveys.rollups.rebuild."""
    have = copies_present(session)
    if factor < have:
        raise ValueError(f"the database already holds {have}x the base; cannot shrink it to {factor}x")
    steps: dict[str, float] = {}
    if factor == have:
        return steps
    m = _copies(have, factor - 1)
    if session.get_bind().dialect.name == "sqlite":
        # The copies land in every index of responses and answers at scattered places: with SQLite's
        # default 2 MB page cache that is mostly disk reads; 1 GB keeps the indexes' hot pages in memory.
        session.execute(text("PRAGMA cache_size = -1000000"))

    def step(name: str, table: Table, subs: dict[str, str], source: str, skip=("id",), order="") -> None:
        start = time.perf_counter()
        rows = _insert(session, table, subs, source, skip, order)
        steps[name] = time.perf_counter() - start
        say(f"{factor}x: {name} +{rows:,} rows ({steps[name]:.1f} s)")

    original_leaf = f"teams t WHERE {ORIGINAL} AND {LEAF}"
    step("teams", Team.__table__, {"code": _suffix("s.code"), "lead_id": "NULL"},
         f"teams s CROSS JOIN {m} WHERE s.id IN (SELECT t.id FROM {original_leaf})")
    new_team = f"JOIN teams nt ON nt.code = {_suffix('t.code')}"
    step("people", Person.__table__, {"email": _suffix("s.email"), "team_id": "nt.id", "password_hash": "NULL"},
         f"people s JOIN teams t ON t.id = s.team_id CROSS JOIN {m} {new_team} "
         f"WHERE s.role = 'employee' AND {ORIGINAL} AND {LEAF}")
    step("touchpoints", Touchpoint.__table__, {"code": _suffix("s.code"), "team_id": "nt.id"},
         f"touchpoints s JOIN teams t ON t.id = s.team_id CROSS JOIN {m} {new_team} WHERE {ORIGINAL}")
    new_person = f"JOIN people p ON p.id = s.person_id JOIN people np ON np.email = {_suffix('p.email')}"
    # token_hash is unique and at most 64 characters: the copy keeps 55 of them and appends its number.
    step("invitations", Invitation.__table__,
         {"person_id": "np.id", "unit_team_id": "ut.id",
          "token_hash": f"substr(s.token_hash, 1, 55) || '~' || CAST(m.c AS VARCHAR(8))"},
         f"invitations s CROSS JOIN {m} {new_person} JOIN teams t ON t.id = p.team_id "
         f"LEFT JOIN teams ot ON ot.id = s.unit_team_id LEFT JOIN teams ut ON ut.code = {_suffix('ot.code')} "
         f"WHERE s.person_id IS NOT NULL AND p.role = 'employee' AND {ORIGINAL} AND {LEAF}")
    step("receipts", SubmissionReceipt.__table__, {"invitation_id": "ni.id"},
         f"submission_receipts s JOIN invitations i ON i.id = s.invitation_id CROSS JOIN {m} "
         f"JOIN people p ON p.id = i.person_id JOIN people np ON np.email = {_suffix('p.email')} "
         f"JOIN teams t ON t.id = p.team_id "
         f"JOIN invitations ni ON ni.person_id = np.id AND ni.wave_id = i.wave_id "
         f"WHERE p.role = 'employee' AND {ORIGINAL} AND {LEAF}", skip=())
    step("responses", Response.__table__,
         {"id": f"s.id + m.c * {SHIFT}", "team_id": "nt.id", "touchpoint_id": "ntp.id"},
         f"responses s JOIN teams t ON t.id = s.team_id CROSS JOIN {m} {new_team} "
         f"LEFT JOIN touchpoints tp ON tp.id = s.touchpoint_id "
         f"LEFT JOIN touchpoints ntp ON ntp.code = {_suffix('tp.code')} WHERE {ORIGINAL}", skip=(),
         order="m.c, s.id")
    step("answers", Answer.__table__, {"response_id": f"s.response_id + m.c * {SHIFT}"},
         f"answers s JOIN responses r ON r.id = s.response_id JOIN teams t ON t.id = r.team_id "
         f"CROSS JOIN {m} WHERE {ORIGINAL}", skip=(), order="m.c, s.response_id, s.question_id")
    if rebuild:
        start = time.perf_counter()
        rollups.rebuild(session)
        steps["rollups.rebuild"] = time.perf_counter() - start
        say(f"{factor}x: rollups rebuilt ({steps['rollups.rebuild']:.1f} s)")
        return steps
    # A copy's rollup rows are the original's with its team and touchpoint: exactly what a rebuild
    # computes (tests/bench/test_scale.py checks it with surveys.rollups.verify), in seconds instead of
    # a rebuild's minutes. The theme rollups are left alone: the copies' comments carry no labels.
    for agg in (*(a for a in AGGREGATES if a not in THEMES), PARTICIPATION):
        table = agg.model.__table__
        subs, join = {"team_id": "nt.id"}, ""
        if "touchpoint_id" in table.c:
            subs["touchpoint_id"] = "ntp.id"
            join = (f"JOIN touchpoints tp ON tp.id = s.touchpoint_id "
                    f"JOIN touchpoints ntp ON ntp.code = {_suffix('tp.code')}")
        step(table.name, table, subs, f"{table.name} s JOIN teams t ON t.id = s.team_id CROSS JOIN {m} "
                                      f"{new_team} {join} WHERE {ORIGINAL}", skip=())
    return steps


def analyze(engine) -> None:
    """Refresh the planner's statistics after a bulk load (outside a transaction)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
