"""Import jobs wired to the app: its session factory, its settings, and a background thread per upload.

Nothing here keeps state: the thread only runs the job, whose progress is in the database, and a job
whose thread dies with its process is taken over by `tandem tick` or `tandem import run-jobs`.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from surveys.ingestion import job_runner

log = logging.getLogger(__name__)


def run_settings(config: Mapping, progress_rows: int | None = None) -> job_runner.RunSettings:
    """The runner's settings from the app's configuration."""
    if progress_rows is None:
        progress_rows = config.get("IMPORT_PROGRESS_ROWS")  # not a TANDEM_ variable: tests set it lower
    extra = {} if progress_rows is None else {"progress_rows": progress_rows}
    return job_runner.RunSettings(
        upload_dir=Path(config["UPLOAD_DIR"]), min_group_size=config["MIN_GROUP_SIZE"],
        min_comment_group_size=config["MIN_COMMENT_GROUP_SIZE"],
        stale_after=dt.timedelta(minutes=config["IMPORT_STALE_MINUTES"]),
        case_due_days=config.get("CASE_DUE_WORKING_DAYS", 2), **extra)


def sessions(app: Flask) -> job_runner.Sessions:
    """A new session per call: the runner opens one per transaction and closes it."""
    return app.extensions["tandem_sessions"]


def start_thread(app: Flask, job_id: int) -> threading.Thread:
    """Run one job in a daemon thread of this process (the request returns at once)."""
    factory, settings = sessions(app), run_settings(app.config)

    def work() -> None:
        try:
            job_runner.run_next(factory, settings, job_id=job_id)
        except Exception:  # noqa: BLE001 - the job stays claimable: its heartbeat goes stale and tick retries
            log.exception("import job %s: worker thread stopped", job_id)

    thread = threading.Thread(target=work, name=f"tandem-import-{job_id}", daemon=True)
    thread.start()
    return thread
