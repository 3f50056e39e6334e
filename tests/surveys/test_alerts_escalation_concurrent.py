"""Four `tandem tick` processes at once route and escalate every alert mail exactly once, and record each
escalation once (real commits on a database of the test's own; a real SMTP server on loopback)."""
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

from surveys.models import Alert, AlertEvent, Reminder

from ..alert_rows import make_alert
from ..livedb import live_engine, live_make, live_template, live_url  # noqa: F401
from ..mailserver import running_smtp_server

HOSTS = 4
ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 1, 8, 0)
ALERTS = 6


def seed(make) -> int:
    """Six alerts raised a month ago and never acknowledged: each is due to its lead, the department head and
    both executives; returns how many mails are due."""
    root = make.team(code="ROOT", name="Company")
    dept = make.team(code="DEPT", name="Service", parent=root)
    dept.lead = make.staff(role="team_lead", team=dept, email="head@example.com")
    for email in ("ceo@example.com", "cfo@example.com"):
        make.staff(role="executive", email=email)
    for i in range(ALERTS):
        team = make.team(code=f"T{i}", name=f"Team {i}", parent=dept)
        team.lead = make.staff(role="team_lead", team=team, email=f"lead{i}@example.com")
        make_alert(make.session, make.touchpoint(team=team, code=f"TP{i}"), created_at=NOW - dt.timedelta(days=30))
    make.session.commit()
    return ALERTS * 4


def test_four_tandem_tick_processes_at_once_send_each_alert_mail_exactly_once(live_url, live_make, live_engine,
                                                                               tmp_path):
    expected = seed(live_make)
    with running_smtp_server() as (inbox, port):
        env = {**os.environ, "TANDEM_DATABASE_URL": live_url, "TANDEM_SECRET_KEY": "test-secret-key-0123456789",
               "TANDEM_INSTANCE_PATH": str(tmp_path / "instance"), "TANDEM_SMTP_HOST": "127.0.0.1",
               "TANDEM_SMTP_PORT": str(port), "TANDEM_REPORT_PREWARM": "0"}
        command = [sys.executable, "-c", "from webapp.cli import main; main()", "tick", "--now", NOW.isoformat()]
        hosts = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(HOSTS)]
        outputs = [h.communicate(timeout=180) for h in hosts]
        assert [h.returncode for h in hosts] == [0] * HOSTS, outputs
        counted = [int(re.search(r"alerts routed (\d+)", out).group(1)) for out, _err in outputs]
        assert sum(counted) == expected, outputs
        sent = Counter((m["To"], m["Subject"]) for m in inbox.messages)
        assert len(sent) == expected and set(sent.values()) == {1}
        assert Counter(m["To"] for m in inbox.messages)["ceo@example.com"] == ALERTS
    with Session(live_engine) as check:
        assert check.scalar(select(func.count()).select_from(Reminder).where(Reminder.sent_at.is_not(None))) \
            == expected
        assert set(check.scalars(select(Alert.escalation_level))) == {2}
        # Each alert jumped straight to level 2 in one recorded step, not once per host.
        assert check.scalar(select(func.count()).select_from(AlertEvent).where(AlertEvent.what == "escalated")) \
            == ALERTS
