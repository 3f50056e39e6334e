"""The one insert path of a response and its answers, with the rollups that summarise them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from surveys import rollups, themes
from surveys.models import Answer, FlaggedResponse, Question, Response, Touchpoint, Wave
from surveys.models.responses import random_response_id
from surveys.themes.labels import Comment
from surveys.voice import contacts


def store_response(session: Session, *, wave: Wave, team_id: int, source: str,
                   parsed: Mapping[Question, tuple], today: dt.date,
                   touchpoint: Touchpoint | None = None, flagged: str | None = None,
                   contact: contacts.ContactRequest | None = None, now: dt.datetime | None = None) -> Response:
    """Insert a response and its answers (bounds copied from each question so the database checks them).

    `parsed` maps each answered question (a Question, or an opening.QuestionRow: only its columns are read) to
    its (value, text). `flagged` (a reason) stores it held out of the reports: marked before the rollups see it, so they skip it.
    `contact` (customer responses only) is stored with it, and opens a follow-up case when one is due.
    """
    session.flush()  # whatever the session holds pending is written first, as the ORM flush of the response did
    row = {"id": random_response_id(), "wave_id": wave.id, "team_id": team_id, "source": source,
           "submitted_on": today, "touchpoint_id": touchpoint.id if touchpoint else None,
           "channel": touchpoint.channel if touchpoint else None}
    answers = [{"response_id": row["id"], "question_id": q.id, "scale_min": q.scale_min, "scale_max": q.scale_max,
                "value": value, "text": text} for q, (value, text) in parsed.items()]
    # Core INSERTs: the ORM's flush of a response and its answers cost more than every rollup after it.
    session.execute(_INSERT_RESPONSE, row)
    if answers:
        session.execute(_INSERT_ANSWERS, answers)
    response = _persistent(session, row)
    if flagged:
        session.add(FlaggedResponse(response_id=response.id, reason=flagged))
        session.flush()
    if contact is not None:
        # Same transaction: no case without its response. A response held out as part of a flood opens no case.
        contacts.save(session, response, contact, now, open_case=not flagged)
    # Sentiment and themes of its comments; the comments are known here, not read back.
    audience = "customer" if touchpoint else "employee"
    comments = [Comment(response.id, q.id, audience, text) for q, (_value, text) in parsed.items()
                if q.qtype == "text" and text]
    themes.write_labels(session, comments)
    # Same transaction: the reports never lag or drift. Labelled first, so one pass of upserts adds every rollup
    # of its audience (the theme ones only when it has a comment), and last: a rollup row is shared by every
    # submission to the same unit or touchpoint, and on PostgreSQL it stays locked from its upsert to the commit.
    rollups.add_responses(session, [response.id], audience=audience, labelled=bool(comments))
    return response


_INSERT_RESPONSE = insert(Response.__table__)
_INSERT_ANSWERS = insert(Answer.__table__)
_RESPONSES = inspect(Response).class_manager


def _persistent(session: Session, row: dict) -> Response:
    # Built as the ORM's loading builds an object (values set as loaded, no change events: constructing it and its
    # answers fired enough of them to cost more than the INSERTs), then added detached: persistent in the identity
    # map without a unit of work. Its answers are loaded from the database if anyone asks for them.
    response = _RESPONSES.new_instance()
    response.__dict__.update(row)
    make_transient_to_detached(response)
    session.add(response)
    return response
