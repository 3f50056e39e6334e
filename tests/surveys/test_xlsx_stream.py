"""The streamed XLSX writer: a workbook openpyxl reads back, cells of the right type, text that can never run
as a formula or break the XML, and bytes out before the rows are consumed."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl

from surveys.exports.xlsx_stream import MAX_CELL_TEXT, column_letters, stream_workbook


def _book(chunks) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(chunks)))


def test_column_letters():
    assert [column_letters(i) for i in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]


def test_cells_keep_their_types_and_text_stays_text():
    rows = [[1, 2.5, dt.date(2026, 3, 1), True, "=HYPERLINK(\"http://x\")", "a < b & c > d", None, "",
             float("nan"), "bell\x07 and \x00 nul", " padded "]]
    book = _book(stream_workbook([f"h{i}" for i in range(11)], rows, sheet="Data"))
    sheet = book["Data"]
    values = [c.value for c in sheet[2]]
    assert values[:3] == [1, 2.5, dt.datetime(2026, 3, 1)] and values[3] is True
    assert values[4] == '=HYPERLINK("http://x")' and sheet["E2"].data_type == "s"  # a string, not a formula
    assert values[5] == "a < b & c > d" and values[6:9] == [None, None, None]
    assert values[9] == "bell and  nul" and values[10] == " padded "
    assert sheet["C2"].number_format == "yyyy\\-mm\\-dd" and sheet["A1"].font.b


def test_overlong_text_is_cut_at_the_cell_limit_and_the_notes_sheet_follows():
    chunks = stream_workbook(["text"], [["x" * (MAX_CELL_TEXT + 10)]], sheet="Data",
                             notes=("About", ["key", "value"], [["rows", 1]]))
    book = _book(chunks)
    assert book.sheetnames == ["Data", "About"]
    assert len(book["Data"]["A2"].value) == MAX_CELL_TEXT
    assert [c.value for c in book["About"][2]] == ["rows", 1]


def test_bytes_go_out_before_the_rows_are_read_and_the_zip_is_sound():
    taken = []

    def rows():
        for i in range(20_000):
            taken.append(i)
            yield [i, f"row {i}", i * 0.5]

    chunks = stream_workbook(["n", "text", "half"], rows(), flush_bytes=16 * 1024)
    first = next(chunks)
    assert first.startswith(b"PK") and not taken
    rest = list(chunks)
    assert len(rest) > 10 and len(taken) == 20_000  # many chunks, not one at the end
    data = first + b"".join(rest)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.getinfo("xl/worksheets/sheet1.xml").flag_bits & 0x08  # sizes in a data descriptor
    sheet = _book([data])["Sheet1"]
    assert sheet.max_row == 20_001 and [c.value for c in sheet[20_001]] == [19_999, "row 19999", 9999.5]


def test_a_very_large_sheet_gets_zip64_sizes_and_still_opens():
    chunks = stream_workbook(["a", "b"], [[1, "x"]], expected_rows=11_000_000)
    data = b"".join(chunks)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
    assert [c.value for c in _book([data])["Sheet1"][2]] == [1, "x"]
