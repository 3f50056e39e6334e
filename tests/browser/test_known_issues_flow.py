"""HR in Chromium (CSRF on) writes a known issue, publishes it and posts an update; a logged-out browser then
reads it on /known-issues and in the Atom feed, without any staff menu."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from .conftest import require_chromium, sign_in

require_chromium()

import demo  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def org(live):
    with live.sessions() as session:
        demo.build_demo(session, seed=3, teams=8, waves=2)
        session.commit()


def test_hr_publishes_an_issue_and_a_logged_out_browser_reads_it(live, new_page, org):
    page = new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(live, page, "hr@northwind.example")
    page.click("nav >> text=Known issues")
    page.click("text=New known issue")
    page.click("#save-issue")  # empty: both required fields are named, nothing saved
    assert "The title is required" in page.content() and "What is wrong is required" in page.content()
    page.fill("#title", "Live chat drops out")
    page.fill("#what_wrong", "The chat window closes with an error before anyone answers.")
    page.fill("#what_doing", "Our chat supplier is replacing the faulty server.")
    page.click("#save-issue")
    assert "saved as a draft" in page.content()
    page.click("#publish")
    assert "is now public" in page.content()
    page.select_option("#status", "fix_planned")
    page.fill("#note", "The new server goes live on Thursday.")
    page.click("#post-update")
    assert "Update posted: Fix planned." in page.content()

    public = new_page()  # a fresh browser: nobody signed in
    public.goto(f"{live.url}/known-issues")
    body = public.locator("main").inner_text()
    assert "Live chat drops out" in body and "Fix planned" in body
    assert "The new server goes live on Thursday." in body and "Our chat supplier" in body
    assert public.locator("nav").count() == 0  # no staff menu for the public
    assert public.locator("footer >> text=Known issues").count() == 1
    public.click("text=Live chat drops out")
    assert "What is wrong" in public.locator("main").inner_text()
    feed = public.request.get(f"{live.url}/known-issues.atom")
    root = ET.fromstring(feed.body())
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Live chat drops out (Fix planned)" in titles
    assert errors == []
