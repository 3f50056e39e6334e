"""`tandem rollup rebuild|verify`: recompute the report summaries, or check them against the raw tables."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import exists, select

from surveys import rollups
from surveys.models import Response, RollupResponses
from webapp.db import get_session


@click.group("rollup", help="Report summaries kept at write time: rebuild or verify them.")
def rollup_group():
    pass


@rollup_group.command("rebuild")
@with_appcontext
def rebuild():
    """Recompute every rollup from the raw answers (safe to run at any time; one transaction)."""
    session = get_session()
    rollups.rebuild(session)
    session.commit()
    click.echo("Rollups rebuilt from the raw tables.")


@rollup_group.command("verify")
@with_appcontext
def verify():
    """Compare the rollups with the raw answers; exit 1 naming the first difference."""
    difference = rollups.verify(get_session(read_only=True))
    if difference is not None:
        raise click.ClickException(f"Rollups differ from the raw tables: {difference}. "
                                   "Run `tandem rollup rebuild` to recompute them.")
    click.echo("Rollups match the raw tables.")


def fill_if_empty() -> bool:
    """After a migration: fill empty rollups when the database has responses (first upgrade past them)."""
    session = get_session()
    has_responses = session.scalar(select(exists().where(Response.id.is_not(None))))
    has_rollups = session.scalar(select(exists().where(RollupResponses.n.is_not(None))))
    if not has_responses or has_rollups:
        return False
    rollups.rebuild(session)
    session.commit()
    return True
