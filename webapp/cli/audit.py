"""`tandem audit verify`: walk the hash-chained audit trail and name the first broken event."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from surveys import audit
from webapp.db import get_session


@click.group("audit", help="The audit trail (append-only, hash-chained).")
def audit_group():
    pass


@audit_group.command("verify")
@with_appcontext
def verify():
    """Check every event's hash and link; exit 1 naming the first edited, inserted or deleted event."""
    check = audit.verify(get_session(read_only=True))
    if not check.ok:
        click.echo(f"Audit trail broken after {check.events - 1 if check.event_id else check.events} good "
                   f"event(s): {check.problem}", err=True)
        sys.exit(1)
    click.echo(f"Audit trail intact: {check.events} event(s), each chained to the one before.")
