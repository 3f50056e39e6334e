"""The HR upload page at /admin/imports: access, upload, report table, dry run, size limit."""
from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import func, select

from surveys.models import AuditEvent, Response, Team, Touchpoint

from ..surveys.test_imports_feedback import CX_QUESTIONS

TOUCHPOINTS = b"code,name,channel,team_code\nWEB,Web shop,web,OPS\n"


def upload(client, kind: str, data: bytes, name: str = "upload.csv", **fields):
    form = {"kind": kind, "file": (io.BytesIO(data), name), **fields}
    return client.post("/admin/imports", data=form, content_type="multipart/form-data")


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_only_hr_admins_see_the_page(client, login):
    assert client.get("/admin/imports").status_code == 302  # to the sign-in page
    login("executive")
    assert client.get("/admin/imports").status_code == 403


def test_page_shows_the_form_formats_and_history(client, login):
    login("hr_admin")
    page = client.get("/admin/imports").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert "team_code,team_name,parent_code,lead_email" in page
    assert "touchpoint,date,channel,csat,nps,ces,comment" in page
    assert "Nothing has been imported yet." in page


def test_upload_imports_and_is_listed_in_history(client, login, make, db_session):
    make.team(code="OPS")
    admin = login("hr_admin")
    response = upload(client, "touchpoints", TOUCHPOINTS, name="tps.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Imported 1 row: created 1" in page
    assert db_session.scalar(select(Touchpoint.name).where(Touchpoint.code == "WEB")) == "Web shop"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "import.touchpoints"))
    assert event.actor_id == admin.id and event.detail["filename"] == "tps.csv"
    history = client.get("/admin/imports").get_data(as_text=True)
    assert "tps.csv" in history and admin.email in history


def test_rejected_file_shows_the_report_table_and_imports_nothing(client, login, make, db_session):
    make.team(code="OPS")
    login("hr_admin")
    response = upload(client, "touchpoints", TOUCHPOINTS + b"TEL,Phone,fax,OPS\nCHAT,Chat,chat,NOPE\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "File rejected" in page and "Nothing was imported" in page
    assert '<td class="num">3</td>\n        <td>channel</td>' in page
    assert "Unknown team &#39;NOPE&#39;" in page
    assert count(db_session, Touchpoint) == 0


def test_check_only_changes_nothing(client, login, make, db_session):
    make.team(code="OPS")
    login("hr_admin")
    page = upload(client, "touchpoints", TOUCHPOINTS, dry_run="y").get_data(as_text=True)
    assert "Check passed: nothing was changed" in page and "create touchpoint WEB" in page
    assert count(db_session, Touchpoint) == 0


def test_teams_and_people_uploaded_together(client, login, db_session):
    login("hr_admin")
    teams = b"team_code,team_name,parent_code,lead_email\nOPS,Operations,,lee@example.com\n"
    people = b"email,name,team_code,role\nlee@example.com,Lee,OPS,team_lead\n"
    response = client.post("/admin/imports", content_type="multipart/form-data", data={
        "kind": "teams", "file": (io.BytesIO(teams), "teams.csv"), "other_file": (io.BytesIO(people), "people.csv")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert db_session.scalar(select(Team).where(Team.code == "OPS")).lead.email == "lee@example.com"


def test_wrong_kind_for_an_org_file_is_explained(client, login):
    login("hr_admin")
    response = upload(client, "teams", b"email,name,team_code,role\na@example.com,A,,employee\n", name="p.csv")
    assert response.status_code == 400
    assert "p.csv looks like a people file" in response.get_data(as_text=True)


def test_feedback_upload_with_program_choice(client, login, make, db_session):
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    make.wave(program, label="2026-01", opens_at=dt.datetime(2026, 1, 1), days=31)
    make.touchpoint(code="TEL")
    login("hr_admin")
    data = b"touchpoint,date,channel,csat,nps,ces,comment\nTEL,2026-01-05,,4,,,\n"
    response = upload(client, "feedback", data, program="CX")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert count(db_session, Response) == 1
    again = upload(client, "feedback", data, program="CX")
    assert again.status_code == 422 and "already imported" in again.get_data(as_text=True)


def test_responses_upload_needs_a_wave(client, login, make, db_session):
    program = make.program(code="EX")
    wave = make.wave(program, label="2025-Q1", opens_at=dt.datetime(2025, 1, 1), days=90, status="closed")
    make.team(code="OPS")
    login("hr_admin")
    data = b"team_code,submitted_on,eng1,enps\nOPS,2025-01-10,4,8\n"
    missing = upload(client, "responses", data)
    assert missing.status_code == 400 and "Choose the employee program and wave" in missing.get_data(as_text=True)
    page = client.get("/admin/imports").get_data(as_text=True)
    assert f'value="{wave.id}"' in page and "2025-Q1" in page
    response = upload(client, "responses", data, wave=str(wave.id))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert count(db_session, Response) == 1


def test_missing_file_and_too_large_file(client, login, app):
    login("hr_admin")
    response = client.post("/admin/imports", data={"kind": "touchpoints"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a CSV file to upload." in response.get_data(as_text=True)
    app.config["IMPORT_MAX_BYTES"] = 1024 * 1024
    big = upload(client, "touchpoints", b"x" * (1024 * 1024 + 10))
    assert big.status_code == 413
    assert "larger than 1 MB" in big.get_data(as_text=True)


def test_chosen_org_kind_with_a_bad_header_names_the_missing_columns(client, login):
    login("hr_admin")
    response = upload(client, "people", b"e-mail,name,team_code,role\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Missing column email; the header line must be: email,name,team_code,role" in page


def test_errors_in_two_uploaded_files_name_their_file(client, login):
    login("hr_admin")
    teams = b"team_code,team_name,parent_code,lead_email\nOPS,Operations,NOPE,\n"
    people = b"email,name,team_code,role\na@example.com,A,OPS,boss\n"
    response = client.post("/admin/imports", content_type="multipart/form-data", data={
        "kind": "people", "file": (io.BytesIO(people), "people.csv"), "other_file": (io.BytesIO(teams), "teams.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<td>people.csv</td>" in page and "<td>teams.csv</td>" in page
