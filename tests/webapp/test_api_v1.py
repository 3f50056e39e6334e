"""/api/v1/reports/NAME: the CLI's JSON for the token owner's scope; every error is JSON."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from surveys.collection import submission
from surveys.insights.reports import EXPORTABLE, REPORTS, available
from surveys.models import ApiToken, AuditEvent, Person
from surveys.org import api_tokens

SECRET = "test-secret-key-0123456789"  # the test app's SECRET_KEY (tests/conftest.py)
QUESTIONS = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
             {"code": "c1", "qtype": "likert5", "dimension": "culture"},
             {"code": "enps", "qtype": "scale0_10", "dimension": "enps"}]
CX = [{"code": "csat", "qtype": "likert5", "dimension": "csat"}]


@pytest.fixture
def org(db_session, make):
    """DEPT with teams A and B, and C on its own; two closed waves with 6 answers per team; customer answers."""
    dept = make.team(code="DEPT", name="Department")
    teams = [make.team(code="A", name="Alpha", parent=dept), make.team(code="B", name="Beta", parent=dept),
             make.team(code="C", name="Gamma")]
    program = make.program(survey=make.survey(questions=QUESTIONS), code="EX")
    cx_wave = make.wave(make.program(survey=make.survey(audience="customer", questions=CX), code="CX"),
                        opens_at=dt.datetime(2026, 1, 1), days=120, status="closed", label="CX1")
    for month, label in ((1, "W1"), (3, "W2")):
        wave = make.wave(program, opens_at=dt.datetime(2026, month, 1), days=10, status="closed", label=label)
        e1, c1, enps = wave.survey.questions
        for t, team in enumerate(teams):
            tp = make.touchpoint(team=team)
            for _ in range(6):
                make.invitation(wave, make.person(team=team))
            for i in range(6):
                submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                          parsed={e1: (1 + (i + t) % 5, None), c1: (2 + i % 4, None),
                                                  enps: ((i * 3 + t) % 11, None)}, today=dt.date(2026, month, 3))
                submission.store_response(db_session, wave=cx_wave, team_id=team.id, source="import",
                                          parsed={cx_wave.survey.questions[0]: (1 + (i + t) % 5, None)},
                                          today=dt.date(2026, month, 5), touchpoint=tp)
    db_session.commit()
    return {"dept": dept, "teams": teams}


@pytest.fixture
def token_for(db_session, make):
    """Make a staff member of `role` and a token of theirs; returns (person, Authorization headers)."""

    def _make(role="executive", **kwargs):
        person = make.staff(role=role, **kwargs)
        _row, token = api_tokens.create(db_session, person, "script", SECRET)
        db_session.commit()
        return person, {"Authorization": f"Bearer {token}"}

    return _make


def _error(resp, status):
    assert resp.status_code == status, resp.data
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["status"] == status and body["error"] and body["message"]
    return body


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_gives_the_cli_json(client, runner, org, token_for, name):
    if not available(name):
        pytest.skip(f"surveys/insights/reports/{name}.py has not landed on this branch")
    _person, auth = token_for("executive")
    resp = client.get(f"/api/v1/reports/{name}", headers=auth)
    if name not in EXPORTABLE:
        _error(resp, 404)
        return
    cli = runner.invoke(args=["report", name, "--format", "json"])
    if cli.exit_code != 0:  # the demo data may not suit a report: then both refuse, with the same message
        assert "Error" in cli.output
        assert _error(resp, 400)["message"] in cli.output
        return
    assert resp.status_code == 200, resp.data
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.get_data(as_text=True).strip() == cli.output.strip()  # byte for byte the CLI's JSON
    assert json.loads(resp.data)["report"] == name


def test_parameters_are_those_of_the_cli(client, runner, org, token_for):
    _person, auth = token_for("hr_admin")
    query = "program=EX&wave=W1&unit=DEPT&compare=org"
    api = client.get(f"/api/v1/reports/participation?{query}", headers=auth).get_json()
    cli = json.loads(runner.invoke(args=["report", "participation", "--program", "EX", "--wave", "W1",
                                         "--unit", "DEPT", "--compare", "org", "--format", "json"]).output)
    assert api == cli
    assert api["parameters"]["wave"] == "W1" and {f["unit"] for f in api["figures"]} == {"A", "B"}


@pytest.mark.parametrize("query, parameter", [("unit=NOPE", "unit"), ("compare=sideways", "compare"),
                                              ("wave=W9", "wave"), ("program=NOPE", "program"),
                                              ("unit=" + "x" * 300, "unit"), ("colour=red", "colour")])
def test_a_bad_parameter_is_400_naming_it(client, org, token_for, query, parameter):
    _person, auth = token_for("executive")
    body = _error(client.get(f"/api/v1/reports/participation?{query}", headers=auth), 400)
    assert body["parameter"] == parameter


def test_no_or_bad_token_is_401_json_and_refusals_are_audited(client, db_session, org, token_for, login):
    resp = client.get("/api/v1/reports/participation")
    assert _error(resp, 401)["message"].startswith("No API token")
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Basic abc", "Bearer", "Bearer tdm_not-a-real-token"):
        _error(client.get("/api/v1/reports/participation", headers={"Authorization": header}), 401)
    refused = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.refused")).all()
    assert [e.detail["reason"] for e in refused] == ["unknown"]  # only a presented token is a use
    login("executive")  # a browser session does not open the API
    _error(client.get("/api/v1/reports/participation"), 401)


def test_revoked_expired_and_role_changed_tokens_are_refused(client, db_session, org, token_for):
    person, auth = token_for("executive")
    assert client.get("/api/v1/reports/participation", headers=auth).status_code == 200
    # Each request closes the shared session: change rows with statements, not detached objects.
    db_session.execute(update(Person).where(Person.id == person.id).values(role="team_lead"))
    db_session.commit()
    assert "another role" in _error(client.get("/api/v1/reports/participation", headers=auth), 401)["message"]
    db_session.execute(update(Person).where(Person.id == person.id).values(role="executive"))
    db_session.execute(update(ApiToken).where(ApiToken.person_id == person.id)
                       .values(expires_at=dt.datetime(2020, 1, 1)))
    db_session.commit()
    assert "expired" in _error(client.get("/api/v1/reports/participation", headers=auth), 401)["message"]
    token = db_session.scalars(select(ApiToken).where(ApiToken.person_id == person.id)).one()
    token.expires_at = None
    api_tokens.revoke(db_session, person.id, token.id)
    db_session.commit()
    assert "revoked" in _error(client.get("/api/v1/reports/participation", headers=auth), 401)["message"]
    reasons = [e.detail["reason"] for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_token.refused").order_by(AuditEvent.seq))]
    assert reasons == ["role_changed", "expired", "revoked"]


def test_a_team_lead_reads_their_subtree_and_never_linkage(client, db_session, org, token_for):
    lead, auth = token_for("team_lead", team=org["dept"])
    org["dept"].lead_id = lead.id
    db_session.commit()
    data = client.get("/api/v1/reports/participation", headers=auth).get_json()
    assert {f["unit"] for f in data["figures"]} == {"A", "B"}
    assert _error(client.get("/api/v1/reports/participation?unit=C", headers=auth), 400)["parameter"] == "unit"
    assert _error(client.get("/api/v1/reports/linkage", headers=auth), 403)
    listed = client.get("/api/v1/reports", headers=auth).get_json()["reports"]
    assert "linkage" not in {r["name"] for r in listed} and "participation" in {r["name"] for r in listed}


def test_unknown_report_and_unknown_path_are_404_json(client, org, token_for):
    _person, auth = token_for("executive")
    _error(client.get("/api/v1/reports/nonsense", headers=auth), 404)
    _error(client.get("/api/v1/nothing-here", headers=auth), 404)
    assert "comments" not in {r["name"] for r in client.get("/api/v1/reports", headers=auth).get_json()["reports"]}


def test_each_use_is_audited_and_marks_the_token_used(client, db_session, org, token_for):
    person, auth = token_for("executive")
    assert client.get("/api/v1/reports/participation?wave=W1", headers=auth).status_code == 200
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export.report")).one()
    assert event.actor_id == person.id and event.detail["format"] == "api"
    assert event.detail["parameters"]["wave"] == "W1" and event.detail["rows"] == 3
    db_session.expire_all()
    assert db_session.scalars(select(ApiToken)).one().last_used_at is not None


def test_each_token_is_rate_limited(app, client, org, token_for):
    app.config["API_RATE_LIMIT"] = "2/3600"
    _person, auth = token_for("executive")
    _other, other_auth = token_for("executive")
    assert [client.get("/api/v1/reports", headers=auth).status_code for _ in range(2)] == [200, 200]
    resp = client.get("/api/v1/reports", headers=auth)
    _error(resp, 429)
    assert int(resp.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/reports", headers=other_auth).status_code == 200  # per token, not global
