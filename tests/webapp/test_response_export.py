"""The response-level download of a customer wave: columns and values (CSV and XLSX), HR and executives only,
bad parameters named with a 400/404, employee waves never, audited, and streamed rather than built in memory."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import select

from surveys.collection import public_links
from surveys.collection.public_links import RateLimit
from surveys.exports import responses as wide
from surveys.models import AuditEvent, FlaggedResponse, Response, utcnow
from surveys.voice import contacts

NOW = utcnow()
QUESTIONS = [
    {"code": "csat", "qtype": "likert5", "dimension": "csat", "required": False, "text": "How satisfied were you?"},
    {"code": "nps", "qtype": "scale0_10", "dimension": "nps", "required": False},
    {"code": "visit", "qtype": "single_choice", "choices": ["First", "Repeat"], "required": False},
    {"code": "used", "qtype": "multi_choice", "choices": ["App", "Web", "Phone"], "required": False},
    {"code": "comment", "qtype": "text", "dimension": "comment", "required": False},
]
BASE = list(wide.BASE_HEADER)
CODES = ["csat", "nps", "visit", "used", "comment"]


def _submit(session, touchpoint, answers, client, contact=None):
    return public_links.submit_public(session, "CX", touchpoint, answers, client=client,
                                      limit=RateLimit(100, 3600), now=NOW, contact=contact)


@pytest.fixture
def world(make, db_session):
    """A customer wave with three answers sets (one with contact details, one starting like a formula, one held
    out as a flood) and an employee wave."""
    program = make.program(survey=make.survey(audience="customer", questions=QUESTIONS), code="CX")
    wave = make.wave(program=program, opens_at=NOW - dt.timedelta(days=1), label="2026-12")
    care, sales = make.team(code="CARE", name="Care"), make.team(code="SALES", name="Sales")
    make.touchpoint(team=care, code="DESK", channel="phone")
    make.touchpoint(team=sales, code="SHOP", channel="store")
    _submit(db_session, "DESK", {"csat": ["1"], "nps": ["2"], "visit": ["Repeat"], "used": ["App", "Phone"],
                                 "comment": ["Waited an hour on hold"]}, "a",
            contacts.ContactRequest("Ana Lima", "ana@example.com", ""))
    _submit(db_session, "SHOP", {"nps": ["10"], "comment": ["=1+1 great shop"]}, "b")
    held = _submit(db_session, "SHOP", {"nps": ["0"], "comment": ["flood"]}, "c")
    db_session.add(FlaggedResponse(response_id=held.id, reason="burst"))
    employee_wave = make.wave()
    db_session.commit()
    return wave, employee_wave


def _csv(client, wave, **args):
    response = client.get("/voice/responses.csv", query_string={"wave": wave.id, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_has_one_row_per_response_and_one_column_per_question(client, login, world, db_session):
    wave, _ = world
    login("hr_admin")
    header, *rows = _csv(client, wave)
    assert header == BASE + CODES + list(wide.CONTACT_HEADER)
    assert len(rows) == 2  # the flooded response is held out, as from every report
    by_team = {r[6]: dict(zip(header, r)) for r in rows}
    care, sales = by_team["Care"], by_team["Sales"]
    assert care["date"] == NOW.date().isoformat() and care["channel"] == "phone" and care["origin"] == "surveyed"
    assert care["touchpoint"] == "DESK" and care["touchpoint_name"].startswith("Touchpoint ")
    assert [care[c] for c in CODES] == ["1", "2", "Repeat", "App; Phone", "Waited an hour on hold"]
    assert (care["contact_name"], care["contact_email"]) == ("Ana Lima", "ana@example.com")
    assert sales["comment"] == "'=1+1 great shop" and sales["csat"] == "" and sales["contact_email"] == ""
    # The first column is a sequence, never the stored response id.
    assert sorted(int(r[0]) for r in rows) == [1, 2]
    stored = {str(i) for i in db_session.scalars(select(Response.id))}
    assert not stored & {cell for r in rows for cell in r}


def test_question_columns_can_be_named_by_text(client, login, world):
    wave, _ = world
    login("executive")
    assert _csv(client, wave, labels="text")[0][len(BASE)] == "How satisfied were you?"
    assert _csv(client, wave, labels="both")[0][len(BASE)] == "csat: How satisfied were you?"


def test_xlsx_holds_the_same_rows_as_cells_of_the_right_type(client, login, world):
    wave, _ = world
    login("hr_admin")
    response = client.get("/voice/responses.xlsx", query_string={"wave": wave.id})
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "tandem-responses-CX-2026-12.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Responses", "Questions"]
    sheet = book["Responses"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == BASE + CODES + list(wide.CONTACT_HEADER)
    care = next(dict(zip(header, r)) for r in rows if r[6] == "Care")
    sales = next(dict(zip(header, r)) for r in rows if r[6] == "Sales")
    assert care["date"].date() == NOW.date() and care["csat"] == 1 and care["nps"] == 2
    assert care["used"] == "App; Phone" and care["contact_email"] == "ana@example.com"
    assert sales["comment"] == "=1+1 great shop"  # a text cell: never a formula, so no quote is needed
    assert sheet.cell(row=3, column=len(BASE) + 5).data_type == "s"
    questions = list(book["Questions"].iter_rows(values_only=True))
    assert questions[1][1:3] == ("csat", "How satisfied were you?") and questions[3][4] == "First; Repeat"


def test_only_hr_and_executives_download(client, login, world, make):
    wave, _ = world
    assert client.get(f"/voice/responses.csv?wave={wave.id}").status_code == 302  # to the sign-in page
    login("team_lead", team=make.team())
    assert client.get(f"/voice/responses.csv?wave={wave.id}").status_code == 403
    assert client.get(f"/voice/responses.xlsx?wave={wave.id}").status_code == 403
    assert 'id="responses-export"' not in client.get("/voice").get_data(as_text=True)


@pytest.mark.parametrize("path, status, words", [
    ("/voice/responses.pdf?wave={wave}", 404, "csv or xlsx"),
    ("/voice/responses.csv", 400, "Choose the customer wave"),
    ("/voice/responses.csv?wave=abc", 404, "no wave with id"),
    ("/voice/responses.csv?wave=99999999999999", 404, "no wave with id"),
    ("/voice/responses.csv?wave=2147483000", 404, "no wave with id"),
    ("/voice/responses.csv?wave={wave}&labels=bogus", 400, "code, text, both"),
    ("/voice/responses.xlsx?wave={employee}", 404, "never exported row by row"),
])
def test_bad_parameters_are_named(client, login, world, path, status, words):
    wave, employee_wave = world
    login("hr_admin")
    response = client.get(path.format(wave=wave.id, employee=employee_wave.id))
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_each_download_is_audited_with_its_row_count(client, login, world, db_session):
    wave, _ = world
    person = login("executive")
    _csv(client, wave)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export.responses")).one()
    assert (event.actor_id, event.entity_type, event.entity_id) == (person.id, "wave", wave.id)
    assert event.detail["rows"] == 2 and event.detail["format"] == "csv" and event.detail["contacts"] is True


def test_the_pages_offer_the_download(client, login, world):
    wave, _ = world
    login("hr_admin")
    page = client.get("/voice").get_data(as_text=True)
    assert 'id="responses-export"' in page and f'value="{wave.id}"' in page
    program_page = client.get(f"/admin/programs/{wave.program_id}").get_data(as_text=True)
    assert f"/voice/responses.xlsx?wave={wave.id}" in program_page


def test_the_body_streams_before_the_answers_are_read(client, login, world, statements):
    wave, _ = world
    login("hr_admin")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/voice/responses.{fmt}?wave={wave.id}", buffered=False)
        assert response.is_streamed
        chunks = iter(response.response)
        statements.clear()
        first = next(chunks)
        assert first.startswith(b"response,date" if fmt == "csv" else b"PK")
        assert not [s for s in statements if "FROM answers" in s]  # the header went out first
        rest = b"".join(chunks)
        assert [s for s in statements if "FROM answers" in s] and rest
        response.close()


def test_rows_are_read_a_chunk_at_a_time(world, db_session, statements):
    wave, _ = world
    export = wide.plan(db_session, wave.id, with_contacts=False)
    lines = wide.rows(db_session, export, chunk=1)
    statements.clear()
    first = next(lines)
    assert first[0] == 1 and len(first) == len(BASE) + len(CODES)
    assert len([s for s in statements if "FROM answers" in s]) == 1  # one chunk's answers, not the wave's
    assert len(list(lines)) == 1 and len([s for s in statements if "FROM answers" in s]) == 2


def test_the_cli_writes_the_same_file_and_audits_it(runner, world, db_session, tmp_path):
    wave, employee_wave = world
    out = tmp_path / "responses.xlsx"
    result = runner.invoke(args=["voice", "export", "--program", "CX", "--wave", "2026-12", "--format", "xlsx",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["Responses"].iter_rows(values_only=True))
    assert list(rows[0]) == BASE + CODES and len(rows) == 3  # no contact columns unless asked for
    result = runner.invoke(args=["voice", "export", "--program", "CX", "--wave", "2026-12", "--with-contacts"])
    assert result.exit_code == 0 and "ana@example.com" in result.stdout
    assert db_session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "export.responses")
                             .order_by(AuditEvent.seq.desc()).limit(1))["contacts"] is True
    result = runner.invoke(args=["voice", "export", "--program", "CX", "--wave", "nope"])
    assert result.exit_code != 0 and "no wave labelled 'nope'" in result.output
    result = runner.invoke(args=["voice", "export", "--program", employee_wave.program.code,
                                 "--wave", employee_wave.label])
    assert result.exit_code != 0 and "never exported row by row" in result.output
