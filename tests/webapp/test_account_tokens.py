"""/account/tokens: staff make a token (shown once), see its history, revoke it; nobody else can."""
from __future__ import annotations

import re

from sqlalchemy import select

from surveys.models import ApiToken, AuditEvent
from surveys.org import api_tokens

TOKEN = re.compile(r"tdm_[A-Za-z0-9_-]{40,}")


def test_a_token_is_shown_once_and_works_until_revoked(client, db_session, login):
    person = login("team_lead")
    page = client.get("/account/tokens")
    assert page.status_code == 200 and b"No tokens yet" in page.data
    made = client.post("/account/tokens", data={"name": "board pack", "expires": "30"})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(made.get_data(as_text=True)).group(0)
    row = db_session.scalars(select(ApiToken)).one()
    assert (row.person_id, row.name, row.role) == (person.id, "board pack", "team_lead")
    assert row.token_hash == api_tokens.hash_token("test-secret-key-0123456789", token)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert token not in listing and "board pack" in listing and f"tdm_…{token[-4:]}" in listing
    assert "never" in listing  # not used yet
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/reports", headers=auth).status_code == 200
    revoked = client.post(f"/account/tokens/{row.id}/revoke", follow_redirects=True)
    assert revoked.status_code == 200 and b"revoked" in revoked.data
    assert client.get("/api/v1/reports", headers=auth).status_code == 401
    actions = list(db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("api_token.%"))))
    assert actions == ["api_token.create", "api_token.revoke", "api_token.refused"]


def test_a_token_that_never_expires_and_a_bad_form(client, db_session, login):
    login("executive")
    assert client.post("/account/tokens", data={"name": "forever", "expires": "never"}).status_code == 200
    assert db_session.scalars(select(ApiToken)).one().expires_at is None
    bad = client.post("/account/tokens", data={"name": "", "expires": "90"})
    assert bad.status_code == 400 and b"Give the token a name" in bad.data
    assert client.post("/account/tokens", data={"name": "x", "expires": "9999"}).status_code == 400
    assert db_session.scalars(select(ApiToken)).all()[0].name == "forever"


def test_nobody_revokes_another_persons_token(client, db_session, login, make):
    other = make.staff(role="executive")
    row, _token = api_tokens.create(db_session, other, "theirs", "test-secret-key-0123456789")
    db_session.commit()
    login("executive")
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert b"theirs" not in client.get("/account/tokens").data
    db_session.expire_all()
    assert db_session.get(ApiToken, row.id).revoked_at is None


def test_only_signed_in_staff_reach_the_page(client):
    resp = client.get("/account/tokens")
    assert resp.status_code in (302, 401)
    assert client.post("/account/tokens", data={"name": "x", "expires": "30"}).status_code in (302, 401)
