"""What respondents and executives see of frozen membership, and where the link's token goes (issue 8)."""
from __future__ import annotations

import json

from sqlalchemy import select, text

from surveys.collection import drafts
from surveys.fieldwork import scheduling
from surveys.models import Invitation, utcnow
from surveys.tokens import new_token
from webapp.respond.views import KEY_KEY, SESSION_KEY

NOW = utcnow()


def _open_wave(db_session, make):
    """ORG > OPS (7 long-standing people), SALES (6, and a newcomer); a head alone in ORG."""
    root = make.team(code="ORG", name="Organisation")
    ops = make.team(code="OPS", name="Operations", parent=root)
    sales = make.team(code="SALES", name="Sales", parent=root)
    people = [make.person(team=ops) for _ in range(7)] + [make.person(team=sales) for _ in range(6)]
    make.person(team=sales, joined=NOW)  # joined today: counts towards no group's size
    head = make.person(team=root, role="team_lead")
    wave = make.wave(program=make.program(), status="draft", opens_at=NOW, days=14)
    scheduling.open_wave(db_session, wave.id, NOW, None, 5, 10, 30)
    return wave, people[0], head, people[-1]


def _link(db_session, wave, person) -> str:
    inv = db_session.scalar(select(Invitation).where(Invitation.wave_id == wave.id, Invitation.person_id == person.id))
    token, inv.token_hash = new_token()
    db_session.commit()
    return token


def test_promise_names_the_unit_and_how_many_are_pooled(client, db_session, make):
    wave, member, head, seller = _open_wave(db_session, make)
    client.get(f"/r/i/{_link(db_session, wave, member)}")
    page = client.get("/r/survey").get_data(as_text=True)
    assert "the group <strong>Operations</strong>" in page and "those of the 7 people" in page
    assert "is pooled with it" not in page
    client.delete_cookie("session", domain="tandem.test")
    client.get(f"/r/i/{_link(db_session, wave, head)}")
    page = client.get("/r/survey").get_data(as_text=True)
    # The head is alone in ORG, whose group then absorbs SALES (the smallest unit): 1 + 6 people.
    assert "the group <strong>Organisation</strong>" in page and "those of the 7 people" in page
    client.delete_cookie("session", domain="tandem.test")
    client.get(f"/r/i/{_link(db_session, wave, seller)}")
    page = client.get("/r/survey").get_data(as_text=True)
    assert "the group <strong>Organisation</strong>" in page and "is pooled with it" in page


def test_the_token_stays_out_of_the_database_and_the_cookie(app, client, db_session, make):
    wave, member, _head, _seller = _open_wave(db_session, make)
    token = _link(db_session, wave, member)
    client.get(f"/r/i/{token}")
    cookie = client.get_cookie("session", domain="tandem.test")
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert token not in cookie.value and token not in str(data)
    assert drafts.decode_key(data[KEY_KEY]) == drafts.key_for(token) and isinstance(data[SESSION_KEY], int)
    client.post("/r/survey/start")
    inv_id = data[SESSION_KEY]
    client.post("/r/survey", data={"invitation": str(inv_id), "page": "0", "action": "save", "q_eng1": "2"})
    row = db_session.execute(text("SELECT * FROM invitations WHERE id = :i"), {"i": inv_id}).mappings().one()
    assert token not in str(dict(row)) and "eng1" not in str(row["draft"])
    sealed = json.loads(row["draft"]) if isinstance(row["draft"], str) else row["draft"]
    assert drafts.unseal(drafts.key_for(token), inv_id, sealed) == {"page": 0, "answers": {"eng1": "2"}}


def test_a_reminder_link_offers_to_start_again(client, db_session, make):
    wave, member, _head, _seller = _open_wave(db_session, make)
    first = _link(db_session, wave, member)
    client.get(f"/r/i/{first}")
    client.post("/r/survey/start")
    reminder = _link(db_session, wave, member)  # a reminder replaced the link
    client.delete_cookie("session", domain="tandem.test")
    client.get(f"/r/i/{reminder}")
    response = client.get("/r/survey")
    assert response.status_code == 409 and "link of an earlier email" in response.get_data(as_text=True)
    assert client.post("/r/survey/start", data={"restart": "yes"}).status_code == 302
    assert 'name="q_eng1"' in client.get("/r/survey").get_data(as_text=True)


def test_executives_see_recent_joins_before_a_wave(client, db_session, make, login):
    _open_wave(db_session, make)
    login("executive")
    db_session.commit()
    page = client.get("/reports/").get_data(as_text=True)
    assert "1 person joined Sales within 30 days before" in page
