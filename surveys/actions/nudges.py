"""Nudges: mail an action's owner when it is due soon, overdue or has had no update for a while, and every HR
admin a weekly summary of overdue actions; each exactly once, however many hosts run `tandem tick` at once.

A host claims a nudge by inserting its `Reminder` row (UNIQUE(kind, key), INSERT ... ON CONFLICT DO NOTHING),
commits the claim, sends, then sets sent_at. A failed send deletes the claim, so the next tick retries. A claim
left unsent for CLAIM_TIMEOUT (its host died between the claim and the send) is taken over: a mail may then
go out twice, never zero times. Keys say what a nudge is about, so a new due date or a new silent period
makes a new nudge:

    action_due_soon  action:<id>:due:<due date>
    action_overdue   action:<id>:overdue:<due date>
    action_stale     action:<id>:stale:<day the silent period ended>   (every stale_days without an update)
    hr_overdue       hr:<person id>:week:<ISO week, e.g. 2026-W49>
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import and_, delete, select, tuple_, update
from sqlalchemy.orm import Session

from surveys.fieldwork.invitations import insert_ignoring_duplicates
from surveys.models import OPEN_STATUSES, Action, Person, Reminder, Team, action_teams, utcnow

KINDS = ("action_due_soon", "action_overdue", "action_stale", "hr_overdue")
CLAIM_TIMEOUT = dt.timedelta(hours=1)
CHUNK = 200


@dataclass(frozen=True)
class NudgeSettings:
    """Which nudges to send: 0 days switches that kind off; `enabled` False switches every nudge off."""

    enabled: bool = True
    due_soon_days: int = 7
    stale_days: int = 30

    @classmethod
    def from_config(cls, config: Mapping) -> NudgeSettings:
        """The settings from the app's configuration (TANDEM_ACTION_* variables)."""
        return cls(enabled=bool(config.get("ACTION_NUDGES", True)),
                   due_soon_days=int(config.get("ACTION_DUE_SOON_DAYS", 7)),
                   stale_days=int(config.get("ACTION_STALE_DAYS", 30)))


@dataclass(frozen=True)
class ActionLine:
    """An open action as a nudge describes it."""

    id: int
    title: str
    teams: str
    due_on: dt.date | None
    status: str
    owner: str
    last_update: dt.date


@dataclass(frozen=True)
class Nudge:
    """One mail to send: its reminder kind and key, the recipient, and the action(s) it is about."""

    kind: str
    key: str
    recipient_id: int
    email: str
    name: str
    actions: tuple[ActionLine, ...]
    today: dt.date
    days: int = 0  # due soon: days left; overdue: days late; stale: days without an update
    every: int = 0  # stale: the next nudge comes after this many more days without an update
    claimed_at: dt.datetime | None = None  # set by claim(): fences release() on this host's own claim


def iso_week(day: dt.date) -> str:
    """The ISO week of a day as '2026-W49'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _open_actions(session: Session) -> list[tuple[ActionLine, int | None, str | None, str | None]]:
    """Open actions with their owner's id, email and name when the owner is active."""
    teams: dict[int, list[str]] = {}
    for action_id, code in session.execute(select(action_teams.c.action_id, Team.code)
                                           .join(Team, Team.id == action_teams.c.team_id)
                                           .join(Action, Action.id == action_teams.c.action_id)
                                           .where(Action.status.in_(OPEN_STATUSES)).order_by(Team.code)):
        teams.setdefault(action_id, []).append(code)
    rows = session.execute(
        select(Action.id, Action.title, Action.due_on, Action.status, Action.updated_at, Person.id, Person.email,
               Person.name, Person.active)
        .outerjoin(Person, Person.id == Action.owner_id)
        .where(Action.status.in_(OPEN_STATUSES)).order_by(Action.due_on, Action.id))
    out = []
    for aid, title, due_on, status, updated_at, pid, email, name, active in rows:
        line = ActionLine(aid, title, ", ".join(teams.get(aid, ())), due_on, status, name or "nobody",
                          updated_at.date())
        out.append((line, pid if active else None, email, name))
    return out


