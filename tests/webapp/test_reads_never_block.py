"""Reads never block writes: every GET runs read-only (SQLite DEFERRED, PostgreSQL READ ONLY).

Before, an HR admin reloading a customer program page took SQLite's write lock for the whole page:
customer submissions fell to 0.26x and some failed with "database is locked".
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from migrations import alembic_config
from surveys.db import ReadOnlySessionError
from surveys.insights import participation
from surveys.models import Response, Team, utcnow
from webapp import create_app
from webapp.db import get_session

from ..conftest import STAFF_PASSWORD
from ..factories import Factories

CUSTOMERS = 32


@pytest.fixture
def file_app(tmp_path, database_url):
    """The app on its own migrated SQLite file (WAL), with real per-request sessions and no shared test session."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock; PostgreSQL readers never block writers")
    url = f"sqlite:///{tmp_path / 'reads.db'}"
    command.upgrade(alembic_config(url), "head")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": url,
                      "SECRET_KEY": "test-secret-key-0123456789", "WTF_CSRF_ENABLED": False,
                      "SERVER_NAME": "tandem.test", "PUBLIC_RATE_LIMIT": "1000/3600"})
    yield app
    app.extensions["tandem_engine"].dispose()


def _customer_program(engine) -> tuple[int, str]:
    with Session(engine, expire_on_commit=False) as s:
        make = Factories(s)
        program = make.program(survey=make.survey(audience="customer", questions=[
            {"code": "csat", "qtype": "likert5", "dimension": "csat"}]), code="READS-CX")
        make.wave(program, opens_at=utcnow() - dt.timedelta(days=1))
        make.touchpoint(code="READS-DESK")
        staff = make.staff(email="hr@reads.test")
        s.commit()
        return program.id, staff.email


def test_an_open_program_page_does_not_hold_up_32_customer_submissions(file_app, monkeypatch):
    engine = file_app.extensions["tandem_engine"]
    program_id, email = _customer_program(engine)
    reading, release = threading.Event(), threading.Event()
    counts = participation.response_counts

    def counts_then_hold(session, wave_ids):
        result = counts(session, wave_ids)  # the page has read: its transaction stays open until released
        reading.set()
        assert release.wait(60)
        return result

    monkeypatch.setattr(participation, "response_counts", counts_then_hold)
    admin = file_app.test_client()
    assert admin.post("/login", data={"email": email, "password": STAFF_PASSWORD}).status_code == 302
    page: list = []
    reader = threading.Thread(target=lambda: page.append(admin.get(f"/admin/programs/{program_id}")))
    reader.start()
    assert reading.wait(10), "the program page never reached its count"

    outcomes: list = []
    start = threading.Barrier(CUSTOMERS)

    def customer(n: int):
        client = file_app.test_client()
        start.wait()
        try:
            response = client.post("/r/c/READS-CX/READS-DESK", data={"q_csat": "4"},
                                   environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
            outcomes.append(response.status_code)
        except Exception as exc:  # noqa: BLE001  (TESTING propagates errors: "database is locked" lands here)
            outcomes.append(exc)

    customers = [threading.Thread(target=customer, args=(n,)) for n in range(CUSTOMERS)]
    for t in customers:
        t.start()
    for t in customers:
        t.join(60)
    release.set()
    reader.join(30)

    assert outcomes == [302] * CUSTOMERS, [o for o in outcomes if o != 302][:3]
    assert page and page[0].status_code == 200
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Response)) == CUSTOMERS


def _route(app, rule, view):
    app.add_url_rule(rule, rule.strip("/").replace("/", "_"), view)


def _refused(client, path, caplog) -> bool:
    caplog.clear()
    status = client.get(path).status_code
    return status == 500 and any(r.exc_info and r.exc_info[0] is ReadOnlySessionError for r in caplog.records)


def test_a_get_that_writes_is_refused(app, client, db_session, caplog):
    def write():
        get_session().add(Team(code="GETW", name="Written by a GET"))
        get_session().flush()
        return "written"

    def commit():
        get_session().commit()
        return "committed"

    _route(app, "/test/write", write)
    _route(app, "/test/commit", commit)
    assert _refused(client, "/test/write", caplog)
    assert _refused(client, "/test/commit", caplog)
    assert db_session.scalar(select(Team).where(Team.code == "GETW")) is None
    assert client.post("/login", data={}).status_code in (200, 400)  # a POST still gets a writable session
    db_session.add(Team(code="GETW2", name="The test's session is writable again"))
    db_session.flush()


def test_a_get_may_ask_for_a_write_transaction(app, client, db_session):
    def visit():
        get_session().scalar(select(func.count()).select_from(Team))  # reads first, read-only
        session = get_session(read_only=False)  # ends the read transaction; the next one may write
        session.add(Team(code="GETOK", name="Written on purpose"))
        session.commit()
        return "ok"

    _route(app, "/test/visit", visit)
    assert client.get("/test/visit").data == b"ok"
    assert db_session.scalar(select(Team.name).where(Team.code == "GETOK")) == "Written on purpose"


def test_postgresql_refuses_a_raw_write_in_a_get(app, client, db_session, caplog):
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("READ ONLY transactions are PostgreSQL's; SQLite relies on the session's guard")

    def raw_write():
        get_session().execute(text("INSERT INTO teams (code, name) VALUES ('GETRAW', 'raw')"))
        return "written"

    _route(app, "/test/raw", raw_write)
    assert client.get("/test/raw").status_code == 500
    errors = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert errors and isinstance(errors[0], DBAPIError) and "read-only transaction" in str(errors[0])
    db_session.add(Team(code="GETRAW2", name="The test transaction is not left read-only"))
    db_session.flush()
