"""Close the loop in Chromium: a customer gives NPS 3 and asks to be contacted; HR finds the case, records the
call and closes it."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from .conftest import require_chromium, sign_in

require_chromium()

from sqlalchemy import select  # noqa: E402

import demo  # noqa: E402
from surveys.instruments import library  # noqa: E402
from surveys.models import CustomerContact, FollowUpCase, Person, Program, Team, Touchpoint, Wave, utcnow  # noqa: E402
from surveys.org.accounts import hash_password  # noqa: E402

pytestmark = pytest.mark.browser


def _setup(live):
    now = utcnow()
    with live.sessions() as session:
        survey = library.install(session, "cx")
        team = Team(code="CARE", name="Care line")
        touchpoint = Touchpoint(code="HELP", name="Help line", channel="phone", team=team)
        program = Program(code="CXV", name="Customer pulse", survey=survey, audience="customer",
                          cadence="always_on")
        wave = Wave(program=program, survey=survey, label="always", status="open",
                    opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=90))
        hr = Person(email="hr-voice@example.com", name="Hana HR", role="hr_admin",
                    password_hash=hash_password(demo.DEMO_PASSWORD))
        session.add_all([team, touchpoint, program, wave, hr])
        session.commit()


def test_a_detractor_who_consents_is_called_back_and_the_case_closed(live, new_page):
    _setup(live)
    customer = new_page()
    customer.goto(f"{live.url}/r/c/CXV/HELP")
    customer.locator("#q_csat-2").check()
    customer.locator("#q_nps-3").check()
    customer.locator("#q_ces-2").check()
    customer.locator("#q_comment").fill("Cut off twice while on hold.")
    customer.get_by_label("Yes, you may contact me about this feedback").check()
    customer.get_by_label("Name").fill("Ana Lima")
    customer.get_by_label("Phone").fill("+44 20 7946 0000")
    customer.get_by_role("button", name="Send feedback").click()
    expect(customer.get_by_role("heading", name="Thank you")).to_be_visible()

    with live.sessions() as session:
        case = session.scalar(select(FollowUpCase))
        assert (case.trigger, case.score, case.status) == ("nps_detractor", 3, "open")
        assert session.get(CustomerContact, case.response_id).phone == "+44 20 7946 0000"
        case_id = case.id

    page = new_page()
    sign_in(live, page, "hr-voice@example.com")
    page.get_by_role("link", name="Customer voice").click()
    expect(page.get_by_text("Cut off twice while on hold.")).to_be_visible()
    expect(page.get_by_text("+44 20 7946 0000")).to_be_visible()  # HR sees the contact
    page.get_by_role("link", name="Follow-up cases").click()
    page.get_by_role("link", name=f"Case {case_id}").click()
    expect(page.get_by_role("heading", name=f"Follow-up case {case_id}")).to_be_visible()
    expect(page.locator("#case-contact").get_by_text("Ana Lima")).to_be_visible()
    page.get_by_label("How").select_option("phone")
    page.get_by_label("What came of it").fill("Called back; line fault logged, apologised.")
    page.get_by_role("button", name="Record contact").click()
    expect(page.get_by_text("Contact recorded.")).to_be_visible()
    page.get_by_label("Outcome").fill("Fault fixed; customer satisfied with the call-back.")
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_text("Case closed.")).to_be_visible()
    expect(page.locator("#case-status").get_by_text("closed")).to_be_visible()
    expect(page.locator("#case-history").get_by_text("contacted").first).to_be_visible()

    with live.sessions() as session:
        case = session.get(FollowUpCase, case_id)
        assert (case.status, case.contact_method) == ("closed", "phone")
        assert case.outcome == "Fault fixed; customer satisfied with the call-back."
