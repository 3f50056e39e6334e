"""Streaming two-pass runner shared by the imports that add responses (feedback, historical responses).

Pass 1 checks every row and keeps nothing but counts; pass 2, only when the whole file is valid and
this is not a dry run, reads the file again and inserts responses and answers in chunks. Memory stays
flat whatever the file size, and a file with one bad row writes nothing at all.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.orm import Session

from surveys import rollups, themes
from surveys.errors import Conflict
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.history import describe_previous, find_previous, lock_file, record_import
from surveys.ingestion.report import ImportResult, Report, RowCheck
from surveys.models import Answer, Response
from surveys.models.responses import random_response_id
from surveys.voice import contacts

CHUNK = 2000


@dataclass(frozen=True)
class NewResponse:
    """A checked row: the response's columns and its answers as (question, value, text)."""

    wave_id: int
    team_id: int
    submitted_on: dt.date
    answers: tuple[tuple[object, int | None, str | None], ...]
    touchpoint_id: int | None = None
    channel: str | None = None
    contact: contacts.ContactRequest | None = None  # customer feedback only: "contact me" with consent


RowValidator = Callable[[int, dict[str, str], RowCheck], NewResponse | None]


def run(session: Session, source: CsvSource, report: Report, validate: RowValidator, *, wave_labels: dict[int, str],
        actor_id: int | None, entity_type: str, entity_id: int | None, detail: dict,
        before_insert: Callable[[], None] | None = None, now: dt.datetime | None = None) -> ImportResult:
    """Check the whole file, refuse a file imported before, then (unless a dry run) insert everything.

    `before_insert` runs once the file is known to be valid, before pass 2 (e.g. to create planned waves).
    """
    lock_file(session, source.sha256)
    previous = find_previous(session, {source.sha256})
    if previous is not None:
        report.error(None, None, describe_previous(session, previous))
        return report.result()
    content = hashlib.sha256("\x1f".join(source.header.columns).encode())
    per_wave: dict[int, int] = {}
    for line, row in source.rows(report):
        report.rows += 1
        content.update(("\x1e" + "\x1f".join(row.values())).encode("utf-8", "surrogateescape"))
        new = validate(line, row, RowCheck(report, line))
        if new is not None:
            per_wave[new.wave_id] = per_wave.get(new.wave_id, 0) + 1
    if report.error_count == 0 and report.rows == 0:
        report.error(None, None, "The file has a header but no rows.")
    content_sha256 = content.hexdigest()
    if report.error_count == 0 and (previous := find_previous(session, {content_sha256})) is not None:
        report.error(None, None, describe_previous(session, previous) + " (Same rows, saved differently.)")
    if report.error_count:
        return report.result()
    report.created = sum(per_wave.values())
    for wave_id, n in sorted(per_wave.items(), key=lambda kv: wave_labels[kv[0]]):
        report.counts[f"responses in wave {wave_labels[wave_id]}"] = n
        report.change(f"{'add' if report.dry_run else 'added'} {n:,} response{'s' if n != 1 else ''} to wave "
                      f"{wave_labels[wave_id]}")
    if report.dry_run:
        return report.result()
    if before_insert is not None:
        before_insert()
    _insert_all(session, source, validate, now)
    record_import(session, actor_id, report.kind, entity_type, entity_id, filename=source.name, rows=report.rows,
                  sha256=source.sha256, content_sha256=content_sha256,
                  waves={wave_labels[w]: n for w, n in per_wave.items()}, summary=report.result().summary(),
                  **detail)
    session.flush()
    return report.result()


def _insert_all(session: Session, source: CsvSource, validate: RowValidator, now: dt.datetime | None) -> None:
    session.flush()
    again = Report("second pass", dry_run=False)
    responses: list[dict] = []
    answers: list[dict] = []
    contact_rows: list[tuple[int, contacts.ContactRequest]] = []
    for line, row in source.rows(again):
        new = validate(line, row, RowCheck(again, line))
        if new is None:
            break
        response_id = random_response_id()
        responses.append({"id": response_id, "wave_id": new.wave_id, "team_id": new.team_id,
                          "touchpoint_id": new.touchpoint_id, "source": "import", "channel": new.channel,
                          "submitted_on": new.submitted_on})
        answers.extend({"response_id": response_id, "question_id": q.id, "scale_min": q.scale_min,
                        "scale_max": q.scale_max, "value": value, "text": text} for q, value, text in new.answers)
        if new.contact is not None:
            contact_rows.append((response_id, new.contact))
        if len(responses) >= CHUNK:
            _flush_chunk(session, responses, answers, contact_rows, now)
    if again.error_count:
        # The bytes are the same as in pass 1, so only a changed database (or a bug) gets here.
        raise Conflict(f"The file could not be imported: {again.errors[0]}. Nothing was imported.")
    _flush_chunk(session, responses, answers, contact_rows, now)


def _flush_chunk(session: Session, responses: list[dict], answers: list[dict],
                 contact_rows: list[tuple[int, contacts.ContactRequest]], now: dt.datetime | None) -> None:
    # Core inserts on the tables: one executemany per chunk. The ORM's bulk path splits a chunk
    # wherever the set of NULL columns changes (numeric vs text answers), costing thousands of calls.
    if responses:
        session.execute(insert(Response.__table__), responses)
    if answers:
        session.execute(insert(Answer.__table__), answers)
    rollups.add_responses(session, [r["id"] for r in responses])
    # In the import's transaction: each consenting unhappy customer's case opens with its response.
    contacts.save_many(session, contact_rows, now)
    themes.label_new(session, [r["id"] for r in responses])
    responses.clear()
    answers.clear()
    contact_rows.clear()
