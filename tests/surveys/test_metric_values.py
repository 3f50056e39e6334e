"""metric_values.latest: a metric's value for some teams in the latest closed wave, with n and interval."""
from __future__ import annotations

import datetime as dt

import pytest

from surveys.collection import submission
from surveys.insights import metric_values
from tests.surveys import goal_data


@pytest.fixture
def org(db_session, make):
    return goal_data.build(db_session, make)


def test_organisation_engagement_by_hand(db_session, org):
    v = metric_values.latest(db_session, "engagement", None, 5)
    # W2 (the open W3 never counts): A and B, 6 of 12 favourable, each respondent 100 or 0 -> mean 50;
    # sd = sqrt(12 * 50^2 / 11) = 52.22, se = 15.08, t(0.975, 11) = 2.201 (t table): 50 -/+ 33.2.
    assert (v.metric, v.period, v.value, v.n, v.low, v.high) == ("engagement", "W2", 50.0, 12, 16.8, 83.2)
    assert not v.suppressed and v.note == ""


def test_team_enps_by_hand(db_session, org):
    v = metric_values.latest(db_session, "enps", [org["a"].id], 5)
    # Three 9s, two 7s, one 3: 50% promoters - 16.7% detractors = 33.3; multinomial se
    # 100 * sqrt((0.5 + 0.1667 - 0.3333^2) / 6) = 30.43; normal 95%: 33.3 -/+ 59.6.
    assert (v.value, v.n, v.low, v.high) == (33.3, 6, -26.3, 93.0)


def test_a_team_that_skipped_the_latest_wave_gets_its_last_one(db_session, org):
    v = metric_values.latest(db_session, "engagement", [org["c"].id], 5)
    assert (v.period, v.value, v.n) == ("W1", 100.0, 6)


def test_suppressed_below_k(db_session, make):
    org = goal_data.build(db_session, make, b_in_w2=3)
    v = metric_values.latest(db_session, "engagement", [org["b"].id], 5)
    # B has 3 answers in W2: hidden, and not replaced by B's older W1 value either.
    assert v.suppressed and (v.value, v.n, v.low, v.high) == (None, None, None, None)
    assert v.period == "W2" and "Fewer than 5 answers" in v.note
    assert metric_values.latest(db_session, "engagement", [org["a"].id, org["b"].id], 5).n == 9  # = DEPT, shown
    # A alone would give B away (DEPT minus A): hidden too, as on the team page (a baseline asks for any set).
    assert "worked out by subtraction" in metric_values.latest(db_session, "engagement", [org["a"].id], 5).note


def test_customer_metric_from_the_waves_customer_period(db_session, org):
    v = metric_values.latest(db_session, "csat", [org["a"].id], 5)
    # 6 of 8 satisfied = 75%; Wilson 95%: centre 0.6689, half-width 0.2596 -> 40.9 to 92.9.
    assert (v.value, v.n, v.low, v.high) == (75.0, 8, 40.9, 92.9)
    assert v.period == "customers 01 Feb 2026 to 01 Mar 2026 (W2)"
    none = metric_values.latest(db_session, "csat", [org["b"].id], 5)  # B owns no touchpoint
    assert none.value is None and not none.suppressed and "No answers" in none.note


def test_no_closed_wave(db_session, make):
    team = make.team()
    wave = make.wave(make.program(survey=make.survey(questions=goal_data.EX)), status="open")
    e1, enps = wave.survey.questions
    for _ in range(6):
        submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                  parsed={e1: (5, None), enps: (9, None)}, today=dt.date(2026, 1, 3))
    v = metric_values.latest(db_session, "engagement", None, 5)
    assert v.value is None and v.note == "No employee wave has closed yet."


def test_outcomes_wait_for_their_import(db_session, org):
    v = metric_values.latest(db_session, "outcome:revenue", None, 5)
    assert v.value is None and "not imported" in v.note
