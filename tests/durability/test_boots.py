"""Ten fresh boots of an empty database with four gunicorn workers each, as the README deploys: `tandem db
upgrade` once, then gunicorn. Workers never touch the schema (gunicorn's master only checks it is at head, once,
before forking), so they cannot race on it: every boot comes up healthy, at head, with nothing wrong in its log.
Without the upgrade the master refuses to start, in one line, and creates no table.
"""
from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from migrations import alembic_config

from .server import Gunicorn, tandem

BOOTS, REQUESTS = 10, 32
TROUBLE = re.compile(r"Traceback|\[ERROR\]|\[CRITICAL\]|database is locked|already exists", re.IGNORECASE)


@pytest.fixture
def empty_databases(live_template, tmp_path):
    """Make empty databases (no schema) on the test's engine: a new file name, or a new PostgreSQL database."""
    made: list[str] = []

    def make() -> str:
        if live_template[0] == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:6]}.db'}"
        _, url, _template, admin = live_template
        name = f"tandem_boot_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    yield make
    if live_template[0] == "postgresql":
        with live_template[3].connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def revision_and_tables(url: str) -> tuple[str | None, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in names else None
        return revision, len(names)
    finally:
        engine.dispose()


def test_ten_fresh_boots_with_four_workers_come_up_at_head(empty_databases, tmp_path):
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    servers, timings = [], []
    for boot in range(BOOTS):
        url, began = empty_databases(), time.perf_counter()
        upgrade = tandem(url, tmp_path, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        server = Gunicorn(url, tmp_path, log_name=f"boot-{boot}.log").start()
        servers.append(server)
        try:
            # Enough requests at once that every worker serves some: each reads the database.
            with ThreadPoolExecutor(REQUESTS) as pool:
                statuses = list(pool.map(lambda _: requests.get(f"{server.base}/r/i/not-a-link", timeout=30)
                                         .status_code, range(REQUESTS)))
            assert statuses == [404] * REQUESTS  # "This link is not valid", read from the tables
            assert revision_and_tables(url)[0] == head
        finally:
            server.terminate()  # shuts down while the next boot starts; waited for below
        timings.append(time.perf_counter() - began)
    for server in servers:
        server.stop()
        assert server.process.returncode == 0 and server.booted() == 4
        assert not TROUBLE.search(server.log()), server.log()
    print(f"\n{BOOTS} fresh boots (upgrade + 4 workers + {REQUESTS} requests): "
          f"{sum(timings):.0f} s, {min(timings):.1f}-{max(timings):.1f} s each")

def test_without_the_upgrade_the_server_refuses_to_start_and_creates_nothing(empty_databases, tmp_path):
    url = empty_databases()
    server = Gunicorn(url, tmp_path)
    with pytest.raises(AssertionError, match="gunicorn exited"):
        server.start()
    assert server.process.wait(30) == 1
    assert "The database has no Tandem schema yet; this release expects revision" in server.log()
    assert server.booted() == 0
    assert revision_and_tables(url) == (None, 0)
