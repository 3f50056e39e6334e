"""The /voice CSV export: every row of the filtered list, newest first, streamed in bounded memory.

The list page reads one page and then its scores, themes and contacts (voice._decorate). The export
instead reads the responses with their answers in one query through a server-side cursor (EXPORT_CHUNK
rows fetched at a time), groups them per response as they arrive, and reads themes and sentiment (for
the responses with a comment only: nothing else has them) and contacts once per EXPORT_CHUNK responses.
Rows are plain tuples: no ORM object and no id list bigger than one batch is ever held.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from surveys.insights.voice import VoiceRow, channel_of, filter_terms
from surveys.insights.voice_filters import VoiceFilters
from surveys.models import (
    Answer, CommentLabel, CommentTheme, CustomerContact, Question, Response, Team, Theme, Touchpoint,
)

EXPORT_CHUNK = 2000
SCORES = ("csat", "nps", "ces")


def export_rows(session: Session, f: VoiceFilters, *, with_contacts: bool) -> Iterator[VoiceRow]:
    """Every row of the filtered list, newest first (day, then id), as the list shows it."""
    # Aliases: the filters' EXISTS subqueries on answers must still correlate to Response alone.
    answer, question = aliased(Answer), aliased(Question)
    stmt = (select(Response.id, Response.submitted_on, channel_of(), Response.source, Touchpoint.code,
                   Touchpoint.name, Team.name, question.position, question.dimension, answer.value, answer.text)
            .select_from(Response).join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
            .join(Team, Team.id == Response.team_id)
            .outerjoin(answer, answer.response_id == Response.id)
            .outerjoin(question, question.id == answer.question_id)
            .where(*filter_terms(session, f))
            .order_by(Response.submitted_on.desc(), Response.id.desc()))
    connection = session.connection()
    # Options on the statement, not the connection (Connection.execution_options changes it in place).
    rows = connection.execute(stmt, execution_options={"stream_results": True, "yield_per": EXPORT_CHUNK})
    batch: list[tuple] = []
    try:
        for _rid, answers in groupby(_flat(rows.partitions()), key=lambda r: r[0]):
            batch.append(_collect(list(answers)))
            if len(batch) >= EXPORT_CHUNK:
                yield from _decorate(connection, batch, with_contacts)
                batch = []
        yield from _decorate(connection, batch, with_contacts)
    finally:
        rows.close()


def _flat(parts: Iterable[list]) -> Iterator:
    # Whole fetchmany batches, not one fetchone call per joined row.
    return chain.from_iterable(parts)


def _collect(answers: list) -> tuple:
    """(id, day, channel, source, touchpoint, name, team, scores, comment) of one response's joined rows."""
    rid, day, channel, source, code, name, team = answers[0][:7]
    scores: dict[str, int] = {}
    comments: list[str] = []
    for *_, _pos, dim, value, text in sorted(answers, key=lambda a: a[7] if a[7] is not None else -1):
        if value is not None and dim in SCORES:
            scores[dim] = value
        if text:
            comments.append(text)
    return rid, day, channel, source, code, name, team, scores, "\n".join(comments)


def _decorate(connection, batch: list[tuple], with_contacts: bool) -> list[VoiceRow]:
    if not batch:
        return []
    commented = [b[0] for b in batch if b[8]]
    themes: dict[int, list[str]] = {}
    sentiment: dict[int, float] = {}
    if commented:
        for rid, name in connection.execute(select(CommentTheme.response_id, Theme.name)
                                            .join(Theme, Theme.id == CommentTheme.theme_id)
                                            .where(CommentTheme.response_id.in_(commented)).order_by(Theme.name)):
            if name not in themes.setdefault(rid, []):
                themes[rid].append(name)
        sentiment = dict(connection.execute(select(CommentLabel.response_id, func.avg(CommentLabel.sentiment))
                                            .where(CommentLabel.response_id.in_(commented))
                                            .group_by(CommentLabel.response_id)).all())
    contacts = {}
    if with_contacts:
        contacts = {rid: (name, email, phone) for rid, name, email, phone in connection.execute(
            select(CustomerContact.response_id, CustomerContact.name, CustomerContact.email, CustomerContact.phone)
            .where(CustomerContact.response_id.in_([b[0] for b in batch]), CustomerContact.consent))}
    return [VoiceRow(rid, day, channel or "", "imported" if source == "import" else "surveyed", code, name, team,
                     scores, comment, tuple(themes.get(rid, ())),
                     None if sentiment.get(rid) is None else float(sentiment[rid]), contacts.get(rid))
            for rid, day, channel, source, code, name, team, scores, comment in batch]
