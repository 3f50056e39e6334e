"""An action's measured effect from the rollups: periods, treated and comparison teams, statuses."""
import datetime as dt

import pytest

from surveys.insights.action_effects import measure
from tests.surveys.effects_world import action, plant


@pytest.fixture
def world(db_session, make):
    return plant(db_session, make)


def test_effect_against_the_department_hand_worked(db_session, world):
    # Team A rose 10; comparison B1..B5 rose 0..4 (mean 2, variance 2.5); B6 did not answer W2, Sales is
    # another department. Effect 10 - 2 = 8; se^2 = 2.5 * (1 + 1/5) = 3; t(0.975, 4) = 2.7764;
    # half-width 2.7764 * 1.7321 = 4.809: interval 3.2 to 12.8.
    act = action(db_session, [world["A"]])
    got = measure(db_session, [act], k=5)[act.id]
    assert (got.status, got.effect, got.low, got.high) == ("measured", 8.0, 3.2, 12.8)
    assert (got.n_treated, got.n_comparison, got.before, got.after) == (1, 5, "W1", "W2")
    assert got.verdict == "worked" and got.compared_with == "Operations"
    assert got.sentence == ("Process rose 8 points more in the team with this action than in 5 comparable "
                            "teams (interval 3 to 13): it likely worked.")


def test_customer_metric_uses_the_paired_customer_periods(db_session, world):
    act = action(db_session, [world["A"]], metric="csat")
    got = measure(db_session, [act], k=5)[act.id]
    assert (got.status, got.effect, got.low, got.high, got.n_comparison) == ("measured", 8.0, 3.2, 12.8, 5)
    assert got.before == "customers 01 Jan 2026 to 01 Apr 2026 (W1)"
    assert got.sentence.startswith("CSAT rose 8 points more")


def test_teams_with_an_action_on_the_metric_are_no_comparison(db_session, world):
    act = action(db_session, [world["A"]])
    other = action(db_session, [world["B1"]], starts_on=dt.date(2026, 3, 1))
    # Operations keeps 4 comparison teams (B2..B5): too few, so the whole organisation (+ C1..C6) compares.
    # Comparison changes 1, 2, 3, 4 and six 20s: mean 130 / 10 = 13, effect 10 - 13 = -3.
    got = measure(db_session, [act, other], k=5)
    assert (got[act.id].effect, got[act.id].n_comparison, got[act.id].compared_with) == (-3.0, 10, "the organisation")
    other.status = "abandoned"  # an abandoned action's team compares again
    db_session.flush()
    assert measure(db_session, [act], k=5)[act.id].n_comparison == 5
    other.status, other.starts_on = "planned", dt.date(2026, 5, 1)  # not started by W2: no action yet
    db_session.flush()
    assert measure(db_session, [act], k=5)[act.id].n_comparison == 5


def test_waiting_not_measurable_and_too_few(db_session, world):
    waiting = action(db_session, [world["A"]], starts_on=dt.date(2026, 4, 15))
    early = action(db_session, [world["A"]], starts_on=dt.date(2025, 12, 1), metric="culture")
    outcome = action(db_session, [world["A"]], metric="outcome:revenue")
    small = action(db_session, [world["B6"]], metric="people")
    got = measure(db_session, [waiting, early, outcome, small], k=5)
    assert (got[waiting.id].status, got[waiting.id].before, got[waiting.id].effect) == ("waiting", "W2", None)
    assert got[early.id].status == got[outcome.id].status == "not_measurable"
    assert got[small.id].status == "too_few" and got[small.id].verdict == "too few teams to tell"
    assert got[small.id].effect is None and "Too few teams to tell" in got[small.id].sentence
    same_day = action(db_session, [world["A"]], starts_on=dt.date(2026, 4, 1))  # W2 opened that day: before
    assert measure(db_session, [same_day], k=5)[same_day.id].status == "waiting"


def test_an_action_on_a_department_covers_its_teams_once(db_session, world):
    act = action(db_session, [world["OPS"], world["A"]])  # A named twice (itself and under OPS): counted once
    got = measure(db_session, [act], k=5)[act.id]
    # Treated A, B1..B5 (B6 did not answer W2); Operations has no other team, so Sales' six teams compare.
    assert (got.n_treated, got.n_comparison, got.compared_with) == (6, 6, "the organisation")
    assert got.effect == pytest.approx(20 / 6 - 20, abs=0.05) and got.verdict == "went the other way"


def test_one_read_per_metric_whatever_the_number_of_actions(db_session, world, statements):
    one = [action(db_session, [world["A"]])]
    statements.clear()
    measure(db_session, one, k=5)
    single = len(statements)
    many = one + [action(db_session, [world[c]]) for c in ("B1", "B2", "C1", "C2")]
    statements.clear()
    measure(db_session, many, k=5)
    assert len(statements) == single
