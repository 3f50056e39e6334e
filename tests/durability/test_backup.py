"""`tandem backup` while the app keeps writing, `tandem restore` into an empty database, then the checks.

The writer commits one customer response and one audit event per transaction, so a consistent snapshot holds
as many of one as of the other, somewhere between the counts before and after the backup; the restore then
runs `rollup verify` and `audit verify` itself, and both pass.
"""
from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.collection import public_links
from surveys.db import make_engine
from surveys.models import AuditEvent, Response, utcnow

from .server import tandem
from .world import integrity_problems


def seed_customer_link(make) -> None:
    survey = make.survey(audience="customer", questions=[{"code": "csat", "qtype": "likert5"}])
    make.wave(make.program(survey=survey, code="CXB"), opens_at=utcnow() - dt.timedelta(days=1), days=30)
    make.touchpoint(code="DESK")
    make.session.commit()


class Writer(threading.Thread):
    """Commits answer after answer (a response and an audit event each) until stopped."""

    def __init__(self, engine):
        super().__init__(daemon=True)
        self.engine, self.stopped, self.written, self.errors = engine, threading.Event(), 0, []

    def run(self) -> None:
        limit = public_links.RateLimit(10**9, 3600)
        while not self.stopped.is_set():
            with Session(self.engine) as s:
                try:
                    stored = public_links.submit_public(s, "CXB", "DESK", {"csat": str(1 + self.written % 5)},
                                                        client="backup-test", limit=limit)
                    audit.record(s, None, "test.write", "response", None, rollup_wave=stored.wave_id)
                    s.commit()
                    self.written += 1
                except Exception as exc:  # noqa: BLE001 - reported by the test
                    self.errors.append(exc)
                    return


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return (s.scalar(select(func.count()).select_from(Response)),
                    s.scalar(select(func.count()).select_from(AuditEvent)))
    finally:
        engine.dispose()


def test_an_online_backup_restores_to_a_consistent_database(live_url, live_engine, live_make, scratch_url, tmp_path):
    seed_customer_link(live_make)
    writer = Writer(live_engine)
    writer.start()
    while writer.written < 20:  # writing in full swing before the backup starts
        assert writer.is_alive(), writer.errors
        time.sleep(0.05)
    before = writer.written
    backup_file = tmp_path / "tandem.backup"
    made = tandem(live_url, tmp_path, "backup", str(backup_file))
    after = writer.written
    time.sleep(0.5)  # and still writing afterwards: the backup held no lock that stopped it
    writer.stopped.set()
    writer.join(30)
    assert not writer.errors, writer.errors
    assert made.returncode == 0, made.stderr
    assert "Backed up the" in made.stdout and "TANDEM_QUEUE_KEY" in made.stdout
    assert writer.written > after, "the writer was held up by the backup"
    assert backup_file.stat().st_mode & 0o077 == 0  # the backup holds answers: owner only

    restored = tandem(scratch_url, tmp_path, "restore", str(backup_file))
    assert restored.returncode == 0, (restored.stdout, restored.stderr)
    assert "Rollups match the raw tables." in restored.stdout
    assert "Audit trail intact" in restored.stdout
    responses, events = counts(scratch_url)
    assert responses == events  # one snapshot: every transaction wholly in or wholly out
    assert before <= responses <= after, (before, responses, after)
    engine = make_engine(scratch_url)
    try:
        assert integrity_problems(engine) == []
    finally:
        engine.dispose()
    print(f"\nbackup while writing: {responses} answers in the backup ({before} before it began, {after} when "
          f"it ended, {writer.written} in all); {made.stdout.splitlines()[0]}")

    # The restored database now holds data: a second restore is refused unless --force.
    again = tandem(scratch_url, tmp_path, "restore", str(backup_file))
    assert again.returncode == 1 and "already holds data" in again.stderr and "--force" in again.stderr
    forced = tandem(scratch_url, tmp_path, "restore", "--force", str(backup_file))
    assert forced.returncode == 0 and "Audit trail intact" in forced.stdout, forced.stderr


def one_line_error(result) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_restore_and_backup_refuse_bad_input_in_one_line(live_url, scratch_url, tmp_path):
    missing = one_line_error(tandem(scratch_url, tmp_path, "restore", str(tmp_path / "nothing.backup")))
    assert "no such file" in missing
    (tmp_path / "notes.txt").write_text("not a backup")
    assert "is not a Tandem backup" in one_line_error(tandem(scratch_url, tmp_path, "restore",
                                                               str(tmp_path / "notes.txt")))
    unreachable = "postgresql://nobody@127.0.0.1:1/tandem"
    backup_file = tmp_path / "b.backup"
    assert tandem(live_url, tmp_path, "backup", str(backup_file)).returncode == 0
    assert "already exists" in one_line_error(tandem(live_url, tmp_path, "backup", str(backup_file)))
    assert "Cannot reach the database" in one_line_error(tandem(unreachable, tmp_path, "backup",
                                                                str(tmp_path / "c.backup")))
    other_kind = "sqlite:///" + str(tmp_path / "x.db") if live_url.startswith("postgresql") else unreachable
    assert "restore it into a" in one_line_error(tandem(other_kind, tmp_path, "restore", str(backup_file)))

