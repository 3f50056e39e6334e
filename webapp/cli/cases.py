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
