"""Root-cause hints on the team page's world: factors below the organisation from the nearest shown unit
(never a team held back by whole-tree suppression), comments of the drop period, theme growth."""
from __future__ import annotations

import datetime as dt
import json

from surveys.alerts import hints
from surveys.models.alerts import Alert
from tests.team_world import build_world


def _alert(db_session, make, team, metric="csat"):
    tp = make.touchpoint(team=team)
    alert = Alert(touchpoint_id=tp.id, team_id=team.id, metric=metric, kind="sudden_week",
                  began_on=dt.date(2026, 2, 1), detected_on=dt.date(2026, 2, 28), last_seen_on=dt.date(2026, 2, 28),
                  status="new", severity="high", open_key=f"{tp.id}:{metric}:sudden_week")
    db_session.add(alert)
    db_session.flush()
    return alert


def test_factors_come_from_the_team_when_shown(db_session, make):
    w = build_world(db_session, make)
    alert = _alert(db_session, make, w.b)
    hints.attach(db_session, [alert], min_group_size=5, min_teams=10)
    h = json.loads(alert.hints_json)
    assert set(h) == {"factors", "themes", "sentiment", "verbatims"}
    # Four teams are too few for the linkage report: factors below the organisation, linked_r null.
    process = next(f for f in h["factors"] if f["factor"] == "process")
    assert process["unit_name"] == "Beta" and process["gap"] < 0 and process["linked_r"] is None
    assert process["low"] <= process["gap"] <= process["high"] and process["n"] == 7
    assert all(f["gap"] < 0 for f in h["factors"])


def test_a_team_held_back_gives_its_nearest_shown_unit(db_session, make):
    w = build_world(db_session, make)
    for team in (w.a, w.c):  # A: held back so that C cannot be worked out; C: below k
        alert = _alert(db_session, make, team)
        hints.attach(db_session, [alert], min_group_size=5, min_teams=10)
        factors = json.loads(alert.hints_json)["factors"]
        assert factors and {f["unit_name"] for f in factors} == {"Department"}
        assert all(f["n"] == 16 for f in factors)


def test_verbatims_of_the_drop_period_most_negative_first(db_session, make):
    from surveys.models import Answer, Response
    from surveys.models.themes import CommentLabel

    team = make.team()
    survey = make.survey(audience="customer", questions=[
        {"code": "sat", "qtype": "likert5", "dimension": "csat"},
        {"code": "why", "qtype": "text", "dimension": "comment", "required": False}])
    wave = make.wave(make.program(survey=survey, audience="customer"))
    alert = _alert(db_session, make, team)
    sat, why = survey.questions
    said = [(dt.date(2026, 1, 20), 5, "Lovely staff.", None),     # before the drop period
            (dt.date(2026, 2, 3), 2, "Queue was endless.", -0.9),
            (dt.date(2026, 2, 10), 4, "Fine overall.", 0.4),
            (dt.date(2026, 2, 12), 1, "Nobody answered.", -0.6),
            (dt.date(2026, 2, 14), 3, "Average.", None)]
    for day, score, text, sentiment in said:
        r = Response(wave_id=wave.id, team_id=team.id, touchpoint_id=alert.touchpoint_id, source="public_link",
                     submitted_on=day)
        db_session.add(r)
        db_session.flush()
        db_session.add_all([Answer(response_id=r.id, question_id=sat.id, value=score, scale_min=1, scale_max=5),
                            Answer(response_id=r.id, question_id=why.id, text=text)])
        db_session.flush()
        if sentiment is not None:
            db_session.add(CommentLabel(response_id=r.id, question_id=why.id, sentiment=sentiment))
    db_session.flush()
    hints.attach(db_session, [alert])
    verbatims = json.loads(alert.hints_json)["verbatims"]
    assert verbatims == [{"day": "2026-02-03", "text": "Queue was endless.", "score": 2},
                         {"day": "2026-02-12", "text": "Nobody answered.", "score": 1},
                         {"day": "2026-02-10", "text": "Fine overall.", "score": 4}]


def test_factors_store_the_rest_of_the_organisation_the_gap_is_taken_against(db_session, make):
    w = build_world(db_session, make)
    alert = _alert(db_session, make, w.b)
    hints.attach(db_session, [alert], min_group_size=5, min_teams=10)
    factors = json.loads(alert.hints_json)["factors"]
    assert factors
    for f in factors:
        assert {"org_value", "rest_value"} <= set(f)  # org_value kept for older readers; rest_value added
        # team - rest = gap (each rounded to 0.1); the whole organisation includes the team, so it lies between.
        assert abs(f["team_value"] - f["rest_value"] - f["gap"]) <= 0.15
        assert f["team_value"] <= f["org_value"] <= f["rest_value"]
