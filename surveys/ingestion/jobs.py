"""Import jobs: an upload becomes a row of `import_jobs` that a worker claims, checks, imports and reports on.

State lives in the row, never in a process: a thread of the web process, `tandem tick` or
`tandem import run-jobs` may run a job. A claim is one conditional UPDATE (queued, or running with a
stale heartbeat) that also counts the attempt; every later write of the worker is fenced on that count,
so a worker whose job was taken over can change nothing. The job is marked done in the transaction
that writes the import (see job_runner), so a job is applied at most once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from surveys.ingestion.report import ImportResult
from surveys.models import ImportJob

KINDS = ("teams", "people", "touchpoints", "feedback", "responses", "actions", "outcomes")
CLAIM_CANDIDATES = 5  # rows looked at per claim: another worker may win the first ones


class JobLost(Exception):
    """Another worker took the job over (this one's heartbeat went stale): stop, change nothing."""


@dataclass(frozen=True)
class Claim:
    """A worker's hold on a job: the job and the attempt number its writes are fenced on."""

    job_id: int
    attempt: int


@dataclass(frozen=True)
class Failure:
    """Why an import could not run at all (not a row problem): the message and the form field it concerns."""

    message: str
    field: str | None = None
    status: int = 400


def create_job(session: Session, *, kind: str, files: list[tuple[str, str]], options: dict, dry_run: bool,
               actor_id: int | None, now: dt.datetime) -> ImportJob:
    """Queue an import of stored files, given as (uploaded name, stored name); flushes."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    job = ImportJob(kind=kind, dry_run=dry_run, filename=" + ".join(name for name, _ in files)[:500],
                    files=[{"name": name, "stored": stored} for name, stored in files], options=options,
                    status="queued", rows_done=0, attempts=0, created_by=actor_id, created_at=now)
    session.add(job)
    session.flush()
    return job


def _claimable(now: dt.datetime, stale_after: dt.timedelta):
    return or_(ImportJob.status == "queued",
               and_(ImportJob.status == "running", ImportJob.heartbeat < now - stale_after))


def claim(session: Session, *, now: dt.datetime, stale_after: dt.timedelta, job_id: int | None = None) -> Claim | None:
    """Take one queued job, or one whose worker stopped beating, oldest first; None when there is none.

    The UPDATE is conditional on the attempt count read just before, so of two workers claiming at once
    exactly one changes the row. On PostgreSQL the candidates are read FOR UPDATE SKIP LOCKED: a job
    whose worker is writing its import (and so holds its row) is never a candidate, however old its
    heartbeat. The caller commits.
    """
    candidates = (select(ImportJob.id, ImportJob.attempts).where(_claimable(now, stale_after))
                  .order_by(ImportJob.id).limit(CLAIM_CANDIDATES).with_for_update(skip_locked=True))
    if job_id is not None:
        candidates = candidates.where(ImportJob.id == job_id)
    for found_id, attempts in session.execute(candidates).all():
        taken = session.execute(
            update(ImportJob)
            .where(ImportJob.id == found_id, ImportJob.attempts == attempts, _claimable(now, stale_after))
            .values(status="running", phase="checking", attempts=attempts + 1, heartbeat=now, started_at=now,
                    rows_done=0)
            .execution_options(synchronize_session=False))
        if taken.rowcount == 1:
            return Claim(found_id, attempts + 1)
    return None


def beat(session: Session, held: Claim, now: dt.datetime, **progress) -> None:
    """Record that the worker is alive, with any of phase, rows_done, rows_total; JobLost if taken over."""
    changed = session.execute(
        update(ImportJob)
        .where(ImportJob.id == held.job_id, ImportJob.attempts == held.attempt, ImportJob.status == "running")
        .values(heartbeat=now, **progress).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise JobLost(f"import job {held.job_id} was taken over by another worker")


def finish(session: Session, held: Claim, now: dt.datetime, *, result: ImportResult | None = None,
           failure: Failure | None = None) -> str:
    """Mark the job done (a result that is ok) or failed, keeping the report; returns the status."""
    ok = result is not None and result.ok and failure is None
    values = {"status": "done" if ok else "failed", "finished_at": now, "phase": None,
              "report": result.to_dict() if result is not None else None,
              "message": failure.message if failure else result.summary() if result else None,
              "error_field": failure.field if failure else None, "error_status": failure.status if failure else None}
    if result is not None:
        values["rows_done"] = values["rows_total"] = result.rows
    beat(session, held, now, **values)
    return values["status"]


def files_to_delete(session: Session, limit: int = 100) -> list[ImportJob]:
    """Finished jobs whose stored files may still be on disk (a worker stopped right after finishing)."""
    return list(session.scalars(select(ImportJob).where(ImportJob.status.in_(("done", "failed")),
                                                        ImportJob.files_kept.is_(True))
                                .order_by(ImportJob.id).limit(limit)))


def forget_files(session: Session, job_id: int) -> None:
    """Record that a job's stored files are deleted; the caller commits."""
    session.execute(update(ImportJob).where(ImportJob.id == job_id).values(files_kept=False)
                    .execution_options(synchronize_session=False))


def stored_names(job: ImportJob) -> list[str]:
    """The random names of a job's stored files."""
    return [f["stored"] for f in job.files or ()]


def result_of(job: ImportJob) -> ImportResult | None:
    """The row-by-row report of a finished job, None when the import could not run at all."""
    return ImportResult.from_dict(job.report) if job.report else None


def recent_jobs(session: Session, limit: int = 10) -> list[ImportJob]:
    """The latest jobs, newest first, for the upload page."""
    return list(session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


def percent(job: ImportJob) -> int:
    """How far the job is, 0-100 (an estimate while the rows are being counted)."""
    if job.finished:
        return 100
    if job.phase == "saving":
        return 99
    if not job.rows_total:
        return 0
    return min(98, job.rows_done * 100 // job.rows_total)
