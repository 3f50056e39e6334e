"""Robust CSV reading, exercised through the touchpoint import (the simplest real service)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from surveys.ingestion import CsvSource, import_touchpoints
from surveys.ingestion.report import Report
from surveys.models import Touchpoint

HEADER = "code,name,channel,team_code"


@pytest.fixture
def team(make):
    return make.team(code="OPS")


def run(db_session, data: bytes | str, **kwargs):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return import_touchpoints(db_session, io.BytesIO(raw), **kwargs)


def reasons(result) -> list[str]:
    return [str(e) for e in result.errors]


def count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Touchpoint))


def test_bom_and_windows_line_endings_are_accepted(db_session, team):
    result = run(db_session, b"\xef\xbb\xbf" + f"{HEADER}\r\nWEB,Web shop,web,OPS\r\nTEL,Phone,phone,OPS\r\n".encode())
    assert result.ok, reasons(result)
    assert result.created == 2
    assert db_session.scalar(select(Touchpoint.name).where(Touchpoint.code == "WEB")) == "Web shop"


def test_old_mac_line_endings_are_accepted(db_session, team):
    result = run(db_session, f"{HEADER}\rWEB,Web,web,OPS\rTEL,Phone,fax,OPS\r".replace("\n", "\r"))
    assert [e.line for e in result.errors] == [3]


@pytest.mark.parametrize("delimiter, shown", [(";", "';'"), ("\t", "tab")])
def test_semicolon_or_tab_delimiter_is_accepted_and_said(db_session, team, delimiter, shown):
    text = f"{HEADER}\nWEB,Web shop,web,OPS\n".replace(",", delimiter)
    result = run(db_session, text)
    assert result.ok, reasons(result)
    assert result.created == 1
    assert any(shown in note for note in result.notes)


def test_missing_columns_are_named_with_the_expected_header(db_session, team):
    result = run(db_session, "code,name\nWEB,Web\n")
    assert not result.ok
    assert reasons(result) == [f"line 1: Missing columns channel, team_code; the header line must be: {HEADER}"]
    assert count(db_session) == 0


def test_unknown_column_is_an_error(db_session, team):
    result = run(db_session, f"{HEADER},colour\nWEB,Web,web,OPS,blue\n")
    assert reasons(result) == [f"line 1: Unknown column colour; expected: {HEADER}"]


def test_header_names_are_trimmed_case_insensitive_and_in_any_order(db_session, team):
    result = run(db_session, " Team_Code , CODE,Name,channel\nOPS,WEB,Web,web\n")
    assert result.ok, reasons(result)
    assert db_session.scalar(select(Touchpoint.code)) == "WEB"


def test_duplicate_header_column_is_an_error(db_session, team):
    result = run(db_session, f"{HEADER},code\n")
    assert "Column 'code' appears twice" in reasons(result)[0]


def test_blank_lines_are_skipped_and_lines_are_counted_physically(db_session, team):
    result = run(db_session, f"\n{HEADER}\n\nWEB,Web,web,OPS\n ,,, \n\nTEL,Phone,fax,OPS\n")
    assert reasons(result) == ["line 7, column channel: 'fax' is not a valid channel; use one of "
                               "web, phone, store, chat, email, social, other."]


def test_quoted_value_over_two_lines_keeps_later_line_numbers_right(db_session, team):
    result = run(db_session, f'{HEADER}\nWEB,"Web\nshop",web,OPS\nTEL,Phone,phone,NOPE\n')
    assert reasons(result) == ["line 4, column team_code: Unknown team 'NOPE'. Import the organisation first."]


def test_non_utf8_line_is_named(db_session, team):
    result = run(db_session, f"{HEADER}\nWEB,Web,web,OPS\n".encode() + "TEL,Caf\xe9,phone,OPS\n".encode("latin-1"))
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.line == 3 and "not valid UTF-8 (byte 0xE9)" in error.reason and "CSV UTF-8" in error.reason
    assert count(db_session) == 0


def test_utf16_file_is_rejected_clearly(db_session, team):
    result = run(db_session, f"{HEADER}\nWEB,Web,web,OPS\n".encode("utf-16"))
    assert "saved as UTF-16" in reasons(result)[0]


@pytest.mark.parametrize("data", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_says_what_the_header_must_be(db_session, team, data):
    result = run(db_session, data)
    assert reasons(result) == [f"file: The file is empty; the first line must be the header: {HEADER}"]


def test_wrong_number_of_values_is_an_error_but_trailing_empty_cells_are_fine(db_session, team):
    result = run(db_session, f"{HEADER}\nWEB,Web,web,OPS,,\nTEL,Phone,phone\nX,Y,web,OPS,extra\n")
    assert reasons(result) == [
        "line 3: This line has 3 values but the header has 4 columns.",
        "line 4: This line has 5 values but the header has 4 columns.",
    ]


def test_unclosed_quote_is_pointed_at(db_session, team):
    result = run(db_session, f'{HEADER}\nWEB,"Web,web,OPS\nTEL,Phone,phone,OPS\n')
    assert not result.ok
    assert result.errors[0].line == 2 and "check the quotes" in result.errors[0].reason


def test_at_most_200_errors_are_listed_and_the_rest_counted(db_session, team):
    rows = "".join(f"TP{i},Name,fax,OPS\n" for i in range(250))
    result = run(db_session, f"{HEADER}\n{rows}")
    assert result.error_count == 250 and len(result.errors) == 200 and result.more_errors == 50
    assert result.report_lines()[-1] == "  ... and 50 more"


def test_text_and_non_seekable_inputs_are_accepted(db_session, team):
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self._data.readinto(b)

    assert import_touchpoints(db_session, io.StringIO(f"{HEADER}\nWEB,Web,web,OPS\n")).ok
    assert import_touchpoints(db_session, io.BufferedReader(Pipe(f"{HEADER}\nTEL,T,phone,OPS\n".encode()))).ok
    assert count(db_session) == 2


def test_rows_can_be_read_twice_from_one_source():
    source = CsvSource(b"a,b\n1,2\n3,4\n")
    report = Report("t", dry_run=True)
    assert source.read_header(report, required=("a", "b")) is not None
    first, second = list(source.rows(report)), list(source.rows(report))
    assert first == second == [(2, {"a": "1", "b": "2"}), (3, {"a": "3", "b": "4"})]
    assert len(source.sha256) == 64


def test_nul_byte_is_reported_on_its_line_and_nothing_is_imported(db_session, team):
    result = run(db_session, f"{HEADER}\nWEB,Web shop,web,OPS\nTEL,Pho\x00ne,phone,OPS\n")
    assert [e.line for e in result.errors] == [3] and "NUL byte" in reasons(result)[0]
    assert count(db_session) == 0


def test_an_enormous_field_is_reported_not_crashed_on(db_session, team):
    header_only = run(db_session, "x" * 200_000 + "\nWEB,Web,web,OPS\n")
    assert not header_only.ok and "header line cannot be read" in reasons(header_only)[0]
    in_a_row = run(db_session, f"{HEADER}\nWEB,{'x' * 200_000},web,OPS\n")
    assert not in_a_row.ok and "cannot be read from here on" in reasons(in_a_row)[0]
    assert count(db_session) == 0
