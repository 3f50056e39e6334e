"""Respondents see a program's public title (or the instrument's title), never its internal name or code."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surveys.collection import public_links
from surveys.models import AuditEvent, Program, utcnow

NOW = utcnow()
INTERNAL = "ZZ internal budget pulse"


@pytest.fixture
def customer_program(make, db_session):
    program = make.program(audience="customer", code="cx-int-7")
    program.name = INTERNAL
    make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    make.touchpoint(code="DESK", channel="store")
    db_session.commit()
    return program


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_customer_page_shows_public_title_not_internal_name(client, db_session, customer_program):
    page = _page(client.get("/r/c/cx-int-7/DESK"))
    assert INTERNAL not in page and customer_program.survey.title in page  # the neutral default
    db_session.get(Program, customer_program.id).public_title = "Tell us about your visit"  # detached by the request
    db_session.commit()
    page = _page(client.get("/r/c/cx-int-7/DESK"))
    assert "Tell us about your visit" in page and INTERNAL not in page


def test_contact_link_page_hides_internal_name(client, db_session, customer_program):
    customer_program.public_title = "Tell us about your visit"
    [token] = public_links.issue_contact_links(db_session, "cx-int-7", "DESK", 1, now=NOW)
    db_session.commit()
    client.get(f"/r/t/{token}")
    page = _page(client.get("/r/survey"))
    assert INTERNAL not in page and "cx-int-7" not in page


def test_employee_pages_show_public_title_not_internal_name(client, db_session, make):
    program = make.program(code="hr-internal-9")
    program.name, program.public_title = INTERNAL, "Your voice"
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    _inv, token = make.invitation(wave=wave, person=make.person(team=make.team()))
    db_session.commit()
    client.get(f"/r/i/{token}")
    promise = _page(client.get("/r/survey"))
    assert "Your voice" in promise and INTERNAL not in promise and "hr-internal-9" not in promise
    client.post("/r/survey/start")
    page = _page(client.get("/r/survey"))
    assert "Your voice" in page and INTERNAL not in page


def test_program_form_edits_public_title(client, login, db_session, make):
    login("hr_admin")
    program = make.program()
    db_session.commit()
    data = {"name": "Internal name", "public_title": "  Our pulse ", "wave_days": "14", "reminder_days": "5",
            "active": "y"}
    response = client.post(f"/admin/programs/{program.id}/edit", data=data)
    assert response.status_code == 302
    stored = db_session.scalar(select(Program).where(Program.id == program.id))
    assert stored.public_title == "Our pulse"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "program.update"))
    assert event.detail["public_title"] == "Our pulse"
    assert 'value="Our pulse"' in _page(client.get(f"/admin/programs/{program.id}/edit"))
    client.post(f"/admin/programs/{program.id}/edit", data={**data, "public_title": ""})
    assert db_session.get(Program, program.id).public_title is None
