"""The cadence: the next draft wave of monthly and quarterly programs, and this month's of always-on ones.

A `tandem tick` step (`schedule_due`), safe on several hosts at once: a wave's (program, label) is unique and
the insert ignores a duplicate.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.fieldwork import invitations
from surveys.fieldwork.scheduling import STEP_MONTHS, add_months, default_window, month_start, period_label
from surveys.models import Program, Wave


def schedule_due(session: Session, now: dt.datetime) -> int:
    """Tick step: add the next draft wave of monthly/quarterly programs whose latest wave has opened (or
    was missed), and this month's wave of always-on programs; returns how many waves this process added."""
    programs = session.scalars(select(Program).where(
        Program.active.is_(True), Program.cadence.in_(("monthly", "quarterly", "always_on"))).order_by(Program.id))
    added = 0
    for program in list(programs):
        # One statement reads every wave, so the waves and the labels taken come from one snapshot: on
        # PostgreSQL a second read could see a wave another host scheduled in between, and the labels
        # would then skip its period while the waves still miss it (a third wave, one period early).
        everything = list(session.scalars(select(Wave).where(Wave.program_id == program.id).order_by(Wave.opens_at)))
        # Past waves of another tool hold imported results only: they must not move the cadence.
        waves = [w for w in everything if not w.historical]
        if not waves:
            continue  # a program gets its first wave when it is created
        if program.cadence == "always_on":
            label = period_label("always_on", now)
            if waves[0].opens_at > now or any(w.label == label for w in waves):
                continue
            opens_at, closes_at = default_window(program, month_start(now))
        else:
            latest = waves[-1]
            if latest.status == "draft" and latest.closes_at > now:
                continue  # the next wave is already waiting (a draft whose window passed unopened is missed)
            taken = {w.label for w in everything}
            opens_at, closes_at = _next_window(program, waves, now, taken)
            label = period_label(program.cadence, opens_at)
        added += _insert_scheduled(session, program, label, opens_at, closes_at)
    return added


def _next_window(program: Program, waves: list[Wave], now: dt.datetime,
                 labels: set[str]) -> tuple[dt.datetime, dt.datetime]:
    # Candidates step from the first wave so days do not drift (31 Jan -> 28 Feb -> 31 Mar). Periods
    # already labelled (e.g. a wave opened early) and periods whose window has ended (tick did not run
    # for a while) are skipped rather than opened late.
    # `labels` includes past waves' labels, which a scheduled wave must not take.
    anchor, latest = waves[0].opens_at, waves[-1].opens_at
    step = STEP_MONTHS[program.cadence]
    months = step
    while True:
        opens_at, closes_at = default_window(program, add_months(anchor, months))
        if opens_at > latest and closes_at > now and period_label(program.cadence, opens_at) not in labels:
            return opens_at, closes_at
        months += step


def _insert_scheduled(session: Session, program: Program, label: str, opens_at: dt.datetime,
                      closes_at: dt.datetime) -> int:
    stmt = invitations.insert_ignoring_duplicates(session, Wave.__table__).values(
        program_id=program.id, survey_id=program.survey_id, label=label, opens_at=opens_at,
        closes_at=closes_at, status="draft").returning(Wave.__table__.c.id)
    wave_id = session.execute(stmt).scalar_one_or_none()
    if wave_id is None:
        return 0  # another host scheduled it first
    audit.record(session, None, "wave.schedule", "wave", wave_id, label=label, program=program.code)
    session.expire(program, ["waves"])
    session.flush()
    return 1
