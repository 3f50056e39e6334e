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

    return [(c.summary, vlc.vegalite_to_png(c.spec(), scale=scale)) for c in report.charts]


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


LINE = 4  # mm per line of a table cell
PAD = 1  # mm of room left and right of a cell's text


def _table(pdf: FPDF, report: Report, columns: tuple[str, ...], family: str, text) -> None:
    # Drawn cell by cell rather than with fpdf2's table(), which lays every cell out twice with multi_cell
    # (a 5,000-row heatmap took about a minute); only a cell too wide for its column is wrapped.
    size = 7 if len(columns) > WIDE else 8
    width = pdf.epw / len(columns)
    suppressed_at = columns.index("suppressed")
    head = [text(name) for name in columns]

    def headings() -> None:
        pdf.set_font(family, "B", size)
        _row(pdf, head, width)
        pdf.set_font(family, "", size)

    headings()
    for values in report.rows():
        cells = [text(_cell(value, bool(values[suppressed_at]), name, report.threshold))
                 for name, value in zip(columns, values)]
        _row(pdf, cells, width, headings)


def _row(pdf: FPDF, cells: list[str], width: float, on_new_page=None) -> None:
    """One table row of equal-width bordered cells, on a new page (headings repeated) when it does not fit."""
    lines = [_lines(pdf, cell, width) for cell in cells]
    height = LINE * max(len(cell_lines) for cell_lines in lines)
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
        if on_new_page is not None:
            on_new_page()  # draws the headings row, which moves the cursor below it
    x, y = pdf.l_margin, pdf.get_y()
    baseline = LINE / 2 + pdf.font_size * 0.35  # the text's baseline, centred in its line
    for i, cell_lines in enumerate(lines):
        pdf.rect(x + i * width, y, width, height)
        for j, line in enumerate(cell_lines):
            if line:
                pdf.text(x + i * width + PAD, y + j * LINE + baseline, line)  # no cell layout: the cheapest draw
    pdf.set_xy(x, y + height)


def _lines(pdf: FPDF, cell: str, width: float) -> list[str]:
    """`cell` wrapped at spaces (a word wider than the column at characters) to fit `width`."""
    room = width - 2 * PAD
    measure = _measure(pdf)
    if not cell or measure(cell) <= room:
        return [cell]
    space = measure(" ")
    lines, current, used = [], "", 0.0
    for word in cell.split(" "):
        size = measure(word)
        if current and used + space + size <= room:
            current, used = f"{current} {word}", used + space + size
            continue
        if current:
            lines.append(current)
        while size > room and len(word) > 1:  # a word longer than the column: cut it where it fills the line
            cut = 1
            while cut < len(word) and measure(word[:cut + 1]) <= room:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
            size = measure(word)
        current, used = word, size
    lines.append(current)
    return lines


def _measure(pdf: FPDF):
    """The current font's string width, remembered per string: a table repeats its names and values."""
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt)
    cache = pdf.__dict__.setdefault("_tandem_widths", {}).setdefault(key, {})

    def measure(text: str) -> float:
        if text not in cache:
            cache[text] = pdf.get_string_width(text)
        return cache[text]

    return measure


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
