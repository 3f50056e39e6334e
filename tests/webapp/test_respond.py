"""Employee and contact links through the web: open, promise, pages, save and resume, submit once."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from surveys.collection import drafts, public_links, queue
from surveys.models import Invitation, Response, SubmissionReceipt, utcnow

NOW = utcnow()
QUESTIONS = [{"code": f"e{i}", "qtype": "likert5", "dimension": "engagement", "text": f"Engagement {i}"}
             for i in range(6)] + [
    {"code": "enps", "qtype": "scale0_10", "dimension": "enps", "text": "Recommend us?"},
    {"code": "comment", "qtype": "text", "dimension": "comment", "required": False, "text": "Anything else?"},
]
PAGE1 = {f"q_e{i}": "4" for i in range(6)}


@pytest.fixture
def invited(make, db_session):
    """An employee invitation in an open wave of a two-page survey; returns (invitation, token)."""
    program = make.program(survey=make.survey(questions=QUESTIONS))
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    wave.min_group_size = 7
    invited = make.invitation(wave=wave, person=make.person(team=make.team(name="Harbour crew")))
    db_session.commit()  # requests close the session, which rolls back anything uncommitted
    return invited


def _post(client, inv, page, action, data=None):
    return client.post("/r/survey", data={"invitation": str(inv.id), "page": str(page), "action": action,
                                          **(data or {})})


def _draft(db_session, inv, token):
    """The draft as the respondent's link opens it (the database holds only ciphertext)."""
    sealed = db_session.get(Invitation, inv.id).draft
    return None if sealed is None else drafts.unseal(drafts.key_for(token), inv.id, sealed)


def _responses(db_session, wave_id):
    return db_session.scalar(select(func.count()).select_from(Response).where(Response.wave_id == wave_id))


def test_link_moves_the_token_out_of_the_address_bar(client, invited):
    inv, token = invited
    response = client.get(f"/r/i/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/r/survey")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert token not in response.headers["Location"]


def test_invalid_link_is_a_plain_404(client, invited):
    response = client.get("/r/i/not-a-real-token")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This link is not valid" in page and "Sign out" not in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # A contact token on the employee route is just as invalid (and the other way round).
    inv, token = invited
    assert client.get(f"/r/t/{token}").status_code == 404


def test_promise_page_comes_first(client, invited):
    inv, token = invited
    client.get(f"/r/i/{token}")
    response = client.get("/r/survey")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "at least 7 people" in page
    stored_part, never_part = page.split("What is never stored with your answers")
    for stored in ("your answers", "fixed when this survey opened", "Harbour crew", "the day you submit"):
        assert stored in stored_part
    for never in ("your name or email address", "your invitation or the link you used", "the time you submit"):
        assert never in never_part
    # The receipt is undated: the page must not claim more, nor less.
    assert "only <em>whether</em> it has been used" in page and "not when" in page
    assert "until you submit, and are then erased" in page
    assert 'name="q_' not in page
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_save_and_resume(client, db_session, invited):
    inv, token = invited
    client.get(f"/r/i/{token}")
    assert client.post("/r/survey/start").status_code == 302
    page = client.get("/r/survey").get_data(as_text=True)
    assert "Page 1 of 2" in page and '<progress value="1" max="2"' in page
    assert 'name="q_e0"' in page and 'name="q_enps"' not in page
    assert _post(client, inv, 0, "next", PAGE1).status_code == 302
    assert _draft(db_session, inv, token) == {"page": 1, "answers": {f"e{i}": "4" for i in range(6)}}
    # A new browser session: opening the link again resumes on page 2, without the promise.
    client.delete_cookie("session", domain="tandem.test")
    client.get(f"/r/i/{token}")
    page = client.get("/r/survey").get_data(as_text=True)
    assert "Page 2 of 2" in page and 'name="q_enps"' in page and "Submit" in page
    # Back saves what was typed on page 2 without requiring it, and shows page 1 filled in.
    assert _post(client, inv, 1, "back", {"q_enps": "8"}).status_code == 302
    page = client.get("/r/survey").get_data(as_text=True)
    assert "Page 1 of 2" in page and page.count("checked") == 6
    assert _draft(db_session, inv, token)["answers"]["enps"] == "8"


def test_save_and_finish_later(client, db_session, invited):
    inv, token = invited
    client.get(f"/r/i/{token}")
    client.post("/r/survey/start")
    response = _post(client, inv, 0, "save", {"q_e0": "2"})
    assert response.status_code == 302
    page = client.get("/r/survey").get_data(as_text=True)
    assert "Your answers are saved" in page
    assert _draft(db_session, inv, token) == {"page": 0, "answers": {"e0": "2"}}


