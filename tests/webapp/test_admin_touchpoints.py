"""The touchpoint form on the touchpoints page: create and edit, every problem shown at once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.models import Touchpoint


@pytest.fixture
def hr(login, db_session):
    person = login("hr_admin")
    db_session.commit()
    return person


def by_code(db_session, code: str) -> Touchpoint | None:
    return db_session.scalar(select(Touchpoint).where(Touchpoint.code == code))


def test_the_page_offers_a_form_and_creates_a_touchpoint(client, hr, make, db_session):
    team = make.team(name="Front desk team")
    db_session.commit()
    page = client.get("/admin/touchpoints").get_data(as_text=True)
    assert 'action="/admin/touchpoints/new"' in page and "Front desk team" in page and 'value="chat"' in page
    done = client.post("/admin/touchpoints/new", data={"code": "DESK", "name": "Front desk", "channel": "store",
                                                       "team_id": str(team.id)}, follow_redirects=True)
    assert done.status_code == 200 and "Touchpoint DESK &#39;Front desk&#39; created" in done.get_data(as_text=True)
    tp = by_code(db_session, "DESK")
    assert (tp.name, tp.channel, tp.team_id, tp.active) == ("Front desk", "store", team.id, True)


def test_duplicate_code_and_missing_team_are_shown_together(client, hr, make, db_session):
    make.touchpoint(code="DESK")
    db_session.commit()
    response = client.post("/admin/touchpoints/new",
                           data={"code": "DESK", "name": "Again", "channel": "store", "team_id": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A touchpoint with code &#39;DESK&#39; already exists" in page
    assert "Choose the owning team from the list" in page
    assert 'id="code-error"' in page and 'id="team_id-error"' in page


def test_wtforms_and_domain_errors_are_shown_together(client, hr, make, db_session):
    response = client.post("/admin/touchpoints/new",
                           data={"code": "", "name": "Desk", "channel": "fax", "team_id": "999999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give the touchpoint a code." in page  # WTForms
    assert "&#39;fax&#39; is not a valid channel" in page and "Choose the owning team" in page  # domain
    assert by_code(db_session, "") is None


def test_edit_name_channel_team_and_active(client, hr, make, db_session):
    make.touchpoint(code="DESK", channel="phone")
    sales = make.team(name="Sales")
    db_session.commit()
    form = client.get("/admin/touchpoints/DESK/edit")
    assert form.status_code == 200 and 'selected value="phone"' in form.get_data(as_text=True)
    bad = client.post("/admin/touchpoints/DESK/edit", data={"name": "", "channel": "fax", "team_id": "x"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Give the touchpoint a name." in text and "not a valid channel" in text
    done = client.post("/admin/touchpoints/DESK/edit",
                       data={"name": "Front desk", "channel": "store", "team_id": str(sales.id)})
    assert done.status_code == 302
    tp = by_code(db_session, "DESK")
    db_session.refresh(tp)
    assert (tp.name, tp.channel, tp.team_id, tp.active) == ("Front desk", "store", sales.id, False)
    assert client.get("/admin/touchpoints/NOPE/edit").status_code == 404
