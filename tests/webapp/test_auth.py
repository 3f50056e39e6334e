"""Staff sign-in, sign-out, CSRF, the role guard, landing pages and team scope."""
from __future__ import annotations

import datetime as dt

import pytest

from surveys.models import Person, utcnow
from surveys.org import accounts, hierarchy, signin
from webapp import create_app
from webapp.auth import GENERIC_LOGIN_ERROR

from ..conftest import STAFF_PASSWORD

LANDINGS = {"hr_admin": "/admin/", "executive": "/reports/", "team_lead": "/teams/"}


@pytest.mark.parametrize("role", sorted(LANDINGS))
def test_each_role_lands_on_its_page(client, make, role):
    person = make.staff(role=role, team=make.team())
    response = client.post("/login", data={"email": person.email.upper(), "password": STAFF_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith(LANDINGS[role])
    page = client.get(LANDINGS[role], follow_redirects=True)  # a team lead's goes on to their team's page
    assert page.status_code == 200 and person.name.encode() in page.data


@pytest.mark.parametrize("email, password", [("known", "wrong-password"), ("nobody@example.com", "whatever-123")])
def test_wrong_credentials_get_one_generic_message(client, make, email, password):
    person = make.staff()
    response = client.post("/login", data={"email": person.email if email == "known" else email,
                                            "password": password})
    assert response.status_code == 401
    assert GENERIC_LOGIN_ERROR.encode() in response.data


def test_employees_and_inactive_staff_cannot_sign_in(client, make):
    employee = make.person(role="employee", password=STAFF_PASSWORD)
    inactive = make.staff(active=False)
    for person in (employee, inactive):
        response = client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
        assert response.status_code == 401


def test_logout_ends_the_session(client, login):
    login("hr_admin")
    assert client.get("/admin/").status_code == 200
    assert client.post("/logout").status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_role_guard_refuses_other_roles(client, login):
    login("executive")
    assert client.get("/admin/").status_code == 403
    assert client.get("/reports/").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "/\t/evil.example", "/\\evil.example",
                                    "https://evil.example/", "javascript:alert(1)", "/\n/evil.example"])
def test_next_parameter_cannot_redirect_off_site(client, make, target):
    person = make.staff()
    response = client.post("/login", query_string={"next": target},
                           data={"email": person.email, "password": STAFF_PASSWORD})
    assert response.headers["Location"] == "/admin/"


def test_next_parameter_keeps_same_site_paths(client, make):
    person = make.staff()
    response = client.post("/login", query_string={"next": "/reports/?x=1"},
                           data={"email": person.email, "password": STAFF_PASSWORD})
    assert response.headers["Location"] == "/reports/?x=1"


def test_csrf_refuses_a_form_without_token(app_config, make):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    person = make.staff()
    response = app.test_client().post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert b"expired or was not sent by this site" in response.data


def test_api_errors_are_json(client):
    assert client.get("/api/me").get_json()["status"] == 401
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"] == "Not found"


def test_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and b"<html" in response.data


def test_password_hash_is_argon2id(db_session):
    person = accounts.create_user(db_session, email="A@Example.com", name="A", role="hr_admin",
                                password="long-enough-pw")
    assert person.email == "a@example.com"
    assert person.password_hash.startswith("$argon2id$")
    params = dict(p.split("=") for p in person.password_hash.split("$")[3].split(","))
    # OWASP minimum for argon2id: m >= 19 MiB, t >= 2, p >= 1
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1


def test_team_lead_scope_covers_descendants_only(db_session, make):
    root = make.team()
    dept = make.team(parent=root)
    team_a, team_b = make.team(parent=dept), make.team(parent=dept)
    grandchild = make.team(parent=team_a)
    other = make.team(parent=root)
    assert set(hierarchy.team_scope(db_session, dept.id)) == {dept.id, team_a.id, team_b.id, grandchild.id}
    assert other.id not in hierarchy.team_scope(db_session, dept.id)


def test_team_lead_sees_only_their_teams(client, login, make):
    mine, _theirs = make.team(name="Mine"), make.team(name="Theirs")
    login("team_lead", team=mine)
    page = client.get("/actions/").data
    assert b"Mine" in page and b"Theirs" not in page


