"""/api/v1/openapi.json is a valid OpenAPI 3.1 document, and the API's answers obey its schemas."""
from __future__ import annotations

import datetime as dt

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from surveys.collection import submission
from surveys.insights.reports import EXPORTABLE, REPORTS, available
from surveys.org import api_tokens


@pytest.fixture
def document(client):
    resp = client.get("/api/v1/openapi.json")  # public: it describes the API, it holds no data
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate

    validate(document)  # raises on any structural error
    assert document["openapi"] == "3.1.0"


def test_every_served_report_and_parameter_is_described(document):
    paths = document["paths"]
    for name in REPORTS:
        described = f"/api/v1/reports/{name}" in paths
        assert described == (name in EXPORTABLE and available(name)), name
    op = paths["/api/v1/reports/participation"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"program", "wave", "unit", "compare"} <= names
    assert set(op["responses"]) == {"200", "400", "401", "403", "429"}
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    figure = document["components"]["schemas"]["Figure"]
    assert set(figure["required"]) == {"unit", "unit_name", "metric", "period", "value", "n", "ci_low", "ci_high",
                                       "suppressed"}


def _validator(document, name: str) -> Draft202012Validator:
    # The components as a resource, so "#/components/schemas/..." references resolve as in the document.
    root = Resource.from_contents({**document, "$schema": "https://json-schema.org/draft/2020-12/schema"})
    registry = Registry().with_resource("urn:tandem-api", root)
    return Draft202012Validator({"$ref": f"urn:tandem-api#/components/schemas/{name}"}, registry=registry)


def test_answers_obey_the_schemas(client, db_session, make, document):
    team = make.team(code="A", name="Alpha")
    program = make.program(survey=make.survey(questions=[{"code": "e1", "qtype": "likert5",
                                                          "dimension": "engagement"}]), code="EX")
    wave = make.wave(program, status="closed", label="W1", opens_at=dt.datetime(2026, 1, 1))
    for i in range(6):
        make.invitation(wave, make.person(team=team))
        submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                  parsed={wave.survey.questions[0]: (1 + i % 5, None)}, today=dt.date(2026, 1, 3))
    person = make.staff(role="executive")
    _row, token = api_tokens.create(db_session, person, "t", "test-secret-key-0123456789")
    db_session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    assert not _validator(document, "Report").is_valid({"report": "x", "figures": [{"unit": 1}]})  # it checks
    for name in EXPORTABLE:
        if available(name):
            resp = client.get(f"/api/v1/reports/{name}", headers=auth)
            schema = "Report" if resp.status_code == 200 else "Error"
            _validator(document, schema).validate(resp.get_json())
    _validator(document, "Error").validate(client.get("/api/v1/reports/participation?unit=X", headers=auth).get_json())
    _validator(document, "Error").validate(client.get("/api/v1/reports/participation").get_json())
