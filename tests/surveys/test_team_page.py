"""The team page's read side on a planted organisation (tests/team_world.py): which unit is shown and why,
each comparison against the rest of the organisation / parent / the previous wave, items by gap, customer
periods below k hidden, comments only at the comment threshold, actions of the subtree, goals that apply,
and focus areas only from a team's own shown results."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from analysis.summaries import Sums, difference
from surveys.insights import focus, team_page
from surveys.insights.reports.common import Tree
from surveys.insights.reports.params import ReportSettings, Scope

from ..team_world import build_world

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def world(db_session, make):
    return build_world(db_session, make)


def _page(db_session, team, **kw):
    tree = Tree(db_session)
    return team_page.build(db_session, tree, tree.by_code[team.code], ReportSettings(), TODAY, **kw)


def _fav(n: int, fav: int) -> Sums:
    """Respondents' % favourable on one item: `fav` people at 100, the rest at 0."""
    return Sums("mean", n, 100.0 * fav, 100.0 ** 2 * fav, 1.0, (0.0, 100.0))


def _row(rows, key):
    return next(r for r in rows if r.key == key)


def test_a_team_at_k_is_compared_with_the_rest_of_the_org_its_parent_and_its_last_wave(db_session, world):
    page = _page(db_session, world.b)
    res = page.results
    assert res.is_team and res.reason is None and res.wave.label == "W2" and res.previous.label == "W1"
    eng = _row(res.dimensions, "engagement")
    assert (eng.value, eng.n) == (28.6, 7)
    # Organisation: B (2 of 7) against everyone else, A + C + D = 3 + 1 + 8 of 6 + 3 + 10.
    want = difference(_fav(7, 2), _fav(19, 12))
    assert (eng.org.change, eng.org.low, eng.org.high) == (round(want.change, 1), round(want.ci_low, 1),
                                                          round(want.ci_high, 1))
    assert eng.org.reference == round(100 * 14 / 26, 1) and eng.org.significant == want.significant
    # Parent: against the rest of the department, A + C = 4 of 9.
    want = difference(_fav(7, 2), _fav(9, 4))
    assert (eng.parent.label, eng.parent.change) == ("Department", round(want.change, 1))
    # Previous wave: B itself in W1, 5 of 7.
    want = difference(_fav(7, 2), _fav(7, 5))
    assert (eng.previous.label, eng.previous.change, eng.previous.low) == ("W1", round(want.change, 1),
                                                                          round(want.ci_low, 1))
    assert {r.key for r in res.dimensions} == {"engagement", "process", "enps"}


def test_items_come_largest_shortfall_first_and_leave_out_the_enps_question(db_session, world):
    items = _page(db_session, world.b).results.items
    # p1: 14.3 against 13 of 19 (68.4); e1: 28.6 against 12 of 19 (63.2): p1 is further below.
    assert [r.label for r in items] == ["Our processes work.", "I am proud to work here."]
    assert items[0].org.change < items[1].org.change < 0


def test_a_team_below_k_sees_its_parent_and_says_why(db_session, world):
    res = _page(db_session, world.c).results
    assert not res.is_team and res.shown_id == world.dept.id
    assert res.reason == "Fewer than 5 people in Gamma answered in W2, so these are Department's results."
    assert all(r.suppressed or r.n == 16 for r in res.dimensions)  # the department's 16, never C's 3


def test_a_team_that_would_give_a_small_sibling_away_is_held_back(db_session, world):
    # C (3) is hidden; with A and B shown, C would be DEPT - A - B: so A, the smaller, is hidden too.
    page = _page(db_session, world.a)
    assert page.results.shown_id == world.dept.id
    assert page.results.reason.startswith("Alpha's results for W2 are held back so that a smaller team's")
    assert page.focus == () and "its own results are not shown" in page.focus_note


def test_no_row_anywhere_comes_from_fewer_than_k(db_session, world):
    for team in (world.a, world.b, world.c, world.d, world.dept, world.other):
        res = _page(db_session, team, with_focus=False).results
        for row in res.dimensions + res.items:
            assert row.suppressed or row.n >= res.k


