"""A small world for digest tests: two departments, each a team with one touchpoint, a lead of the first,
customer rollups for two ISO weeks, alerts, a rising theme with comments and follow-up cases."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from surveys.models import Answer, Person, Response, Team, Touchpoint
from surveys.models.alerts import Alert
from surveys.models.rollups import RollupCustomerDay
from surveys.models.themes import ALL_COMMENTS, CommentTheme, RollupThemeDay, Theme
from surveys.models.voice import FollowUpCase

WEEK = dt.date(2026, 11, 23)      # Monday of the digest's week (2026-W48)
BEFORE = dt.date(2026, 11, 16)    # Monday of the week before
TODAY = dt.date(2026, 12, 1)      # the last complete week before this day is WEEK


@dataclass
class World:
    care: Team
    sales: Team
    care_tp: Touchpoint
    sales_tp: Touchpoint
    lead: Person
    executive: Person
    hr: Person


def csat(session, tp: Touchpoint, day: dt.date, n: int, satisfied: int) -> None:
    """n CSAT answers at a touchpoint on one day, `satisfied` of them top-two."""
    session.add(RollupCustomerDay(day=day, touchpoint_id=tp.id, team_id=tp.team_id, metric="csat",
                                  source="public_link", channel="", n=n, top2=satisfied, prom=0, det=0, mean=0,
                                  mean_sq=0, top2_sq=satisfied, net_sq=0))


def build(make) -> World:
    """The world; CSAT at Care: 70% of 40 the week before, 80% of 50 in the week; Sales: 90% of 20 in both."""
    s = make.session
    care_dept, sales_dept = make.team(code="CARE", name="Customer Care"), make.team(code="SALES", name="Sales")
    care, sales = make.team(code="CARE-1", name="Care Cardiff", parent=care_dept), \
        make.team(code="SALES-1", name="Sales Bristol", parent=sales_dept)
    care_tp = make.touchpoint(team=care, code="PHONE-CDF")
    care_tp.name = "Phone support Cardiff"
    sales_tp = make.touchpoint(team=sales, code="STORE-BRS")
    sales_tp.name = "Bristol store"
    lead = make.staff(role="team_lead", team=care_dept, email="lead@example.com")
    care_dept.lead_id = lead.id
    executive = make.staff(role="executive", email="exec@example.com")
    hr = make.staff(role="hr_admin", email="hr@example.com")
    csat(s, care_tp, BEFORE + dt.timedelta(days=1), 25, 17)
    csat(s, care_tp, BEFORE + dt.timedelta(days=3), 15, 11)   # 28 of 40 = 70%
    csat(s, care_tp, WEEK + dt.timedelta(days=2), 30, 25)
    csat(s, care_tp, WEEK + dt.timedelta(days=5), 20, 15)     # 40 of 50 = 80%
    csat(s, sales_tp, BEFORE, 20, 18)
    csat(s, sales_tp, WEEK, 20, 18)
    # Alerts: one new at Care in the week, one at Sales detected before it and still open.
    s.add(Alert(touchpoint_id=care_tp.id, team_id=care.id, metric="csat", kind="sudden_week", began_on=WEEK,
                detected_on=WEEK + dt.timedelta(days=6), last_seen_on=WEEK + dt.timedelta(days=6), drop=12.5,
                low=4.0, high=21.0, severity="high", status="new", open_key=f"{care_tp.id}:csat:sudden_week"))
    s.add(Alert(touchpoint_id=sales_tp.id, team_id=sales.id, metric="nps", kind="shift", began_on=dt.date(2026, 10, 1),
                detected_on=dt.date(2026, 10, 20), last_seen_on=WEEK, drop=9.0, low=2.0, high=16.0,
                severity="medium", status="acknowledged", open_key=f"{sales_tp.id}:nps:shift"))
    # A theme that rose at Care: 9 comments in the week against 2 the week before; and one at Sales.
    queues = Theme(audience="customer", name="Waiting on hold", words="hold,wait,queue")
    prices = Theme(audience="customer", name="Store prices", words="price,expensive")
    s.add_all([queues, prices])
    s.flush()
    for day, theme, tp, n in ((WEEK + dt.timedelta(days=1), queues, care_tp, 9), (BEFORE, queues, care_tp, 2),
                              (WEEK, prices, sales_tp, 8), (BEFORE, prices, sales_tp, 1)):
        s.add(RollupThemeDay(day=day, touchpoint_id=tp.id, team_id=tp.team_id, theme_id=theme.id, n=n,
                             sentiment_sum=-0.5 * n, negative=n))
        s.add(RollupThemeDay(day=day, touchpoint_id=tp.id, team_id=tp.team_id, theme_id=ALL_COMMENTS, n=n,
                             sentiment_sum=-0.5 * n, negative=n))
    survey = make.survey(audience="customer", questions=[
        {"code": "csat", "qtype": "likert5", "dimension": "csat"},
        {"code": "why", "qtype": "text", "dimension": "comment", "required": False}])
    wave = make.wave(make.program(survey), opens_at=dt.datetime(2026, 11, 1), days=30)
    comment_q = survey.questions[1]
    for tp, theme, text in ((care_tp, queues, "I waited on hold for forty minutes."),
                            (care_tp, queues, "The queue music never ends."),
                            (sales_tp, prices, "Everything in the Bristol store costs more than online.")):
        r = Response(wave_id=wave.id, team_id=tp.team_id, touchpoint_id=tp.id, source="public_link",
                     submitted_on=WEEK + dt.timedelta(days=2))
        r.answers.append(Answer(question_id=comment_q.id, text=text))
        s.add(r)
        s.flush()
        s.add(CommentTheme(response_id=r.id, question_id=comment_q.id, theme_id=theme.id, weight=0.9))
    # Follow-up cases at Care: two closed in the week (one in time, one late), one open and late.
    def case(response_id, opened, due, closed=None):
        s.add(FollowUpCase(response_id=response_id, touchpoint_id=care_tp.id, team_id=care.id,
                           trigger="csat_unhappy", score=1, opened_at=opened, due_at=due,
                           status="closed" if closed else "open", closed_at=closed))
    rows = []
    for _ in range(3):
        r = Response(wave_id=wave.id, team_id=care.id, touchpoint_id=care_tp.id, source="public_link",
                     submitted_on=WEEK)
        s.add(r)
        rows.append(r)
    s.flush()
    at = dt.datetime.combine(WEEK, dt.time(9))
    case(rows[0].id, at, at + dt.timedelta(days=2), at + dt.timedelta(days=1))
    case(rows[1].id, at, at + dt.timedelta(days=2), at + dt.timedelta(days=4))
    case(rows[2].id, at, at + dt.timedelta(days=2))
    s.flush()
    return World(care, sales, care_tp, sales_tp, lead, executive, hr)
