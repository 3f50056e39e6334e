"""Response-level ("wide") export of a customer wave: one row per response, one column per question, streamed.

Only customer waves: an employee response row next to its team and day could name its author in a small
team, so employee answers leave Tandem only as aggregates above the minimum group size (the reports).

The responses are read in (submitted_on, id) order through a streaming cursor (a server-side cursor on
PostgreSQL), `CHUNK` at a time; each chunk's answers (and contacts) are read with one IN query on the
answers' primary key and pivoted in Python, so memory holds one chunk whatever the wave's size.
The first column is a sequence number in that order, never the stored id: it says nothing about a person.
"""
from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from surveys.errors import NotFound, ValidationError
from surveys.exports import csvsafe
from surveys.models import (
    Answer, CustomerContact, FlaggedResponse, Program, Question, Response, Team, Touchpoint, Wave,
)

CHUNK = 2000
FORMATS = ("csv", "xlsx")
LABELS = ("code", "text", "both")
BASE_HEADER = ("response", "date", "channel", "origin", "touchpoint", "touchpoint_name", "team")
CONTACT_HEADER = ("contact_name", "contact_email", "contact_phone")
QUESTIONS_HEADER = ("column", "code", "question", "type", "choices")
XLSX_MAX_ROWS = 1_048_576 - 1  # a worksheet's rows, less the header


@dataclass(frozen=True)
class QuestionColumn:
    """One question of the wave's instrument and how its stored answer becomes a cell."""

    id: int
    code: str
    text: str
    qtype: str
    choices: tuple[str, ...]

    def label(self, labels: str) -> str:
        """The column's header: the question's code, its text, or both."""
        return {"code": self.code, "text": self.text}.get(labels, f"{self.code}: {self.text}")

    def cell(self) -> Callable[[int | None, str | None], object]:
        """A function (value, text) -> cell: choice indexes become their labels, multi-choice lists '; '-joined."""
        choices = self.choices
        if self.qtype == "single_choice":
            return lambda v, t: choices[v] if v is not None and 0 <= v < len(choices) else (v if t is None else t)
        if self.qtype == "multi_choice":
            return _multi
        if self.qtype == "text":
            return lambda v, t: t if t is not None else v
        return lambda v, t: v if v is not None else t


def _multi(value, text):
    try:
        picked = json.loads(text) if text else None
    except ValueError:
        return text  # an imported plain answer
    return "; ".join(map(str, picked)) if isinstance(picked, list) else (text if text is not None else value)


@dataclass(frozen=True)
class ResponseExport:
    """What one export of a wave writes: its wave, its question columns, and whether contacts are included."""

    wave_id: int
    program_code: str
    wave_label: str
    questions: tuple[QuestionColumn, ...]
    with_contacts: bool
    labels: str = "code"

    def header(self) -> list[str]:
        return ([*BASE_HEADER, *(q.label(self.labels) for q in self.questions)]
                + (list(CONTACT_HEADER) if self.with_contacts else []))

    def filename(self, fmt: str) -> str:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{self.program_code}-{self.wave_label}")
        return f"tandem-responses-{safe}.{fmt}"

    def question_rows(self) -> list[list]:
        """The 'Questions' sheet: each question column's code, full text, type and choices."""
        first = len(BASE_HEADER)
        return [[first + i + 1, q.code, q.text, q.qtype, "; ".join(q.choices)] for i, q in enumerate(self.questions)]


def parse_choice(raw: str | None, allowed: tuple[str, ...], default: str, name: str) -> str:
    """A request parameter that must be one of `allowed` (default when absent); ValidationError names the choices."""
    value = (raw or default).strip().lower()
    if value not in allowed:
        raise ValidationError(f"'{raw}' is not a valid {name}; use one of: {', '.join(allowed)}.", field=name)
    return value


def plan(session: Session, wave_id: int, *, with_contacts: bool, labels: str = "code") -> ResponseExport:
    """The export of customer wave `wave_id`; NotFound for an unknown wave or an employee wave (never exported)."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(f"There is no wave with id {wave_id}.")
    program = session.get(Program, wave.program_id)
    if program.audience != "customer":
        raise NotFound(f"Wave {wave.label} of {program.code} is an employee wave: employee responses are never "
                       "exported row by row (anonymity); the reports show them for groups of the minimum size.")
    questions = session.execute(select(Question.id, Question.code, Question.text, Question.qtype, Question.choices)
                                .where(Question.survey_id == wave.survey_id).order_by(Question.position, Question.id))
    columns = tuple(QuestionColumn(qid, code, text, qtype, tuple(map(str, choices or ())))
                    for qid, code, text, qtype, choices in questions)
    return ResponseExport(wave.id, program.code, wave.label, columns, with_contacts, labels)


def find_wave_id(session: Session, program_code: str, label: str) -> int:
    """The id of `program_code`'s wave labelled `label` (for the CLI); NotFound names what is missing."""
    wave_id = session.scalar(select(Wave.id).join(Program, Program.id == Wave.program_id)
                             .where(Program.code == program_code, Wave.label == label))
    if wave_id is None:
        raise NotFound(f"Program '{program_code}' has no wave labelled '{label}'.")
    return wave_id


