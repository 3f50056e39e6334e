"""Nudge mails: built from templates/mail/ and sent for the nudges this host claimed (see nudges.py).

`send_due` is a worker like the import job runner, not a service: it commits, because a claim must be
visible to other hosts before its mail goes out, and each sent mail is recorded at once (no transaction,
and so no SQLite write lock, stays open while the SMTP server is talking).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from surveys.actions import nudges
from surveys.fieldwork import mailer
from surveys.org import branding

MAIL_BATCH = 100
HR_LIST_MAX = 50  # actions listed in HR's weekly summary; the rest are counted and on the /actions page
STATUS_WORDS = {"planned": "planned", "in_progress": "in progress"}


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes and the address links start with."""

    host: str
    port: int
    sender: str
    base_url: str

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        """From the app's configuration (TANDEM_SMTP_*, TANDEM_BASE_URL)."""
        return cls(config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_SENDER"], config["BASE_URL"])


@dataclass
class Outcome:
    """What one run did: mails sent, mails given back for the next tick, and why."""

    sent: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


def action_link(base_url: str, action_id: int) -> str:
    """The action's page."""
    return f"{base_url.rstrip('/')}/actions/{action_id}"


def _day(day: dt.date | None) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}" if day else "no due date"


def _one_line(text: str, limit: int = 80) -> str:
    # A title from a spreadsheet may hold line breaks, which a mail header must not.
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _when(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def render(nudge: nudges.Nudge, base_url: str, brand: branding.Branding = branding.DEFAULT_BRANDING,
           logo: branding.Logo | None = None) -> tuple[str, str, str]:
    """Build (subject, text, html) for one nudge, in the organisation's branding."""
    cid = mailer.logo_cid(logo) if logo else None
    lines = [{"title": a.title, "teams": a.teams or "no team", "due": _day(a.due_on), "owner": a.owner,
              "status": STATUS_WORDS.get(a.status, a.status), "link": action_link(base_url, a.id),
              "late": (nudge.today - a.due_on).days if a.due_on else 0, "last_update": _day(a.last_update)}
             for a in nudge.actions]
    link = f"{base_url.rstrip('/')}/actions" if nudge.kind == "hr_overdue" else lines[0]["link"]
    context = {"name": nudge.name, "brand": brand, "logo_cid": cid, "kind": nudge.kind, "days": nudge.days,
               "every": nudge.every, "when": _when(nudge.days), "actions": lines[:HR_LIST_MAX],
               "more": max(0, len(lines) - HR_LIST_MAX), "action": lines[0], "link": link,
               "week": nudges.iso_week(nudge.today)}
    title = _one_line(nudge.actions[0].title)
    subject = {
        "action_due_soon": f"Due {_when(nudge.days)}: {title}",
        "action_overdue": f"Overdue: {title}",
        "action_stale": f"No update for {nudge.days} days: {title}",
        "hr_overdue": f"{len(lines)} overdue action{'s' if len(lines) != 1 else ''} (week {context['week']})",
    }[nudge.kind]
    template = "actions_overdue_summary" if nudge.kind == "hr_overdue" else "action_nudge"
    text, html = mailer.render_parts(template, context)
    if cid:
        html.inline_images = ((cid, logo),)
    if not brand.is_default_name:
        html.sender_name = f"{brand.name} action plans"
    return subject, text, html


def send_due(session: Session, now: dt.datetime, settings: nudges.NudgeSettings, mail: MailSettings) -> Outcome:
    """Find the nudges due at `now`, then claim, commit, send and record them a batch at a time."""
    outcome = Outcome()
    due = nudges.due_nudges(session, now, settings)
    brand, logo = (branding.get_branding(session), branding.get_logo(session)) if due else (None, None)
    session.commit()  # ends the read: on SQLite every transaction holds the write lock
    if not due:
        return outcome
    for start in range(0, len(due), MAIL_BATCH):
        won = nudges.claim(session, due[start:start + MAIL_BATCH])
        session.commit()  # the claims are visible to other hosts before anything is sent
        if not won:
            continue
        usable = _send_batch(session, won, mail, brand, logo, outcome)
        session.commit()
        if not usable:
            break  # the rest are not claimed: the next tick finds them again
    return outcome


def _send_batch(session: Session, batch: list[nudges.Nudge], mail: MailSettings, brand, logo,
                outcome: Outcome) -> bool:
    """Send claimed nudges over one connection; False when the SMTP server is unusable."""
    try:
        smtp = mailer.connect(mail.host, mail.port)
    except OSError as exc:
        _give_back(session, batch, outcome, f"cannot reach SMTP server {mail.host}:{mail.port}: {exc}")
        return False
    try:
        for index, nudge in enumerate(batch):
            try:
                subject, text, html = render(nudge, mail.base_url, brand, logo)
                mailer.send_mail(mail.host, mail.port, mail.sender, nudge.email, subject, text, html,
                                 connection=smtp)
            except mailer.MESSAGE_ERRORS as exc:
                _give_back(session, [nudge], outcome, f"nudge to {nudge.email} refused: {exc}")
            except OSError as exc:  # connection lost, timeout: the rest of the batch waits too
                _give_back(session, batch[index:], outcome, f"SMTP server {mail.host}:{mail.port} failed: {exc}")
                return False
            except Exception as exc:  # noqa: BLE001 - a bad address or template must not strand the claim
                _give_back(session, [nudge], outcome, f"nudge to {nudge.email} could not be built: {exc!r}")
            else:
                nudges.mark_sent(session, nudge)
                session.commit()  # one short write per mail: SQLite's lock is never held while talking SMTP
                outcome.sent += 1
    finally:
        mailer.close(smtp)
    return True


def _give_back(session: Session, batch: list[nudges.Nudge], outcome: Outcome, reason: str) -> None:
    for nudge in batch:
        nudges.release(session, nudge)
    session.commit()
    outcome.failed += len(batch)
    outcome.problems.append(f"{len(batch)} nudge(s) not sent, will retry on the next tick: {reason}")
