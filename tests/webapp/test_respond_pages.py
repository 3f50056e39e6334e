"""Respondent page details: a one-time thank-you, customer wording for bad links, no staff link."""
from __future__ import annotations

import datetime as dt

import pytest

from surveys.models import utcnow

NOW = utcnow()
CUSTOMER_ANSWERS = {"q_eng1": "5", "q_enps": "9", "q_comment": "Lovely staff"}


@pytest.fixture
def cx(make, db_session):
    program = make.program(audience="customer", code="CX")
    make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    make.touchpoint(team=make.team(), code="STORE1", channel="store")
    db_session.commit()
    return program


def test_thanks_opened_directly_confirms_nothing(client):
    page = client.get("/r/thanks")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nothing to confirm" in text
    assert "recorded" not in text and "Thank you" not in text


def test_thanks_is_shown_once_right_after_a_submission(client, cx):
    sent = client.post("/r/c/CX/STORE1", data=CUSTOMER_ANSWERS)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/r/thanks")
    first = client.get("/r/thanks").get_data(as_text=True)
    assert "Your answers have been recorded" in first and "goes to the team that served you" in first
    again = client.get("/r/thanks").get_data(as_text=True)  # a reload or a bookmark: the flag is spent
    assert "recorded" not in again and "Nothing to confirm" in again


@pytest.mark.parametrize("path", ["/r/c/NOPE/STORE1", "/r/c/CX/NOPE", "/r/t/not-a-token"])
def test_bad_customer_links_have_their_own_words(client, cx, path):
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 404 and "This feedback link is not valid" in text
    assert "reminder" not in text and "scan the QR code again" in text


def test_bad_employee_links_keep_the_reminder_advice(client):
    text = client.get("/r/i/not-a-token").get_data(as_text=True)
    assert "This link is not valid" in text and "most recent message" in text and "feedback link" not in text


def test_respondent_pages_show_the_brand_without_the_staff_link(client, cx, login):
    for path in ("/r/c/CX/STORE1", "/r/thanks", "/r/c/NOPE/STORE1", "/r/survey"):
        text = client.get(path).get_data(as_text=True)
        assert '<span class="brand">Tandem</span>' in text and 'class="brand" href' not in text, path
    login("hr_admin")  # staff pages still link home
    assert 'class="brand" href="/' in client.get("/admin/programs").get_data(as_text=True)
