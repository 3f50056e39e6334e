"""`tandem backup FILE` and `tandem restore FILE`: online backups of the whole database, and restoring one."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys import audit, backup as service, rollups
from webapp.db import get_session

KEYS_NOTE = ("The backup holds what the database holds, not the configuration: keep TANDEM_SECRET_KEY (or "
             "instance/secret_key), TANDEM_QUEUE_KEY and TANDEM_RESULTS_LINK_KEY safe elsewhere, apart from it.")


def _head() -> str:
    from alembic.script import ScriptDirectory

    from migrations import alembic_config

    return ScriptDirectory.from_config(alembic_config(current_app.config["DATABASE_URL"])).get_current_head()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup(file, force):
    """Write an online backup of the database to FILE while Tandem keeps running (SQLite copy or pg_dump)."""
    try:
        done = service.backup(current_app.config["DATABASE_URL"], file, force=force)
    except service.BackupError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Backed up the {service.display_name(done.kind)} database (revision {done.revision}) to "
               f"{done.path}: {done.size / 1e6:.1f} MB in {done.seconds:.1f} s.")
    click.echo(KEYS_NOTE)


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
@with_appcontext
def restore(file, force):
    """Load a backup made by `tandem backup` into the configured database, then verify rollups and audit trail.

    Stop the web servers and `tandem tick` first; the database must be empty unless --force is given."""
    try:
        done = service.restore(current_app.config["DATABASE_URL"], file, force=force)
    except service.BackupError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Restored {done.path} into the {service.display_name(done.kind)} database "
               f"(revision {done.revision}) in {done.seconds:.1f} s.")
    if done.revision != _head():
        click.echo(f"The backup's schema is at revision {done.revision}, this release expects {_head()}: run "
                   "`tandem db upgrade`, then `tandem rollup verify` and `tandem audit verify`.")
        return
    current_app.extensions["tandem_engine"].dispose()  # no pooled connection from before the restore
    session = get_session(read_only=True)
    difference = rollups.verify(session)
    chain = audit.verify(session)
    click.echo("Rollups match the raw tables." if difference is None else
               f"Rollups differ from the raw tables: {difference}. Run `tandem rollup rebuild`.")
    click.echo(f"Audit trail intact: {chain.events} event(s), each chained to the one before." if chain.ok else
               f"Audit trail broken: {chain.problem}")
    if difference is not None or not chain.ok:
        sys.exit(1)
