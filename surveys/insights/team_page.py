"""A team's page, computed in one place for `/teams/<code>`: its latest closed wave's results against the
organisation, its parent unit and its previous wave (team_results), the customer outcomes of the
touchpoints it owns, its comments, actions and goals (team_sections), and its focus areas (focus).

Who may open which team is decided here too (`find_team`): a team lead any team in their subtree,
executives and HR any team; every other code is "not found", exactly like a code that does not exist.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.focus import FocusArea
from surveys.insights import focus, team_sections
from surveys.insights.figures import ParamError
from surveys.insights.reports.common import TeamNode, Tree, program_waves, resolve_program
from surveys.insights.reports.params import ReportSettings, Scope
from surveys.insights.team_results import Results, ancestors, results
from surveys.models import Program, Wave


@dataclass(frozen=True)
class TeamPage:
    """Everything `/teams/<code>` shows; `results` is None before any wave of the program has closed."""

    team: TeamNode
    path: tuple[TeamNode, ...]  # the units above the team, the top one first
    program: Program | None
    results: Results | None
    customers: tuple[team_sections.CxTrend, ...]
    comments: team_sections.TeamComments | None
    actions: tuple[team_sections.ActionRow, ...]
    goals: tuple[team_sections.GoalRow, ...]
    focus: tuple[FocusArea, ...]
    focus_note: str
    message: str | None  # why there are no results
    settings: ReportSettings


def find_team(tree: Tree, code: str, scope: Scope) -> TeamNode | None:
    """The team with this code if the reader may open it, else None (missing and forbidden look the same)."""
    node = tree.by_code.get(code)
    if node is None or not scope.allows(node.id):
        return None
    return node


def main_program(session: Session) -> Program | None:
    """The main employee program (the one with the most responses), None when there is none."""
    return _closed(session)[0]


def _closed(session: Session) -> tuple[Program | None, Wave | None, Wave | None]:
    """(the main employee program, its latest closed wave, the wave before that), Nones when missing."""
    try:
        program = resolve_program(session, None)
    except ParamError:
        return None, None, None
    waves = program_waves(session, program)
    closed = [i for i, w in enumerate(waves) if w.status == "closed"]
    if not closed:
        return program, None, None
    i = closed[-1]
    return program, waves[i], waves[i - 1] if i > 0 else None


def build(session: Session, tree: Tree, team: TeamNode, settings: ReportSettings, today: dt.date,
          with_focus: bool = True, leverage: focus.OrgLeverage | None = None) -> TeamPage:
    """The team page of `team` (already checked against the reader's scope by `find_team`).

    `leverage` is the organisation-wide leverage of the focus areas when the caller has it (the web
    view keeps it in the report cache: it is the same for every team); computed here otherwise.
    """
    path = ancestors(tree, team.id)
    goals = team_sections.team_goals(session, tree, team.id, path, settings.min_group_size)
    actions = team_sections.team_actions(session, tree, team.id, today)
    program, wave, prev = _closed(session)
    nodes = tuple(tree.nodes[a] for a in reversed(path))
    if wave is None:
        message = "No employee survey wave has closed yet, so there are no results to show."
        return TeamPage(team, nodes, program, None, (), None, actions, goals, (), "", message, settings)
    res = results(session, tree, team.id, wave, prev, settings.min_group_size, settings.confidence)
    cx = team_sections.customers(session, tree, team.id, settings.min_group_size, settings.confidence)
    talk = team_sections.team_comments(session, tree, team.id, wave, settings.min_comment_group_size)
    areas, note = (), ""
    if not res.is_team:
        note = f"No focus areas are suggested for {team.name}: its own results are not shown."
    elif with_focus:
        lev = leverage or focus.org_leverage(session, program.code, settings)
        areas = focus.suggest(res, goals, lev)
        note = lev.note if areas else \
            f"{team.name} is not below the organisation (or its goals) on any factor. {lev.note}"
    return TeamPage(team, nodes, program, res, cx, talk, actions, goals, areas, note, None, settings)
