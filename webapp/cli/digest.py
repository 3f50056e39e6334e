"""`tandem digest --period P [--date D] [--to EMAIL]`: compose and send a digest now (no claim: an operator's
explicit send is never skipped), to one address or to every subscriber of the period."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from surveys.models import Person, utcnow
from surveys.models.digests import DIGEST_PERIODS
from surveys.models.org import STAFF_ROLES
from webapp.db import get_session


def _day(value: str | None) -> dt.date:
    if not value:
        return utcnow().date()
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date such as 2026-11-30", param_hint="--date") from None
    if not 2000 <= day.year <= 2100:
        raise click.BadParameter(f"{value} is outside the years 2000-2100", param_hint="--date")
    return day


@click.command("digest")
@click.option("--period", "kind", required=True, type=click.Choice(DIGEST_PERIODS), help="Which digest.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD",
              help="Send the digest of the last complete period before this day (default: today).")
@click.option("--to", "to", metavar="EMAIL", help="Send to this address only (default: every subscriber).")
@with_appcontext
def digest(kind, date_text, to):
    """Send a digest now: the last complete daily, weekly, monthly, quarterly or annual period before --date."""
    # Imported here: digests load pandas, the analysis stack and Altair, which `tandem` start-up must not load.
    from surveys.digests import claims
    from surveys.digests import mail as digest_mail
    from surveys.digests.compose import compose
    from surveys.fieldwork import mailer
    from surveys.org import branding
    from webapp.reports.params import settings

    day = _day(date_text)
    session = get_session()
    if to:
        to = to.strip()
        if "@" not in to or len(to) > 254 or any(c.isspace() for c in to):
            raise click.BadParameter(f"'{to[:60]}' is not an email address", param_hint="--to")
        person = session.scalar(select(Person).where(func.lower(Person.email) == to.lower()))
        if person is not None and person.role not in STAFF_ROLES:
            raise click.ClickException(f"{to} is not a staff member (team lead, HR or executive): digests are "
                                       "for staff only.")
        recipients = [(person, to)]
    else:
        recipients = [(p, p.email) for p in claims.subscribers(session, kind)]
        if not recipients:
            click.echo(f"No one is subscribed to {kind} digests; nothing sent. Use --to EMAIL to send one.")
            return
    mail = digest_mail.MailSettings.from_config(current_app.config)
    brand, logo = branding.get_branding(session), branding.get_logo(session)
    failed = 0
    for person, address in recipients:
        composed = compose(session, person, kind, day, settings=settings())
        session.commit()  # the linkage cache entry; no transaction stays open while SMTP talks
        try:
            digest_mail.send(composed, address, mail, brand, logo)
        except (OSError, *mailer.MESSAGE_ERRORS) as exc:
            failed += 1
            click.echo(f"Not sent to {address}: {exc}", err=True)
            continue
        who = "" if person is not None else " (the whole organisation: no staff member has this address)"
        click.echo(f"Sent the {kind} digest of {composed.period.label} to {address}, covering "
                   f"{composed.scope_label}{who}.")
    if failed:
        raise SystemExit(1)


def digest_step(session, now: dt.datetime, config) -> Counter:
    """`tandem tick`'s step: each due digest, once per period and subscriber across hosts
    (surveys/digests/sending.py); counts digests sent and failed."""
    from surveys.digests import claims

    hour = config.get("DIGEST_HOUR", 7)
    waiting = claims.unsent(session, claims.due_digests(session, now, hour))
    session.commit()  # ends the read (SQLite: every transaction holds the write lock)
    if not waiting:
        return Counter()
    # pandas, the analysis stack and Altair: loaded only when a digest is waiting, not every minute.
    from surveys.digests import sending
    from surveys.digests.mail import MailSettings
    from surveys.insights.reports.params import ReportSettings

    settings = ReportSettings(config["MIN_GROUP_SIZE"], config["MIN_COMMENT_GROUP_SIZE"],
                              float(config["PROCESS_TARGET"]), config["LINKAGE_MIN_TEAMS"])
    outcome = sending.send_due(session, now, hour, settings, MailSettings.from_config(config))
    for problem in outcome.problems:
        click.echo(f"tick: {problem}", err=True)
    return Counter({"digests": outcome.sent, "failed": outcome.failed})
