"""The `tandem` command: a Flask CLI group bound to create_app, plus Tandem's own commands."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import inspect

from surveys.errors import TandemError
from surveys.org import accounts
from webapp.cli.alerts import alerts_group
from webapp.cli.audit import audit_group
from webapp.cli.backup import backup, restore
from webapp.cli.cases import voice_group
from webapp.cli.demo import demo
from webapp.cli.digest import digest
from webapp.cli.imports import import_group
from webapp.cli.links import links_group
from webapp.cli.person import person_group
from webapp.cli.report import report_group
from webapp.cli.rollup import fill_if_empty, rollup_group
from webapp.cli.themes import themes_group
from webapp.cli.tick import tick
from webapp.config import ConfigError
from webapp.db import get_session


def _create_app():
    from webapp import create_app

    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"Configuration error: {exc}", err=True)
        sys.exit(2)


def main() -> None:
    """Entry point of the `tandem` console script."""
    FlaskGroup(create_app=_create_app, help="Tandem: employee and customer surveys, linked by team.")()


def _alembic():
    # Alembic loads only for `tandem db ...`; the other commands do not need it.
    from alembic import command

    from migrations import alembic_config

    return command, alembic_config(current_app.config["DATABASE_URL"])


@click.group("db", help="Database schema (Alembic migrations).")
def db_group():
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    """Apply migrations up to REVISION (default: head), then fill new report rollups if they are empty."""
    command, cfg = _alembic()
    command.upgrade(cfg, revision)
    if inspect(get_session().get_bind()).has_table("rollup_responses") and fill_if_empty():
        click.echo("Rollups filled from the existing answers.")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision):
    """Revert migrations down to REVISION (default: one step; 'base' for all)."""
    command, cfg = _alembic()
    command.downgrade(cfg, revision)


@db_group.command("current")
@with_appcontext
def db_current():
    """Show the revision the database is at."""
    command, cfg = _alembic()
    command.current(cfg, verbose=False)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message):
    """Autogenerate a new revision from the models (read and edit it before committing)."""
    command, cfg = _alembic()
    command.revision(cfg, message=message, autogenerate=True)


@click.group("user", help="Staff accounts.")
def user_group():
    pass


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", required=True, type=click.Choice(["team_lead", "hr_admin", "executive"]))
@click.option("--team", "team_code", default=None, help="Team code (needed for team leads).")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def user_create(email, name, role, team_code, password):
    """Create a staff account that can sign in."""
    try:
        # argon2 runs before the first query, so no transaction (no SQLite write lock) is open meanwhile.
        password_hash = accounts.hash_password(password, email)
        session = get_session()
        person = accounts.create_user(session, email=email, name=name, role=role, password_hash=password_hash,
                                      team_code=team_code)
    except TandemError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"Created {person.role} {person.email}.")


@user_group.command("set-password")
@click.argument("email")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def user_set_password(email, password):
    """Set a new password for a staff member (for example one created by `tandem import org`); ends their sessions."""
    try:
        password_hash = accounts.hash_password(password, email)  # before any transaction opens
        session = get_session()
        person = accounts.set_password(session, email, password_hash=password_hash)
    except TandemError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"Password set for {person.email}.")


def register_commands(app: Flask) -> None:
    """Attach Tandem's commands to the app's CLI."""
    app.cli.add_command(db_group)
    app.cli.add_command(user_group)
    app.cli.add_command(demo)
    app.cli.add_command(import_group)
    app.cli.add_command(tick)
    app.cli.add_command(report_group)
    app.cli.add_command(links_group)
    app.cli.add_command(rollup_group)
    app.cli.add_command(audit_group)
    app.cli.add_command(person_group)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(voice_group)
    app.cli.add_command(themes_group)
    app.cli.add_command(digest)
    app.cli.add_command(alerts_group)
