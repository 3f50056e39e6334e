"""The alerts a scope may see, filtered by department, team, touchpoint and status; ordered by severity and
age; and the touchpoint map of the command centre (every touchpoint by channel, coloured by its alerts)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.actions.listing import departments
from surveys.alerts.access import Scope, visible
from surveys.models import ALERT_STATUSES, CHANNELS, OPEN_ALERT_STATUSES, SEVERITIES, Alert, Team, Touchpoint
from surveys.org import hierarchy

# Besides the five statuses: "open" (new, acknowledged or action planned) and "all".
STATUS_FILTERS = ("open", *ALERT_STATUSES, "all")
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Filters:
    """The list's filters; None means not filtered (status defaults to open)."""

    department: Team | None = None
    team: Team | None = None
    touchpoint: Touchpoint | None = None
    status: str = "open"
    errors: tuple[str, ...] = field(default=())

    def args(self) -> dict[str, str]:
        """The filters as query arguments, for links that keep them."""
        out = {"department": self.department.code if self.department else None,
               "team": self.team.code if self.team else None,
               "touchpoint": self.touchpoint.code if self.touchpoint else None,
               "status": None if self.status == "open" else self.status}
        return {k: v for k, v in out.items() if v}


def _reaches(session: Session, scope: Scope, team: Team) -> bool:
    return scope.everything or bool(set(hierarchy.team_scope(session, team.id)) & scope.team_ids)


def visible_departments(session: Session, scope: Scope) -> list[Team]:
    """The departments with at least one team in the scope."""
    return [d for d in departments(session) if _reaches(session, scope, d)]


def parse_filters(session: Session, scope: Scope, args: Mapping[str, str]) -> Filters:
    """Filters from query arguments; a bad value is dropped and named in `errors`."""
    errors: list[str] = []

    def team_arg(name: str) -> Team | None:
        code = (args.get(name) or "").strip()
        if not code:
            return None
        team = session.scalar(select(Team).where(Team.code == code))
        if team is None or not _reaches(session, scope, team):
            errors.append(f"There is no {name} '{code}' among your teams; that filter is ignored.")
            return None
        return team

    department, team = team_arg("department"), team_arg("team")
    touchpoint = None
    code = (args.get("touchpoint") or "").strip()
    if code:
        touchpoint = session.scalar(select(Touchpoint).where(Touchpoint.code == code))
        if touchpoint is None or not scope.covers(touchpoint.team_id):
            errors.append(f"There is no touchpoint '{code}' among your teams' touchpoints; that filter is ignored.")
            touchpoint = None
    status = (args.get("status") or "").strip().lower() or "open"
    if status not in STATUS_FILTERS:
        errors.append(f"Status '{status}' is not one of {', '.join(STATUS_FILTERS)}; open alerts are shown.")
        status = "open"
    return Filters(department, team, touchpoint, status, tuple(errors))


def alerts(session: Session, scope: Scope, filters: Filters, limit: int = 500) -> list[Alert]:
    """The alerts in scope that pass the filters: most severe first, then the oldest detection first."""
    stmt = select(Alert).where(visible(scope)).options(selectinload(Alert.touchpoint), selectinload(Alert.team))
    for team in (filters.department, filters.team):
        if team is not None:
            stmt = stmt.where(Alert.team_id.in_(hierarchy.team_scope(session, team.id)))
    if filters.touchpoint is not None:
        stmt = stmt.where(Alert.touchpoint_id == filters.touchpoint.id)
    if filters.status == "open":
        stmt = stmt.where(Alert.status.in_(OPEN_ALERT_STATUSES))
    elif filters.status != "all":
        stmt = stmt.where(Alert.status == filters.status)
    found = list(session.scalars(stmt.order_by(Alert.detected_on.desc(), Alert.id.desc()).limit(limit)))
    return sorted(found, key=lambda a: (a.status not in OPEN_ALERT_STATUSES, SEVERITY_ORDER.get(a.severity, 9),
                                        a.detected_on, a.id))


def age_days(alert: Alert, today: dt.date) -> int:
    """Days since the alert was detected."""
    return max(0, (today - alert.detected_on).days)


@dataclass(frozen=True)
class MapCell:
    """One touchpoint on the map: its state ("high": an open high-severity alert, "open": another open
    alert, "ok": none) and how many alerts are open."""

    touchpoint: Touchpoint
    state: str
    open_alerts: int


def touchpoint_map(session: Session, scope: Scope, filters: Filters) -> list[tuple[str, list[MapCell]]]:
    """Active touchpoints in scope (and in the department/team filters), grouped by channel."""
    stmt = select(Touchpoint).where(Touchpoint.active.is_(True))
    if not scope.everything:
        stmt = stmt.where(Touchpoint.team_id.in_(sorted(scope.team_ids)))
    for team in (filters.department, filters.team):
        if team is not None:
            stmt = stmt.where(Touchpoint.team_id.in_(hierarchy.team_scope(session, team.id)))
    touchpoints = list(session.scalars(stmt.order_by(Touchpoint.name)))
    open_rows = session.execute(select(Alert.touchpoint_id, Alert.severity)
                                .where(visible(scope), Alert.status.in_(OPEN_ALERT_STATUSES))).all()
    counts: dict[int, int] = {}
    high: set[int] = set()
    for tp_id, severity in open_rows:
        counts[tp_id] = counts.get(tp_id, 0) + 1
        if severity == "high":
            high.add(tp_id)
    groups: dict[str, list[MapCell]] = {}
    for tp in touchpoints:
        state = "high" if tp.id in high else "open" if counts.get(tp.id) else "ok"
        groups.setdefault(tp.channel, []).append(MapCell(tp, state, counts.get(tp.id, 0)))
    return [(channel, groups[channel]) for channel in CHANNELS if channel in groups]
