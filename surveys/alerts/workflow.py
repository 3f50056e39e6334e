"""What people do with an alert: acknowledge it, turn it into an action, resolve it with a note or dismiss it
with a reason. Every change lands in the alert's history (AlertEvent) and in the audit trail; services flush,
never commit.

    new -> acknowledged -> action_planned -> resolved
    any open status -> dismissed (with a reason); any open status -> resolved by hand (with a note)
    "Plan an action" works from new or acknowledged: it acknowledges the alert on the way.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from surveys import audit
from surveys.actions import service as actions
from surveys.actions.fields import MAX_DESCRIPTION, MAX_TITLE, Baseline
from surveys.alerts.access import Scope, get_alert
from surveys.errors import Conflict, ValidationError
from surveys.goals.metrics import metric_info
from surveys.models import OPEN_ALERT_STATUSES, Action, Alert, AlertEvent, Person, utcnow

TRANSITIONS = {
    "new": ("acknowledged", "action_planned", "resolved", "dismissed"),
    "acknowledged": ("action_planned", "resolved", "dismissed"),
    "action_planned": ("resolved", "dismissed"),
    "resolved": (),
    "dismissed": (),
}
MAX_NOTE = MAX_DESCRIPTION
ACTION_DAYS = 90  # an action planned from an alert is due in about a quarter, like one made by hand
KIND_WORDS = {"sudden_day": "sudden drop (day)", "sudden_week": "sudden drop (week)",
              "sudden_month": "sudden drop (month)", "shift": "persistent shift", "below_target": "below target",
              "emerging_theme": "emerging theme"}


def status_label(status: str | None) -> str:
    """A status as people read it: "action planned"."""
    return (status or "").replace("_", " ")


def metric_label(alert: Alert) -> str:
    """The alert's metric as people read it ("CSAT"; an emerging theme's "theme: <name>")."""
    try:
        return metric_info(alert.metric).label
    except KeyError:
        return "theme" if alert.metric.startswith("theme:") else alert.metric


def action_metric(alert: Alert) -> str:
    """The metric key an action planned from the alert targets: the alert's own customer metric; for an
    emerging theme, CSAT at the touchpoint (what a complaint theme costs)."""
    try:
        return metric_info(alert.metric).key
    except KeyError:
        return "csat"


def headline(alert: Alert) -> str:
    """The alert in a few words: "CSAT drop at Web checkout"."""
    if alert.kind == "emerging_theme":
        return f"Rising complaint theme at {alert.touchpoint.name}"
    what = "below target" if alert.kind == "below_target" else "drop"
    return f"{metric_label(alert)} {what} at {alert.touchpoint.name}"


def title_for(alert: Alert) -> str:
    """The title of the action planned from an alert: "Fix: CSAT drop at Web checkout"."""
    return f"Fix: {headline(alert)}"[:MAX_TITLE]


def record(session: Session, alert: Alert, actor_id: int | None, what: str, detail: str = "",
           at: dt.datetime | None = None) -> AlertEvent:
    """Append one event to the alert's history; flushes nothing."""
    event = AlertEvent(actor_id=actor_id, what=what[:40], detail=detail, at=at or utcnow())
    alert.events.append(event)
    return event


def _check_move(alert: Alert, to: str) -> None:
    """Raise Conflict, saying why, when the alert cannot move to `to`."""
    before = alert.status
    if to in TRANSITIONS[before]:
        return
    if before not in OPEN_ALERT_STATUSES:
        raise Conflict(f"This alert is already {status_label(before)}; a closed alert cannot change.")
    if to == before:
        raise Conflict(f"This alert is already {status_label(before)}.")
    raise Conflict(f"An alert that is {status_label(before)} cannot become {status_label(to)}.")


def _move(session: Session, alert: Alert, to: str, actor_id: int | None, text: str = "",
          now: dt.datetime | None = None) -> None:
    _check_move(alert, to)
    before = alert.status
    now = now or utcnow()
    alert.status = to
    if to in ("acknowledged", "action_planned") and alert.acknowledged_at is None:
        alert.acknowledged_at = now
    if to not in OPEN_ALERT_STATUSES:
        alert.closed_at, alert.open_key, alert.status_note = now, None, text
    record(session, alert, actor_id, status_label(to), text, at=now)
    audit.record(session, actor_id, "alert.status", "alert", alert.id, before=before, after=to,
                 **({"note": text} if text else {}))


