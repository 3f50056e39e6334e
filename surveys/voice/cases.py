"""Close the loop: follow-up cases opened for consenting unhappy customers, and what staff record on them.

A case opens at write time, in the response's transaction, when the response carries a consenting contact
and an NPS answer of 0-6 (detractor) or a CSAT answer of 1-2 (unhappy). UNIQUE(response_id) keeps it to one
case per response. Its due time is a number of working days (Monday to Friday) after the opening.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.orm import Session

from analysis.metrics import DETRACTOR_MAX
from surveys.errors import Conflict, ValidationError
from surveys.models import (
    CONTACT_METHODS, Answer, CaseEvent, CustomerContact, FollowUpCase, Question, Response, Touchpoint, utcnow,
)

DEFAULT_DUE_WORKING_DAYS = 2
UNHAPPY_CSAT_MAX = 2  # CSAT 1-2 on its 1-5 scale
OUTCOME_MAX = 4000


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`start` moved forward by `days` working days (Mon-Fri), keeping the time of day.

    A case opened on a Saturday with two working days is due on Tuesday at the same time.
    """
    when, left = start, days
    while left > 0:
        when += dt.timedelta(days=1)
        if when.weekday() < 5:
            left -= 1
    return when


def _triggers(session: Session, response_ids: list[int]) -> dict[int, tuple[str, int]]:
    """(trigger, score) per response whose contact consented and whose NPS or CSAT calls for a follow-up."""
    rows = session.execute(
        select(Answer.response_id, Question.dimension, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .join(CustomerContact, and_(CustomerContact.response_id == Answer.response_id, CustomerContact.consent))
        .where(Answer.response_id.in_(response_ids), Answer.value.is_not(None),
               or_(and_(Question.dimension == "nps", Answer.value <= DETRACTOR_MAX),
                   and_(Question.dimension == "csat", Answer.value <= UNHAPPY_CSAT_MAX))))
    out: dict[int, tuple[str, int]] = {}
    for rid, dim, value in rows:
        if dim == "nps" or rid not in out:  # an NPS detractor names the case before an unhappy CSAT
            out[rid] = ("nps_detractor" if dim == "nps" else "csat_unhappy", value)
    return out


def open_cases(session: Session, response_ids: Iterable[int], now: dt.datetime,
               due_working_days: int = DEFAULT_DUE_WORKING_DAYS) -> int:
    """Open the follow-up cases these just-stored responses call for; returns how many were opened. Flushes."""
    ids = list(response_ids)
    if not ids:
        return 0
    found = _triggers(session, ids)
    if not found:
        return 0
    done = set(session.scalars(select(FollowUpCase.response_id).where(FollowUpCase.response_id.in_(list(found)))))
    owners = {rid: (tp, team) for rid, tp, team in session.execute(
        select(Response.id, Response.touchpoint_id, Touchpoint.team_id)
        .join(Touchpoint, Touchpoint.id == Response.touchpoint_id).where(Response.id.in_(list(found))))}
    due = add_working_days(now, due_working_days)
    rows = [{"response_id": rid, "touchpoint_id": owners[rid][0], "team_id": owners[rid][1], "trigger": trig,
             "score": score, "opened_at": now, "due_at": due, "status": "open", "escalation_level": 0}
            for rid, (trig, score) in found.items() if rid not in done and rid in owners]
    if not rows:
        return 0
    session.execute(insert(FollowUpCase.__table__), rows)
    case_ids = session.execute(select(FollowUpCase.id, FollowUpCase.trigger, FollowUpCase.score)
                               .where(FollowUpCase.response_id.in_([r["response_id"] for r in rows]))).all()
    session.execute(insert(CaseEvent.__table__), [
        {"case_id": cid, "actor_id": None, "at": now, "what": "opened",
         "detail": f"{'NPS' if trig == 'nps_detractor' else 'CSAT'} {score}; due {due:%Y-%m-%d %H:%M} UTC"}
        for cid, trig, score in case_ids])
    session.flush()
    return len(rows)


def _text(outcome: str | None, blank: str) -> str:
    text = (outcome or "").strip()
    if not text:
        raise ValidationError(blank, field="outcome")
    if len(text) > OUTCOME_MAX:
        raise ValidationError(f"The outcome is too long (at most {OUTCOME_MAX} characters).", field="outcome")
    return text


def record_contact(session: Session, case: FollowUpCase, actor_id: int | None, method: str, outcome: str,
                   now: dt.datetime | None = None) -> FollowUpCase:
    """Record a call, mail or other contact with the customer and what came of it; marks the case contacted."""
    if case.status == "closed":
        raise Conflict("This case is closed; add a note to its history instead.")
    if method not in CONTACT_METHODS:
        raise ValidationError(f"The method must be one of {', '.join(CONTACT_METHODS)}.", field="method")
    text = _text(outcome, "Say what came of the contact: the outcome cannot be blank.")
    now = now or utcnow()
    case.status, case.contact_method, case.outcome = "contacted", method, text
    case.contacted_at = case.contacted_at or now
    case.events.append(CaseEvent(actor_id=actor_id, at=now, what="contacted", detail=f"{method}: {text}"))
    session.flush()
    return case


def close_case(session: Session, case: FollowUpCase, actor_id: int | None, outcome: str,
               now: dt.datetime | None = None) -> FollowUpCase:
    """Close a case with its outcome (open or contacted; a closed case stays closed)."""
    if case.status == "closed":
        raise Conflict("This case is already closed.")
    text = _text(outcome, "Say how the case ended: the outcome cannot be blank.")
    now = now or utcnow()
    case.status, case.outcome, case.closed_at, case.closed_by_id = "closed", text, now, actor_id
    case.events.append(CaseEvent(actor_id=actor_id, at=now, what="closed", detail=text))
    session.flush()
    return case


def add_note(session: Session, case: FollowUpCase, actor_id: int | None, note: str,
             now: dt.datetime | None = None) -> FollowUpCase:
    """Add a note to a case's history."""
    case.events.append(CaseEvent(actor_id=actor_id, at=now or utcnow(), what="note", detail=_text(note, "Write the note first: it cannot be blank.")))
    session.flush()
    return case
