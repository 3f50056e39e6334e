"""Comments report: employees' open-text answers of one wave, only from groups at or above the comment
threshold (see insights.comments), searchable, in random order, with no date finer than the wave.

Its figures are the comment counts per unit (hidden where no group large enough lies below the unit);
the texts are in `context` only, so no export, JSON or `tandem report comments` ever carries them.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from surveys.insights import comments
from surveys.insights.figures import Figure, ParamError, Report, hidden
from surveys.insights.reports.common import (ReportParams, ReportSettings, Scope, Tree, program_waves,
                                             resolve_program, resolve_unit, resolve_wave, unit_label)

DEFAULT_LIMIT = 100


def _limit(params: ReportParams) -> int:
    raw = params.option("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= comments.MAX_SAMPLE:
        raise ParamError("limit", f"limit must be a whole number from 1 to {comments.MAX_SAMPLE}, not '{raw}'.")
    return int(raw)


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """Comment counts per unit and a random sample of the comments of the chosen unit's large groups."""
    program = resolve_program(session, params.program)
    wave = resolve_wave(program_waves(session, program), params.wave)
    tree = Tree(session)
    unit = resolve_unit(tree, params.unit, scope)
    q = (params.option("q") or "").strip() or None
    limit = _limit(params)
    k = max(settings.min_comment_group_size, wave.min_comment_group_size)
    groups = comments.comment_groups(tree, comments.respondents(session, wave.id), k)
    units = tree.order if unit is None else tree.subtree(unit)
    homes = groups.homes_in(units)
    shown_teams = groups.teams_of(homes)
    per_team = comments.counts_per_team(session, wave.id, shown_teams, q)
    per_home = {h: sum(per_team.get(t, 0) for t in groups.members[h]) for h in homes}

    def unit_figure(team_id: int | None) -> Figure:
        code, name = unit_label(tree, team_id)
        inside = homes if team_id is None else groups.homes_in(tree.subtree(team_id))
        if not inside:
            return hidden(code, name, "comments", wave.label)
        return Figure(code, name, "comments", float(sum(per_home[h] for h in inside)),
                      sum(groups.size[h] for h in inside), period=wave.label)

    figures = [unit_figure(unit)] + [unit_figure(t) for t in units if t != unit]
    questions = comments.sample(session, wave.id, shown_teams, q, limit)
    code, name = unit_label(tree, unit)
    notes = (f"Comments are shown only for groups of at least {k} respondents (the comment threshold). A smaller "
             "team's comments are pooled with its parent team's, and appear only where that pool is large enough.",
             "Comments appear in a random order, different on every visit, and carry no date finer than the wave.",
             "n is the number of respondents in the groups whose comments are counted; the value is the number "
             "of comments (matching the search, if any).")
    params_out = {"program": program.code, "wave": wave.label, "unit": params.unit or None, "q": q, "limit": limit}
    context = {"program": program, "wave": wave, "unit_name": name, "unit_code": code, "questions": questions,
               "q": q, "limit": limit, "depth": {t: tree.nodes[t].depth for t in units}}
    return Report("comments", "Comments", params_out, tuple(figures), notes, context=context, threshold=k)
