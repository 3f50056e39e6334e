"""What every report shares: its parameters, the user's scope, the settings, the team tree, and sums
read from the rollups (`analysis.summaries.Sums`) by wave, team and metric.

Sums are read per team in SQL (a few thousand rows at most) and added up per unit here: a unit's
figure is the sum over its subtree, so a department and the organisation are built from the very rows
its teams show. Nothing in this module applies the anonymity threshold; `figures.figure` does, when a
number is shown.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.metrics import EX_DIMENSIONS, NET_METRICS, SHARE_METRICS
from analysis.summaries import Sums
from surveys.insights.figures import ORG, ParamError
from surveys.insights.reports.params import COMPARISONS, ReportParams, ReportSettings, Scope  # noqa: F401
from surveys.models import Program, RollupDimension, RollupItem, RollupResponses, Team, Wave

EX_METRICS = EX_DIMENSIONS + ("enps",)


@dataclass(frozen=True)
class TeamNode:
    """A team in the tree, with its depth (0 for a root)."""

    id: int
    code: str
    name: str
    parent_id: int | None
    depth: int


class Tree:
    """The team hierarchy, loaded in one query: hierarchy order, subtrees and parents."""

    def __init__(self, session: Session):
        rows = session.execute(select(Team.id, Team.code, Team.name, Team.parent_id)).all()
        self.children: dict[int | None, list] = defaultdict(list)
        for row in sorted(rows, key=lambda r: r.name.lower()):
            self.children[row.parent_id].append(row)
        self.nodes: dict[int, TeamNode] = {}
        self.order: list[int] = []
        stack = [(row, 0) for row in reversed(self.children[None])]
        while stack:
            row, depth = stack.pop()
            self.nodes[row.id] = TeamNode(row.id, row.code, row.name, row.parent_id, depth)
            self.order.append(row.id)
            stack.extend((child, depth + 1) for child in reversed(self.children[row.id]))
        self.by_code = {n.code: n for n in self.nodes.values()}

    def subtree(self, team_id: int) -> list[int]:
        """The team and all its descendants, in hierarchy order."""
        out, stack = [], [team_id]
        while stack:
            tid = stack.pop()
            out.append(tid)
            stack.extend(reversed([c.id for c in self.children[tid]]))
        return out

    def roots(self, scope: Scope) -> list[int]:
        """Top teams of a scope: the organisation's roots, or the highest teams of a lead's subtree."""
        if scope.team_ids is None:
            return [r.id for r in self.children[None]]
        return [t for t in self.order if t in scope.team_ids and self.nodes[t].parent_id not in scope.team_ids]


def resolve_unit(tree: Tree, code: str | None, scope: Scope) -> int | None:
    """The team a `unit` parameter names (None: the whole organisation, for users who may see it).

    A team lead with no unit gets their own top team; a team outside the user's scope is refused
    exactly like a team that does not exist, so the message reveals nothing.
    """
    if not code or code == ORG:
        if scope.whole_org:
            return None
        roots = tree.roots(scope)
        if not roots:
            raise ParamError("unit", "You lead no team, so there is nothing to report.")
        return roots[0]
    node = tree.by_code.get(code)
    if node is None or not scope.allows(node.id):
        raise ParamError("unit", f"No team with code '{code}' that you may see.")
    return node.id


def unit_label(tree: Tree, team_id: int | None) -> tuple[str, str]:
    """(code, name) of a unit; the organisation is ('ORG', 'Organisation')."""
    if team_id is None:
        return ORG, "Organisation"
    node = tree.nodes[team_id]
    return node.code, node.name


def resolve_program(session: Session, code: str | None) -> Program:
    """The employee program a report is about: the one named, or the one with the most responses."""
    if code:
        program = session.scalar(select(Program).where(Program.code == code))
        if program is None or program.audience != "employee":
            raise ParamError("program", f"No employee program with code '{code}'.")
        return program
    counts = (select(Wave.program_id, func.sum(RollupResponses.n).label("n"))
              .join(RollupResponses, RollupResponses.wave_id == Wave.id).group_by(Wave.program_id).subquery())
    program = session.scalar(select(Program).outerjoin(counts, counts.c.program_id == Program.id)
                             .where(Program.audience == "employee")
                             .order_by(func.coalesce(counts.c.n, 0).desc(), Program.name).limit(1))
    if program is None:
        raise ParamError("program", "There is no employee program yet.")
    return program


def program_waves(session: Session, program: Program) -> list[Wave]:
    """The program's waves that have opened (not drafts), oldest first."""
    return list(session.scalars(select(Wave).where(Wave.program_id == program.id, Wave.status != "draft")
                                .order_by(Wave.opens_at, Wave.id)))


