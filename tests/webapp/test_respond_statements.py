"""What an employee submission costs in SQL: every page of the walk, from the link to the thanks page.

Counted with a before_cursor_execute listener (tests/sqlcount.py), savepoints of the test session
included. Before the eager loading the 12-request walk below cost ~100 statements.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.models import PendingSubmission, utcnow

from ..sqlcount import count_statements

NOW = utcnow()
QUESTIONS = [{"code": f"{dim}{i}", "qtype": "likert5", "dimension": dim, "text": f"{dim} {i}"}
             for dim in ("eng", "well", "mgr") for i in range(6)] + [
    {"code": "enps", "qtype": "scale0_10", "dimension": "enps", "text": "Recommend us?"},
    {"code": "comment", "qtype": "text", "dimension": "comment", "required": False, "text": "Anything else?"},
]
PAGES = [{f"q_{dim}{i}": "4" for i in range(6)} for dim in ("eng", "well", "mgr")] + [
    {"q_enps": "9", "q_comment": "Thanks"}]


@pytest.fixture
def invited(make, db_session):
    program = make.program(survey=make.survey(questions=QUESTIONS))
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    inv, token = make.invitation(wave=wave, person=make.person(team=make.team()))
    db_session.commit()
    db_session.close()  # start cold, as a new request does: nothing already loaded in the session
    return inv, token


def walk(client, log, inv, token) -> None:
    """An employee's twelve requests, each marked in `log`: link, promise, start, four pages, thanks."""

    def step(label, response, status):
        assert response.status_code == status, (label, response.get_data(as_text=True)[:500])

    log.mark("GET link")
    step("GET link", client.get(f"/r/i/{token}"), 302)
    log.mark("GET promise")
    step("GET promise", client.get("/r/survey"), 200)
    log.mark("POST start")
    step("POST start", client.post("/r/survey/start"), 302)
    for page, answers in enumerate(PAGES):
        last = page == len(PAGES) - 1
        log.mark(f"GET page {page}")
        step(f"GET page {page}", client.get("/r/survey"), 200)
        log.mark(f"POST page {page}")
        data = {"invitation": str(inv.id), "page": str(page), "action": "submit" if last else "next", **answers}
        step(f"POST page {page}", client.post("/r/survey", data=data), 302)
    log.mark("GET thanks")
    step("GET thanks", client.get("/r/thanks"), 200)


def test_an_employee_walk_costs_few_statements(client, db_session, engine, invited):
    """Measured on SQLite (test savepoints included): 112 statements before, 69 after, 81 with the
    organisation's branding (one read per page) and the four rollup upserts of the submit, 76 now that the
    submit queues its sealed answers instead (the rollups move when the batch is released), 75 now that the
    final POST seals no draft it erases at once and writes its receipt without a savepoint; each thing is
    loaded once per request (the invitation with its wave, program, survey, person and team joined, the
    questions in one more), the wave is still share-locked, and the submit reuses what the page loaded.
    """
    inv, token = invited
    with count_statements(engine) as log:
        walk(client, log, inv, token)
    counts = log.per_group()
    print(f"\n{len(log)} statements over {len(counts)} requests: {counts}")
    assert len(counts) == 12
    # Held in the submission queue until the team's batch is released (surveys/collection/queue.py).
    assert db_session.scalar(select(func.count()).select_from(PendingSubmission)) == 1
    # PostgreSQL adds a SET TRANSACTION READ ONLY to each GET's read transactions (85 statements there).
    pg = 2 if engine.dialect.name == "postgresql" else 0
    for label, n in counts.items():
        assert n <= (10 if label == "POST page 3" else 8 + pg), (label, n, counts)
    assert len(log) <= 80 + 6 * pg, counts
