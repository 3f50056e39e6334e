"""Import jobs: atomic claims, stale jobs re-run exactly once, a taken-over or killed worker applies nothing.

Real sessions on a database of the test's own (tests/livedb.py); the crash test kills a real process.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from surveys.db import make_session_factory, set_read_only
from surveys.ingestion import ImportResult, RowError, job_runner, jobs, uploads
from surveys.models import AuditEvent, ImportJob, Response, utcnow
from webapp import jobs as jobs_glue

from ..livedb import live_app, live_engine, live_make, live_template, live_url  # noqa: F401
from .test_imports_feedback import CX_QUESTIONS, HEADER

ROOT = Path(__file__).resolve().parents[2]
AN_HOUR_AGO = dt.timedelta(hours=1)


@pytest.fixture
def world(live_app, live_make):
    """(session factory, runner settings) for a database with a January customer wave and touchpoint TEL."""
    program = live_make.program(survey=live_make.survey(audience="customer", questions=CX_QUESTIONS), code="CX")
    live_make.wave(program, label="2026-01", opens_at=dt.datetime(2026, 1, 1), days=31, status="closed")
    live_make.touchpoint(code="TEL")
    live_make.session.commit()
    return make_session_factory(live_app.extensions["tandem_engine"]), jobs_glue.run_settings(live_app.config)


def feedback(rows: int) -> bytes:
    return (HEADER + "".join(f"TEL,2026-01-{i % 28 + 1:02d},,{i % 5 + 1},{i % 11},,\n" for i in range(rows))).encode()


def queue(world, data: bytes, dry_run: bool = False) -> int:
    sessions, settings = world
    stored = uploads.store(settings.upload_dir, io.BytesIO(data))
    with sessions() as s:
        job = jobs.create_job(s, kind="feedback", files=[("f.csv", stored)], options={"program": "CX"},
                              dry_run=dry_run, actor_id=None, now=utcnow())
        s.commit()
        return job.id


def claim(world, when: dt.datetime | None = None, job_id: int | None = None) -> jobs.Claim | None:
    sessions, settings = world
    with sessions() as s:
        held = jobs.claim(s, now=when or utcnow(), stale_after=settings.stale_after, job_id=job_id)
        s.commit()
        return held


def state(world, job_id: int) -> tuple[ImportJob, int, int]:
    """The job, the responses stored and the feedback imports audited."""
    with world[0]() as s:
        set_read_only(s, True)  # SQLite: a plain session would queue for the write lock a worker may hold
        job = s.get(ImportJob, job_id)
        s.expunge(job)
        responses = s.scalar(select(func.count()).select_from(Response))
        audited = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import.feedback"))
        return job, responses, audited


def test_a_stale_job_is_run_again_by_tick_exactly_once(world, live_app):
    stale = queue(world, feedback(300))
    assert claim(world, utcnow() - AN_HOUR_AGO) == jobs.Claim(stale, 1)  # a worker that claimed it, then died
    alive = queue(world, feedback(7))
    assert claim(world, job_id=alive) == jobs.Claim(alive, 1)  # a worker still beating: left alone
    runner = live_app.test_cli_runner()
    first = runner.invoke(args=["tick"])
    assert first.exit_code == 0 and "imports done 1" in first.output, first.output
    second = runner.invoke(args=["tick"])
    assert second.exit_code == 0 and "imports" not in second.output.split(":", 1)[1], second.output
    job, responses, audited = state(world, stale)
    assert (job.status, job.attempts, responses, audited) == ("done", 2, 300, 1)
    assert state(world, alive)[0].status == "running"


def test_of_two_concurrent_claims_one_wins(world):
    sessions, settings = world
    job_id = queue(world, feedback(1))
    for expected_attempt, when in ((1, utcnow()), (2, utcnow() + 2 * settings.stale_after)):
        start, won = threading.Barrier(4), []

        def worker():
            start.wait()
            won.append(claim(world, when))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(won, key=bool) == [None, None, None, jobs.Claim(job_id, expected_attempt)]


def test_a_worker_whose_job_was_taken_over_applies_nothing(world):
    sessions, settings = world
    job_id = queue(world, feedback(50))
    slow = claim(world, utcnow() - AN_HOUR_AGO)
    fresh = claim(world)
    assert (slow.attempt, fresh.attempt) == (1, 2)
    assert job_runner.run_claimed(sessions, settings, slow) is None
    job, responses, _ = state(world, job_id)
    assert (job.status, responses) == ("running", 0) and job.files_kept
    assert job_runner.run_claimed(sessions, settings, fresh) == "done"
    assert state(world, job_id)[1:] == (50, 1)


def test_a_dry_run_job_reports_and_changes_nothing(world):
    job_id = queue(world, feedback(40), dry_run=True)
    assert job_runner.run_next(*world) == (job_id, "done")
    job, responses, audited = state(world, job_id)
    result = jobs.result_of(job)
    assert result.dry_run and result.created == 40 and (responses, audited) == (0, 0)
    assert job.message.startswith("Check only, nothing was changed: 40 rows are valid")


def test_a_job_whose_worker_keeps_dying_fails_after_three_attempts(world):
    sessions, settings = world
    job_id = queue(world, feedback(5))
    for attempt in (1, 2, 3):
        assert claim(world, utcnow() + attempt * 2 * settings.stale_after).attempt == attempt
    assert job_runner.run_pending(sessions, settings) == []  # the last claim is still fresh for now
    with sessions() as s:
        s.execute(update(ImportJob).values(heartbeat=utcnow() - AN_HOUR_AGO))
        s.commit()
    assert job_runner.run_pending(sessions, settings) == [(job_id, "failed")]
    job, responses, _ = state(world, job_id)
    assert "interrupted 3 times" in job.message and responses == 0
    assert not job.files_kept and list(settings.upload_dir.iterdir()) == []


def test_a_job_whose_file_is_gone_fails_with_a_message(world):
    sessions, settings = world
    job_id = queue(world, feedback(5))
    for path in settings.upload_dir.iterdir():
        path.unlink()
    assert job_runner.run_next(sessions, settings) == (job_id, "failed")
    assert state(world, job_id)[0].message == job_runner.GONE


def test_a_worker_killed_while_saving_leaves_nothing_and_the_job_is_redone_once(world, live_url, tmp_path):
    """SIGKILL `tandem import run-jobs` in the middle of the write transaction, then let another worker run."""
    sessions, settings = world
    rows = 20_000
    job_id = queue(world, feedback(rows))
    env = {**os.environ, "TANDEM_DATABASE_URL": live_url, "TANDEM_SECRET_KEY": "test-secret-key-0123456789",
           "TANDEM_UPLOAD_DIR": str(settings.upload_dir), "TANDEM_INSTANCE_PATH": str(tmp_path / "instance")}
    worker = subprocess.Popen([sys.executable, "-c", "from webapp.cli import main; main()", "import", "run-jobs"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while state(world, job_id)[0].phase != "saving":
            assert worker.poll() is None and time.monotonic() < deadline, worker.stderr.read()
            time.sleep(0.05)
        time.sleep(0.5)  # well inside the write transaction
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(30)
        worker.stderr.close()
    job, responses, audited = state(world, job_id)
    assert (job.status, job.attempts, responses, audited) == ("running", 1, 0, 0)  # nothing was applied
    later = utcnow() + 2 * settings.stale_after
    # On PostgreSQL the killed worker's server process holds its row locks until it notices the closed
    # connection (milliseconds, more on a loaded machine), and the claim skips locked rows: ask again.
    deadline = time.monotonic() + 20
    while True:
        with sessions() as s:
            held = jobs.claim(s, now=later, stale_after=settings.stale_after)
            s.commit()
        if held is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert held == jobs.Claim(job_id, 2)
    assert job_runner.run_claimed(sessions, settings, held) == "done"
    assert job_runner.run_pending(sessions, settings) == []
    assert state(world, job_id)[1:] == (rows, 1)


def test_stored_files_stay_in_their_folder(tmp_path):
    name = uploads.store(tmp_path / "up", io.BytesIO(b"a,b\r\n1,2\r\n3,4"))
    path = uploads.path_of(tmp_path / "up", name)
    assert path.read_bytes() == b"a,b\r\n1,2\r\n3,4" and uploads.estimate_rows(path) == 2
    assert (tmp_path / "up").stat().st_mode & 0o077 == 0
    for bad in ("../secret_key", "/etc/passwd", "x.csv", name.upper()):
        with pytest.raises(ValueError):
            uploads.path_of(tmp_path / "up", bad)
    uploads.remove(tmp_path / "up", [name, name])
    assert not path.exists()
    assert uploads.display_name("C:\\Users\\ana\\../e\x00quipe.csv") == "equipe.csv"
    assert uploads.display_name("\n") == "upload.csv" and len(uploads.display_name("x" * 300)) == 200


def test_a_result_survives_the_round_trip_through_json():
    result = ImportResult(kind="org", dry_run=False, rows=3, created=1, errors=(RowError(2, "email", "bad", "p.csv"),),
                          error_count=1, changes=("x",), change_count=1, notes=("n",), counts={"a": 1})
    assert ImportResult.from_dict(result.to_dict()) == result
