"""Outgoing mail: invitation and reminder messages (text and HTML parts) sent through SMTP.

Templates live in templates/mail/ and are rendered with Jinja2 directly, so this module needs no Flask.
Mails carry no tracking pixels or per-person tracking links: the only link is the survey link itself.
"""
from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from surveys.fieldwork.invitations import MailJob

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SMTP_TIMEOUT = 30  # seconds; a dead server must not hang cron for ever

# Errors about one message (a refused recipient): the next message may still go through. Anything else
# (refused connection, timeout, disconnect) means the server is unusable for now.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def survey_link(base_url: str, token: str) -> str:
    """The respondent link for an invitation token."""
    return f"{base_url.rstrip('/')}/r/i/{token}"


def format_when(when: dt.datetime) -> str:
    """A closing time as people read it, e.g. 'Sunday 15 November 2026, 00:00 UTC'."""
    return f"{when:%A} {when.day} {when:%B %Y, %H:%M} UTC"


def render(job: MailJob, base_url: str) -> tuple[str, str, str]:
    """Build (subject, text, html) for a claimed invitation or reminder."""
    context = {
        "name": job.name, "survey": job.survey_title, "program": job.program_name,
        "closes": format_when(job.closes_at), "link": survey_link(base_url, job.token),
        "min_group_size": job.min_group_size,
    }
    subject = (f"Reminder: {job.survey_title} closes {job.closes_at.day} {job.closes_at:%B}"
               if job.kind == "reminder" else f"Your invitation: {job.survey_title}")
    text = _env.get_template(f"mail/{job.kind}.txt").render(context)
    html = _env.get_template(f"mail/{job.kind}.html").render(context)
    return subject, text, html


def build_message(sender: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
    """A multipart/alternative message with a plain-text part and an HTML part."""
    message = EmailMessage()
    message["From"] = formataddr(("Tandem surveys", sender))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a survey robot
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def connect(host: str, port: int) -> smtplib.SMTP:
    """Open an SMTP connection (plain, no authentication) to reuse for several messages."""
    return smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)


def send_mail(host: str, port: int, sender: str, to: str, subject: str, text: str, html: str,
              connection: smtplib.SMTP | None = None) -> None:
    """Send one message with text and HTML parts; raises smtplib/OSError errors on failure."""
    message = build_message(sender, to, subject, text, html)
    if connection is not None:
        connection.send_message(message)
        return
    with connect(host, port) as smtp:
        smtp.send_message(message)
