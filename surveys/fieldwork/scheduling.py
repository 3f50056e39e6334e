"""Wave lifecycle (create, open, close, extend) and the steps `tandem tick` runs.

Every state change loads the wave FOR UPDATE and goes through a guarded method on Wave: on PostgreSQL
the row lock makes a second process wait and then see the new status, so its guard refuses; SQLite
writers are already serialised by BEGIN IMMEDIATE (surveys/db.py). Scheduled waves are inserted with
ON CONFLICT DO NOTHING against the (program, label) unique constraint, so two hosts cannot both add one.
A program has one open wave at a time and its waves' windows do not overlap: opening takes the program
row as a lock, extending stops at the next wave's opening, and a wave added by hand must fit between.
Times are naive UTC throughout.
"""
from __future__ import annotations

import calendar
import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys import audit
from surveys.collection import queue
from surveys.errors import Conflict, ErrorCollector, NotFound, ValidationError
from surveys.fieldwork import invitations, units
from surveys.models import Program, Wave, WaveTeam

MAX_LABEL = 60
STEP_MONTHS = {"monthly": 1, "quarterly": 3}
MAX_YEARS_AWAY = 5  # dates further from today are typos (9999, 2062 for 2026) and overflow date arithmetic


def month_start(when: dt.datetime) -> dt.datetime:
    """Midnight on the first day of `when`'s month."""
    return dt.datetime(when.year, when.month, 1)


def add_months(when: dt.datetime, months: int, day: int | None = None) -> dt.datetime:
    """`when` moved by whole months, on `day` (default: the same day), clamped to the month's length.

    Saturates at datetime.min/max instead of raising, so range checks around far dates stay messages.
    """
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    if year > dt.MAXYEAR:
        return dt.datetime.max
    if year < dt.MINYEAR:
        return dt.datetime.min
    last = calendar.monthrange(year, month + 1)[1]
    return when.replace(year=year, month=month + 1, day=min(day or when.day, last))


def check_date(when: dt.datetime, now: dt.datetime, field: str, what: str = "The date") -> None:
    """Refuse a date more than MAX_YEARS_AWAY years before or after `now` with a ValidationError on `field`."""
    earliest = add_months(now, -12 * MAX_YEARS_AWAY)
    latest = add_months(now, 12 * MAX_YEARS_AWAY)
    if not earliest <= when <= latest:
        raise ValidationError(f"{what} {when.date().isoformat()} is more than {MAX_YEARS_AWAY} years from today; "
                              f"choose a date between {earliest:%Y-%m-%d} and {latest:%Y-%m-%d}.", field=field)


def period_label(cadence: str, opens_at: dt.datetime) -> str | None:
    """The label a wave gets from its cadence: "2026-11" monthly, "2026-Q4" quarterly; None for custom."""
    if cadence in ("monthly", "always_on"):
        return f"{opens_at:%Y-%m}"
    if cadence == "quarterly":
        return f"{opens_at.year}-Q{(opens_at.month - 1) // 3 + 1}"
    return None


