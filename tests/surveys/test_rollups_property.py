"""Property: whatever the order of submissions, imports and wave closes, the rollups equal the raw tables.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (the same suite). Each example runs in a
savepoint rolled back at its end, so examples do not see each other's rows.
"""
from __future__ import annotations

import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from surveys import rollups
from surveys.collection import public_links, submission
from surveys.errors import Conflict
from surveys.fieldwork import scheduling
from surveys.ingestion import import_feedback
from surveys.models import RollupResponses, utcnow

from ..factories import DRAFT_KEY as KEY
from .test_imports_feedback import CX_QUESTIONS, HEADER
from .test_rollups import EX_QUESTIONS

NOW = utcnow()
LIKERT = st.integers(1, 5)
employee = st.tuples(st.just("employee"), st.integers(0, 2), LIKERT, LIKERT, st.integers(0, 10))
customer = st.tuples(st.just("customer"), st.integers(0, 1), LIKERT, st.integers(0, 10), st.integers(1, 7))
imported = st.tuples(st.just("import"), st.lists(st.tuples(st.integers(1, 28), LIKERT, st.integers(0, 10)),
                                                 min_size=1, max_size=6))
close = st.tuples(st.just("close"))
STEPS = st.lists(st.one_of(employee, customer, imported, close), min_size=1, max_size=10)


def _world(make):
    teams = [make.team() for _ in range(3)]
    ex_program = make.program(survey=make.survey(questions=EX_QUESTIONS))
    ex_wave = make.wave(ex_program, opens_at=NOW - dt.timedelta(days=1))
    cx_program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), cadence="always_on")
    make.wave(cx_program, label="past", opens_at=dt.datetime(2026, 1, 1), days=31, status="closed")
    make.wave(cx_program, label="now", opens_at=NOW - dt.timedelta(days=1))
    touchpoints = [make.touchpoint(team=teams[0]), make.touchpoint(team=teams[1])]
    return teams, ex_wave, cx_program, touchpoints


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_rollups_match_raw_tables_after_every_step(db_session, make, steps):
    nested = db_session.begin_nested()
    try:
        teams, ex_wave, cx_program, touchpoints = _world(make)
        limit = public_links.RateLimit(10_000, 60)
        for n, step in enumerate(steps):
            kind = step[0]
            if kind == "employee":
                _, team, e1, e2, enps = step
                inv, _token = make.invitation(ex_wave, make.person(team=teams[team]))
                try:
                    submission.start(db_session, inv.id, NOW, key=KEY)
                    submission.record_page(db_session, inv.id, 0, {"e1": str(e1), "e2": str(e2), "enps": str(enps)},
                                           "submit", NOW, key=KEY)
                except Conflict:
                    assert ex_wave.status == "closed"  # refused after the close: nothing stored
            elif kind == "customer":
                _, tp, csat, nps, ces = step
                public_links.submit_public(db_session, cx_program.code, touchpoints[tp].code,
                                           {"csat": str(csat), "nps": str(nps), "ces": str(ces)},
                                           client=f"c{n}", limit=limit, now=NOW)
            elif kind == "import":
                lines = "".join(f"{touchpoints[d % 2].code},2026-01-{d:02d},phone,{c},{p},,\n" for d, c, p in step[1])
                result = import_feedback(db_session, io.BytesIO((HEADER + lines).encode()),
                                         program_code=cx_program.code)
                # The same rows twice are refused as a repeated file: also a write that must not count.
                assert result.ok or "already imported" in " ".join(map(str, result.errors)).lower()
            elif ex_wave.status == "open":
                scheduling.close_wave(db_session, ex_wave.id, NOW, None)
            db_session.flush()
            difference = rollups.verify(db_session)
            assert difference is None, f"after step {n} {step}: {difference}"
        # Not vacuous: every customer answer is in the rollups (employee ones may meet a closed wave).
        counted = db_session.scalar(select(func.coalesce(func.sum(RollupResponses.n), 0)))
        assert counted >= sum(1 for s in steps if s[0] == "customer")
    finally:
        nested.rollback()
