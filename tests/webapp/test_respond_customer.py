"""Public touchpoint links through the web: the form, the honeypot, the rate limit and forged input."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.models import RateLimitHit, Response, utcnow

NOW = utcnow()
GOOD = {"q_eng1": "5", "q_enps": "9", "q_comment": "Lovely staff"}


@pytest.fixture
def cx(make, db_session):
    program = make.program(audience="customer", code="CX")
    program.name = "Customer pulse"
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    touchpoint = make.touchpoint(team=make.team(), code="STORE1", channel="store")
    db_session.commit()
    return program, wave, touchpoint


def _stored(db_session, **where):
    stmt = select(func.count()).select_from(Response)
    for key, value in where.items():
        stmt = stmt.where(getattr(Response, key) == value)
    return db_session.scalar(stmt)


def test_public_form_has_questions_and_a_hidden_honeypot(client, cx):
    response = client.get("/r/c/CX/STORE1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Referrer-Policy"] == "no-referrer"
    assert 'name="q_eng1"' in page and 'name="q_enps"' in page and 'name="q_comment"' in page
    assert 'name="website"' in page and 'tabindex="-1"' in page and 'autocomplete="off"' in page
    assert 'aria-hidden="true"' in page and "Page 1 of" not in page


def test_public_submission_is_stored_with_the_touchpoint(client, db_session, cx):
    program, wave, touchpoint = cx
    before = utcnow().date()  # the day is read around the post: a run may cross midnight
    response = client.post("/r/c/CX/STORE1", data={**GOOD, "website": ""})
    after = utcnow().date()
    assert response.status_code == 302 and response.headers["Location"].endswith("/r/thanks")
    stored = db_session.scalar(select(Response).where(Response.wave_id == wave.id))
    assert (stored.source, stored.team_id, stored.touchpoint_id, stored.channel) == \
        ("public_link", touchpoint.team_id, touchpoint.id, "store")
    assert stored.submitted_on in (before, after)
    # The rate-limit row holds a keyed hash, not the address (the flood check's answer-set counter is the other row).
    key = db_session.scalar(select(RateLimitHit.key).where(~RateLimitHit.key.startswith("flood:")))
    assert len(key) == 64 and "127.0.0.1" not in key
    assert "feedback goes to the team" in client.get("/r/thanks").get_data(as_text=True)


def test_honeypot_is_refused_with_400(client, db_session, cx):
    response = client.post("/r/c/CX/STORE1", data={**GOOD, "website": "http://buy.example"})
    assert response.status_code == 400 and "could not be accepted" in response.get_data(as_text=True)
    assert _stored(db_session, source="public_link") == 0


def test_rate_limit_is_429_after_the_limit(app, client, db_session, cx):
    app.config["PUBLIC_RATE_LIMIT"] = "2/3600"
    for _ in range(2):
        assert client.post("/r/c/CX/STORE1", data=GOOD).status_code == 302
    response = client.post("/r/c/CX/STORE1", data=GOOD)
    assert response.status_code == 429 and "try again later" in response.get_data(as_text=True)
    assert _stored(db_session, source="public_link") == 2
    other = client.post("/r/c/CX/STORE1", data=GOOD, environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert other.status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"q_eng1": "9", "q_enps": "9"}, "9 is outside the allowed range 1–5."),
    ({"q_eng1": "1", "q_enps": "eleven"}, "is not a whole number."),
    ({"q_eng1": "1", "q_enps": "11"}, "11 is outside the allowed range 0–10."),
    ({"q_eng1": ["1", "2"], "q_enps": "3"}, "Please give only one answer"),
    ({"q_enps": "3"}, "This question needs an answer."),
    ({"q_eng1": "1", "q_enps": "3", "q_admin": "1"}, "which is not a question on this page"),
    ({"q_eng1": "1", "q_enps": "3", "q_comment": "x" * 5001}, "under 5000 characters"),
])
def test_forged_public_forms_show_errors_and_store_nothing(client, db_session, cx, data, message):
    response = client.post("/r/c/CX/STORE1", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _stored(db_session, source="public_link") == 0
    assert db_session.scalar(select(func.count()).select_from(RateLimitHit)) == 0


def test_invalid_values_are_redisplayed(client, cx):
    page = client.post("/r/c/CX/STORE1", data={"q_enps": "7", "q_comment": "Keep me"}).get_data(as_text=True)
    assert 'value="7" checked' in page and "Keep me</textarea>" in page


def test_unknown_links_and_idle_programs(client, db_session, cx, make):
    program, wave, touchpoint = cx
    assert client.get("/r/c/NOPE/STORE1").status_code == 404
    assert client.get("/r/c/CX/NOPE").status_code == 404
    assert client.post("/r/c/CX/NOPE", data=GOOD).status_code == 404
    wave = db_session.get(type(wave), wave.id)
    wave.status = "closed"
    db_session.commit()
    response = client.get("/r/c/CX/STORE1")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    # Customers see the instrument's title (no public title set), never the internal program name.
    assert f"{program.survey.title} is not collecting feedback right now" in page and "Customer pulse" not in page
    assert client.post("/r/c/CX/STORE1", data=GOOD).status_code == 409
