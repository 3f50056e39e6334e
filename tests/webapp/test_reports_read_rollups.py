"""The report pages read the rollups only: no statement they issue touches `answers` or `responses`."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from surveys.collection import submission
from surveys.insights import datasets

RAW = re.compile(r"\b(answers|responses)\b", re.IGNORECASE)
QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "enps", "qtype": "scale0_10", "dimension": "enps"}]
CX = [{"code": "csat", "qtype": "likert5", "dimension": "csat"}]


@pytest.fixture
def data(db_session, make):
    """Two closed employee waves of 6 respondents in one team, and customer answers at its touchpoint."""
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EXR")
    team = make.team()
    tp = make.touchpoint(team=team)
    cx_wave = make.wave(make.program(survey=make.survey(audience="customer", questions=CX)),
                        opens_at=dt.datetime(2026, 1, 1), days=90, status="closed")
    for month in (1, 2):
        wave = make.wave(program, opens_at=dt.datetime(2026, month, 1), days=10, status="closed")
        e1, enps = wave.survey.questions
        for i in range(6):
            submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                      parsed={e1: (1 + i % 5, None), enps: (i + 4, None)},
                                      today=dt.date(2026, month, 3))
            submission.store_response(db_session, wave=cx_wave, team_id=team.id, source="import",
                                      parsed={cx_wave.survey.questions[0]: (1 + i % 5, None)},
                                      today=dt.date(2026, month, 5), touchpoint=tp)
    db_session.commit()
    return program, wave


@pytest.mark.parametrize("role", ["executive", "hr_admin"])
def test_report_pages_issue_no_statement_on_answers_or_responses(client, login, data, statements, role):
    program, wave = data
    login(role)
    statements.clear()
    for path in ("/reports/", "/reports/linkage?program=EXR", "/reports/drivers?program=EXR",
                 "/reports/drivers.json?program=EXR", f"/admin/waves/{wave.id}/participation",
                 f"/admin/programs/{program.id}"):
        if path.startswith("/admin") and role != "hr_admin":
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert statements, "the listener saw no statement: the test would pass vacuously"
    raw = [s for s in statements if RAW.search(s)]
    assert raw == [], raw[0]


def test_the_report_inputs_from_the_rollups_match_hand_worked_values(db_session, data):
    waves = datasets.employee_waves(db_session, "EXR")
    dims = datasets.team_dimension_scores(db_session, waves)
    # Each wave: e1 = 1, 2, 3, 4, 5, 1 -> two of six respondents favourable (4 and 5): 33.3%.
    assert list(dims["n"]) == [6, 6] and dims["score"].tolist() == pytest.approx([100 / 3, 100 / 3])
    enps = datasets.team_enps(db_session, waves)
    # eNPS answers 4..9: one promoter (9), three detractors (4, 5, 6) of six.
    assert enps["prom"].tolist() == [1.0, 1.0] and enps["det"].tolist() == [3.0, 3.0]
    cx = datasets.team_customer_outcomes(db_session, waves)
    # Customer answers dated the 5th of January and of February fall in the two waves' periods.
    assert sorted(cx["wave"]) == [0, 1] and list(cx["n"]) == [6, 6] and list(cx["top2"]) == [2.0, 2.0]