def _where(export: ResponseExport) -> list:
    # A response held out as part of a flood (and not released) is out of every report: out of the file too.
    held = select(FlaggedResponse.response_id).where(FlaggedResponse.response_id == Response.id,
                                                     FlaggedResponse.released.is_(False)).exists()
    return [Response.wave_id == export.wave_id, Response.touchpoint_id.is_not(None), ~held]


def count(session: Session, export: ResponseExport) -> int:
    """How many rows the export will write."""
    return session.scalar(select(func.count()).select_from(Response).where(*_where(export)))


def rows(session: Session, export: ResponseExport, chunk: int = CHUNK) -> Iterator[list]:
    """Every row of the export in (date, id) order, read `chunk` responses at a time."""
    conn = session.connection()
    channel = func.coalesce(func.nullif(Response.channel, ""), Touchpoint.channel)
    stmt = (select(Response.id, Response.submitted_on, channel, Response.source, Touchpoint.code, Touchpoint.name,
                   Team.name)
            .select_from(Response).join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
            .join(Team, Team.id == Response.team_id).where(*_where(export))
            .order_by(Response.submitted_on, Response.id)
            .execution_options(yield_per=chunk))  # a server-side cursor on PostgreSQL
    column = {q.id: i for i, q in enumerate(export.questions)}
    cells = [q.cell() for q in export.questions]
    width = len(export.questions)
    seq = 0
    result = conn.execute(stmt)
    try:
        for part in result.partitions():
            ids = [r[0] for r in part]
            answers = {rid: [None] * width for rid in ids}
            for rid, qid, value, text in conn.execute(  # one chunk's answers
                    select(Answer.response_id, Answer.question_id, Answer.value, Answer.text)
                    .where(Answer.response_id.in_(ids))):
                col = column.get(qid)
                if col is not None:
                    answers[rid][col] = cells[col](value, text)
            contacts = _contacts(conn, ids) if export.with_contacts else {}
            for rid, day, chan, source, code, name, team in part:
                seq += 1
                line = [seq, day, chan or "", "imported" if source == "import" else "surveyed", code, name, team]
                line += answers[rid]
                if export.with_contacts:
                    line += contacts.get(rid, ("", "", ""))
                yield line
    finally:
        result.close()


def _contacts(conn, ids: list[int]) -> dict[int, tuple[str, str, str]]:
    found = conn.execute(select(CustomerContact.response_id, CustomerContact.name, CustomerContact.email,
                                CustomerContact.phone)
                         .where(and_(CustomerContact.response_id.in_(ids), CustomerContact.consent)))
    return {rid: (name, email, phone) for rid, name, email, phone in found}


def csv_chunks(export: ResponseExport, lines: Iterator[list], rows_per_chunk: int = 500) -> Iterator[str]:
    """The export as CSV text, formula-safe (surveys.exports.csvsafe): the header first, then chunks of rows."""
    buffer = io.StringIO()
    csvsafe.write_rows(buffer, export.header(), [])
    yield buffer.getvalue()
    batch: list[list] = []
    for line in lines:
        batch.append(line)  # a date cell is written as its ISO text
        if len(batch) >= rows_per_chunk:
            yield csvsafe.csv_text(None, batch)
            batch = []
    if batch:
        yield csvsafe.csv_text(None, batch)


def file_chunks(session: Session, export: ResponseExport, fmt: str, total: int = 0) -> Iterator[str | bytes]:
    """The export file in `fmt` as chunks (str for CSV, bytes for XLSX), rows read from `session` as they go.

    `total`, the row count if known (count()), lets a very large workbook use Zip64."""
    lines = rows(session, export)
    if fmt == "csv":
        return csv_chunks(export, lines)
    from surveys.exports.xlsx_stream import stream_workbook

    return stream_workbook(export.header(), lines, sheet="Responses",
                           notes=("Questions", QUESTIONS_HEADER, export.question_rows()), expected_rows=total)


@dataclass(frozen=True)
class WaveChoice:
    """A customer wave offered for download."""

    id: int
    program: str
    label: str
    status: str


def customer_waves(session: Session) -> list[WaveChoice]:
    """Every customer wave that is not a draft, newest first (what the download form offers)."""
    found = session.execute(select(Wave.id, Program.name, Wave.label, Wave.status)
                            .join(Program, Program.id == Wave.program_id)
                            .where(Program.audience == "customer", Wave.status != "draft")
                            .order_by(Wave.opens_at.desc(), Wave.id.desc()))
    return [WaveChoice(*row) for row in found]
