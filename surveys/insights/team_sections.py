"""A team page's other sections: the customer outcomes of the touchpoints the team owns over the last waves'
customer periods, its comments (only from comment groups at the comment threshold), its actions and the
goals that apply to it."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from analysis.summaries import difference, estimate
from surveys.goals.metrics import metric_info
from surveys.insights import comments, datasets, goal_progress, metric_values
from surveys.insights.reports.cells import hidden_for
from surveys.insights.reports.common import Tree, add_up, customer_sums
from surveys.models import Action, Goal, Wave, action_teams

CX_LABELS = {"csat": "CSAT (% satisfied)", "nps": "NPS", "ces": "CES (mean, 1-7)"}
TREND_WAVES = 4
COMMENTS_PER_QUESTION = 20


def _r(x, digits=1):
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


@dataclass(frozen=True)
class CxPoint:
    """One customer period of a metric: value, n, interval and the change since the period before."""

    period: str
    dates: str
    value: float | None
    n: int | None
    low: float | None
    high: float | None
    suppressed: bool
    change: float | None = None
    change_low: float | None = None
    change_high: float | None = None
    significant: bool = False


@dataclass(frozen=True)
class CxTrend:
    """A customer metric of the team's touchpoints over the last waves' customer periods, oldest first."""

    metric: str
    label: str
    points: tuple[CxPoint, ...]


def customers(session: Session, tree: Tree, team_id: int, k: int, confidence: float = 0.95,
              waves: list[datasets.ExWave] | None = None) -> tuple[CxTrend, ...]:
    """CSAT, NPS and CES of the touchpoints owned in the team's subtree, per paired customer period.

    A period is hidden below k answers or where the heatmap's suppression of customer outcomes hides the
    team; a change is shown only between two shown periods. Metrics nobody answered are left out.
    """
    waves = (metric_values.closed_waves(session) if waves is None else waves)[-TREND_WAVES:]
    teams = tree.subtree(team_id)
    out = []
    frame = datasets.team_customer_outcomes(session, waves) if waves else None  # read once for all three
    every = {} if frame is None else {
        (int(r.wave), int(r.team_id), r.metric): customer_sums(r.metric, r.n, r.top2, r.prom, r.det, r.mean,
                                                               r.mean_sq, r.net_sq)
        for r in frame.itertuples(index=False) if r.metric in CX_LABELS}
    inside = set(teams)
    for metric, label in CX_LABELS.items():
        sums = {key: s for key, s in every.items() if key[2] == metric}
        if not any(t in inside for (_w, t, _m) in sums):
            continue
        digits = 2 if metric == "ces" else 1
        points, last = [], None
        for wave in waves:
            dates = f"{wave.period_start:%d %b %Y} to {wave.period_end - dt.timedelta(days=1):%d %b %Y}"
            total = add_up(sums, wave.index, teams, metric)
            if total is None or total.n < k or team_id in hidden_for(tree, sums, wave.index, metric, k, True):
                points.append(CxPoint(wave.label, dates, None, None, None, None, True))
                last = None
                continue
            est = estimate(total, confidence)
            change = difference(total, last, confidence) if last is not None else None
            points.append(CxPoint(wave.label, dates, _r(est.value, digits), int(est.n), _r(est.ci_low, digits),
                                  _r(est.ci_high, digits), False,
                                  *((_r(change.change, digits), _r(change.ci_low, digits),
                                     _r(change.ci_high, digits), bool(change.significant)) if change else ())))
            last = total
        out.append(CxTrend(metric, label, tuple(points)))
    return tuple(out)


@dataclass(frozen=True)
class TeamComments:
    """The team's comments in one wave, or why there are none to show."""

    shown: bool
    note: str
    questions: tuple[comments.QuestionComments, ...] = ()
    respondents: int | None = None


def team_comments(session: Session, tree: Tree, team_id: int, wave: Wave, min_comment_group_size: int,
                  limit: int = COMMENTS_PER_QUESTION) -> TeamComments:
    """A random sample of the comments of the comment groups in the team's subtree (as the comments
    report shows them for this team), or a note when no group there reaches the comment threshold."""
    k = max(min_comment_group_size, wave.min_comment_group_size)
    groups = comments.comment_groups(tree, comments.respondents(session, wave.id), k)
    homes = groups.homes_in(tree.subtree(team_id))
    name = tree.nodes[team_id].name
    if not homes:
        return TeamComments(False, f"Comments are shown for groups of at least {k} respondents; fewer than {k} "
                                   f"people in {name} answered in {wave.label}, so their comments appear only "
                                   "pooled with a larger unit's in the comments report.")
    questions = tuple(comments.sample(session, wave.id, groups.teams_of(homes), None, limit))
    n = sum(groups.size[h] for h in homes)
    note = (f"Up to {limit} comments per question from {name} in {wave.label}, in a random order that changes on "
            f"every visit ({n} respondents; shown because at least {k} answered).")
    return TeamComments(True, note, questions, n)


@dataclass(frozen=True)
class ActionRow:
    """An action on the team or a team below it."""

    id: int
    title: str
    status: str
    metric: str
    percent: int | None
    due_on: dt.date | None
    overdue: bool
    teams: str


def team_actions(session: Session, tree: Tree, team_id: int, today: dt.date) -> tuple[ActionRow, ...]:
    """Actions whose teams include the team or a team in its subtree; open ones first, by due date."""
    ids = tree.subtree(team_id)
    stmt = (select(Action).where(Action.id.in_(select(action_teams.c.action_id)
                                               .where(action_teams.c.team_id.in_(ids))))
            .options(selectinload(Action.teams), selectinload(Action.steps)))
    rows = [ActionRow(a.id, a.title, a.status, a.metric, a.percent_complete, a.due_on, a.is_overdue(today),
                      ", ".join(t.name for t in a.teams)) for a in session.scalars(stmt)]
    closed = ("done", "abandoned")
    return tuple(sorted(rows, key=lambda a: (a.status in closed, a.due_on or dt.date.max, a.title)))


@dataclass(frozen=True)
class GoalRow:
    """A goal that applies to the team (set on it, a unit above it, or the organisation) and its latest value."""

    id: int
    metric: str
    label: str
    unit: str
    target: float
    due_on: dt.date
    latest: metric_values.MetricValue
    status: str = ""  # the goal's progress in a sentence (goal_progress.status_text)


def team_goals(session: Session, tree: Tree, team_id: int, path: list[int], k: int) -> tuple[GoalRow, ...]:
    """Goals on the team, its ancestors (`path`, nearest first) or the organisation, nearest unit first;
    each with the latest value of its unit (the goal's team subtree, or the organisation)."""
    units = [team_id] + path
    goals = list(session.scalars(select(Goal).where(Goal.archived.is_(False),
                                                    or_(Goal.team_id.in_(units), Goal.team_id.is_(None)))))
    rank = {u: i for i, u in enumerate(units)}
    goals.sort(key=lambda g: (rank.get(g.team_id, len(units)), g.due_on, g.metric))
    # goal_progress hides a value the way the dashboard does (whole-tree suppression), so a goal's unit never
    # gives away a hidden sibling by subtraction.
    out = []
    for p in goal_progress.progress(session, goals, k, when_set=False):
        unit = "the organisation" if p.goal.team_id is None else p.unit_name
        out.append(GoalRow(p.goal.id, p.goal.metric, p.label, unit, p.goal.target, p.goal.due_on, p.now,
                           p.status_text))
    return tuple(out)
