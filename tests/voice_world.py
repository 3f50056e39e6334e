"""A customer program for the voice tests: CARE's desk (phone) and SALES's shop (store), answered on public links.

Program CX asks csat (1-5), nps (0-10) and a comment, none required; its wave opened a day before NOW.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from surveys.collection import public_links
from surveys.collection.public_links import RateLimit
from surveys.models import CommentLabel, CommentTheme, Question, Response, Team, Theme, utcnow
from surveys.voice import contacts

NOW = utcnow()
CX_QUESTIONS = [
    {"code": "csat", "qtype": "likert5", "dimension": "csat", "required": False},
    {"code": "nps", "qtype": "scale0_10", "dimension": "nps", "required": False},
    {"code": "comment", "qtype": "text", "dimension": "comment", "required": False},
]
ANA = contacts.ContactRequest("Ana Lima", "ana@example.com", "")


def desk_and_shop(make) -> tuple[Team, Team]:
    """The CX program and its open wave, and the teams CARE (touchpoint DESK) and SALES (touchpoint SHOP)."""
    program = make.program(survey=make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    make.wave(program=program, opens_at=NOW - dt.timedelta(days=1))
    care, sales = make.team(code="CARE", name="Care"), make.team(code="SALES", name="Sales")
    make.touchpoint(team=care, code="DESK", channel="phone")
    make.touchpoint(team=sales, code="SHOP", channel="store")
    return care, sales


def answer(db_session, touchpoint: str, given: dict, client: str,
           contact: contacts.ContactRequest | None = None) -> Response:
    """One public-link submission at `touchpoint` of CX at NOW, the rate limit set out of the way."""
    return public_links.submit_public(db_session, "CX", touchpoint, given, client=client,
                                      limit=RateLimit(100, 3600), now=NOW, contact=contact)


def label(db_session, words: str, themed: list[Response], sentiments: list[tuple[Response, float]]) -> Theme:
    """A customer theme "waiting time" on the comments of `themed`, and each given sentiment pinned; flushed."""
    comment_q = db_session.scalar(select(Question.id).where(Question.code == "comment"))
    theme = Theme(audience="customer", name="waiting time", words=words)
    db_session.add(theme)
    db_session.flush()
    for r in themed:
        db_session.add(CommentTheme(response_id=r.id, question_id=comment_q, theme_id=theme.id))
    for r, score in sentiments:
        db_session.merge(CommentLabel(response_id=r.id, question_id=comment_q, sentiment=score))
    db_session.flush()
    return theme
