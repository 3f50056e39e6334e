"""Sending due digests from `tandem tick`: each digest once per period and subscriber, however many hosts tick.

A digest of a period is due from TANDEM_DIGEST_HOUR (UTC) on the first day after the period ends, for every
subscriber of that period; only the latest complete period is sent (a host that was down for a week does not
send last week's daily digests). Each send is claimed through a Reminder row (surveys/digests/claims.py):
insert the claim and commit, compose and send, then set sent_at; a failed send deletes the claim so the next
tick retries; a claim left unsent for an hour is taken over.

`send_due` is a worker, not a service: it commits (a claim must be visible to other hosts before its mail
goes out, and no transaction stays open while the SMTP server talks).
"""
from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from surveys.digests import mail as digest_mail
from surveys.digests.claims import DueDigest, claim, due_digests, mark_sent, release, unsent
from surveys.digests.compose import compose
from surveys.fieldwork import mailer
from surveys.insights.reports.params import ReportSettings
from surveys.models import Person
from surveys.org import branding


@dataclass
class Outcome:
    """What one run did: digests sent, digests given back for the next tick, and why."""

    sent: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


def send_due(session: Session, now: dt.datetime, hour: int, settings: ReportSettings,
             mail: digest_mail.MailSettings) -> Outcome:
    """Claim, compose and send every due digest, one at a time (so several hosts share the work)."""
    outcome = Outcome()
    due = unsent(session, due_digests(session, now, hour))
    brand, logo = (branding.get_branding(session), branding.get_logo(session)) if due else (None, None)
    session.commit()  # ends the read: on SQLite every transaction holds the write lock
    smtp: smtplib.SMTP | None = None
    try:
        for item in due:
            won = claim(session, item)
            session.commit()  # the claim is visible to other hosts before anything is sent
            if won is None:
                continue
            if smtp is None:
                try:
                    smtp = mailer.connect(mail.host, mail.port)
                except OSError as exc:
                    _give_back(session, won, outcome, f"cannot reach SMTP server {mail.host}:{mail.port}: {exc}")
                    break  # the rest are not claimed: the next tick finds them again
            if not _send_one(session, won, now, settings, mail, brand, logo, smtp, outcome):
                smtp = None
                break
    finally:
        if smtp is not None:
            mailer.close(smtp)
    return outcome


def _send_one(session, item: DueDigest, now, settings, mail, brand, logo, smtp, outcome: Outcome) -> bool:
    """Compose and send one claimed digest; False when the SMTP server became unusable."""
    try:
        person = session.get(Person, item.person_id)
        digest = compose(session, person, item.period.kind, item.period.start, settings=settings,
                         latest_complete=False)
        session.commit()  # the linkage cache entry, and the end of the read, before SMTP talks
        digest_mail.send(digest, item.email, mail, brand, logo, connection=smtp)
    except mailer.MESSAGE_ERRORS as exc:
        _give_back(session, item, outcome, f"digest to {item.email} refused: {exc}")
    except OSError as exc:
        _give_back(session, item, outcome, f"SMTP server {mail.host}:{mail.port} failed: {exc}")
        mailer.close(smtp)
        return False
    except Exception as exc:  # noqa: BLE001 - a bad address or template must not strand the claim
        session.rollback()
        _give_back(session, item, outcome, f"digest to {item.email} could not be built: {exc!r}")
    else:
        mark_sent(session, item)
        session.commit()
        outcome.sent += 1
    return True


def _give_back(session: Session, item: DueDigest, outcome: Outcome, reason: str) -> None:
    release(session, item)
    session.commit()
    outcome.failed += 1
    outcome.problems.append(f"digest {item.key} not sent, will retry on the next tick: {reason}")
