"""Running an import job: check the whole file in a read-only transaction while committing progress, then
import it in one write transaction that also marks the job done.

The check phase reads only, so on SQLite it holds no write lock and progress can be committed from a
second session as the rows go by. The import itself is the service's own all-or-nothing run (it checks
every row again, then writes), in one transaction whose first statement is the fenced heartbeat and whose
last is `finish`: a worker killed before the commit leaves nothing applied and a stale job for the next
worker; after the commit the job is done and no worker can claim it again.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from surveys.db import set_read_only
from surveys.errors import TandemError
from surveys.ingestion import jobs, uploads
from surveys.ingestion.actions import import_actions
from surveys.ingestion.csvio import CsvSource
from surveys.ingestion.feedback import import_feedback
from surveys.ingestion.org import import_org_files
from surveys.ingestion.outcomes import import_outcomes
from surveys.ingestion.report import ImportResult
from surveys.ingestion.responses import import_responses
from surveys.ingestion.targets import wave_codes
from surveys.ingestion.touchpoints import import_touchpoints
from surveys.models import ImportJob, utcnow

log = logging.getLogger(__name__)
Sessions = Callable[[], Session]
UNEXPECTED = ("The import stopped on an unexpected error; nothing was imported. Upload the file again, and if "
              "it happens again, ask the server's operator to check the log.")
GONE = "The uploaded file is no longer on the server; nothing was imported. Upload it again."


@dataclass(frozen=True)
class RunSettings:
    """What a worker needs besides the job: where files are, thresholds for past waves, time limits."""

    upload_dir: Path
    min_group_size: int
    min_comment_group_size: int
    stale_after: dt.timedelta = dt.timedelta(minutes=10)
    progress_rows: int = 5000  # commit progress every this many rows; 0: only at the end
    max_attempts: int = 3  # claims of one job before it is failed (a file that kills its worker)
    case_due_days: int = 2  # working days a follow-up case opened by imported feedback has (TANDEM_CASE_...)


def run_pending(sessions: Sessions, settings: RunSettings, limit: int | None = None) -> list[tuple[int, str | None]]:
    """Run claimable jobs one after another until none is left (or `limit` ran); (job id, final status) each."""
    delete_leftover_files(sessions, settings)
    ran: list[tuple[int, str | None]] = []
    while limit is None or len(ran) < limit:
        outcome = run_next(sessions, settings)
        if outcome is None:
            break
        ran.append(outcome)
    return ran


def run_next(sessions: Sessions, settings: RunSettings, job_id: int | None = None) -> tuple[int, str | None] | None:
    """Claim one job (a given one, or the oldest claimable) and run it: (job id, final status), None if none.

    The status is None when another worker took the job over meanwhile.
    """
    session = sessions()
    try:
        held = jobs.claim(session, now=utcnow(), stale_after=settings.stale_after, job_id=job_id)
        session.commit()
    finally:
        session.close()
    if held is None:
        return None
    return held.job_id, run_claimed(sessions, settings, held)


def run_claimed(sessions: Sessions, settings: RunSettings, held: jobs.Claim) -> str | None:
    """Check, import and report one claimed job, then delete its files; None when another worker took it."""
    session = sessions()
    try:
        job = session.get(ImportJob, held.job_id)
        session.expunge(job)  # a detached snapshot: kind, options, files
    finally:
        session.close()
    try:
        status = _run(sessions, settings, held, job)
    except jobs.JobLost:
        log.warning("import job %s: taken over by another worker, stopping", held.job_id)
        return None
    except Exception:  # noqa: BLE001 - any bug must end the job with a message, not leave it running
        log.exception("import job %s failed unexpectedly", held.job_id)
        status = _end(sessions, held, failure=jobs.Failure(UNEXPECTED, status=500))
    _delete_files(sessions, settings, job)
    return status


def _run(sessions: Sessions, settings: RunSettings, held: jobs.Claim, job: ImportJob) -> str:
    if held.attempt > settings.max_attempts:
        return _end(sessions, held, failure=jobs.Failure(
            f"The import was interrupted {held.attempt - 1} times (its worker stopped each time); nothing was "
            "imported. Split the file into smaller files and upload them one by one.", status=500))
    try:
        paths = [uploads.path_of(settings.upload_dir, name) for name in jobs.stored_names(job)]
    except ValueError:
        paths = []
    if not paths or not all(p.is_file() for p in paths):
        return _end(sessions, held, failure=jobs.Failure(GONE, status=410))
    _commit_beat(sessions, held, phase="checking", rows_done=0, rows_total=sum(map(uploads.estimate_rows, paths)))
    checked = _check(sessions, settings, held, job, paths)
    if isinstance(checked, jobs.Failure) or not checked.ok or job.dry_run:
        if isinstance(checked, ImportResult):
            checked = replace(checked, dry_run=job.dry_run)
            return _end(sessions, held, result=checked)
        return _end(sessions, held, failure=checked)
    _commit_beat(sessions, held, phase="saving", rows_done=checked.rows, rows_total=checked.rows)
    return _apply(sessions, settings, held, job, paths)


def _check(sessions: Sessions, settings: RunSettings, held: jobs.Claim, job: ImportJob,
           paths: list[Path]) -> ImportResult | jobs.Failure:
    """The service's dry run, read-only, with progress committed by another session as rows are read."""
    work = sessions()
    progress = _Progress(sessions, held, settings.progress_rows, work)
    set_read_only(work, True)
    try:
        return _call(work, settings, job, paths, dry_run=True, on_row=progress.row)
    except TandemError as exc:
        return jobs.Failure(exc.message, getattr(exc, "field", None), exc.status)
    finally:
        set_read_only(work, False)  # rolls the read transaction back
        work.close()


