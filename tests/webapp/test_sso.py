"""Single sign-on through OpenID Connect, against a real provider started by the test suite."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from surveys.models import AuditEvent, StaffSession
from webapp import create_app
from webapp.auth import PASSWORD_OFF
from webapp.config import ConfigError, load_config

from ..conftest import STAFF_PASSWORD
from .oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture(scope="session")
def provider_server():
    provider = Provider()
    provider.thread.start()
    yield provider
    provider.server.shutdown()


@pytest.fixture
def provider(provider_server):
    provider_server.reset()
    return provider_server


@pytest.fixture
def sso_config(app_config, provider) -> dict:
    return {**app_config, "BASE_URL": "http://tandem.test", "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_LABEL": "Sign in with Example ID", "OIDC_ONLY": False}


@pytest.fixture
def sso_client(sso_config):
    return create_app(sso_config).test_client()


def _to_provider(client, path="/login/sso"):
    """Start at Tandem; return the provider's redirect back to Tandem (a URL)."""
    response = client.get(path)
    assert response.status_code == 302, response.data
    authorize = response.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert query["redirect_uri"] == ["http://tandem.test/login/sso/callback"]
    back = requests.get(authorize, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    return back.headers["Location"]


def _callback(client, url):
    parts = urlsplit(url)
    assert parts.netloc == "tandem.test"
    return client.get(f"{parts.path}?{parts.query}")


def sso_sign_in(client, path="/login/sso"):
    """Drive the whole flow across both servers; return Tandem's answer to the callback."""
    return _callback(client, _to_provider(client, path))


def _events(db_session, action):
    db_session.expire_all()
    return [e for e in db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                          .order_by(AuditEvent.seq))]


def test_an_executive_signs_in_and_lands_on_reports(sso_client, provider, make, db_session):
    person = make.staff(role="executive", email="exec@example.com")
    provider.reset(email="Exec@Example.com")  # the provider's spelling does not matter
    response = sso_sign_in(sso_client)
    assert response.status_code == 302 and response.headers["Location"] == "/reports/"
    page = sso_client.get("/reports/")
    assert page.status_code == 200 and person.name.encode() in page.data
    row = db_session.scalars(select(StaffSession)).one()
    assert row.person_id == person.id and row.role == "executive"  # a normal server-side session
    [event] = _events(db_session, "auth.login")
    assert event.actor_id == person.id and event.detail == {"method": "oidc"}


def test_next_is_kept_through_the_provider(sso_client, provider, make):
    make.staff(role="executive", email="exec@example.com")
    response = sso_sign_in(sso_client, "/login/sso?next=/reports/%3Fx%3D1")
    assert response.headers["Location"] == "/reports/?x=1"


def test_roles_stay_managed_in_tandem(sso_client, provider, make):
    make.staff(role="team_lead", email="exec@example.com", team=make.team())
    response = sso_sign_in(sso_client)
    assert response.headers["Location"] == "/teams/"  # the person's Tandem role, whatever the provider says


@pytest.mark.parametrize("setup, reason", [
    ({}, "unknown_email"),
    ({"active": False}, "inactive"),
    ({"role": "employee"}, "unknown_email"),
])
def test_unknown_inactive_and_employee_emails_are_refused_and_audited(sso_client, provider, make, db_session,
                                                                      setup, reason):
    if setup:
        make.person(email="exec@example.com", **{"role": "executive", **setup})
    response = sso_sign_in(sso_client)
    assert response.status_code == 403 and b"no active Tandem staff account" in response.data
    assert db_session.scalars(select(StaffSession)).first() is None
    [event] = _events(db_session, "auth.login_failed")
    assert event.detail["method"] == "oidc" and event.detail["reason"] == reason
    assert "exec@example.com" not in str(event.detail) and len(event.detail["email_hmac"]) == 64
    assert sso_client.get("/reports/").status_code == 302  # not signed in


@pytest.mark.parametrize("verified", [False, "true", None])
def test_an_unverified_email_is_refused(sso_client, provider, make, db_session, verified):
    make.staff(role="executive", email="exec@example.com")
    provider.reset(email_verified=verified)
    response = sso_sign_in(sso_client)
    assert response.status_code == 403 and b"has not verified your email" in response.data
    assert [e.detail["reason"] for e in _events(db_session, "auth.login_failed")] == ["email_not_verified"]