def test_missing_answers_are_shown_beside_the_field_and_in_a_summary(client, db_session, invited):
    inv, token = invited
    client.get(f"/r/i/{token}")
    client.post("/r/survey/start")
    response = _post(client, inv, 0, "next", {"q_e0": "5"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There are 5 problems with your answers" in page
    assert '<a href="#q_e1">Engagement 1</a>: This question needs an answer.' in page
    assert 'id="q_e1-error"' in page and 'aria-invalid="true"' in page
    assert _draft(db_session, inv, token) == {"page": 0, "answers": {"e0": "5"}}
    assert 'value="5" checked' in page


@pytest.mark.parametrize("data, message", [
    ({"q_e0": "9"}, "9 is outside the allowed range 1–5."),
    ({"q_e0": "abc"}, "&#39;abc&#39; is not a whole number."),
    ({"q_sneaky": "1"}, "which is not a question on this page"),
])
def test_forged_forms_are_rerendered_with_errors(client, db_session, invited, data, message):
    inv, token = invited
    client.get(f"/r/i/{token}")
    client.post("/r/survey/start")
    response = _post(client, inv, 0, "next", {**PAGE1, **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _draft(db_session, inv, token)["page"] == 0


def test_bad_page_number_is_a_clear_400(client, invited):
    inv, token = invited
    client.get(f"/r/i/{token}")
    client.post("/r/survey/start")
    for page in ("x", "9"):
        response = client.post("/r/survey", data={"invitation": str(inv.id), "page": page, "action": "next"})
        assert response.status_code == 400
        assert "page" in response.get_data(as_text=True)


def test_submit_once_then_already_submitted(client, db_session, make, invited):
    inv, token = invited
    client.get(f"/r/i/{token}")
    client.post("/r/survey/start")
    _post(client, inv, 0, "next", PAGE1)
    response = _post(client, inv, 1, "submit", {"q_enps": "9", "q_comment": "Thanks"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/r/thanks")
    thanks = client.get("/r/thanks")
    assert "Your answers have been recorded" in thanks.get_data(as_text=True)
    # Held in the submission queue; released with the team's batch (here: forced, as at the close).
    assert _responses(db_session, inv.wave_id) == 0 and _draft(db_session, inv, token) is None
    assert queue.release(db_session, inv.wave_id, everything=True) == 0  # alone: stays sealed
    make.peers(inv.wave, inv.person.team, inv.wave.min_group_size - 1)  # colleagues: a batch of k
    assert queue.release(db_session, inv.wave_id) == inv.wave.min_group_size
    db_session.commit()  # the next request's teardown would roll back a flush
    assert _responses(db_session, inv.wave_id) == inv.wave.min_group_size
    # The back button and a replayed link both land on the already-submitted page; nothing changes.
    again = _post(client, inv, 1, "submit", {"q_enps": "0"})
    assert again.status_code == 409 and "already" in again.get_data(as_text=True)
    replay = client.get(f"/r/i/{token}")
    assert replay.status_code == 409 and "Already submitted" in replay.get_data(as_text=True)
    assert client.get("/r/survey").status_code == 409
    assert _responses(db_session, inv.wave_id) == inv.wave.min_group_size


def test_closed_wave_pages(client, db_session, invited):
    inv, token = invited
    client.get(f"/r/i/{token}")
    client.post("/r/survey/start")
    _post(client, inv, 0, "next", PAGE1)
    wave = db_session.get(Invitation, inv.id).wave
    wave.status = "closed"
    db_session.commit()
    response = _post(client, inv, 1, "submit", {"q_enps": "9"})
    assert response.status_code == 409 and "closed early" in response.get_data(as_text=True)
    assert _responses(db_session, inv.wave_id) == 0
    wave = db_session.get(Invitation, inv.id).wave
    wave.status = "draft"
    wave.opens_at, wave.closes_at = dt.datetime(2031, 3, 5, 9), dt.datetime(2031, 3, 19, 9)
    db_session.commit()
    response = client.get(f"/r/i/{token}")
    assert response.status_code == 409 and "opens on 5 March 2031" in response.get_data(as_text=True)


def test_person_without_team_is_sent_to_hr(client, db_session, make, invited):
    inv, _ = invited
    other, token = make.invitation(wave=db_session.get(Invitation, inv.id).wave, person=make.person(team=None))
    db_session.commit()
    response = client.get(f"/r/i/{token}")
    assert response.status_code == 409 and "contact HR" in response.get_data(as_text=True)


def test_survey_without_session_asks_to_reopen_the_link(client):
    response = client.get("/r/survey")
    assert response.status_code == 400 and "open the link" in response.get_data(as_text=True)
    assert client.post("/r/survey", data={"page": "0"}).status_code == 400


def test_contact_link_one_page_then_used(client, db_session, make):
    program = make.program(audience="customer", code="CXW")
    make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    touchpoint = make.touchpoint(code="DESK", channel="store")
    [token] = public_links.issue_contact_links(db_session, "CXW", "DESK", 1, now=NOW)
    db_session.commit()
    response = client.get(f"/r/t/{token}")
    assert response.status_code == 302
    page = client.get("/r/survey").get_data(as_text=True)
    assert "Your feedback: " in page and "Page 1 of" not in page and 'value="submit"' in page
    inv = db_session.scalar(select(Invitation).where(Invitation.touchpoint_id == touchpoint.id))
    assert client.post("/r/survey", data={"invitation": str(inv.id), "page": "0", "action": "submit",
                                          "q_eng1": "5", "q_enps": "10"}).status_code == 302
    stored = db_session.scalar(select(Response).where(Response.touchpoint_id == touchpoint.id))
    assert (stored.source, stored.channel, stored.team_id) == ("contact_link", "store", touchpoint.team_id)
    assert client.get(f"/r/t/{token}").status_code == 409
    assert db_session.get(SubmissionReceipt, inv.id) is not None


def test_form_of_another_link_is_not_mixed_up(client, db_session, make, invited):
    inv, token = invited
    other, other_token = make.invitation(wave=db_session.get(Invitation, inv.id).wave,
                                         person=make.person(team=make.team()))
    db_session.commit()
    client.get(f"/r/i/{token}")
    client.post("/r/survey/start")
    client.get(f"/r/i/{other_token}")  # a second link opened in another tab of the same browser
    response = _post(client, inv, 0, "next", PAGE1)
    assert response.status_code == 409 and "Another survey link" in response.get_data(as_text=True)
    assert _draft(db_session, other, other_token) is None and _draft(db_session, inv, token) == {"page": 0, "answers": {}}


def test_deactivated_person_cannot_answer(client, db_session, invited):
    inv, token = invited
    db_session.get(Invitation, inv.id).person.active = False
    db_session.commit()
    response = client.get(f"/r/i/{token}")
    assert response.status_code == 409 and "no longer active" in response.get_data(as_text=True)
