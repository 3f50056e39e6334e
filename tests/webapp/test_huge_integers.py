"""Numbers of 2**31 (PostgreSQL's integer) or 2**63 (SQLite) or more in an address or a form are a 404 or a form error, never a 500.

SQLite raises OverflowError from 2**63 and PostgreSQL's integer overflows from 2**31; webapp.bounds stops
them before any query (run this file on PostgreSQL too, with TEST_DATABASE_URL).
"""
from __future__ import annotations

import datetime as dt
import io

import pytest

from surveys.models import utcnow
from webapp.bounds import MAX_ID

HUGE = [2**31, 2**63, 2**64, 10**30]
TOMORROW = (utcnow() + dt.timedelta(days=1)).date()


@pytest.fixture
def hr(login, db_session):
    person = login("hr_admin")
    db_session.commit()
    return person


@pytest.fixture
def survey_id(make, db_session):
    survey = make.survey()
    db_session.commit()
    return survey.id


@pytest.mark.parametrize("number", [*HUGE, MAX_ID])
def test_addresses_are_404(client, hr, survey_id, number):
    for path in (f"/admin/programs/{number}", f"/admin/programs/{number}/edit", f"/admin/waves/{number}/open",
                 f"/admin/waves/{number}/participation", f"/admin/waves/{number}/preview",
                 f"/admin/instruments/{number}", f"/admin/instruments/{survey_id}/questions/{number}/edit"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.get_data(as_text=True), path
    for path in (f"/admin/waves/{number}/close", f"/admin/programs/{number}/waves",
                 f"/admin/programs/{number}/past-waves", f"/admin/instruments/{number}/questions/{number}/move"):
        status = client.post(path, data={"closes_at": "2031-01-01T09:00"}).status_code
        assert status == 404 or (number == MAX_ID and status == 400), path  # in range: the form is checked first


@pytest.mark.parametrize("number", HUGE)
def test_form_numbers_are_form_errors(client, hr, make, db_session, number):
    program = make.program(audience="customer", code="CX")
    make.wave(program=program, opens_at=utcnow() - dt.timedelta(days=1))
    make.touchpoint(code="DESK")
    db_session.commit()
    data = {"code": "pulse", "name": "Pulse", "instrument": "template:engagement", "cadence": "monthly",
            "wave_days": str(number), "reminder_days": str(number), "first_opens_on": TOMORROW.isoformat(),
            "teams": [str(number)]}
    response = client.post("/admin/programs/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This number is too large." in page
    assert "Targeted teams: &#39;" in page and "is not a team from the list" in page  # the team id
    assert "could not be coerced" not in page
    response = client.post("/admin/touchpoints/contact-links", data={"program": "CX", "touchpoint": "DESK",
                                                                     "count": str(number)})
    assert response.status_code == 400
    response = client.post("/admin/imports", content_type="multipart/form-data",
                           data={"kind": "responses", "wave": str(number),
                                 "file": (io.BytesIO(b"team,eng1\n"), "r.csv")})
    assert response.status_code == 400
    assert "Choose the employee program and wave" in response.get_data(as_text=True)


def test_ordinary_ids_still_work(client, hr, make, db_session):
    program = make.program()
    db_session.commit()
    assert client.get(f"/admin/programs/{program.id}").status_code == 200
    assert client.get(f"/admin/programs/{MAX_ID}").status_code == 404  # the largest id there can be