def resolve_wave(waves: list[Wave], label: str | None) -> Wave:
    """The wave a `wave` parameter names, or the latest closed wave (the latest open one if none closed)."""
    if label:
        for wave in waves:
            if wave.label == label:
                return wave
        raise ParamError("wave", f"No wave labelled '{label}' in this program.")
    closed = [w for w in waves if w.status == "closed"]
    if closed:
        return closed[-1]
    if waves:
        return waves[-1]
    raise ParamError("wave", "This program has no wave with answers yet.")


def previous_wave(waves: list[Wave], wave: Wave) -> Wave | None:
    """The wave before `wave` in the program, if any."""
    i = [w.id for w in waves].index(wave.id)
    return waves[i - 1] if i > 0 else None


def wave_context(session: Session, params: ReportParams) -> tuple[Program, list[Wave], Wave, Wave | None]:
    """(program, its opened waves oldest first, the wave asked for or the latest closed, the one before)."""
    program = resolve_program(session, params.program)
    waves = program_waves(session, program)
    wave = resolve_wave(waves, params.wave)
    return program, waves, wave, previous_wave(waves, wave)


def metric_kind(metric: str) -> tuple[str, float]:
    """(kind, scale) of a metric's Sums: shares and net scores in percent, means as they are."""
    if metric in SHARE_METRICS:
        return "share", 100.0
    if metric in NET_METRICS:
        return "net", 100.0
    return "mean", 1.0


TeamSums = dict[tuple[int, int, str], Sums]  # (wave_id, team_id, metric) -> Sums


def ex_sums(session: Session, wave_ids: list[int], metrics: Collection[str] = EX_METRICS) -> TeamSums:
    """Per wave, team and EX metric (the dimensions and eNPS; `metrics` only): respondent sums from
    rollup_dimensions.

    Dimensions: the mean of respondents' % favourable (0-100); eNPS: promoters minus detractors.
    """
    r = RollupDimension
    wanted = [m for m in EX_METRICS if m in metrics]
    rows = session.execute(select(r.wave_id, r.team_id, r.dimension, r.n_fav, r.fav_sum, r.fav_sq, r.n, r.prom,
                                  r.det, r.net_sq).where(r.wave_id.in_(wave_ids), r.dimension.in_(wanted)))
    out: TeamSums = {}
    for w, t, dim, n_fav, fav_sum, fav_sq, n, prom, det, net_sq in rows:
        if dim == "enps":
            if n:
                out[(w, t, dim)] = Sums("net", n, prom - det, net_sq, 100.0)
        elif n_fav:
            out[(w, t, dim)] = Sums("mean", n_fav, fav_sum, fav_sq, 1.0, (0.0, 100.0))
    return out


def item_sums(session: Session, wave_ids: list[int], question_ids: Collection[int] | None = None) -> TeamSums:
    """Per wave, team and question id (as a string 'q<id>'; of `question_ids` only, when given): the share of
    favourable answers."""
    r = RollupItem
    where = [r.wave_id.in_(wave_ids), r.n > 0]
    if question_ids is not None:
        where.append(r.question_id.in_(list(question_ids)))
    rows = session.execute(select(r.wave_id, r.team_id, r.question_id, r.n, r.favourable).where(*where))
    return {(w, t, f"q{q}"): Sums("share", n, fav, 0.0, 100.0) for w, t, q, n, fav in rows}


def add_up(sums: TeamSums, wave_id: int, team_ids: Iterable[int], metric: str) -> Sums | None:
    """The sums of a set of teams for one wave and metric (None when none of them has any)."""
    total = None
    for tid in team_ids:
        s = sums.get((wave_id, tid, metric))
        if s is not None:
            total = s if total is None else total + s
    return total


def unit_sums(sums: TeamSums, tree: Tree, wave_id: int, team_id: int | None, metric: str) -> Sums | None:
    """A unit's sums: its whole subtree (every team when `team_id` is None)."""
    teams = tree.order if team_id is None else tree.subtree(team_id)
    return add_up(sums, wave_id, teams, metric)


CES_BOUNDS = (1.0, 7.0)


def customer_sums(metric: str, n, top2, prom, det, mean, mean_sq, net_sq) -> Sums:
    """The Sums of a customer metric from the rollups' sums over respondents: CSAT the top-two share,
    NPS the net score, CES (1-7) and any other scored metric the mean of respondents' mean answers."""
    if metric == "csat":
        return Sums("share", n, top2, 0.0, 100.0)
    if metric == "nps":
        return Sums("net", n, prom - det, net_sq, 100.0)
    return Sums("mean", n, mean, mean_sq, 1.0, CES_BOUNDS if metric == "ces" else None)
