"""Admin pages for programs and waves, driven through the test client as an HR admin."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from surveys.models import AuditEvent, Invitation, Program, SubmissionReceipt, Survey, Wave, utcnow

TOMORROW = (utcnow() + dt.timedelta(days=1)).date()


def form_data(**overrides):
    data = {"code": "pulse", "name": "Monthly pulse", "instrument": "template:engagement", "cadence": "monthly",
            "wave_days": "14", "reminder_days": "5", "first_opens_on": TOMORROW.isoformat(), "first_label": ""}
    data.update(overrides)
    return data


def program_by_code(db_session, code: str) -> Program:
    return db_session.scalar(select(Program).where(Program.code == code))


@pytest.fixture
def hr(login):
    return login("hr_admin")


def test_list_starts_empty_and_links_to_create(client, hr):
    page = client.get("/admin/programs")
    assert page.status_code == 200
    assert b"No programs yet" in page.data and b"/admin/programs/new" in page.data


def test_new_program_form_offers_templates_and_teams(client, hr, make):
    make.team(name="Warehouse")
    page = client.get("/admin/programs/new")
    assert page.status_code == 200
    assert b"template:engagement" in page.data and b"Warehouse" in page.data


def test_create_program_from_template_with_teams(client, hr, db_session, make):
    root = make.team(name="Retail")
    shop = make.team(name="Shop 12", parent=root)
    response = client.post("/admin/programs/new", data=form_data(teams=[str(root.id)]), follow_redirects=True)
    assert response.status_code == 200
    program = program_by_code(db_session, "pulse")
    assert b"Program pulse created with its first wave" in response.data
    assert program.audience == "employee" and program.survey.code == "engagement"
    assert [t.id for t in program.teams] == [root.id]
    (wave,) = program.waves
    assert (wave.status, wave.label) == ("draft", f"{TOMORROW:%Y-%m}")
    assert wave.opens_at == dt.datetime.combine(TOMORROW, dt.time())
    assert wave.closes_at - wave.opens_at == dt.timedelta(days=14)
    edit = client.get(f"/admin/programs/{program.id}/edit")
    boxes = re.findall(r'<input (checked )?id="teams-\d+" name="teams" type="checkbox" value="(\d+)"',
                       edit.data.decode())
    assert {value for flag, value in boxes if flag} == {str(root.id)}
    assert str(shop.id) in {value for _flag, value in boxes}  # listed, covered by Retail, not ticked
    assert "Retail › Shop 12".encode() in edit.data  # teams are listed with their path


def test_create_program_errors_are_shown_on_the_form(client, hr, make):
    client.post("/admin/programs/new", data=form_data())
    again = client.post("/admin/programs/new", data=form_data(name="Another"))
    assert again.status_code == 400 and b"A program with code &#39;pulse&#39; already exists" in again.data
    late = client.post("/admin/programs/new", data=form_data(code="p2", reminder_days="14"))
    assert late.status_code == 400 and b"would come after a 14-day wave has closed" in late.data
    always = client.post("/admin/programs/new", data=form_data(code="p3", cadence="always_on"))
    assert always.status_code == 400 and b"Always-on suits customer feedback" in always.data
    past = client.post("/admin/programs/new", data=form_data(code="p4", first_opens_on="2020-01-01"))
    assert past.status_code == 400 and b"would already be over" in past.data
    missing = client.post("/admin/programs/new", data=form_data(code="", name=""))
    assert missing.status_code == 400 and b"Please correct the fields marked below" in missing.data


def test_far_future_dates_are_form_errors_not_crashes(client, hr, db_session, make):
    far = client.post("/admin/programs/new", data=form_data(code="far", first_opens_on="9999-12-31"))
    text = far.get_data(as_text=True)
    assert far.status_code == 400 and "The first opening date 9999-12-31 is more than 5 years from today" in text
    assert 'class="field-error"' in text and program_by_code(db_session, "far") is None
    program = make.program(cadence="custom")
    wave = make.wave(program, status="open", opens_at=utcnow() - dt.timedelta(days=1))
    db_session.commit()
    program_id, wave_id = program.id, wave.id
    added = client.post(f"/admin/programs/{program_id}/waves",
                        data={"label": "far", "opens_at": "9999-12-31T00:00"}, follow_redirects=True)
    assert added.status_code == 400  # shown beside the field on the program page
    assert b"The opening date 9999-12-31 is more than 5 years" in added.data and b'id="opens_at-error"' in added.data
    extended = client.post(f"/admin/waves/{wave_id}/extend", data={"closes_at": "9999-12-31T23:59"},
                           follow_redirects=True)
    assert extended.status_code == 200 and b"The new closing date 9999-12-31 is more than 5 years" in extended.data
    assert db_session.scalar(select(func.count()).select_from(Wave).where(Wave.program_id == program_id)) == 1


def test_existing_survey_latest_version_is_offered(client, hr, db_session, make):
    old = make.survey(code="cx-web")
    new = Survey(code="cx-web", title="Customer web v2", audience="customer", version=2, status="active")
    db_session.add(new)
    db_session.flush()
    page = client.get("/admin/programs/new")
    assert f"survey:{new.id}".encode() in page.data and f'"survey:{old.id}"'.encode() not in page.data


def test_open_close_extend_a_wave(client, hr, db_session, make):
    team = make.team(name="Ops")
    sub = make.team(name="Ops night", parent=team)
    for t in (team, team, sub):
        make.person(team=t)
    client.post("/admin/programs/new", data=form_data(teams=[str(team.id)]))
    wave = program_by_code(db_session, "pulse").waves[0]
    opened = client.post(f"/admin/waves/{wave.id}/open", data={"confirmed": "yes"}, follow_redirects=True)
    assert b"is open: 3 people invited" in opened.data
    assert db_session.scalar(select(Wave.status).where(Wave.id == wave.id)) == "open"
    new_close = (utcnow() + dt.timedelta(days=30)).replace(second=0, microsecond=0)
    extended = client.post(f"/admin/waves/{wave.id}/extend", data={"closes_at": new_close.strftime("%Y-%m-%dT%H:%M")},
                           follow_redirects=True)
    assert b"now closes" in extended.data
    assert db_session.scalar(select(Wave.closes_at).where(Wave.id == wave.id)) == new_close
    earlier = client.post(f"/admin/waves/{wave.id}/extend",
                          data={"closes_at": (utcnow() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
                          follow_redirects=True)
    assert b"The new closing time must be after the current one" in earlier.data
    closed = client.post(f"/admin/waves/{wave.id}/close", follow_redirects=True)
    assert b"is closed" in closed.data
    assert db_session.scalar(select(Wave.status).where(Wave.id == wave.id)) == "closed"
    again = client.post(f"/admin/waves/{wave.id}/close", follow_redirects=True)
    assert b"is already closed" in again.data
    actions = set(db_session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == hr.id)))
    assert {"program.create", "wave.create", "wave.open", "wave.extend", "wave.close"} <= actions


def test_program_detail_hides_small_response_counts(client, hr, db_session, make):
    program = make.program(cadence="custom")
    wave = make.wave(program, status="open", label="spring")
    for _ in range(3):
        inv, _token = make.invitation(wave)
        db_session.add(SubmissionReceipt(invitation_id=inv.id))
    db_session.commit()  # a GET's session is read-only: it may not flush the test's pending rows
    page = client.get(f"/admin/programs/{program.id}")
    assert page.status_code == 200
    assert b"spring" in page.data and b"fewer than 5" in page.data and b"Close now" in page.data


def test_imported_responses_are_shown_apart_from_the_response_rate(client, login, db_session, make):
    login("hr_admin")
    program = make.program(cadence="custom", code="PULSE")
    wave = make.wave(program, status="closed", label="2025-spring")
    team = make.team(name="Ops")
    for i in range(10):
        inv, _token = make.invitation(wave, make.person(team=team))
        if i < 6:
            db_session.add(SubmissionReceipt(invitation_id=inv.id))
    make.responses(wave, team, 8, "import")  # history imported from a file: these answered no invitation
    db_session.commit()
    detail = client.get(f"/admin/programs/{program.id}").get_data(as_text=True)
    assert "6 <span class=\"muted\">(60%)</span>" in detail and "+ 8 imported" in detail
    rates = client.get(f"/admin/waves/{wave.id}/participation").get_data(as_text=True)
    assert "60%" in rates and "8 further responses to this wave were imported" in rates
    index = client.get("/reports/").get_data(as_text=True)
    row = re.search(r"<tr><td>Program \d+</td>.*?</tr>", index, re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["10", "6", "60%", "8"]


def test_custom_program_add_wave_and_duplicate_label(client, hr, db_session, make):
    survey = make.survey()
    client.post("/admin/programs/new", data=form_data(code="adhoc", cadence="custom", instrument=f"survey:{survey.id}",
                                                      first_label="launch"))
    program = program_by_code(db_session, "adhoc")
    assert program.waves[0].label == "launch"
    opens = (utcnow() + dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    added = client.post(f"/admin/programs/{program.id}/waves", data={"label": "follow-up", "opens_at": opens},
                        follow_redirects=True)
    assert b"Wave follow-up added" in added.data
    duplicate = client.post(f"/admin/programs/{program.id}/waves", data={"label": "launch", "opens_at": opens},
                            follow_redirects=True)
    assert b"already has a wave labelled &#39;launch&#39;" in duplicate.data
    assert db_session.scalar(select(func.count()).select_from(Wave).where(Wave.program_id == program.id)) == 2


def test_edit_program_pauses_and_retargets(client, hr, db_session, make):
    team = make.team(name="Finance")
    client.post("/admin/programs/new", data=form_data())
    program = program_by_code(db_session, "pulse")
    page = client.get(f"/admin/programs/{program.id}/edit")
    assert page.status_code == 200 and b"Monthly pulse" in page.data
    saved = client.post(f"/admin/programs/{program.id}/edit",
                        data={"name": "Pulse", "wave_days": "10", "reminder_days": "3", "teams": [str(team.id)]},
                        follow_redirects=True)
    assert b"Program pulse saved" in saved.data
    program = program_by_code(db_session, "pulse")
    assert (program.name, program.wave_days, program.active, [t.id for t in program.teams]) == (
        "Pulse", 10, False, [team.id])


def test_participation_page(client, hr, db_session, make):
    wave = make.wave(status="open", label="2026-11")
    big, mid, small = make.team(name="Big team"), make.team(name="Mid team"), make.team(name="Small team")
    for team, invited, answered in ((big, 9, 7), (mid, 8, 5), (small, 4, 2)):
        for i in range(invited):
            inv, _ = make.invitation(wave, make.person(team=team))
            if i < answered:
                db_session.add(SubmissionReceipt(invitation_id=inv.id))
    page = client.get(f"/admin/waves/{wave.id}/participation")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Big team" in text and "78%" in text
    # Small team alone hidden could be worked out from the wave total: Mid team is hidden too, and
    # both carry the same words, so the page does not say which one is below the threshold.
    assert text.count("hidden to protect anonymity") == 2 and "62%" not in text
    assert "fewer than 5 answered" not in text and "smaller team" not in text
    assert "Total of the 1 team shown" in text and "2 hidden teams not included" in text
    assert client.get("/admin/waves/999999/participation").status_code == 404


@pytest.mark.parametrize("method,path", [
    ("get", "/admin/programs"), ("get", "/admin/programs/new"), ("post", "/admin/waves/1/open"),
    ("post", "/admin/waves/1/close"), ("get", "/admin/waves/1/participation"),
])
def test_executive_is_forbidden(client, login, method, path):
    login("executive")
    assert getattr(client, method)(path).status_code == 403


def test_unknown_wave_action_is_404(client, hr):
    assert client.post("/admin/waves/999999/open").status_code == 404


def test_template_install_creates_the_survey_once(client, hr, db_session):
    client.post("/admin/programs/new", data=form_data(code="a"))
    client.post("/admin/programs/new", data=form_data(code="b"))
    assert db_session.scalar(select(func.count()).select_from(Survey).where(Survey.code == "engagement")) == 1
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_wave_label_is_never_interpolated_into_javascript(client, login, make, db_session):
    """A label like x');alert(1);(' must not reach an inline script (stored XSS)."""
    login("hr_admin")
    program = make.program()
    make.wave(program=program, status="open", label="x');alert(document.domain);('")
    db_session.commit()
    page = client.get(f"/admin/programs/{program.id}").get_data(as_text=True)
    assert "onsubmit=" not in page  # the question is data, asked by /static/tandem.js
    assert 'data-confirm="Close this wave now? Unfinished answers will be erased."' in page


def test_open_now_asks_first_saying_how_many_people_will_be_mailed(client, hr, db_session, make):
    team = make.team(name="Ops")
    for active in (True, True, False):
        make.person(team=team, active=active)
    make.person(team=make.team(name="Elsewhere"))  # outside the program's teams
    client.post("/admin/programs/new", data=form_data(teams=[str(team.id)]))
    wave_id = program_by_code(db_session, "pulse").waves[0].id
    detail = client.get(f"/admin/programs/{program_by_code(db_session, 'pulse').id}").get_data(as_text=True)
    assert f'href="/admin/waves/{wave_id}/open"' in detail  # a link to the question, not a POST
    for ask in (client.get(f"/admin/waves/{wave_id}/open"), client.post(f"/admin/waves/{wave_id}/open")):
        page = ask.get_data(as_text=True)
        assert ask.status_code == 200 and "2 people will be invited and mailed" in page
        assert 'name="confirmed" type="hidden" value="yes"' in page
    assert db_session.scalar(select(Wave.status).where(Wave.id == wave_id)) == "draft"
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == 0
    opened = client.post(f"/admin/waves/{wave_id}/open", data={"confirmed": "yes"}, follow_redirects=True)
    assert b"is open: 2 people invited" in opened.data
    assert db_session.scalar(select(Wave.status).where(Wave.id == wave_id)) == "open"


def test_open_now_for_a_customer_program_mails_nobody(client, hr, db_session, make):
    wave = make.wave(program=make.program(audience="customer"), status="draft",
                     opens_at=utcnow() + dt.timedelta(days=2))
    db_session.commit()
    page = client.get(f"/admin/waves/{wave.id}/open").get_data(as_text=True)
    assert "Nobody will be mailed" in page


def test_add_wave_shows_every_bad_field_at_once(client, hr, db_session, make):
    program = make.program(cadence="custom")
    make.wave(program, status="open", label="spring", opens_at=utcnow() - dt.timedelta(days=1))
    db_session.commit()
    response = client.post(f"/admin/programs/{program.id}/waves",
                           data={"label": "spring", "opens_at": "9999-12-31T00:00", "closes_at": "2001-01-01T00:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already has a wave labelled &#39;spring&#39;" in page
    assert "The opening date 9999-12-31 is more than 5 years" in page
    assert "The closing date 2001-01-01 is more than 5 years" in page


def test_program_form_shows_every_domain_error_at_once(client, hr):
    client.post("/admin/programs/new", data=form_data())
    response = client.post("/admin/programs/new", data=form_data(wave_days="60", reminder_days="70"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A program with code &#39;pulse&#39; already exists" in page  # code
    assert "waves last at most 28 days" in page  # wave_days
    assert "A reminder after 70 days would come after a 60-day wave" in page  # reminder_days
    assert all(f'id="{name}-error"' in page for name in ("code", "wave_days", "reminder_days"))
