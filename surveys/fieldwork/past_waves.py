"""Past waves: rounds of a survey that ran before Tandem, created closed to hold imported results.

A past wave (`Wave.historical`) is created closed: it never opens, invites or mails anyone, and the
scheduler ignores it, so it does not move a program's cadence. Reports count it like any wave that ran
(they take every wave that is not a draft). Its window is whole days, from the opening day at 00:00 to
the end of the closing day, over before today, and it may not overlap another wave of the program.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.errors import ValidationError
from surveys.fieldwork import scheduling
from surveys.models import Program, Wave

HISTORY_YEARS = 25  # results older than this are almost surely a typo (0205 for 2025)
ADD_PAST_WAVE = "Add a past wave for imported results"


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def check_past_day(day: dt.date, today: dt.date, field: str, what: str) -> None:
    """Refuse a day that is not before `today`, or more than HISTORY_YEARS years before it."""
    if day >= today:
        raise ValidationError(f"{what} {day.isoformat()} is not in the past; a past wave holds results of a "
                              "survey that ended before today. For a survey Tandem runs, add or schedule a wave "
                              "instead.", field=field)
    earliest = scheduling.add_months(_midnight(today), -12 * HISTORY_YEARS).date()
    if day < earliest:
        raise ValidationError(f"{what} {day.isoformat()} is more than {HISTORY_YEARS} years ago; choose a date "
                              f"from {earliest.isoformat()} on.", field=field)


def add_past_wave(session: Session, program: Program, label: str, opens_on: dt.date, closes_on: dt.date, *,
                  now: dt.datetime, min_group_size: int, min_comment_group_size: int,
                  actor_id: int | None = None) -> Wave:
    """Create a closed historical wave from `opens_on` to the end of `closes_on` (both past); flushes."""
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date):
        raise ValidationError("Give the opening and closing dates of the past survey as YYYY-MM-DD.",
                              field="opens_on")
    today = now.date()
    check_past_day(opens_on, today, "opens_on", "The opening date")
    check_past_day(closes_on, today, "closes_on", "The closing date")
    if closes_on < opens_on:
        raise ValidationError(f"The closing date {closes_on.isoformat()} is before the opening date "
                              f"{opens_on.isoformat()}.", field="closes_on")
    wave = scheduling.create_wave(session, program, label, _midnight(opens_on),
                                  _midnight(closes_on + dt.timedelta(days=1)), actor_id)
    wave.record_past(now, min_group_size, min_comment_group_size)
    wave.survey.frozen = True  # imported answers refer to this version: it must not change under them
    audit.record(session, actor_id, "wave.past", "wave", wave.id, label=wave.label, program=program.code,
                 opens_on=opens_on.isoformat(), closes_on=closes_on.isoformat(),
                 min_group_size=wave.min_group_size, min_comment_group_size=wave.min_comment_group_size)
    session.flush()
    return wave


def past_wave_for(session: Session, program: Program, label: str, opens_on: dt.date | None,
                  closes_on: dt.date | None, **kwargs) -> tuple[Wave, bool]:
    """The past wave `label` of `program`, created when it does not exist; (wave, created)."""
    label = (label or "").strip()
    wave = session.scalar(select(Wave).where(Wave.program_id == program.id, Wave.label == label))
    if wave is None:
        if opens_on is None or closes_on is None:
            raise ValidationError(f"Program {program.code} has no wave '{label}' yet; give its opening and "
                                  "closing dates (--opens and --closes) to create it as a past wave.",
                                  field="opens_on")
        return add_past_wave(session, program, label, opens_on, closes_on, **kwargs), True
    if not wave.historical:
        raise ValidationError(f"Wave {label} of program {program.code} is a wave Tandem runs ({wave.status}), "
                              "not a past wave; choose another label for the imported results.", field="label")
    first, last = wave.opens_at.date(), (wave.closes_at - dt.timedelta(microseconds=1)).date()
    if (opens_on or first, closes_on or last) != (first, last):
        raise ValidationError(f"Past wave {label} of program {program.code} runs from {first.isoformat()} to "
                              f"{last.isoformat()}; give the same dates or leave them out.", field="opens_on")
    return wave, False


def gap_window(waves: list[Wave], day: dt.date, today: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """Whole days around `day` in its calendar month that no wave touches and that end before `today`.

    `day` must be covered by no wave. None when `day` is not before today.
    """
    if day >= today:
        return None
    start = _midnight(day.replace(day=1))
    end = min(scheduling.add_months(start, 1), _midnight(today))
    for wave in waves:
        if wave.closes_at <= _midnight(day):  # earlier wave: start after the day it closed on
            ends = _midnight(wave.closes_at.date())
            if wave.closes_at > ends:  # closed during that day, which it therefore covers
                ends += dt.timedelta(days=1)
            start = max(start, ends)
        elif wave.opens_at >= _midnight(day + dt.timedelta(days=1)):  # later wave: stop on the day it opens
            end = min(end, _midnight(wave.opens_at.date()))
    return start, end


def gap_label(start: dt.datetime, end: dt.datetime, taken: set[str]) -> str | None:
    """"2025-07" for a whole calendar month, else "2025-07-01 to 2025-07-14"; None if both are taken."""
    last = (end - dt.timedelta(days=1)).date()
    whole = start.day == 1 and end == scheduling.add_months(start, 1)
    for label in ([f"{start:%Y-%m}"] if whole else []) + [f"{start:%Y-%m-%d} to {last.isoformat()}"]:
        if label not in taken:
            return label
    return None