def test_cli_user_create_prompts_for_password(runner, db_session):
    result = runner.invoke(args=["user", "create", "--email", "hr2@example.com", "--role", "hr_admin"],
                           input="a-good-password\na-good-password\n")
    assert result.exit_code == 0, result.output
    person = db_session.query(Person).filter_by(email="hr2@example.com").one()
    assert accounts.authenticate(db_session, "hr2@example.com", "a-good-password") == person


def test_cli_user_create_reports_bad_input(runner, make):
    existing = make.staff()
    result = runner.invoke(args=["user", "create", "--email", existing.email, "--role", "hr_admin",
                                 "--password", "a-good-password"])
    assert result.exit_code != 0 and "already exists" in result.output
    short = runner.invoke(args=["user", "create", "--email", "x@example.com", "--role", "executive",
                                "--password", "short"])
    assert short.exit_code != 0 and "at least 12 characters" in short.output


def test_cli_set_password_lets_imported_staff_sign_in(runner, make, db_session):
    lead = make.person(role="team_lead")
    db_session.commit()
    result = runner.invoke(args=["user", "set-password", lead.email], input="new-password-1\nnew-password-1\n")
    assert result.exit_code == 0, result.output
    assert accounts.authenticate(db_session, lead.email, "new-password-1").id == lead.id


def test_cli_set_password_refuses_employees_and_unknown_emails(runner, make):
    employee = make.person(role="employee")
    for email, message in ((employee.email, "employees answer through links"), ("ghost@example.com", "No person")):
        result = runner.invoke(args=["user", "set-password", email, "--password", "new-password-1"])
        assert result.exit_code != 0 and message in result.output


def test_get_requests_do_not_take_the_sqlite_write_lock(engine, tmp_path):
    """Every GET (reports, admin, respondent pages) begins DEFERRED, so respondents' writes are not queued
    behind it; a POST begins IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite-only locking behaviour")
    from webapp.db import get_session

    # Its own app without the rolled-back test session, whose open transaction holds the write lock.
    app = create_app({"TESTING": True, "ENGINE": engine, "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "test-secret-key-0123456789"})
    seen = []
    listener = lambda conn, *a: seen.append(conn.get_execution_options().get("sqlite_begin", "IMMEDIATE"))  # noqa: E731
    from sqlalchemy import event

    event.listen(engine, "begin", listener)
    try:
        for path in ("/reports/", "/admin/programs/1", "/r/survey"):
            with app.test_request_context(path, method="GET"):
                get_session().connection()
        with app.test_request_context("/login", method="POST"):
            get_session().connection()
    finally:
        event.remove(engine, "begin", listener)
    assert seen == ["DEFERRED", "DEFERRED", "DEFERRED", "IMMEDIATE"]


def test_lead_scope_follows_the_teams_a_person_leads(db_session, make):
    dept = make.team()
    led, sibling = make.team(parent=dept), make.team(parent=dept)
    child = make.team(parent=led)
    lead = make.staff(role="team_lead", team=dept)  # sits in the department, leads one team
    led.lead = lead
    db_session.flush()
    assert hierarchy.lead_scope(db_session, lead.id, dept.id) == sorted([led.id, child.id])
    assert sibling.id not in hierarchy.lead_scope(db_session, lead.id, dept.id)
    loner = make.staff(role="team_lead", team=sibling)  # leads nothing: their own team
    assert hierarchy.lead_scope(db_session, loner.id, sibling.id) == [sibling.id]


def test_failed_sign_ins_slow_down_the_account_without_locking_it(client, make, monkeypatch):
    person, start = make.staff(), utcnow()
    monkeypatch.setattr(signin, "utcnow", lambda: start)  # a slow machine must not outwait the delay
    for _ in range(signin.PER_ACCOUNT.free + 1):
        assert client.post("/login", data={"email": person.email, "password": "wrong-password"}).status_code == 401
    slowed = client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD})
    assert slowed.status_code == 429 and b"Too many failed sign-ins. Please wait 1 second" in slowed.data
    assert slowed.headers["Retry-After"] == "1"
    other = make.staff()  # another account from the same address still gets in
    assert client.post("/login", data={"email": other.email, "password": STAFF_PASSWORD}).status_code == 302
    monkeypatch.setattr(signin, "utcnow", lambda: start + dt.timedelta(seconds=1))  # the delay is over
    assert client.post("/login", data={"email": person.email, "password": STAFF_PASSWORD}).status_code == 302
