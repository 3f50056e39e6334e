"""`tandem tick`: the scheduler's heartbeat, safe to run every minute from cron on several hosts at once.

Each step's service flushes; this command commits after each step and after each batch of claimed mail,
so a claim is visible to other hosts before the mail goes out, and a failed mail is released for the
next tick without touching the others.
"""
from __future__ import annotations

import datetime as dt
import functools
import sys
from collections import Counter

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from surveys import retention
from surveys.actions import nudge_mail, nudges
from surveys.alerts import escalation, escalation_mail
from surveys.collection import queue
from surveys.db import checkpoint
from surveys.fieldwork import cadence, invitations, mailer, results_links, results_mail, scheduling
from surveys.ingestion import job_runner
from surveys.models import utcnow
from surveys.org import signin, staff_sessions
from webapp import jobs as jobs_glue
from webapp.cli.cases import tick_step as cases_step
from webapp.cli.digest import digest_step
from webapp.db import get_session

MAIL_BATCH = 100
NOW_YEARS = (2000, 2100)  # a --now outside these is a typo; 9999 would also overflow the date arithmetic
SUMMARY_KEYS = ("opened", "closed", "released", "scheduled", "invited", "sent", "reminded", "failed", "nudges",
                "sessions expired", "results shared", "cases escalated", "alerts", "alerts routed", "digests")
RETENTION_KEYS = ("comments blanked", "answers deleted")  # shown when TANDEM_COMMENT_RETENTION_DAYS is set


class BadNow(click.BadParameter):
    """A bad --now: one line on standard error and exit 2, without the usage text (cron logs stay readable)."""

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


def parse_now(value: str | None) -> dt.datetime:
    """The tick's clock: an ISO date or date-time (UTC unless it carries an offset), default now."""
    if not value:
        return utcnow()
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadNow(f"'{value}' is not an ISO date-time such as 2026-11-01T08:00", param_hint="--now") from None
    # Checked before the UTC conversion, which overflows for 9999-12-31T23:00-05:00.
    if not NOW_YEARS[0] <= when.year <= NOW_YEARS[1]:
        raise BadNow(f"{value} is outside the years {NOW_YEARS[0]}-{NOW_YEARS[1]}; give a date-time such as "
                     "2026-11-01T08:00", param_hint="--now")
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when


@click.command("tick")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help="Act as if it were this UTC time (default: now).")
@with_appcontext
def tick(now_text):
    """Close ended waves, schedule and open waves, blank comments past retention, send invitations, reminders and
    action nudges, then run uploads waiting for their import (and imports whose worker stopped)."""
    now = parse_now(now_text)
    session = get_session()
    try:
        counts = run_tick(session, now, current_app.config)
        # Uploads waiting for their import, and imports whose worker stopped: on the wall clock, like sessions.
        app = current_app._get_current_object()
        for _job_id, status in job_runner.run_pending(jobs_glue.sessions(app), jobs_glue.run_settings(app.config)):
            counts[f"imports {status or 'taken over'}"] += 1
        counts["reports refreshed"] += _refresh_reports(app)
    except SQLAlchemyError as exc:
        session.rollback()
        reason = getattr(exc, "orig", None) or exc
        click.echo(f"tick {now:%Y-%m-%dT%H:%M:%S}: database error, nothing more done: {reason}", err=True)
        sys.exit(1)
    summary = ", ".join(f"{key} {counts[key]}" for key in SUMMARY_KEYS)
    if current_app.config.get("COMMENT_RETENTION_DAYS"):
        summary += "".join(f", {key} {counts[key]}" for key in RETENTION_KEYS)
    summary += "".join(f", {key} {n}" for key, n in sorted(counts.items()) if key.startswith("imports "))
    if counts["reports refreshed"]:
        summary += f", reports refreshed {counts['reports refreshed']}"
    click.echo(f"tick {now:%Y-%m-%dT%H:%M:%S}: {summary}")


def _refresh_reports(app) -> int:
    """Render stale default report pages into the report cache (webapp/reports/cached.py), unless switched off."""
    if not app.config.get("REPORT_PREWARM", True):
        return 0
    from surveys.insights.reports import REPORTS, available
    from webapp.reports import cached
    from webapp.reports.params import settings

    return cached.refresh(app, [name for name in REPORTS if available(name)], settings())


def _alert_scan(session, now: dt.datetime, config) -> int:
    from surveys.alerts import scan

    raised = scan.scan(session, now.date() - dt.timedelta(days=1), scan.settings_from_config(config)).raised
    session.commit()
    return raised


