"""An XLSX workbook written as a stream of bytes: rows in, zip chunks out, memory flat whatever the row count.

xlsxwriter (surveys/exports/xlsx.py) needs a seekable file and builds the zip at close, so nothing can be
sent before the last row. Here the zip goes to a non-seekable sink (Python's zipfile then writes each
member's sizes in a data descriptor after its data) and every cell is an inline string or a number, so
the sheet XML is produced row by row with no shared-string table; the caller sends each chunk as it comes.
Text is always a text cell (t="inlineStr"), never a formula, so no quote-escaping is needed, as in xlsx.py.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FLUSH_BYTES = 64 * 1024
# Above this many cells the sheet's XML may pass 2 GiB, which a plain zip entry cannot state: such a sheet
# gets Zip64 sizes. Smaller sheets keep plain entries, which every reader opens.
ZIP64_CELLS = 20_000_000
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (1900 date system)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 cannot carry at all (a stray control character in a comment would break the file).
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
STYLE_HEADER, STYLE_DATE = 1, 2
STYLES = (HEAD + f'<styleSheet xmlns="{MAIN}">'
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


class _Sink:
    """A write-only, non-seekable file: zipfile writes into it, the generator takes what has accumulated."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: str) -> str:
    value = value[:MAX_CELL_TEXT]
    if ILLEGAL.search(value):
        value = ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(ref: str, value: Any, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, dt.date):  # dt.datetime is a date too: whole days only, as Tandem stores them
        days = ((value.date() if isinstance(value, dt.datetime) else value) - EPOCH).days
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{days}</v></c>'
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'


def _row(number: int, letters: Sequence[str], values: Iterable[Any], style: int = 0) -> str:
    if style:
        cells = "".join(_cell(f"{col}{number}", v, style) for col, v in zip(letters, values))
        return f'<row r="{number}">{cells}</row>'
    parts = [f'<row r="{number}">']
    for col, value in zip(letters, values):
        kind = type(value)  # the common cells first, inline (this loop runs once per cell of the export)
        if value is None:
            continue
        if kind is int:
            parts.append(f'<c r="{col}{number}"><v>{value}</v></c>')
        elif kind is str:
            if value:
                parts.append(f'<c r="{col}{number}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}'
                             '</t></is></c>')
        else:
            parts.append(_cell(f"{col}{number}", value))
    parts.append("</row>")
    return "".join(parts)


def _sheet_start(frozen_header: bool) -> str:
    view = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews>') if frozen_header else ""
    return HEAD + f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">{view}<sheetData>'


def _package(names: Sequence[str]) -> dict[str, str]:
    """The workbook's fixed parts for sheets `names` (sheet i is xl/worksheets/sheet{i+1}.xml)."""
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT}.worksheet+xml"/>'
                     for i in range(1, len(names) + 1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(names) + 1))
    listed = "".join(f'<sheet name="{_text(name[:31])}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, name in enumerate(names, 1))
    return {
        "[Content_Types].xml": HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>{sheets}</Types>',
        "_rels/.rels": HEAD + f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{listed}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": HEAD + f'<Relationships xmlns="{PKG_REL}">{rels}<Relationship '
        f'Id="rId{len(names) + 1}" Type="{REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": STYLES,
    }


def stream_workbook(header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1",
                    notes: tuple[str, Sequence[str], Iterable[Sequence[Any]]] | None = None,
                    flush_bytes: int = FLUSH_BYTES, expected_rows: int = 0) -> Iterator[bytes]:
    """Yield an XLSX file: `header` and `rows` on sheet `sheet`, then an optional small (name, header, rows) sheet.

    `expected_rows` (if known) decides whether the sheet needs Zip64 sizes."""
    names = [sheet] + ([notes[0]] if notes else [])
    sink = _Sink()
    # Level 1: the sheet XML is repetitive enough that faster deflate costs little size.
    book = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    for name, body in _package(names).items():
        book.writestr(name, body)
    yield sink.take()  # the first bytes go out before any row is read
    letters = [column_letters(i) for i in range(len(header))]
    zip64 = expected_rows * len(header) > ZIP64_CELLS
    with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=zip64) as part:
        pending = [_sheet_start(True), _row(1, letters, header, STYLE_HEADER)]
        size = 0
        for number, values in enumerate(rows, 2):
            line = _row(number, letters, values)
            pending.append(line)
            size += len(line)
            if size >= flush_bytes:
                part.write("".join(pending).encode())
                pending, size = [], 0
                if sink.size:
                    yield sink.take()
        pending.append("</sheetData></worksheet>")
        part.write("".join(pending).encode())
    if notes:
        name, notes_header, notes_rows = notes
        widths = [column_letters(i) for i in range(len(notes_header))]
        body = [_sheet_start(False), _row(1, widths, notes_header, STYLE_HEADER)]
        body += [_row(n, widths, values) for n, values in enumerate(notes_rows, 2)]
        book.writestr("xl/worksheets/sheet2.xml", "".join(body) + "</sheetData></worksheet>")
    book.close()
    yield sink.take()
