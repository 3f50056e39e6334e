"""An employee answers in Chromium: link from a real mail, promise, page one by keyboard, leave,
resume on page two, submit once; the link then says "already submitted"."""
from __future__ import annotations

import datetime as dt
import email
import re

import pytest
from playwright.sync_api import expect

from .conftest import free_port, require_chromium

require_chromium()

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import select  # noqa: E402

from surveys.collection import queue  # noqa: E402
from surveys.fieldwork.mailer import send_mail, survey_link  # noqa: E402
from surveys.instruments import question_types  # noqa: E402
from surveys.models import (  # noqa: E402
    Invitation,
    Person,
    Program,
    Question,
    Response,
    SubmissionReceipt,
    Survey,
    Team,
    Wave,
    utcnow,
)
from surveys.tokens import new_token  # noqa: E402

pytestmark = pytest.mark.browser

SPECS = [(f"e{i}", "likert5", "engagement", f"Engagement statement {i}") for i in range(5)] + [
    ("c0", "likert5", "culture", "Culture statement 0"),
    ("c1", "likert5", "culture", "Culture statement 1"),
    ("enps", "scale0_10", "enps", "How likely are you to recommend us as an employer?"),
    ("comment", "text", "comment", "Anything else?"),
]


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _setup(live):
    """An employee in a team, an open wave of a two-page survey and a fresh invitation token."""
    now = utcnow()
    with live.sessions() as session:
        team = Team(code="HARBOUR", name="Harbour crew")
        person = Person(email="ana@example.com", name="Ana", team=team)
        survey = Survey(code="pulse", title="Monthly pulse", audience="employee", status="active")
        for pos, (code, qtype, dimension, text) in enumerate(SPECS):
            lo, hi = question_types.bounds_for(qtype)
            survey.questions.append(Question(code=code, text=text, qtype=qtype, dimension=dimension,
                                             required=code != "comment", position=pos, scale_min=lo,
                                             scale_max=hi))
        program = Program(code="PULSE", name="Monthly pulse", survey=survey, audience="employee",
                          cadence="monthly")
        wave = Wave(program=program, survey=survey, label="2026-11", status="open",
                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=13))
        token, token_hash = new_token()
        invitation = Invitation(wave=wave, person=person, token_hash=token_hash, sent_at=now)
        session.add_all([team, person, survey, program, wave, invitation])
        session.flush()
        invitation.unit_team_id = team.id  # as frozen when the wave opened: the team is its own unit
        session.commit()
        return token, wave.id, invitation.id, team.id


def _tab_to(page, name: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == name:
            return
    raise AssertionError(f"Tab never reached {name}")


def test_employee_answers_in_two_sittings_and_submits_once(live, smtp, new_page):
    token, wave_id, invitation_id, team_id = _setup(live)
    controller, inbox = smtp
    send_mail(controller.hostname, controller.port, "tandem@example.com", "ana@example.com",
              "Your invitation: Monthly pulse", f"Answer here: {survey_link(live.url, token)}\n",
              f'<p><a href="{survey_link(live.url, token)}">Answer the survey</a></p>')
    [message] = inbox.messages
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    link = re.search(r"https?://\S+/r/i/\S+", text.get_payload(decode=True).decode()).group(0)

    # First sitting: the promise, then page one answered with the keyboard and the mouse.
    page = new_page()
    page.goto(link)
    assert page.url == f"{live.url}/r/survey"  # the token has left the address bar
    expect(page.get_by_text("Results are only ever shown for groups of at least 5 people")).to_be_visible()
    expect(page.get_by_text("your name or email address;")).to_be_visible()
    page.get_by_role("button", name="Start the survey").click()
    assert page.locator("#progress-label").inner_text() == "Page 1 of 2"
    assert page.locator("progress").get_attribute("value") == "1"
    _tab_to(page, "q_e0")
    page.keyboard.press("Space")  # checks 1
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # arrows move the choice along the scale: 4
    page.keyboard.press("Tab")  # the next question's first option
    assert page.evaluate("document.activeElement.name") == "q_e1"
    page.keyboard.press("Space")
    assert page.locator("#q_e0-4").is_checked() and page.locator("#q_e1").is_checked()
    # A missing answer is reported beside the field and in the summary; the typed answers stay.
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("There are 3 problems with your answers")).to_be_visible()
    assert page.locator("#q_e2-error").inner_text() == "This question needs an answer."
    assert page.locator("#q_e0-4").is_checked()
    for code, value in (("e2", 5), ("e3", 3), ("e4", 2)):
        page.locator(f"#q_{code}-{value}").check()
    page.get_by_role("button", name="Next page").click()
    assert page.locator("#progress-label").inner_text() == "Page 2 of 2"
    page.context.close()  # leaves without finishing

    # Second sitting, a new browser session: resumes on page two, page one kept.
    page = new_page()
    page.goto(link)
    assert page.locator("#progress-label").inner_text() == "Page 2 of 2"
    page.get_by_role("button", name="Back").click()
    assert page.locator("#progress-label").inner_text() == "Page 1 of 2"
    assert page.locator("#q_e0-4").is_checked() and page.locator("#q_e1").is_checked()
    assert page.locator("#q_e2-5").is_checked()
    page.get_by_role("button", name="Next page").click()
    page.locator("#q_c0-4").check()
    page.locator("#q_c1-5").check()
    page.locator("#q_enps-9").check()
    page.locator("#q_comment").fill("More quiet rooms, please.")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    # The back button and the link itself now only say "already submitted".
    page.go_back()
    expect(page.get_by_role("heading", name="Already submitted")).to_be_visible()
    page.goto(link)
    expect(page.get_by_role("heading", name="Already submitted")).to_be_visible()

    with live.sessions() as session:
        # Held in the submission queue until the team's batch; released here as a closing wave would.
        assert session.scalars(select(Response).where(Response.wave_id == wave_id)).all() == []
        session.info["queue_key"] = live.app.config["QUEUE_KEY"]
        wave = session.get(Wave, wave_id)
        for _ in range(wave.min_group_size - 1):  # colleagues answered too (no answers needed here)
            queue.hold(session, wave, team_id, {}, wave.opens_at.date())
        assert queue.release(session, wave_id) == wave.min_group_size
        session.commit()
        responses = [r for r in session.scalars(select(Response).where(Response.wave_id == wave_id)) if r.answers]
        assert len(responses) == 1
        response = responses[0]
        assert (response.team_id, response.source, response.touchpoint_id) == (team_id, "invitation", None)
        codes = {q.id: q.code for q in session.get(Wave, wave_id).survey.questions}
        answers = {codes[a.question_id]: a.value if a.value is not None else a.text for a in response.answers}
        assert answers == {"e0": 4, "e1": 1, "e2": 5, "e3": 3, "e4": 2, "c0": 4, "c1": 5, "enps": 9,
                           "comment": "More quiet rooms, please."}
        invitation = session.get(Invitation, invitation_id)
        assert invitation.draft is None and session.get(SubmissionReceipt, invitation_id) is not None
