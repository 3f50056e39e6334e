"""compose(): one reader's digest of one period, every section scoped to what they may see.

HR and executives read the whole organisation; a team lead their teams (the subtree they lead) and the
touchpoints those teams own, as on the team page and /actions (surveys.actions.scope). Every section
degrades to an empty one when its table has no rows yet (no alerts, themes or cases).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.actions.scope import Scope, scope_for
from surveys.digests import breakdowns, cases, kpis, links, periods, progress, themes
from surveys.insights.reports.params import ReportSettings
from surveys.models import Person, Team


@dataclass(frozen=True)
class Digest:
    """Everything one digest says, for the page, the mail's HTML and text parts and the charts."""

    period: periods.Period
    previous: periods.Period
    reader: str
    role: str
    scope_label: str
    whole_org: bool
    kpis: tuple[kpis.KpiChange, ...]
    movers: tuple[kpis.KpiChange, ...]
    weekly: tuple[kpis.WeekPoint, ...]
    breakdowns: breakdowns.Breakdowns
    themes: tuple[themes.RisingTheme, ...]
    links: links.Links | None           # None for team leads: the linkage report is organisation-wide
    goals: tuple[progress.GoalLine, ...]
    actions: progress.ActionProgress
    participation: tuple[progress.WaveParticipation, ...]
    cases: cases.Cases
    min_group_size: int
    confidence: float

    @property
    def has_customer_data(self) -> bool:
        """True when any customer KPI has answers in the period."""
        return any(k.n for k in self.kpis)

    @property
    def subject(self) -> str:
        """The mail's subject line."""
        return f"Your {self.period.kind} digest: {self.period.label}"


def reader_scope(session: Session, person: Person | None) -> Scope:
    """What a person may see (None: the whole organisation, for a mail to an address that is no staff member)."""
    if person is None:
        return Scope(None, None)
    return scope_for(session, person.id, person.role, person.team_id)


def _scope_label(session: Session, scope: Scope) -> str:
    if scope.everything:
        return "the whole organisation"
    if not scope.team_ids:
        return "no teams"
    names = list(session.scalars(select(Team.name).where(Team.id.in_(sorted(scope.team_ids))).order_by(Team.name)))
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"your teams ({shown}) and the touchpoints they own"


def compose(session: Session, person: Person | None, kind: str, day: dt.date, *,
            settings: ReportSettings | None = None, latest_complete: bool = True,
            store_links: bool = True) -> Digest:
    """The digest of `kind` for `person`: the last complete period before `day` (or, with
    latest_complete=False, the period containing `day`). Reads only; flushes a report-cache entry for the
    linkage findings when `store_links` (otherwise it travels in digest.links.pending)."""
    settings = settings or ReportSettings()
    period = periods.last_complete(kind, day) if latest_complete else periods.containing(kind, day)
    scope = reader_scope(session, person)
    team_ids = None if scope.everything else scope.team_ids
    k, conf = settings.min_group_size, settings.confidence
    overall, movers = kpis.what_changed(session, period, team_ids, conf, k)
    return Digest(
        period=period, previous=period.previous(), reader=person.name if person else "",
        role=person.role if person else "executive", scope_label=_scope_label(session, scope),
        whole_org=scope.everything, kpis=overall, movers=movers, weekly=kpis.weekly(session, period, team_ids, conf),
        breakdowns=breakdowns.breakdowns(session, period, team_ids),
        themes=themes.rising(session, period, team_ids, conf),
        links=links.strongest(session, settings, store=store_links) if scope.everything else None,
        goals=progress.goal_lines(session, scope, k, period.end + dt.timedelta(days=1), conf),
        actions=progress.action_progress(session, scope, period.start, period.end, k, conf),
        participation=progress.open_waves(session, scope, k),
        cases=cases.cases(session, period, team_ids, conf),
        min_group_size=k, confidence=conf)
