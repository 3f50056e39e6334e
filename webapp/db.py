"""One SQLAlchemy session per request, closed at teardown; views commit once."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from surveys.db import make_engine, make_session_factory


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


def get_session() -> Session:
    """The request's session, created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["tandem_sessions"]()
    return g.db_session
