"""`tandem tick --now` refuses clocks outside 2000-2100 with one line, never a traceback."""
from __future__ import annotations

import datetime as dt

import pytest

from webapp.cli.tick import parse_now


@pytest.mark.parametrize("value", ["9999-12-31T12:00", "9999-12-31T23:00-05:00", "1999-12-31", "0001-01-01T00:00"])
def test_far_clocks_are_a_one_line_usage_error(runner, value):
    result = runner.invoke(args=["tick", "--now", value])
    assert result.exit_code == 2 and not isinstance(result.exception, (ValueError, OverflowError))
    assert result.output.strip().splitlines() == [
        f"Error: Invalid value for --now: {value} is outside the years 2000-2100; give a date-time such as "
        "2026-11-01T08:00"]


def test_bad_text_is_one_line_too(runner):
    result = runner.invoke(args=["tick", "--now", "next tuesday"])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def test_edges_of_the_range_and_offsets_are_accepted():
    assert parse_now("2000-01-01") == dt.datetime(2000, 1, 1)
    assert parse_now("2100-12-31T23:59") == dt.datetime(2100, 12, 31, 23, 59)
    assert parse_now("2026-11-01T09:00+01:00") == dt.datetime(2026, 11, 1, 8, 0)


def test_a_sane_clock_still_ticks(runner):
    result = runner.invoke(args=["tick", "--now", "2026-11-01T08:00"])
    assert result.exit_code == 0 and result.output.startswith("tick 2026-11-01T08:00:00: opened 0")
