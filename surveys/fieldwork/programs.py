"""Programs: an instrument run on a cadence for some teams (employees) or touchpoints (customers)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys import audit
from surveys.db import add_unique, parse_id
from surveys.errors import ErrorCollector, ValidationError
from surveys.fieldwork import scheduling
from surveys.models import CADENCES, Program, Survey, Team

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_WAVE_DAYS = 365


@dataclass(frozen=True)
class InstrumentChoice:
    """An instrument HR can pick: `value` is "survey:<id>" or "template:<code>"."""

    value: str
    label: str
    audience: str


def _builtins() -> dict:
    try:  # the built-in library is optional: without it only existing surveys are offered
        from surveys.instruments.library import BUILTIN
    except ImportError:
        return {}
    return BUILTIN


def survey_label(survey: Survey) -> str:
    """How an installed instrument is named in choices: two codes may share a title, so show the code."""
    return f"{survey.title} — {survey.code} v{survey.version} ({survey.audience})"


def instrument_choices(session: Session) -> list[InstrumentChoice]:
    """The latest non-archived version of each survey code, then built-in templates not installed yet."""
    latest = (select(Survey.code, func.max(Survey.version).label("version")).group_by(Survey.code)).subquery()
    surveys = session.scalars(
        select(Survey).join(latest, (Survey.code == latest.c.code) & (Survey.version == latest.c.version))
        .where(Survey.status != "archived").order_by(Survey.title, Survey.code))
    choices = [InstrumentChoice(f"survey:{s.id}", survey_label(s), s.audience) for s in surveys]
    installed = set(session.scalars(select(Survey.code)))
    for code, spec in _builtins().items():
        if code not in installed:
            label = f"{spec.title} — {code}, built-in template ({spec.audience})"
            choices.append(InstrumentChoice(f"template:{code}", label, spec.audience))
    return choices


def resolve_instrument(session: Session, value: str, actor_id: int | None = None) -> Survey:
    """The survey behind a choice value, installing a built-in template when it is not installed yet."""
    kind, _, ref = (value or "").partition(":")
    if kind == "survey" and parse_id(ref) is not None:
        survey = session.get(Survey, parse_id(ref))
        if survey is not None:
            _check_current(session, survey)
            return survey
    elif kind == "template" and ref in _builtins():
        # Installed already (maybe by another admin a moment ago): use its latest version.
        existing = session.scalar(select(Survey).where(Survey.code == ref).order_by(Survey.version.desc()))
        if existing is not None:
            return existing
        from surveys.instruments.library import install

        return install(session, ref, actor_id=actor_id)
    raise ValidationError("Choose an instrument from the list.", field="instrument")


def _check_current(session: Session, survey: Survey) -> None:
    # The form lists only current versions; a stale page or a forged value must not start a program
    # on a superseded or archived version.
    latest = session.scalar(select(func.max(Survey.version)).where(Survey.code == survey.code))
    if survey.version != latest:
        raise ValidationError(f"{survey_label(survey)} is not the latest version of {survey.code} (v{latest} is); "
                              "reload the page and choose again.", field="instrument")
    if survey.status == "archived":
        raise ValidationError(f"{survey_label(survey)} is archived; choose an instrument from the list.",
                              field="instrument")


def _teams(session: Session, team_ids: list[int]) -> list[Team]:
    ids = sorted({int(t) for t in team_ids or []})
    if any(parse_id(t) is None for t in ids):  # negative or beyond what the database can bind: no such team
        raise ValidationError("One of the chosen teams no longer exists; reload the page.", field="teams")
    teams = list(session.scalars(select(Team).where(Team.id.in_(ids)))) if ids else []
    if len(teams) != len(ids):
        raise ValidationError("One of the chosen teams no longer exists; reload the page.", field="teams")
    return teams


CADENCE_MAX_DAYS = {"monthly": 28, "quarterly": 89}


def _check_days(cadence: str, wave_days: int, reminder_days: int) -> None:
    errors = ErrorCollector()
    wave_ok = isinstance(wave_days, int) and 1 <= wave_days <= MAX_WAVE_DAYS
    if not wave_ok:
        errors.add(f"A wave lasts between 1 and {MAX_WAVE_DAYS} days.", "wave_days")
    longest = CADENCE_MAX_DAYS.get(cadence)
    if wave_ok and longest is not None and wave_days > longest:
        # A longer wave would still be open when the next one is due to open.
        errors.add(f"A {cadence} program's waves last at most {longest} days, so one has closed before the "
                   "next opens.", "wave_days")
    if not isinstance(reminder_days, int) or reminder_days < 0:
        errors.add("Reminder days must be 0 (no reminder) or more.", "reminder_days")
    elif wave_ok and cadence != "always_on" and reminder_days >= wave_days:
        errors.add(f"A reminder after {reminder_days} days would come after a {wave_days}-day wave has closed; "
                   "choose fewer days, or 0 for no reminder.", "reminder_days")
    errors.raise_if_any()


def _check_code(session: Session, code: str) -> str:
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationError("A program code has 1 to 40 letters, digits, '-', '_' or '.', starting with a "
                              "letter or digit.", field="code")
    if session.scalar(select(Program.id).where(Program.code == code)) is not None:
        raise ValidationError(f"A program with code '{code}' already exists; choose another code.", field="code")
    return code


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the program a name.", field="name")
    if len(name) > 200:
        raise ValidationError("A program name has at most 200 characters.", field="name")
    return name


def _check_public_title(title: str | None) -> str | None:
    title = (title or "").strip()
    if len(title) > 200:
        raise ValidationError("A public title has at most 200 characters.", field="public_title")
    return title or None  # empty: respondents see the instrument's title


def create_program(session: Session, *, code: str, name: str, instrument: str, cadence: str,
                   wave_days: int, reminder_days: int, team_ids: list[int], first_opens_at: dt.datetime,
                   now: dt.datetime, first_label: str | None = None, public_title: str | None = None,
                   actor_id: int | None = None, share_results: bool = True) -> Program:
    """Create a program and its first draft wave; the audience follows the instrument; flushes.

    Every field is checked before anything is refused, so the form can show all problems at once.
    """
    errors = ErrorCollector()
    code = errors.check(_check_code, session, code)
    name = errors.check(_check_name, name)
    public_title = errors.check(_check_public_title, public_title)
    if cadence not in CADENCES:
        errors.add(f"Cadence must be one of {', '.join(CADENCES)}.", "cadence")
    else:
        errors.check(_check_days, cadence, wave_days, reminder_days)
    if first_opens_at > now:  # a date in the past gets the clearer "already over" message below
        errors.check(scheduling.check_date, first_opens_at, now, "first_opens_at", "The first opening date")
    survey = errors.check(resolve_instrument, session, instrument, actor_id)
    if survey is not None and cadence == "always_on" and survey.audience != "customer":
        errors.add("Always-on suits customer feedback; run employee surveys monthly, quarterly or on a custom "
                   "schedule.", "cadence")
    teams = errors.check(_teams, session, team_ids)
    if teams and survey is not None and survey.audience != "employee":
        errors.add("Targeted teams apply to employee programs; customers are reached through touchpoints. "
                   "Clear the teams for a customer instrument.", "teams")
    if not any(errors.has(f) for f in ("cadence", "wave_days", "first_opens_at")):
        _opens, closes = scheduling.default_window(Program(cadence=cadence, wave_days=wave_days), first_opens_at)
        if closes <= now:
            errors.add("With that opening date the first wave would already be over; choose a later date.",
                       "first_opens_at")
    errors.raise_if_any()
    program = Program(code=code, name=name, public_title=public_title, survey=survey, audience=survey.audience, cadence=cadence,
                      wave_days=wave_days, reminder_days=reminder_days, teams=teams,
                      share_results=bool(share_results))
    opens_at, closes_at = scheduling.default_window(program, first_opens_at)
    label = scheduling.period_label(cadence, opens_at) or (first_label or "").strip() or f"{opens_at:%Y-%m-%d}"
    add_unique(session, program, f"A program with code '{code}' already exists; choose another code.")
    audit.record(session, actor_id, "program.create", "program", program.id, code=code, cadence=cadence,
                 survey=survey.code, teams=[t.code for t in teams])
    scheduling.create_wave(session, program, label, opens_at, closes_at, actor_id)
    return program


def update_program(session: Session, program_id: int, *, name: str, wave_days: int, reminder_days: int,
                   team_ids: list[int], active: bool, public_title: str | None,
                   actor_id: int | None = None, share_results: bool | None = None) -> Program:
    """Change a program's settings; waves already open keep their invitations and windows.

    `public_title` is required so that no caller clears it by leaving it out; empty clears it.
    """
    program = scheduling.get_program(session, program_id)
    errors = ErrorCollector()
    name = errors.check(_check_name, name)
    public_title = errors.check(_check_public_title, public_title)
    errors.check(_check_days, program.cadence, wave_days, reminder_days)
    teams = errors.check(_teams, session, team_ids)
    if teams and program.audience != "employee":
        errors.add("Targeted teams apply to employee programs only.", "teams")
    errors.raise_if_any()
    program.name, program.wave_days, program.reminder_days = name, wave_days, reminder_days
    program.public_title = public_title
    program.teams, program.active = teams, bool(active)
    if share_results is not None:  # None: unchanged (callers that do not offer the choice)
        program.share_results = bool(share_results)
    audit.record(session, actor_id, "program.update", "program", program.id, public_title=program.public_title,
                 wave_days=wave_days, reminder_days=reminder_days, active=bool(active), teams=[t.code for t in teams],
                 share_results=program.share_results)
    session.flush()
    return program


def list_programs(session: Session) -> list[Program]:
    """All programs, active first, then by name."""
    return list(session.scalars(select(Program).order_by(Program.active.desc(), Program.name)))
