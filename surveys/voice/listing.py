"""Who sees which follow-up case, and the filtered list of cases (/cases)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from surveys.db import parse_id
from surveys.errors import NotFound
from surveys.models import (
    OPEN_CASE_STATUSES, Answer, CustomerContact, FollowUpCase, Question, Response, Team,
)
from surveys.org import hierarchy

EVERYTHING = ("hr_admin", "executive")
STATUS_FILTERS = ("open", "overdue", "closed", "all")
PER_PAGE = 100


@dataclass(frozen=True)
class CaseScope:
    """A staff member's reach over cases: HR and executives every case, a team lead their teams' (subtree)."""

    team_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.team_ids is None

    def covers(self, team_id: int) -> bool:
        return self.team_ids is None or team_id in self.team_ids


def scope_for(session: Session, person_id: int, role: str, team_id: int | None) -> CaseScope:
    """The case scope of a signed-in staff member."""
    if role in EVERYTHING:
        return CaseScope(None)
    if role == "team_lead":
        return CaseScope(frozenset(hierarchy.lead_scope(session, person_id, team_id)))
    return CaseScope(frozenset())


def get_case(session: Session, case_id, scope: CaseScope) -> FollowUpCase:
    """The case, or NotFound when it does not exist or lies outside the scope (the same answer for both)."""
    key = parse_id(case_id)
    case = session.get(FollowUpCase, key) if key is not None else None
    if case is None or not scope.covers(case.team_id):
        raise NotFound("There is no such follow-up case, or it belongs to a team that is not yours.")
    return case


@dataclass(frozen=True)
class CaseFilters:
    status: str = "open"
    team: Team | None = None
    page: int = 1
    errors: tuple[str, ...] = ()


def parse_filters(session: Session, scope: CaseScope, args: Mapping[str, str]) -> CaseFilters:
    """Filters from query arguments; a bad value is dropped and named in `errors`."""
    errors: list[str] = []
    status = (args.get("status") or "open").strip().lower()
    if status not in STATUS_FILTERS:
        errors.append(f"Status '{status[:30]}' is not one of {', '.join(STATUS_FILTERS)}; open cases are shown.")
        status = "open"
    team = None
    code = (args.get("team") or "").strip()
    if code:
        team = session.scalar(select(Team).where(Team.code == code))
        if team is None or not (scope.everything or set(hierarchy.team_scope(session, team.id)) & scope.team_ids):
            errors.append(f"There is no team '{code[:40]}' among your teams; that filter is ignored.")
            team = None
    raw = (args.get("page") or "1").strip()
    page = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= 100_000 else None
    if page is None:
        errors.append(f"Page '{raw[:20]}' is not a page number; the first page is shown.")
    return CaseFilters(status, team, page or 1, tuple(errors))


def _where(session: Session, scope: CaseScope, f: CaseFilters, now: dt.datetime) -> list:
    c = FollowUpCase
    where = []
    if not scope.everything:
        where.append(c.team_id.in_(sorted(scope.team_ids)))
    if f.team is not None:
        where.append(c.team_id.in_(hierarchy.team_scope(session, f.team.id)))
    if f.status == "open":
        where.append(c.status.in_(OPEN_CASE_STATUSES))
    elif f.status == "overdue":
        where += [c.status.in_(OPEN_CASE_STATUSES), c.due_at < now]
    elif f.status == "closed":
        where.append(c.status == "closed")
    return where


def list_cases(session: Session, scope: CaseScope, f: CaseFilters, now: dt.datetime
               ) -> tuple[list[FollowUpCase], int]:
    """A page of cases (due first, for open ones; newest closed first) and how many match."""
    where = _where(session, scope, f, now)
    c = FollowUpCase
    total = session.scalar(select(func.count()).select_from(c).where(*where))
    order = (c.closed_at.desc(), c.id.desc()) if f.status == "closed" else (c.due_at, c.id)
    rows = list(session.scalars(select(c).where(*where).order_by(*order).limit(PER_PAGE)
                                .offset((f.page - 1) * PER_PAGE)
                                .options(selectinload(c.team), selectinload(c.touchpoint))))
    return rows, total


def counts(session: Session, scope: CaseScope, now: dt.datetime) -> dict[str, int]:
    """How many cases in the scope are open, overdue and closed."""
    base = CaseFilters()
    return {status: session.scalar(select(func.count()).select_from(FollowUpCase)
                                   .where(*_where(session, scope, CaseFilters(status, base.team), now)))
            for status in ("open", "overdue", "closed")}


def teams_in(session: Session, scope: CaseScope) -> list[Team]:
    """Teams owning a touchpoint, within the scope, by name (for the filter)."""
    teams = session.scalars(select(Team).where(Team.id.in_(select(FollowUpCase.team_id).distinct()))
                            .order_by(Team.name))
    return [t for t in teams if scope.covers(t.id)]


@dataclass(frozen=True)
class Feedback:
    """What the customer said in the response behind a case."""

    day: dt.date | None
    channel: str
    source: str
    answers: tuple[tuple[str, str], ...]  # (question text, answer) in question order


def feedback_of(session: Session, response_id: int) -> Feedback:
    """The response behind a case: its day, channel, origin and answers."""
    response = session.get(Response, response_id)
    if response is None:
        return Feedback(None, "", "", ())
    rows = session.execute(select(Question.text, Answer.value, Answer.text)
                           .join(Question, Question.id == Answer.question_id)
                           .where(Answer.response_id == response_id).order_by(Question.position)).all()
    answers = tuple((q, text if text is not None else str(value)) for q, value, text in rows)
    return Feedback(response.submitted_on, response.channel or "", response.source, answers)


def contact_of(session: Session, response_id: int) -> CustomerContact | None:
    """The contact row of a case's response (None once erased)."""
    return session.get(CustomerContact, response_id)
