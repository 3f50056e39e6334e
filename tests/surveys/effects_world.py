"""A planted organisation for measured-effect tests: rollup rows for two closed waves, no answers needed.

Org ROOT > departments OPS (teams A, B1..B6) and SAL (teams C1..C6). Waves W1 (opens 1 Jan 2026) and
W2 (opens 1 Apr 2026), both closed. Process (% favourable, the mean of respondents' scores) moves:
  A  60 -> 70 (+10, the treated team)        B1..B5  50 -> 50, 51, 52, 53, 54 (+0..+4)
  B6 did not answer W2 (no rows)            C1..C6  40 -> 60 (+20: a different department)
(A team with 1-4 answers in W2 would be hidden, and one sibling with it by complementary suppression,
so its department's comparison would lose a team: the effect never uses a team the heatmap holds back.)
Customer CSAT of the touchpoints each team owns, in the paired customer months, moves the same way.
"""
from __future__ import annotations

import datetime as dt

from surveys.models import Action, RollupDimension, RollupResponses
from surveys.models.rollups import RollupCustomerMonth

W1, W2 = dt.datetime(2026, 1, 1), dt.datetime(2026, 4, 1)
CHANGES = {"A": 10, **{f"B{i}": i - 1 for i in range(1, 7)}, **{f"C{i}": 20 for i in range(1, 7)}}
BEFORE = {"A": 60, **{f"B{i}": 50 for i in range(1, 7)}, **{f"C{i}": 40 for i in range(1, 7)}}


def _dimension(wave, team, value, n):
    # n respondents whose scores average `value` with a spread of 20 points.
    return RollupDimension(wave_id=wave.id, team_id=team.id, dimension="process", n_fav=n, fav_sum=n * value,
                           fav_sq=n * (value ** 2 + 400.0), n=n)


def _csat(month, team, share, n=20):
    return RollupCustomerMonth(month=month, touchpoint_id=team.touchpoints[0].id, team_id=team.id, metric="csat",
                               source="public_link", channel="", n=n, top2=n * share / 100)


def plant(session, make) -> dict:
    """Teams by code (and 'ROOT', 'OPS', 'SAL'), the two waves under 'W1'/'W2', and the program under 'P'."""
    root = make.team(code="ROOT", name="Northwind")
    ops = make.team(code="OPS", name="Operations", parent=root)
    sal = make.team(code="SAL", name="Sales", parent=root)
    teams = {"ROOT": root, "OPS": ops, "SAL": sal}
    for code in CHANGES:
        teams[code] = make.team(code=code, name=f"Team {code}", parent=ops if code[0] in "AB" else sal)
        make.touchpoint(team=teams[code])  # the monthly customer rollup is kept per touchpoint
    program = make.program(code="EX")
    w1 = make.wave(program, status="closed", label="W1", opens_at=W1)
    w2 = make.wave(program, status="closed", label="W2", opens_at=W2)
    rows = []
    for code, change in CHANGES.items():
        team = teams[code]
        rows += [_dimension(w1, team, BEFORE[code], 10),
                 RollupResponses(wave_id=w1.id, team_id=team.id, source="import", n=10),
                 _csat(dt.date(2026, 2, 1), team, BEFORE[code])]
        if code != "B6":
            rows += [_dimension(w2, team, BEFORE[code] + change, 10),
                     RollupResponses(wave_id=w2.id, team_id=team.id, source="import", n=10),
                     _csat(dt.date(2026, 5, 1), team, BEFORE[code] + change)]
    session.add_all(rows)
    session.flush()
    return {**teams, "W1": w1, "W2": w2, "P": program}


def action(session, teams, metric="process", starts_on=dt.date(2026, 2, 1), status="in_progress", **kw) -> Action:
    """An action on these teams, flushed."""
    act = Action(title=kw.pop("title", f"Fix {metric}"), metric=metric, starts_on=starts_on, status=status,
                 teams=list(teams), **kw)
    session.add(act)
    session.flush()
    return act
