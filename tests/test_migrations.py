"""Migrations are the schema: upgrading an empty database matches the models; down and up again work."""
from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from migrations import alembic_config
from surveys.db import make_engine
from surveys.models import Base


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database of the same kind as the test database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(database_url)
    name = f"tandem_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _diff(engine):
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)


def test_upgrade_head_matches_models_and_round_trips(empty_database_url):
    cfg = alembic_config(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        command.upgrade(cfg, "head")
        assert _diff(engine) == []
        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(cfg, "head")
        assert _diff(engine) == []
    finally:
        engine.dispose()


def test_revision_files_are_dated():
    from migrations import HERE

    names = [p.name for p in (HERE / "versions").glob("*.py")]
    assert names and all(n[:8].isdigit() for n in names), names


def test_audit_chain_migration_chains_existing_events_in_id_order(empty_database_url):
    from sqlalchemy.orm import Session

    from surveys import audit

    cfg = alembic_config(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        command.upgrade(cfg, "5c2f1e8a9d47")
        with engine.begin() as conn:
            for n in range(3):
                conn.execute(text("INSERT INTO audit_events (at, action, entity_type, entity_id, detail) "
                                  "VALUES (:at, 'old.event', 'thing', :n, :detail)"),
                             {"at": f"2026-01-0{n + 1} 10:00:00.000000", "n": n, "detail": f'{{"n": {n}}}'})
        command.upgrade(cfg, "head")
        with Session(engine) as session:
            check = audit.verify(session)
            assert check.ok and check.events == 3, check.problem
            event = audit.record(session, None, "new.event", "thing", 9)
            assert event.seq == 4
            session.commit()
            assert audit.verify(session).ok
        with engine.connect() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text("DELETE FROM audit_events"))
    finally:
        engine.dispose()


def test_customer_days_rollup_is_stored_in_key_order_on_sqlite(tmp_path):
    """The alert scan reads rollup_customer_days in key order: on SQLite it is a WITHOUT ROWID table, rows
    kept through the rebuild, and a downgrade gives the rowid table back with the same rows."""
    url = f"sqlite:///{tmp_path / 'rowid.db'}"
    cfg = alembic_config(url)
    engine = make_engine(url)
    ddl = "SELECT sql FROM sqlite_master WHERE name = 'rollup_customer_days'"
    row = ("2026-11-02", 1, 1, "csat", "public_link", "web", 3, 2.0, 0.0, 0.0, 13.0, 57.0, 2.0, 0.0)
    try:
        command.upgrade(cfg, "b3d5f7a9c1e2")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO teams (id, code, name) VALUES (1, 'T1', 'Team')"))
            conn.execute(text("INSERT INTO touchpoints (id, code, name, channel, team_id) "
                              "VALUES (1, 'TP1', 'Web', 'web', 1)"))
            conn.exec_driver_sql(f"INSERT INTO rollup_customer_days VALUES ({', '.join('?' * len(row))})", row)
            assert "WITHOUT ROWID" not in conn.execute(text(ddl)).scalar()
        command.upgrade(cfg, "d4e6f8a0b2c3")
        with engine.connect() as conn:
            assert "WITHOUT ROWID" in conn.execute(text(ddl)).scalar()
            assert conn.exec_driver_sql("SELECT * FROM rollup_customer_days").all() == [row]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        command.downgrade(cfg, "b3d5f7a9c1e2")
        with engine.connect() as conn:
            assert "WITHOUT ROWID" not in conn.execute(text(ddl)).scalar()
            assert conn.exec_driver_sql("SELECT * FROM rollup_customer_days").all() == [row]
    finally:
        engine.dispose()
