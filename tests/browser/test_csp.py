"""Pages work under the Content-Security-Policy: styles and the brand colour apply, the one script runs,
and Chromium reports no blocked inline script or style."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from .conftest import require_chromium

require_chromium()

from surveys.instruments import library  # noqa: E402
from surveys.models import Person, Program, Team, Touchpoint, Wave, utcnow  # noqa: E402
from surveys.org import branding  # noqa: E402
from surveys.org.accounts import hash_password  # noqa: E402

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def program_id(live):
    """An open employee wave, a customer touchpoint, a brand colour and an HR admin; the program's id."""
    now = utcnow()
    with live.sessions() as session:
        team = Team(code="CSP-T", name="CSP team")
        employee = Program(code="CSP-EX", name="Pulse", survey=library.install(session, "engagement"),
                           audience="employee", cadence="monthly")
        customer = Program(code="CSP-CX", name="CX", survey=library.install(session, "cx"), audience="customer",
                           cadence="always_on")
        for program in (employee, customer):
            session.add(Wave(program=program, survey=program.survey, label="csp", status="open",
                             opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30)))
        session.add_all([team, Touchpoint(code="CSP-TILL", name="Till", channel="store", team=team),
                         Person(email="csp-hr@example.com", name="HR", role="hr_admin",
                                password_hash=hash_password(PASSWORD))])
        branding.update_branding(session, name="Northwind", colour="#aa0000", logo=None)
        session.commit()
        return employee.id


def _watch(page) -> list[str]:
    blocked = []
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    return blocked


def test_respondent_page_is_styled_and_branded_without_inline_code(live, new_page, program_id):
    page = new_page()
    blocked = _watch(page)
    page.goto(f"{live.url}/r/c/CSP-CX/CSP-TILL")
    header = page.locator("header.top")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(170, 0, 0)"  # /r/brand.css
    actions = page.locator(".respond .actions")
    assert actions.evaluate("e => getComputedStyle(e).display") == "flex"  # respondent rules in tandem.css
    assert blocked == []


def test_close_now_asks_first_through_the_static_script(live, new_page, program_id):
    page = new_page()
    blocked = _watch(page)
    page.goto(f"{live.url}/login")
    page.get_by_label("Email").fill("csp-hr@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live.url}/admin/programs/{program_id}")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.get_by_role("button", name="Close now").click()
    page.wait_for_timeout(300)
    assert questions == ["Close this wave now? Unfinished answers will be erased."]
    expect(page.get_by_role("button", name="Close now")).to_be_visible()  # cancelled: still open
    page.once("dialog", lambda d: answer(d, True))
    page.get_by_role("button", name="Close now").click()
    expect(page.get_by_text("is closed").first).to_be_visible()
    assert len(questions) == 2 and blocked == []

