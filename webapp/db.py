"""One SQLAlchemy session per request, closed at teardown; views commit once."""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.orm import Session

from surveys.db import make_engine, make_session_factory

# Blueprints whose GET requests only read: on SQLite they begin DEFERRED so a long report does not hold
# the write lock that respondents' submissions wait for.
READ_ONLY_BLUEPRINTS = ("reports", "api")


def init_db(app: Flask) -> None:
    """Create the engine (no schema changes: migrations own the schema) and the session teardown."""
    engine = app.config.get("ENGINE") or make_engine(app.config["DATABASE_URL"])
    app.extensions["tandem_engine"] = engine
    app.extensions["tandem_sessions"] = app.config.get("SESSION_FACTORY") or make_session_factory(engine)

    @app.teardown_appcontext
    def _close(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def get_session(read_only: bool | None = None) -> Session:
    """The request's (or command's) session, created on first use.

    `read_only=True` (inferred for GET requests of report and API pages) starts SQLite transactions
    DEFERRED instead of IMMEDIATE; it changes nothing on PostgreSQL.
    """
    if "db_session" not in g:
        session = current_app.extensions["tandem_sessions"]()
        if read_only is None:
            read_only = has_request_context() and request.method in ("GET", "HEAD") \
                and request.blueprint in READ_ONLY_BLUEPRINTS
        if read_only and session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
            session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        g.db_session = session
    return g.db_session
