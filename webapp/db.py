"""One SQLAlchemy session per request, closed at teardown; views commit once.

GET and HEAD requests get a read-only session (surveys.db.set_read_only): on SQLite it never takes the
write lock that submissions queue for, on PostgreSQL its transactions are READ ONLY, and on both a
write raises. A GET that must write says so with get_session(read_only=False) before it reads.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.orm import Session

from surveys.db import make_engine, make_session_factory, set_read_only

READ_ONLY_METHODS = ("GET", "HEAD")


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
            set_read_only(session, False)  # tests share one session across requests


def get_session(read_only: bool | None = None) -> Session:
    """The request's (or command's) session, created on first use.

    `read_only` defaults to True for GET and HEAD requests and False otherwise (POST, CLI commands).
    Passing it explicitly switches the request's session: read_only=False in a GET ends the read
    transaction and lets the view write (and commit) in a new one.
    """
    if read_only is None:
        if "db_session" in g:
            return g.db_session
        read_only = has_request_context() and request.method in READ_ONLY_METHODS
    if "db_session" not in g:
        g.db_session = current_app.extensions["tandem_sessions"]()
        # The submission queue's key is configuration, handed to the domain with the session.
        g.db_session.info["queue_key"] = current_app.config["QUEUE_KEY"]
    set_read_only(g.db_session, read_only)
    return g.db_session


def stream_from_session(produce: Callable[[Session], Iterator]) -> Iterator:
    """A streamed body's chunks, `produce(session)` reading through a read-only session of its own, closed at the end.

    Flask tears the app context down (closing the request's session) as soon as the view returns, before a
    streamed body is read (and again after it, with `g` already empty): a body reading through the request's
    session would begin a transaction that nobody ends (on SQLite an IMMEDIATE one, holding the write lock
    until garbage collection). Needs no request context; call it in the view, return the result as the body.
    """
    factory = current_app.extensions["tandem_sessions"]

    def generate():
        session = factory()
        set_read_only(session, True)
        try:
            yield from produce(session)
        finally:
            session.close()
            set_read_only(session, False)  # tests share one session across requests

    return generate()
