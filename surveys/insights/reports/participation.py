"""Participation report: response rate per team for one wave, small counts hidden (see insights.participation)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from surveys.insights import participation
import pandas as pd

from analysis.charts import figure_bars
from surveys.insights.figures import Chart, Figure, Report, hidden
from surveys.insights.reports.common import (ReportParams, ReportSettings, Scope, Tree, program_waves,
                                             resolve_program, resolve_unit, resolve_wave)


def build(session: Session, params: ReportParams, scope: Scope, settings: ReportSettings) -> Report:
    """Invited, answered and response rate per team of the wave (the user's subtree for a team lead)."""
    program = resolve_program(session, params.program)
    wave = resolve_wave(program_waves(session, program), params.wave)
    tree = Tree(session)
    unit = resolve_unit(tree, params.unit, scope)
    allowed = set(tree.order if unit is None else tree.subtree(unit))
    rep = participation.team_participation(session, wave.id, settings.min_group_size)
    figures = []
    rank = {tid: i for i, tid in enumerate(tree.order)}
    for t in sorted(rep.teams, key=lambda t: rank.get(t.team_id, len(rank))):
        if t.team_id is None or t.team_id not in allowed:
            continue
        code = tree.nodes[t.team_id].code
        if t.hidden:
            figures.append(hidden(code, t.team, "response_rate", wave.label, ("invited", "answered")))
        else:
            figures.append(Figure(code, t.team, "response_rate", round(100 * t.rate, 1), t.invited,
                                  period=wave.label, extra=(("invited", t.invited), ("answered", t.responded))))
    notes = (f"Teams with fewer than {rep.min_group_size} answers are hidden, and so is one more team where "
             "a hidden count could otherwise be worked out from the total.",
             "n is the number of people invited; the rate counts answers released into the results.")
    shown = pd.DataFrame([(f.unit_name, f.value) for f in figures if not f.suppressed], columns=["team", "rate"])
    charts = ()
    if len(shown):
        charts = (Chart("rates", figure_bars(shown, "team", "rate", "Response rate (%)"),
                        f"Response rate by team, wave {wave.label}: {len(shown)} teams shown, "
                        f"{len(figures) - len(shown)} hidden."),)
    params_out = {"program": program.code, "wave": wave.label, "unit": params.unit or None}
    return Report("participation", "Participation", params_out, tuple(figures), notes, charts,
                  context={"program": program, "wave": wave}, threshold=rep.min_group_size)
