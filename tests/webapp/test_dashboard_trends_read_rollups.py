"""The dashboard and trends pages (and their exports) read the rollups only: no statement they issue
touches `answers` or `responses` (same check as test_reports_read_rollups.py, for these two reports)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.models import Team, Touchpoint
from tests.webapp.test_reports_read_rollups import RAW, data  # noqa: F401  (a fixture)

PATHS = ("/reports/dashboard", "/reports/dashboard.json?unit={team}&as_of=2026-02-20", "/reports/dashboard.csv",
         "/reports/trends", "/reports/trends?metric=enps&unit={team}", "/reports/trends.json?metric=qe1",
         "/reports/trends?metric=csat&period=week", "/reports/trends.csv?metric=csat&period=month&as_of=2026-02-20")


@pytest.mark.parametrize("role", ["executive", "hr_admin"])
def test_dashboard_and_trends_issue_no_statement_on_answers_or_responses(client, login, db_session, data,  # noqa: F811
                                                                        statements, role):  # noqa: F811
    team = db_session.scalar(select(Team.code).join(Touchpoint, Touchpoint.team_id == Team.id))
    login(role)
    statements.clear()
    for path in PATHS:
        response = client.get(path.format(team=team))
        assert response.status_code == 200, (path, response.status_code, response.data[:300])
    assert statements, "the listener saw no statement: the test would pass vacuously"
    raw = [s for s in statements if RAW.search(s)]
    assert raw == [], raw[0]

