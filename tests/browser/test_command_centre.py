"""HR in Chromium (CSRF on): opens the command centre, finds a high-severity alert on the map and in the list,
opens it, sees the evidence chart and hints, acknowledges it and plans an action with one click."""
from __future__ import annotations

import datetime as dt

import pytest

from .conftest import require_chromium, sign_in

require_chromium()

import demo  # noqa: E402
from surveys.models import Person, Team, Touchpoint, utcnow  # noqa: E402
from surveys.models.rollups import RollupCustomerDay  # noqa: E402
from surveys.org.accounts import hash_password  # noqa: E402

from ..alert_rows import make_alert  # noqa: E402

pytestmark = pytest.mark.browser
DETECTED = dt.date(2026, 10, 14)


@pytest.fixture(scope="module")
def alert_id(live):
    with live.sessions() as session:
        root = Team(code="CC-ROOT", name="Northwind")
        web = Team(code="CC-WEB", name="Web team", parent=Team(code="CC-DIGITAL", name="Digital", parent=root))
        session.add(Person(email="hr-cc@northwind.example", name="Hana Reyes", role="hr_admin",
                           password_hash=hash_password(demo.DEMO_PASSWORD)))
        checkout = Touchpoint(code="CC-CHECKOUT", name="Web checkout", channel="web", team=web)
        session.add_all([checkout, Touchpoint(code="CC-STORE", name="High street store", channel="store", team=web)])
        session.flush()
        for week in range(16):
            day = DETECTED - dt.timedelta(weeks=12) + dt.timedelta(weeks=week)
            share = 0.9 if day < DETECTED - dt.timedelta(days=9) else 0.6
            session.add(RollupCustomerDay(day=day, touchpoint_id=checkout.id, team_id=web.id, metric="csat",
                                          source="import", channel="", n=20, top2=20 * share, top2_sq=20 * share))
        alert = make_alert(session, checkout, created_at=utcnow() - dt.timedelta(hours=2))
        session.commit()
        return alert.id


def test_hr_acknowledges_an_alert_and_plans_an_action(live, new_page, alert_id):
    page = new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(live, page, "hr-cc@northwind.example")

    page.click("nav >> text=Command centre")
    page.wait_for_selector("#alerts-table")
    assert "open high-severity alert" in page.locator(".map-legend").inner_text()
    assert "1 open, high" in page.locator("#tp-CC-CHECKOUT").inner_text()
    assert "no alert" in page.locator("#tp-CC-STORE").inner_text()
    assert page.locator(f"#alert-{alert_id} svg.spark").count() == 1

    page.click(f"#alert-{alert_id} >> text=CSAT drop at Web checkout")
    page.wait_for_selector("#alert-numbers")
    assert page.locator("#alert-title").inner_text() == "CSAT drop at Web checkout"
    assert "7.5 to 28.5" in page.locator("#alert-drop").inner_text()
    assert page.locator("#evidence svg[role=img]").count() == 1
    assert "card payment failed" in page.locator("#hint-verbatims").inner_text()
    href = page.locator("#publish-known-issue").get_attribute("href")
    assert href == f"/known-issues/new?alert_id={alert_id}"

    page.click("#acknowledge")
    page.wait_for_selector("#alert-status >> text=acknowledged")
    assert "Alert acknowledged." in page.locator(".flash.success").inner_text()
    assert page.locator("#acknowledge").count() == 0

    page.click("#plan-action")
    page.wait_for_selector("#action-title")
    assert page.locator("#action-title").inner_text() == "Fix: CSAT drop at Web checkout"
    page.goto(f"{live.url}/alerts/{alert_id}")
    assert "action planned" in page.locator("#alert-status").inner_text()
    assert "Fix: CSAT drop at Web checkout" in page.locator("#alert-action").inner_text()
    history = page.locator("#history").inner_text()
    assert "acknowledged" in history and "action planned" in history and "Hana Reyes" in history
    assert errors == []
