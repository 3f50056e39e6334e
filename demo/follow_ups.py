"""Demo close-the-loop data: some unhappy customers of the last weeks left contact details, and their teams
followed up — most in time, some late, a few cases still open — so /cases and its figures show something real.

Written through the real services (surveys.voice), as the web form would have, with the seed's own generator.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from surveys.models import Answer, CustomerContact, FollowUpCase, Question, Response, Team
from surveys.voice import cases

SHARE_CONSENTING = 0.06  # of detractors and unhappy customers in the window
WINDOW_DAYS = 45
FIRST_NAMES = ("Ana", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Mo", "Nia")


def add_follow_ups(session: Session, seed: int = 7) -> int:
    """Add contacts and follow-up cases for a seeded sample of recent unhappy customers; returns the cases."""
    rng = random.Random(seed * 7919 + 11)
    last = session.scalar(select(Response.submitted_on).where(Response.touchpoint_id.is_not(None))
                          .order_by(Response.submitted_on.desc()).limit(1))
    if last is None:
        return 0
    start = last - dt.timedelta(days=WINDOW_DAYS)
    unhappy = session.execute(
        select(Response.id, Response.submitted_on).join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(Response.touchpoint_id.is_not(None), Response.submitted_on >= start,
               or_(and_(Question.dimension == "nps", Answer.value <= 6),
                   and_(Question.dimension == "csat", Answer.value <= 2)))
        .distinct().order_by(Response.submitted_on, Response.id)).all()
    chosen = [(rid, day) for rid, day in unhappy if rng.random() < SHARE_CONSENTING]
    for n, (rid, day) in enumerate(chosen, start=1):
        name = f"{rng.choice(FIRST_NAMES)} {chr(65 + n % 26)}."
        email, phone = (f"customer{n}@example.com", "") if n % 3 else ("", f"+44 20 7946 {n:04d}")
        session.add(CustomerContact(response_id=rid, name=name, email=email, phone=phone, consent=True))
        session.flush()
        opened = dt.datetime.combine(day, dt.time(9 + rng.randrange(9), rng.randrange(60)))
        cases.open_cases(session, [rid], opened)
    leads = dict(session.execute(select(Team.id, Team.lead_id)).all())
    for case in session.scalars(select(FollowUpCase).order_by(FollowUpCase.id)):
        fate = rng.random()
        if case.opened_at.date() >= last - dt.timedelta(days=3) or fate < 0.08:
            continue  # recent, or forgotten: still open
        actor = leads.get(case.team_id)
        hours = rng.uniform(1, 40) if fate < 0.8 else rng.uniform(50, 160)  # most in time, some late
        reached = case.opened_at + dt.timedelta(hours=hours)
        method = "phone" if rng.random() < 0.7 else "email"
        cases.record_contact(session, case, actor, method, rng.choice((
            "Apologised and explained what went wrong.", "Refund agreed.", "Left a message; customer rang back.",
            "Replacement sent.", "Customer happy with the explanation.")), now=reached)
        cases.close_case(session, case, actor, "Resolved with the customer.",
                         now=reached + dt.timedelta(hours=rng.uniform(0, 4)))
    session.flush()
    return len(chosen)
