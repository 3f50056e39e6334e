"""Which instrument a new program may use: the latest version of each code, named unambiguously."""
from __future__ import annotations

import datetime as dt

import pytest

from surveys.errors import ValidationError
from surveys.fieldwork import programs
from surveys.models import Survey

NOW = dt.datetime(2026, 11, 1)


def _version(session, code: str, version: int, title: str = "Employee engagement & culture",
             status: str = "active") -> Survey:
    survey = Survey(code=code, title=title, audience="employee", version=version, status=status)
    session.add(survey)
    session.flush()
    return survey


def _create(session, instrument: str, code: str = "pulse"):
    return programs.create_program(session, code=code, name="Pulse", instrument=instrument, cadence="monthly",
                                   wave_days=14, reminder_days=5, team_ids=[], first_opens_at=NOW, now=NOW)


def test_two_codes_with_one_title_are_told_apart(db_session):
    _version(db_session, "engagement", 1)
    v2 = _version(db_session, "engagement", 2)
    other = _version(db_session, "engagement_2", 1)
    labels = {c.value: c.label for c in programs.instrument_choices(db_session)}
    assert labels[f"survey:{v2.id}"] == "Employee engagement & culture — engagement v2 (employee)"
    assert labels[f"survey:{other.id}"] == "Employee engagement & culture — engagement_2 v1 (employee)"
    assert len([v for v in labels if v.startswith("survey:")]) == 2  # v1 of engagement is not offered


def test_a_superseded_version_is_refused_on_the_field(db_session):
    v1 = _version(db_session, "engagement", 1, status="archived")
    v2 = _version(db_session, "engagement", 2)
    with pytest.raises(ValidationError, match=r"engagement v1 \(employee\) is not the latest version of "
                                              r"engagement \(v2 is\)") as err:
        _create(db_session, f"survey:{v1.id}")
    assert err.value.field == "instrument"
    assert _create(db_session, f"survey:{v2.id}").survey_id == v2.id


def test_an_archived_latest_version_is_refused(db_session):
    old = _version(db_session, "retired", 1, status="archived")
    with pytest.raises(ValidationError, match="is archived") as err:
        _create(db_session, f"survey:{old.id}")
    assert err.value.field == "instrument"


@pytest.mark.parametrize("value", ["survey:999999", "survey:x", "template:nope", ""])
def test_unknown_values_ask_to_choose_from_the_list(db_session, value):
    with pytest.raises(ValidationError, match="Choose an instrument from the list") as err:
        _create(db_session, value)
    assert err.value.field == "instrument"


@pytest.mark.parametrize("cadence, days", [("monthly", 29), ("quarterly", 90)])
def test_a_wave_cannot_outlast_its_cadence(cadence, days):
    from surveys.fieldwork.programs import _check_days

    with pytest.raises(ValidationError, match=f"{cadence} program's waves last at most"):
        _check_days(cadence, days, 3)
    _check_days(cadence, days - 1, 3)
