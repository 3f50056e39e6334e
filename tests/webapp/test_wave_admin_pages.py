"""What HR reads on the program, response-rate and reports pages after the QA walkthrough."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from surveys.models import Program, SubmissionReceipt, Survey, Wave, utcnow

NOW = utcnow().replace(second=0, microsecond=0)


@pytest.fixture
def hr(login):
    return login("hr_admin")


@pytest.fixture
def monthly(make, db_session):
    """An open wave and the next two drafts of a monthly program."""
    program = make.program(cadence="monthly")
    current = make.wave(program, status="open", label="2026-11", opens_at=NOW - dt.timedelta(days=2))
    nxt = make.wave(program, status="draft", label="2026-12", opens_at=NOW + dt.timedelta(days=28))
    make.wave(program, status="draft", label="2027-01", opens_at=NOW + dt.timedelta(days=58))
    db_session.commit()
    # Requests close the shared session, so tests get plain values rather than instances.
    return program.code, (current.id, current.closes_at), (nxt.id, nxt.opens_at)


def test_open_now_while_another_wave_is_open_is_flashed(client, hr, db_session, monthly):
    program_code, _current, (next_id, _opens) = monthly
    page = client.post(f"/admin/waves/{next_id}/open", follow_redirects=True).get_data(as_text=True)
    assert (f"Could not open wave 2026-12: Wave 2026-11 of program {program_code} is still open" in page
            and "Close 2026-11 before opening 2026-12." in page)
    assert db_session.scalar(select(Wave.status).where(Wave.id == next_id)) == "draft"


def test_extending_into_the_next_wave_is_flashed(client, hr, db_session, monthly):
    _code, (current_id, closes_at), (_next_id, next_opens) = monthly
    far = (NOW + dt.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(f"/admin/waves/{current_id}/extend", data={"closes_at": far},
                       follow_redirects=True).get_data(as_text=True)
    assert (f"Could not extend wave 2026-11: Wave 2026-11 cannot close after the program&#39;s next wave 2026-12 "
            f"opens ({next_opens:%Y-%m-%d %H:%M} UTC)") in page
    assert db_session.scalar(select(Wave.closes_at).where(Wave.id == current_id)) == closes_at


def test_new_program_names_instruments_by_code_and_refuses_a_stale_version(client, hr, db_session):
    old = Survey(code="engagement", title="Employee engagement & culture", audience="employee", version=1,
                 status="archived")
    new = Survey(code="engagement", title="Employee engagement & culture", audience="employee", version=2,
                 status="active")
    twin = Survey(code="engagement_2", title="Employee engagement & culture", audience="employee", status="active")
    db_session.add_all([old, new, twin])
    db_session.commit()
    form = client.get("/admin/programs/new").get_data(as_text=True)
    assert "Employee engagement &amp; culture — engagement v2 (employee)" in form
    assert "Employee engagement &amp; culture — engagement_2 v1 (employee)" in form
    assert f'value="survey:{old.id}"' not in form
    data = {"code": "stale", "name": "Stale", "instrument": f"survey:{old.id}", "cadence": "monthly",
            "wave_days": "14", "reminder_days": "5", "first_opens_on": (NOW + dt.timedelta(days=1)).date().isoformat()}
    refused = client.post("/admin/programs/new", data=data)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="instrument-error"' in text
    assert "is not the latest version of engagement (v2 is)" in text
    assert db_session.scalar(select(Program).where(Program.code == "stale")) is None


def test_closed_wave_rate_page_speaks_in_the_past(client, hr, make, db_session):
    wave = make.wave(status="closed", label="2026-10")
    team = make.team(name="Ops")
    for i in range(6):
        inv, _ = make.invitation(wave, make.person(team=team))
        if i < 5:
            db_session.add(SubmissionReceipt(invitation_id=inv.id))
    db_session.commit()
    text = client.get(f"/admin/waves/{wave.id}/participation").get_data(as_text=True)
    assert "Final counts" in text and "were used" in text and "so far" not in text and "Live counts" not in text


@pytest.mark.parametrize("answers, shown", [(6, "<strong>6</strong> responses through touchpoint links"),
                                            (2, "Fewer than 5 responses through touchpoint links so far")])
def test_customer_wave_rate_page_explains_and_counts_safely(client, hr, make, db_session, answers, shown):
    program = make.program(audience="customer", cadence="custom")
    wave = make.wave(program, status="open", label="cx-nov")
    team = make.team()
    make.responses(wave, team, answers, "public_link", day=NOW.date())
    db_session.commit()
    text = client.get(f"/admin/waves/{wave.id}/participation").get_data(as_text=True)
    assert "Response rates apply to employee waves" in text and shown in text
    assert "No invitations in this wave yet" not in text and "created when the wave opens" not in text
    if answers < 5:
        assert f">{answers}<" not in text


def test_reports_say_draft_waves_are_not_open_yet(client, hr, make, db_session):
    program = make.program(cadence="custom", code="DRAFTY")
    make.wave(program, status="draft", label="later", opens_at=NOW + dt.timedelta(days=3))
    db_session.commit()
    page = client.get("/reports/").get_data(as_text=True)
    row = re.search(r"<tr><td>Program \d+</td><td>employee</td><td>later</td>.*?</tr>", page, re.S).group(0)
    assert "not open yet" in row and "fewer than" not in row and "hidden" not in row