@pytest.mark.parametrize("behaviour, check", [
    ({"nonce": "not-the-one-sent"}, "nonce"),
    ({"aud": "some-other-app"}, "a"),  # Authlib names `azp` here (it is required when aud is not us)
    ({"aud": "some-other-app", "extra": {"azp": CLIENT_ID}}, "aud"),  # a token for another app
    ({"aud": ["some-other-app", "third-app"]}, "aud"),
    ({"iss": "https://impostor.example"}, "iss"),
    ({"lifetime": -600}, "exp"),  # expired ten minutes ago, beyond the two-minute leeway
    ({"stranger_key": True}, ""),  # signed by a key the provider's JWKS does not publish
    ({"tamper": "hr@example.com"}, ""),  # payload swapped after signing
])
def test_a_token_that_does_not_verify_is_refused(sso_client, provider, make, db_session, behaviour, check):
    make.staff(role="executive", email="exec@example.com")
    make.staff(role="hr_admin", email="hr@example.com")
    provider.reset(**behaviour)
    response = sso_sign_in(sso_client)
    assert response.status_code == 400 and b"could not be verified" in response.data
    assert db_session.scalars(select(StaffSession)).first() is None
    [event] = _events(db_session, "auth.login_failed")
    assert event.detail["reason"] == "bad_token" and check in event.detail["error"]


def test_a_forged_state_is_refused(sso_client, provider, make, db_session):
    make.staff(role="executive", email="exec@example.com")
    url = _to_provider(sso_client)
    query = parse_qs(urlsplit(url).query)
    response = sso_client.get("/login/sso/callback", query_string={"code": query["code"][0], "state": "forged"})
    assert response.status_code == 400 and b"not started here" in response.data
    assert [e.detail["reason"] for e in _events(db_session, "auth.login_failed")] == ["bad_state"]


def test_a_callback_from_another_browser_is_refused(sso_client, sso_config, provider, make):
    make.staff(role="executive", email="exec@example.com")
    url = _to_provider(sso_client)  # started by the victim's browser...
    response = _callback(create_app(sso_config).test_client(), url)  # ...finished in the attacker's
    assert response.status_code == 400


def test_a_replayed_callback_is_refused(sso_client, provider, make):
    make.staff(role="executive", email="exec@example.com")
    url = _to_provider(sso_client)
    assert _callback(sso_client, url).status_code == 302
    sso_client.post("/logout")
    assert _callback(sso_client, url).status_code == 400  # the state was used up with the first


def test_provider_error_and_missing_code_get_clear_pages(sso_client, provider, db_session):
    provider.reset(deny=True)
    response = sso_sign_in(sso_client)
    assert response.status_code == 400 and b"did not sign you in (access_denied)" in response.data
    response = sso_client.get("/login/sso/callback", query_string={"state": "x"})
    assert response.status_code == 400 and b"without a sign-in code" in response.data
    assert [e.detail["reason"] for e in _events(db_session, "auth.login_failed")] == ["provider_error",
                                                                                     "missing_code"]


def test_an_unreachable_provider_is_a_clear_page(sso_config):
    client = create_app({**sso_config, "OIDC_ISSUER": "http://127.0.0.1:9"}).test_client()
    response = client.get("/login/sso")
    assert response.status_code == 502 and b"could not be reached" in response.data


def test_login_page_shows_the_button_and_the_password_form(sso_client):
    page = sso_client.get("/login").data
    assert b"Sign in with Example ID" in page and b'href="/login/sso"' in page
    assert b'name="password"' in page and b"<script>" not in page and b"onclick" not in page  # CSP: no inline script


def test_without_sso_there_is_no_button_and_no_route(client):
    page = client.get("/login").data
    assert b"/login/sso" not in page and b'name="password"' in page
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


def test_sso_only_hides_and_refuses_passwords(sso_config, provider, make):
    client = create_app({**sso_config, "OIDC_ONLY": True}).test_client()
    person = make.staff(role="executive", email="exec@example.com")
    page = client.get("/login").data
    assert b"Sign in with Example ID" in page and b'name="password"' not in page
    response = client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
    assert response.status_code == 403 and PASSWORD_OFF.encode() in response.data
    assert sso_sign_in(client).headers["Location"] == "/reports/"


def test_config_is_validated_at_start_up():
    base = {"TANDEM_SECRET_KEY": "x" * 32}
    full = {**base, "TANDEM_OIDC_ISSUER": "https://id.example.com/", "TANDEM_OIDC_CLIENT_ID": "tandem",
            "TANDEM_OIDC_CLIENT_SECRET": "s"}
    config = load_config(full)
    assert config["OIDC_ISSUER"] == "https://id.example.com/" and config["OIDC_LABEL"] == "Sign in with single sign-on"
    assert load_config(base)["OIDC_ISSUER"] is None and not load_config(base)["OIDC_ONLY"]
    for bad, name in [({**base, "TANDEM_OIDC_ISSUER": "https://id.example.com"}, "TANDEM_OIDC_CLIENT_ID"),
                      ({**full, "TANDEM_OIDC_ISSUER": "http://id.example.com"}, "TANDEM_OIDC_ISSUER"),
                      ({**base, "TANDEM_OIDC_ONLY": "1"}, "TANDEM_OIDC_ONLY"),
                      ({**full, "TANDEM_OIDC_ONLY": "yes"}, "TANDEM_OIDC_ONLY")]:
        with pytest.raises(ConfigError, match=name):
            load_config(bad)
