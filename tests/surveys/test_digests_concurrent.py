"""Four `tandem tick` processes at once send every due digest exactly once per period and subscriber (real
processes and commits on a database of the test's own, a real SMTP server on loopback), and nothing before the
digest hour."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.digests import claims, subscriptions
from surveys.models import Reminder

from ..livedb import live_engine, live_make, live_template, live_url  # noqa: F401
from ..mailserver import running_smtp_server
from .digest_world import build

HOSTS = 4
ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.datetime(2026, 11, 30, 8, 0)


def seed(make) -> int:
    """The digest world with five subscribers; returns how many digests are due on Monday at 08:00."""
    w = build(make)
    s = make.session
    subscriptions.set_periods(s, w.executive, ["daily", "weekly", "monthly"])
    subscriptions.set_periods(s, w.hr, ["weekly"])
    subscriptions.set_periods(s, w.lead, ["weekly", "quarterly"])
    for i in range(2):
        subscriptions.set_periods(s, make.staff(role="team_lead", team=w.sales, email=f"lead{i}@example.com"),
                                  ["weekly"])
    s.commit()
    due = len(claims.due_digests(s, MONDAY, 7))
    s.rollback()
    return due


def test_digests_are_due_from_the_hour_after_their_period(live_make):
    seed(live_make)
    s = live_make.session
    early = {(d.period.kind, d.email) for d in claims.due_digests(s, MONDAY.replace(hour=6, minute=59), 7)}
    assert ("weekly", "exec@example.com") not in early and ("daily", "exec@example.com") not in early
    assert ("monthly", "exec@example.com") in early  # October's digest is due since 1 November, 07:00
    keys = sorted(d.key for d in claims.due_digests(s, MONDAY, 7) if d.email == "lead@example.com")
    assert [k.rsplit(":", 1)[0] for k in keys] == ["quarterly:2026-07-01", "weekly:2026-11-23"]
    s.rollback()


def test_four_tandem_tick_processes_at_once_send_each_digest_exactly_once(live_url, live_make, live_engine,
                                                                          tmp_path):
    expected = seed(live_make)
    assert expected == 3 + 1 + 2 + 2  # the executive's three, HR's weekly, the lead's two, two more leads' weekly
    with running_smtp_server() as (inbox, port):
        env = {**os.environ, "TANDEM_DATABASE_URL": live_url, "TANDEM_SECRET_KEY": "test-secret-key-0123456789",
               "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"), "TANDEM_SMTP_HOST": "127.0.0.1",
               "TANDEM_SMTP_PORT": str(port), "TANDEM_REPORT_PREWARM": "0", "TANDEM_ACTION_NUDGES": "0"}
        command = [sys.executable, "-c", "from webapp.cli import main; main()", "tick", "--now", MONDAY.isoformat()]
        hosts = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(HOSTS)]
        outputs = [h.communicate(timeout=300) for h in hosts]
        assert [h.returncode for h in hosts] == [0] * HOSTS, outputs
        counted = [int(re.search(r"digests (\d+)", out).group(1)) for out, _err in outputs]
        assert sum(counted) == expected, outputs
        # Only the digests: the seeded follow-up cases get their own mails from the same ticks.
        digests = [m for m in inbox.messages if " digest: " in m["Subject"]]
        sent = Counter((m["To"], m["Subject"]) for m in digests)
        assert len(sent) == expected and set(sent.values()) == {1}
        assert ("lead@example.com", "Your weekly digest: week 2026-W48 (23 Nov – 29 Nov 2026)") in sent
        assert all(m.get_body(("html",)) is not None and m.get_body(("plain",)) is not None for m in digests)
        # Another tick later that day finds nothing left to send.
        again = subprocess.run([*command[:-1], (MONDAY + dt.timedelta(hours=1)).isoformat()], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0 and "digests 0" in again.stdout, again
        assert len([m for m in inbox.messages if " digest: " in m["Subject"]]) == expected
    with Session(live_engine) as check:
        rows = check.execute(select(Reminder.kind, func.count(), func.count(Reminder.sent_at))
                             .where(Reminder.kind == "digest").group_by(Reminder.kind)).all()
        assert [tuple(r) for r in rows] == [("digest", expected, expected)]