def _apply(sessions: Sessions, settings: RunSettings, held: jobs.Claim, job: ImportJob, paths: list[Path]) -> str:
    """One transaction: fenced heartbeat (locks the job), the service's real run, the job marked done."""
    work = sessions()
    try:
        jobs.beat(work, held, utcnow())
        result = _call(work, settings, job, paths, dry_run=False)
        if result.ok:
            status = jobs.finish(work, held, utcnow(), result=result)
            work.commit()
            return status
        work.rollback()  # the database changed since the check (e.g. the same file imported meanwhile)
        return _end(sessions, held, result=result)
    except TandemError as exc:
        work.rollback()
        return _end(sessions, held, failure=jobs.Failure(exc.message, getattr(exc, "field", None), exc.status))
    except BaseException:
        work.rollback()
        raise
    finally:
        work.close()


def _call(session: Session, settings: RunSettings, job: ImportJob, paths: list[Path], *, dry_run: bool,
          on_row: Callable[[], None] | None = None) -> ImportResult:
    """Open the stored files and call the import service the job's kind names (as the upload page did)."""
    options, actor = job.options or {}, job.created_by
    with ExitStack() as stack:
        sources = []
        for path, entry in zip(paths, job.files):
            source = CsvSource(stack.enter_context(path.open("rb")), name=entry["name"])
            source.on_row = on_row
            sources.append(source)
        if job.kind in ("teams", "people"):
            return import_org_files(session, sources, expected=job.kind, dry_run=dry_run, actor_id=actor,
                                    deactivate_missing=bool(options.get("deactivate_missing")))
        if job.kind == "touchpoints":
            return import_touchpoints(session, sources[0], dry_run=dry_run, actor_id=actor)
        if job.kind == "actions":
            return import_actions(session, sources[0], dry_run=dry_run, actor_id=actor)
        if job.kind == "outcomes":
            return import_outcomes(session, sources[0], dry_run=dry_run, actor_id=actor)
        if job.kind == "feedback":
            return import_feedback(session, sources[0], program_code=options.get("program") or None,
                                   dry_run=dry_run, actor_id=actor, now=utcnow(),
                                   min_group_size=settings.min_group_size,
                                   min_comment_group_size=settings.min_comment_group_size,
                                   case_due_days=settings.case_due_days)
        program_code, wave_label = wave_codes(session, int(options["wave_id"]))
        return import_responses(session, sources[0], program_code=program_code, wave_label=wave_label,
                                dry_run=dry_run, actor_id=actor)


class _Progress:
    """Counts rows read and commits them (with the heartbeat) every `every` rows, in its own session."""

    def __init__(self, sessions: Sessions, held: jobs.Claim, every: int, work: Session):
        self.sessions, self.held, self.every, self.work = sessions, held, every, work
        self.rows = 0

    def row(self) -> None:
        self.rows += 1
        if self.every and self.rows % self.every == 0:
            session = self.sessions()
            if session is self.work:  # one shared session (tests): it is read-only now; report at the end
                return
            try:
                jobs.beat(session, self.held, utcnow(), rows_done=self.rows)
                session.commit()
            finally:
                session.close()


def _commit_beat(sessions: Sessions, held: jobs.Claim, **progress) -> None:
    session = sessions()
    try:
        jobs.beat(session, held, utcnow(), **progress)
        session.commit()
    finally:
        session.close()


def _end(sessions: Sessions, held: jobs.Claim, *, result: ImportResult | None = None,
         failure: jobs.Failure | None = None) -> str:
    session = sessions()
    try:
        status = jobs.finish(session, held, utcnow(), result=result, failure=failure)
        session.commit()
        return status
    finally:
        session.close()


def _delete_files(sessions: Sessions, settings: RunSettings, job: ImportJob) -> None:
    """Delete a finished job's stored files, then record it (a crash in between: the next sweep redoes it)."""
    uploads.remove(settings.upload_dir, [n for n in jobs.stored_names(job) if uploads.STORED_NAME.fullmatch(n)])
    session = sessions()
    try:
        jobs.forget_files(session, job.id)
        session.commit()
    finally:
        session.close()


def delete_leftover_files(sessions: Sessions, settings: RunSettings) -> int:
    """Delete the stored files of finished jobs that still have them; how many jobs were cleaned."""
    session = sessions()
    try:
        leftovers = jobs.files_to_delete(session)
        for job in leftovers:
            uploads.remove(settings.upload_dir, [n for n in jobs.stored_names(job) if uploads.STORED_NAME.fullmatch(n)])
            jobs.forget_files(session, job.id)
        session.commit()
        return len(leftovers)
    finally:
        session.close()
