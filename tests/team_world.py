"""A small organisation for the team page tests, written through the real write path (the rollups follow).

    DEPT "Department"          OTHER "Other"
      A  6 respondents           D  10 respondents
      B  7 respondents
      C  3 respondents (below k = 5: hidden; A is then hidden too, so C is not DEPT minus A minus B)

Two closed monthly waves, W1 (January) and W2 (February). In W2, favourable answers on the engagement
item e1 and the process item p1 are, per team: A 3 and 3 of 6, B 2 and 1 of 7, C 1 and 1 of 3,
D 8 and 9 of 10. In W1 B had 5 and 4 of 7. eNPS: the first `e1-favourable` people are promoters (9),
the rest detractors (5). Every D respondent leaves a comment (10: at the comment threshold); B's 7 do too.
B owns a touchpoint with 3 CSAT answers in January (hidden) and 6 in February (4 satisfied).
A process goal of 80 on DEPT; an overdue action on B and one on D.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from surveys.collection import submission
from surveys.models import Action, Goal, Team, Wave

EX = [{"code": "e1", "qtype": "likert5", "dimension": "engagement", "text": "I am proud to work here."},
      {"code": "p1", "qtype": "likert5", "dimension": "process", "text": "Our processes work."},
      {"code": "enps", "qtype": "scale0_10", "dimension": "enps"},
      {"code": "comment", "qtype": "text", "dimension": "comment", "required": False, "text": "Anything else?"}]
CX = [{"code": "sat", "qtype": "likert5", "dimension": "csat"}]
# team -> {wave label: (respondents, e1 favourable, p1 favourable)}
PLAN = {"A": {"W1": (6, 3, 3), "W2": (6, 3, 3)}, "B": {"W1": (7, 5, 4), "W2": (7, 2, 1)},
        "C": {"W1": (3, 1, 1), "W2": (3, 1, 1)}, "D": {"W1": (10, 8, 9), "W2": (10, 8, 9)}}


@dataclass
class World:
    dept: Team
    other: Team
    a: Team
    b: Team
    c: Team
    d: Team
    w1: Wave
    w2: Wave


def build_world(db_session, make) -> World:
    """Plant the organisation above and commit it (the test's outer transaction still rolls it back)."""
    dept, other = make.team(code="DEPT", name="Department"), make.team(code="OTHER", name="Other")
    teams = {"A": make.team(code="A", name="Alpha", parent=dept), "B": make.team(code="B", name="Beta", parent=dept),
             "C": make.team(code="C", name="Gamma", parent=dept), "D": make.team(code="D", name="Delta", parent=other)}
    program = make.program(survey=make.survey(questions=EX), code="EX")
    waves = {}
    for month, label in ((1, "W1"), (2, "W2")):
        wave = make.wave(program, opens_at=dt.datetime(2026, month, 1), days=10, status="closed", label=label)
        waves[label] = wave
        e1, p1, enps, comment = wave.survey.questions
        for code, team in teams.items():
            n, fav_e, fav_p = PLAN[code][label]
            for i in range(n):
                parsed = {e1: (5 if i < fav_e else 2, None), p1: (4 if i < fav_p else 1, None),
                          enps: (9 if i < fav_e else 5, None)}
                if code in ("B", "D"):
                    parsed[comment] = (None, f"{code} comment {i} in {label}")
                submission.store_response(db_session, wave=wave, team_id=team.id, source="import", parsed=parsed,
                                          today=dt.date(2026, month, 3))
    tp = make.touchpoint(team=teams["B"], channel="phone")
    cx_wave = make.wave(make.program(survey=make.survey(audience="customer", questions=CX)),
                        opens_at=dt.datetime(2026, 1, 1), days=120, status="open")
    sat = cx_wave.survey.questions[0]
    for value, day in [(5, dt.date(2026, 1, 10))] * 3 + [(v, dt.date(2026, 2, 10)) for v in (5, 5, 4, 4, 2, 1)]:
        submission.store_response(db_session, wave=cx_wave, team_id=teams["B"].id, source="import",
                                  parsed={sat: (value, None)}, today=day, touchpoint=tp)
    db_session.add(Goal(metric="process", team_id=dept.id, target=80.0, due_on=dt.date(2026, 12, 31)))
    db_session.add(Action(title="Fix the hand-offs", metric="process", teams=[teams["B"]], status="in_progress",
                          due_on=dt.date(2026, 1, 15)))
    db_session.add(Action(title="Delta's own plan", metric="people", teams=[teams["D"]], status="planned"))
    db_session.commit()
    return World(dept, other, teams["A"], teams["B"], teams["C"], teams["D"], waves["W1"], waves["W2"])
