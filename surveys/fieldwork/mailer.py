"""Outgoing mail: invitation and reminder messages (text and HTML parts) sent through SMTP.

Templates live in templates/mail/ and are rendered with Jinja2 directly, so this module needs no Flask;
the organisation's branding arrives with each MailJob. Mails carry no tracking pixels or per-person
tracking links: the only link is the survey link itself, and the logo travels inside the message
(a cid: part), so showing it fetches nothing from any server.
"""
from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from surveys.fieldwork.invitations import MailJob
from surveys.fieldwork.results_links import results_path
from surveys.fieldwork.results_mail import ResultsJob
from surveys.org.branding import Logo

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SMTP_TIMEOUT = 30  # seconds; a dead server must not hang cron for ever

# Errors about one message (a refused recipient): the next message may still go through. Anything else
# (refused connection, timeout, disconnect) means the server is unusable for now.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_parts(template: str, context: dict) -> tuple[str, HtmlPart]:
    """The text and HTML parts of templates/mail/<template>.txt and .html: one Jinja setup for every mail."""
    return (_env.get_template(f"mail/{template}.txt").render(context),
            HtmlPart(_env.get_template(f"mail/{template}.html").render(context)))


def survey_link(base_url: str, token: str) -> str:
    """The respondent link for an invitation token."""
    return f"{base_url.rstrip('/')}/r/i/{token}"


def format_when(when: dt.datetime) -> str:
    """A closing time as people read it, e.g. 'Sunday 15 November 2026, 00:00 UTC'."""
    return f"{when:%A} {when.day} {when:%B %Y, %H:%M} UTC"


class HtmlPart(str):
    """The HTML part's text, carrying the images it shows inline (by cid) to build_message."""

    # `tandem tick` hands render()'s three strings straight to send_mail(), so what the message needs
    # besides text (the inline logo, the sender's display name) travels on the HTML string itself.

    inline_images: tuple[tuple[str, Logo], ...] = ()
    sender_name: str = "Tandem surveys"


def logo_cid(logo: Logo) -> str:
    """Content-ID of the inline logo (the same for every recipient: it identifies nobody)."""
    return f"logo-{logo.sha256[:16]}@tandem"


def render(job: MailJob | ResultsJob, base_url: str) -> tuple[str, str, str]:
    """Build (subject, text, html) for a claimed invitation, reminder or results mail, in the organisation's
    branding."""
    if job.kind == "results":
        return _render_results(job, base_url)
    cid = logo_cid(job.logo) if job.logo else None
    context = {
        "name": job.name, "survey": job.survey_title, "program": job.program_title,
        "closes": format_when(job.closes_at), "link": survey_link(base_url, job.token),
        "min_group_size": job.min_group_size, "brand": job.brand, "logo_cid": cid,
    }
    subject = (f"Reminder: {job.survey_title} closes {job.closes_at.day} {job.closes_at:%B}"
               if job.kind == "reminder" else f"Your invitation: {job.survey_title}")
    text = _env.get_template(f"mail/{job.kind}.txt").render(context)
    html = HtmlPart(_env.get_template(f"mail/{job.kind}.html").render(context))
    return subject, text, _branded(html, job, cid)


def _branded(html: HtmlPart, job, cid: str | None) -> HtmlPart:
    if cid:
        html.inline_images = ((cid, job.logo),)
    if not job.brand.is_default_name:
        html.sender_name = f"{job.brand.name} surveys"
    return html


def _render_results(job: ResultsJob, base_url: str) -> tuple[str, str, str]:
    # The same words for everyone in the team: nothing in it depends on whether the person answered.
    cid = logo_cid(job.logo) if job.logo else None
    base = base_url.rstrip("/")
    context = {"name": job.name, "program": job.program_title, "wave": job.wave_label,
               "link": base + results_path(job.token), "actions_link": f"{base}/you-said-we-did",
               "min_group_size": job.min_group_size, "brand": job.brand, "logo_cid": cid}
    subject = f"What you told us: {job.program_title} {job.wave_label}"
    text = _env.get_template("mail/results.txt").render(context)
    html = HtmlPart(_env.get_template("mail/results.html").render(context))
    return subject, text, _branded(html, job, cid)


def build_message(sender: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
    """A multipart/alternative message with a plain-text part and an HTML part."""
    message = EmailMessage()
    message["From"] = formataddr((getattr(html, "sender_name", HtmlPart.sender_name), sender))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a survey robot
    message.set_content(text)
    message.add_alternative(str(html), subtype="html")
    html_part = message.get_payload()[1]
    for cid, image in getattr(html, "inline_images", ()):
        maintype, _, subtype = image.content_type.partition("/")
        html_part.add_related(image.data, maintype, subtype, cid=f"<{cid}>", disposition="inline")
    return message


def connect(host: str, port: int) -> smtplib.SMTP:
    """Open an SMTP connection (plain, no authentication) to reuse for several messages."""
    return smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)


def close(smtp: smtplib.SMTP) -> None:
    """End an SMTP session politely, or drop it when the server is already gone."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def send_mail(host: str, port: int, sender: str, to: str, subject: str, text: str, html: str,
              connection: smtplib.SMTP | None = None) -> None:
    """Send one message with text and HTML parts; raises smtplib/OSError errors on failure."""
    message = build_message(sender, to, subject, text, html)
    if connection is not None:
        connection.send_message(message)
        return
    with connect(host, port) as smtp:
        smtp.send_message(message)
