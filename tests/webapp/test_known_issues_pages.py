"""Known-issues pages: the public page and Atom feed show only public text; staff pages need HR or an executive."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from surveys.models import Alert, PublicIssue, utcnow
from surveys.org import branding
from surveys.publicity import known_issues as ki
from tests.conftest import STAFF_PASSWORD

ATOM = "{http://www.w3.org/2005/Atom}"
# Internal values of the alert an issue comes from: none may reach the public page or feed.
SECRETS = ("Quokka Counter Zanzibar", "TPQUOKKA77", "Marmalade Falcon Squad", "FALCON-913", "87.654", "41.321",
           "46.333", "alert #", "alert_id")


@pytest.fixture
def alert(make, db_session):
    team = make.team(code="FALCON-913", name="Marmalade Falcon Squad")
    touchpoint = make.touchpoint(team=team, code="TPQUOKKA77", channel="web")
    touchpoint.name = "Quokka Counter Zanzibar"
    row = Alert(touchpoint=touchpoint, team=team, metric="csat", kind="sudden_day", began_on=dt.date(2026, 10, 12),
                detected_on=dt.date(2026, 10, 14), last_seen_on=dt.date(2026, 10, 14), baseline=87.654,
                baseline_n=412, current=41.321, current_n=57, drop=46.333, low=30.1, high=60.2)
    db_session.add(row)
    db_session.commit()
    return row


def text(response) -> str:
    return response.get_data(as_text=True)


def _new_form(**kw) -> dict:
    return {"title": "Card payments fail at checkout", "what_wrong": "Some card payments are refused at checkout.",
            "what_doing": "We are working with our payment provider.", "started_on": "2026-10-12", **kw}


def test_an_issue_from_an_alert_shows_no_internal_value_in_public(client, login, alert, db_session, app):
    login("hr_admin")
    form_page = text(client.get(f"/known-issues/new?alert_id={alert.id}"))
    # The author sees the internal context beside the form, and nothing of it is put into the public text.
    assert "Quokka Counter Zanzibar" in form_page and "Marmalade Falcon Squad" in form_page
    assert 'name="title" required' not in form_page and 'value="Quokka' not in form_page
    response = client.post("/known-issues/new", data=_new_form(alert_id=str(alert.id)))
    assert response.status_code == 302
    issue = db_session.query(PublicIssue).one()
    assert issue.alert_id == alert.id and not issue.published
    assert client.get(f"/known-issues/{issue.id}").status_code == 404  # a draft is not public
    assert client.post(f"/known-issues/{issue.id}/publish").status_code == 302
    client.post(f"/known-issues/{issue.id}/status", data={"status": "fix_planned", "note": "A fix ships Tuesday."})
    client.post("/logout")
    pages = {"list": text(client.get("/known-issues")), "one": text(client.get(f"/known-issues/{issue.id}")),
             "feed": text(client.get("/known-issues.atom"))}
    for name, body in pages.items():
        assert "Card payments fail at checkout" in body and "A fix ships Tuesday." in body, name
        for secret in SECRETS:
            assert secret not in body, (name, secret)
    # What staff type into the public text is shown, whatever it says.
    ki.edit_issue(db_session, issue.id, title="Quokka Counter Zanzibar is slow", what_wrong="Slow.")
    db_session.commit()
    assert "Quokka Counter Zanzibar is slow" in text(client.get("/known-issues"))


def test_public_list_order_dates_and_caching(client, db_session):
    fixed = ki.create_issue(db_session, title="Fixed one", what_wrong="Was broken.", started_on="2026-10-01")
    open_ = ki.create_issue(db_session, title="Open one", what_wrong="Is broken.")
    ki.create_issue(db_session, title="Draft one", what_wrong="Not yet told.")
    for issue in (fixed, open_):
        ki.set_published(db_session, issue.id, True)
    ki.change_status(db_session, fixed.id, "fixed", "All good now.")
    db_session.commit()
    response = client.get("/known-issues")
    body = text(response)
    assert response.status_code == 200
    assert body.index("Open one") < body.index("Fixed one") and "Draft one" not in body
    assert "Affected since" in body and "2026-10-01" in body and "All good now." in body
    assert response.headers["Cache-Control"] == "public, max-age=300" and "Cookie" in response.headers["Vary"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert 'href="/known-issues.atom"' in body
    assert client.get("/known-issues/999999").status_code == 404


def test_the_feed_is_valid_atom_with_the_organisations_name_and_base_url(client, db_session, app):
    branding.update_branding(db_session, name="Northwind Outfitters", colour="#1d4e45")
    issue = ki.create_issue(db_session, title="Chat is down", what_wrong="The chat does not open.",
                            what_doing="Restarting it.")
    ki.set_published(db_session, issue.id, True)
    db_session.commit()
    app.config["BASE_URL"] = "https://service.example.org"
    response = client.get("/known-issues.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{tag}").text, tag
    assert root.find(f"{ATOM}id").text == "https://service.example.org/known-issues"
    assert root.find(f"{ATOM}title").text == "Northwind Outfitters: known issues"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Northwind Outfitters"
    dt.datetime.fromisoformat(root.find(f"{ATOM}updated").text.replace("Z", "+00:00"))
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text == f"https://service.example.org/known-issues/{issue.id}"
    assert entry.find(f"{ATOM}title").text == "Chat is down (Investigating)"
    dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text.replace("Z", "+00:00"))
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "text" and "The chat does not open." in content.text
    assert "Restarting it." in content.text


def test_markup_in_public_text_is_escaped_everywhere(client, db_session):
    issue = ki.create_issue(db_session, title="<script>x</script> & co", what_wrong="<b>bold</b>")
    ki.set_published(db_session, issue.id, True)
    db_session.commit()
    assert "<script>x" not in text(client.get("/known-issues")) and "&lt;b&gt;bold" in text(client.get("/known-issues"))
    root = ET.fromstring(client.get("/known-issues.atom").data)  # still well-formed XML
    assert root.find(f"{ATOM}entry/{ATOM}title").text.startswith("<script>x</script> & co")


# Employees cannot sign in at all (they answer through links): they stay at the sign-in redirect.
@pytest.mark.parametrize("role, expected", [(None, 302), ("employee", 302), ("team_lead", 403),
                                            ("executive", 200), ("hr_admin", 200)])
def test_only_hr_and_executives_reach_the_staff_pages(client, make, db_session, role, expected):
    issue = ki.create_issue(db_session, title="T", what_wrong="W")
    db_session.commit()
    if role:
        person = make.staff(role=role, password=STAFF_PASSWORD)
        db_session.commit()
        signed_in = client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD}).status_code
        assert signed_in == (401 if role == "employee" else 302)
    for path in ("/known-issues/manage", "/known-issues/new", f"/known-issues/{issue.id}/edit"):
        assert client.get(path).status_code == expected, path
    posted = client.post(f"/known-issues/{issue.id}/publish")
    assert posted.status_code == (302 if expected == 200 else expected)
    db_session.expire_all()
    assert db_session.get(PublicIssue, issue.id).published is (expected == 200)


def test_staff_nav_lists_known_issues_for_hr_only(client, login):
    login("hr_admin")
    assert 'href="/known-issues/manage"' in text(client.get("/known-issues/manage"))


def test_bad_input_is_named_beside_its_field_never_a_500(client, login, db_session):
    login("executive")
    response = client.post("/known-issues/new", data=_new_form(title="", what_wrong="", started_on="soon",
                                                               alert_id="424242"))
    body = text(response)
    assert response.status_code == 400
    assert "The title is required" in body and "What is wrong is required" in body and "YYYY-MM-DD" in body
    assert "There is no alert #424242" in body
    assert client.get("/known-issues/new?alert_id=abc&action_id=99999999999999").status_code == 200
    issue = ki.create_issue(db_session, title="T", what_wrong="W")
    db_session.commit()
    bad = client.post(f"/known-issues/{issue.id}/status", data={"status": "gone", "note": ""})
    assert bad.status_code == 400 and "Choose a status" in text(bad)
    client.post(f"/known-issues/{issue.id}/status", data={"status": "fixed", "note": ""})
    conflict = client.post(f"/known-issues/{issue.id}/status", data={"status": "fix_planned", "note": "x"})
    assert conflict.status_code == 409 and "move it to &#39;Investigating&#39; first" in text(conflict)
    long = client.post(f"/known-issues/{issue.id}/edit", data=_new_form(title="x" * 201))
    assert long.status_code == 400 and "keep it to 200 at most" in text(long)
    assert client.get("/known-issues/12345/edit").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(app_config, make, db_session):
    from webapp import create_app

    person = make.staff(role="hr_admin", password=STAFF_PASSWORD)
    issue = ki.create_issue(db_session, title="T", what_wrong="W")
    db_session.commit()
    client = create_app({**app_config, "WTF_CSRF_ENABLED": True}).test_client()
    token = text(client.get("/login")).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    for path, data in ((f"/known-issues/{issue.id}/publish", {}), ("/known-issues/new", _new_form()),
                       (f"/known-issues/{issue.id}/status", {"status": "fixed"})):
        assert client.post(path, data=data).status_code == 400, path
    db_session.expire_all()
    assert db_session.query(PublicIssue).count() == 1
    assert db_session.get(PublicIssue, issue.id).published is False and db_session.get(PublicIssue, issue.id).status == "investigating"
