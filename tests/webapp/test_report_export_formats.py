"""XLSX and PDF exports of every report page: the CSV's numbers, text never a formula, audited."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import altair as alt
import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surveys.exports import pdf, xlsx
from surveys.insights.figures import Chart, Figure, Report, hidden
from surveys.insights.reports import EXPORTABLE, REPORTS, available
from surveys.models import AuditEvent

SNEAKY = '=HYPERLINK("http://evil.example","x")'


def _report(charts=()) -> Report:
    figures = (Figure("A", SNEAKY, "response_rate", 50.0, 10, 30.5, 69.5, period="W1",
                      extra=(("invited", 10), ("significant", True))),
               Figure("-1", "+Plus @at", "response_rate", -0.42, 7, period="W1",
                      extra=(("invited", 7), ("significant", False))),
               hidden("C", "Gamma", "response_rate", "W1", ("invited", "significant")))
    return Report("participation", "Participation – ünïcode", {"program": "EX", "wave": "W1", "unit": None},
                  figures, ("Teams under 5 are hidden.", "=1+1 is not a formula here."), charts, threshold=5)


def _same(csv_cell: str, xlsx_cell) -> bool:
    """A CSV cell (text) and an XLSX cell (typed) hold the same value."""
    if xlsx_cell is None:
        return csv_cell == ""
    if isinstance(xlsx_cell, bool):
        return csv_cell == str(xlsx_cell)
    if isinstance(xlsx_cell, (int, float)):
        return float(csv_cell) == float(xlsx_cell)
    return csv_cell.removeprefix("'") == xlsx_cell  # the CSV quotes formula-like text, the XLSX needs not


def _assert_xlsx_matches_csv(body: bytes, csv_text: str) -> None:
    book = load_workbook(io.BytesIO(body))
    sheet = book["Figures"]
    rows = list(sheet.iter_rows(values_only=True))
    expected = list(csv.reader(io.StringIO(csv_text)))
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert len(got) == len(want) and all(_same(w, g) for w, g in zip(want, got)), (got, want)
    assert "Parameters and notes" in book.sheetnames


def _no_formulas(body: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode() and "<f " not in z.read(name).decode()


def test_xlsx_holds_the_csv_numbers_and_formula_like_text_stays_text():
    from surveys.exports.reports import to_csv

    rep = _report()
    body = xlsx.to_xlsx(rep)
    _assert_xlsx_matches_csv(body, to_csv(rep))
    _no_formulas(body)
    book = load_workbook(io.BytesIO(body))
    cell = book["Figures"]["B2"]
    assert cell.value == SNEAKY and cell.data_type == "s"
    meta = list(book["Parameters and notes"].iter_rows(values_only=True))
    assert ("wave", "W1") in meta and ("threshold", 5) in meta and ("note", "=1+1 is not a formula here.") in meta


def _pdf_title(body: bytes) -> str:
    found = re.search(rb"/Title\s*(<[0-9a-fA-F]+>|\((?:[^()\\]|\\.)*\))", body).group(1)
    if found.startswith(b"<"):
        raw = bytes.fromhex(found[1:-1].decode())
        return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
    return found[1:-1].decode("latin-1")


def test_pdf_has_the_title_table_and_each_chart():
    frame = pd.DataFrame({"team": ["A", "B"], "rate": [50.0, 60.0]})
    chart = alt.Chart(frame).mark_bar().encode(x="team", y="rate")
    rep = _report(charts=(Chart("rates", chart, "Response rate per team."),))
    body = pdf.to_pdf(rep, pdf.chart_images(rep, scale=1))
    assert body.startswith(b"%PDF-")
    assert _pdf_title(body) == "Participation – ünïcode"
    assert body.count(b"/Subtype /Image") == 1  # the chart, as a PNG
    plain = pdf.to_pdf(_report())
    assert plain.startswith(b"%PDF-") and b"/Subtype /Image" not in plain
    assert pdf.chart_images(_report()) == []


@pytest.fixture
def invited(db_session, make):
    dept = make.team(code="DEPT", name="Department")
    wave = make.wave(make.program(code="EX"), status="closed", label="W1")
    for code in ("A", "B"):
        team = make.team(code=code, name=f"Team {code}", parent=dept)
        for _ in range(6):
            make.invitation(wave, make.person(team=team))
    db_session.commit()


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_page_exports_xlsx_and_pdf(client, login, db_session, invited, name):
    if not available(name):
        pytest.skip(f"surveys/insights/reports/{name}.py has not landed on this branch")
    login("executive")
    if name not in EXPORTABLE:
        assert client.get(f"/reports/{name}.xlsx").status_code == 404
        return
    csv_resp = client.get(f"/reports/{name}.csv")
    if csv_resp.status_code == 400:  # this data does not suit the report: every format refuses alike
        assert client.get(f"/reports/{name}.xlsx").status_code == client.get(f"/reports/{name}.pdf").status_code == 400
        return
    book = client.get(f"/reports/{name}.xlsx")
    assert book.status_code == 200 and book.mimetype.endswith("spreadsheetml.sheet")
    assert book.headers["Content-Disposition"].endswith('.xlsx"')
    _assert_xlsx_matches_csv(book.data, csv_resp.get_data(as_text=True))
    _no_formulas(book.data)
    doc = client.get(f"/reports/{name}.pdf")
    assert doc.status_code == 200 and doc.mimetype == "application/pdf" and doc.data.startswith(b"%PDF-")
    assert _pdf_title(doc.data).startswith(REPORTS[name]) or name == "linkage"  # e.g. "Trends: Engagement index"
    formats = [e.detail["format"] for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.report").order_by(AuditEvent.seq))]
    assert formats == ["csv", "xlsx", "pdf"]


def test_the_page_links_every_format(client, login, invited):
    login("executive")
    page = client.get("/reports/participation?wave=W1").get_data(as_text=True)
    for fmt in ("csv", "json", "xlsx", "pdf"):
        assert f"/reports/participation.{fmt}?wave=W1" in page
    assert client.get("/reports/participation.docx").status_code == 404
    assert client.get("/reports/participation.pdf?unit=NOPE").status_code == 400


def test_a_long_sentence_does_not_break_the_pdf_table():
    # On the demo, the dashboard's link findings made a row too high for one page (fpdf2 refused it).
    from surveys.exports import pdf
    from surveys.insights.figures import Figure, Report

    long = "Teams with higher engagement had more satisfied customers one wave later. " * 30
    figures = tuple(Figure("ORG", "Organisation", f"link:{i}", 0.4, 120, 0.3, 0.5, extra=(("finding", long),))
                    for i in range(60))
    data = pdf.to_pdf(Report("dashboard", "Dashboard", {}, figures))
    assert data.startswith(b"%PDF")


def test_pdf_cells_wrap_at_spaces_and_cut_a_word_wider_than_the_column():
    from fpdf import FPDF

    from surveys.exports import pdf as pdf_export

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", "", 8)
    width = 20.0
    lines = pdf_export._lines(doc, "Customer service desk and item.eng_recommendation_extraordinarily", width)
    assert "".join(lines).replace(" ", "") == "Customerservicedeskanditem.eng_recommendation_extraordinarily"
    assert len(lines) > 2 and all(doc.get_string_width(line) <= width - 2 * pdf_export.PAD for line in lines)
    assert pdf_export._lines(doc, "short", width) == ["short"] and pdf_export._lines(doc, "", width) == [""]