def test_customer_periods_below_k_are_hidden_and_changes_need_two_shown_periods(db_session, world):
    (csat,) = _page(db_session, world.b).customers
    jan, feb = csat.points
    assert jan.suppressed and jan.value is None and jan.n is None
    assert (feb.value, feb.n, feb.change) == (66.7, 6, None)
    assert _page(db_session, world.d).customers == ()  # D owns no touchpoint


def test_comments_only_from_groups_at_the_comment_threshold(db_session, world):
    d = _page(db_session, world.d).comments
    assert d.shown and d.respondents == 10
    assert sorted(d.questions[0].texts) == sorted(f"D comment {i} in W2" for i in range(10))
    b = _page(db_session, world.b).comments
    assert not b.shown and b.questions == () and "fewer than 10 people in Beta" in b.note


def test_actions_of_the_subtree_and_goals_that_apply(db_session, world):
    b, dept, d = _page(db_session, world.b), _page(db_session, world.dept), _page(db_session, world.d)
    assert [(a.title, a.overdue) for a in b.actions] == [("Fix the hand-offs", True)]
    assert [a.title for a in dept.actions] == ["Fix the hand-offs"]
    assert [a.title for a in d.actions] == ["Delta's own plan"]
    (goal,) = b.goals
    assert (goal.metric, goal.unit, goal.target) == ("process", "Department", 80.0)
    assert goal.latest.value == round(100 * 5 / 16, 1) and goal.latest.n == 16  # DEPT's process in W2
    assert d.goals == ()


def test_focus_uses_the_goal_gap_and_ranks_by_gap_when_no_leverage_is_measurable(db_session, world):
    page = _page(db_session, world.b)
    (area,) = page.focus  # process is the only factor asked
    proc = _row(page.results.dimensions, "process")
    assert area.against == "goal" and area.gap == pytest.approx(80 - proc.value)
    assert (area.gap_low, area.gap_high) == pytest.approx((80 - proc.high, 80 - proc.low))
    assert area.leverage == 0 and "ranks by gap alone" in area.sentence
    assert focus.action_title(area) == f"Close the gap to the goal on process ({area.gap:.0f} points)"


def test_find_team_refuses_teams_outside_the_scope_like_missing_ones(db_session, world):
    tree = Tree(db_session)
    lead = Scope(frozenset(tree.subtree(world.dept.id)))
    assert team_page.find_team(tree, "B", lead).id == world.b.id
    assert team_page.find_team(tree, "D", lead) is None and team_page.find_team(tree, "NOPE", lead) is None
    assert team_page.find_team(tree, "D", Scope(None)).id == world.d.id


def test_org_leverage_survives_the_cache_round_trip(db_session, world):
    lev = focus.org_leverage(db_session, "EX", ReportSettings())
    assert lev.teams < 10 and all(math.isnan(v.driver_weight) for v in lev.by_metric.values())  # too few teams
    back = focus.OrgLeverage.from_json(lev.to_json())
    assert back.note == lev.note and set(back.by_metric) == set(lev.by_metric)
    assert all(math.isnan(back.by_metric[m].driver_weight) for m in back.by_metric)


def test_when_every_unit_above_is_hidden_the_organisation_is_shown_and_below_k_nothing(db_session, world):
    from surveys.insights.team_results import shown_unit

    tree = Tree(db_session)
    ids = {t: getattr(world, t.lower()).id for t in "ABCD"}
    # D (2) is hidden, OTHER equals D, and DEPT goes too so that OTHER is not ORG minus DEPT.
    counts = {ids["A"]: 6, ids["B"]: 7, ids["C"]: 3, ids["D"]: 2}
    assert shown_unit(tree, ids["D"], counts, 5, "W2") == (
        None, "Fewer than 5 people in Delta answered in W2, so these are the organisation's results.", True)
    assert shown_unit(tree, ids["D"], {ids["D"]: 2, ids["A"]: 1}, 5, "W2") == (
        None, "Fewer than 5 people answered in W2, so no results can be shown.", False)