def default_window(program: Program, opens_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Opening and closing time of a wave of `program` opening at `opens_at`."""
    if program.cadence == "always_on":  # always-on waves are calendar months
        return opens_at, add_months(month_start(opens_at), 1)
    return opens_at, opens_at + dt.timedelta(days=program.wave_days)


def create_wave(session: Session, program: Program, label: str, opens_at: dt.datetime,
                closes_at: dt.datetime, actor_id: int | None = None) -> Wave:
    """Add a draft wave to a program, refusing a label the program already uses or a window overlapping
    another wave's; flushes."""
    errors = ErrorCollector()
    label = errors.check(_check_label, session, program, label)
    if closes_at <= opens_at:
        errors.add("A wave must close after it opens.", "closes_at")
    else:
        errors.check(_check_no_overlap, session, program, opens_at, closes_at)
    errors.raise_if_any()
    wave = Wave(program_id=program.id, survey_id=program.survey_id, label=label, opens_at=opens_at,
                closes_at=closes_at, status="draft")
    try:
        with session.begin_nested():  # another admin may have taken the label since the check above
            session.add(wave)
            session.flush()
    except IntegrityError:
        raise ValidationError(f"Program {program.code} already has a wave labelled '{label}'; "
                              "choose another label.", field="label") from None
    session.expire(program, ["waves"])
    audit.record(session, actor_id, "wave.create", "wave", wave.id, label=label, program=program.code)
    session.flush()
    return wave


def add_custom_wave(session: Session, program_id: int, label: str, opens_at: dt.datetime,
                    closes_at: dt.datetime | None, now: dt.datetime, actor_id: int | None = None) -> Wave:
    """HR adds a wave by hand to a custom-cadence program."""
    program = get_program(session, program_id)
    if program.cadence != "custom":
        raise Conflict(f"Program {program.code} runs {program.cadence.replace('_', '-')}: Tandem schedules "
                       "its waves itself. Only custom programs take waves added by hand.")
    errors = ErrorCollector()  # every problem at once; create_wave then checks the window against others
    errors.check(_check_label, session, program, label)
    errors.check(check_date, opens_at, now, "opens_at", "The opening date")
    if closes_at is not None:
        errors.check(check_date, closes_at, now, "closes_at", "The closing date")
    if not errors.has("opens_at") and not errors.has("closes_at"):
        closes_at = closes_at or default_window(program, opens_at)[1]
        if closes_at <= now:
            errors.add("The wave would close in the past; choose a later closing time.", "closes_at")
    errors.raise_if_any()
    return create_wave(session, program, label, opens_at, closes_at, actor_id)


def _check_label(session: Session, program: Program, label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise ValidationError("Give the wave a label, for example 2026-spring.", field="label")
    if len(label) > MAX_LABEL:
        raise ValidationError(f"A wave label has at most {MAX_LABEL} characters.", field="label")
    if session.scalar(select(Wave.id).where(Wave.program_id == program.id, Wave.label == label)) is not None:
        raise ValidationError(f"Program {program.code} already has a wave labelled '{label}'; "
                              "choose another label.", field="label")
    return label


def open_wave(session: Session, wave_id: int, now: dt.datetime, actor_id: int | None,
              min_group_size: int, min_comment_group_size: int,
              membership_days: int = units.DEFAULT_MEMBERSHIP_DAYS) -> int:
    """Open a draft wave and invite its people; returns how many invitations were created.

    A program has at most one open wave: opening another is a Conflict naming the open one. Membership
    is frozen here: each invitation's storage unit, and per team who counted towards its size.
    """
    program_id = session.scalar(select(Wave.program_id).where(Wave.id == wave_id))
    if program_id is None:
        raise NotFound(f"There is no wave with id {wave_id}.")
    # The program row is the mutex: two processes opening two drafts of one program cannot both see
    # "no other wave open" (each wave's own lock would not stop that).
    # NO KEY UPDATE: still exclusive between openers, but does not block inserting waves and invitations.
    session.scalar(select(Program.id).where(Program.id == program_id).with_for_update(key_share=True))
    wave = _locked_wave(session, wave_id)
    if wave.status == "draft":
        _check_none_open(session, wave)
    wave.open(now, min_group_size, min_comment_group_size)
    wave.survey.frozen = True  # answers will refer to this version: it must not change under them
    session.flush()
    invited = invitations.create_for_wave(session, wave, membership_days)
    frozen = list(session.scalars(select(WaveTeam).where(WaveTeam.wave_id == wave.id)))
    audit.record(session, actor_id, "wave.open", "wave", wave.id, label=wave.label, invited=invited,
                 min_group_size=wave.min_group_size, min_comment_group_size=wave.min_comment_group_size,
                 membership_days=membership_days,
                 teams_pooled=sum(1 for t in frozen if t.unit_team_id != t.team_id),
                 joined_recently=sum(t.joined for t in frozen))
    session.flush()
    return invited


def preview_open(session: Session, wave_id: int, now: dt.datetime) -> tuple[Wave, int]:
    """The wave and how many people opening it now would invite (and mail); raises what `open_wave` would
    refuse with, and changes nothing."""
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(f"There is no wave with id {wave_id}.")
    wave.check_can_open(now)
    _check_none_open(session, wave)
    return wave, invitations.count_new_for_wave(session, wave)


def close_wave(session: Session, wave_id: int, now: dt.datetime, actor_id: int | None) -> int:
    """Close an open wave, erase unsubmitted answers in progress and forget reminder times; returns how
    many answer sets were erased."""
    wave = _locked_wave(session, wave_id)
    wave.close(now)
    session.flush()
    erased = invitations.erase_drafts(session, wave.id)
    invitations.forget_reminders(session, wave.id)
    # Whatever is still queued is released now, small teams included (their cells stay hidden in reports).
    released = queue.release(session, wave.id, everything=True)
    audit.record(session, actor_id, "wave.close", "wave", wave.id, label=wave.label, drafts_erased=erased,
                 released=released)
    session.flush()
    return erased


def extend_wave(session: Session, wave_id: int, new_closes_at: dt.datetime, now: dt.datetime,
                actor_id: int | None) -> Wave:
    """Move a draft or open wave's closing time later."""
    check_date(new_closes_at, now, "closes_at", "The new closing date")
    wave = _locked_wave(session, wave_id)
    if wave.program.cadence == "always_on" and new_closes_at > add_months(month_start(wave.opens_at), 1):
        raise ValidationError("Always-on waves follow calendar months, so this one can close at the end "
                              f"of {wave.opens_at:%B %Y} at the latest.", field="closes_at")
    _check_before_next(session, wave, new_closes_at)
    before = wave.closes_at
    wave.extend(new_closes_at, now)
    audit.record(session, actor_id, "wave.extend", "wave", wave.id, label=wave.label,
                 closes_at_before=before.isoformat(), closes_at=new_closes_at.isoformat())
    session.flush()
    return wave


def close_due(session: Session, now: dt.datetime) -> int:
    """Tick step: close open waves whose closing time has come; returns how many this process closed."""
    due = select(Wave.id).where(Wave.status == "open", Wave.closes_at <= now).order_by(Wave.id)
    return sum(_try(close_wave, session, wave_id, now, None) for wave_id in list(session.scalars(due)))


def open_due(session: Session, now: dt.datetime, min_group_size: int, min_comment_group_size: int,
             membership_days: int = units.DEFAULT_MEMBERSHIP_DAYS) -> tuple[int, int]:
    """Tick step: open draft waves of active programs whose time has come; returns (opened, invited)."""
    due = (select(Wave.id).join(Wave.program)
           .where(Wave.status == "draft", Wave.opens_at <= now, Wave.closes_at > now, Program.active.is_(True))
           .order_by(Wave.id))
    opened = invited = 0
    for wave_id in list(session.scalars(due)):
        try:
            invited += open_wave(session, wave_id, now, None, min_group_size, min_comment_group_size,
                                 membership_days)
            opened += 1
        except Conflict:  # opened by another process meanwhile, or another wave of its program is still open
            continue
    return opened, invited


def _try(step, session: Session, wave_id: int, now: dt.datetime, actor_id: int | None) -> int:
    try:
        step(session, wave_id, now, actor_id)
        return 1
    except Conflict:  # another process got there first
        return 0


def _when(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _check_none_open(session: Session, wave: Wave) -> None:
    other = session.scalar(select(Wave).where(Wave.program_id == wave.program_id, Wave.status == "open",
                                              Wave.id != wave.id).order_by(Wave.opens_at).limit(1))
    if other is not None:
        raise Conflict(f"Wave {other.label} of program {wave.program.code} is still open (until "
                       f"{_when(other.closes_at)}); a program has one open wave at a time. Close "
                       f"{other.label} before opening {wave.label}.")


def _check_before_next(session: Session, wave: Wave, new_closes_at: dt.datetime) -> None:
    # Closing exactly when the next wave opens is fine: tick closes due waves before opening any.
    following = session.scalar(select(Wave).where(Wave.program_id == wave.program_id, Wave.id != wave.id,
                                                  Wave.opens_at >= wave.opens_at)
                               .order_by(Wave.opens_at, Wave.id).limit(1))
    if following is not None and new_closes_at > following.opens_at:
        raise ValidationError(f"Wave {wave.label} cannot close after the program's next wave "
                              f"{following.label} opens ({_when(following.opens_at)}); choose a closing time "
                              "up to then.", field="closes_at")


def _check_no_overlap(session: Session, program: Program, opens_at: dt.datetime, closes_at: dt.datetime) -> None:
    clash = session.scalar(select(Wave).where(Wave.program_id == program.id, Wave.opens_at < closes_at,
                                              Wave.closes_at > opens_at).order_by(Wave.opens_at).limit(1))
    if clash is not None:
        raise ValidationError(f"The wave would overlap wave {clash.label} ({_when(clash.opens_at)} to "
                              f"{_when(clash.closes_at)}); a program runs one wave at a time, so choose "
                              "a window outside it.", field="opens_at")


def _locked_wave(session: Session, wave_id: int) -> Wave:
    wave = session.scalar(select(Wave).where(Wave.id == wave_id).with_for_update()
                          .execution_options(populate_existing=True))
    if wave is None:
        raise NotFound(f"There is no wave with id {wave_id}.")
    return wave


def get_program(session: Session, program_id: int) -> Program:
    """A program by id, or NotFound."""
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound(f"There is no program with id {program_id}.")
    return program
