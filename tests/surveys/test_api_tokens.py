"""Personal API tokens as a service: made once, stored as a keyed hash, refused when revoked, expired,
or when their person changed role or was deactivated; every change and refusal audited."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.errors import NotFound, ValidationError
from surveys.models import ApiToken, AuditEvent
from surveys.org import api_tokens
from surveys.org.api_tokens import TokenRefused

SECRET = "test-secret-key-0123456789"
NOW = dt.datetime(2026, 6, 1, 12, 0)


def _actions(db_session) -> list[str]:
    return list(db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_the_token_is_returned_once_and_only_its_keyed_hash_is_stored(db_session, make):
    person = make.staff(role="executive")
    row, token = api_tokens.create(db_session, person, "  board   pack ", SECRET, days=30, now=NOW)
    assert token.startswith("tdm_") and len(token) > 40
    assert row.name == "board pack" and row.role == "executive" and row.hint == token[-4:]
    assert row.token_hash == api_tokens.hash_token(SECRET, token) != api_tokens.hash_token("another-secret-key", token)
    assert token not in {row.token_hash, row.name, row.hint}
    assert row.expires_at == NOW + dt.timedelta(days=30)
    use = api_tokens.authenticate(db_session, token, SECRET, NOW)
    assert use.person.id == person.id and use.token_id == row.id
    assert _actions(db_session) == ["api_token.create"]


def test_a_wrong_secret_or_a_tampered_token_is_unknown(db_session, make):
    _row, token = api_tokens.create(db_session, make.staff(), "t", SECRET, now=NOW)
    for presented, secret in ((token, "another-secret-key"), (token[:-1] + ("A" if token[-1] != "A" else "B"), SECRET),
                              ("", SECRET), ("tdm_" + "x" * 200, SECRET), (token[4:], SECRET)):
        with pytest.raises(TokenRefused) as err:
            api_tokens.authenticate(db_session, presented, secret, NOW)
        assert err.value.reason == "unknown" and err.value.token is None


def test_revoked_and_expired_tokens_are_refused(db_session, make):
    person = make.staff(role="team_lead")
    revoked, t1 = api_tokens.create(db_session, person, "old", SECRET, now=NOW)
    expiring, t2 = api_tokens.create(db_session, person, "short", SECRET, days=1, now=NOW)
    api_tokens.revoke(db_session, person.id, revoked.id, now=NOW)
    api_tokens.revoke(db_session, person.id, revoked.id, now=NOW)  # twice: harmless, audited once
    with pytest.raises(TokenRefused) as err:
        api_tokens.authenticate(db_session, t1, SECRET, NOW)
    assert err.value.reason == "revoked"
    assert api_tokens.authenticate(db_session, t2, SECRET, NOW + dt.timedelta(hours=23)).token_id == expiring.id
    with pytest.raises(TokenRefused) as err:
        api_tokens.authenticate(db_session, t2, SECRET, NOW + dt.timedelta(days=1))
    assert err.value.reason == "expired"
    assert [t.state(NOW + dt.timedelta(days=2)) for t in api_tokens.tokens_of(db_session, person.id)] == \
        ["expired", "revoked"]
    assert _actions(db_session).count("api_token.revoke") == 1


def test_a_token_stops_when_its_person_changes_role_or_is_deactivated(db_session, make):
    person = make.staff(role="executive")
    _row, token = api_tokens.create(db_session, person, "t", SECRET, now=NOW)
    person.role = "team_lead"  # demoted: the token made as an executive must not keep reading as one
    db_session.flush()
    with pytest.raises(TokenRefused) as err:
        api_tokens.authenticate(db_session, token, SECRET, NOW)
    assert err.value.reason == "role_changed"
    person.role = "executive"
    person.active = False
    db_session.flush()
    with pytest.raises(TokenRefused) as err:
        api_tokens.authenticate(db_session, token, SECRET, NOW)
    assert err.value.reason == "inactive"
    person.active = True
    person.role = "employee"  # no longer staff at all
    db_session.flush()
    with pytest.raises(TokenRefused) as err:
        api_tokens.authenticate(db_session, token, SECRET, NOW)
    assert err.value.reason == "inactive"


def test_a_person_revokes_only_their_own_tokens(db_session, make):
    owner, other = make.staff(), make.staff()
    row, _ = api_tokens.create(db_session, owner, "t", SECRET, now=NOW)
    with pytest.raises(NotFound):
        api_tokens.revoke(db_session, other.id, row.id)
    with pytest.raises(NotFound):
        api_tokens.revoke(db_session, owner.id, row.id + 1000)
    assert row.revoked_at is None


def test_names_lifetimes_and_who_may_hold_tokens_are_checked(db_session, make):
    person = make.staff()
    for name, days, field in (("", None, "name"), ("x" * 101, None, "name"), ("ok", 0, "expires"),
                              ("ok", 10_000, "expires")):
        with pytest.raises(ValidationError) as err:
            api_tokens.create(db_session, person, name, SECRET, days=days, now=NOW)
        assert err.value.field == field
    with pytest.raises(ValidationError):
        api_tokens.create(db_session, make.person(role="employee"), "t", SECRET, now=NOW)
    for i in range(api_tokens.MAX_ACTIVE):
        api_tokens.create(db_session, person, f"t{i}", SECRET, now=NOW)
    with pytest.raises(ValidationError, match="active tokens"):
        api_tokens.create(db_session, person, "one too many", SECRET, now=NOW)


def test_touch_writes_last_used_at_most_once_a_minute(db_session, make):
    row, _ = api_tokens.create(db_session, make.staff(), "t", SECRET, now=NOW)
    api_tokens.touch(db_session, row.id, NOW)
    api_tokens.touch(db_session, row.id, NOW + dt.timedelta(seconds=30))
    db_session.expire_all()
    assert db_session.get(ApiToken, row.id).last_used_at == NOW
    api_tokens.touch(db_session, row.id, NOW + dt.timedelta(seconds=61))
    db_session.expire_all()
    assert db_session.get(ApiToken, row.id).last_used_at == NOW + dt.timedelta(seconds=61)


def test_a_refusal_is_audited_with_the_owner_when_the_token_is_known(db_session, make):
    person = make.staff()
    row, token = api_tokens.create(db_session, person, "t", SECRET, now=NOW)
    api_tokens.revoke(db_session, person.id, row.id, now=NOW)
    with pytest.raises(TokenRefused) as err:
        api_tokens.authenticate(db_session, token, SECRET, NOW)
    api_tokens.record_refusal(db_session, err.value, "f" * 64)
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.actor_id, event.entity_id) == ("api_token.refused", person.id, row.id)
    assert event.detail == {"reason": "revoked", "address": "f" * 64}
    assert token not in str(event.detail)
