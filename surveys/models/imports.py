"""Import jobs: an uploaded CSV file waiting for, being checked by, or imported by a worker."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models.base import Base, in_list, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")
JOB_PHASES = ("checking", "saving")


class ImportJob(Base):
    """One upload's import. All progress lives here, so any process can show it or take the job over.

    `attempts` counts claims: a worker's writes are fenced on the value it claimed with, so a worker
    whose job was taken over (its heartbeat went stale) can no longer change the job or apply it.
    """

    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint(in_list("status", JOB_STATUSES), name="status"),
        CheckConstraint("rows_done >= 0", name="rows_done"),
        CheckConstraint("attempts >= 0", name="attempts"),
        # Workers look for queued jobs and for running jobs whose heartbeat went stale.
        Index("ix_import_jobs_status_heartbeat", "status", "heartbeat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The names the files were uploaded with, for the job page ("teams.csv + people.csv").
    filename: Mapped[str] = mapped_column(String(500))
    # [{"name": uploaded name, "stored": random name in the upload folder}], in the order they were given.
    files: Mapped[list] = mapped_column(JSON)
    # True until the stored files are deleted (they may hold personal data): right after the job ends.
    files_kept: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # What the service needs besides the files: program code, wave id, deactivate_missing.
    options: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="queued", server_default="queued")
    phase: Mapped[str | None] = mapped_column(String(10))
    rows_total: Mapped[int | None] = mapped_column(Integer)  # an estimate until the check has read every row
    rows_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    report: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))  # the ImportResult, row by row
    # Why the import could not run at all (bad choice of program or wave, a worker that kept dying...).
    message: Mapped[str | None] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(40))
    error_status: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat: Mapped[dt.datetime | None] = mapped_column(DateTime)

    @property
    def finished(self) -> bool:
        """True once the job is done or failed."""
        return self.status in ("done", "failed")
