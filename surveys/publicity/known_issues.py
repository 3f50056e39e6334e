"""Known issues told to customers in the open: create, edit, publish and move through their statuses.

Only the public text staff write here (title, what is wrong, what is being done, dated notes) ever reaches
the public page and feed; the alert or action an issue came from is kept as an internal link and is never
shown. Every change is checked here, recorded in the audit trail and flushed, never committed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys import audit
from surveys.db import parse_id
from surveys.errors import Conflict, ErrorCollector, NotFound, ValidationError
from surveys.models import Action, Alert, PublicIssue, PublicIssueUpdate, utcnow
from surveys.models.digests import PUBLIC_STATUSES

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_NOTE = 2000
FIXED_SHOWN_DAYS = 90  # a fixed issue stays on the public list this long after it was fixed
STATUS_LABELS = {"investigating": "Investigating", "fix_planned": "Fix planned", "fixed": "Fixed"}
# Forward as the work goes on; back to investigating when a fix did not hold or a plan fell through.
TRANSITIONS = {"investigating": {"fix_planned", "fixed"}, "fix_planned": {"fixed", "investigating"},
               "fixed": {"investigating"}}


def _text(raw, field: str, label: str, limit: int, required: bool) -> str:
    text = (raw or "").strip()
    if required and not text:
        raise ValidationError(f"{label} is required: write it as customers should read it.", field=field)
    if len(text) > limit:
        raise ValidationError(f"{label} is {len(text)} characters long; keep it to {limit} at most.", field=field)
    return text


def clean_started_on(raw, today: dt.date | None = None) -> dt.date | None:
    """An optional YYYY-MM-DD date, not in the future."""
    if isinstance(raw, dt.date):
        day = raw
    else:
        text = (raw or "").strip()
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"'Affected since' must be a date written as YYYY-MM-DD; got '{text[:30]}'.",
                                  field="started_on") from None
    today = today or utcnow().date()
    if day > today:
        raise ValidationError(f"'Affected since' ({day.isoformat()}) is in the future; leave it empty if not known.",
                              field="started_on")
    return day


def _source(session: Session, model, raw, field: str, noun: str):
    if raw in (None, ""):
        return None
    key = parse_id(raw)
    row = session.get(model, key) if key is not None else None
    if row is None:
        raise ValidationError(f"There is no {noun} #{str(raw)[:20]} to link this issue to.", field=field)
    return row


def check_issue(session: Session, *, title, what_wrong, what_doing="", started_on=None, alert_id=None,
                action_id=None) -> dict:
    """Validate every field at once and raise all problems together; the cleaned values as a dict."""
    errors = ErrorCollector()
    values = {
        "title": errors.check(_text, title, "title", "The title", MAX_TITLE, True),
        "what_wrong": errors.check(_text, what_wrong, "what_wrong", "What is wrong", MAX_TEXT, True),
        "what_doing": errors.check(_text, what_doing, "what_doing", "What is being done", MAX_TEXT, False),
        "started_on": errors.check(clean_started_on, started_on),
        "alert": errors.check(_source, session, Alert, alert_id, "alert_id", "alert"),
        "action": errors.check(_source, session, Action, action_id, "action_id", "action"),
    }
    errors.raise_if_any()
    return values


def create_issue(session: Session, *, title, what_wrong, what_doing="", started_on=None, alert_id=None,
                 action_id=None, actor_id: int | None = None) -> PublicIssue:
    """A draft known issue (not published), investigating, with its first dated update."""
    v = check_issue(session, title=title, what_wrong=what_wrong, what_doing=what_doing, started_on=started_on,
                    alert_id=alert_id, action_id=action_id)
    now = utcnow()
    issue = PublicIssue(title=v["title"], what_wrong=v["what_wrong"], what_doing=v["what_doing"],
                        started_on=v["started_on"], status="investigating", published=False,
                        alert_id=v["alert"].id if v["alert"] else None,
                        action_id=v["action"].id if v["action"] else None,
                        created_by_id=actor_id, created_at=now, updated_at=now)
    issue.updates.append(PublicIssueUpdate(at=now, status="investigating", note="", author_id=actor_id))
    session.add(issue)
    session.flush()
    audit.record(session, actor_id, "known_issue.create", "public_issue", issue.id, alert_id=issue.alert_id,
                 action_id=issue.action_id)
    session.flush()
    return issue


def get_issue(session: Session, issue_id) -> PublicIssue:
    """The issue with this id, or NotFound."""
    key = parse_id(issue_id)
    issue = session.get(PublicIssue, key) if key is not None else None
    if issue is None:
        raise NotFound("There is no such known issue.")
    return issue


def edit_issue(session: Session, issue_id, *, title, what_wrong, what_doing="", started_on=None,
               actor_id: int | None = None) -> PublicIssue:
    """Change an issue's public text or its 'affected since' date (the internal links stay)."""
    issue = get_issue(session, issue_id)
    v = check_issue(session, title=title, what_wrong=what_wrong, what_doing=what_doing, started_on=started_on)
    changed = sorted(k for k in ("title", "what_wrong", "what_doing", "started_on") if getattr(issue, k) != v[k])
    for key in changed:
        setattr(issue, key, v[key])
    if changed:
        issue.updated_at = utcnow()
        audit.record(session, actor_id, "known_issue.edit", "public_issue", issue.id, fields=changed)
    session.flush()
    return issue


