"""The /voice CSV export: every row of the filtered list, newest first, as formula-safe CSV cells in bounded memory.

The list page reads one page and then its scores, themes and contacts (voice._decorate). The export
instead reads the responses with their answers (and consented contact) in one query through a server-side
cursor (EXPORT_CHUNK rows fetched at a time), ordered so that one response's answers arrive together and
in question order, and turns them into CSV lines as they arrive; themes and sentiment (for the responses
with a comment only: nothing else has them) are read once per EXPORT_CHUNK responses.

The per-row Python work is what made the export slow, so SQL does what it can: the day comes as ISO text,
the score column of each answer is picked in SQL, and touchpoint and team labels come from maps read (and
defused) once instead of a join repeated on every answer. Lines are plain lists, written in chunks with
csv.writer.writerows. Only free text is escaped (comments, themes, contacts; labels once per map): every
other cell is an ISO day, a channel or origin word, an int or a float, never a formula (csvsafe says why).
"""
from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, groupby
from operator import itemgetter

from sqlalchemy import String, case, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from surveys.exports.csvsafe import TRIGGER_CHARS, escape_cell
from surveys.insights.voice import filter_terms
from surveys.insights.voice_filters import VoiceFilters
from surveys.models import (
    Answer, CommentLabel, CommentTheme, CustomerContact, Question, Response, Team, Theme, Touchpoint,
)

EXPORT_CHUNK = 2000
SCORES = ("csat", "nps", "ces")
SCORE_COLUMN = 6  # the line's csat cell; nps and ces follow
COMMENT, THEMES, SENTIMENT, RESPONSE_ID = 9, 10, 11, 12
NO_CONTACT = ("", "", "")
# Row layout of the query: response, day, channel, source, touchpoint, team, column, value, text[, contact x3]
RID, DAY, CHANNEL, SOURCE, PLACE, TEAM, COLUMN, VALUE, TEXT = range(9)


def _free_text(value: str) -> str:
    # The same rule as csvsafe.escape_cell, called only for the rare text that starts with a trigger.
    return escape_cell(value) if value and value[0] in TRIGGER_CHARS else value


def export_lines(session: Session, f: VoiceFilters, *, with_contacts: bool) -> Iterator[list[list]]:
    """The filtered list as CSV lines (the /voice export's columns, formula-safe), newest first (day, then
    id), in lists of at most EXPORT_CHUNK lines."""
    connection = session.connection()
    rows = connection.execute(_statement(session, connection.dialect.name, f, with_contacts),
                              execution_options={"stream_results": True, "yield_per": EXPORT_CHUNK})
    lines: list[list] = []
    try:
        # Read after the rows' query began, so that every touchpoint and team they name is in the maps.
        places = {tid: (escape_cell(code), escape_cell(name), escape_cell(channel)) for tid, code, name, channel in
                  connection.execute(select(Touchpoint.id, Touchpoint.code, Touchpoint.name, Touchpoint.channel))}
        teams = {tid: escape_cell(name) for tid, name in connection.execute(select(Team.id, Team.name))}
        # Whole fetchmany batches (partitions), not one fetchone call per joined row.
        for _rid, answers in groupby(chain.from_iterable(rows.partitions()), key=itemgetter(RID)):
            first = next(answers)
            place = places[first[PLACE]]
            # The response's own channel is one of CHANNELS (a CHECK constraint); without one, its touchpoint's.
            line = [first[DAY], first[CHANNEL] or place[2], "imported" if first[SOURCE] == "import" else "surveyed",
                    place[0], place[1], teams[first[TEAM]], None, None, None, "", "", None]
            comments = []
            for answer in chain((first,), answers):  # in question order: the last score of a kind wins
                if answer[COLUMN] is not None:
                    line[answer[COLUMN]] = answer[VALUE]
                if answer[TEXT]:
                    comments.append(answer[TEXT])
            if comments:
                line[COMMENT] = _free_text(comments[0] if len(comments) == 1 else "\n".join(comments))
                line.append(first[RID])  # cell 12, for the themes and sentiment; removed again in _decorate
            if with_contacts:
                contact = first[TEXT + 1:TEXT + 4]
                line += NO_CONTACT if contact[0] is None else [_free_text(c) for c in contact]
            lines.append(line)
            if len(lines) >= EXPORT_CHUNK:
                yield _decorate(connection, lines)
                lines = []
        if lines:
            yield _decorate(connection, lines)
    finally:
        rows.close()


def _statement(session: Session, dialect: str, f: VoiceFilters, with_contacts: bool):
    # Aliases: the filters' EXISTS subqueries on answers must still correlate to Response alone.
    answer, question = aliased(Answer), aliased(Question)
    column = case(*((question.dimension == dim, SCORE_COLUMN + i) for i, dim in enumerate(SCORES)))
    columns = [Response.id, _iso_day(dialect), Response.channel, Response.source, Response.touchpoint_id,
               Response.team_id, case((answer.value.is_not(None), column)), answer.value, answer.text]
    stmt = (select(*columns).select_from(Response)
            .outerjoin(answer, answer.response_id == Response.id)
            .outerjoin(question, question.id == answer.question_id)
            .where(*filter_terms(session, f))
            .order_by(Response.submitted_on.desc(), Response.id.desc(), question.position, answer.question_id))
    if with_contacts:  # at most one row per response (its primary key): no answer row is repeated
        stmt = stmt.add_columns(CustomerContact.name, CustomerContact.email, CustomerContact.phone).outerjoin(
            CustomerContact, (CustomerContact.response_id == Response.id) & CustomerContact.consent)
    return stmt


def _iso_day(dialect: str):
    """The response's day as ISO text (2025-12-31), made by the database rather than per row in Python."""
    if dialect == "postgresql":
        return func.to_char(Response.submitted_on, "YYYY-MM-DD")  # DateStyle-proof, unlike a cast to text
    return type_coerce(Response.submitted_on, String)  # SQLite stores a Date as that very text


def _decorate(connection, lines: list[list]) -> list[list]:
    """Fill in the themes and sentiment of the lines with a comment (their response id appended last)."""
    commented = {}
    for line in lines:
        if line[COMMENT]:
            commented[line.pop(RESPONSE_ID)] = line
    if not commented:
        return lines
    themes: dict[int, list[str]] = {}
    for rid, name in connection.execute(select(CommentTheme.response_id, Theme.name)
                                        .join(Theme, Theme.id == CommentTheme.theme_id)
                                        .where(CommentTheme.response_id.in_(list(commented))).order_by(Theme.name)):
        if name not in themes.setdefault(rid, []):
            themes[rid].append(name)
    for rid, names in themes.items():
        commented[rid][THEMES] = _free_text("; ".join(names))
    for rid, mean in connection.execute(select(CommentLabel.response_id, func.avg(CommentLabel.sentiment))
                                        .where(CommentLabel.response_id.in_(list(commented)))
                                        .group_by(CommentLabel.response_id)):
        if mean is not None:
            commented[rid][SENTIMENT] = escape_cell(round(float(mean), 3))  # a NaN is written empty
    return lines
