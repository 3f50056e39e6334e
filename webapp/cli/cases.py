"""The follow-up cases' step of `tandem tick`, and `tandem voice erase-contact` for a customer's erasure request."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import click
from flask.cli import with_appcontext

from surveys.actions.nudge_mail import MailSettings
from surveys.voice import case_mail, contacts
from webapp.db import get_session


def tick_step(session, now: dt.datetime, config, counts: Counter) -> None:
    """Erase contact details past retention, then mail new cases' leads and escalate overdue cases."""
    counts["contacts erased"] += contacts.purge(session, now, config.get("CONTACT_RETENTION_DAYS", 0))
    session.commit()
    outcome = case_mail.send_due(session, now, MailSettings.from_config(config), config.get("CASE_EXECUTIVE_DAYS", 2))
    counts["nudges"] += outcome.opened  # the new-case mail to the team lead is a nudge like an action's
    counts["cases escalated"] += outcome.escalated
    counts["failed"] += outcome.failed
    for problem in outcome.problems:
        click.echo(f"tick: {problem}", err=True)


@click.group("voice")
def voice_group():
    """Customer voice: contact details given with feedback."""


@voice_group.command("erase-contact")
@click.argument("address")
@with_appcontext
def erase_contact(address):
    """Erase every contact detail given with this email address or phone number (feedback and cases stay)."""
    session = get_session()
    gone = contacts.erase_by_address(session, address)
    session.commit()
    click.echo(f"Erased {gone} contact record{'s' if gone != 1 else ''}.")


@voice_group.command("export")
@click.option("--program", "program_code", required=True, help="Code of the customer program.")
@click.option("--wave", "label", required=True, help="Label of the wave, e.g. 2026-11.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--labels", type=click.Choice(["code", "text", "both"]), default="code", show_default=True,
              help="Name the question columns by the question's code, its text, or both.")
@click.option("--with-contacts", is_flag=True, help="Add the contact details customers gave with consent.")
@click.option("--output", "-o", type=click.File("wb"), default="-", help="File to write (default: standard output).")
@with_appcontext
def export_responses(program_code, label, fmt, labels, with_contacts, output):
    """Write every response of a customer wave, one row each and one column per question (streamed)."""
    from surveys import audit
    from surveys.errors import TandemError
    from surveys.exports import responses as wide

    session = get_session(read_only=False)
    try:
        export = wide.plan(session, wide.find_wave_id(session, program_code, label), with_contacts=with_contacts,
                           labels=labels)
    except TandemError as exc:
        raise click.ClickException(exc.message) from None
    total = wide.count(session, export)
    if fmt == "xlsx" and total > wide.XLSX_MAX_ROWS:
        raise click.ClickException(f"{total:,} responses are more than a worksheet holds; use --format csv.")
    audit.record(session, None, "export.responses", "wave", export.wave_id, format=fmt, rows=total,
                 contacts=with_contacts, program=export.program_code, wave=export.wave_label, via="cli")
    session.commit()
    for chunk in wide.file_chunks(get_session(read_only=True), export, fmt, total):
        output.write(chunk.encode() if isinstance(chunk, str) else chunk)
    click.echo(f"Exported {total:,} responses of {export.program_code} {export.wave_label}.", err=True)
