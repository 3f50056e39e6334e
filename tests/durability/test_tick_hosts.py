"""Four `tandem tick` processes at once, at each step of a wave's life: the wave opens once, each invitation is
created and mailed once, each reminder is mailed once, and each batch of queued answers is released once.

(Action nudges sent by four ticks at once: tests/surveys/test_nudges_concurrent.py.)
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections import Counter

from sqlalchemy import func, select

from surveys.collection import submission
from surveys.models import Invitation, PendingSubmission, Response, SubmissionReceipt, Wave

from ..factories import DRAFT_KEY
from ..mailserver import running_smtp_server
from .server import ROOT, tandem_env
from .world import count, session

HOSTS = 4
T0 = dt.datetime(2026, 11, 1, 8, 0)
SIZES = {"Alpha": 6, "Beta": 6}  # both at least the minimum group size (5): each is its own unit


def ticks(url, tmp_path, port: int, now: dt.datetime) -> Counter:
    """Start four `tandem tick --now NOW` at once; returns the sums of their summary counts."""
    env = tandem_env(url, tmp_path, TANDEM_SMTP_HOST="127.0.0.1", TANDEM_SMTP_PORT=str(port))
    command = [sys.executable, "-c", "from webapp.cli import main; main()", "tick", "--now", now.isoformat()]
    hosts = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(HOSTS)]
    outputs = [h.communicate(timeout=120) for h in hosts]
    assert [h.returncode for h in hosts] == [0] * HOSTS, outputs
    assert not any(err.strip() for _out, err in outputs), outputs  # no mail failed, nothing went wrong
    total: Counter = Counter()
    for out, _err in outputs:
        for key, n in re.findall(r"([a-z ]+) (\d+)(?:,|$)", out.strip().split(": ", 1)[1]):
            total[key.strip()] += int(n)
    return total


def submit(engine, invitation_ids, when: dt.datetime) -> None:
    """These invitees answer (through the service: their links went out by mail)."""
    with session(engine) as s:
        for invitation_id in invitation_ids:
            submission.save_draft(s.get(Invitation, invitation_id), DRAFT_KEY, 0, {"eng1": "4", "enps": "9"})
            submission.submit_invitation(s, invitation_id, now=when, key=DRAFT_KEY)
        s.commit()


def test_four_ticks_at_once_open_invite_remind_and_release_exactly_once(live_url, live_engine, live_make, tmp_path):
    make = live_make
    root = make.team(name="Company")
    teams = {name: make.team(name=name, parent=root) for name in SIZES}
    for name, size in SIZES.items():
        for _ in range(size):
            make.person(team=teams[name])
    program = make.program(cadence="monthly")
    program.reminder_days = 3
    wave = make.wave(program, status="draft", label="2026-11", opens_at=T0)
    make.session.commit()
    wave_id, closes_at, invitees = wave.id, wave.closes_at, sum(SIZES.values())

    with running_smtp_server() as (inbox, port):
        first = ticks(live_url, tmp_path, port, T0)
        assert (first["opened"], first["invited"], first["sent"], first["failed"]) == (1, invitees, invitees, 0)
        assert len(inbox.messages) == invitees
        assert Counter(m["To"] for m in inbox.messages) == Counter({m["To"]: 1 for m in inbox.messages})
        with session(live_engine) as s:
            assert count(s, Invitation, Invitation.wave_id == wave_id) == invitees
            assert count(s, Wave, Wave.program_id == program.id) == 2  # this month's, and next month's draft
            by_team = {name: list(s.scalars(select(Invitation.id).where(Invitation.wave_id == wave_id,
                                                                        Invitation.unit_team_id == team.id)))
                       for name, team in teams.items()}

        # All of Alpha answers (a batch is ready) and three of Beta (not yet): the reminder is due on day 3.
        submit(live_engine, by_team["Alpha"] + by_team["Beta"][:3], T0 + dt.timedelta(days=1))
        second = ticks(live_url, tmp_path, port, T0 + dt.timedelta(days=3))
        reminded = {m["To"] for m in inbox.messages[invitees:]}
        assert (second["released"], second["reminded"], second["sent"], second["opened"]) == (6, 3, 0, 0)
        assert len(inbox.messages) == invitees + 3 and len(reminded) == 3
        with session(live_engine) as s:
            assert count(s, Response, Response.wave_id == wave_id) == 6
            assert count(s, PendingSubmission, PendingSubmission.wave_id == wave_id) == 3
            assert count(s, SubmissionReceipt, SubmissionReceipt.released.is_(True)) == 6

        # Two more of Beta answer; the wave closes, and closing releases what is left in one batch (counted
        # under "closed": the step that releases ready batches finds nothing afterwards).
        submit(live_engine, by_team["Beta"][3:5], T0 + dt.timedelta(days=4))
        third = ticks(live_url, tmp_path, port, closes_at + dt.timedelta(minutes=1))
        assert (third["closed"], third["released"], third["reminded"], third["sent"]) == (1, 0, 0, 0)
        # Closing also shares the results with every invitee: one mail each, from one of the four hosts.
        shared = [m["To"] for m in inbox.messages[invitees + 3:]]
        assert third["results shared"] == len(shared) == len(set(shared)) == invitees
    with session(live_engine) as s:
        assert count(s, Response, Response.wave_id == wave_id) == 11
        assert count(s, PendingSubmission) == 0
        assert s.scalar(select(func.count()).select_from(SubmissionReceipt)
                        .where(SubmissionReceipt.released.is_(False))) == 0
        assert s.scalar(select(Wave.status).where(Wave.id == wave_id)) == "closed"
