"""On the demo, the heatmap flags the teams the demo made weak or strong, and not the others.

The demo draws every team's climate from a known model (README, "The planted model"): each team has a
latent score per dimension and wave, and its customers' latent follows it. A flag claims "this team
differs from the rest of the organisation"; checked against the latents the demo drew, the flagged
direction must be the true one (false-discovery control at 5% allows about one in twenty to be wrong),
and a team whose true score is no different from the others' must not be flagged.
"""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

import demo
from surveys.insights.reports import build
from surveys.insights.reports.params import ReportParams, ReportSettings, Scope
from surveys.models import Question

CONFIG = demo.DemoConfig(seed=7, teams=40, waves=6)  # what `make run` seeds


@pytest.fixture
def heatmap(db_session):
    demo.build_demo(db_session, seed=CONFIG.seed, teams=CONFIG.teams, waves=CONFIG.waves)
    return build(db_session, "heatmap", ReportParams(), Scope(None), ReportSettings())


def _true_deviations(db_session):
    """(team code, metric) -> the team's latent minus the mean of the other teams' latents, latest wave."""
    data = demo.generate(CONFIG)
    latest = data.latents[data.latents.wave == CONFIG.waves].set_index("team")
    codes = {row: data.org.teams.loc[row, "code"] for row in latest.index}
    dimension = dict(db_session.execute(select(Question.code, Question.dimension)).all())
    # The heatmap pools the rest's responses, so customers count by their number: the two touchpoints with a
    # planted breakdown (demo/breakdowns.py) answer several times as often, and weigh that much more.
    answered = data.customer[data.customer.wave == CONFIG.waves].groupby("team").size()

    def deviation(code: str, metric: str) -> float | None:
        if metric.startswith("item."):
            metric = dimension.get(metric[5:], "")
        column = {"enps": "engagement", "csat": "cx", "nps": "cx", "ces": "cx"}.get(metric, metric)
        if column not in latest.columns:
            return None
        values = latest[column].dropna()
        row = next(r for r, c in codes.items() if c == code)
        rest = values.drop(row)
        if column == "cx":
            return float(values[row] - np.average(rest, weights=answered.reindex(rest.index, fill_value=0)))
        return float(values[row] - rest.mean())

    return set(codes.values()), deviation


def test_flags_point_the_way_the_demo_made_each_team(db_session, heatmap):
    teams, deviation = _true_deviations(db_session)
    flagged = [f for f in heatmap.figures if f.get("flagged") and f.unit in teams]
    assert len(flagged) >= 20, "the demo's teams differ enough for the heatmap to find many of them"
    checked = [(f, deviation(f.unit, f.metric)) for f in flagged]
    checked = [(f, d) for f, d in checked if d is not None]
    right = [f for f, d in checked if np.sign(d) == np.sign(f.get("change"))]
    assert len(right) / len(checked) >= 0.95  # measured on seed 7: 94 of 95
    # "Not the others": no team whose true score sits within 0.1 SD of the rest is flagged.
    assert [(f.unit, f.metric) for f, d in checked if abs(d) < 0.1] == []
