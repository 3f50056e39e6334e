"""The escalation clock: who hears of an alert, and when it climbs to the department head and the executives.

Level 0: at once, the owning team's lead (no lead: the next lead up the hierarchy).
Level 1: the department head (the lead of the team's ancestor just below the organisation's root; no lead
there: the next lead up), when the alert is still new `ack_days` after it was raised, or still open after
`persist_days`.
Level 2: every executive, after another `ack_days` still new, or another `persist_days` still open.

The clock starts when Tandem raised the alert (`created_at`), not at the estimated start of the shift: a
back-filled history (`tandem alerts scan --as-of`) must not escalate at once what nobody could have seen.
Raising the level is a conditional UPDATE, so with several hosts ticking each step is recorded once.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surveys.alerts.workflow import record
from surveys.models import OPEN_ALERT_STATUSES, STAFF_ROLES, Alert, Person, Team

MAX_LEVEL = 2
LEVEL_NAMES = {0: "owning team's lead", 1: "department head", 2: "executives"}


@dataclass(frozen=True)
class EscalationSettings:
    """Days before an alert climbs a level: still not acknowledged, or still open."""

    ack_days: int = 2
    persist_days: int = 14

    @classmethod
    def from_config(cls, config: Mapping) -> EscalationSettings:
        """From the app's configuration (TANDEM_ALERT_ACK_DAYS, TANDEM_ALERT_PERSIST_DAYS)."""
        return cls(int(config.get("ALERT_ACK_DAYS", 2)), int(config.get("ALERT_PERSIST_DAYS", 14)))


@dataclass(frozen=True)
class Clock:
    """Where an alert stands: its level, and the next level with when it falls due and why."""

    level: int
    next_level: int | None
    next_due: dt.datetime | None
    reason: str  # "not acknowledged" or "still open"; "" when nothing more can happen

    def days_left(self, now: dt.datetime) -> int | None:
        """Whole days until the next escalation (0: due now), None when none is coming."""
        if self.next_due is None:
            return None
        seconds = (self.next_due - now).total_seconds()
        return max(0, -int(-seconds // 86400))


def due_at(alert: Alert, level: int, settings: EscalationSettings) -> tuple[dt.datetime, str] | None:
    """When the alert reaches `level` (1 or 2) if nothing changes, and why; None once it is closed."""
    if alert.status not in OPEN_ALERT_STATUSES or level < 1:
        return None
    start = alert.created_at
    persist = (start + dt.timedelta(days=level * settings.persist_days), "still open")
    if alert.status == "new":
        ack = (start + dt.timedelta(days=level * settings.ack_days), "not acknowledged")
        return min(ack, persist)
    return persist


def clock(alert: Alert, settings: EscalationSettings) -> Clock:
    """The alert's escalation clock."""
    level = alert.escalation_level or 0
    if level >= MAX_LEVEL or alert.status not in OPEN_ALERT_STATUSES:
        return Clock(level, None, None, "")
    when, why = due_at(alert, level + 1, settings)
    return Clock(level, level + 1, when, why)


def due_level(alert: Alert, now: dt.datetime, settings: EscalationSettings) -> int:
    """The highest level the alert should have reached by `now`."""
    reached = 0
    for level in range(1, MAX_LEVEL + 1):
        due = due_at(alert, level, settings)
        if due is not None and due[0] <= now:
            reached = level
    return reached


def advance(session: Session, now: dt.datetime, settings: EscalationSettings) -> int:
    """Raise every open alert to the level it has reached by `now`, recording each step once; flushes."""
    raised = 0
    alerts = session.scalars(select(Alert).where(Alert.status.in_(OPEN_ALERT_STATUSES),
                                                 Alert.escalation_level < MAX_LEVEL).order_by(Alert.id))
    for alert in list(alerts):
        target = due_level(alert, now, settings)
        before = alert.escalation_level or 0
        if target <= before:
            continue
        # Only the host whose UPDATE changes the row records the step (another may have done it already).
        won = session.execute(update(Alert).where(Alert.id == alert.id, Alert.escalation_level == before)
                              .values(escalation_level=target, escalated_at=now)
                              .execution_options(synchronize_session=False)).rowcount == 1
        if not won:
            continue
        session.refresh(alert, ["escalation_level", "escalated_at"])
        why = due_at(alert, target, settings)[1]
        reason = f"{why} after {(now - alert.created_at).days} days"
        record(session, alert, None, "escalated", f"to the {LEVEL_NAMES[target]} ({reason})", at=now)
        raised += 1
    session.flush()
    return raised


def _chain(session: Session, team: Team) -> list[Team]:
    """The team and its ancestors, the team first (guarded against a cycle)."""
    chain, seen = [], set()
    while team is not None and team.id not in seen:
        chain.append(team)
        seen.add(team.id)
        team = team.parent
    return chain


def _first_lead(teams: list[Team]) -> Person | None:
    for team in teams:
        lead = team.lead
        if lead is not None and lead.active and lead.role in STAFF_ROLES:
            return lead
    return None


def recipients(session: Session, alert: Alert, level: int) -> list[Person]:
    """Who is mailed at a level: the owning team's lead, the department head, or every active executive."""
    if level >= 2:
        return list(session.scalars(select(Person).where(Person.role == "executive", Person.active.is_(True))
                                    .order_by(Person.id)))
    chain = _chain(session, alert.team)
    if level == 1:
        # The department: the ancestor just below the root (the team itself when it is the root or a department).
        index = max(0, len(chain) - 2)
        chain = chain[index:]
    lead = _first_lead(chain)
    return [lead] if lead is not None else []


def department_of(session: Session, team: Team) -> Team:
    """The team's department: its ancestor just below the organisation's root (itself at the top)."""
    chain = _chain(session, team)
    return chain[max(0, len(chain) - 2)]
