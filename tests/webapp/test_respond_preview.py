"""Preview links: the real respondent pages, marked as a preview, and nothing ever written."""
from __future__ import annotations

import datetime as dt
import re
import time

import itsdangerous
import pytest
from sqlalchemy import func, select

from surveys.collection import preview
from surveys.models import Answer, Invitation, RateLimitHit, Response, SubmissionReceipt, utcnow

NOW = utcnow()
QUESTIONS = [{"code": f"e{i}", "qtype": "likert5", "dimension": "engagement", "text": f"Engagement {i}"}
             for i in range(6)] + [
    {"code": "enps", "qtype": "scale0_10", "dimension": "enps", "text": "Recommend us?"},
    {"code": "tools", "qtype": "multi_choice", "dimension": "comment", "required": False, "text": "Tools?",
     "choices": ["Mail", "Chat"]},
]
PAGE1 = {f"q_e{i}": "4" for i in range(6)}
BANNER = "Preview — answers are not saved"
TABLES = (Response, Answer, SubmissionReceipt, Invitation, RateLimitHit)


@pytest.fixture
def wave(make, db_session):
    program = make.program(survey=make.survey(questions=QUESTIONS), code="PULSE")
    wave = make.wave(program=program, label="2026-11", opens_at=NOW - dt.timedelta(days=1))
    make.invitation(wave=wave, person=make.person(team=make.team(name="Harbour crew")))
    db_session.commit()
    return wave


def _counts(db_session) -> dict:
    return {t.__tablename__: db_session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def _hidden(page: str) -> dict:
    """Every hidden field of the page's form (what a browser sends back), multi-valued as lists."""
    found: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page):
        found.setdefault(name, []).append(value)
    return found


def _link(app, wave_id: int) -> str:
    return preview.preview_path(preview.make_token(app.config["SECRET_KEY"], wave_id))


def test_cli_prints_a_working_preview_url(runner, app, wave, client):
    app.config["BASE_URL"] = "http://127.0.0.1:8080"
    result = runner.invoke(args=["links", "preview", "--wave", "2026-11"])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert url.startswith("http://127.0.0.1:8080/r/p/")
    page = client.get(url.removeprefix("http://127.0.0.1:8080")).get_data(as_text=True)
    assert BANNER in page and "Before you start" in page and "Harbour crew" not in page


def test_cli_names_unknown_and_ambiguous_waves(runner, make, wave, db_session):
    make.wave(program=make.program(code="OTHER"), label="2026-11")
    db_session.commit()
    result = runner.invoke(args=["links", "preview", "--wave", "2026-11"])
    assert result.exit_code == 1 and "OTHER, PULSE" in result.output and "--program" in result.output
    assert runner.invoke(args=["links", "preview", "--wave", "2026-11", "--program", "PULSE"]).exit_code == 0
    result = runner.invoke(args=["links", "preview", "--wave", "nope"])
    assert result.exit_code == 1 and "no wave labelled 'nope'" in result.output


def test_walking_all_pages_and_submitting_writes_nothing(client, app, wave, db_session):
    before = _counts(db_session)
    link = _link(app, wave.id)
    page = client.post(link, data={"action": "start"}).get_data(as_text=True)
    assert BANNER in page and "Page 1 of 2" in page and "Save and finish later" not in page
    # A missing answer is refused exactly like on a real page.
    response = client.post(link, data={"page": "0", "action": "next", **{**PAGE1, "q_e5": ""}})
    assert response.status_code == 422 and "Engagement 5" in response.get_data(as_text=True)
    page = client.post(link, data={"page": "0", "action": "next", **PAGE1}).get_data(as_text=True)
    assert "Page 2 of 2" in page and BANNER in page
    carried = _hidden(page)
    assert carried["a_e0"] == ["4"] and "invitation" not in carried
    # An invalid value on the last page is refused with the same rules (question_types).
    response = client.post(link, data={**carried, "action": "submit", "q_enps": "11"})
    assert response.status_code == 422 and BANNER in response.get_data(as_text=True)
    response = client.post(link, data={**carried, "action": "submit", "q_enps": "9", "q_tools": ["Mail", "Chat"]})
    thanks = response.get_data(as_text=True)
    assert response.status_code == 200 and "Thank you" in thanks and "This was a preview" in thanks
    assert BANNER in thanks
    db_session.expire_all()
    assert _counts(db_session) == before


def test_back_keeps_answers_and_submit_rechecks_every_page(client, app, wave):
    link = _link(app, wave.id)
    page = client.post(link, data={"page": "0", "action": "next", **PAGE1}).get_data(as_text=True)
    back = client.post(link, data={**_hidden(page), "action": "back", "q_enps": "7"}).get_data(as_text=True)
    assert "Page 1 of 2" in back and 'value="4" checked' in back and _hidden(back)["a_enps"] == ["7"]
    # A forged carried answer is caught by the final check and sends the tester back to its page.
    response = client.post(link, data={"page": "1", "action": "submit", "a_e0": "9", "q_enps": "7"})
    assert response.status_code == 422 and "Page 1 of 2" in response.get_data(as_text=True)


def test_customer_wave_preview_is_one_page(client, app, make, db_session):
    program = make.program(audience="customer", code="CX")
    wave = make.wave(program=program, label="2026-11")
    db_session.commit()
    page = client.get(_link(app, wave.id)).get_data(as_text=True)
    assert BANNER in page and "Your feedback" in page and "Page 1 of" not in page


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
                                    lambda t: "not-a-token", lambda t: t.replace(".", "", 1)])
def test_tampered_link_is_a_plain_404(client, app, wave, mangle):
    token = preview.make_token(app.config["SECRET_KEY"], wave.id)
    for response in (client.get(f"/r/p/{mangle(token)}"),
                     client.post(f"/r/p/{mangle(token)}", data={"page": "0", "action": "next", **PAGE1})):
        assert response.status_code == 404
        assert "This preview link is not valid" in response.get_data(as_text=True)


def test_other_secret_or_invitation_token_does_not_open_a_preview(client, app, wave):
    assert client.get(_link(app, wave.id).replace("/r/p/", "/r/i/")).status_code == 404
    foreign = preview.make_token("another-secret-key-0123456789", wave.id)
    assert client.get(f"/r/p/{foreign}").status_code == 404


def test_expired_link_says_so(client, app, wave, monkeypatch):
    eight_days_ago = int(time.time()) - 8 * 86400
    monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
    token = preview.make_token(app.config["SECRET_KEY"], wave.id)
    monkeypatch.undo()
    response = client.get(f"/r/p/{token}")
    assert response.status_code == 400 and "This preview link has expired" in response.get_data(as_text=True)
    assert client.get(f"/r/p/{preview.make_token(app.config['SECRET_KEY'], wave.id, days=30)}").status_code == 200


def test_link_to_a_deleted_wave_is_a_404(client, app):
    assert client.get(_link(app, 987654)).status_code == 404


def test_program_page_has_a_preview_button_for_hr(client, app, login, wave, db_session):
    login("hr_admin")
    db_session.commit()
    page = client.get(f"/admin/programs/{wave.program_id}").get_data(as_text=True)
    assert "Preview as a respondent" in page
    response = client.get(f"/admin/waves/{wave.id}/preview")
    assert response.status_code == 302 and "/r/p/" in response.headers["Location"]
    assert BANNER in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/admin/waves/987654/preview").status_code == 404


def test_preview_button_needs_hr(client, login, wave, db_session):
    login("executive")
    db_session.commit()
    assert client.get(f"/admin/waves/{wave.id}/preview").status_code == 403
