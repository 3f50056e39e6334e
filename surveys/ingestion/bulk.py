"""Streaming two-pass runner shared by the imports that add responses (feedback, historical responses).

Pass 1 reads and checks every row once and keeps nothing but counts in memory; each checked row is
written, compactly and a chunk at a time, to a spool file (memory up to SPOOL_BYTES, then an unnamed
temporary file). Pass 2, only when the whole file is valid and this is not a dry run, reads the spool
back a chunk at a time and inserts responses and answers (COPY on PostgreSQL, one executemany per table
on SQLite), opens the chunk's follow-up cases and labels its comments; at the end one statement per
rollup adds the whole file (its ids are kept in a temporary table, not in Python). Memory stays flat
whatever the file size, no row is parsed or checked twice, and a file with one bad row writes nothing.
All of it is the caller's one transaction.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import column, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys import rollups, themes
from surveys.errors import Conflict
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.history import describe_previous, find_previous, lock_file, record_import
from surveys.ingestion.report import ImportResult, Report, RowCheck
from surveys.models import Answer, Response
from surveys.models.responses import random_response_id
from surveys.voice import contacts

CHUNK = 5000
IDS_TABLE = table("import_response_ids", column("id"))
SPOOL_BYTES = 1024 * 1024  # then an unnamed temporary file
SQLITE_CACHE_KB = 16 * 1024
RESPONSE_COLUMNS = ("id", "wave_id", "team_id", "touchpoint_id", "source", "channel", "submitted_on")
ANSWER_COLUMNS = ("response_id", "question_id", "scale_min", "scale_max", "value", "text")


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

    def spooled(self) -> tuple:
        """The row as plain values (answers as question id, bounds, value, text) for the spool file."""
        return (self.wave_id, self.team_id, self.touchpoint_id, self.channel, self.submitted_on,
                tuple((q.id, q.scale_min, q.scale_max, value, text) for q, value, text in self.answers),
                self.contact)


RowValidator = Callable[[int, dict[str, str], RowCheck], NewResponse | None]


def run(session: Session, source: CsvSource, report: Report, validate: RowValidator, *, wave_labels: dict[int, str],
        actor_id: int | None, entity_type: str, entity_id: int | None, detail: dict,
        before_insert: Callable[[], dict[int, int] | None] | None = None,
        now: dt.datetime | None = None) -> ImportResult:
    """Check the whole file, refuse a file imported before, then (unless a dry run) insert everything.

    `before_insert` runs once the file is known to be valid, before pass 2 (e.g. to create planned waves);
    it may return {placeholder wave id: real wave id} for rows checked against waves planned in pass 1.
    """
    lock_file(session, source.sha256)
    previous = find_previous(session, {source.sha256})
    if previous is not None:
        report.error(None, None, describe_previous(session, previous))
        return report.result()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        return _run(session, source, report, validate, spool, wave_labels=wave_labels, actor_id=actor_id,
                    entity_type=entity_type, entity_id=entity_id, detail=detail, before_insert=before_insert,
                    now=now)


def _run(session: Session, source: CsvSource, report: Report, validate: RowValidator, spool, *,
         wave_labels: dict[int, str], actor_id: int | None, entity_type: str, entity_id: int | None, detail: dict,
         before_insert, now: dt.datetime | None) -> ImportResult:
    content = hashlib.sha256("\x1f".join(source.header.columns).encode())
    per_wave: dict[int, int] = {}
    checked: list[tuple] = []
    for line, row in source.rows(report):
        report.rows += 1
        content.update(("\x1e" + "\x1f".join(row.values())).encode("utf-8", "surrogateescape"))
        new = validate(line, row, RowCheck(report, line))
        if new is not None:
            per_wave[new.wave_id] = per_wave.get(new.wave_id, 0) + 1
            # Once a row failed nothing will be written: stop spooling, keep checking for the report.
            if not report.dry_run and report.error_count == 0:
                checked.append(new.spooled())
                if len(checked) >= CHUNK:
                    pickle.dump(checked, spool, protocol=pickle.HIGHEST_PROTOCOL)
                    checked.clear()
    if checked and report.error_count == 0:
        pickle.dump(checked, spool, protocol=pickle.HIGHEST_PROTOCOL)
    checked = []
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
    waves = (before_insert() if before_insert is not None else None) or {}
    spool.seek(0)
    with _page_cache(session):
        _insert_all(session, _chunks(spool), waves, now)
    record_import(session, actor_id, report.kind, entity_type, entity_id, filename=source.name, rows=report.rows,
                  sha256=source.sha256, content_sha256=content_sha256,
                  waves={wave_labels[w]: n for w, n in per_wave.items()}, summary=report.result().summary(),
                  **detail)
    session.flush()
    return report.result()


@contextmanager
def _page_cache(session: Session) -> Iterator[None]:
    """On SQLite, a bigger page cache for pass 2, then the connection's own again.

    A chunk's inserts, then its rollups re-reading the same rows, miss SQLite's default 2 MB cache at
    every random-id page; SQLITE_CACHE_KB keeps them in memory (it counts in the import's peak RSS).
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")  # frees the pages above it


def _chunks(spool) -> Iterator[list[tuple]]:
    """The checked rows pass 1 spooled, a chunk at a time."""
    while True:
        try:
            yield pickle.load(spool)  # nosec B301 # our own spool, written by pass 1 of this process
        except EOFError:
            return


def _insert_all(session: Session, chunks: Iterator[list[tuple]], waves: dict[int, int],
                now: dt.datetime | None) -> None:
    session.flush()
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    # The ids of this import, in a temporary table of this connection, so the rollups can add the whole file
    # in one statement each at the end (per chunk they cost more than the inserts, on PostgreSQL three times).
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {IDS_TABLE.name} (id BIGINT PRIMARY KEY)")
    insert_ids = _insert_sql(IDS_TABLE.name, ("id",), mark)
    for chunk in chunks:
        responses, answers, contact_rows = [], [], []
        for wave_id, team_id, touchpoint_id, channel, day, row_answers, contact in chunk:
            response_id = random_response_id()
            responses.append((response_id, waves.get(wave_id, wave_id), team_id, touchpoint_id, "import", channel,
                              day))
            answers.extend((response_id, *answer) for answer in row_answers)
            if contact is not None:
                contact_rows.append((response_id, contact))
        try:
            _write(connection, (Response.__table__.name, RESPONSE_COLUMNS, responses),
                   (Answer.__table__.name, ANSWER_COLUMNS, answers))
        except (IntegrityError, connection.dialect.dbapi.IntegrityError) as exc:
            # The rows were valid when checked; only a change made meanwhile (a team or touchpoint deleted)
            # gets here. The caller rolls back, so nothing of the file stays.
            raise Conflict("The database changed while the file was being imported "
                           f"({getattr(exc, 'orig', exc)}). Nothing was imported; try again.") from None
        ids = [r[0] for r in responses]
        if connection.dialect.name == "postgresql":  # one array parameter: one round trip for the chunk
            connection.exec_driver_sql(f"INSERT INTO {IDS_TABLE.name} (id) SELECT unnest(CAST(%s AS BIGINT[]))",
                                       (ids,))
        else:
            connection.exec_driver_sql(insert_ids, [(i,) for i in ids])
        # In the import's transaction: each consenting unhappy customer's case opens with its response.
        contacts.save_many(session, contact_rows, now)
        themes.label_new(session, ids)  # adds the labelled comments to the theme rollups itself
    rollups.add_selected(session, select(IDS_TABLE.c.id))
    connection.exec_driver_sql(f"DROP TABLE {IDS_TABLE.name}")


def _write(connection, *inserts: tuple[str, tuple[str, ...], list[tuple]]) -> None:
    """Insert checked rows as plain tuples: COPY on PostgreSQL, the driver's executemany on SQLite.

    Building a parameter dict per row through Core cost as much as the inserts themselves; COPY is the
    PostgreSQL path made for bulk rows (several times an executemany).
    """
    if connection.dialect.name != "postgresql":
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        for table_name, columns, rows in inserts:
            if rows:
                connection.exec_driver_sql(_insert_sql(table_name, columns, mark), rows)
        return
    with connection.connection.dbapi_connection.cursor() as cursor:
        for table_name, columns, rows in inserts:
            if rows:
                with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)


def _insert_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    # Table and column names are the project's own constants; the values go as parameters.
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"  # nosec B608