def change_status(session: Session, issue_id, status: str, note: str = "",
                  actor_id: int | None = None) -> PublicIssueUpdate:
    """Move an issue to `status` (or keep it, to add a note) with a dated public note."""
    issue = get_issue(session, issue_id)
    status = (status or "").strip()
    if status not in PUBLIC_STATUSES:
        raise ValidationError("Choose a status: investigating, fix planned or fixed.", field="status")
    note = _text(note, "note", "The public note", MAX_NOTE, False)
    if status == issue.status and not note:
        raise ValidationError(f"The issue is already '{STATUS_LABELS[status]}'; write a note to post an update "
                              "without changing the status.", field="note")
    if status != issue.status and status not in TRANSITIONS[issue.status]:
        raise Conflict(f"A '{STATUS_LABELS[issue.status]}' issue cannot become '{STATUS_LABELS[status]}'; "
                       "if it has come back, move it to 'Investigating' first.")
    now = utcnow()
    update = PublicIssueUpdate(at=now, status=status, note=note, author_id=actor_id)
    issue.updates.append(update)
    previous, issue.status, issue.updated_at = issue.status, status, now
    issue.fixed_at = now if status == "fixed" else None
    session.flush()
    audit.record(session, actor_id, "known_issue.status", "public_issue", issue.id, before=previous, after=status,
                 note=bool(note))
    session.flush()
    return update


def set_published(session: Session, issue_id, published: bool, actor_id: int | None = None) -> PublicIssue:
    """Show the issue on the public page and feed, or take it off again."""
    issue = get_issue(session, issue_id)
    if issue.published == published:
        return issue
    now = utcnow()
    issue.published = published
    if published and issue.published_at is None:
        issue.published_at = now  # the first publication dates the issue in public; later ones keep it
    issue.updated_at = now
    audit.record(session, actor_id, "known_issue.publish" if published else "known_issue.unpublish",
                 "public_issue", issue.id)
    session.flush()
    return issue


def all_issues(session: Session) -> list[PublicIssue]:
    """Every issue, drafts included, open ones first, newest first (the staff list)."""
    rows = session.scalars(select(PublicIssue).order_by(PublicIssue.updated_at.desc(), PublicIssue.id.desc()))
    return sorted(rows, key=lambda i: i.status == "fixed")


def public_issues(session: Session, now: dt.datetime | None = None) -> list[PublicIssue]:
    """What the public list shows: published issues still open, then those fixed in the last 90 days."""
    since = (now or utcnow()) - dt.timedelta(days=FIXED_SHOWN_DAYS)
    rows = session.scalars(select(PublicIssue).where(PublicIssue.published.is_(True))
                           .options(selectinload(PublicIssue.updates))
                           .order_by(PublicIssue.updated_at.desc(), PublicIssue.id.desc())).all()
    open_ = [i for i in rows if i.status != "fixed"]
    fixed = [i for i in rows if i.status == "fixed" and i.fixed_at is not None and i.fixed_at >= since]
    return open_ + fixed


def published_issue(session: Session, issue_id) -> PublicIssue:
    """A published issue, or NotFound (drafts do not exist for the public)."""
    issue = get_issue(session, issue_id)
    if not issue.published:
        raise NotFound("There is no such known issue.")
    return issue


@dataclass(frozen=True)
class SourceContext:
    """What staff see beside the form about the alert or action an issue comes from (never published)."""

    kind: str                  # "alert" or "action"
    id: int
    heading: str
    facts: tuple[tuple[str, str], ...]


def source_context(session: Session, alert_id=None, action_id=None) -> SourceContext | None:
    """The internal context of an alert or action, for the author's eyes only; None when neither exists."""
    alert = session.get(Alert, parse_id(alert_id)) if parse_id(alert_id) is not None else None
    if alert is not None:
        drop = "" if alert.drop is None else f"{alert.drop:.1f}"
        if drop and alert.low is not None and alert.high is not None:
            drop += f" (95% interval {alert.low:.1f} to {alert.high:.1f})"
        facts = (("Touchpoint", f"{alert.touchpoint.name} ({alert.touchpoint.channel})"),
                 ("Owning team", alert.team.name), ("Metric", alert.metric), ("Kind", alert.kind.replace("_", " ")),
                 ("Began", alert.began_on.isoformat()), ("Detected", alert.detected_on.isoformat()),
                 ("Drop", drop or "not measured"), ("Status", alert.status.replace("_", " ")))
        return SourceContext("alert", alert.id, f"Alert #{alert.id}", facts)
    action = session.get(Action, parse_id(action_id)) if parse_id(action_id) is not None else None
    if action is not None:
        facts = (("Title", action.title), ("Teams", ", ".join(t.name for t in action.teams) or "none"),
                 ("Status", action.status.replace("_", " ")),
                 ("Due", action.due_on.isoformat() if action.due_on else "no date"))
        return SourceContext("action", action.id, f"Action #{action.id}", facts)
    return None