def _text(raw: str | None, field: str, missing: str, label: str) -> str:
    text = (raw or "").strip()
    if not text:
        raise ValidationError(missing, field=field)
    if len(text) > MAX_NOTE:
        raise ValidationError(f"The {label} is longer than {MAX_NOTE} characters.", field=field)
    return text


def acknowledge(session: Session, alert_id, scope: Scope, *, actor_id: int | None) -> Alert:
    """Say the alert has been seen and is being looked at; stops the acknowledgement clock."""
    alert = get_alert(session, alert_id, scope)
    _move(session, alert, "acknowledged", actor_id)
    session.flush()
    return alert


def resolve(session: Session, alert_id, scope: Scope, *, actor_id: int | None, note: str | None) -> Alert:
    """Close the alert by hand; the note says what fixed it (required)."""
    alert = get_alert(session, alert_id, scope)
    text = _text(note, "note", "Say what fixed it: resolving an alert by hand needs a note.", "note")
    _move(session, alert, "resolved", actor_id, text)
    session.flush()
    return alert


def dismiss(session: Session, alert_id, scope: Scope, *, actor_id: int | None, reason: str | None) -> Alert:
    """Close the alert as not worth acting on; the reason is required (a false alarm, a known cause...)."""
    alert = get_alert(session, alert_id, scope)
    text = _text(reason, "reason", "Say why the alert is dismissed.", "reason")
    _move(session, alert, "dismissed", actor_id, text)
    session.flush()
    return alert


def _owner_id(session: Session, alert: Alert, scope: Scope, actor_id: int | None) -> int | None:
    """The owning team's lead when the actor may hand the action to them, else the actor."""
    lead: Person | None = alert.team.lead
    if lead is not None and lead.active and lead.role != "employee" and (
            scope.everything or lead.id == scope.person_id or lead.team_id is not None and scope.covers(lead.team_id)):
        return lead.id
    return actor_id


def _description(alert: Alert) -> str:
    parts = [f"Planned from alert #{alert.id}: {KIND_WORDS.get(alert.kind, alert.kind)} in "
             f"{metric_label(alert)} at {alert.touchpoint.name}, began about {alert.began_on}, "
             f"detected {alert.detected_on}."]
    if alert.drop is not None:
        interval = f" (95% interval {alert.low:.1f} to {alert.high:.1f})" if None not in (alert.low, alert.high) \
            else ""
        parts.append(f"It fell by {alert.drop:.1f}{interval}.")
    return " ".join(parts)


def plan_action(session: Session, alert_id, scope: Scope, *, actor_id: int | None, today: dt.date,
                baseline: Baseline | None = None) -> Action:
    """One click: an improvement action for the alert's team on its metric (baseline frozen from the caller's
    measurement, as surveys.actions.service does), linked to the alert, which becomes action_planned."""
    alert = get_alert(session, alert_id, scope)
    if alert.action_id is not None:
        raise Conflict("This alert already has an action; open it from the alert's page.")
    _check_move(alert, "action_planned")
    action = actions.create_action(
        session, scope, actor_id=actor_id, baseline=baseline, title=title_for(alert),
        description=_description(alert), owner_id=_owner_id(session, alert, scope, actor_id),
        team_ids=[alert.team_id], metric=action_metric(alert), target=None, starts_on=today,
        due_on=today + dt.timedelta(days=ACTION_DAYS), visibility="leaders", source="alert")
    alert.action_id = action.id
    _move(session, alert, "action_planned", actor_id, f"action #{action.id}: {action.title}")
    session.flush()
    return action


def action_baseline(session: Session, alert: Alert, k: int) -> Baseline:
    """The latest value of the action's metric for the alert's team and everything under it (suppressed below
    k: no baseline), the same measurement the action pages freeze."""
    # Imported here: insights pulls in pandas and the analysis stack, which the write path must not load.
    from surveys.insights import metric_values
    from surveys.org import hierarchy

    value = metric_values.latest(session, action_metric(alert), hierarchy.team_scope(session, alert.team_id), k)
    if value.suppressed or value.value is None:
        return Baseline()
    return Baseline(value.value, value.n, value.low, value.high, value.period)
