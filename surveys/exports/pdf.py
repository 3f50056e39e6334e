"""A report page as a PDF for a board pack: title, parameters, notes, the figures table and each chart.

The table holds exactly the figures of the CSV (suppressed ones read "fewer than k"); charts are PNGs
rendered offline by vl-convert. Text uses DejaVu Sans when the system has it (any script), else the
PDF core font, which covers Latin-1 only (other characters become '?').
"""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from surveys.insights.figures import Report

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts/dejavu"))
WIDE = 9  # more columns than this: landscape pages


def _font(pdf: FPDF) -> tuple[str, bool]:
    """Register DejaVu Sans when installed; returns (family, unicode?)."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "helvetica", False


CELL_CHARS = 80


def _cell(value: Any, suppressed: bool, column: str, threshold: int) -> str:
    if suppressed and column == "value":
        return f"fewer than {threshold}"
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    # A table row must fit on one page: long free text (a finding's sentence) is cut here, and is whole
    # in the CSV, JSON and XLSX exports and on the page.
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + "…"


def chart_images(report: Report, scale: float = 2) -> list[tuple[str, bytes]]:
    """(summary, PNG) for each chart of the report, rendered offline by vl-convert."""
    if not report.charts:
        return []
    import vl_convert as vlc  # only when there is a chart: its engine takes a while to start

    return [(c.summary, vlc.vegalite_to_png(c.chart.to_dict(), scale=scale)) for c in report.charts]


def to_pdf(report: Report, charts: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """The report as PDF bytes (charts as (summary, PNG bytes) pairs, e.g. from chart_images)."""
    columns = report.columns()
    pdf = FPDF(orientation="L" if len(columns) > WIDE else "P", format="A4")
    pdf.set_title(report.title)
    pdf.set_creator("Tandem")
    pdf.set_auto_page_break(True, margin=15)
    family, unicode_ok = _font(pdf)
    text = (lambda s: s) if unicode_ok else (lambda s: str(s).encode("latin-1", "replace").decode("latin-1"))
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, text(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    shown = [f"{k}: {v}" for k, v in report.params.items() if v is not None]
    shown.append(f"groups under {report.threshold} hidden" if report.threshold else "")
    pdf.multi_cell(0, 5, text(" · ".join(s for s in shown if s)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for note in report.notes:
        pdf.multi_cell(0, 4.5, text(note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if report.figures:
        _table(pdf, report, columns, family, text)
    else:
        pdf.multi_cell(0, 5, text("No figures for these filters."), new_x="LMARGIN", new_y="NEXT")
    for summary, png in charts:
        _chart(pdf, summary, png, text)
    return bytes(pdf.output())


def _table(pdf: FPDF, report: Report, columns: tuple[str, ...], family: str, text) -> None:
    pdf.set_font(family, "", 7 if len(columns) > WIDE else 8)
    suppressed_at = columns.index("suppressed")
    with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4, text_align="LEFT",
                   first_row_as_headings=True, repeat_headings=1) as table:
        head = table.row()
        for name in columns:
            head.cell(text(name))
        for values in report.rows():
            row = table.row()
            for name, value in zip(columns, values):
                row.cell(text(_cell(value, bool(values[suppressed_at]), name, report.threshold)))


def _chart(pdf: FPDF, summary: str, png: bytes, text) -> None:
    from PIL import Image  # fpdf2's own dependency

    with Image.open(io.BytesIO(png)) as img:
        width_px, height_px = img.size
    width = pdf.epw
    height = width * height_px / width_px
    room = pdf.eph - 20
    if height > room:  # a tall chart is shrunk to one page
        width, height = width * room / height, room
    if pdf.get_y() + height + 12 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(4)
    pdf.multi_cell(0, 4.5, text(summary), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(png), w=width, h=height)
