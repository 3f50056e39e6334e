"""Customer periods of the linkage report: both ends of every period, including the last one."""
from __future__ import annotations

import datetime as dt

import pytest

from surveys.collection import submission
from surveys.insights import datasets
from surveys.insights.datasets import _next_step

CX = [{"code": "csat", "qtype": "likert5", "dimension": "csat"}]


@pytest.mark.parametrize(("previous", "last", "expected"), [
    (dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)),    # monthly: 31 October is inside
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 28)),   # day differs: same number of days
    (dt.date(2026, 1, 15), dt.date(2026, 4, 15), dt.date(2026, 7, 15)),   # quarterly
    (dt.date(2026, 11, 2), dt.date(2026, 12, 2), dt.date(2027, 1, 2)),    # across the year end
    (dt.date(2026, 3, 2), dt.date(2026, 3, 16), dt.date(2026, 3, 30)),    # fortnightly
    (None, dt.date(2026, 1, 31), dt.date(2026, 2, 28)),                   # one wave: a calendar month, clamped
])
def test_the_last_period_steps_by_the_calendar(previous, last, expected):
    assert _next_step(previous, last) == expected


@pytest.fixture
def monthly(make):
    program = make.program(code="EXP")
    for month in (9, 10):
        make.wave(program, opens_at=dt.datetime(2026, month, 1, 8), days=10, status="closed")
    return program


def _customer_answers(db_session, make, days):
    tp = make.touchpoint()
    wave = make.wave(make.program(survey=make.survey(audience="customer", questions=CX)),
                     opens_at=dt.datetime(2026, 8, 1), days=120, status="closed")
    for day in days:
        submission.store_response(db_session, wave=wave, team_id=tp.team_id, source="import",
                                  parsed={wave.survey.questions[0]: (5, None)}, today=day, touchpoint=tp)


def test_every_day_of_the_last_month_counts_and_nothing_outside(db_session, make, monthly):
    waves = datasets.employee_waves(db_session, "EXP")
    assert [(w.period_start, w.period_end) for w in waves] == [
        (dt.date(2026, 9, 1), dt.date(2026, 10, 1)), (dt.date(2026, 10, 1), dt.date(2026, 11, 1))]
    edges = [dt.date(2026, 8, 31), dt.date(2026, 9, 1), dt.date(2026, 9, 30), dt.date(2026, 10, 1),
             dt.date(2026, 10, 31), dt.date(2026, 11, 1)]
    _customer_answers(db_session, make, edges)
    cx = datasets.team_customer_outcomes(db_session, waves).set_index("wave")
    assert cx.loc[0, "n"] == 2 and cx.loc[1, "n"] == 2  # 31 Aug and 1 Nov fall outside both periods
    assert set(cx.index) == {0, 1}


def test_a_planned_next_wave_ends_the_last_period(db_session, make, monthly):
    make.wave(monthly, opens_at=dt.datetime(2026, 11, 4), status="draft")
    assert datasets.employee_waves(db_session, "EXP")[-1].period_end == dt.date(2026, 11, 4)
