"""A team lead in Chromium: signing in lands on their own team's page, which shows results with intervals
and focus areas whose "Make this an action" links carry the team, the metric and a suggested title; a
team outside their subtree is not found. Then the whole loop: the lead accepts the top focus area as an
action, adds a step and a progress note, and sees the demo's planted actions measured."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import require_chromium, sign_in

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
    sign_in(live, page, "lead1@northwind.example")  # leads the Customer Care department
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


def test_a_team_lead_turns_the_top_focus_area_into_an_action(live, new_page, org):
    page = new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(live, page, "lead1@northwind.example")
    top = page.locator("#focus-areas .focus-area").first
    title = parse_qs(urlsplit(top.locator("a.make-action").get_attribute("href")).query)["title"][0]
    top.locator("a.make-action").click()
    page.wait_for_selector("#action-form")
    assert "n = " in page.locator("#baseline-preview").inner_text()  # the baseline from the latest wave
    page.click("#save-action")
    page.wait_for_selector("#add-step-form")
    assert "n = " in page.locator("#action-baseline").inner_text()
    page.fill("#add-step-form input[name=text]", "Agree one owner per case")
    page.click("#add-step")
    page.wait_for_selector("#step-list .step")
    page.fill("#add-note-form textarea[name=note]", "Talked it through in the Monday huddle.")
    page.click("#add-note")
    page.wait_for_selector("#note-list .note")
    history = page.locator("#history").inner_text()
    assert "created" in history and "step added" in history and "note added" in history
    # The new action is on the team's page; the planted one that worked is measured as having worked.
    page.goto(f"{live.url}/teams/CARE")
    actions = page.locator("#actions").inner_text()
    assert title in actions
    assert "Untangle hand-offs between phone and email queues" in actions and "worked" in actions
    assert "not shown to have worked" in actions
    assert errors == []
