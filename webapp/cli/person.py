"""`tandem person ...`: personal data rights (export everything stored about a person, or erase it)."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys.errors import TandemError
from surveys.org import personal_data
from webapp.db import get_session


@click.group("person", help="Personal data: export what is stored about a person, or erase it.")
def person_group():
    pass


@person_group.command("export")
@click.argument("email")
@with_appcontext
def export(email):
    """Print, as JSON, everything stored about the person with EMAIL (never a password hash)."""
    try:
        data = personal_data.export_person(get_session(read_only=True), email, current_app.config["SECRET_KEY"])
    except TandemError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@person_group.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase(email, yes):
    """Erase the personal data of the person with EMAIL; their anonymous answers stay."""
    if not yes:
        click.confirm(f"Erase {email}: their name, address, password, invitations and team? This cannot be undone",
                      abort=True)
    session = get_session()
    try:
        result = personal_data.erase_person(session, email, current_app.config["SECRET_KEY"])
    except TandemError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"Erased person {result.person_id}: now {result.tombstone}; {result.invitations} invitation(s) "
               f"and {result.sessions} session(s) deleted; anonymous answers kept.")
