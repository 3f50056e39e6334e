"""A small organisation with rollups for the metric-value and goal tests.

DEPT holds teams A and B; C is a root team of its own. Employee program EX: W1 (1 Jan 2026) and W2
(1 Feb 2026) closed, W3 (1 Mar 2026) still open. In W2, A has 6 respondents (3 favourable; eNPS: three
9s, two 7s, one 3), B has 6 (3 favourable; eNPS the same), C answered only W1 (6, all favourable). In W1
A and B have 6 each, 1 favourable. Customers of A's web touchpoint answered CSAT 8 times on 10 Feb 2026
(6 satisfied): inside W2's customer period (1 Feb to 1 Mar). `c_in_w2` gives C answers in W2 too (half of
them favourable, eNPS as A's): with none, C is a hidden empty cell, and complementary suppression then hides
DEPT and the organisation wherever the hierarchy's suppression applies.
"""
from __future__ import annotations

import datetime as dt

from surveys.collection import submission

EX = [{"code": "e1", "qtype": "likert5", "dimension": "engagement"},
      {"code": "enps", "qtype": "scale0_10", "dimension": "enps"}]
CX = [{"code": "sat", "qtype": "likert5", "dimension": "csat"}]
ENPS = (9, 9, 9, 7, 7, 3)


def build(db_session, make, b_in_w2: int = 6, c_in_w2: int = 0) -> dict:
    """The organisation above; `b_in_w2` sets how many of B answered W2 (3 tests suppression)."""
    dept = make.team(code="DEPT", name="Department")
    a, b = make.team(code="A", name="Alpha", parent=dept), make.team(code="B", name="Beta", parent=dept)
    c = make.team(code="C", name="Gamma")
    program = make.program(survey=make.survey(questions=EX), code="EX")
    waves = [make.wave(program, opens_at=dt.datetime(2026, m, 1), days=10, status=s, label=f"W{m}")
             for m, s in ((1, "closed"), (2, "closed"), (3, "open"))]

    def answer(wave, team, n, favourable, day):
        e1, enps = wave.survey.questions
        for i in range(n):
            submission.store_response(db_session, wave=wave, team_id=team.id, source="import",
                                      parsed={e1: (5 if i < favourable else 2, None), enps: (ENPS[i % 6], None)},
                                      today=day)

    answer(waves[0], a, 6, 1, dt.date(2026, 1, 3))
    answer(waves[0], b, 6, 1, dt.date(2026, 1, 3))
    answer(waves[0], c, 6, 6, dt.date(2026, 1, 3))
    answer(waves[1], a, 6, 3, dt.date(2026, 2, 3))
    answer(waves[1], b, b_in_w2, 3, dt.date(2026, 2, 3))
    answer(waves[1], c, c_in_w2, c_in_w2 // 2, dt.date(2026, 2, 3))
    answer(waves[2], a, 6, 6, dt.date(2026, 3, 3))  # the open wave: never counted
    web = make.touchpoint(team=a, channel="web")
    cx_wave = make.wave(make.program(survey=make.survey(audience="customer", questions=CX)),
                        opens_at=dt.datetime(2026, 1, 1), days=120, status="open")
    sat = cx_wave.survey.questions[0]
    for value in (5, 5, 4, 4, 4, 4, 2, 1):
        submission.store_response(db_session, wave=cx_wave, team_id=a.id, source="import",
                                  parsed={sat: (value, None)}, today=dt.date(2026, 2, 10), touchpoint=web)
    db_session.commit()
    return {"dept": dept, "a": a, "b": b, "c": c, "waves": waves, "program": program}
