"""Is the database's schema the one this release expects? Asked once by gunicorn's master before any worker starts."""
from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from migrations import alembic_config
from surveys.db import make_engine


def schema_problem(url: str) -> str | None:
    """None when the database at `url` is at this release's head revision, else a one-line explanation.

    Only reads: the workers never create or migrate tables, so workers and hosts starting at once cannot race
    on the schema; `tandem db upgrade` runs once, before they start.
    """
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"Cannot read the database schema: {reason}"
    finally:
        engine.dispose()
    if current == head:
        return None
    found = "has no Tandem schema yet" if current is None else f"is at revision {current}"
    return (f"The database {found}; this release expects revision {head}. Run `tandem db upgrade` once, "
            "before starting the web workers.")
