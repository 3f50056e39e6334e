"""Durability tests: real servers, processes and commits on a database of each test's own (tests/livedb.py)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from ..livedb import live_engine, live_make, live_template, live_url  # noqa: F401


@pytest.fixture
def scratch_url(live_template, tmp_path):
    """The URL of an empty database (no schema) for a restore: a file not yet made, or a new PostgreSQL one."""
    if live_template[0] == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    _, url, _template, admin = live_template
    name = f"tandem_scratch_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
