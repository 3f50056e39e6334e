"""/voice and /cases through the web: roles, contact fields only for HR/executives (and the owning lead on a
case), bad filters named with a 400, the CSV export formula-safe, themes and sentiment when they exist."""
from __future__ import annotations

import csv
import datetime as dt
import html
import io

import pytest
from sqlalchemy import select

from surveys.collection import public_links
from surveys.models import FollowUpCase

from ..voice_world import ANA, NOW, answer, desk_and_shop, label


@pytest.fixture
def world(make, db_session):
    """Two teams with a touchpoint each; a detractor who left contact details at CARE's desk, a happy customer
    at SALES's shop whose comment starts like a formula."""
    care, sales = desk_and_shop(make)
    sad = answer(db_session, "DESK", {"nps": ["2"], "comment": ["Waited an hour on hold"]}, "a", ANA)
    happy = answer(db_session, "SHOP", {"nps": ["10"], "comment": ["=1+1 great shop"]}, "b")
    db_session.commit()
    return care, sales, sad, happy


def test_every_staff_role_reads_the_list_but_only_hr_and_executives_see_contacts(client, login, world):
    care, _sales, _sad, _happy = world
    login("team_lead", team=care)
    page = client.get("/voice").get_data(as_text=True)
    assert "Waited an hour on hold" in page and "=1+1 great shop" in page
    assert "ana@example.com" not in page and "Ana Lima" not in page and "shown to HR and executives only" in page
    client.get("/logout")
    login("hr_admin")
    page = client.get("/voice").get_data(as_text=True)
    assert "ana@example.com" in page and "Ana Lima" in page


def test_employees_and_strangers_cannot_read_it(client, login, world):
    assert client.get("/voice").status_code == 302  # to the sign-in page
    assert client.get("/cases").status_code == 302


@pytest.mark.parametrize("query, words", [
    ("from=yesterday", "is not a date"),
    ("channel=pigeon", "Channel 'pigeon' is not one of"),
    ("band=grumpy", "Score band 'grumpy'"),
    ("metric=nps&min=11", "must be a whole number from 0 to 10"),
    ("min=3", "needs a score"),
    ("team=NOPE", "There is no team 'NOPE'"),
    ("theme=abc", "There is no theme"),
    ("page=0", "page"),
    ("sentiment=angry", "Sentiment 'angry'"),
    ("to=0001-01-01", "The to date 0001-01-01 is outside 2000 to 2100"),
    ("to=0001-01-02", "The to date 0001-01-02 is outside 2000 to 2100"),
    ("from=9999-12-31", "The from date 9999-12-31 is outside 2000 to 2100"),
])
def test_bad_filter_values_are_named_not_a_500(client, login, world, query, words):
    login("hr_admin")
    response = client.get(f"/voice?{query}")
    assert response.status_code == 400 and words in html.unescape(response.get_data(as_text=True))
    export = client.get(f"/voice/export.csv?{query}")
    assert export.status_code == 400 and words in export.get_data(as_text=True)


def test_filters_narrow_the_list_and_count(client, login, world):
    login("executive")
    page = client.get("/voice?band=detractor").get_data(as_text=True)
    assert "Waited an hour" in page and "great shop" not in page
    page = client.get("/voice?team=SALES").get_data(as_text=True)
    assert "great shop" in page and "Waited an hour" not in page
    page = client.get("/voice?q=HOLD").get_data(as_text=True)
    assert "Waited an hour" in page and "great shop" not in page
    page = client.get("/voice?channel=store&metric=nps&min=9&max=10").get_data(as_text=True)
    assert "great shop" in page and "<b>1</b> matching" in page


def test_themes_and_sentiment_show_and_filter_once_they_exist(client, login, db_session, world):
    _care, _sales, sad, happy = world
    login("hr_admin")
    # No theme yet: no theme filter. (Sentiment is stored for every comment as it arrives, so that filter shows.)
    page = client.get("/voice").get_data(as_text=True)
    assert 'name="theme"' not in page
    # Sentiment was stored as the comments arrived; pinned here so the filter's result is certain.
    theme = label(db_session, "wait,hold,queue", [sad], [(sad, -0.7), (happy, 0.8)])
    db_session.commit()
    page = client.get("/voice").get_data(as_text=True)
    assert 'name="theme"' in page and 'name="sentiment"' in page and "waiting time" in page
    page = client.get(f"/voice?theme={theme.id}").get_data(as_text=True)
    assert "Waited an hour" in page and "great shop" not in page
    page = client.get("/voice?sentiment=positive").get_data(as_text=True)
    assert "great shop" in page and "Waited an hour" not in page


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export_is_formula_safe_and_has_contacts_only_for_hr(client, login, world):
    care, _sales, _sad, _happy = world
    login("team_lead", team=care)
    rows = _csv(client.get("/voice/export.csv"))
    assert "contact_email" not in rows[0]
    assert {r["comment"] for r in rows} == {"Waited an hour on hold", "'=1+1 great shop"}
    client.get("/logout")
    login("hr_admin")
    response = client.get("/voice/export.csv?band=detractor")
    assert response.headers["Content-Disposition"].startswith("attachment")
    [row] = _csv(response)
    assert (row["nps"], row["contact_email"], row["contact_name"]) == ("2", "ana@example.com", "Ana Lima")


