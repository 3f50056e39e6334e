"""Goals, actions and participation in a digest, each scoped and suppressed as its own page does it:
goals as /goals (goal_progress), actions and their measured effects as /actions (action_effects, the
service webapp/actions/effects.py calls), participation of open waves as the participation report."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.actions.scope import Scope, visible
from surveys.goals import service as goals
from surveys.insights import action_effects, goal_progress, participation
from surveys.models import OPEN_STATUSES, Action, Program, Wave

EFFECTS = 5


@dataclass(frozen=True)
class GoalLine:
    """A goal's latest value against its target, as the goals page shows it."""

    label: str
    unit: str
    target: float
    value: float | None
    n: int | None
    low: float | None
    high: float | None
    period: str
    status: str
    status_text: str
    due_on: dt.date
    overdue: bool
    suppressed: bool


def goal_lines(session: Session, scope: Scope, k: int, day: dt.date, confidence: float = 0.95
               ) -> tuple[GoalLine, ...]:
    """The open goals the reader may read (a team lead: theirs, their units' above and the organisation's)."""
    if scope.everything:
        rows = goals.list_goals(session)
    else:
        rows = goals.list_goals(session, goals.relevant_team_ids(session, scope.team_ids))
    out = []
    for p in goal_progress.progress(session, rows, k, confidence, day, when_set=False):
        out.append(GoalLine(p.label, p.unit_name, p.goal.target, p.now.value, p.now.n, p.now.low, p.now.high,
                            p.now.period, p.status, p.status_text, p.goal.due_on, p.overdue, p.now.suppressed))
    return tuple(out)


@dataclass(frozen=True)
class EffectLine:
    """An action's measured effect (or why there is none yet)."""

    action_id: int
    title: str
    status: str
    verdict: str
    sentence: str
    effect: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ActionProgress:
    """Counts of the actions in scope and the measured effects of the ones finished or measured lately."""

    open: int
    overdue: int
    started: int        # created in the period
    completed: int      # marked done in the period (its last change falls in the period)
    effects: tuple[EffectLine, ...]

    @property
    def empty(self) -> bool:
        """True when the reader has no actions at all to hear about."""
        return not (self.open or self.started or self.completed or self.effects)


def action_progress(session: Session, scope: Scope, start: dt.date, end: dt.date, k: int,
                    confidence: float = 0.95) -> ActionProgress:
    """What moved among the reader's actions in [start, end], and the measured effects of done actions."""
    actions = list(session.scalars(select(Action).where(visible(scope)).options(selectinload(Action.teams))))
    first = dt.datetime.combine(start, dt.time())
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    still_open = [a for a in actions if a.status in OPEN_STATUSES]
    overdue = sum(1 for a in still_open if a.due_on is not None and a.due_on < end)
    started = sum(1 for a in actions if a.created_at and first <= a.created_at < after)
    done = [a for a in actions if a.status == "done"]
    completed = sum(1 for a in done if a.updated_at and first <= a.updated_at < after)
    # Effects of finished actions, latest first: the ones a reader wants to know worked.
    done.sort(key=lambda a: (a.updated_at or dt.datetime.min, a.id), reverse=True)
    measured = action_effects.measure(session, done, k, confidence) if done else {}
    lines = [EffectLine(a.id, a.title, a.status, m.verdict, m.sentence, m.effect, m.low, m.high)
             for a in done if (m := measured.get(a.id)) is not None and m.status == "measured"]
    return ActionProgress(len(still_open), overdue, started, completed, tuple(lines[:EFFECTS]))


@dataclass(frozen=True)
class WaveParticipation:
    """An open employee wave's response rate over the teams shown (hidden teams left out, as on the page)."""

    program: str
    wave: str
    closes: dt.date
    invited: int           # invitations of the visible teams in scope
    responded: int
    rate: float | None     # percent
    hidden_teams: int      # teams in scope whose counts are withheld
    teams: tuple[tuple[str, int, int | None, float | None], ...]  # (team, invited, responded, rate %) in scope


def open_waves(session: Session, scope: Scope, k: int) -> tuple[WaveParticipation, ...]:
    """Participation of every open employee wave: the whole wave for HR and executives, a lead's teams only."""
    waves = session.scalars(select(Wave).join(Program, Program.id == Wave.program_id)
                            .where(Wave.status == "open", Program.audience == "employee")
                            .order_by(Wave.closes_at, Wave.id)).all()
    out = []
    for wave in waves:
        report = participation.team_participation(session, wave.id, k)
        rows = [t for t in report.teams if scope.everything or (t.team_id is not None and t.team_id in scope.team_ids)]
        if not rows:
            continue
        shown = [t for t in rows if not t.hidden]
        invited, responded = sum(t.invited for t in shown), sum(t.responded for t in shown)
        # The rate is the page's own figure (rates of the shown teams, summed as the page sums them).
        rate = (100 * report.shown_rate if report.shown_rate is not None else None) if scope.everything else (
            100 * responded / invited if invited else None)
        if scope.everything:
            invited, responded = report.shown_invited, report.shown_responded
        teams = tuple((t.team, t.invited, t.responded, None if t.rate is None else round(100 * t.rate, 1))
                      for t in rows) if not scope.everything else ()
        out.append(WaveParticipation(report.program, report.label, wave.closes_at.date(), invited, responded,
                                     None if rate is None else round(rate, 1), len(rows) - len(shown), teams))
    return tuple(out)
