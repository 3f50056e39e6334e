"""CSV formula injection: the one writer quotes text a spreadsheet would run (OWASP 'CSV Injection')."""
from __future__ import annotations

import csv
import io
import math

import pytest

from surveys.exports.csvsafe import csv_text, escape_cell, write_file


@pytest.mark.parametrize("raw, written", [
    ("=HYPERLINK(\"http://evil.example\",\"click\")", "'=HYPERLINK(\"http://evil.example\",\"click\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("HELPDESK", "HELPDESK"),
    ("a=b", "a=b"),
    ("", ""),
    ("-0.42", "-0.42"),  # a plain number is not a formula
    ("+7", "+7"),
    ("-1e-3", "-1e-3"),
])
def test_text_cells(raw, written):
    assert escape_cell(raw) == written


def test_numbers_and_empty_cells_stay_as_they_are():
    assert escape_cell(-0.25) == -0.25 and escape_cell(-3) == -3 and escape_cell(True) is True
    assert escape_cell(None) == "" and escape_cell(math.nan) == ""


def test_csv_text_escapes_header_and_rows_and_reads_back():
    text = csv_text(["url", "=touchpoint"], [["https://x/r/t/abc", "=1+1"], ["https://x/r/t/def", -1.5]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["url", "'=touchpoint"], ["https://x/r/t/abc", "'=1+1"], ["https://x/r/t/def", "-1.5"]]


def test_tab_separated_output_quotes_a_tab_inside_a_cell():
    text = csv_text(None, [["CX", "A\tB", "-x"]], delimiter="\t", lineterminator="\n")
    assert text == 'CX\t"A\tB"\t\'-x\n'


def test_write_file(tmp_path):
    path = tmp_path / "out.csv"
    assert write_file(str(path), ["a"], [["@x"], ["ü"]]) == 2
    assert path.read_bytes().decode("utf-8") == "a\r\n'@x\r\nü\r\n"
