"""A database of its own per test, for import jobs: real commits from several sessions, threads and processes.

The shared test database cannot take them: its tests run inside one outer transaction that is rolled back,
and the audit events an import writes can never be deleted. SQLite: a migrated template file copied for
each test. PostgreSQL (TEST_DATABASE_URL): a database created from a migrated template for each test.
"""
from __future__ import annotations

import shutil
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from migrations import alembic_config
from surveys.db import make_engine
from webapp import create_app

from .conftest import STAFF_PASSWORD, TEST_QUEUE_KEY
from .factories import Factories


@pytest.fixture(scope="session")
def live_template(database_url, tmp_path_factory):
    """('sqlite', template path) or ('postgresql', server url, template name, admin engine)."""
    if database_url.startswith("sqlite"):
        path = tmp_path_factory.mktemp("livedb") / "template.db"
        command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
        yield ("sqlite", path)
        return
    url = make_url(database_url)
    name = f"tandem_live_tpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    command.upgrade(alembic_config(url.set(database=name).render_as_string(hide_password=False)), "head")
    yield ("postgresql", url, name, admin)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def live_url(live_template, tmp_path):
    """The URL of a fresh, migrated database used by this test only."""
    if live_template[0] == "sqlite":
        target = tmp_path / "live.db"
        shutil.copyfile(live_template[1], target)
        yield f"sqlite:///{target}"
        return
    _, url, template, admin = live_template
    name = f"tandem_live_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def live_engine(live_url):
    engine = make_engine(live_url)
    yield engine
    engine.dispose()


@pytest.fixture
def live_app(live_engine, tmp_path):
    """The app on the test's own database with its real session factory (a new session per request)."""
    return create_app({
        "TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test-secret-key-0123456789",
        "QUEUE_KEY": TEST_QUEUE_KEY, "ENGINE": live_engine, "WTF_CSRF_ENABLED": False, "SERVER_NAME": "tandem.test",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    })


@pytest.fixture
def live_make(live_engine):
    """Factories on a session of the test's database; commit with live_make.session.commit()."""
    session = Session(live_engine, expire_on_commit=False)
    yield Factories(session)
    session.close()


@pytest.fixture
def live_client(live_app, live_make):
    """A client signed in as a committed HR admin (live_client.admin)."""
    admin = live_make.staff(role="hr_admin", password=STAFF_PASSWORD)
    live_make.session.commit()
    client = live_app.test_client()
    response = client.post("/login", data={"email": admin.email, "password": STAFF_PASSWORD})
    assert response.status_code == 302, response.data
    client.admin = admin
    return client
