"""Which wave a feedback row goes to: the wave covering its date, or a past wave planned for it.

Feedback dated before a customer program's first Tandem wave, on a day no wave covers, goes into a past
(historical) wave of that calendar month, clipped to the days no other wave touches and ending before
today: created closed, it never opens or takes links, and keeps the rule that every response belongs to
one wave of its program. The linkage report pairs customer answers with employee waves by date, so these
rows count there whatever wave holds them. Planned waves get negative ids during the check and are
created only when the whole file is valid and this is not a dry run.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from surveys.fieldwork import past_waves, scheduling
from surveys.ingestion import cells
from surveys.ingestion.report import Report
from surveys.models import Program, Wave


@dataclass(frozen=True)
class WaveDays:
    """A wave as the feedback import sees it: id, survey and the calendar days it covers."""

    id: int
    survey_id: int
    label: str
    first_day: dt.date
    last_day: dt.date

    @classmethod
    def of(cls, wave: Wave) -> WaveDays:
        """Snapshot an ORM Wave."""
        return cls(wave.id, wave.survey_id, wave.label, *cells.day_window(wave.opens_at, wave.closes_at))


class WavePicker:
    """Finds the wave for each date, planning past waves for uncovered days before the program's start."""

    def __init__(self, session: Session, program: Program, waves: list[Wave], report: Report, *,
                 now: dt.datetime, labels: dict[int, str], wave_args: dict):
        self.session, self.program, self.report, self.now = session, program, report, now
        self.orm_waves = waves
        self.waves = [WaveDays.of(w) for w in waves]
        self.labels = labels  # id -> label, shared with the bulk runner (planned waves are added to it)
        self.wave_args = wave_args  # min_group_size, min_comment_group_size, actor_id
        self.taken = {w.label for w in waves}
        run = [w.opens_at.date() for w in waves if not w.historical]
        self.first_run = min(run) if run else None
        self.planned: dict[tuple[dt.datetime, dt.datetime], WaveDays] = {}
        self.cache: dict[dt.date, WaveDays | None] = {}

    def wave_for(self, day: dt.date) -> WaveDays | None:
        """The wave covering `day` (the latest-opening one when two share it), else a planned past wave."""
        if day not in self.cache:
            found = next((w for w in reversed(self.waves) if w.first_day <= day <= w.last_day), None)
            self.cache[day] = found or self._plan(day)
        return self.cache[day]

    def why_not(self, day: dt.date) -> str:
        """Why no wave could take `day`."""
        code, today = self.program.code, self.now.date()
        base = f"No wave of program {code} covers {day.isoformat()}"
        if day > today:
            return f"{day.isoformat()} is in the future; only feedback already given can be imported."
        if day == today:
            return f"{base} (today); past waves end before today, so import it once a wave covers it."
        if self.first_run is not None and day >= self.first_run:
            return (f"{base}. Tandem creates past waves for feedback only before the program's first wave "
                    f"({self.first_run.isoformat()}); for a later day, add a past wave that covers it on the "
                    f"program page ({past_waves.ADD_PAST_WAVE}).")
        earliest = scheduling.add_months(self.now, -12 * past_waves.HISTORY_YEARS).date()
        if day < earliest:
            return f"{day.isoformat()} is more than {past_waves.HISTORY_YEARS} years ago; check the year."
        return f"{base}, and every name a past wave for it could take is already used."

    def _plan(self, day: dt.date) -> WaveDays | None:
        today = self.now.date()
        if self.first_run is not None and day >= self.first_run:
            return None
        if day < scheduling.add_months(self.now, -12 * past_waves.HISTORY_YEARS).date():
            return None
        window = past_waves.gap_window(self.orm_waves, day, today)
        if window is None:
            return None
        if window not in self.planned:
            label = past_waves.gap_label(*window, self.taken)
            if label is None:
                return None
            start, end = window
            planned = WaveDays(-1 - len(self.planned), self.program.survey_id, label, start.date(),
                               (end - dt.timedelta(days=1)).date())
            self.planned[window], self.labels[planned.id] = planned, label
            self.taken.add(label)
            verb = "create" if self.report.dry_run else "created"
            self.report.change(f"{verb} past wave {label} ({planned.first_day.isoformat()} to "
                               f"{planned.last_day.isoformat()}, closed, for imported feedback only)")
        return self.planned[window]

    def create_planned(self) -> dict[int, int]:
        """Create the planned past waves and point their days at the real ones; flushes.

        Returns {planned (negative) id: real id}, for rows checked against a planned wave.
        """
        real: dict[int, WaveDays] = {}
        for planned in self.planned.values():
            wave = past_waves.add_past_wave(self.session, self.program, planned.label, planned.first_day,
                                            planned.last_day, now=self.now, **self.wave_args)
            real[planned.id] = WaveDays.of(wave)
        self.cache = {day: real.get(w.id, w) if w is not None else None for day, w in self.cache.items()}
        return {planned_id: wave.id for planned_id, wave in real.items()}
