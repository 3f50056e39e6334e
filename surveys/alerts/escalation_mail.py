"""Alert mails: the owning team's lead at once, then the department head and the executives as the alert
escalates (surveys/alerts/escalation.py), each mail exactly once however many hosts run `tandem tick`.

Each mail is a Reminder (kind "alert", key "alert:<id>:level:<n>:<person id>") claimed with the action
nudges' claim, commit, send, mark-sent-or-release cycle (surveys/actions/nudges.py), so a failed send is
retried on the next tick and a host that died between claim and send is taken over after an hour.
Like nudge_mail.send_due this is a worker, not a service: it commits.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.actions import nudges
from surveys.actions.nudge_mail import MailSettings, Outcome
from surveys.alerts import escalation
from surveys.alerts.escalation import EscalationSettings
from surveys.alerts.workflow import KIND_WORDS, headline, metric_label, status_label
from surveys.fieldwork import mailer
from surveys.models import OPEN_ALERT_STATUSES, Alert
from surveys.org import branding

KIND = "alert"
MAIL_BATCH = 100


@dataclass(frozen=True)
class AlertMail:
    """One mail to send: the alert's facts as the mail shows them, the level and the recipient."""

    key: str
    level: int
    alert_id: int
    recipient_id: int
    email: str
    name: str
    title: str
    facts: tuple[tuple[str, str], ...]
    reason: str
    days_open: int


def alert_link(base_url: str, alert_id: int) -> str:
    """The alert's page."""
    return f"{base_url.rstrip('/')}/alerts/{alert_id}"


def _facts(alert: Alert) -> tuple[tuple[str, str], ...]:
    drop = "—"
    if alert.drop is not None:
        drop = f"{alert.drop:.1f}"
        if alert.low is not None and alert.high is not None:
            drop += f" (95% interval {alert.low:.1f} to {alert.high:.1f})"
    return (("Touchpoint", f"{alert.touchpoint.name} ({alert.touchpoint.channel})"), ("Team", alert.team.name),
            ("Metric", metric_label(alert)), ("Kind", KIND_WORDS.get(alert.kind, alert.kind)),
            ("Drop", drop), ("Began", f"about {alert.began_on}"), ("Detected", str(alert.detected_on)),
            ("Severity", alert.severity), ("Status", status_label(alert.status)))


def due_mails(session: Session, now: dt.datetime, settings: EscalationSettings) -> list[AlertMail]:
    """Every mail the open alerts' levels call for by `now`, sent already or not (the claim skips those)."""
    alerts = session.scalars(select(Alert).where(Alert.status.in_(OPEN_ALERT_STATUSES))
                             .options(selectinload(Alert.touchpoint), selectinload(Alert.team))
                             .order_by(Alert.id))
    mails: list[AlertMail] = []
    for alert in alerts:
        title = headline(alert)
        facts = _facts(alert)
        mailed: set[int] = set()  # the department head who is also the level-0 lead gets one mail, not two
        for level in range(0, (alert.escalation_level or 0) + 1):
            reason = "" if level == 0 else escalation.due_at(alert, level, settings)[1]
            for person in escalation.recipients(session, alert, level):
                if person.id in mailed:
                    continue
                mailed.add(person.id)
                mails.append(AlertMail(f"alert:{alert.id}:level:{level}:{person.id}", level, alert.id, person.id,
                                       person.email, person.name, title, facts, reason,
                                       max(0, (now - alert.created_at).days)))
    return mails


def render(mail: AlertMail, base_url: str, settings: EscalationSettings,
           brand: branding.Branding = branding.DEFAULT_BRANDING, logo: branding.Logo | None = None):
    """Build (subject, text, html) for one alert mail, in the organisation's branding."""
    cid = mailer.logo_cid(logo) if logo else None
    link = alert_link(base_url, mail.alert_id)
    context = {"mail": mail, "brand": brand, "logo_cid": cid, "link": link, "settings": settings,
               "level_name": escalation.LEVEL_NAMES[mail.level]}
    title = " ".join(mail.title.split())[:90]
    subject = f"New alert: {title}" if mail.level == 0 else f"Escalated ({mail.reason}): {title}"
    text, html = mailer.render_parts("alert", context)
    if cid:
        html.inline_images = ((cid, logo),)
    if not brand.is_default_name:
        html.sender_name = f"{brand.name} alerts"
    return subject, text, html


def _token(mail: AlertMail, today: dt.date) -> nudges.Nudge:
    # The nudges' claim works on (kind, key, recipient_id, claimed_at); it carries no action here.
    return nudges.Nudge(KIND, mail.key, mail.recipient_id, mail.email, mail.name, (), today)


def send_due(session: Session, now: dt.datetime, settings: EscalationSettings, mail: MailSettings) -> Outcome:
    """Raise the alerts' levels, then claim, commit, send and record their mails a batch at a time."""
    outcome = Outcome()
    escalation.advance(session, now, settings)
    session.commit()  # each level is raised (and its history written) once, before anyone is mailed
    due = due_mails(session, now, settings)
    brand, logo = (branding.get_branding(session), branding.get_logo(session)) if due else (None, None)
    session.commit()  # ends the read: on SQLite every transaction holds the write lock
    by_key = {m.key: m for m in due}
    for start in range(0, len(due), MAIL_BATCH):
        won = nudges.claim(session, [_token(m, now.date()) for m in due[start:start + MAIL_BATCH]])
        session.commit()  # the claims are visible to other hosts before anything is sent
        if won and not _send_batch(session, [(t, by_key[t.key]) for t in won], mail, settings, brand, logo,
                                   outcome):
            break  # the rest are not claimed: the next tick finds them again
    return outcome


def _send_batch(session: Session, batch, mail: MailSettings, settings: EscalationSettings, brand, logo,
                outcome: Outcome) -> bool:
    """Send claimed mails over one connection; False when the SMTP server is unusable."""
    try:
        smtp = mailer.connect(mail.host, mail.port)
    except OSError as exc:
        _give_back(session, [t for t, _m in batch], outcome, f"cannot reach SMTP server {mail.host}:{mail.port}: {exc}")
        return False
    try:
        for index, (token, alert_mail) in enumerate(batch):
            try:
                subject, text, html = render(alert_mail, mail.base_url, settings, brand, logo)
                mailer.send_mail(mail.host, mail.port, mail.sender, alert_mail.email, subject, text, html,
                                 connection=smtp)
            except mailer.MESSAGE_ERRORS as exc:
                _give_back(session, [token], outcome, f"alert mail to {alert_mail.email} refused: {exc}")
            except OSError as exc:  # connection lost, timeout: the rest of the batch waits too
                _give_back(session, [t for t, _m in batch[index:]], outcome,
                           f"SMTP server {mail.host}:{mail.port} failed: {exc}")
                return False
            except Exception as exc:  # noqa: BLE001 - a bad address or template must not strand the claim
                _give_back(session, [token], outcome, f"alert mail to {alert_mail.email} could not be built: {exc!r}")
            else:
                nudges.mark_sent(session, token)
                session.commit()  # one short write per mail: SQLite's lock is never held while talking SMTP
                outcome.sent += 1
    finally:
        mailer.close(smtp)
    return True


def _give_back(session: Session, tokens, outcome: Outcome, reason: str) -> None:
    for token in tokens:
        nudges.release(session, token)
    session.commit()
    outcome.failed += len(tokens)
    outcome.problems.append(f"{len(tokens)} alert mail(s) not sent, will retry on the next tick: {reason}")
