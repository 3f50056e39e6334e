"""Focused regressions for the 500s the fuzz suite found: ids that are digits to str.isdigit() but not to
int() ("²"), and ids too large for the database driver (2**64) now get a 400 with a message."""
from __future__ import annotations

import io

import pytest

from surveys.db import MAX_ID, parse_id
from webapp.config import ConfigError, load_config

SUPERSCRIPT_TWO = "\u00b2"
TOO_BIG = str(2**64)


@pytest.mark.parametrize("raw, expected", [("12", 12), (" 7 ", 7), (7, 7), (str(MAX_ID), MAX_ID),
                                           (SUPERSCRIPT_TWO, None), ("\u0663", None), ("-1", None),
                                           (str(MAX_ID + 1), None), ("", None), (None, None), ("1e3", None)])
def test_parse_id_accepts_only_ids_a_database_can_hold(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize("team_id", [SUPERSCRIPT_TWO, TOO_BIG])
def test_new_touchpoint_with_a_forged_team_is_a_400(client, login, make, team_id):
    login("hr_admin")
    make.team()
    make.session.commit()
    response = client.post("/admin/touchpoints/new", data={"code": "TP-X", "name": "X", "channel": "web",
                                                           "team_id": team_id})
    assert response.status_code == 400 and b"Reload the page" in response.data


@pytest.mark.parametrize("wave", [SUPERSCRIPT_TWO, TOO_BIG])
def test_response_import_with_a_forged_wave_is_a_400(client, login, wave):
    login("hr_admin")
    body = {"kind": "responses", "wave": wave, "file": (io.BytesIO(b"team_code,submitted_on,eng1\n"), "r.csv")}
    response = client.post("/admin/imports", data=body, content_type="multipart/form-data")
    assert response.status_code == 400 and b"Choose the employee program and wave" in response.data


@pytest.mark.parametrize("field, value, message", [
    ("instrument", f"survey:{SUPERSCRIPT_TWO}", b"Choose an instrument from the list."),
    ("instrument", f"survey:{TOO_BIG}", b"Choose an instrument from the list."),
    ("teams", TOO_BIG, b"Targeted teams: &#39;"),  # the bounded team choice (webapp/bounds.py) refuses it first
    ("teams", "abc", b"Targeted teams: &#39;abc&#39; is not a team from the list."),
])
def test_new_program_with_a_forged_id_is_a_400(client, login, make, field, value, message):
    login("hr_admin")
    survey = make.survey()
    make.session.commit()
    body = {"code": "P-X", "name": "X", "instrument": f"survey:{survey.id}", "cadence": "monthly",
            "wave_days": "14", "reminder_days": "5", "first_opens_on": "2030-01-01", field: value}
    response = client.post("/admin/programs/new", data=body)
    assert response.status_code == 400 and message in response.data


def test_rate_limit_setting_with_unicode_digits_is_a_config_error():
    with pytest.raises(ConfigError, match="TANDEM_PUBLIC_RATE_LIMIT"):
        load_config({"TANDEM_SECRET_KEY": "x" * 32, "TANDEM_PUBLIC_RATE_LIMIT": f"{SUPERSCRIPT_TWO}/3600"})
