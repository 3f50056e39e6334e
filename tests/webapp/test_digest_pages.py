"""/digests: the page of a digest for each role, bad periods and dates, and the subscription form."""
from __future__ import annotations

from surveys.digests import subscriptions
from tests.conftest import STAFF_PASSWORD
from tests.surveys.digest_world import build


def _sign_in(client, person) -> None:
    response = client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
    assert response.status_code == 302


def test_an_executive_reads_the_whole_organisations_digest(client, make, db_session):
    w = build(make)
    _sign_in(client, w.executive)
    page = client.get("/digests/weekly/2026-11-25")  # any day of the week gives that week
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "week 2026-W48" in html and "the whole organisation" in html
    assert "Phone support Cardiff" in html and "Bristol store" in html
    assert "+10.0" in html and "-7.7 to 27.7" in html  # Care's CSAT: 70% of 40 against 80% of 50
    assert "I waited on hold for forty minutes." in html
    assert "data:image/png;base64," in html
    assert 'href="/digests/weekly/2026-11-16"' in html  # the week before


def test_a_team_lead_sees_only_their_teams(client, make, db_session):
    w = build(make)
    _sign_in(client, w.lead)
    html = client.get("/digests/weekly/2026-11-23").get_data(as_text=True)
    assert "Phone support Cardiff" in html and "Care Cardiff" in html
    for other in ("Bristol", "Sales", "Store prices", "employee-customer links"):
        assert other not in html, other


def test_no_digest_without_signing_in(client, make, db_session):
    build(make)  # employees cannot sign in at all; staff pages send everyone else to the sign-in page
    for url in ("/digests/weekly/2026-11-23", "/digests/"):
        page = client.get(url)
        assert page.status_code == 302 and "/login" in page.headers["Location"], url
    assert client.post("/digests/", data={"weekly": "y"}).status_code in (302, 400)


def test_bad_periods_and_dates_get_a_clear_404(client, login):
    login("hr_admin")
    for url, words in (("/digests/fortnightly/2026-11-23", "not a digest period"),
                       ("/digests/weekly/2026-13-40", "is not a date"),
                       ("/digests/weekly/yesterday", "is not a date"),
                       ("/digests/monthly/1066-10-14", "no digests for 1066")):
        page = client.get(url)
        assert page.status_code == 404, url
        assert words in page.get_data(as_text=True), url


def test_the_index_links_the_latest_digests_and_saves_the_choice(client, make, db_session):
    w = build(make)
    _sign_in(client, w.hr)
    html = client.get("/digests/").get_data(as_text=True)
    assert "You receive no digests by mail yet" in html and "Suggested for your role: weekly" in html
    assert 'href="/digests/daily/' in html and 'href="/digests/annual/' in html
    assert "/digests/weekly/2026-11-23" in html  # the week of the latest customer feedback
    saved = client.post("/digests/", data={"weekly": "y", "quarterly": "y"}, follow_redirects=True)
    assert saved.status_code == 200 and "weekly, quarterly digests by mail" in saved.get_data(as_text=True)
    assert subscriptions.periods_of(db_session, w.hr.id) == ["weekly", "quarterly"]
    client.post("/digests/", data={})
    assert subscriptions.periods_of(db_session, w.hr.id) == []
