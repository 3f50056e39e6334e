"""Engine and session factories; SQLite gets the pragmas that make it a safe embedded database."""
from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; on SQLite enable WAL, FULL sync, foreign keys and IMMEDIATE write transactions.

    Statement parameters are kept out of error messages and logs: they hold answers and tokens' hashes.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                               hide_parameters=True, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and ignores SAVEPOINT semantics; the recipe from
    # SQLAlchemy's pysqlite docs turns it off and emits BEGIN ourselves. IMMEDIATE takes the write lock
    # up front, so two writers queue on busy_timeout instead of failing with "database is locked"
    # half-way through. A connection may ask for a read-only DEFERRED begin with
    # execution_options(sqlite_begin="DEFERRED").
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        in_memory = ":memory:" in str(engine.url) or engine.url.database in (None, "")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Overwrite deleted content (erased drafts) instead of leaving it in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory used by the web app and the CLI."""
    return sessionmaker(bind=engine, expire_on_commit=False)