def run_tick(session, now: dt.datetime, config) -> Counter:
    """Run every step in order, committing between them; returns the counts for the summary."""
    counts: Counter = Counter()
    # Sign-in state runs on the wall clock, not on --now: a simulated date must not end live sessions.
    counts["sessions expired"] += staff_sessions.prune(session, staff_sessions.SessionLimits.from_config(config))
    signin.prune(session)
    session.commit()
    counts["closed"] += scheduling.close_due(session, now)
    session.commit()
    # Queued employee answers of teams that reached the threshold (and of closed waves) go to `responses`.
    counts["released"] += queue.release_ready(session)
    session.commit()
    if counts["released"]:
        checkpoint(session.get_bind())  # SQLite: no old page of the queue or of drafts stays in the WAL
    # Scheduling runs before and after opening: always-on programs need this month's wave before it
    # can open, and monthly/quarterly programs get their next wave once the current one has opened.
    counts["scheduled"] += cadence.schedule_due(session, now)
    session.commit()
    opened, invited = scheduling.open_due(session, now, config["MIN_GROUP_SIZE"], config["MIN_COMMENT_GROUP_SIZE"],
                                             config["MEMBERSHIP_DAYS"])
    counts["opened"] += opened
    counts["invited"] += invited
    session.commit()
    counts["scheduled"] += cadence.schedule_due(session, now)
    session.commit()
    purge = retention.purge_comments(session, now.date(), config.get("COMMENT_RETENTION_DAYS", 0))
    counts["comments blanked"] += purge.blanked
    counts["answers deleted"] += purge.deleted
    session.commit()
    mail = _MailRun(session, now, config)
    if mail.run(invitations.claim_invitations, "sent", counts) and mail.run(invitations.claim_reminders,
                                                                           "reminded", counts):
        # After the close above: a wave closed in this tick is mailed in this tick, its answers all released.
        key = results_links.link_key(config)
        mail.run(functools.partial(results_mail.claim_results, key=key), "results shared", counts)
    # Action owners' nudges and HR's weekly overdue summary, each claimed once across hosts.
    outcome = nudge_mail.send_due(session, now, nudges.NudgeSettings.from_config(config),
                                  nudge_mail.MailSettings.from_config(config))
    counts["nudges"] += outcome.sent
    counts["failed"] += outcome.failed
    counts["alerts"] += _alert_scan(session, now, config)  # breakdown alerts raised, scanning up to yesterday
    for problem in outcome.problems:
        click.echo(f"tick: {problem}", err=True)
    cases_step(session, now, config, counts)  # follow-up cases: contact retention, lead mails, escalations
    for problem in _route_alerts(session, now, config, counts):
        click.echo(f"tick: {problem}", err=True)
    counts.update(digest_step(session, now, config))  # last: a digest reports the alerts raised just before
    return counts


def _route_alerts(session, now: dt.datetime, config, counts: Counter) -> list[str]:
    """Mail new alerts to their owning team's lead and escalate the ones left unacknowledged or open."""
    outcome = escalation_mail.send_due(session, now, escalation.EscalationSettings.from_config(config),
                                       nudge_mail.MailSettings.from_config(config))
    counts["alerts routed"] += outcome.sent
    counts["failed"] += outcome.failed
    return outcome.problems


class _MailRun:
    """Claim, commit, send, and release what could not be sent, one batch at a time."""

    def __init__(self, session, now: dt.datetime, config):
        self.session, self.now = session, now
        self.host, self.port = config["SMTP_HOST"], int(config["SMTP_PORT"])
        self.sender, self.base_url = config["SMTP_SENDER"], config["BASE_URL"]

    def run(self, claim, done_key: str, counts: Counter) -> bool:
        """Send every claimable mail of one kind; False when the SMTP server is unusable."""
        failed_ids: set[int] = set()  # not retried in this run, so a bad address cannot loop
        while True:
            jobs = claim(self.session, self.now, limit=MAIL_BATCH, exclude=failed_ids)
            self.session.commit()  # the claim is visible to other hosts before anything is sent
            if not jobs:
                return True
            ok = self._send_batch(jobs, done_key, counts, failed_ids)
            self.session.commit()
            if not ok:
                return False

    def _send_batch(self, jobs, done_key: str, counts: Counter, failed_ids: set[int]) -> bool:
        try:
            smtp = mailer.connect(self.host, self.port)
        except OSError as exc:
            self._give_back(jobs, counts, f"cannot reach SMTP server {self.host}:{self.port}: {exc}")
            return False
        try:
            for index, job in enumerate(jobs):
                try:
                    subject, text, html = mailer.render(job, self.base_url)
                    mailer.send_mail(self.host, self.port, self.sender, job.email, subject, text, html,
                                     connection=smtp)
                except mailer.MESSAGE_ERRORS as exc:
                    self._give_back([job], counts, f"{job.kind} to {job.email} refused: {exc}")
                    failed_ids.add(job.invitation_id)
                except OSError as exc:  # connection lost, timeout: the rest of the batch waits too
                    self._give_back(jobs[index:], counts, f"SMTP server {self.host}:{self.port} failed: {exc}")
                    return False
                except Exception as exc:  # noqa: BLE001 - a bad address or template must not strand claims
                    self._give_back([job], counts, f"{job.kind} to {job.email} could not be built: {exc!r}")
                    failed_ids.add(job.invitation_id)
                else:
                    counts[done_key] += 1
        finally:
            mailer.close(smtp)
        return True

    def _give_back(self, jobs, counts: Counter, reason: str) -> None:
        for job in jobs:
            invitations.release(self.session, job)
        counts["failed"] += len(jobs)
        click.echo(f"tick: {len(jobs)} mail(s) not sent, will retry on the next tick: {reason}", err=True)