def test_cases_are_scoped_to_the_lead_and_show_the_contact_to_whoever_must_call(client, login, db_session, world):
    care, sales, sad, _happy = world
    case = db_session.scalar(select(FollowUpCase).where(FollowUpCase.response_id == sad.id))
    login("team_lead", team=sales)
    assert f"Case {case.id}" not in client.get("/cases").get_data(as_text=True)
    assert client.get(f"/cases/{case.id}").status_code == 404
    client.get("/logout")
    lead = login("team_lead", team=care)
    care.lead_id = lead.id
    db_session.commit()
    assert f"Case {case.id}" in client.get("/cases").get_data(as_text=True)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "ana@example.com" in page and "Waited an hour on hold" in page
    bad = client.post(f"/cases/{case.id}/contact", data={"method": "phone", "result": ""})
    assert bad.status_code == 400 and "Say what came of the call or mail." in bad.get_data(as_text=True)
    ok = client.post(f"/cases/{case.id}/contact", data={"method": "phone", "result": "Left a message"})
    assert ok.status_code == 302
    ok = client.post(f"/cases/{case.id}/close", data={"outcome": "Apologised; call-back line fixed"})
    assert ok.status_code == 302
    case = db_session.scalar(select(FollowUpCase).where(FollowUpCase.response_id == sad.id))
    assert (case.status, case.contact_method, case.closed_by_id) == ("closed", "phone", lead.id)
    page = client.get("/cases?status=closed").get_data(as_text=True)
    assert f"Case {case.id}" in page and "Closed in time, per team" in page and "100%" in page
    again = client.post(f"/cases/{case.id}/close", data={"outcome": "twice"})
    assert again.status_code == 409 and "already closed" in again.get_data(as_text=True)
    assert client.get("/cases?status=weird").status_code == 400


def test_the_public_form_offers_the_contact_block_and_checks_it(client, db_session, world):
    page = client.get("/r/c/CX/DESK").get_data(as_text=True)
    assert "May we contact you about your feedback?" in page and 'name="contact_email"' in page
    response = client.post("/r/c/CX/DESK", data={"q_nps": "1", "contact_consent": "yes", "contact_name": "Bo",
                                                 "contact_email": "bo-at-example"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "is not an email address" in text and 'value="Bo"' in text
    response = client.post("/r/c/CX/DESK", data={"q_nps": "1", "contact_consent": "yes", "contact_name": "Bo",
                                                 "contact_phone": "+44 20 7946 0000"})
    assert response.status_code == 302
    assert db_session.scalar(select(FollowUpCase).where(FollowUpCase.score == 1)) is not None


def test_employee_forms_have_no_contact_block(client, make, db_session):
    wave = make.wave(opens_at=NOW - dt.timedelta(days=1))
    _invitation, token = make.invitation(wave=wave, person=make.person(team=make.team()))
    db_session.commit()
    client.get(f"/r/i/{token}")
    client.post("/r/survey/start")
    page = client.get("/r/survey").get_data(as_text=True)
    assert "name=\"q_" in page and "May we contact you" not in page and "contact_email" not in page


def test_a_contact_link_offers_the_block_on_its_last_page_and_opens_a_case(client, db_session, world):
    [token] = public_links.issue_contact_links(db_session, "CX", "DESK", 1, now=NOW)
    db_session.commit()
    client.get(f"/r/t/{token}")
    page = client.get("/r/survey").get_data(as_text=True)
    assert "May we contact you about your feedback?" in page
    form = client.get("/r/survey")  # the page's hidden fields: which invitation and page
    invitation = html.unescape(form.get_data(as_text=True)).split('name="invitation" value="')[1].split('"')[0]
    base = {"invitation": invitation, "page": "0", "action": "submit", "q_nps": "4", "contact_consent": "yes"}
    bad = client.post("/r/survey", data={**base, "contact_email": "nope"})
    assert bad.status_code == 422 and "is not an email address" in bad.get_data(as_text=True)
    ok = client.post("/r/survey", data={**base, "contact_email": "cy@example.com"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/r/thanks")
    case = db_session.scalar(select(FollowUpCase).where(FollowUpCase.score == 4))
    assert case is not None and case.trigger == "nps_detractor"
