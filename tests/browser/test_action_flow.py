"""A team lead in Chromium (CSRF on): opens a focus-area link to a new action, sees its baseline, saves it,
adds and ticks a step, adds a progress note and starts it; another department's action is not found."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from .conftest import require_chromium, sign_in

require_chromium()

import demo  # noqa: E402
from surveys.models import Action, Person, Team  # noqa: E402
from surveys.org import hierarchy  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def org(live):
    with live.sessions() as session:
        demo.build_demo(session, seed=7, teams=40, waves=6)
        session.commit()
        lead = session.scalar(select(Person).where(Person.email == "lead1@northwind.example"))
        mine = set(hierarchy.lead_scope(session, lead.id, lead.team_id))
        team = session.scalar(select(Team).where(Team.id.in_(mine), Team.parent_id.in_(mine)).order_by(Team.code))
        elsewhere = session.scalar(select(Action).where(~Action.teams.any(Team.id.in_(mine))))
        return {"team": team.code, "team_name": team.name, "elsewhere": elsewhere.id}


def test_team_lead_plans_an_action_adds_a_step_and_a_note(live, new_page, org):
    page = new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(live, page, "lead1@northwind.example")

    page.goto(f"{live.url}/actions/new?team={org['team']}&metric=process&source=focus&title=Untangle+hand-offs")
    assert "n = " in page.locator("#baseline-preview").inner_text()
    page.fill("#target", "75")
    page.click("#save-action")
    page.wait_for_selector("#add-step-form")
    assert page.locator("#action-title").inner_text() == "Untangle hand-offs"
    assert "n = " in page.locator("#action-baseline").inner_text()

    page.fill("#add-step-form input[name=text]", "Map the five commonest hand-offs")
    page.click("#add-step")
    page.wait_for_selector("#step-list .step")
    page.click("#step-list .step .step-toggle")
    page.wait_for_selector("#step-list .step.done")
    assert page.locator("#action-complete").inner_text() == "100%"
    page.fill("#add-note-form textarea[name=note]", "Mapped them with the team on Monday.")
    page.click("#add-note")
    page.wait_for_selector("#note-list .note")
    page.click("#status-in_progress")
    page.wait_for_selector("#status-done")
    history = page.locator("#history").inner_text()
    for line in ("created", "step added", "step done", "note added", "planned → in progress"):
        assert line in history
    assert errors == []

    response = page.goto(f"{live.url}/actions/{org['elsewhere']}")
    assert response.status == 404
