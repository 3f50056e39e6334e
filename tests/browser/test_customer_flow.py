"""A customer answers a touchpoint's public link in Chromium."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from .conftest import require_chromium

require_chromium()

from sqlalchemy import select  # noqa: E402

from surveys.instruments import library  # noqa: E402
from surveys.models import Program, Response, Team, Touchpoint, Wave, utcnow  # noqa: E402

pytestmark = pytest.mark.browser


def _setup(live):
    now = utcnow()
    with live.sessions() as session:
        survey = library.install(session, "cx")
        team = Team(code="STORE-N", name="North store")
        touchpoint = Touchpoint(code="TILL", name="Checkout", channel="store", team=team)
        program = Program(code="CXP", name="Customer pulse", survey=survey, audience="customer",
                          cadence="always_on")
        wave = Wave(program=program, survey=survey, label="always", status="open",
                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=90))
        session.add_all([team, touchpoint, program, wave])
        session.commit()
        return wave.id, team.id, touchpoint.id


def test_customer_answers_a_public_link(live, new_page):
    wave_id, team_id, touchpoint_id = _setup(live)
    page = new_page()
    page.goto(f"{live.url}/r/c/CXP/TILL")
    expect(page.get_by_role("heading", name="Your feedback: Checkout")).to_be_visible()
    # Sending without answers shows the problems first; nothing is stored.
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("There are 3 problems with your answers")).to_be_visible()
    page.locator("#q_csat-5").check()
    page.locator("#q_nps-10").check()
    page.locator("#q_ces-6").check()
    page.locator("#q_comment").fill("Fast and friendly.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    with live.sessions() as session:
        [response] = session.scalars(select(Response).where(Response.wave_id == wave_id)).all()
        assert (response.source, response.team_id, response.touchpoint_id, response.channel) == \
            ("public_link", team_id, touchpoint_id, "store")
        codes = {q.id: q.code for q in session.get(Wave, wave_id).survey.questions}
        answers = {codes[a.question_id]: a.value if a.value is not None else a.text for a in response.answers}
        assert answers == {"csat": 5, "nps": 10, "ces": 6, "comment": "Fast and friendly."}
