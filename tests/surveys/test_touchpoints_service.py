"""The touchpoint service: one set of rules for the admin form and the CSV import, every problem at once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.errors import NotFound, ValidationError, ValidationErrors
from surveys.models import AuditEvent, Touchpoint
from surveys.org.touchpoints import create_touchpoint, update_touchpoint


def test_create_validates_records_audit_and_flushes(db_session, make):
    team = make.team(code="OPS")
    tp = create_touchpoint(db_session, code=" web-shop ", name="Web shop", channel="WEB", team_id=str(team.id),
                           actor_id=None)
    assert (tp.id is not None, tp.code, tp.channel, tp.team_id, tp.active) == (True, "web-shop", "web", team.id, True)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "touchpoint.create"))
    assert event.entity_id == tp.id and event.detail["team"] == "OPS"


def test_duplicate_code_is_a_field_error(db_session, make):
    make.touchpoint(code="DESK")
    with pytest.raises(ValidationError) as caught:
        create_touchpoint(db_session, code="DESK", name="Desk", channel="store", team_id=make.team().id)
    assert caught.value.field == "code" and "already exists" in caught.value.message


def test_every_bad_field_is_reported_together(db_session, make):
    make.touchpoint(code="DESK")
    with pytest.raises(ValidationErrors) as caught:
        create_touchpoint(db_session, code="DESK", name=" ", channel="fax", team_id="999999")
    errors = caught.value.field_errors
    assert set(errors) == {"code", "name", "channel", "team_id"}
    assert "'fax' is not a valid channel" in errors["channel"][0]
    assert db_session.scalar(select(Touchpoint).where(Touchpoint.name == " ")) is None


def test_update_changes_fields_but_not_the_code(db_session, make):
    tp = make.touchpoint(code="DESK", channel="phone")
    other = make.team(code="SALES")
    update_touchpoint(db_session, "DESK", name="Front desk", channel="store", team_id=other.id, active=False,
                      actor_id=None)
    assert (tp.code, tp.name, tp.channel, tp.team_id, tp.active) == ("DESK", "Front desk", "store", other.id, False)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "touchpoint.update"))
    assert event.detail["channel"] == ["phone", "store"] and event.detail["active"] == [True, False]
    with pytest.raises(NotFound):
        update_touchpoint(db_session, "NOPE", name="x", channel="web", team_id=other.id, active=True)
