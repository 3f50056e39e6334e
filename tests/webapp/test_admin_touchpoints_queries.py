"""The touchpoints page loads in a constant number of SQL statements, however many touchpoints there are."""
from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from sqlalchemy import event, select

from surveys.models import Touchpoint, utcnow


@pytest.fixture
def hr(login, db_session):
    person = login("hr_admin")
    db_session.commit()
    return person


@contextlib.contextmanager
def count_statements(engine):
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_the_page_runs_a_constant_number_of_queries(client, hr, make, db_session, engine):
    for code in ("CX1", "CX2"):
        program = make.program(audience="customer", code=code)
        make.wave(program=program, opens_at=utcnow() - dt.timedelta(days=1))
    counts = []
    for total in (3, 30):
        while db_session.scalar(select(Touchpoint.id).order_by(Touchpoint.id.desc()).offset(total - 1)) is None:
            make.touchpoint()  # each with its own team, as in the demo
        db_session.commit()
        with count_statements(engine) as statements:
            page = client.get("/admin/touchpoints")
        assert page.status_code == 200 and page.get_data(as_text=True).count("/edit") == total
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