def due_nudges(session: Session, now: dt.datetime, settings: NudgeSettings) -> list[Nudge]:
    """Every nudge that should have gone out by `now`, sent already or not (claim() skips those)."""
    if not settings.enabled:
        return []
    today = now.date()
    nudges: list[Nudge] = []
    overdue: list[ActionLine] = []
    for line, owner_id, email, name in _open_actions(session):
        if line.due_on is not None and line.due_on < today:
            overdue.append(line)
        if owner_id is None:
            continue  # no active owner to nudge; HR's summary still lists it when overdue
        mail = {"recipient_id": owner_id, "email": email, "name": name, "actions": (line,), "today": today}
        if line.due_on is not None and line.due_on < today:
            nudges.append(Nudge("action_overdue", f"action:{line.id}:overdue:{line.due_on}",
                                days=(today - line.due_on).days, **mail))
        elif line.due_on is not None and settings.due_soon_days and \
                (line.due_on - today).days <= settings.due_soon_days:
            nudges.append(Nudge("action_due_soon", f"action:{line.id}:due:{line.due_on}",
                                days=(line.due_on - today).days, **mail))
        silent = (today - line.last_update).days
        if settings.stale_days and silent >= settings.stale_days:
            ended = line.last_update + dt.timedelta(days=silent // settings.stale_days * settings.stale_days)
            nudges.append(Nudge("action_stale", f"action:{line.id}:stale:{ended}", days=silent,
                                every=settings.stale_days, **mail))
    if overdue:
        week = iso_week(today)
        overdue.sort(key=lambda a: (a.due_on, a.id))
        for pid, email, name in session.execute(select(Person.id, Person.email, Person.name).where(
                Person.role == "hr_admin", Person.active.is_(True)).order_by(Person.id)):
            nudges.append(Nudge("hr_overdue", f"hr:{pid}:week:{week}", pid, email, name, tuple(overdue), today,
                                days=len(overdue)))
    return nudges


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def claim(session: Session, nudges: list[Nudge], wall: dt.datetime | None = None) -> list[Nudge]:
    """Claim the nudges no host has sent or is sending; the ones this host won, stamped. Flushes; commit next.

    Several hosts inserting the same (kind, key) at once: the database keeps one row, and only the host whose
    row it is gets it back from RETURNING.
    """
    wall = wall or utcnow()
    won: list[Nudge] = []
    for batch in _chunks(nudges):
        ids = [(n.kind, n.key) for n in batch]
        held = {(k, key): (rid, at, sent) for rid, k, key, at, sent in session.execute(
            select(Reminder.id, Reminder.kind, Reminder.key, Reminder.claimed_at, Reminder.sent_at)
            .where(tuple_(Reminder.kind, Reminder.key).in_(ids)))}
        fresh = [n for n in batch if (n.kind, n.key) not in held]
        if fresh:
            stmt = insert_ignoring_duplicates(session, Reminder.__table__).returning(Reminder.kind, Reminder.key)
            inserted = {tuple(r) for r in session.execute(stmt, [
                {"kind": n.kind, "key": n.key, "recipient_id": n.recipient_id, "claimed_at": wall} for n in fresh])}
            won += [_stamped(n, wall) for n in fresh if (n.kind, n.key) in inserted]
        for n in batch:
            rid, at, sent = held.get((n.kind, n.key), (None, None, None))
            if rid is None or sent is not None or at > wall - CLAIM_TIMEOUT:
                continue
            taken = session.execute(update(Reminder).where(Reminder.id == rid, Reminder.sent_at.is_(None),
                                                           Reminder.claimed_at == at)
                                    .values(claimed_at=wall).execution_options(synchronize_session=False))
            if taken.rowcount == 1:  # the host that claimed it stopped before sending or releasing
                won.append(_stamped(n, wall))
    session.flush()
    return won


def _stamped(nudge: Nudge, wall: dt.datetime) -> Nudge:
    return Nudge(**{**nudge.__dict__, "claimed_at": wall})


def _mine(nudge: Nudge):
    return and_(Reminder.kind == nudge.kind, Reminder.key == nudge.key, Reminder.sent_at.is_(None),
                Reminder.claimed_at == nudge.claimed_at)


def mark_sent(session: Session, nudge: Nudge, wall: dt.datetime | None = None) -> None:
    """Record that the nudge's mail went out; flushes."""
    session.execute(update(Reminder).where(Reminder.kind == nudge.kind, Reminder.key == nudge.key)
                    .values(sent_at=wall or utcnow()).execution_options(synchronize_session=False))


def release(session: Session, nudge: Nudge) -> None:
    """Give a claimed nudge back (its mail was not sent) so the next tick retries it; only this host's claim."""
    session.execute(delete(Reminder).where(_mine(nudge)).execution_options(synchronize_session=False))

