"""A team lead in Chromium: signing in lands on their own team's page, which shows results with intervals
and focus areas whose "Make this an action" links carry the team, the metric and a suggested title; a
team outside their subtree is not found."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import require_chromium

require_chromium()

import demo  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def org(live):
    """The demo organisation, as `make run` seeds it."""
    with live.sessions() as session:
        result = demo.build_demo(session, seed=7, teams=40, waves=6)
        session.commit()
    return result


def test_a_team_lead_lands_on_their_team_and_finds_focus_areas(live, new_page, org):
    page = new_page()
    page.goto(f"{live.url}/login")
    page.fill("input[name=email]", "lead1@northwind.example")  # leads the Customer Care department
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{live.url}/teams/CARE"
    assert page.locator("#team-name").inner_text() == "Customer Care"
    assert "95% interval" in page.locator("#dimensions").inner_text()
    areas = page.locator("#focus-areas .focus-area")
    assert areas.count() >= 1
    href = areas.first.locator("a.make-action").get_attribute("href")
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "/actions/new" and query["team"] == ["CARE"] and query["source"] == ["focus"]
    assert query["metric"][0] in ("culture", "people", "process", "technology") and query["title"][0]
    assert page.goto(f"{live.url}/teams/RETAIL").status == 404
