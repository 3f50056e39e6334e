"""Shared fixtures: one migrated database per run, a rolled-back session per test, app and client.

Set TEST_DATABASE_URL (postgresql://...) to run the same suite on PostgreSQL; otherwise SQLite.
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import event
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from migrations import alembic_config
from surveys.db import make_engine
from surveys.tokens import derive_key
from webapp import create_app
from webapp.config import load_config

from .factories import Factories

STAFF_PASSWORD = "correct-horse-battery"
TEST_QUEUE_KEY = derive_key("test-secret-key-0123456789")


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return load_config({"TANDEM_DATABASE_URL": url, "TANDEM_SECRET_KEY": "x" * 32})["DATABASE_URL"]
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # a clean slate even if an earlier run was interrupted
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    command.upgrade(alembic_config(database_url), "head")
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def db_session(connection) -> Session:
    """A session whose commits become savepoints inside a transaction rolled back after the test.

    The app's get_session() returns this same session and closes it at the end of each request or
    CLI command, which rolls back anything only flushed: commit test set-up before calling the
    client or runner when the request must see it.
    """
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    session.info["queue_key"] = TEST_QUEUE_KEY  # as webapp.db.get_session hands the configured key over
    yield session
    session.close()


@pytest.fixture
def app_config(tmp_path, engine, db_session) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key-0123456789",
        "QUEUE_KEY": TEST_QUEUE_KEY,
        "ENGINE": engine,
        "SESSION_FACTORY": lambda: db_session,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "tandem.test",
        # One session is shared by every request here: a background import thread must not use it too
        # (tests/livedb.py gives import jobs a database and real sessions of their own).
        "IMPORT_THREAD": False,
        "REPORT_PREWARM": False,  # tests/webapp/test_report_cache.py turns it on where it is tested
    }


@pytest.fixture
def app(app_config):
    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(db_session) -> Factories:
    """Factory helpers: make.team(), make.person(), make.staff(), make.survey(), make.wave()..."""
    return Factories(db_session)


@pytest.fixture
def login(client, make):
    """Create a staff member of `role` and sign them in through the login form; returns the person."""

    def _login(role: str = "hr_admin", **kwargs):
        person = make.staff(role=role, password=STAFF_PASSWORD, **kwargs)
        response = client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
        assert response.status_code == 302, response.data
        return person

    return _login


@pytest.fixture
def statements(engine):
    """Every SQL statement the engine runs during the test, as text (for "reads only the rollups" tests)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback: (handler recording messages, port)."""
    from tests.mailserver import running_smtp_server  # noqa: PLC0415 - only mail tests start a server

    with running_smtp_server() as server:
        yield server
