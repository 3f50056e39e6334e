"""Where imported answers can go: the choices the upload page offers."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.errors import NotFound
from surveys.models import Program, Wave


def customer_programs(session: Session) -> list[tuple[str, str]]:
    """(code, label) of customer programs, active first."""
    rows = session.execute(select(Program.code, Program.name, Program.active)
                           .where(Program.audience == "customer").order_by(Program.active.desc(), Program.code))
    return [(code, f"{name} ({code})" + ("" if active else ", inactive")) for code, name, active in rows]


def employee_waves(session: Session) -> list[tuple[str, str]]:
    """(wave id, 'Program — label (dates)') of every employee wave, newest first."""
    rows = session.execute(select(Wave.id, Program.name, Wave.label, Wave.opens_at, Wave.closes_at)
                           .join(Wave.program).where(Program.audience == "employee")
                           .order_by(Wave.opens_at.desc(), Program.name))
    return [(str(wid), f"{name} — {label} ({opens:%Y-%m-%d} to {closes:%Y-%m-%d})")
            for wid, name, label, opens, closes in rows]


def wave_codes(session: Session, wave_id: int) -> tuple[str, str]:
    """(program code, wave label) of a wave chosen by id."""
    row = session.execute(select(Program.code, Wave.label).join(Wave.program).where(Wave.id == wave_id)).first()
    if row is None:
        raise NotFound("That wave no longer exists; choose another.")
    return row[0], row[1]
