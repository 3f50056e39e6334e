"""Four hosts ticking at once send every action nudge exactly once (real sessions and commits on a database of
the test's own: a file on SQLite, a database on PostgreSQL; a real SMTP server on loopback)."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.actions import nudge_mail, nudges
from surveys.models import Action, Reminder

from ..livedb import live_engine, live_make, live_template, live_url  # noqa: F401
from ..mailserver import running_smtp_server

HOSTS = 4
ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.datetime(2026, 11, 30, 8, 0)


def seed(make) -> int:
    """Twelve owners' actions of every kind and two HR admins; returns how many nudges are due."""
    team = make.team(code="CONC")
    make.staff(role="hr_admin", email="hr1@example.com")
    make.staff(role="hr_admin", email="hr2@example.com")
    for i in range(12):
        owner = make.staff(role="team_lead", team=team, email=f"lead{i}@example.com")
        due = MONDAY.date() + dt.timedelta(days=(i % 3) * 5 - 4)  # overdue, due soon, or due later
        updated = MONDAY - dt.timedelta(days=45 if i % 2 else 2)  # every other one silent for 45 days
        make.session.add(Action(title=f"Action {i}", metric="process", status="planned", owner=owner, teams=[team],
                                due_on=due, created_at=updated, updated_at=updated))
    make.session.commit()
    due = len(nudges.due_nudges(make.session, MONDAY, nudges.NudgeSettings()))
    make.session.rollback()  # SQLite: end the read, whose IMMEDIATE transaction holds the write lock
    return due


def test_four_hosts_ticking_at_once_send_each_nudge_exactly_once(live_engine, live_make, monkeypatch):
    expected = seed(live_make)
    assert expected == 12 + 6 + 2  # one due-soon or overdue nudge each but for 4 due later, 6 silent, 2 HR
    monkeypatch.setattr(nudge_mail, "MAIL_BATCH", 3)  # small batches: the hosts' claims interleave
    errors: list[BaseException] = []
    outcomes: list[nudge_mail.Outcome] = []
    with running_smtp_server() as (inbox, port):
        mail = nudge_mail.MailSettings("127.0.0.1", port, "actions@tandem.example", "https://tandem.example")
        start = threading.Barrier(HOSTS)

        def host() -> None:
            start.wait()
            with Session(live_engine) as session:
                try:
                    outcomes.append(nudge_mail.send_due(session, MONDAY, nudges.NudgeSettings(), mail))
                except BaseException as exc:  # noqa: BLE001  (reported below)
                    errors.append(exc)

        workers = [threading.Thread(target=host) for _ in range(HOSTS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(120)
        assert not errors, errors[:3]
        sent = Counter((m["To"], m["Subject"]) for m in inbox.messages)
        assert len(sent) == expected and set(sent.values()) == {1}
        assert sum(o.sent for o in outcomes) == expected and sum(o.failed for o in outcomes) == 0
        # A second round of ticks finds nothing left to send.
        with Session(live_engine) as session:
            assert nudge_mail.send_due(session, MONDAY + dt.timedelta(minutes=1), nudges.NudgeSettings(),
                                       mail).sent == 0
        assert len(inbox.messages) == expected
    with Session(live_engine) as check:
        assert check.scalar(select(func.count()).select_from(Reminder)) == expected
        assert check.scalar(select(func.count()).select_from(Reminder).where(Reminder.sent_at.is_(None))) == 0
        assert check.scalar(select(func.count()).select_from(Action)) == 12


def test_four_tandem_tick_processes_at_once_send_each_nudge_exactly_once(live_url, live_make, tmp_path):
    expected = seed(live_make)
    with running_smtp_server() as (inbox, port):
        env = {**os.environ, "TANDEM_DATABASE_URL": live_url, "TANDEM_SECRET_KEY": "test-secret-key-0123456789",
               "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"), "TANDEM_SMTP_HOST": "127.0.0.1",
               "TANDEM_SMTP_PORT": str(port), "TANDEM_REPORT_PREWARM": "0"}
        command = [sys.executable, "-c", "from webapp.cli import main; main()", "tick", "--now", MONDAY.isoformat()]
        hosts = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(HOSTS)]
        outputs = [h.communicate(timeout=120) for h in hosts]
        assert [h.returncode for h in hosts] == [0] * HOSTS, outputs
        counted = [int(re.search(r"nudges (\d+),", out).group(1)) for out, _err in outputs]
        assert sum(counted) == expected, outputs
        sent = Counter((m["To"], m["Subject"]) for m in inbox.messages)
        assert len(sent) == expected and set(sent.values()) == {1}
