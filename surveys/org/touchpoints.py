"""Touchpoints one at a time (the admin form): create and edit, with the rules the CSV import shares."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from surveys import audit
from surveys.db import add_unique, parse_id
from surveys.errors import ErrorCollector, NotFound, ValidationError
from surveys.models import CHANNELS, Team, Touchpoint

MAX_CODE = 40
MAX_NAME = 200


def clean_code(raw: str | None) -> str:
    """A non-blank touchpoint code of at most MAX_CODE characters."""
    code = (raw or "").strip()
    if not code:
        raise ValidationError("The touchpoint code is blank.", field="code")
    if len(code) > MAX_CODE:
        raise ValidationError(f"The touchpoint code '{code[:50]}' is longer than {MAX_CODE} characters.",
                              field="code")
    return code


def clean_name(raw: str | None) -> str:
    """A non-blank display name of at most MAX_NAME characters."""
    name = (raw or "").strip()
    if not name:
        raise ValidationError("The name is blank.", field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(f"The name is longer than {MAX_NAME} characters.", field="name")
    return name


def clean_channel(raw: str | None) -> str:
    """One of CHANNELS, compared case-insensitively."""
    value = (raw or "").strip().lower()
    if value not in CHANNELS:
        shown = f"'{raw}'" if raw else "A blank value"
        raise ValidationError(f"{shown} is not a valid channel; use one of {', '.join(CHANNELS)}.",
                              field="channel")
    return value


def _team(session: Session, team_id) -> Team:
    team_key = parse_id(team_id)
    team = session.get(Team, team_key) if team_key is not None else None
    if team is None:
        raise ValidationError("Choose the owning team from the list; the team chosen does not exist "
                              "(any more). Reload the page.", field="team_id")
    return team


def _code_is_free(session: Session, code: str) -> str:
    if session.scalar(select(Touchpoint.id).where(Touchpoint.code == code)) is not None:
        raise ValidationError(f"A touchpoint with code '{code}' already exists; choose another code.",
                              field="code")
    return code


def check_touchpoint(session: Session, *, code: str | None, name: str, channel: str, team_id,
                     ) -> tuple[str | None, str, str, Team]:
    """Validate every field at once (code None: editing, the code stays); raises all problems together."""
    errors = ErrorCollector()
    if code is not None:
        code = errors.check(clean_code, code)
        if code is not None:
            errors.check(_code_is_free, session, code)
    name = errors.check(clean_name, name)
    channel = errors.check(clean_channel, channel)
    team = errors.check(_team, session, team_id)
    errors.raise_if_any()
    return code, name, channel, team


def create_touchpoint(session: Session, *, code: str, name: str, channel: str, team_id,
                      actor_id: int | None = None) -> Touchpoint:
    """Add an active touchpoint owned by a team; flushes."""
    code, name, channel, team = check_touchpoint(session, code=code, name=name, channel=channel,
                                                 team_id=team_id)
    touchpoint = Touchpoint(code=code, name=name, channel=channel, team_id=team.id, active=True)
    add_unique(session, touchpoint, f"A touchpoint with code '{code}' already exists; choose another code.")
    audit.record(session, actor_id, "touchpoint.create", "touchpoint", touchpoint.id, code=code, name=name,
                 channel=channel, team=team.code)
    session.flush()
    return touchpoint


def update_touchpoint(session: Session, code: str, *, name: str, channel: str, team_id, active: bool,
                      actor_id: int | None = None) -> Touchpoint:
    """Change a touchpoint's name, channel, owning team or active flag (the code never changes); flushes."""
    touchpoint = get_touchpoint(session, code)
    _code, name, channel, team = check_touchpoint(session, code=None, name=name, channel=channel,
                                                  team_id=team_id)
    changes = {key: [old, new] for key, old, new in (
        ("name", touchpoint.name, name), ("channel", touchpoint.channel, channel),
        ("team", touchpoint.team.code, team.code), ("active", touchpoint.active, bool(active))) if old != new}
    touchpoint.name, touchpoint.channel, touchpoint.team, touchpoint.active = name, channel, team, bool(active)
    if changes:
        audit.record(session, actor_id, "touchpoint.update", "touchpoint", touchpoint.id, code=code, **changes)
    session.flush()
    return touchpoint


def get_touchpoint(session: Session, code: str) -> Touchpoint:
    """A touchpoint by code, with its team, or NotFound."""
    touchpoint = session.scalar(select(Touchpoint).options(joinedload(Touchpoint.team))
                                .where(Touchpoint.code == code))
    if touchpoint is None:
        raise NotFound(f"There is no touchpoint with code '{code}'.")
    return touchpoint
